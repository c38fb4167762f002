//! The outbox: every job that must not be lost (an email, a partner webhook), written in
//! the transaction of the change that causes it and delivered later by [`crate::jobs`].
//! The key makes queuing idempotent; a row is claimed before delivery, so two instances
//! never deliver the same one. Every row belongs to a [`Lane`]: each lane is worked on
//! its own, so urgent mail never waits behind bulk mail or a partner's dead endpoint.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};
use crate::{domain::delivery::Failure, mail::Email};

/// How urgent a job is; each lane is delivered on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Sign-in and admin-change links: someone is waiting for them, and they expire.
    Urgent,
    /// One-off emails caused by what someone did (an invitation, a support answer).
    Transactional,
    /// Reminders, digests and nudges: paced, so the relay is not flooded.
    Bulk,
    /// Partner webhooks, each destination isolated from the others.
    Webhook,
}

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Urgent, Lane::Transactional, Lane::Bulk, Lane::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Urgent => "urgent",
            Lane::Transactional => "transactional",
            Lane::Bulk => "bulk",
            Lane::Webhook => "webhook",
        }
    }

    /// Its place in [`Lane::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Wakes the outbox worker's lanes: call [`Wake::wake`] after committing a transaction
/// that queued work. Cheap to clone; every clone wakes the same worker.
#[derive(Clone, Default)]
pub struct Wake(std::sync::Arc<[tokio::sync::Notify; 4]>);

impl Wake {
    pub fn wake(&self) {
        for w in self.0.iter() {
            w.notify_one();
        }
    }

    /// Resolves at the next wake-up of `lane`.
    pub async fn notified(&self, lane: Lane) {
        self.0[lane.index()].notified().await;
    }
}

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
    pub lane: Lane,
    pub key: &'a str,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub store_id: Option<i64>,
    /// The body holds a secret (a sign-in link): wiped once delivered.
    pub redact: bool,
}

/// Queues `email` in `lane` unless one with `key` was queued before (then nothing happens).
pub async fn enqueue(
    tx: &mut Tx,
    lane: Lane,
    key: &str,
    email: &Email,
    store_id: Option<i64>,
) -> sqlx::Result<bool> {
    push(
        &mut **tx,
        &Job {
            lane,
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
        "INSERT INTO outbox (idempotency_key, kind, recipient, subject, body, store_id, redact, created_at, next_attempt_at, lane) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(job.key)
    .bind(job.kind)
    .bind(job.recipient)
    .bind(job.subject)
    .bind(job.body)
    .bind(job.store_id)
    .bind(i64::from(job.redact))
    .bind(at)
    .bind(job.lane.as_str())
    .execute(ex)
    .await?;
    Ok(res.rows_affected() == 1)
}

const ROW: &str = "id, idempotency_key, kind, recipient, subject, body, attempts";
/// Not sent, not claimed by a live worker, retry time reached (`$1` is now).
const DUE: &str =
    "sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)";

/// Due rows of `lane`, in the order they fell due.
pub async fn due<'c>(
    ex: impl Executor<'c, Database = Any>,
    lane: Lane,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(&format!(
        "SELECT {ROW} FROM outbox WHERE lane = $2 AND {DUE} ORDER BY next_attempt_at, id LIMIT $3"
    ))
    .bind(now())
    .bind(lane.as_str())
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The oldest due webhook row of each destination that has none in flight, for at most
/// `limit` destinations: one slow endpoint holds at most one delivery at a time, and
/// never keeps the others' rows from being picked. A row waits while an older one of
/// the same store is undelivered to the same destination, so a retry never lets a
/// store's later event overtake an earlier one (other stores' events go on). `failing`
/// picks the destinations whose webhook is marked failing, or (false) the others, so the
/// two are worked in separate slots.
pub async fn due_per_destination<'c>(
    ex: impl Executor<'c, Database = Any>,
    limit: i64,
    failing: bool,
) -> sqlx::Result<Vec<OutboxRow>> {
    let which = if failing { "IN" } else { "NOT IN" };
    sqlx::query_as(&format!(
        "SELECT {ROW} FROM outbox WHERE id IN ( \
           SELECT MIN(id) FROM outbox o WHERE lane = 'webhook' AND {DUE} \
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.lane = 'webhook' \
                           AND e.recipient = o.recipient AND e.store_id = o.store_id \
                           AND e.sent_at IS NULL AND e.id < o.id) \
           AND recipient {which} (SELECT CAST(id AS TEXT) FROM webhooks \
                                  WHERE failing_since IS NOT NULL) \
           AND recipient NOT IN (SELECT recipient FROM outbox WHERE lane = 'webhook' \
                                 AND sent_at IS NULL AND claimed_until >= $1) \
           GROUP BY recipient ORDER BY MIN(id) LIMIT $2) \
         ORDER BY id"
    ))
    .bind(now())
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Holds back every waiting row for one webhook destination until `retry_at`: its
/// endpoint just failed, so the next row would most likely fail too.
pub async fn defer_destination<'c>(
    ex: impl Executor<'c, Database = Any>,
    recipient: &str,
    retry_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1 WHERE lane = 'webhook' AND recipient = $2 \
         AND sent_at IS NULL AND next_attempt_at < $1 AND claimed_until IS NULL",
    )
    .bind(retry_at)
    .bind(recipient)
    .execute(ex)
    .await?;
    Ok(())
}

/// Gives claimed rows back (a worker stopping), for any instance to deliver now rather
/// than after the lease.
pub async fn release<'c>(ex: impl Executor<'c, Database = Any>, ids: &[i64]) -> sqlx::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE outbox SET claimed_until = NULL WHERE sent_at IS NULL AND id IN ({})",
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.execute(ex).await?.rows_affected())
}

/// Waiting rows per lane: (lane, how many, when the oldest was queued).
pub async fn depth<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT lane, COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL GROUP BY lane",
    )
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
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL, last_failure = NULL, \
         body = CASE WHEN redact = 1 THEN '[delivered; redacted]' ELSE body END WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Releases a failed row for a retry at `retry_at`, with what went wrong: `error` in full
/// for operators, `why` as the kind a page can put in words.
pub async fn mark_failed<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    (error, why): (&str, &Failure),
    retry_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, last_error = $1, last_failure = $2, \
         next_attempt_at = $3 WHERE id = $4",
    )
    .bind(error)
    .bind(why.code())
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
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = $2, last_failure = 'dropped', \
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
    /// The kind of the last failure (see [`Failure::code`]), or `dropped`: given up.
    pub last_failure: Option<String>,
}

/// The store's emails and webhooks, newest first.
pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Sent>> {
    sqlx::query_as(
        "SELECT kind, recipient, subject, created_at, sent_at, attempts, last_error, last_failure FROM outbox \
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
