//! The bulk nudge: a reminder to the admins of the stores a manager picked, at most one
//! per store per day, audited.

use crate::{
    app::{App, emails},
    domain::{Step, sunset},
    store::{self, audit::Record, outbox::Lane},
};

/// What a nudge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nudged {
    pub sent: usize,
    /// Stores not found, not the manager's, complete, or reminded today already.
    pub skipped: usize,
}

/// Sends the admins of the `chosen` stores a reminder, at most one per store per day,
/// skipping (without saying which) any store that is not one of `partners`'.
pub async fn nudge(
    state: &App,
    actor: &str,
    partners: &[i64],
    ip: &str,
    chosen: &[&str],
) -> anyhow::Result<Nudged> {
    let today = sunset::today();
    let mut done = Nudged::default();
    for eid in chosen {
        let Some(s) = store::stores::find_by_legacy_id(&state.db.pool, eid).await? else {
            done.skipped += 1;
            continue;
        };
        if !s.partner_id.is_some_and(|p| partners.contains(&p)) {
            done.skipped += 1;
            continue;
        }
        let upgrade = store::upgrades::for_store(&state.db.pool, s.id).await?;
        if upgrade.as_ref().is_some_and(|u| u.step == Step::Complete) {
            done.skipped += 1;
            continue;
        }
        let mut tx = state.db.begin().await?;
        let lang = store::users::email_lang(&state.db.pool, &s.admin_email, Some(&s)).await?;
        let email = emails::reminder(state, &s, upgrade.as_ref().map(|u| u.step), lang);
        let key = format!("nudge:{}:{today}", s.id);
        if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &email, Some(s.id)).await? {
            store::audit::record(
                &mut *tx,
                &Record {
                    actor,
                    action: "store.nudged",
                    store_id: Some(s.id),
                    args: &[],
                    ip,
                },
            )
            .await?;
            done.sent += 1;
        } else {
            done.skipped += 1;
        }
        tx.commit().await?;
    }
    state.outbox.wake();
    Ok(done)
}
