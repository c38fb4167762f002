//! Platform events (orders, cancellations, API errors), idempotent by event id.

use sqlx::{Any, Executor, FromRow};

use super::{is_unique_violation, now};
use crate::domain::{
    platform_event::{EventKind, PlatformEvent, Subject},
    upgrade::{Step, Upgrade},
};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OrderEvent {
    pub id: i64,
    pub event_id: String,
    pub kind: String,
    pub merchant_id: Option<String>,
    pub legacy_store_id: Option<String>,
    pub order_id: String,
    pub environment: String,
    pub amount: i64,
    pub currency: String,
    pub received_at: i64,
    pub store_id: Option<i64>,
    pub created_at: Option<i64>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub correlation_id: Option<String>,
}

const COLUMNS: &str = "id, event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, currency, received_at, \
                       store_id, created_at, user_agent, error_code, correlation_id";

/// A store's upgrade as recording an order found it: what weighing the order needs.
#[derive(Debug, Clone, PartialEq)]
pub struct UpgradeState {
    pub id: i64,
    pub step: Step,
    pub merchant_id: Option<String>,
    pub legacy_warned_at: Option<i64>,
}

impl From<Upgrade> for UpgradeState {
    fn from(u: Upgrade) -> Self {
        UpgradeState {
            id: u.id,
            step: u.step,
            merchant_id: u.merchant_id,
            legacy_warned_at: u.legacy_warned_at,
        }
    }
}

/// A newly recorded event: its store, if known, and for an order that store's upgrade, if
/// started.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub store_id: Option<i64>,
    pub upgrade: Option<UpgradeState>,
}

#[derive(FromRow)]
struct RecordedRow {
    store_id: Option<i64>,
    #[sqlx(default)]
    upgrade_id: Option<i64>,
    #[sqlx(default)]
    upgrade_step: Option<Step>,
    #[sqlx(default)]
    upgrade_merchant_id: Option<String>,
    #[sqlx(default)]
    upgrade_legacy_warned_at: Option<i64>,
}

/// The insert of any event, finding its store (an ID of the legacy store, or a merchant
/// ID of its upgrade) and returning it; `ON CONFLICT` keeps a replay from aborting a
/// surrounding PostgreSQL transaction. Further `RETURNING` columns may follow.
macro_rules! insert_event {
    ($($returning:literal),*) => {
        concat!(
            "INSERT INTO order_events (event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, \
             currency, received_at, store_id, created_at, user_agent, error_code, correlation_id, fingerprint, \
             service, endpoint, status, country) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             COALESCE((SELECT id FROM stores WHERE legacy_store_id = $4), \
                      (SELECT store_id FROM upgrades WHERE merchant_id = $3 OR test_merchant_id = $3 LIMIT 1)), \
             $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (event_id) DO NOTHING RETURNING store_id"
            $(, $returning)*
        )
    };
}

const INSERT_FACT: &str = insert_event!();

/// An order also brings back its store's upgrade, read by the same statement.
const INSERT_ORDER: &str = insert_event!(
    ", (SELECT u.id FROM upgrades u WHERE u.store_id = order_events.store_id) AS upgrade_id",
    ", (SELECT u.step FROM upgrades u WHERE u.store_id = order_events.store_id) AS upgrade_step",
    ", (SELECT u.merchant_id FROM upgrades u WHERE u.store_id = order_events.store_id) AS upgrade_merchant_id",
    ", (SELECT u.legacy_warned_at FROM upgrades u WHERE u.store_id = order_events.store_id) \
     AS upgrade_legacy_warned_at"
);

/// Records an event, finding its store in the same statement, and for an order that
/// store's upgrade too, so it is weighed without another round trip. `None`: this event
/// id was recorded before (a replay, or a different body under a known id: see
/// [`recorded_before`]).
///
/// On the pool, `Ok` means committed: the statement is autocommitted and read to its
/// end. With `RETURNING`, the row comes back before the commit, and a reader that stops
/// at the first row (`fetch_optional`) never sees a commit that failed (a full disk on
/// SQLite), so the caller would acknowledge an event that was never stored. In a
/// transaction (`gather`: events that arrive together), the commit decides.
///
/// On PostgreSQL the insert also announces the event to the store's watchers, by trigger
/// (migration 0013), when its transaction commits.
pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    e: &PlatformEvent,
) -> sqlx::Result<Option<Recorded>> {
    let (merchant_id, legacy_store_id) = match &e.subject {
        Subject::Merchant(mid) => (Some(mid.as_str()), None),
        Subject::Legacy(eid) => (None, Some(eid.as_str())),
    };
    // Only an order is weighed against the upgrade; other events skip its reads.
    let sql = match e.kind {
        EventKind::OrderCreated => INSERT_ORDER,
        EventKind::OrderCancelled | EventKind::ApiError | EventKind::ApiCall => INSERT_FACT,
    };
    let res = sqlx::query_as::<_, RecordedRow>(sql)
        .bind(&e.id)
        .bind(e.kind.as_str())
        .bind(merchant_id)
        .bind(legacy_store_id)
        .bind(&e.order_id)
        .bind(e.environment.as_str())
        .bind(e.amount)
        .bind(&e.currency)
        .bind(now())
        .bind(e.created_at)
        .bind(&e.user_agent)
        .bind(&e.error_code)
        .bind(&e.correlation_id)
        .bind(e.fingerprint())
        .bind(e.call.as_ref().map(|c| c.service.as_str()))
        .bind(e.call.as_ref().map(|c| c.endpoint.as_str()))
        .bind(e.call.as_ref().map(|c| i64::from(c.status)))
        .bind(&e.country)
        .fetch_all(ex)
        .await;
    match res {
        Ok(rows) => Ok(rows.into_iter().next().map(|r| Recorded {
            store_id: r.store_id,
            // The step column is NOT NULL: it is there whenever the upgrade is.
            upgrade: r
                .upgrade_id
                .zip(r.upgrade_step)
                .map(|(id, step)| UpgradeState {
                    id,
                    step,
                    merchant_id: r.upgrade_merchant_id,
                    legacy_warned_at: r.upgrade_legacy_warned_at,
                }),
        })),
        Err(err) if is_unique_violation(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

/// An event id recorded before: its store, if it has one, and what it said.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Earlier {
    pub store_id: Option<i64>,
    /// `None` for events recorded before fingerprints were kept.
    pub fingerprint: Option<String>,
}

impl Earlier {
    /// Whether `e` says what the recorded event said (a true replay).
    pub fn is_replay_of(&self, e: &PlatformEvent) -> bool {
        self.fingerprint
            .as_ref()
            .is_none_or(|f| *f == e.fingerprint())
    }
}

/// The event recorded under `event_id`, if any.
pub async fn recorded_before<'c>(
    ex: impl Executor<'c, Database = Any>,
    event_id: &str,
) -> sqlx::Result<Option<Earlier>> {
    sqlx::query_as("SELECT store_id, fingerprint FROM order_events WHERE event_id = $1")
        .bind(event_id)
        .fetch_optional(ex)
        .await
}

/// Orders created on `mid` at or after `since`, newest first.
pub async fn orders_on_merchant<'c>(
    ex: impl Executor<'c, Database = Any>,
    mid: &str,
    since: i64,
) -> sqlx::Result<Vec<OrderEvent>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM order_events WHERE merchant_id = $1 AND kind = 'order.created' AND received_at >= $2 ORDER BY id DESC"
    ))
    .bind(mid)
    .bind(since)
    .fetch_all(ex)
    .await
}

/// Whether any event about `order_id` was recorded already.
pub async fn knows_order<'c>(
    ex: impl Executor<'c, Database = Any>,
    order_id: &str,
) -> sqlx::Result<bool> {
    // A call may name an order the platform has not reported (yet): it is no order event.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM order_events WHERE order_id = $1 AND kind <> 'api.call'",
    )
    .bind(order_id)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// When the newest known order on `mid` was created at the platform.
pub async fn newest_order_at<'c>(
    ex: impl Executor<'c, Database = Any>,
    mid: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT MAX(created_at) FROM order_events WHERE merchant_id = $1 AND kind = 'order.created'",
    )
    .bind(mid)
    .fetch_one(ex)
    .await
}

/// Every event of the store received at or after `since`, newest first, but calls that
/// succeeded (they are summed in the traffic table): its API log.
pub async fn for_store_since<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    since: i64,
) -> sqlx::Result<Vec<OrderEvent>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM order_events WHERE store_id = $1 AND received_at >= $2 \
         AND NOT (kind = 'api.call' AND status < 400) ORDER BY id DESC LIMIT 200"
    ))
    .bind(store_id)
    .bind(since)
    .fetch_all(ex)
    .await
}

/// The error code of the store's latest `api.error`, to prefill the request form.
pub async fn latest_error_code<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT error_code FROM order_events WHERE store_id = $1 AND kind = 'api.error' AND error_code IS NOT NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(store_id)
    .fetch_optional(ex)
    .await
}
