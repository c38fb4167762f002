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
        tokio::spawn(write(pool, waiting));
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

/// The writer: takes what waits, writes it, answers each caller.
async fn write(pool: AnyPool, mut waiting: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MOST);
    while waiting.recv_many(&mut batch, MOST).await > 0 {
        match together(&pool, &batch).await {
            Ok(recorded) => {
                for (job, recorded) in batch.drain(..).zip(recorded) {
                    // A caller that went away (its request was cancelled) is not told.
                    let _ = job.done.send(Ok(recorded));
                }
            }
            // The database cannot take writes now (a full disk, no connection): every
            // event would fail alike, so each is answered at once, and sent again later.
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
            // One event the database refuses fails the batch: each is written again on
            // its own, and answered as soon as it is.
            Err(e) => {
                tracing::warn!(error = %e, events = batch.len(), "a batch of events failed; writing them one by one");
                for job in batch.drain(..) {
                    let answer = insert(&pool, &job.event).await;
                    let _ = job.done.send(answer);
                }
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
