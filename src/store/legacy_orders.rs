//! What Switchyard last heard of legacy stores' orders at the platform.

use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{order::RemoteOrder, parse_rfc3339};

#[derive(Debug, Clone, FromRow)]
pub struct LegacyOrder {
    pub order_id: String,
    pub store_id: i64,
    pub status: String,
    pub order_amount: i64,
    pub captured_amount: i64,
    pub refunded_amount: i64,
    pub currency: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub synced_at: i64,
}

const COLUMNS: &str = "order_id, store_id, status, order_amount, captured_amount, refunded_amount, currency, \
                       created_at, expires_at, synced_at";

/// Records the platform's word on `order`, for `store_id`.
pub async fn upsert<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    order: &RemoteOrder,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO legacy_orders (order_id, store_id, status, order_amount, captured_amount, refunded_amount, currency, \
         created_at, expires_at, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, order_amount = excluded.order_amount, \
         captured_amount = excluded.captured_amount, refunded_amount = excluded.refunded_amount, \
         expires_at = excluded.expires_at, synced_at = excluded.synced_at",
    )
    .bind(&order.order_id)
    .bind(store_id)
    .bind(&order.status)
    .bind(order.order_amount)
    .bind(order.captured_amount)
    .bind(order.refunded_amount)
    .bind(&order.currency)
    .bind(parse_rfc3339(&order.created_at).unwrap_or(0))
    .bind(parse_rfc3339(&order.expires_at).unwrap_or(0))
    .bind(now())
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<LegacyOrder>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM legacy_orders WHERE store_id = $1 ORDER BY created_at DESC LIMIT 500"
    ))
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// Authorizations of `store_id` that expire within `seconds` and are not yet expired.
pub async fn expiring<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    seconds: i64,
) -> sqlx::Result<Vec<LegacyOrder>> {
    let at = now();
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM legacy_orders WHERE store_id = $1 AND status IN ('authorized', 'part-captured') \
         AND expires_at > $2 AND expires_at <= $3 ORDER BY expires_at"
    ))
    .bind(store_id)
    .bind(at)
    .bind(at + seconds)
    .fetch_all(ex)
    .await
}

/// For each of `store_ids` with authorizations expiring within `seconds`: how many.
pub async fn expiring_counts<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_ids: &[i64],
    seconds: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    if store_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT store_id, COUNT(*) FROM legacy_orders WHERE status IN ('authorized', 'part-captured') \
         AND expires_at > $1 AND expires_at <= $2 AND store_id IN ({}) GROUP BY store_id",
        super::placeholders(3, store_ids.len())
    );
    let at = now();
    let mut q = sqlx::query_as(&sql).bind(at).bind(at + seconds);
    for id in store_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}
