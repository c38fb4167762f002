//! The outbox: email written in the transaction of the change that causes it, delivered
//! later by [`crate::jobs`]. A row is claimed before delivery, so two instances never
//! send the same one at the same time.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};
use crate::mail::Email;

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub idempotency_key: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Queues `email` unless one with `key` was queued before (then nothing happens).
pub async fn enqueue(
    tx: &mut Tx,
    key: &str,
    email: &Email,
    store_id: Option<i64>,
) -> sqlx::Result<bool> {
    let at = now();
    let res = sqlx::query(
        "INSERT INTO outbox (idempotency_key, recipient, subject, body, store_id, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(key)
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(store_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Due rows (not sent, not claimed by a live worker, retry time reached), oldest first.
pub async fn due<'c>(
    ex: impl Executor<'c, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, idempotency_key, recipient, subject, body, attempts FROM outbox \
         WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
         ORDER BY id LIMIT $2",
    )
    .bind(now())
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Claims a row for `lease` seconds; false if another worker has it.
pub async fn claim<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    lease: i64,
) -> sqlx::Result<bool> {
    let at = now();
    let res = sqlx::query(
        "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 \
         WHERE id = $2 AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $3)",
    )
    .bind(at + lease)
    .bind(id)
    .bind(at)
    .execute(ex)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn mark_sent<'c>(ex: impl Executor<'c, Database = Any>, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Releases a failed row for a retry at `retry_at`.
pub async fn mark_failed<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    error: &str,
    retry_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET claimed_until = NULL, last_error = $1, next_attempt_at = $2 WHERE id = $3")
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}
