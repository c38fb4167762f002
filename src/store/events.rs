//! Platform events (orders, cancellations, API errors), idempotent by event id.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, is_unique_violation, now};
use crate::domain::platform_event::{PlatformEvent, Subject};

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

/// Records an event for `store_id` (if it belongs to a known store); `Ok(false)` means
/// this event id was already recorded (a replay).
pub async fn insert(tx: &mut Tx, e: &PlatformEvent, store_id: Option<i64>) -> sqlx::Result<bool> {
    let (merchant_id, legacy_store_id) = match &e.subject {
        Subject::Merchant(mid) => (Some(mid.as_str()), None),
        Subject::Legacy(eid) => (None, Some(eid.as_str())),
    };
    // ON CONFLICT keeps a replay from aborting the surrounding PostgreSQL transaction.
    let res = sqlx::query(
        "INSERT INTO order_events (event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, currency, \
         received_at, store_id, created_at, user_agent, error_code, correlation_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(&e.id)
    .bind(e.kind.as_str())
    .bind(merchant_id)
    .bind(legacy_store_id)
    .bind(&e.order_id)
    .bind(e.environment.as_str())
    .bind(e.amount)
    .bind(&e.currency)
    .bind(now())
    .bind(store_id)
    .bind(e.created_at)
    .bind(&e.user_agent)
    .bind(&e.error_code)
    .bind(&e.correlation_id)
    .execute(&mut **tx)
    .await;
    match res {
        Ok(r) => Ok(r.rows_affected() == 1),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

pub async fn assign_store(tx: &mut Tx, event_id: &str, store_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE order_events SET store_id = $1 WHERE event_id = $2")
        .bind(store_id)
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
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
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_events WHERE order_id = $1")
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

/// Every event of the store received at or after `since`, newest first: its API log.
pub async fn for_store_since<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    since: i64,
) -> sqlx::Result<Vec<OrderEvent>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM order_events WHERE store_id = $1 AND received_at >= $2 ORDER BY id DESC LIMIT 200"
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
