//! Support changes a store's registered admin: the new address confirms by a link before
//! anything changes, and both addresses are told.

use super::{Act, Refusal, audited};
use crate::{
    app::{App, emails},
    domain::{EmailAddress, credentials::random_token, sha256_hex},
    store::{self, audit::Record, outbox::Lane, stores::Store},
};

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
