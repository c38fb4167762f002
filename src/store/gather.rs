//! Group commit of platform events: events recorded at the same moment are written in
//! one statement, so a burst costs one round trip and one commit (one flush to disk)
//! instead of one each. Each caller still hears only after the commit that holds its
//! event: an acknowledged event is a stored one.
//!
//! One writer takes whatever is waiting when it comes round (nothing waits for company,
//! so a lone event costs what it did before). One, on PostgreSQL too: a batch's triggers
//! lock its stores' summed rows until it commits, so a second writer's batch of the same
//! stores would wait for the first's flush anyway, and its batches would be smaller
//! (`BENCHMARKS.md`: 1.96–2.51× raw inserts with one writer, 1.54–1.82× with four). A
//! batch the database refuses is written again one event at a time, each in its own
//! autocommit, so one event it refuses fails only itself; a batch that fails because the
//! database cannot take writes now is answered so at once, every event of it.

use std::panic::AssertUnwindSafe;

use futures_util::{FutureExt, future::BoxFuture};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::events::{Recorded, insert, insert_all};
use crate::domain::platform_event::PlatformEvent;

/// The most events one statement holds.
const MOST: usize = 256;

/// Events waiting to be written, at most; a caller past them waits its turn.
const QUEUE: usize = 4_096;

type Answer = sqlx::Result<Option<Recorded>>;

struct Job {
    event: PlatformEvent,
    done: oneshot::Sender<Answer>,
}

/// The way in to the writer. Cheap to clone; the writer stops when the last clone goes.
#[derive(Clone, Debug)]
pub struct Gather {
    jobs: mpsc::Sender<Job>,
}

impl Gather {
    /// Starts the writer on `pool`.
    pub fn start(pool: AnyPool) -> Self {
        let (jobs, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(run(waiting, move |batch| {
            Box::pin(write(pool.clone(), batch))
        }));
        Gather { jobs }
    }

    /// Records `event` (as [`insert`]), once the transaction holding it has committed.
    pub async fn insert(&self, event: &PlatformEvent) -> Answer {
        let (done, answer) = oneshot::channel();
        let job = Job {
            event: event.clone(),
            done,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// The writer: takes what waits and has `step` write it and answer each caller. A step
/// that panics (a bug, a driver's) refuses its batch, whose callers are told it failed
/// (nothing they sent is acknowledged), and the writer goes on with the next: otherwise
/// every event after it would be refused until a restart.
async fn run(
    mut waiting: mpsc::Receiver<Job>,
    step: impl for<'a> Fn(&'a mut Vec<Job>) -> BoxFuture<'a, ()>,
) {
    let mut batch = Vec::with_capacity(MOST);
    while waiting.recv_many(&mut batch, MOST).await > 0 {
        if AssertUnwindSafe(step(&mut batch))
            .catch_unwind()
            .await
            .is_err()
        {
            tracing::error!(
                events = batch.len(),
                "the event writer failed on a batch; its events were refused"
            );
        }
        // What the step did not answer is answered now, as failed, by dropping it.
        batch.clear();
    }
}

/// Writes `batch` and answers each caller.
async fn write(pool: AnyPool, batch: &mut Vec<Job>) {
    match together(&pool, batch).await {
        Ok(recorded) => {
            for (job, recorded) in batch.drain(..).zip(recorded) {
                // A caller that went away (its request was cancelled) is not told.
                let _ = job.done.send(Ok(recorded));
            }
        }
        // The database cannot take writes now (a full disk, no connection): every event
        // would fail alike, so each is answered at once, and sent again later.
        Err(e) if batch.len() == 1 || super::unavailable(&e) => {
            let reason = e.to_string();
            let mut first = Some(e);
            for job in batch.drain(..) {
                let e = first
                    .take()
                    .unwrap_or_else(|| sqlx::Error::Io(std::io::Error::other(reason.clone())));
                let _ = job.done.send(Err(e));
            }
        }
        // One event the database refuses fails the batch: each is written again on its
        // own, and answered as soon as it is.
        Err(e) => {
            tracing::warn!(error = %e, events = batch.len(), "a batch of events failed; writing them one by one");
            for job in batch.drain(..) {
                let answer = insert(&pool, &job.event).await;
                let _ = job.done.send(answer);
            }
        }
    }
}

/// The batch in one statement, which is its own transaction (autocommitted, and read to
/// its end, so a commit that fails is seen), in order.
async fn together(pool: &AnyPool, batch: &[Job]) -> sqlx::Result<Vec<Option<Recorded>>> {
    if let [job] = batch {
        return Ok(vec![insert(pool, &job.event).await?]);
    }
    let events: Vec<&PlatformEvent> = batch.iter().map(|job| &job.event).collect();
    insert_all(pool, &events).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str) -> (Job, oneshot::Receiver<Answer>) {
        let body = format!(
            r#"{{"id":"{id}","type":"api.error","created_at":"2026-11-23T10:01:00Z","data":{{"merchant_id":"K999999","error_code":"BAD_VALUE"}}}}"#
        );
        let event = crate::domain::platform_event::parse(body.as_bytes()).unwrap();
        let (done, answer) = oneshot::channel();
        (Job { event, done }, answer)
    }

    #[tokio::test]
    async fn a_batch_whose_write_panics_is_refused_and_the_next_is_written() {
        let (jobs, waiting) = mpsc::channel(QUEUE);
        let writer = tokio::spawn(run(waiting, |batch| {
            Box::pin(async move {
                assert!(batch[0].event.id != "evt_boom", "a bug in the writer");
                for job in batch.drain(..) {
                    let _ = job.done.send(Ok(None));
                }
            })
        }));
        let (boom, refused) = job("evt_boom");
        jobs.send(boom).await.unwrap();
        assert!(
            refused.await.is_err(),
            "the panicked batch is not acknowledged"
        );
        let (next, written) = job("evt_next");
        jobs.send(next).await.unwrap();
        assert!(matches!(written.await, Ok(Ok(None))), "the writer goes on");
        drop(jobs);
        writer.await.unwrap();
    }
}
