//! Platform events (orders, cancellations, API errors), idempotent by event id.

mod reads;

pub use reads::{
    Earlier, for_store_since, knows_order, latest_error_code, newest_order_at, orders_on_merchant,
    recorded_before,
};

use std::{collections::HashMap, sync::LazyLock};

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
    /// An `api.call`'s service, endpoint and HTTP status.
    pub service: Option<String>,
    pub endpoint: Option<String>,
    pub status: Option<i64>,
}

const COLUMNS: &str = "id, event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, currency, received_at, \
                       store_id, created_at, user_agent, error_code, correlation_id, service, endpoint, status";

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

impl RecordedRow {
    fn recorded(self) -> Recorded {
        Recorded {
            store_id: self.store_id,
            // The step column is NOT NULL: it is there whenever the upgrade is.
            upgrade: self
                .upgrade_id
                .zip(self.upgrade_step)
                .map(|(id, step)| UpgradeState {
                    id,
                    step,
                    merchant_id: self.upgrade_merchant_id,
                    legacy_warned_at: self.upgrade_legacy_warned_at,
                }),
        }
    }
}

/// A row of [`insert_all`]: which event it is, and what [`insert`] brings back.
#[derive(FromRow)]
struct BatchRow {
    event_id: String,
    #[sqlx(flatten)]
    recorded: RecordedRow,
}

/// The insert of any event, finding its store (an ID of the legacy store, or a merchant
/// ID of its upgrade) and returning it; `ON CONFLICT` keeps a replay from aborting a
/// surrounding PostgreSQL transaction.
const INSERT_FACT: &str = "INSERT INTO order_events (event_id, kind, merchant_id, legacy_store_id, order_id, \
     environment, amount, currency, received_at, store_id, created_at, user_agent, error_code, correlation_id, \
     fingerprint, service, endpoint, status, country) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
     COALESCE((SELECT id FROM stores WHERE legacy_store_id = $4), \
              (SELECT store_id FROM upgrades WHERE merchant_id = $3 OR test_merchant_id = $3 LIMIT 1)), \
     $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (event_id) DO NOTHING RETURNING store_id";

/// What an order brings back of its store's upgrade: each column and the read of it.
const UPGRADE: [(&str, &str); 4] = [
    (
        "upgrade_id",
        "SELECT u.id FROM upgrades u WHERE u.store_id = order_events.store_id",
    ),
    (
        "upgrade_step",
        "SELECT u.step FROM upgrades u WHERE u.store_id = order_events.store_id",
    ),
    (
        "upgrade_merchant_id",
        "SELECT u.merchant_id FROM upgrades u WHERE u.store_id = order_events.store_id",
    ),
    (
        "upgrade_legacy_warned_at",
        "SELECT u.legacy_warned_at FROM upgrades u WHERE u.store_id = order_events.store_id",
    ),
];

/// `RETURNING` columns of the store's upgrade: for every row, or (`orders_only`) for the
/// orders among them.
fn returning_upgrade(orders_only: bool) -> String {
    UPGRADE
        .iter()
        .map(|(column, read)| match orders_only {
            false => format!(", ({read}) AS {column}"),
            true => format!(
                ", CASE WHEN order_events.kind = 'order.created' THEN ({read}) END AS {column}"
            ),
        })
        .collect()
}

/// An order also brings back its store's upgrade, read by the same statement.
static INSERT_ORDER: LazyLock<String> =
    LazyLock::new(|| format!("{INSERT_FACT}{}", returning_upgrade(false)));

/// Records an event, finding its store in the same statement, and for an order that
/// store's upgrade too, so it is weighed without another round trip. `None`: this event
/// id was recorded before (a replay, or a different body under a known id: see
/// [`recorded_before`]).
///
/// On the pool, `Ok` means committed: the statement is autocommitted and read to its
/// end. With `RETURNING`, the row comes back before the commit, and a reader that stops
/// at the first row (`fetch_optional`) never sees a commit that failed (a full disk on
/// SQLite), so the caller would acknowledge an event that was never stored. In a
/// transaction, its commit decides.
///
/// On PostgreSQL the insert also announces the event to the store's watchers, by trigger
/// (migration 0013), when its transaction commits.
pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    e: &PlatformEvent,
) -> sqlx::Result<Option<Recorded>> {
    // Only an order is weighed against the upgrade; other events skip its reads.
    let sql = match e.kind {
        EventKind::OrderCreated => INSERT_ORDER.as_str(),
        EventKind::OrderCancelled | EventKind::ApiError | EventKind::ApiCall => INSERT_FACT,
    };
    let res = bind(sqlx::query_as::<_, RecordedRow>(sql), e, now())
        .fetch_all(ex)
        .await;
    match res {
        Ok(rows) => Ok(rows.into_iter().next().map(RecordedRow::recorded)),
        Err(err) if is_unique_violation(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

/// The columns an event is written with, in the order of [`INSERT_FACT`]'s `$1`–`$18`
/// (its store found by the statement).
fn bind<'q, O>(
    query: sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>>,
    e: &'q PlatformEvent,
    received_at: i64,
) -> sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>> {
    let (merchant_id, legacy_store_id) = match &e.subject {
        Subject::Merchant(mid) => (Some(mid.as_str()), None),
        Subject::Legacy(eid) => (None, Some(eid.as_str())),
    };
    query
        .bind(&e.id)
        .bind(e.kind.as_str())
        .bind(merchant_id)
        .bind(legacy_store_id)
        .bind(&e.order_id)
        .bind(e.environment.as_str())
        .bind(e.amount)
        .bind(&e.currency)
        .bind(received_at)
        .bind(e.created_at)
        .bind(&e.user_agent)
        .bind(&e.error_code)
        .bind(&e.correlation_id)
        .bind(e.fingerprint())
        .bind(e.call.as_ref().map(|c| c.service.as_str()))
        .bind(e.call.as_ref().map(|c| c.endpoint.as_str()))
        .bind(e.call.as_ref().map(|c| i64::from(c.status)))
        .bind(&e.country)
}

/// The SQL type of each of [`bind`]'s columns, for a row of `VALUES`, where nothing else
/// tells the database what a parameter is.
const TYPES: [&str; 18] = [
    "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT", "BIGINT", "BIGINT", "TEXT",
    "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT",
];

/// The batch sizes whose statements are kept prepared: 1 to this many events.
const KEPT_PREPARED: usize = 32;

/// Records `events` in one statement, each as [`insert`] would: one round trip and one
/// statement for a batch (`gather`) instead of one per event. The answers are in the
/// order of `events`; an event id that comes twice is recorded for its first.
pub async fn insert_all<'c>(
    ex: impl Executor<'c, Database = Any>,
    events: &[&PlatformEvent],
) -> sqlx::Result<Vec<Option<Recorded>>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<String> = (0..events.len())
        .map(|row| {
            let columns: Vec<String> = TYPES
                .iter()
                .enumerate()
                .map(|(column, ty)| format!("CAST(${} AS {ty})", row * TYPES.len() + column + 1))
                .chain([row.to_string()])
                .collect();
            format!("({})", columns.join(", "))
        })
        .collect();
    // `VALUES` names its columns column1, column2, … on both databases; the last is the
    // event's place, so ids are given in arrival order. SQLite needs the `WHERE` to read
    // `ON CONFLICT` as the insert's.
    let sql = format!(
        "INSERT INTO order_events (event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, \
         currency, received_at, store_id, created_at, user_agent, error_code, correlation_id, fingerprint, \
         service, endpoint, status, country) \
         SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, \
         COALESCE((SELECT id FROM stores WHERE legacy_store_id = v.column4), \
                  (SELECT store_id FROM upgrades WHERE merchant_id = v.column3 OR test_merchant_id = v.column3 LIMIT 1)), \
         v.column10, v.column11, v.column12, v.column13, v.column14, v.column15, v.column16, v.column17, v.column18 \
         FROM (VALUES {}) AS v WHERE true ORDER BY v.column19 \
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id, store_id{}",
        rows.join(", "),
        returning_upgrade(true)
    );
    let received_at = now();
    // Each batch size is a statement text of its own. The sizes concurrent senders make
    // (one per sender waiting) are kept prepared, which the database would otherwise parse
    // and plan for every batch; a burst's larger ones are not, so that a connection holds
    // at most `KEPT_PREPARED` of them on the database server, not one for each size up
    // to 256 rows of 18 parameters.
    let mut query = sqlx::query_as::<_, BatchRow>(&sql).persistent(events.len() <= KEPT_PREPARED);
    for e in events {
        query = bind(query, e, received_at);
    }
    let mut recorded: HashMap<String, Recorded> = query
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(|row| (row.event_id, row.recorded.recorded()))
        .collect();
    Ok(events.iter().map(|e| recorded.remove(&e.id)).collect())
}
