//! Switch-off rehearsals: scheduling one (the platform is asked first, then it is
//! recorded and audited), cancelling it before it starts (by the admin or support), and
//! the chores: reminders before the start, the report after the end.

use super::{App, emails, paths};
use crate::{
    domain::rehearsal::{self, Refusal},
    platform::client::PlatformError,
    store::{self, audit::Record, outbox::Lane, rehearsals::Rehearsal, stores::Store},
};

/// Why scheduling or cancelling did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{0:?}")]
    Rule(Refusal),
    /// The platform could not be asked, or said no; nothing was recorded.
    #[error(transparent)]
    Platform(PlatformError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        Refused::Internal(e.into())
    }
}

/// Who acts, and from where (for the audit log).
pub struct Actor<'a> {
    pub email: &'a str,
    pub ip: &'a str,
}

/// Schedules a rehearsal of `minutes` from `starts_at` for `store`, whose legacy store
/// closes on `sunset`; returns its id.
pub async fn schedule(
    app: &App,
    store: &Store,
    sunset: Option<time::Date>,
    starts_at: i64,
    minutes: i64,
    by: Actor<'_>,
) -> Result<i64, Refused> {
    let now = store::now();
    let sunset_at = sunset.map(|d| d.midnight().assume_utc().unix_timestamp());
    rehearsal::check(starts_at, minutes, now, sunset_at).map_err(Refused::Rule)?;
    if store::rehearsals::has_upcoming(&app.db.pool, store.id, now).await? {
        return Err(Refused::Rule(Refusal::AlreadyScheduled));
    }
    let ends_at = starts_at + minutes * 60;
    // The same request again is the same window at the platform; after a cancellation
    // of this window, a new one.
    let cancelled =
        store::rehearsals::cancelled_of_window(&app.db.pool, store.id, (starts_at, ends_at))
            .await?;
    let key = format!("rehearsal:{}:{starts_at}:{minutes}:{cancelled}", store.id);
    let brownout = app
        .platform
        .schedule_brownout(&store.legacy_store_id, starts_at, ends_at, &key)
        .await
        .map_err(Refused::Platform)?;
    let window = (starts_at, ends_at);
    let recorded = record(app, store, window, &brownout, &by, now).await;
    if recorded.is_err() {
        withdraw(app, store, window, &brownout).await;
    }
    recorded
}

/// Records the rehearsal of the platform's window `brownout` and audits it; refused if
/// another was recorded since the first check (two tabs at once).
async fn record(
    app: &App,
    store: &Store,
    (starts_at, ends_at): (i64, i64),
    brownout: &str,
    by: &Actor<'_>,
    now: i64,
) -> Result<i64, Refused> {
    let mut tx = app.db.begin().await?;
    store::rehearsals::lock_store(&mut tx, store.id, app.db.backend).await?;
    // Checked again under the lock: two tabs cannot both schedule one.
    if store::rehearsals::has_upcoming(&mut *tx, store.id, now).await? {
        return Err(Refused::Rule(Refusal::AlreadyScheduled));
    }
    let id = store::rehearsals::insert(
        &mut tx,
        &store::rehearsals::New {
            store_id: store.id,
            starts_at,
            ends_at,
            brownout_id: brownout,
            scheduled_by: by.email,
            at: now,
        },
    )
    .await?;
    let start = crate::domain::rfc3339(starts_at);
    let length = ((ends_at - starts_at) / 60).to_string();
    store::audit::record(
        &mut *tx,
        &Record {
            actor: by.email,
            action: "rehearsal.scheduled",
            store_id: Some(store.id),
            args: &[("start", &start), ("minutes", &length)],
            ip: by.ip,
        },
    )
    .await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(id)
}

/// A window booked at the platform but not recorded here would switch the store off
/// unannounced: it is cancelled, unless a recorded rehearsal holds it (the same window
/// sent twice shares one). The withdrawal is kept first, so the same window asked for
/// again gets a new key, not the cancelled window. When the database cannot say or keep
/// that, the window is left booked (a retry then records it), and logged.
async fn withdraw(app: &App, store: &Store, window: (i64, i64), brownout: &str) {
    let eid = store.legacy_store_id.as_str();
    let pool = &app.db.pool;
    let kept = match store::rehearsals::holds_brownout(pool, brownout).await {
        Ok(true) => return,
        Ok(false) => store::rehearsals::record_withdrawal(pool, store.id, window, brownout).await,
        Err(e) => Err(e),
    };
    if let Err(e) = kept {
        tracing::error!(error = ?e, store = eid, brownout, "a switch-off window booked at the platform may not be recorded: check it and cancel it by hand");
        return;
    }
    if let Err(e) = app.platform.cancel_brownout(eid, brownout).await {
        tracing::error!(error = %e, store = eid, brownout, "a switch-off window booked at the platform is not recorded and could not be cancelled: cancel it by hand");
    }
}

/// Cancels rehearsal `r` of `store` before it starts: the platform first, then the
/// record.
pub async fn cancel(app: &App, store: &Store, r: &Rehearsal, by: Actor<'_>) -> Result<(), Refused> {
    let now = store::now();
    if r.state(now) != rehearsal::State::Scheduled {
        return Err(Refused::Rule(Refusal::Started));
    }
    app.platform
        .cancel_brownout(&store.legacy_store_id, &r.brownout_id)
        .await
        .map_err(Refused::Platform)?;
    let mut tx = app.db.begin().await?;
    if !store::rehearsals::cancel(&mut tx, r.id, by.email, now).await? {
        return Err(Refused::Rule(Refusal::Started));
    }
    let start = crate::domain::rfc3339(r.starts_at);
    store::audit::record(
        &mut *tx,
        &Record {
            actor: by.email,
            action: "rehearsal.cancelled",
            store_id: Some(store.id),
            args: &[("start", &start)],
            ip: by.ip,
        },
    )
    .await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(())
}

/// The chores' part: reminders due before a start, reports due after an end. Returns
/// how many emails were queued.
pub async fn chores(app: &App, now: i64) -> anyhow::Result<usize> {
    let mut queued = 0;
    let ahead = rehearsal::REMINDERS
        .iter()
        .map(|(s, _)| *s)
        .max()
        .unwrap_or(0);
    for r in store::rehearsals::open_before(&app.db.pool, now + ahead).await? {
        let Some(s) = store::stores::find_by_id(&app.db.pool, r.store_id).await? else {
            continue;
        };
        if r.ends_at <= now {
            if report(app, &s, &r, now).await? {
                queued += 1;
            }
            continue;
        }
        for point in rehearsal::reminders_due(r.starts_at, r.scheduled_at, now) {
            let mut tx = app.db.begin().await?;
            let tr = emails::lang_of(&mut *tx, &s.admin_email, Some(&s)).await?;
            let when = emails::time_for(&mut *tx, &s.admin_email, tr, r.starts_at).await?;
            let email =
                emails::rehearsal_reminder(tr, &s, &when, r.minutes(), &link(app, &s, r.id));
            let key = format!("rehearsal:{}:{point}", r.id);
            if store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(s.id))
                .await?
            {
                queued += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(queued)
}

/// Writes the report of ended rehearsal `r`, audits it and emails the admin, once.
async fn report(app: &App, s: &Store, r: &Rehearsal, now: i64) -> anyhow::Result<bool> {
    let mut tx = app.db.begin().await?;
    let Some(refused) = store::rehearsals::report(&mut tx, r, now).await? else {
        return Ok(false);
    };
    let (start, count) = (crate::domain::rfc3339(r.starts_at), refused.to_string());
    store::audit::record(
        &mut *tx,
        &Record {
            actor: "platform",
            action: "rehearsal.reported",
            store_id: Some(s.id),
            args: &[("start", &start), ("refused", &count)],
            ip: "",
        },
    )
    .await?;
    let tr = emails::lang_of(&mut *tx, &s.admin_email, Some(s)).await?;
    let email = emails::rehearsal_report(tr, s, refused, &link(app, s, r.id));
    let key = format!("rehearsal:{}:report", r.id);
    store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(s.id)).await?;
    tx.commit().await?;
    Ok(true)
}

fn link(app: &App, s: &Store, id: i64) -> String {
    format!(
        "{}{}",
        app.config.base_url,
        paths::store(&s.legacy_store_id).rehearsal(id)
    )
}
