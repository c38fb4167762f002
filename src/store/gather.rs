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
//! batch that fails is written again one event at a time, each in its own autocommit, so
//! one event the database refuses fails only itself.

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
        let answers = match together(&pool, &batch).await {
            Ok(recorded) => recorded.into_iter().map(Ok).collect(),
            Err(e) if batch.len() == 1 => vec![Err(e)],
            Err(e) => {
                tracing::warn!(error = %e, events = batch.len(), "a batch of events failed; writing them one by one");
                let mut answers = Vec::with_capacity(batch.len());
                for job in &batch {
                    answers.push(insert(&pool, &job.event).await);
                }
                answers
            }
        };
        for (job, answer) in batch.drain(..).zip(answers) {
            // A caller that went away (its request was cancelled) is not told.
            let _ = job.done.send(answer);
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
