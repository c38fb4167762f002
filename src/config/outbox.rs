//! How the outbox delivers: lanes, deadlines and pacing.

use anyhow::bail;

/// How the outbox delivers: lanes, deadlines and pacing.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// Deliveries at once in each lane (per instance).
    pub concurrency: usize,
    /// The whole of one SMTP attempt (connect, greeting, data): past it, the row is
    /// released for a retry. lettre's own timeout does not fire against a relay that
    /// accepts the connection and never answers.
    pub email_deadline: std::time::Duration,
    /// The whole of one webhook request.
    pub webhook_deadline: std::time::Duration,
    /// The whole of one request to an endpoint already marked failing: short, and in
    /// slots of their own, so dead endpoints never take the healthy ones' slots.
    pub failing_webhook_deadline: std::time::Duration,
    /// First retry delay; it doubles per failure (with jitter) up to an hour.
    pub retry_base: std::time::Duration,
    /// Bulk emails (reminders, digests, nudges) per minute and instance.
    pub bulk_per_minute: u32,
    /// Failed deliveries in a row after which a webhook shows as failing to its partner.
    pub webhook_failing_after: u32,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            email_deadline: std::time::Duration::from_secs(30),
            webhook_deadline: std::time::Duration::from_secs(10),
            failing_webhook_deadline: std::time::Duration::from_secs(2),
            retry_base: std::time::Duration::from_secs(10),
            bulk_per_minute: 600,
            webhook_failing_after: 5,
        }
    }
}

impl OutboxConfig {
    /// Reads the `SWITCHYARD_OUTBOX_*` settings; unset ones keep their defaults.
    pub(super) fn from_env(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| {
            let Some(v) = env(&format!("SWITCHYARD_{name}")) else {
                return Ok(default);
            };
            match v.trim().parse::<u64>() {
                Ok(n) if range.contains(&n) => Ok(n),
                _ => bail!(
                    "SWITCHYARD_{name} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }
        };
        let d = Self::default();
        let secs = std::time::Duration::from_secs;
        Ok(Self {
            concurrency: number("OUTBOX_CONCURRENCY", d.concurrency as u64, 1..=64)? as usize,
            email_deadline: secs(number(
                "OUTBOX_EMAIL_TIMEOUT_SECONDS",
                d.email_deadline.as_secs(),
                1..=300,
            )?),
            webhook_deadline: secs(number(
                "OUTBOX_WEBHOOK_TIMEOUT_SECONDS",
                d.webhook_deadline.as_secs(),
                1..=120,
            )?),
            failing_webhook_deadline: secs(number(
                "OUTBOX_FAILING_WEBHOOK_TIMEOUT_SECONDS",
                d.failing_webhook_deadline.as_secs(),
                1..=120,
            )?),
            retry_base: secs(number(
                "OUTBOX_RETRY_BASE_SECONDS",
                d.retry_base.as_secs(),
                1..=3600,
            )?),
            bulk_per_minute: number(
                "BULK_MAIL_PER_MINUTE",
                u64::from(d.bulk_per_minute),
                1..=100_000,
            )? as u32,
            webhook_failing_after: number(
                "WEBHOOK_FAILING_AFTER",
                u64::from(d.webhook_failing_after),
                1..=1000,
            )? as u32,
        })
    }
}
