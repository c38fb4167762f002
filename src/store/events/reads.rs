//! Reading what the platform reported: whether an event was recorded, a merchant's or a
//! store's orders, and the latest API error.

use sqlx::{Any, Executor, FromRow};

use super::{COLUMNS, OrderEvent};
use crate::domain::platform_event::PlatformEvent;

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
