//! Group commit of platform events: events recorded at the same moment are written in
//! one transaction, so a burst costs one commit (one flush to disk) instead of one per
//! event. Each caller still hears only after the commit that holds its event: an
//! acknowledged event is a stored one.
//!
//! Writers take whatever is waiting when they come round (nothing waits for company, so
//! a lone event costs what it did before): one writer on SQLite, which takes one writer
//! at a time anyway, a few on PostgreSQL. A batch that fails is written again one event
//! at a time, each in its own autocommit, so one event the database refuses fails only
//! itself.

use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::{
    Backend,
    events::{Recorded, insert},
};
use crate::domain::platform_event::PlatformEvent;

/// The most events one transaction holds.
const MOST: usize = 256;

/// Events waiting to be written, at most; a caller past them waits its turn.
const QUEUE: usize = 4_096;

type Answer = sqlx::Result<Option<Recorded>>;

struct Job {
    event: PlatformEvent,
    done: oneshot::Sender<Answer>,
}

/// The way in to the writers. Cheap to clone; the writers stop when the last clone goes.
#[derive(Clone, Debug)]
pub struct Gather {
    jobs: mpsc::Sender<Job>,
}

impl Gather {
    /// Starts the writers on `pool`.
    pub fn start(pool: AnyPool, backend: Backend) -> Self {
        let (jobs, waiting) = mpsc::channel(QUEUE);
        let waiting = Arc::new(Mutex::new(waiting));
        let writers = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        for _ in 0..writers {
            tokio::spawn(write(pool.clone(), backend, waiting.clone()));
        }
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

/// One writer: takes what waits, writes it, answers each caller.
async fn write(pool: AnyPool, backend: Backend, waiting: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let batch = {
            let mut waiting = waiting.lock().await;
            let Some(first) = waiting.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MOST {
                match waiting.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        let answers = match together(&pool, backend, &batch).await {
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
        for (job, answer) in batch.into_iter().zip(answers) {
            // A caller that went away (its request was cancelled) is not told.
            let _ = job.done.send(answer);
        }
    }
}

/// The batch in one transaction (a lone event autocommitted, as before), in order.
async fn together(
    pool: &AnyPool,
    backend: Backend,
    batch: &[Job],
) -> sqlx::Result<Vec<Option<Recorded>>> {
    if let [job] = batch {
        return Ok(vec![insert(pool, &job.event).await?]);
    }
    // SQLite's write lock at once, as every transaction that writes takes it.
    let mut tx = match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => pool.begin().await?,
    };
    let mut recorded = Vec::with_capacity(batch.len());
    for job in batch {
        recorded.push(insert(&mut *tx, &job.event).await?);
    }
    tx.commit().await?;
    Ok(recorded)
}
