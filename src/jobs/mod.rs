//! Background work: the outbox worker delivers queued jobs (email, partner webhooks)
//! with retries and backoff.
//! It wakes when a change commits (`Jobs::wake`) and otherwise every few seconds, so
//! rows written by another instance are picked up too. `maintenance` runs the
//! periodic chores (sunset reminders, refreshing legacy orders).

pub mod maintenance;
pub mod purge;

use std::{sync::Arc, time::Duration};

use tokio::sync::Notify;

use secrecy::{ExposeSecret, SecretString};

use crate::{
    config::Config,
    domain::{platform_event, webhook},
    mail::{Email, Mailer},
    store::{self, Db, outbox::OutboxRow},
};

/// How long a claimed row is reserved for the worker that claimed it.
const LEASE_SECONDS: i64 = 60;
const IDLE_POLL: Duration = Duration::from_secs(2);
/// Tries before a job is given up (backoff reaches an hour after 9, so about 3 weeks).
const MAX_ATTEMPTS: i64 = 500;

#[derive(Clone, Default)]
pub struct Jobs {
    wake: Arc<Notify>,
}

/// What delivering needs: the database, the mail transport, an HTTP client for
/// webhooks and the key their secrets derive from.
#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub mailer: Mailer,
    pub http: reqwest::Client,
    pub secret_key: SecretString,
    /// Which addresses outbound requests may reach (as for the health check).
    pub reach: crate::config::HealthCheckConfig,
}

impl Worker {
    pub fn new(db: Db, mailer: Mailer, config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            mailer,
            http: crate::platform::health::outbound_client(
                &config.health_check,
                "Switchyard-Webhooks",
            )?,
            secret_key: config.secret_key.clone(),
            reach: config.health_check.clone(),
        })
    }
}

impl Jobs {
    /// Call after committing a transaction that queued work.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs the outbox worker until the process ends.
    pub fn spawn(&self, worker: Worker) {
        let wake = self.wake.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = deliver_due(&worker).await {
                    tracing::error!(error = ?e, "outbox worker");
                }
                let _ = tokio::time::timeout(IDLE_POLL, wake.notified()).await;
            }
        });
    }
}

/// Retry delay after `attempts` failures: 10 s, 20 s, 40 s … up to an hour.
pub fn backoff(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 12) - 1;
    (10_i64 << exp).min(3600)
}

/// What became of one delivery.
enum Delivered {
    Yes,
    /// Nothing to deliver to any more (the webhook was removed): done, not retried.
    Dropped(String),
}

/// Delivers every due row once; returns how many were delivered.
pub async fn deliver_due(worker: &Worker) -> anyhow::Result<usize> {
    let pool = &worker.db.pool;
    let mut sent = 0;
    for row in store::outbox::due(pool, 50).await? {
        if !store::outbox::claim(pool, row.id, LEASE_SECONDS).await? {
            continue;
        }
        match deliver(worker, &row).await {
            Ok(Delivered::Yes) => {
                store::outbox::mark_sent(pool, row.id).await?;
                sent += 1;
            }
            Ok(Delivered::Dropped(why)) => {
                tracing::info!(key = %row.idempotency_key, %why, "job dropped");
                store::outbox::mark_dropped(pool, row.id, &why).await?;
            }
            // About three weeks of hourly tries: the endpoint or mailbox is gone.
            Err(e) if row.attempts + 1 >= MAX_ATTEMPTS => {
                tracing::error!(key = %row.idempotency_key, kind = %row.kind, error = ?e, "giving up after {MAX_ATTEMPTS} attempts");
                store::outbox::mark_dropped(pool, row.id, &format!("gave up: {e:#}")).await?;
            }
            Err(e) => {
                let retry_at = store::now() + backoff(row.attempts + 1);
                tracing::warn!(key = %row.idempotency_key, kind = %row.kind, error = ?e, retry_at, "delivery failed; will retry");
                store::outbox::mark_failed(pool, row.id, &format!("{e:#}"), retry_at).await?;
            }
        }
    }
    Ok(sent)
}

async fn deliver(worker: &Worker, row: &OutboxRow) -> anyhow::Result<Delivered> {
    match row.kind.as_str() {
        "email" => {
            let email = Email {
                to: row.recipient.clone(),
                subject: row.subject.clone(),
                text: row.body.clone(),
            };
            worker.mailer.send(&email).await?;
            Ok(Delivered::Yes)
        }
        "webhook" => webhook(worker, row).await,
        other => Ok(Delivered::Dropped(format!("unknown job kind {other}"))),
    }
}

/// POSTs the event, signed like inbound platform events; any 2xx is delivered.
async fn webhook(worker: &Worker, row: &OutboxRow) -> anyhow::Result<Delivered> {
    let hook = match row.recipient.parse::<i64>() {
        Ok(id) => store::webhooks::get(&worker.db.pool, id).await?,
        Err(_) => None,
    };
    let Some(hook) = hook.filter(|h| h.disabled_at.is_none()) else {
        return Ok(Delivered::Dropped("the webhook was removed".into()));
    };
    // Names are checked when resolved; a literal address is checked here.
    let refused = reqwest::Url::parse(&hook.url)
        .map_err(|_| "not a URL".to_owned())
        .and_then(|u| crate::platform::health::vet(&u, &worker.reach).map_err(|e| e.to_string()));
    if let Err(why) = refused {
        return Ok(Delivered::Dropped(format!("refused address: {why}")));
    }
    let secret = webhook::secret(worker.secret_key.expose_secret().as_bytes(), &hook.nonce);
    let signature = platform_event::sign(secret.as_bytes(), store::now(), row.body.as_bytes());
    let res = worker
        .http
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(platform_event::SIGNATURE_HEADER, signature)
        .header("Idempotency-Key", &row.idempotency_key)
        .body(row.body.clone())
        .send()
        .await?;
    if res.status().is_success() {
        Ok(Delivered::Yes)
    } else {
        anyhow::bail!("the partner answered {}", res.status())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let delays: Vec<i64> = (1..=4).map(super::backoff).collect();
        assert_eq!(delays, [10, 20, 40, 80]);
        assert_eq!(super::backoff(50), 3600);
    }
}
