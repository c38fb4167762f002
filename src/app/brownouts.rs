//! Announced brownouts: an operator schedules a platform-wide window in which the platform
//! refuses every legacy call of one legacy product (the platform is asked first, then it
//! is recorded and audited), and may cancel it before it starts. The chores tell each
//! affected store's admin, and the managers of their partners, 14, 3 and 1 days ahead;
//! the store's pages and calendar feeds show it. A store whose upgrade is complete and
//! whose legacy store has been quiet for the days readiness asks is not bothered.

use super::{App, emails, paths};
use crate::{
    domain::readiness::QUIET_DAYS,
    platform::client::PlatformError,
    store::{self, audit::Record, brownouts::Brownout, outbox::Lane},
};

/// When the notices go out: days before the start.
pub const POINTS: [i64; 3] = [14, 3, 1];

/// The shortest and longest window, in minutes.
pub const MINUTES: (i64, i64) = (15, 240);

/// Stores told per transaction.
const BATCH: i64 = 200;

/// Why a window was not scheduled or cancelled.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("not a legacy product")]
    Product,
    #[error("not a time to come")]
    Time,
    #[error("not a length")]
    Length,
    #[error("at or after the sunset")]
    AfterSunset,
    #[error("no reason")]
    Reason,
    #[error("started or cancelled")]
    Started,
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

impl Refused {
    /// The message catalogue's key (none for an internal failure).
    pub fn key(&self) -> Option<&'static str> {
        Some(match self {
            Self::Product => "brownouts.error.product",
            Self::Time => "brownouts.error.time",
            Self::Length => "brownouts.error.length",
            Self::AfterSunset => "brownouts.error.sunset",
            Self::Reason => "brownouts.error.reason",
            Self::Started => "brownouts.error.started",
            Self::Platform(_) => "brownouts.error.platform",
            Self::Internal(_) => return None,
        })
    }
}

/// What an operator asks for.
pub struct Wanted<'a> {
    pub product: &'a str,
    pub starts_at: i64,
    pub minutes: i64,
    pub reason: &'a str,
    pub by: &'a str,
    pub ip: &'a str,
}

/// Schedules a window; returns its id.
pub async fn schedule(app: &App, w: &Wanted<'_>) -> Result<i64, Refused> {
    let now = store::now();
    let product = app
        .catalog
        .product(w.product)
        .filter(|p| p.legacy)
        .ok_or(Refused::Product)?;
    if w.starts_at <= now {
        return Err(Refused::Time);
    }
    if !(MINUTES.0..=MINUTES.1).contains(&w.minutes) {
        return Err(Refused::Length);
    }
    let ends_at = w.starts_at + w.minutes * 60;
    if let Some(sunset) = product.sunset_date()
        && ends_at > sunset.midnight().assume_utc().unix_timestamp()
    {
        return Err(Refused::AfterSunset);
    }
    let reason = w.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Refused::Reason);
    }
    // The same request again is the same window at the platform; after a cancellation
    // of this window, a new one.
    let cancelled =
        store::brownouts::cancelled_of_window(&app.db.pool, w.product, (w.starts_at, ends_at))
            .await?;
    let key = format!(
        "brownout:{}:{}:{}:{cancelled}",
        w.product, w.starts_at, w.minutes
    );
    let platform_id = app
        .platform
        .schedule_product_brownout(w.product, w.starts_at, ends_at, &key)
        .await
        .map_err(Refused::Platform)?;
    let mut tx = app.db.begin().await?;
    let id = store::brownouts::insert(
        &mut tx,
        &store::brownouts::NewBrownout {
            product: w.product,
            starts_at: w.starts_at,
            ends_at,
            reason,
            platform_id: &platform_id,
            by: w.by,
            at: now,
        },
    )
    .await?;
    let (start, length) = (crate::domain::rfc3339(w.starts_at), w.minutes.to_string());
    store::audit::record(
        &mut *tx,
        &Record {
            actor: w.by,
            action: "brownout.scheduled",
            store_id: None,
            args: &[
                ("product", w.product),
                ("start", &start),
                ("minutes", &length),
            ],
            ip: w.ip,
        },
    )
    .await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(id)
}

/// Cancels window `id` before it starts: the platform first, then the record.
pub async fn cancel(app: &App, id: i64, by: &str, ip: &str) -> Result<(), Refused> {
    let now = store::now();
    let b = store::brownouts::get(&app.db.pool, id)
        .await?
        .filter(|b| b.cancelled_at.is_none() && b.starts_at > now)
        .ok_or(Refused::Started)?;
    app.platform
        .cancel_product_brownout(&b.product, &b.platform_id)
        .await
        .map_err(Refused::Platform)?;
    let mut tx = app.db.begin().await?;
    if !store::brownouts::cancel(&mut tx, id, by, now).await? {
        return Err(Refused::Started);
    }
    let start = crate::domain::rfc3339(b.starts_at);
    store::audit::record(
        &mut *tx,
        &Record {
            actor: by,
            action: "brownout.cancelled",
            store_id: None,
            args: &[("product", &b.product), ("start", &start)],
            ip,
        },
    )
    .await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(())
}

/// The notice due for window `b` at `now`: the nearest of [`POINTS`] already reached
/// (a window scheduled 2 days ahead gets the 1-day notice only when it comes, and the
/// 3-day one at once).
pub fn due_point(b: &Brownout, now: i64) -> Option<i64> {
    if b.cancelled_at.is_some() || now >= b.starts_at {
        return None;
    }
    POINTS
        .iter()
        .copied()
        .filter(|days| now >= b.starts_at - days * 86_400)
        .min()
}

/// Since when a completed store's legacy store must have been quiet to be left alone.
pub fn quiet_since(now: i64) -> i64 {
    now - QUIET_DAYS * 86_400
}

/// The chores' part: each due notice to each affected store's admin, and once per
/// notice to the managers of their partners; returns how many emails were queued.
pub async fn tell(app: &App, now: i64) -> anyhow::Result<usize> {
    let mut queued = 0;
    for b in store::brownouts::coming(&app.db.pool, now).await? {
        let Some(point) = due_point(&b, now) else {
            continue;
        };
        let (mut from, done) = store::brownouts::notice(&app.db.pool, b.id, point).await?;
        if done {
            continue;
        }
        loop {
            let ids = store::brownouts::affected_after(
                &app.db.pool,
                &b.product,
                (from, BATCH),
                quiet_since(now),
            )
            .await?;
            let last = ids.last().copied().unwrap_or(from);
            let finished = (ids.len() < BATCH as usize).then_some(now);
            let mut tx = app.db.begin().await?;
            for id in &ids {
                queued += usize::from(tell_store(app, &mut tx, &b, (point, now), *id).await?);
            }
            // The managers hear once a notice, of all their stores it bothers.
            if from == 0 {
                for (manager, stores) in
                    store::brownouts::managers_of(&mut *tx, &b.product, quiet_since(now)).await?
                {
                    queued += usize::from(
                        tell_manager(app, &mut tx, &b, (point, now), (&manager, stores)).await?,
                    );
                }
            }
            if !store::brownouts::told(&mut tx, (b.id, point), (from, last), finished).await? {
                break;
            }
            tx.commit().await?;
            if finished.is_some() {
                break;
            }
            from = last;
        }
    }
    if queued > 0 {
        app.outbox.wake();
    }
    Ok(queued)
}

/// Whole days until `b` starts, a part day counted as one ("in 2 days").
fn days_left(b: &Brownout, now: i64) -> i64 {
    ((b.starts_at - now + 86_399) / 86_400).max(1)
}

async fn tell_store(
    app: &App,
    tx: &mut store::Tx,
    b: &Brownout,
    (point, now): (i64, i64),
    store_id: i64,
) -> anyhow::Result<bool> {
    let Some(s) = store::stores::find_by_id(&mut **tx, store_id).await? else {
        return Ok(false);
    };
    let tr = emails::lang_of(&mut **tx, &s.admin_email, Some(&s)).await?;
    let zone = emails::zone_of(&mut **tx, &s.admin_email).await?;
    let link = format!(
        "{}{}",
        app.config.base_url,
        paths::store(&s.legacy_store_id).overview()
    );
    let email = emails::brownout(
        (&tr, &zone),
        &s.admin_email,
        (&s.name, &s.legacy_store_id),
        b,
        days_left(b, now),
        &link,
    );
    let key = format!("brownout:{}:{point}:{store_id}", b.id);
    Ok(store::outbox::enqueue(tx, Lane::Bulk, &key, &email, Some(store_id)).await?)
}

async fn tell_manager(
    app: &App,
    tx: &mut store::Tx,
    b: &Brownout,
    (point, now): (i64, i64),
    (manager, stores): (&str, i64),
) -> anyhow::Result<bool> {
    let tr = emails::lang_of(&mut **tx, manager, None).await?;
    let zone = emails::zone_of(&mut **tx, manager).await?;
    let link = format!("{}{}", app.config.base_url, paths::partner::CALENDAR);
    let product = app.catalog.product_name(&b.product);
    let reader = (&tr, &zone);
    let email = emails::brownout_partner(
        reader,
        manager,
        (b, product),
        days_left(b, now),
        stores,
        &link,
    );
    let key = format!("brownout:{}:{point}:pm:{manager}", b.id);
    Ok(store::outbox::enqueue(tx, Lane::Bulk, &key, &email, None).await?)
}

/// The brownout within the first notice's days that bothers store `s`: (start, end).
pub async fn coming_for(
    conn: &mut sqlx::AnyConnection,
    s: &store::stores::Store,
    now: i64,
) -> sqlx::Result<Option<(i64, i64)>> {
    let horizon = now + POINTS[0] * 86_400;
    let Some(b) = store::brownouts::next_of(&mut *conn, &s.product, now, horizon).await? else {
        return Ok(None);
    };
    let bothered = store::brownouts::affects(&mut *conn, s.id, quiet_since(now)).await?;
    Ok(bothered.then_some((b.starts_at, b.ends_at)))
}
