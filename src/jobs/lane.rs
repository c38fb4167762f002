//! One lane's loop: claim due rows while a delivery slot (and, for bulk mail, the pace)
//! allows, deliver each in a task of its own, wait for a slot, a wake-up or the poll.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::{Inner, Worker, deliver};
use crate::store::{
    self,
    outbox::{Lane, OutboxRow},
};

const IDLE_POLL: Duration = Duration::from_secs(2);
/// A claim outlives the attempt's deadline by this much, so a row is never claimed
/// twice while an attempt on it can still be running.
const LEASE_MARGIN_SECONDS: i64 = 30;

/// Delivery slots of one kind: mail lanes have one; the webhook lane has one for
/// healthy endpoints and a smaller one for endpoints already marked failing, so however
/// many endpoints are dead, the healthy ones keep their slots.
struct Slots {
    /// For webhooks: whether these slots are for failing endpoints.
    failing: bool,
    slots: Arc<Semaphore>,
}

pub(super) async fn run(lane: Lane, worker: Worker, inner: Arc<Inner>) {
    let concurrency = worker.outbox.concurrency.max(1);
    let mut pools = vec![Slots {
        failing: false,
        slots: Arc::new(Semaphore::new(concurrency)),
    }];
    if lane == Lane::Webhook {
        pools.push(Slots {
            failing: true,
            slots: Arc::new(Semaphore::new((concurrency / 4).max(1))),
        });
    }
    let done = Arc::new(Notify::new());
    let mut pace =
        (lane == Lane::Bulk).then(|| Pace::per_minute(worker.outbox.bulk_per_minute, concurrency));
    let mut stop = inner.stop.subscribe();
    loop {
        if *stop.borrow() {
            break;
        }
        let held = inner
            .held_until(lane)
            .filter(|until| *until > Instant::now());
        let mut full = false;
        for pool in &pools {
            let mut free = if held.is_some() {
                0
            } else {
                pool.slots.available_permits()
            };
            if let Some(p) = &mut pace {
                free = free.min(p.available(Instant::now()));
            }
            if free == 0 {
                continue;
            }
            match claim(&worker, lane, free, pool.failing).await {
                Ok(rows) => {
                    full |= rows.len() == free;
                    for row in rows {
                        if let Some(p) = &mut pace {
                            p.take();
                        }
                        match pool.slots.clone().try_acquire_owned() {
                            Ok(permit) => {
                                start(&inner, &worker, lane, row, pool.failing, permit, &done)
                            }
                            // Cannot happen (only this loop takes slots); the claim
                            // lapses and the row is retried.
                            Err(_) => break,
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(lane = lane.as_str(), error = ?e, "outbox: cannot claim rows")
                }
            }
        }
        if full {
            continue;
        }
        let pause = pace
            .as_ref()
            .and_then(Pace::wait)
            .into_iter()
            .chain(held.map(|until| until - Instant::now()))
            .fold(IDLE_POLL, Duration::min);
        tokio::select! {
            _ = inner.wake.notified(lane) => {}
            _ = done.notified() => {}
            _ = stop.changed() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// Claims up to `n` due rows of `lane` (for webhooks: of failing endpoints or of the
/// others, per `failing`).
async fn claim(
    worker: &Worker,
    lane: Lane,
    n: usize,
    failing: bool,
) -> sqlx::Result<Vec<OutboxRow>> {
    let pool = &worker.db.pool;
    let candidates = match lane {
        Lane::Webhook => store::outbox::due_per_destination(pool, n as i64, failing).await?,
        // Some may be claimed by another instance meanwhile: ask for a few more.
        _ => store::outbox::due(pool, lane, 2 * n as i64).await?,
    };
    // The longest deadline: whether an endpoint fails may change before the attempt.
    let lease = deliver::deadline(worker, lane, false).as_secs() as i64 + LEASE_MARGIN_SECONDS;
    let mut claimed = Vec::new();
    for row in candidates {
        if claimed.len() == n {
            break;
        }
        if store::outbox::claim(pool, row.id, lease).await? {
            claimed.push(row);
        }
    }
    Ok(claimed)
}

/// Delivers `row` in a task of its own, known to [`Inner::in_flight`] until it ends.
fn start(
    inner: &Arc<Inner>,
    worker: &Worker,
    lane: Lane,
    row: OutboxRow,
    failing: bool,
    slot: OwnedSemaphorePermit,
    done: &Arc<Notify>,
) {
    let Ok(mut in_flight) = inner.in_flight.lock() else {
        return;
    };
    let id = row.id;
    let (inner2, worker, done) = (inner.clone(), worker.clone(), done.clone());
    // Registered under the lock, so the task's own removal always comes after.
    let task = tokio::spawn(async move {
        let outcome = deliver::attempt(&worker, lane, &row, failing).await;
        if deliver::settle(&worker, lane, &row, outcome).await {
            let probe = deliver::deadline(&worker, lane, failing);
            if inner2.timed_out(lane, id, probe) {
                tracing::warn!(
                    lane = lane.as_str(),
                    wait = probe.as_secs(),
                    "outbox: the mail relay did not answer several emails in time; the lane waits"
                );
            }
        }
        if let Ok(mut m) = inner2.in_flight.lock() {
            m.remove(&id);
        }
        drop(slot);
        done.notify_one();
    });
    in_flight.insert(id, task.abort_handle());
}

/// A token bucket: `per_minute` tokens a minute, at most `burst` saved up.
struct Pace {
    per_second: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Pace {
    fn per_minute(per_minute: u32, burst: usize) -> Self {
        Self::starting(per_minute, burst, Instant::now())
    }

    fn starting(per_minute: u32, burst: usize, at: Instant) -> Self {
        Self {
            per_second: f64::from(per_minute.max(1)) / 60.0,
            burst: burst as f64,
            tokens: burst as f64,
            at,
        }
    }

    /// Whole tokens at `now`.
    fn available(&mut self, now: Instant) -> usize {
        self.tokens =
            (self.tokens + (now - self.at).as_secs_f64() * self.per_second).min(self.burst);
        self.at = now;
        self.tokens.max(0.0).floor() as usize
    }

    fn take(&mut self) {
        self.tokens -= 1.0;
    }

    /// How long until the next token, if there is none now.
    fn wait(&self) -> Option<Duration> {
        (self.tokens < 1.0).then(|| Duration::from_secs_f64((1.0 - self.tokens) / self.per_second))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::Pace;

    #[test]
    fn the_pace_allows_a_burst_then_one_per_interval() {
        let start = Instant::now();
        let mut pace = Pace::starting(120, 3, start);
        assert_eq!(pace.available(start), 3);
        for _ in 0..3 {
            pace.take();
        }
        assert_eq!(pace.available(start), 0);
        assert_eq!(pace.wait(), Some(Duration::from_millis(500)));
        let later = start + Duration::from_millis(500);
        assert_eq!(pace.available(later), 1);
        pace.take();
        // An hour idle saves up no more than the burst.
        assert_eq!(pace.available(later + Duration::from_secs(3600)), 3);
    }
}
