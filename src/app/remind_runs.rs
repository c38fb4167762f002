//! "Remind all matching" as a run beside the requests: a filter can match a million
//! stores, far more than one request can remind. A run goes through the matching stores
//! in id order, a batch at a time, through the same nudge as a chosen few (at most one
//! reminder per store a day, audited), and keeps its counts and its place after each
//! batch. The manager watches it on its own page; a run whose instance stopped is taken
//! up again by the chores of any instance.

use super::{
    AppState,
    partner::{ListQuery, nudge, sunsets},
    partner_views::remind_preview,
};
use crate::{
    domain::{Step, upgrade::Progress},
    store::{
        self,
        remind_runs::{self, NewRun, RemindRun},
    },
};

/// Stores per batch: each batch is a few queries per store and one update of the run.
const BATCH: i64 = 500;

/// How long a run stays with its instance without a batch done before another may take
/// it up.
const LEASE: i64 = 120;

/// Starts reminding every unfinished store of `partners` that `query` matches; the run's id.
pub async fn start(
    state: &AppState,
    (user_id, actor, ip): (i64, &str, &str),
    partners: &[i64],
    query: &ListQuery,
) -> anyhow::Result<i64> {
    let expected = remind_preview(state, partners, query).await?.to_send();
    let now = store::now();
    let run = NewRun {
        user_id,
        actor,
        ip,
        partners,
        query: &query.with(&[("page", "")]),
        expected,
    };
    let id = remind_runs::create(&state.db, &run, now, now + LEASE).await?;
    spawn(state, id);
    Ok(id)
}

/// Runs `id` beside the requests, until it is done or the shutdown begins (then it waits
/// for its lease to pass and the chores of the next start).
fn spawn(state: &AppState, id: i64) {
    let state = state.clone();
    let mut stopping = state.tasks.stopping();
    state.tasks.clone().spawn(async move {
        tokio::select! {
            biased;
            () = stopping.stopped() => {}
            result = run(&state, id) => if let Err(e) = result {
                tracing::error!(error = ?e, run = id, "reminding all matching stores");
            },
        }
    });
}

/// Batch after batch from where the run stands.
async fn run(state: &AppState, id: i64) -> anyhow::Result<()> {
    loop {
        let Some(run) = remind_runs::get(&state.db, id).await? else {
            return Ok(());
        };
        if run.finished_at.is_some() {
            return Ok(());
        }
        if !batch(state, &run).await? {
            remind_runs::finish(&state.db, id, store::now()).await?;
            return Ok(());
        }
    }
}

/// The next batch of `run`; false when no store is left.
async fn batch(state: &AppState, run: &RemindRun) -> anyhow::Result<bool> {
    let query: ListQuery = serde_urlencoded::from_str(&run.query)?;
    let mut filter = query.filter();
    filter.after_id = Some(run.after_id);
    let partners = run.partner_ids();
    let sunsets = sunsets(state);
    let stores = state
        .cohort(Some(&partners), &filter, &sunsets, store::now())
        .in_import_order(&state.db, BATCH)
        .await?;
    let Some(last) = stores.last().map(|s| s.id) else {
        return Ok(false);
    };
    let unfinished: Vec<&str> = stores
        .iter()
        .filter(|s| s.step != Progress::At(Step::Complete))
        .map(|s| s.legacy_store_id.as_str())
        .collect();
    let done = nudge(state, &run.actor, &partners, &run.ip, &unfinished).await?;
    let counts = (done.sent as i64, done.skipped as i64);
    remind_runs::advance(&state.db, run.id, counts, last, store::now() + LEASE).await?;
    Ok(true)
}

/// Takes up the runs whose instance stopped (the periodic chores); how many.
pub async fn resume_abandoned(state: &AppState) -> anyhow::Result<usize> {
    let now = store::now();
    let mut resumed = 0;
    for id in remind_runs::abandoned(&state.db, now).await? {
        if remind_runs::claim(&state.db, id, now, now + LEASE).await? {
            spawn(state, id);
            resumed += 1;
        }
    }
    Ok(resumed)
}

/// The run `id` if `user_id` started it.
pub async fn of_user(state: &AppState, user_id: i64, id: i64) -> sqlx::Result<Option<RemindRun>> {
    Ok(remind_runs::get(&state.db, id)
        .await?
        .filter(|r| r.user_id == user_id))
}
