//! The fallback for platforms that cannot push events: ask the order API for the orders
//! on every MID still waiting for its purchase, and feed the new ones through intake as
//! if they had been pushed. A failing platform is asked less and less often.

use std::time::Duration;

use crate::app::AppState;
use crate::{
    app::intake::{self, Sinks},
    domain::{
        Environment, MerchantId,
        platform_event::{EventKind, PlatformEvent, Subject},
    },
    platform::client::{PlatformClient, PlatformError, RemoteOrder},
    store::{self, Db},
};

/// The longest wait between polls while the platform keeps failing.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// MIDs asked about.
    pub merchants: usize,
    /// Orders not seen before, recorded now.
    pub recorded: usize,
    /// MIDs whose orders could not be read this round.
    pub failed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// One round: every waiting MID, every new order on it. One failing MID does not stop
/// the others; the round fails only when every MID it asked about failed.
pub async fn poll_once(
    db: &Db,
    sinks: Sinks<'_>,
    client: &PlatformClient,
) -> Result<Report, PollError> {
    let mut report = Report::default();
    let mut first_error = None;
    let waiting = store::waiting::awaiting_orders(&db.pool)
        .await
        .map_err(anyhow::Error::from)?;
    for upgrade in waiting {
        let Some(issued) = upgrade.since else {
            continue;
        };
        for mid in [upgrade.merchant_id, upgrade.test_merchant_id]
            .into_iter()
            .flatten()
        {
            report.merchants += 1;
            match poll_merchant(db, sinks, client, &mid, issued).await {
                Ok(n) => report.recorded += n,
                Err(e) => {
                    tracing::warn!(mid, error = %e, "polling a merchant failed");
                    report.failed += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    match first_error {
        Some(e) if report.failed == report.merchants => Err(e),
        _ => Ok(report),
    }
}

/// Asks for `mid`'s orders since the newest one already known (or since its credentials
/// were issued) and records the new ones.
async fn poll_merchant(
    db: &Db,
    sinks: Sinks<'_>,
    client: &PlatformClient,
    mid: &str,
    issued: i64,
) -> Result<usize, PollError> {
    let newest = store::events::newest_order_at(&db.pool, mid)
        .await
        .map_err(anyhow::Error::from)?;
    let since = newest.map_or(issued, |t| t.max(issued));
    let mut recorded = 0;
    for order in client.orders(mid, since).await? {
        if record(db, sinks, mid, &order).await? {
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// Records `order` unless an event about it exists (pushed, or polled before).
async fn record(db: &Db, sinks: Sinks<'_>, mid: &str, order: &RemoteOrder) -> anyhow::Result<bool> {
    if order.merchant_id != mid {
        // Trust the question, not the answer: another merchant's order is not this one's.
        tracing::warn!(asked = mid, got = %order.merchant_id, order = %order.order_id, "the platform answered with another merchant's order; skipped");
        return Ok(false);
    }
    if store::events::knows_order(&db.pool, &order.order_id).await? {
        return Ok(false);
    }
    let event = match event_for(order) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(order = %order.order_id, error = %e, "the platform sent an order that cannot be read; skipped");
            return Ok(false);
        }
    };
    // The id is the order's, so two instances polling at once record it once.
    Ok(!matches!(
        intake::record(db, sinks, &event).await?,
        intake::Outcome::Duplicate | intake::Outcome::Conflicting
    ))
}

/// The `order.created` event the platform would have pushed for `order`.
pub fn event_for(order: &RemoteOrder) -> anyhow::Result<PlatformEvent> {
    let mid = MerchantId::parse(&order.merchant_id).map_err(|_| {
        anyhow::anyhow!(
            "the platform sent a bad merchant id {:?}",
            order.merchant_id
        )
    })?;
    let environment = Environment::parse(&order.environment).ok_or_else(|| {
        anyhow::anyhow!(
            "the platform sent a bad environment {:?}",
            order.environment
        )
    })?;
    // It decides whether the order came after the credentials: never guessed.
    let created_at = crate::domain::parse_rfc3339(&order.created_at).ok_or_else(|| {
        anyhow::anyhow!("the platform sent a bad created_at {:?}", order.created_at)
    })?;
    anyhow::ensure!(
        !order.order_id.is_empty() && order.order_id.len() <= 200,
        "the platform sent an order id that is empty or too long"
    );
    Ok(PlatformEvent {
        id: format!("evt_poll_{}", order.order_id),
        kind: EventKind::OrderCreated,
        created_at,
        subject: Subject::Merchant(mid),
        order_id: order.order_id.clone(),
        environment,
        amount: order.order_amount,
        currency: order.currency.clone(),
        user_agent: None,
        error_code: None,
        correlation_id: None,
        call: None,
        country: None,
    })
}

/// The wait before the next round after `failures` failed rounds in a row: the interval,
/// doubled per failure, at most `MAX_BACKOFF` (or the interval, if that is longer).
pub fn next_delay(interval: Duration, failures: u32) -> Duration {
    let doubled = interval.saturating_mul(1 << failures.min(16));
    doubled.min(MAX_BACKOFF.max(interval))
}

/// Polls every `interval` until the process ends.
pub fn spawn(state: AppState, interval: Duration) {
    let tasks = state.tasks.clone();
    let mut stopping = tasks.stopping();
    tasks.spawn(async move {
        let mut failures = 0;
        loop {
            let polled = tokio::select! {
                biased;
                () = stopping.stopped() => return,
                polled = poll_once(&state.db, state.sinks(), &state.platform) => polled,
            };
            match polled {
                Ok(report) => {
                    failures = 0;
                    if report.recorded > 0 {
                        tracing::info!(?report, "polling found new orders");
                    }
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(error = %e, failures, "polling the platform failed; backing off");
                }
            }
            tokio::select! {
                biased;
                () = stopping.stopped() => return,
                () = tokio::time::sleep(next_delay(interval, failures)) => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_platform_is_asked_less_often_up_to_a_limit() {
        let minute = Duration::from_secs(60);
        assert_eq!(next_delay(minute, 0), minute);
        assert_eq!(next_delay(minute, 1), 2 * minute);
        assert_eq!(next_delay(minute, 3), 8 * minute);
        assert_eq!(next_delay(minute, 30), MAX_BACKOFF);
        let hour = Duration::from_secs(3600);
        assert_eq!(next_delay(hour, 5), hour, "never shorter than the interval");
    }
}
