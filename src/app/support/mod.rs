//! What support does to unstick a store. Every action names its reason and is audited
//! with it; changing the registered admin waits for the new address to confirm by a
//! link.

mod admin_change;
mod revocation;

pub use admin_change::{confirm_admin_change, pending_admin_change, request_admin_change};
pub use revocation::{RevokedBy, revoke_credentials, tell_admin_of_revocation};

use super::{
    App, auth, emails,
    partner::{ListQuery, PAGE_SIZE, sunsets},
};
use crate::{
    domain::{Step, credentials::random_token},
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
