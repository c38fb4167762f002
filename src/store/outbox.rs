//! The outbox: every job that must not be lost (an email, a partner webhook), written in
//! the transaction of the change that causes it and delivered later by [`crate::jobs`].
//! The key makes queuing idempotent; a row is claimed before delivery, so two instances
//! never deliver the same one.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};
use crate::mail::Email;

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub idempotency_key: String,
    /// `email`, or `webhook` (recipient: the webhook's id; subject: the event type).
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// A job to queue.
pub struct Job<'a> {
    pub key: &'a str,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub store_id: Option<i64>,
    /// The body holds a secret (a sign-in link): wiped once delivered.
    pub redact: bool,
}

/// Queues `email` unless one with `key` was queued before (then nothing happens).
pub async fn enqueue(
    tx: &mut Tx,
    key: &str,
    email: &Email,
    store_id: Option<i64>,
) -> sqlx::Result<bool> {
    push(
        &mut **tx,
        &Job {
            key,
            kind: "email",
            recipient: &email.to,
            subject: &email.subject,
            body: &email.text,
            store_id,
            redact: false,
        },
    )
    .await
}

/// Queues `job` unless one with its key was queued before; true when queued now.
pub async fn push<'c>(ex: impl Executor<'c, Database = Any>, job: &Job<'_>) -> sqlx::Result<bool> {
    let at = now();
    let res = sqlx::query(
        "INSERT INTO outbox (idempotency_key, kind, recipient, subject, body, store_id, redact, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(job.key)
    .bind(job.kind)
    .bind(job.recipient)
    .bind(job.subject)
    .bind(job.body)
    .bind(job.store_id)
    .bind(i64::from(job.redact))
    .bind(at)
    .execute(ex)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Due rows (not sent, not claimed by a live worker, retry time reached), oldest first.
pub async fn due<'c>(
    ex: impl Executor<'c, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, idempotency_key, kind, recipient, subject, body, attempts FROM outbox \
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
         WHERE id = $2 AND sent_at IS NULL AND next_attempt_at <= $3 \
         AND (claimed_until IS NULL OR claimed_until < $3)",
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
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL, \
         body = CASE WHEN redact = 1 THEN '[delivered; redacted]' ELSE body END WHERE id = $2",
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

/// Closes a row that can never be delivered (its webhook is gone), with the reason.
pub async fn mark_dropped<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    why: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = $2, \
         body = CASE WHEN redact = 1 THEN '[dropped; redacted]' ELSE body END WHERE id = $3",
    )
    .bind(now())
    .bind(why)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// An outbox row as the store's timeline shows it (no body: it may hold a link).
#[derive(Debug, Clone, FromRow)]
pub struct Sent {
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The store's emails and webhooks, newest first.
pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Sent>> {
    sqlx::query_as(
        "SELECT kind, recipient, subject, created_at, sent_at, attempts, last_error FROM outbox \
         WHERE store_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(store_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Whether a job with `key` was ever queued.
pub async fn exists<'c>(ex: impl Executor<'c, Database = Any>, key: &str) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}
