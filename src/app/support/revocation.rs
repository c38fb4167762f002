//! Support revokes an upgrade's credentials, and the store's admin is told who revoked
//! which, whoever did.

use super::{Act, audited};
use crate::{
    app::{App, emails},
    domain::sha256_hex,
    store::{self, outbox::Lane, stores::Store},
};

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
