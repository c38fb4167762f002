//! Upgrades waiting on something, as the chores, the poller and support look for them: a
//! purchase whose effect was never written, a warning never sent, orders to poll for, a
//! step nobody moved.

use sqlx::{Any, Executor, FromRow};

use crate::domain::{Environment, platform_event::EventKind, upgrade::Step};

/// Upgrades still waiting for their test purchase although a live order on their new
/// merchant ID is recorded: the order's effect was never written (`intake::catch_up`).
pub async fn awaiting_a_recorded_purchase<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT u.id FROM upgrades u WHERE u.step = $1 AND u.merchant_id IS NOT NULL AND EXISTS \
         (SELECT 1 FROM order_events e WHERE e.merchant_id = u.merchant_id AND e.kind = $2 \
          AND e.environment = $3)",
    )
    .bind(Step::TestPurchase)
    .bind(EventKind::OrderCreated.as_str())
    .bind(Environment::Live)
    .fetch_all(ex)
    .await
}

/// Upgrades whose legacy store took an order after their new credentials were issued, and
/// whose admin was never told the old plugin is still active (`intake::catch_up`): each
/// upgrade's id and its store's.
pub async fn unwarned_with_legacy_orders<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT u.id, u.store_id FROM upgrades u WHERE u.merchant_id IS NOT NULL AND u.legacy_warned_at IS NULL AND EXISTS \
         (SELECT 1 FROM order_events e WHERE e.store_id = u.store_id AND e.legacy_store_id IS NOT NULL \
          AND e.kind = $1 \
          AND e.received_at >= (SELECT MIN(c.created_at) FROM api_credentials c WHERE c.upgrade_id = u.id))",
    )
    .bind(EventKind::OrderCreated.as_str())
    .fetch_all(ex)
    .await
}

/// An upgrade with credentials that has not seen its purchase yet: what polling asks
/// the platform about.
#[derive(Debug, Clone, FromRow)]
pub struct AwaitingOrders {
    pub upgrade_id: i64,
    pub merchant_id: Option<String>,
    pub test_merchant_id: Option<String>,
    /// When its first credentials were issued; earlier orders do not count.
    pub since: Option<i64>,
}

pub async fn awaiting_orders<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<AwaitingOrders>> {
    sqlx::query_as(
        "SELECT u.id AS upgrade_id, u.merchant_id, u.test_merchant_id, \
         (SELECT MIN(c.created_at) FROM api_credentials c WHERE c.upgrade_id = u.id) AS since \
         FROM upgrades u WHERE u.completed_at IS NULL AND (u.merchant_id IS NOT NULL OR u.test_merchant_id IS NOT NULL) \
         ORDER BY u.id",
    )
    .fetch_all(ex)
    .await
}

/// An upgrade due a "no progress" reminder.
#[derive(Debug, Clone, FromRow)]
pub struct DueReminder {
    pub upgrade_id: i64,
    pub store_id: i64,
    pub step: Step,
    pub progressed_at: i64,
}

/// Unfinished upgrades whose last step moved within `(after, before]` and that have not
/// had the reminder `stall:{upgrade}:{progressed_at}:{days}` (so progress starts the
/// count again).
pub async fn due_stall_reminders<'c>(
    ex: impl Executor<'c, Database = Any>,
    (after, before): (i64, i64),
    (days, now): (i64, i64),
    limit: i64,
) -> sqlx::Result<Vec<DueReminder>> {
    sqlx::query_as(&format!(
        "SELECT u.id AS upgrade_id, u.store_id, u.step, u.progressed_at FROM upgrades u \
         WHERE {STALL_DUE} ORDER BY u.id LIMIT $6"
    ))
    .bind(Step::Complete)
    .bind(before)
    .bind(after)
    .bind(days.to_string())
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How many reminders [`due_stall_reminders`] would return, without a limit.
pub async fn count_due_stall_reminders<'c>(
    ex: impl Executor<'c, Database = Any>,
    (after, before): (i64, i64),
    (days, now): (i64, i64),
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM upgrades u WHERE {STALL_DUE}"
    ))
    .bind(Step::Complete)
    .bind(before)
    .bind(after)
    .bind(days.to_string())
    .bind(now)
    .fetch_one(ex)
    .await
}

/// Which upgrades are due the `$4`-day no-progress reminder at unix time $5: unfinished
/// ($1), idle since the window ($3, $2], not reminded of this stall yet, and their
/// store not held back by its import (`remind_from`).
const STALL_DUE: &str = "u.step <> $1 AND u.progressed_at <= $2 AND u.progressed_at > $3 \
     AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = \
     'stall:' || CAST(u.id AS TEXT) || ':' || CAST(u.progressed_at AS TEXT) || ':' || $4) \
     AND NOT EXISTS (SELECT 1 FROM stores s WHERE s.id = u.store_id AND s.remind_from > $5)";
