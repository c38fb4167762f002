//! The delivery log of partners' webhooks: every attempt, and redelivering one event.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, outbox};

/// One attempt at delivering an event.
#[derive(Debug, Clone, FromRow)]
pub struct Attempt {
    pub id: i64,
    pub outbox_id: i64,
    pub event_type: String,
    pub attempted_at: i64,
    pub latency_ms: i64,
    pub status_code: Option<i64>,
    /// `delivered`, or a failure code (`status:503`, `timeout`, `connect`, `error`).
    pub outcome: String,
}

/// What an attempt found, for the log.
pub struct NewAttempt<'a> {
    pub webhook_id: i64,
    pub outbox_id: i64,
    pub event_type: &'a str,
    pub attempted_at: i64,
    pub latency_ms: i64,
    pub status_code: Option<u16>,
    pub outcome: &'a str,
}

pub async fn record<'c>(
    ex: impl Executor<'c, Database = Any>,
    a: &NewAttempt<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO webhook_attempts (webhook_id, outbox_id, event_type, attempted_at, latency_ms, status_code, outcome) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(a.webhook_id)
    .bind(a.outbox_id)
    .bind(a.event_type)
    .bind(a.attempted_at)
    .bind(a.latency_ms)
    .bind(a.status_code.map(i64::from))
    .bind(a.outcome)
    .execute(ex)
    .await?;
    Ok(())
}

/// The webhook's last `limit` attempts, newest first.
pub async fn recent<'c>(
    ex: impl Executor<'c, Database = Any>,
    webhook_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Attempt>> {
    sqlx::query_as(
        "SELECT id, outbox_id, event_type, attempted_at, latency_ms, status_code, outcome \
         FROM webhook_attempts WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(webhook_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Queues `body` (an event of type `event_type`) for webhook `webhook_id` under `key`,
/// for one store or none (a test event).
pub async fn queue(
    tx: &mut Tx,
    webhook_id: i64,
    key: &str,
    event_type: &str,
    body: &str,
    store_id: Option<i64>,
) -> sqlx::Result<bool> {
    outbox::push(
        &mut **tx,
        &outbox::Job {
            lane: outbox::Lane::Webhook,
            key,
            kind: "webhook",
            recipient: &webhook_id.to_string(),
            subject: event_type,
            body,
            store_id,
            redact: false,
        },
    )
    .await
}

/// The event queued as outbox row `outbox_id` for webhook `webhook_id`: its type, body
/// and store, if it is one.
pub async fn event<'c>(
    ex: impl Executor<'c, Database = Any>,
    webhook_id: i64,
    outbox_id: i64,
) -> sqlx::Result<Option<(String, String, Option<i64>)>> {
    sqlx::query_as(
        "SELECT subject, body, store_id FROM outbox WHERE id = $1 AND kind = 'webhook' AND recipient = $2",
    )
    .bind(outbox_id)
    .bind(webhook_id.to_string())
    .fetch_optional(ex)
    .await
}
