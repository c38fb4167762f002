//! What the chores tell of a store's traffic. Partners hear when a store's legacy ID
//! stops being called and when it is called again: `store.legacy_traffic_stopped` once no
//! call has come for the days that count as lately, `store.legacy_traffic_resumed` when
//! one comes after that. An admin hears once when live orders still arrive on the legacy
//! store a week after the upgrade, from which countries and what software. Each is queued
//! in the transaction that records it was told, so it goes out once whichever instance
//! looks first.

use serde_json::json;

use super::{App, emails};
use crate::{
    domain::{
        cutover::{self, Meter},
        rfc3339,
        traffic::{self, LegacyNews},
    },
    store::{self, Db, outbox::Lane},
};

/// Stores looked at per query: a chore's turn stays short however many changed at once.
const BATCH: i64 = 500;

/// Tells the partners' webhooks each store's news at `now`; returns how many stores had
/// some.
pub async fn tell_partners(db: &Db, now: i64) -> anyhow::Result<usize> {
    let cutoff = traffic::recent_since(now);
    let mut told = 0;
    loop {
        let news = store::traffic::legacy_news(db, cutoff, BATCH).await?;
        let listed = news.len();
        for (store_id, news) in news {
            if tell(db, store_id, news, cutoff, now).await? {
                told += 1;
            }
        }
        if listed < BATCH as usize {
            return Ok(told);
        }
    }
}

async fn tell(
    db: &Db,
    store_id: i64,
    news: LegacyNews,
    cutoff: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let Some(last_used) = store::traffic::tell(&mut tx, store_id, news, cutoff).await? else {
        return Ok(false);
    };
    let Some(store) = store::stores::find_by_id(&mut *tx, store_id).await? else {
        return Ok(false);
    };
    let merchant_id = store::upgrades::for_store(&mut *tx, store_id)
        .await?
        .and_then(|u| u.merchant_id);
    let uses = store::traffic::of_store(&mut *tx, store_id, now).await?;
    // What called the legacy ID, service by service: for "resumed", what to chase.
    let services: Vec<_> = uses
        .iter()
        .filter(|u| u.is_legacy())
        .map(|u| {
            json!({
                "service": u.service.as_str(),
                "last_used": rfc3339(u.last_at),
                "calls_last_7_days": u.recent,
                "user_agent": u.user_agent,
            })
        })
        .collect();
    let data = json!({
        "legacy_store_id": store.legacy_store_id,
        "store_name": store.name,
        "merchant_id": merchant_id,
        "legacy_last_used": rfc3339(last_used),
        "services": services,
    });
    // One event per change: the same news about the same last call is the same event.
    let event_id = format!("evt_legacy_{store_id}_{}_{last_used}", news.as_str());
    store::webhooks::enqueue(&mut tx, store_id, &event_id, news.event_type(), now, &data).await?;
    tx.commit().await?;
    Ok(true)
}

/// Tells each admin whose store still takes live orders on the legacy ID a week after the
/// upgrade, once; returns how many were told. Only stores whose last legacy order came in
/// the last week are looked at: one older than that was looked at when it came.
pub async fn alert_legacy_orders(app: &App, now: i64) -> anyhow::Result<usize> {
    let since = now - cutover::GRACE_DAYS * 86_400;
    let mut told = 0;
    loop {
        let stores = store::traffic::legacy_orders_untold(&app.db, since, BATCH).await?;
        let listed = stores.len();
        for store_id in stores {
            if alert_once(app, store_id, now).await? {
                told += 1;
            }
        }
        if listed < BATCH as usize {
            return Ok(told);
        }
    }
}

async fn alert_once(app: &App, store_id: i64, now: i64) -> anyhow::Result<bool> {
    let mut tx = app.db.begin().await?;
    let Some(store) = store::stores::find_by_id(&mut *tx, store_id).await? else {
        return Ok(false);
    };
    if !store::traffic::mark_legacy_orders_told(&mut tx, store_id, now).await? {
        return Ok(false);
    }
    let today = now.div_euclid(86_400);
    let counts = store::traffic::orders(&mut *tx, store_id, today - cutover::GRACE_DAYS).await?;
    let meter = Meter::of(&counts, today - cutover::GRACE_DAYS + 1, today, today);
    let uses = store::traffic::of_store(&mut *tx, store_id, now).await?;
    let tr = emails::lang_of(&mut *tx, &store.admin_email, Some(&store)).await?;
    let countries: Vec<String> = meter
        .legacy_countries()
        .map(|c| {
            let name = if c.country.is_empty() {
                tr.t("cutover.country_unknown")
            } else {
                tr.country(&c.country)
            };
            format!("{name}: {}", c.legacy_recent)
        })
        .collect();
    let agents: Vec<&str> = uses
        .iter()
        .filter(|u| u.is_legacy() && u.recent > 0)
        .filter_map(|u| u.user_agent.as_deref())
        .collect();
    let link = format!(
        "{}{}",
        app.config.base_url,
        super::paths::store(&store.legacy_store_id).overview()
    );
    let email = emails::legacy_orders_after_upgrade(&tr, &store, &countries, &agents, &link);
    let key = format!("legacy-orders-after-upgrade:{store_id}");
    store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(store_id)).await?;
    tx.commit().await?;
    Ok(true)
}

/// A store's cutover meter as its pages show it.
pub struct StoreMeter {
    pub meter: Meter,
    /// Legacy orders arrived in the last week although the upgrade completed more than a
    /// week ago.
    pub late_legacy: bool,
}

/// The meter of store `store_id` from its upgrade's start (none before one) to `sunset`,
/// or today if that is later.
pub async fn meter_of(
    db: &Db,
    store_id: i64,
    upgrade: Option<&crate::domain::Upgrade>,
    sunset: Option<time::Date>,
    now: i64,
) -> sqlx::Result<Option<StoreMeter>> {
    let Some(upgrade) = upgrade else {
        return Ok(None);
    };
    let (from, today) = (
        upgrade.created_at.div_euclid(86_400),
        now.div_euclid(86_400),
    );
    let to = sunset.map_or(today, unix_day);
    let counts = store::traffic::orders(&db.pool, store_id, from).await?;
    let meter = Meter::of(&counts, from, to, today);
    let late_legacy = upgrade
        .completed_at
        .is_some_and(|done| done + cutover::GRACE_DAYS * 86_400 <= now)
        && meter.legacy_countries().next().is_some();
    Ok(Some(StoreMeter { meter, late_legacy }))
}

/// The meter summed over the stores of partners `partner_ids`, from their first live
/// order to the latest sunset of `catalog` or of their stores' extensions (or today);
/// `None` before any order.
pub async fn partner_meter(
    db: &Db,
    catalog: &crate::domain::Catalog,
    partner_ids: &[i64],
    now: i64,
) -> sqlx::Result<Option<Meter>> {
    let counts = store::traffic::partner_orders(&db.pool, partner_ids).await?;
    let Some(from) = counts.iter().map(|c| c.day).min() else {
        return Ok(None);
    };
    let today = now.div_euclid(86_400);
    let products = catalog
        .products
        .iter()
        .filter(|p| p.legacy)
        .filter_map(|p| p.sunset_date())
        .max();
    // A store given a later sunset of its own keeps the meter running to it.
    let own = store::extensions::latest(&db.pool, partner_ids)
        .await?
        .and_then(crate::domain::sunset::day_of);
    let to = products.max(own).map_or(today, unix_day);
    Ok(Some(Meter::of(&counts, from, to, today)))
}

/// The Unix day of `date` (the Julian day of 1970-01-01 is 2,440,588).
fn unix_day(date: time::Date) -> i64 {
    i64::from(date.to_julian_day()) - 2_440_588
}
