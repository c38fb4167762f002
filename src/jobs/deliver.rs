//! One attempt at one row, under a hard deadline, and what it leaves in the database:
//! sent, dropped, or released for a retry with backoff and jitter.

use std::time::{Duration, Instant};

use rand::Rng;
use secrecy::ExposeSecret;

use super::Worker;
use crate::{
    domain::{delivery, delivery::Failure, platform_event, webhook},
    mail::Email,
    store::{
        self,
        outbox::{Lane, OutboxRow},
    },
};

/// Tries before a job is given up (backoff reaches an hour after 9, so about 3 weeks).
const MAX_ATTEMPTS: i64 = 500;

/// What became of one attempt.
pub(super) enum Outcome {
    /// Delivered; a webhook's endpoint answered with this status.
    Sent(Option<u16>),
    /// Nothing to deliver to any more (the webhook was removed): done, not retried.
    Dropped(String),
    Failed {
        error: String,
        why: Failure,
    },
}

/// The most one attempt in `lane` may take, from connecting to the answer; an attempt
/// at a webhook already marked `failing` gets the short deadline.
pub(super) fn deadline(worker: &Worker, lane: Lane, failing: bool) -> Duration {
    match lane {
        Lane::Webhook if failing => worker
            .outbox
            .failing_webhook_deadline
            .min(worker.outbox.webhook_deadline),
        Lane::Webhook => worker.outbox.webhook_deadline,
        _ => worker.outbox.email_deadline,
    }
}

/// Delivers `row` once, giving up at the lane's deadline.
pub(super) async fn attempt(
    worker: &Worker,
    lane: Lane,
    row: &OutboxRow,
    failing: bool,
) -> Outcome {
    let limit = deadline(worker, lane, failing);
    let started = Instant::now();
    let begun = store::now();
    let outcome = match tokio::time::timeout(limit, deliver(worker, lane, row, limit)).await {
        Ok(outcome) => outcome,
        Err(_) => {
            if row.kind == "email" {
                worker.renew_mailer(lane);
            }
            Outcome::Failed {
                error: format!("no answer within the deadline of {} s", limit.as_secs()),
                why: Failure::Timeout,
            }
        }
    };
    metrics::histogram!("switchyard_outbox_attempt_seconds", "lane" => lane.as_str())
        .record(started.elapsed().as_secs_f64());
    if let (Lane::Webhook, Ok(webhook_id)) = (lane, row.recipient.parse::<i64>()) {
        log_attempt(worker, webhook_id, row, &outcome, begun, started.elapsed()).await;
    }
    outcome
}

/// Writes the attempt to the webhook's delivery log. The log is for reading: a failure
/// to write it is logged and changes nothing about the delivery.
async fn log_attempt(
    worker: &Worker,
    webhook_id: i64,
    row: &OutboxRow,
    outcome: &Outcome,
    begun: i64,
    took: Duration,
) {
    let (status_code, what) = match outcome {
        Outcome::Sent(status) => (*status, "delivered".to_owned()),
        Outcome::Failed { why, .. } => match why {
            Failure::Status(code) => (Some(*code), why.code()),
            _ => (None, why.code()),
        },
        // Nothing was sent: the webhook is gone or its address refused.
        Outcome::Dropped(_) => return,
    };
    let attempt = store::webhook_log::NewAttempt {
        webhook_id,
        outbox_id: row.id,
        event_type: &row.subject,
        attempted_at: begun,
        latency_ms: i64::try_from(took.as_millis()).unwrap_or(i64::MAX),
        status_code,
        outcome: &what,
    };
    if let Err(e) = store::webhook_log::record(&worker.db.pool, &attempt).await {
        tracing::warn!(webhook_id, error = %e, "cannot write the webhook delivery log");
    }
}

async fn deliver(worker: &Worker, lane: Lane, row: &OutboxRow, limit: Duration) -> Outcome {
    match row.kind.as_str() {
        "email" => {
            let email = Email {
                to: row.recipient.clone(),
                subject: row.subject.clone(),
                text: row.body.clone(),
            };
            let sent = worker
                .mailer_for(lane)
                .send_keyed(&email, Some(&row.idempotency_key))
                .await;
            match sent {
                Ok(()) => Outcome::Sent(None),
                // A 5xx (an unknown mailbox) or an address that cannot be used: trying
                // again for three weeks cannot change the answer.
                Err(e) if crate::mail::is_permanent(&e) => {
                    tracing::warn!(lane = lane.as_str(), key = %row.idempotency_key, error = %format!("{e:#}"), "email refused for good; not retried");
                    Outcome::Dropped(format!("refused for good: {e:#}"))
                }
                Err(e) => Outcome::Failed {
                    error: format!("{e:#}"),
                    why: Failure::Other,
                },
            }
        }
        "webhook" => post_webhook(worker, row, limit).await,
        other => Outcome::Dropped(format!("unknown job kind {other}")),
    }
}

/// POSTs the event, signed like inbound platform events; any 2xx is delivered.
async fn post_webhook(worker: &Worker, row: &OutboxRow, limit: Duration) -> Outcome {
    let failed = |error: String, why: Failure| Outcome::Failed { error, why };
    let hook = match row.recipient.parse::<i64>() {
        Ok(id) => match store::webhooks::get(&worker.db.pool, id).await {
            Ok(hook) => hook,
            Err(e) => return failed(format!("cannot read the webhook: {e}"), Failure::Other),
        },
        Err(_) => None,
    };
    let Some(hook) = hook.filter(|h| h.disabled_at.is_none()) else {
        return Outcome::Dropped("the webhook was removed".into());
    };
    // Names are checked when resolved; a literal address is checked here.
    let refused = reqwest::Url::parse(&hook.url)
        .map_err(|_| "not a URL".to_owned())
        .and_then(|u| crate::shop::vet(&u, &worker.reach).map_err(|e| e.to_string()));
    if let Err(why) = refused {
        return Outcome::Dropped(format!("refused address: {why}"));
    }
    let secret = webhook::secret(worker.secret_key.expose_secret().as_bytes(), &hook.nonce);
    let signature = platform_event::sign(secret.as_bytes(), store::now(), row.body.as_bytes());
    let sent = worker
        .http
        .post(&hook.url)
        .timeout(limit)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(platform_event::SIGNATURE_HEADER, signature)
        .header("Idempotency-Key", &row.idempotency_key)
        .body(row.body.clone())
        .send()
        .await;
    match sent {
        Ok(res) if res.status().is_success() => Outcome::Sent(Some(res.status().as_u16())),
        Ok(res) => failed(
            format!("the partner answered {}", res.status()),
            Failure::Status(res.status().as_u16()),
        ),
        Err(e) => {
            let why = if e.is_timeout() {
                Failure::Timeout
            } else if e.is_connect() {
                Failure::Connect
            } else {
                Failure::Other
            };
            failed(format!("{e:#}"), why)
        }
    }
}

/// Records what `outcome` means for `row`. A database error here leaves the claim to
/// lapse, so the row is tried again rather than lost.
///
/// Returns whether an email attempt ran out of its deadline (the relay may hang).
pub(super) async fn settle(worker: &Worker, lane: Lane, row: &OutboxRow, outcome: Outcome) -> bool {
    let relay_hangs = lane != Lane::Webhook
        && matches!(
            outcome,
            Outcome::Failed {
                why: Failure::Timeout,
                ..
            }
        );
    if let Err(e) = record(worker, lane, row, outcome).await {
        tracing::error!(lane = lane.as_str(), key = %row.idempotency_key, error = ?e, "outbox: cannot record a delivery; the row is retried when its claim lapses");
    }
    relay_hangs
}

/// Writes the outcome.
async fn record(
    worker: &Worker,
    lane: Lane,
    row: &OutboxRow,
    outcome: Outcome,
) -> sqlx::Result<()> {
    let pool = &worker.db.pool;
    let hook_id = (row.kind == "webhook")
        .then(|| row.recipient.parse::<i64>().ok())
        .flatten();
    match outcome {
        Outcome::Sent(_) => {
            store::outbox::mark_sent(pool, row.id).await?;
            if let Some(id) = hook_id {
                store::webhooks::record_success(pool, id).await?;
            }
            metrics::counter!("switchyard_outbox_delivered_total", "lane" => lane.as_str())
                .increment(1);
        }
        Outcome::Dropped(why) => {
            tracing::info!(lane = lane.as_str(), key = %row.idempotency_key, %why, "job dropped");
            store::outbox::mark_dropped(pool, row.id, &why).await?;
            metrics::counter!("switchyard_outbox_dropped_total", "lane" => lane.as_str())
                .increment(1);
        }
        Outcome::Failed { error, why } => {
            let reason = if why == Failure::Timeout {
                "timeout"
            } else {
                "error"
            };
            metrics::counter!("switchyard_outbox_delivery_failures_total", "lane" => lane.as_str(), "reason" => reason)
                .increment(1);
            // `attempts` was counted when the row was claimed.
            let attempts = row.attempts + 1;
            if attempts >= MAX_ATTEMPTS {
                // About three weeks of hourly tries: the endpoint or mailbox is gone.
                tracing::error!(lane = lane.as_str(), key = %row.idempotency_key, kind = %row.kind, %error, "giving up after {MAX_ATTEMPTS} attempts");
                store::outbox::mark_dropped(pool, row.id, &format!("gave up: {error}")).await?;
                metrics::counter!("switchyard_outbox_dropped_total", "lane" => lane.as_str())
                    .increment(1);
                return Ok(());
            }
            let base = worker.outbox.retry_base.as_secs() as i64;
            let jitter = rand::thread_rng().gen_range(0.0..=1.0);
            let retry_at = store::now() + delivery::backoff(attempts, base, jitter);
            tracing::warn!(lane = lane.as_str(), key = %row.idempotency_key, kind = %row.kind, %error, attempts, retry_at, "delivery failed; will retry");
            store::outbox::mark_failed(pool, row.id, (&error, &why), retry_at).await?;
            if let Some(id) = hook_id {
                store::webhooks::record_failure(
                    pool,
                    id,
                    &why,
                    worker.outbox.webhook_failing_after,
                )
                .await?;
                store::outbox::defer_destination(pool, &row.recipient, retry_at).await?;
            }
        }
    }
    Ok(())
}
