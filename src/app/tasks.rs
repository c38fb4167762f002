//! Work the application runs beside its requests, that a shutdown must wait for before
//! the database closes: what a request promised after its answer was written (a sign-in
//! link to queue), and the background loops (chores, polling), which are told to stop.

use std::{
    pin::pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use tokio::{
    sync::{Notify, watch},
    time::Instant,
};

/// A handle on the tracked tasks; clones share them.
#[derive(Clone)]
pub struct Tasks {
    inner: Arc<Inner>,
}

struct Inner {
    running: AtomicUsize,
    /// Wakes the shutdown when a task ends.
    ended: Notify,
    stop: watch::Sender<bool>,
}

impl Default for Tasks {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                running: AtomicUsize::new(0),
                ended: Notify::new(),
                stop: watch::Sender::new(false),
            }),
        }
    }
}

/// The shutdown has begun, once [`Stopping::stopped`] resolves.
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    pub async fn stopped(&mut self) {
        // An error means the sender is gone: nothing will run these tasks any longer.
        let _ = self.0.wait_for(|s| *s).await;
    }
}

/// Counts one task as running until dropped (it ended, or was cancelled).
struct Running(Arc<Inner>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::AcqRel);
        self.0.ended.notify_waiters();
    }
}

impl Tasks {
    /// Runs `task` on its own; a shutdown waits for it (within its deadline) before the
    /// database closes.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.inner.running.fetch_add(1, Ordering::AcqRel);
        let running = Running(self.inner.clone());
        tokio::spawn(async move {
            let _running = running;
            task.await;
        });
    }

    /// For a background loop: resolves when the shutdown begins. A loop races each of
    /// its turns and pauses against it, and ends when it wins.
    pub fn stopping(&self) -> Stopping {
        Stopping(self.inner.stop.subscribe())
    }

    /// Tasks running now.
    pub fn running(&self) -> usize {
        self.inner.running.load(Ordering::Acquire)
    }

    /// Tells the loops to stop; tasks already running go on.
    pub fn stop(&self) {
        self.inner.stop.send_replace(true);
    }

    /// Stops the loops and waits until every task has ended, or `until`; returns how many
    /// were still running then.
    pub async fn shutdown(&self, until: Instant) -> usize {
        self.stop();
        loop {
            let mut ended = pin!(self.inner.ended.notified());
            ended.as_mut().enable();
            let running = self.running();
            if running == 0 {
                return 0;
            }
            tokio::select! {
                () = ended => {}
                () = tokio::time::sleep_until(until) => return self.running(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_shutdown_waits_for_a_task_and_stops_a_loop() {
        let tasks = Tasks::default();
        let (go, gone) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel::<&str>();
        let task_done = done_tx.clone();
        tasks.spawn(async move {
            let _ = gone.await;
            let _ = task_done.send("task");
        });
        let mut stopping = tasks.stopping();
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = stopping.stopped() => return,
                    () = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
                }
            }
        });
        assert_eq!(tasks.running(), 2);
        let waiting = tokio::spawn({
            let tasks = tasks.clone();
            async move {
                tasks
                    .shutdown(Instant::now() + std::time::Duration::from_secs(3600))
                    .await
            }
        });
        let _ = go.send(());
        assert_eq!(waiting.await.ok(), Some(0));
        assert_eq!(done.recv().await, Some("task"));
        drop(done_tx);
    }

    #[tokio::test]
    async fn a_shutdown_gives_up_at_its_deadline() {
        let tasks = Tasks::default();
        tasks.spawn(std::future::pending());
        assert_eq!(tasks.shutdown(Instant::now()).await, 1);
    }
}
