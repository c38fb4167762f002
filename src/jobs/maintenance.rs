//! Periodic chores (reminders, digests, catching up, summing the cohort tallies, the
//! retention purge). Each is safe on every instance at once: a reminder is an outbox row
//! with a key of its own (`sunset:{store}:{point}`), so it is queued once whoever runs
//! first, refreshing legacy orders only writes what the platform says, and an order's late
//! effect is decided under the upgrade's lock.

use std::time::Duration;

use crate::{
    app::{AppState, legacy, reminders},
    domain::sunset,
    store,
};

/// Legacy orders are asked of the platform once in each period this long, by one instance.
const SWEEP_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Runs the chores once per period of `interval` across every instance, until the
/// shutdown begins: each instance wakes as a period begins, and the one that claims it
/// first (`store::chores`) runs that period's turn; `instance` names this one in the claim.
/// A turn in progress at the shutdown is dropped at its next wait: each of its writes is
/// a transaction of its own, so what it did stays and the rest waits for the next period.
pub fn spawn(state: AppState, interval: Duration, instance: String) {
    let tasks = state.tasks.clone();
    let mut stopping = tasks.stopping();
    let every = interval.as_millis().max(1);
    tasks.spawn(async move {
        loop {
            let period = unix_millis() / every;
            // Every instance reads the dates another may have moved: its pages show them.
            if let Err(e) = crate::app::sunsets::refresh(&state.db, &state.catalog).await {
                tracing::error!(error = ?e, "reading the sunset dates");
            }
            if claim(&state, interval, period, &instance).await {
                tokio::select! {
                    biased;
                    () = stopping.stopped() => return,
                    () = turn(&state, &instance) => {}
                }
            }
            let next = (period + 1) * every;
            let wait = Duration::from_millis(
                u64::try_from(next.saturating_sub(unix_millis())).unwrap_or(u64::MAX),
            );
            tokio::select! {
                biased;
                () = stopping.stopped() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Whether `instance` is the one to run period `period` of the chores run every `every`.
async fn claim(state: &AppState, every: Duration, period: u128, instance: &str) -> bool {
    let period = i64::try_from(period).unwrap_or(i64::MAX);
    store::chores::claim(&state.db, every, period, instance)
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = ?e, "claiming a period of the chores");
            false
        })
}

/// Milliseconds since the Unix epoch: periods begin at the same moment on every instance.
fn unix_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// Folds the rows each platform event appended to its store's traffic this often: the
/// table reads what is not folded yet too, and a busy store's table stays a few rows.
pub const FOLD_TRAFFIC_EVERY: Duration = Duration::from_secs(10);

/// Folds the stores' traffic every `interval` until the shutdown begins; a fold is one
/// transaction, so one dropped at the shutdown leaves every row to the next start.
pub fn spawn_traffic_fold(state: AppState, interval: Duration) {
    let tasks = state.tasks.clone();
    let mut stopping = tasks.stopping();
    tasks.spawn(async move {
        loop {
            tokio::select! {
                biased;
                () = stopping.stopped() => return,
                () = tokio::time::sleep(interval) => {}
            }
            tokio::select! {
                biased;
                () = stopping.stopped() => return,
                res = store::traffic::fold(&state.db) => if let Err(e) = res {
                    tracing::error!(error = ?e, "folding the stores' traffic");
                }
            }
        }
    });
}

/// One round of the chores.
async fn turn(state: &AppState, instance: &str) {
    match crate::app::sunsets::tell_stores(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(stores = n, "sunset changes, stores told"),
        Err(e) => tracing::error!(error = ?e, "telling stores of sunset changes"),
    }
    match crate::app::brownouts::tell(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(emails = n, "announced brownouts, notices"),
        Err(e) => tracing::error!(error = ?e, "telling of announced brownouts"),
    }
    match reminders::sunset(state, sunset::today(), store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "sunset reminders"),
        Err(e) => tracing::error!(error = ?e, "sunset reminders"),
    }
    match reminders::stalled(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "no-progress reminders"),
        Err(e) => tracing::error!(error = ?e, "no-progress reminders"),
    }
    match crate::app::intake::catch_up(&state.db, state.sinks()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(effects = n, "recorded orders weighed late"),
        Err(e) => tracing::error!(error = ?e, "weighing recorded orders"),
    }
    match reminders::partner_digests(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "partner digests"),
        Err(e) => tracing::error!(error = ?e, "partner digests"),
    }
    match crate::app::remind_runs::resume_abandoned(state).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(runs = n, "reminding all matching stores, taken up again"),
        Err(e) => tracing::error!(error = ?e, "taking up reminder runs"),
    }
    match crate::app::traffic::tell_partners(&state.db, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            stores = n,
            "legacy traffic stopped or resumed, partners told"
        ),
        Err(e) => tracing::error!(error = ?e, "telling partners of legacy traffic"),
    }
    match crate::app::traffic::alert_legacy_orders(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(stores = n, "legacy orders after the upgrade, admins told"),
        Err(e) => tracing::error!(error = ?e, "telling admins of legacy orders after the upgrade"),
    }
    match crate::app::rehearsals::chores(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(emails = n, "switch-off rehearsals: reminders and reports"),
        Err(e) => tracing::error!(error = ?e, "switch-off rehearsals"),
    }
    if let Err(e) = store::tallies::fold(&state.db).await {
        tracing::error!(error = ?e, "summing the cohort tallies");
    }
    match super::purge::purge(&state.db, &state.config, store::now()).await {
        Ok(p) if p.total() == 0 => {}
        Ok(p) => tracing::info!(
            sessions = p.sessions,
            sign_in_tokens = p.sign_in_tokens,
            rate_limit_events = p.rate_limit_events,
            api_log = p.api_log,
            screenshots = p.screenshots,
            "purged rows past their retention"
        ),
        Err(e) => tracing::error!(error = ?e, "purging rows past their retention"),
    }
    // Once a day across the instances, as a period of its own.
    if state.platform.is_configured()
        && claim(
            state,
            SWEEP_EVERY,
            unix_millis() / SWEEP_EVERY.as_millis(),
            instance,
        )
        .await
    {
        let report = legacy::refresh_orders(state).await;
        tracing::info!(
            stores = report.stores,
            failed = report.failed,
            "legacy orders refreshed"
        );
    }
}
