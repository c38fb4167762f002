//! "Remind all matching" as a run beside the requests: a filter can match a million
//! stores, far more than one request can remind. A run goes through the matching stores
//! in id order, a batch at a time, through the same nudge as a chosen few (at most one
//! reminder per store a day, audited), and keeps its counts and its place after each
//! batch. The manager watches it on its own page; a run whose instance stopped is taken
//! up again by the chores of any instance.

use std::time::Duration;

use rand::RngCore;

use super::{
    AppState,
    partner::{ListQuery, nudge, sunsets},
    partner_views::to_remind,
};
use crate::{
    domain::{Step as UpgradeStep, upgrade::Progress},
    store::{
        self,
        remind_runs::{self, NewRun, RemindRun},
    },
};

/// Stores per batch: each batch is a few queries per store and one update of the run.
const BATCH: i64 = 500;

/// How long a run stays with its runner without a batch done before another may take it
/// up.
const LEASE: i64 = 120;

/// Waits before a failed batch is tried again; after the last, the run is let go for
/// the chores to take up.
const RETRIES: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(5),
    Duration::from_secs(25),
];

/// Starts reminding every unfinished store of `partners` that `query` matches; the run's id.
pub async fn start(
    state: &AppState,
    (user_id, actor, ip): (i64, &str, &str),
    partners: &[i64],
    query: &ListQuery,
) -> anyhow::Result<i64> {
    let expected = to_remind(state, partners, query).await?;
    let now = store::now();
    let run = NewRun {
        user_id,
        actor,
        ip,
        partners,
        query: &query.with(&[("page", "")]),
        expected,
    };
    let runner = runner();
    let id = remind_runs::create(&state.db, &run, now, (&runner, now + LEASE)).await?;
    spawn(state, id, runner);
    Ok(id)
}

/// A name for one runner of one run, never used twice.
fn runner() -> String {
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Runs `id` beside the requests as `runner`, until it is done, another runner has it,
/// or the shutdown begins: then it lets the run go, for the next chores to take up.
fn spawn(state: &AppState, id: i64, runner: String) {
    let state = state.clone();
    let mut stopping = state.tasks.stopping();
    state.tasks.clone().spawn(async move {
        let let_go = tokio::select! {
            biased;
            () = stopping.stopped() => true,
            result = run(&state, id, &runner) => result.is_err(),
        };
        if let_go && let Err(e) = remind_runs::release(&state.db, id, &runner).await {
            tracing::error!(error = ?e, run = id, "letting a reminder run go");
        }
    });
}

/// Batch after batch from where the run stands; a failed batch is tried again a few
/// times before the run is let go.
async fn run(state: &AppState, id: i64, runner: &str) -> anyhow::Result<()> {
    let mut failures = 0;
    loop {
        let step = match remind_runs::get(&state.db, id).await {
            Ok(Some(run)) if run.finished_at.is_none() && run.claimed_by == runner => {
                batch(state, &run, runner).await
            }
            Ok(_) => return Ok(()),
            Err(e) => Err(e.into()),
        };
        match step {
            Ok(Step::Next) => failures = 0,
            Ok(Step::Done) => {
                remind_runs::finish(&state.db, id, runner, store::now()).await?;
                return Ok(());
            }
            Ok(Step::Lost) => return Ok(()),
            Err(e) => {
                tracing::warn!(error = ?e, run = id, "a batch of reminders failed");
                let Some(wait) = RETRIES.get(failures) else {
                    return Err(e);
                };
                failures += 1;
                tokio::time::sleep(*wait).await;
            }
        }
    }
}

/// What a batch left to do.
enum Step {
    /// More stores may follow.
    Next,
    /// No store is left.
    Done,
    /// Another runner has the run now.
    Lost,
}

/// The next batch of `run`.
async fn batch(state: &AppState, run: &RemindRun, runner: &str) -> anyhow::Result<Step> {
    let query: ListQuery = serde_urlencoded::from_str(&run.query)?;
    let mut filter = query.filter();
    filter.after_id = Some(run.after_id);
    // Only partners the starter still looks after.
    let now_theirs = remind_runs::partners_now(&state.db, run.user_id).await?;
    let partners: Vec<i64> = run
        .partner_ids()
        .into_iter()
        .filter(|p| now_theirs.contains(p))
        .collect();
    let sunsets = sunsets(state);
    let stores = state
        .cohort(Some(&partners), &filter, &sunsets, store::now())
        .in_import_order(&state.db, BATCH)
        .await?;
    let Some(last) = stores.last().map(|s| s.id) else {
        return Ok(Step::Done);
    };
    let unfinished: Vec<&str> = stores
        .iter()
        .filter(|s| s.step != Progress::At(UpgradeStep::Complete))
        .map(|s| s.legacy_store_id.as_str())
        .collect();
    let done = nudge(state, &run.actor, &partners, &run.ip, &unfinished).await?;
    let counts = (done.sent as i64, done.skipped as i64, last);
    let lease = store::now() + LEASE;
    Ok(
        match remind_runs::advance(&state.db, run, runner, counts, lease).await? {
            true => Step::Next,
            false => Step::Lost,
        },
    )
}

/// Takes up the runs nobody holds any longer (the periodic chores); how many.
pub async fn resume_abandoned(state: &AppState) -> anyhow::Result<usize> {
    let now = store::now();
    let mut resumed = 0;
    for id in remind_runs::abandoned(&state.db, now).await? {
        let runner = runner();
        if remind_runs::claim(&state.db, id, now, (&runner, now + LEASE)).await? {
            spawn(state, id, runner);
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
