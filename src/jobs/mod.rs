//! Background work: the outbox worker delivers queued jobs (email, partner webhooks),
//! and `maintenance` runs the periodic chores (sunset reminders, refreshing legacy
//! orders).
//!
//! The outbox is worked in lanes ([`Lane`]): each lane has its own loop, its own
//! deliveries at once and its own SMTP connections, so a sign-in link never waits behind
//! bulk reminders or a partner's dead endpoint. Every attempt has a hard deadline; a row
//! whose attempt fails or runs out of time is released for a retry with backoff and
//! jitter, never lost. A lane wakes when a change commits (`Jobs::wake`) and otherwise
//! every few seconds, so rows written by another instance are picked up too.

mod deliver;
mod lane;
pub mod maintenance;
pub mod poll;
pub mod purge;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock, RwLock},
    time::Duration,
};

use secrecy::SecretString;
use tokio::{
    sync::watch,
    task::{AbortHandle, JoinHandle},
};

use crate::{
    config::{Config, MailConfig, OutboxConfig},
    mail::Mailer,
    store::{
        self, Db,
        outbox::{Lane, Wake},
    },
};

/// How often the outbox depth per lane is measured for `/metrics`.
const DEPTH_EVERY: Duration = Duration::from_secs(5);

/// The handle on the outbox worker: wake it after queuing, stop it at shutdown.
#[derive(Clone, Default)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    /// What wakes the lanes.
    wake: Wake,
    stop: watch::Sender<bool>,
    /// Rows this instance has claimed and is delivering.
    in_flight: Mutex<HashMap<i64, AbortHandle>>,
    loops: Mutex<Vec<JoinHandle<()>>>,
    db: OnceLock<Db>,
    /// Per lane: claim nothing before this (the mail relay hangs).
    held: [Mutex<Option<std::time::Instant>>; 4],
    /// Per lane: recent attempts that ran out of their deadline (when, which row).
    timeouts: [Mutex<Vec<(std::time::Instant, i64)>>; 4],
}

/// Attempts at this many different rows must run out of time before a lane holds back:
/// one row timing out says more about its recipient than about the relay.
const RELAY_SUSPECT_ROWS: usize = 2;

impl Inner {
    fn hold(&self, lane: Lane, until: std::time::Instant) {
        if let Ok(mut h) = self.held[lane_index(lane)].lock() {
            *h = Some(h.map_or(until, |t| t.max(until)));
        }
    }

    /// Notes that the attempt at `row` in `lane` ran out of its deadline `probe`. When
    /// attempts at several different rows did so within a few deadlines, the relay
    /// itself likely hangs: the lane holds back for one `probe`, never for a row's own
    /// backoff, so one bad recipient never stops the lane. Returns whether it holds.
    fn timed_out(&self, lane: Lane, row: i64, probe: Duration) -> bool {
        let now = std::time::Instant::now();
        let Ok(mut seen) = self.timeouts[lane_index(lane)].lock() else {
            return false;
        };
        seen.retain(|(at, _)| now.duration_since(*at) <= 3 * probe);
        seen.push((now, row));
        let mut rows: Vec<i64> = seen.iter().map(|(_, id)| *id).collect();
        rows.sort_unstable();
        rows.dedup();
        if rows.len() < RELAY_SUSPECT_ROWS {
            return false;
        }
        seen.clear();
        drop(seen);
        self.hold(lane, now + probe);
        true
    }

    fn held_until(&self, lane: Lane) -> Option<std::time::Instant> {
        self.held[lane_index(lane)].lock().ok().and_then(|h| *h)
    }
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            wake: Default::default(),
            stop: watch::Sender::new(false),
            in_flight: Mutex::default(),
            loops: Mutex::default(),
            db: OnceLock::new(),
            held: Default::default(),
            timeouts: Default::default(),
        }
    }
}

/// What a shutdown left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Deliveries still running when the grace period ended: stopped, and their rows
    /// given back for any instance to deliver at once.
    pub released: usize,
}

/// What delivering needs: the database, the mail transports, an HTTP client for
/// webhooks and the key their secrets derive from.
#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    /// The application's mailer (used as it is unless mail goes out over SMTP).
    pub mailer: Mailer,
    transports: Arc<Transports>,
    pub http: reqwest::Client,
    pub secret_key: SecretString,
    /// Which addresses outbound requests may reach (as for the health check).
    pub reach: crate::config::HealthCheckConfig,
    pub outbox: OutboxConfig,
}

impl Worker {
    pub fn new(db: Db, mailer: Mailer, config: &Config) -> anyhow::Result<Self> {
        // SMTP transports pool their connections; one pool per mail lane keeps bulk
        // mail from holding every connection an urgent email needs.
        let smtp = matches!(config.mail, MailConfig::Smtp(_));
        let own = || -> anyhow::Result<RwLock<Mailer>> {
            Ok(RwLock::new(if smtp {
                Mailer::from_config(&config.mail, &config.mail_from)?
            } else {
                mailer.clone()
            }))
        };
        Ok(Self {
            transports: Arc::new(Transports {
                lanes: [own()?, own()?, own()?],
                renew: smtp.then(|| (config.mail.clone(), config.mail_from.clone())),
            }),
            mailer,
            db,
            http: crate::shop::outbound_client(&config.health_check, "Switchyard-Webhooks")?,
            secret_key: config.secret_key.clone(),
            reach: config.health_check.clone(),
            outbox: config.outbox.clone(),
        })
    }

    /// The transport of `lane` (webhook rows that are emails go with transactional mail).
    fn mailer_for(&self, lane: Lane) -> Mailer {
        match self.transports.lanes[mail_index(lane)].read() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Throws away `lane`'s SMTP transport and its pooled connections for a new one.
    /// An attempt cut off at its deadline leaves its connection mid-conversation: the
    /// relay's late answer would be read by the next email sent on it, which could be
    /// marked sent on another email's `250`. lettre's pool keeps a connection unless it
    /// failed, so the whole pool goes; its other connections close once their sends end.
    fn renew_mailer(&self, lane: Lane) {
        let Some((config, from)) = &self.transports.renew else {
            return;
        };
        match Mailer::from_config(config, from) {
            Ok(fresh) => {
                let slot = &self.transports.lanes[mail_index(lane)];
                match slot.write() {
                    Ok(mut m) => *m = fresh,
                    Err(poisoned) => *poisoned.into_inner() = fresh,
                }
                tracing::info!(
                    lane = lane.as_str(),
                    "outbox: an SMTP attempt ran out of time; its lane's connections are replaced"
                );
            }
            Err(e) => {
                tracing::error!(lane = lane.as_str(), error = ?e, "outbox: cannot renew the SMTP transport")
            }
        }
    }
}

/// The mail transports, one per mail lane, replaced whole after an attempt times out.
struct Transports {
    lanes: [RwLock<Mailer>; 3],
    /// How to build a new SMTP transport (none for the memory and file mailers).
    renew: Option<(MailConfig, String)>,
}

fn mail_index(lane: Lane) -> usize {
    match lane {
        Lane::Urgent => 0,
        Lane::Transactional | Lane::Webhook => 1,
        Lane::Bulk => 2,
    }
}

fn lane_index(lane: Lane) -> usize {
    lane.index()
}

impl Jobs {
    /// The handle that wakes this worker; the application keeps one to call after
    /// committing a transaction that queued work.
    pub fn waker(&self) -> Wake {
        self.inner.wake.clone()
    }

    /// Wakes every lane.
    pub fn wake(&self) {
        self.inner.wake.wake();
    }

    /// Runs one loop per lane, and the depth gauges, until [`Jobs::shutdown`].
    pub fn spawn(&self, worker: Worker) {
        let _ = self.inner.db.set(worker.db.clone());
        let mut loops = Vec::new();
        for lane in Lane::ALL {
            loops.push(tokio::spawn(lane::run(
                lane,
                worker.clone(),
                self.inner.clone(),
            )));
        }
        loops.push(tokio::spawn(measure_depth(
            worker.db.clone(),
            self.inner.stop.subscribe(),
        )));
        if let Ok(mut l) = self.inner.loops.lock() {
            l.extend(loops);
        }
    }

    /// Stops claiming rows, lets deliveries in flight finish within `grace`, then stops
    /// the rest and gives their rows back, so no claim waits out its lease.
    pub async fn shutdown(&self, grace: Duration) -> Stopped {
        let until = tokio::time::Instant::now() + grace;
        self.inner.stop.send_replace(true);
        let loops: Vec<JoinHandle<()>> = self
            .inner
            .loops
            .lock()
            .map(|mut l| l.drain(..).collect())
            .unwrap_or_default();
        for mut l in loops {
            // A loop stops at its next turn; one stuck in a query is stopped.
            if tokio::time::timeout_at(until, &mut l).await.is_err() {
                l.abort();
            }
        }
        while self.in_flight() > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let left: Vec<(i64, AbortHandle)> = self
            .inner
            .in_flight
            .lock()
            .map(|mut m| m.drain().collect())
            .unwrap_or_default();
        for (_, task) in &left {
            task.abort();
        }
        let ids: Vec<i64> = left.iter().map(|(id, _)| *id).collect();
        if let (Some(db), false) = (self.inner.db.get(), ids.is_empty()) {
            match store::outbox::release(&db.pool, &ids).await {
                Ok(n) => tracing::info!(released = n, "outbox: gave back rows still in flight"),
                Err(e) => {
                    tracing::error!(error = ?e, ?ids, "outbox: cannot give back claimed rows; they wait out their lease")
                }
            }
        }
        Stopped {
            released: ids.len(),
        }
    }

    /// Deliveries this instance has running now.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// Sets `switchyard_outbox_depth` and `switchyard_outbox_oldest_age_seconds` per lane.
async fn measure_depth(db: Db, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match store::outbox::depth(&db.pool).await {
            Ok(rows) => {
                let now = store::now();
                for lane in Lane::ALL {
                    let (n, oldest) = rows
                        .iter()
                        .find(|(l, _, _)| l == lane.as_str())
                        .map_or((0, now), |(_, n, oldest)| (*n, *oldest));
                    metrics::gauge!("switchyard_outbox_depth", "lane" => lane.as_str())
                        .set(n as f64);
                    metrics::gauge!("switchyard_outbox_oldest_age_seconds", "lane" => lane.as_str())
                        .set((now - oldest).max(0) as f64);
                }
            }
            Err(e) => tracing::warn!(error = ?e, "outbox: cannot measure the queue"),
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(DEPTH_EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Inner, Lane};

    #[test]
    fn a_lane_holds_back_only_after_different_rows_time_out_and_only_for_one_probe() {
        let inner = Inner::default();
        let probe = Duration::from_secs(60);
        // The same row timing out again says nothing about the relay.
        assert!(!inner.timed_out(Lane::Urgent, 1, probe));
        assert!(!inner.timed_out(Lane::Urgent, 1, probe));
        assert!(inner.held_until(Lane::Urgent).is_none());
        // A second row too: the relay itself likely hangs.
        assert!(inner.timed_out(Lane::Urgent, 2, probe));
        let until = inner.held_until(Lane::Urgent).unwrap();
        assert!(until <= std::time::Instant::now() + probe);
        // Other lanes are not held.
        assert!(inner.held_until(Lane::Bulk).is_none());
    }
}
