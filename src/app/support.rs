//! What support does to unstick a store. Every action names its reason and is audited
//! with it; changing the registered admin waits for the new address to confirm by a
//! link.

use super::{
    App, auth, emails,
    partner::{ListQuery, PAGE_SIZE, sunsets},
};
use crate::{
    domain::{EmailAddress, Step, credentials::random_token, sha256_hex},
    store::{
        self,
        audit::Record,
        cohort::{CohortRow, Sort},
        outbox::Lane,
        stores::Store,
    },
};

/// One page of the stalled list, and how many stalled upgrades match in all.
pub struct Stalled {
    pub rows: Vec<CohortRow>,
    pub total: i64,
    pub now: i64,
    /// Every partner (id, name), for the partner filter: support sees them all.
    pub partners: Vec<(i64, String)>,
}

/// Started, unfinished upgrades no step has moved in for `days`, under `query`'s
/// dashboard filters, oldest first unless sorted otherwise (ties by store, so pages never
/// overlap): page `query.page()`.
pub async fn stalled(state: &App, days: i64, query: &ListQuery) -> sqlx::Result<Stalled> {
    let sunsets = sunsets(state);
    let now = store::now();
    let mut filter = query.filter();
    filter.stalled_before = Some(now - days * 86_400);
    let cohort = state.cohort(None, &filter, &sunsets, now);
    let sort = Sort::parse(&query.sort).unwrap_or(Sort::Idle);
    let pool = &state.db.pool;
    let offset = (query.page() - 1) * PAGE_SIZE;
    let (rows, total) = cohort
        .page_and_count(&state.db, sort, query.descending(), PAGE_SIZE, offset)
        .await?;
    let partners = store::stores::all_partners(pool).await?;
    Ok(Stalled {
        rows,
        total,
        now,
        partners,
    })
}

/// Who acts on which store, from where, and why.
pub struct Act<'a> {
    pub actor: &'a str,
    pub store: &'a Store,
    pub ip: &'a str,
    pub reason: &'a str,
}

/// Why support's action was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The new admin is the current one.
    SameAdmin,
    /// Only an upgrade waiting for its test purchase can have it verified.
    NotAtPurchase,
    /// Every credential of the upgrade is revoked (or expired): no purchase could have
    /// been made with them, and the integration cannot run.
    NoLiveCredentials,
}

impl Refusal {
    /// The message key that explains it.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::SameAdmin => "console.error.same_admin",
            Refusal::NotAtPurchase => "console.error.not_at_purchase",
            Refusal::NoLiveCredentials => "consoles.verify.no_live_credentials",
        }
    }
}

pub(super) async fn audited(
    tx: &mut store::Tx,
    act: &Act<'_>,
    action: &str,
    args: &[(&str, &str)],
) -> sqlx::Result<()> {
    store::audit::record(
        &mut **tx,
        &Record {
            actor: act.actor,
            action,
            store_id: Some(act.store.id),
            args,
            ip: act.ip,
        },
    )
    .await
}

/// Sends the store's admin a new sign-in link. No browser asked for it, so it is bound
/// to none: the admin opens it wherever they read their email.
pub async fn resend_link(state: &App, act: &Act<'_>) -> anyhow::Result<()> {
    let s = act.store;
    let tr = emails::lang_of(&state.db.pool, &s.admin_email, Some(s)).await?;
    let mut tx = state.db.begin().await?;
    auth::queue_link(&mut tx, state, &s.admin_email, None, tr.lang).await?;
    audited(
        &mut tx,
        act,
        "support.sign_in_link_resent",
        &[("reason", act.reason)],
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// Reminds the store's admin of the upgrade standing at `step` (`None`: not started).
pub async fn remind(state: &App, act: &Act<'_>, step: Option<Step>) -> anyhow::Result<()> {
    let s = act.store;
    let tr = emails::lang_of(&state.db.pool, &s.admin_email, Some(s)).await?;
    let email = emails::reminder(state, s, step, tr.lang);
    let mut tx = state.db.begin().await?;
    let key = format!("support-remind:{}:{}", s.id, random_token(6));
    store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(s.id)).await?;
    audited(
        &mut tx,
        act,
        "support.reminder_sent",
        &[("reason", act.reason)],
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// Asks `new` to confirm that they administer the store from now on.
pub async fn request_admin_change(
    state: &App,
    act: &Act<'_>,
    new: &EmailAddress,
) -> anyhow::Result<Result<(), Refusal>> {
    let s = act.store;
    if new.as_str() == s.admin_email {
        return Ok(Err(Refusal::SameAdmin));
    }
    let token = random_token(32);
    let hash = sha256_hex(&token);
    let tr = emails::lang_of(&state.db.pool, new.as_str(), Some(s)).await?;
    let link = format!("{}/admin-change?token={token}", state.config.base_url);
    let email = emails::admin_change_request(tr, new.as_str(), s, &link);
    let mut tx = state.db.begin().await?;
    store::admin_changes::insert(
        &mut tx,
        &hash,
        s.id,
        &s.admin_email,
        new.as_str(),
        act.actor,
        act.reason,
    )
    .await?;
    store::outbox::push(
        &mut *tx,
        &store::outbox::Job {
            lane: Lane::Urgent,
            key: &format!("admin-change:{hash}"),
            kind: "email",
            recipient: new.as_str(),
            subject: &email.subject,
            body: &email.text,
            store_id: Some(s.id),
            redact: true,
        },
    )
    .await?;
    let args = [("reason", act.reason), ("new", new.as_str())];
    audited(&mut tx, act, "support.admin_change_requested", &args).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(Ok(()))
}

/// Revokes every credential of the upgrade `upgrade_id` (none when not started); how many
/// of them the platform still accepted, which is also whether the administrator was told.
pub async fn revoke_credentials(
    state: &App,
    act: &Act<'_>,
    upgrade_id: Option<i64>,
) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    let (n, usernames) = match upgrade_id {
        Some(id) => {
            let now = store::now();
            let live: Vec<String> = store::credentials::for_upgrade(&mut *tx, id)
                .await?
                .into_iter()
                .filter(|c| c.is_active(now))
                .map(|c| c.username)
                .collect();
            let n = store::upgrades::revoke_all_credentials(&mut tx, id).await?;
            (n, live)
        }
        None => (0, Vec::new()),
    };
    let count = n.to_string();
    let args = [("reason", act.reason), ("count", count.as_str())];
    audited(&mut tx, act, "support.credentials_revoked", &args).await?;
    tell_admin_of_revocation(state, &mut tx, act.store, &usernames, RevokedBy::Support).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(usernames.len())
}

/// Who revoked credentials, as the store's administrator is told.
#[derive(Debug, Clone, Copy)]
pub enum RevokedBy<'a> {
    /// A person of the store, by their email address.
    Person(&'a str),
    /// The platform's support team (no agent's address leaves the team).
    Support,
}

/// Emails `s`'s administrator that `by` revoked `usernames` (nothing when there are
/// none), in the transaction that revoked them, with the time in their own zone.
pub async fn tell_admin_of_revocation(
    state: &App,
    tx: &mut store::Tx,
    s: &Store,
    usernames: &[String],
    by: RevokedBy<'_>,
) -> anyhow::Result<()> {
    if usernames.is_empty() {
        return Ok(());
    }
    let now = store::now();
    let tr = emails::lang_of(&mut **tx, &s.admin_email, Some(s)).await?;
    let names = usernames.join(", ");
    let by = match by {
        RevokedBy::Person(email) => email.to_owned(),
        RevokedBy::Support => tr.t("email.credentials_revoked.by_support"),
    };
    let time = emails::time_for(&mut **tx, &s.admin_email, tr, now).await?;
    let mail = emails::credentials_revoked(tr, s, &names, &by, &time, &state.config.base_url);
    let key = format!("credentials-revoked:{}:{}", s.id, sha256_hex(&names));
    store::outbox::enqueue(tx, Lane::Transactional, &key, &mail, Some(s.id)).await?;
    Ok(())
}

/// The test purchase, confirmed by hand (the platform's event never came): the upgrade
/// completes, with the reference support checked, and the admin gets the same "your
/// upgrade is complete" email as when the platform reports the purchase. Refused when
/// no credential of the upgrade is live: nothing could have bought with revoked ones.
pub async fn verify_purchase(
    state: &App,
    act: &Act<'_>,
    upgrade_id: Option<i64>,
    reference: &str,
) -> anyhow::Result<Result<(), Refusal>> {
    let Some(upgrade_id) = upgrade_id else {
        return Ok(Err(Refusal::NotAtPurchase));
    };
    let mut tx = state.db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, upgrade_id, state.db.backend).await?;
    let now = store::now();
    let live = store::credentials::for_upgrade(&mut *tx, upgrade_id)
        .await?
        .iter()
        .any(|c| c.is_active(now));
    // The upgrade's own refusal first: it is not waiting for its test purchase.
    let Ok(moved) = upgrade.confirm_purchase_by_hand() else {
        tx.rollback().await?;
        return Ok(Err(Refusal::NotAtPurchase));
    };
    if !live {
        tx.rollback().await?;
        return Ok(Err(Refusal::NoLiveCredentials));
    }
    let actor = format!("support:{}", act.actor);
    store::upgrades::record_move(&mut tx, &upgrade, moved, &actor).await?;
    let args = [("reason", act.reason), ("reference", reference)];
    audited(&mut tx, act, "support.purchase_verified", &args).await?;
    let s = act.store;
    let tr = emails::lang_of(&mut *tx, &s.admin_email, Some(s)).await?;
    let mid = upgrade.merchant_id.as_deref().unwrap_or_default();
    let link = format!(
        "{}{}",
        state.config.base_url,
        super::paths::store(&s.legacy_store_id).upgrade()
    );
    let sunset = super::legacy::sunset_of(state, s).map(|(date, _)| date);
    let email = emails::upgrade_complete(tr, s, mid, reference, &link, sunset);
    // The key the platform's path uses: however it completes, the admin hears once.
    let key = format!("upgrade-complete:{upgrade_id}");
    store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(s.id)).await?;
    state.hub.notify_in(&mut tx, act.store.id).await?;
    tx.commit().await?;
    state.hub.committed(act.store.id);
    state.outbox.wake();
    Ok(Ok(()))
}

/// The store and new admin a live admin-change link `token` is for.
pub async fn pending_admin_change(
    state: &App,
    token: &str,
) -> anyhow::Result<Option<(Store, String)>> {
    let change = store::admin_changes::get(&state.db.pool, &sha256_hex(token)).await?;
    let Some(change) = change.filter(|c| c.used_at.is_none() && c.expires_at > store::now()) else {
        return Ok(None);
    };
    let store = store::stores::find_by_id(&state.db.pool, change.store_id).await?;
    Ok(store.map(|s| (s, change.new_email)))
}

/// Makes the new admin the store's, with `token` (once): the store as it was, or `None`
/// when the link is unknown, used or expired. The previous admin is told.
pub async fn confirm_admin_change(
    state: &App,
    token: &str,
    ip: &str,
) -> anyhow::Result<Option<Store>> {
    let hash = sha256_hex(token);
    let mut tx = state.db.begin().await?;
    let Some(change) = store::admin_changes::get(&mut *tx, &hash).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    if !store::admin_changes::consume(&mut tx, &hash).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let Some(old) = store::stores::find_by_id(&mut *tx, change.store_id).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    store::admin_changes::set_admin(&mut tx, change.store_id, &change.new_email).await?;
    store::audit::record(
        &mut *tx,
        &Record {
            actor: &change.new_email,
            action: "store.admin_changed",
            store_id: Some(change.store_id),
            args: &[
                ("old", &old.admin_email),
                ("new", &change.new_email),
                ("by", &change.requested_by),
                ("reason", &change.reason),
            ],
            ip,
        },
    )
    .await?;
    // The previous admin hears of it, in case it was not their wish.
    let tr = emails::lang_of(&mut *tx, &old.admin_email, Some(&old)).await?;
    let email = emails::admin_changed(tr, &old, &change.new_email);
    store::outbox::enqueue(
        &mut tx,
        Lane::Transactional,
        &format!("admin-changed:{hash}"),
        &email,
        Some(old.id),
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(Some(old))
}
