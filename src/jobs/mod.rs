//! Background work: the outbox worker delivers queued email with retries and backoff.
//! It wakes when a change commits (`Jobs::wake`) and otherwise every few seconds, so
//! rows written by another instance are picked up too. `maintenance` runs the
//! periodic chores (sunset reminders, refreshing legacy orders).

pub mod maintenance;

use std::{sync::Arc, time::Duration};

use tokio::sync::Notify;

use crate::{
    mail::{Email, Mailer},
    store::{self, Db},
};

/// How long a claimed row is reserved for the worker that claimed it.
const LEASE_SECONDS: i64 = 60;
const IDLE_POLL: Duration = Duration::from_secs(2);

#[derive(Clone, Default)]
pub struct Jobs {
    wake: Arc<Notify>,
}

impl Jobs {
    /// Call after committing a transaction that queued work.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs the outbox worker until the process ends.
    pub fn spawn(&self, db: Db, mailer: Mailer) {
        let wake = self.wake.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = deliver_due(&db, &mailer).await {
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

/// Delivers every due row once; returns how many were sent.
pub async fn deliver_due(db: &Db, mailer: &Mailer) -> anyhow::Result<usize> {
    let mut sent = 0;
    for row in store::outbox::due(&db.pool, 50).await? {
        if !store::outbox::claim(&db.pool, row.id, LEASE_SECONDS).await? {
            continue;
        }
        let email = Email {
            to: row.recipient.clone(),
            subject: row.subject.clone(),
            text: row.body.clone(),
        };
        match mailer.send(&email).await {
            Ok(()) => {
                store::outbox::mark_sent(&db.pool, row.id).await?;
                sent += 1;
            }
            Err(e) => {
                let retry_at = store::now() + backoff(row.attempts + 1);
                tracing::warn!(key = %row.idempotency_key, error = ?e, retry_at, "email delivery failed; will retry");
                store::outbox::mark_failed(&db.pool, row.id, &format!("{e:#}"), retry_at).await?;
            }
        }
    }
    Ok(sent)
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
