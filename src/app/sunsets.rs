//! The legacy products' sunset dates. The catalog or the configuration seeds them; an
//! operator changes them (on `/staff/sunsets` or with `switchyard sunset set`), and a start
//! with another configured date counts as a change too. Each date is kept with who set
//! it, when and why (`store::sunsets`), applied to this instance's catalog (and the other
//! instances' at their next chores), and each change is told once to every store of the
//! product: an email to its admin and a webhook to its partner, while its pages say so
//! for a month.

use serde_json::json;
use time::Date;

use super::{App, emails, paths};
use crate::{
    domain::{
        catalog::{Catalog, EffectiveSunset},
        parse_date, rfc3339,
        text::{self, Lines},
    },
    store::{
        self, Db,
        outbox::Lane,
        sunsets::{NewDate, SunsetChange},
    },
};

/// How long a store's pages say its sunset moved.
pub const SHOWN_DAYS: i64 = 30;

/// The longest reason an operator gives.
pub const MAX_REASON: usize = 500;

/// Stores told per transaction.
const BATCH: i64 = 200;

/// The public page listing every date and change.
pub const CHANGELOG: &str = "/sunsets";

/// Why a date cannot be set.
#[derive(Debug, thiserror::Error)]
pub enum SunsetError {
    #[error("not a legacy product")]
    NotLegacy,
    #[error("not a date")]
    BadDate,
    #[error("not after today")]
    NotFuture,
    #[error("the date it has")]
    Unchanged,
    #[error("no reason")]
    NoReason,
    #[error("the reason: {0:?}")]
    BadReason(text::TextProblem),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SunsetError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.into())
    }
}

impl SunsetError {
    /// The message catalogue's key for it (none for a database failure).
    pub fn key(&self) -> Option<&'static str> {
        Some(match self {
            Self::NotLegacy => "sunsets.error.product",
            Self::BadDate => "sunsets.error.date",
            Self::NotFuture => "sunsets.error.past",
            Self::Unchanged => "sunsets.error.same",
            Self::NoReason => "sunsets.error.reason",
            Self::BadReason(_) => "sunsets.error.reason_text",
            Self::Db(_) => return None,
        })
    }
}

/// At start: the configured dates (the catalog's, or `SWITCHYARD_SUNSET`) seed each
/// product's first date, and one that differs from what the configuration said last is
/// recorded as a change; then the effective dates are applied to `catalog`.
pub async fn seed(db: &Db, catalog: &Catalog, now: i64) -> anyhow::Result<()> {
    for product in catalog.products.iter().filter(|p| p.legacy) {
        let Some(configured) = product.seeded_sunset() else {
            continue;
        };
        let configured = configured.to_string();
        let mut tx = db.begin().await?;
        if store::sunsets::configured(&mut tx, &product.code, &configured).await? {
            let old = store::sunsets::date_of(&mut tx, &product.code).await?;
            if old.as_deref() != Some(configured.as_str()) {
                let change = NewDate {
                    product: &product.code,
                    old_date: old.as_deref(),
                    new_date: &configured,
                    reason: "",
                    changed_by: "configuration",
                    at: now,
                };
                store::sunsets::record(&mut tx, &change).await?;
                if old.is_some() {
                    tracing::info!(product = %product.code, date = %configured, "the configured sunset changed");
                }
            }
        }
        tx.commit().await?;
    }
    refresh(db, catalog).await?;
    Ok(())
}

/// Applies the database's effective dates to `catalog`.
pub async fn refresh(db: &Db, catalog: &Catalog) -> sqlx::Result<()> {
    for row in store::sunsets::current(&db.pool).await? {
        let (Some(product), Some(date)) =
            (catalog.product(&row.product), parse_date(&row.new_date))
        else {
            continue;
        };
        let previous = row
            .old_date
            .as_deref()
            .and_then(parse_date)
            .map(|old| (old, row.changed_at));
        product.effective.set(EffectiveSunset { date, previous });
    }
    Ok(())
}

/// What an operator asks for.
pub struct Wanted<'a> {
    pub product: &'a str,
    pub date: &'a str,
    pub reason: &'a str,
    /// The operator's email, or `cli`.
    pub by: &'a str,
    pub ip: &'a str,
}

/// Sets product `w.product`'s sunset to `w.date`, audited, and applies it here; the
/// chores tell its stores. Returns the change's id.
pub async fn change(
    db: &Db,
    catalog: &Catalog,
    w: &Wanted<'_>,
    now: i64,
) -> Result<i64, SunsetError> {
    if !catalog.product(w.product).is_some_and(|p| p.legacy) {
        return Err(SunsetError::NotLegacy);
    }
    let date = parse_date(w.date).ok_or(SunsetError::BadDate)?;
    if date <= crate::domain::sunset::today() {
        return Err(SunsetError::NotFuture);
    }
    let reason = w.reason.trim();
    if reason.is_empty() {
        return Err(SunsetError::NoReason);
    }
    text::check(reason, Lines::Many, MAX_REASON).map_err(SunsetError::BadReason)?;
    let new_date = date.to_string();
    let mut tx = db.begin().await?;
    let old = store::sunsets::date_of(&mut tx, w.product).await?;
    if old.as_deref() == Some(new_date.as_str()) {
        return Err(SunsetError::Unchanged);
    }
    let id = store::sunsets::record(
        &mut tx,
        &NewDate {
            product: w.product,
            old_date: old.as_deref(),
            new_date: &new_date,
            reason,
            changed_by: w.by,
            at: now,
        },
    )
    .await?;
    let old = old.unwrap_or_default();
    let args = [
        ("product", w.product),
        ("old", old.as_str()),
        ("new", new_date.as_str()),
        ("reason", reason),
    ];
    store::audit::record(
        &mut *tx,
        &store::audit::Record {
            actor: w.by,
            action: "sunset.changed",
            store_id: None,
            args: &args,
            ip: w.ip,
        },
    )
    .await?;
    tx.commit().await?;
    refresh(db, catalog).await?;
    Ok(id)
}

/// Tells the stores of each changed product, a batch per transaction; returns how many
/// were told. Safe on every instance at once: a batch is claimed by moving the change's
/// progress from where it was read.
pub async fn tell_stores(app: &App, now: i64) -> anyhow::Result<usize> {
    let mut told = 0;
    for change in store::sunsets::untold(&app.db.pool).await? {
        let mut from = change.told_through;
        loop {
            let ids =
                store::sunsets::stores_after(&app.db.pool, &change.product, from, BATCH).await?;
            let last = ids.last().copied().unwrap_or(from);
            let done = (ids.len() < BATCH as usize).then_some(now);
            let mut tx = app.db.begin().await?;
            for id in &ids {
                tell(app, &mut tx, &change, *id, now).await?;
            }
            if !store::sunsets::told(&mut tx, change.id, (from, last), done).await? {
                // Another instance took this batch.
                break;
            }
            tx.commit().await?;
            app.outbox.wake();
            told += ids.len();
            if done.is_some() {
                break;
            }
            from = last;
        }
    }
    Ok(told)
}

async fn tell(
    app: &App,
    tx: &mut store::Tx,
    change: &SunsetChange,
    store_id: i64,
    now: i64,
) -> anyhow::Result<()> {
    let Some(s) = store::stores::find_by_id(&mut **tx, store_id).await? else {
        return Ok(());
    };
    let (Some(old), Some(new)) = (
        change.old_date.as_deref().and_then(parse_date),
        parse_date(&change.new_date),
    ) else {
        return Ok(());
    };
    // A store with its own, later date closes on the later of the two: a move that does
    // not change that is nothing to tell it.
    let (old, new) = (
        crate::domain::sunset::of_store(old, s.extended_sunset),
        crate::domain::sunset::of_store(new, s.extended_sunset),
    );
    if old == new {
        return Ok(());
    }
    let tr = emails::lang_of(&mut **tx, &s.admin_email, Some(&s)).await?;
    let base = &app.config.base_url;
    let email = emails::sunset_changed(
        &tr,
        &s,
        (old, new),
        &change.reason,
        (
            &format!("{base}{}", paths::store(&s.legacy_store_id).overview()),
            &format!("{base}{CHANGELOG}"),
        ),
    );
    let key = format!("sunset-changed:{}:{store_id}", change.id);
    store::outbox::enqueue(tx, Lane::Transactional, &key, &email, Some(store_id)).await?;
    let data = json!({
        "legacy_store_id": s.legacy_store_id,
        "store_name": s.name,
        "product": change.product,
        "old_sunset": old.to_string(),
        "new_sunset": new.to_string(),
        "reason": change.reason,
        "changed_at": rfc3339(change.changed_at),
    });
    let event_id = format!("evt_sunset_{}_{store_id}", change.id);
    store::webhooks::enqueue(tx, store_id, &event_id, "store.sunset_changed", now, &data).await?;
    Ok(())
}

/// The day store `s` closed on before its product's sunset moved, if that moved in the
/// last [`SHOWN_DAYS`] days and the move changed the store's day (a store's own, later
/// date may not have changed): the store's pages say so.
pub fn moved_from(catalog: &Catalog, s: &store::stores::Store, now: i64) -> Option<Date> {
    let (old, at) = catalog.product(&s.product)?.sunset_changed()?;
    let old = crate::domain::sunset::of_store(old, s.extended_sunset);
    (now - at < SHOWN_DAYS * 86_400 && Some(old) != s.sunset(catalog)).then_some(old)
}
