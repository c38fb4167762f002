//! Order events reported by the platform (or the sandbox), idempotent by event id.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, is_unique_violation, now};

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
}

#[derive(Debug, Clone)]
pub struct NewOrderEvent<'a> {
    pub event_id: &'a str,
    pub kind: &'a str,
    pub merchant_id: Option<&'a str>,
    pub legacy_store_id: Option<&'a str>,
    pub order_id: &'a str,
    pub environment: &'a str,
    pub amount: i64,
    pub currency: &'a str,
}

const COLUMNS: &str = "id, event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, currency, received_at";

/// Records an event; `Ok(false)` means this event id was already recorded (a replay).
pub async fn insert(tx: &mut Tx, e: &NewOrderEvent<'_>) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO order_events (event_id, kind, merchant_id, legacy_store_id, order_id, environment, amount, currency, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.event_id)
    .bind(e.kind)
    .bind(e.merchant_id)
    .bind(e.legacy_store_id)
    .bind(e.order_id)
    .bind(e.environment)
    .bind(e.amount)
    .bind(e.currency)
    .bind(now())
    .execute(&mut **tx)
    .await;
    match res {
        Ok(_) => Ok(true),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err),
    }
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

pub async fn count_for_merchant<'c>(
    ex: impl Executor<'c, Database = Any>,
    mid: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM order_events WHERE merchant_id = $1")
        .bind(mid)
        .fetch_one(ex)
        .await
}
