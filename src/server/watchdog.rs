//! One connection's clock: when it last finished a response, whether a request head is
//! arriving and since when, how many requests are open, whether a response is being
//! written and when a byte last moved. The watchdog closes the connection when a head
//! takes longer than the header timeout (slowloris), when it sits without a request for
//! longer than the idle timeout, or when a response is being written and no byte moved
//! either way for the idle timeout (a reader that stopped reading; a live stream writes a
//! heartbeat well within it). A request's body has its own deadline:
//! [`super::conn::TimedBody`].
//!
//! hyper's own `header_read_timeout` starts when it begins waiting for a head, so it also
//! ends an idle keep-alive connection: one knob for two things. Watching the bytes gives
//! each its own limit.

use std::{
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use axum::body::{Body, Bytes, HttpBody};
use tokio::{sync::Notify, time::Instant};

#[derive(Debug)]
struct State {
    /// Requests whose response has not been written to the end yet.
    open_requests: usize,
    /// The first byte of a request head that has not been completed.
    head_since: Option<Instant>,
    /// The last time the connection had nothing left to do.
    idle_since: Instant,
    /// Responses whose head has been handed to the connection to write.
    writing: usize,
    /// The last time a byte was read or written, or a response began.
    moved_at: Instant,
    /// When the watchdog looks next, if it is waiting. A change that brings a deadline
    /// sooner wakes it; one that does not is seen when it looks. So a busy kept-alive
    /// connection does not wake its watchdog twice per request, only once per timeout.
    looks_at: Option<Instant>,
}

impl State {
    /// Whether the watchdog must be woken for a deadline at `at`: it would look too late.
    fn looks_after(&self, at: Instant) -> bool {
        self.looks_at.is_none_or(|looks| at < looks)
    }
}

/// Shared by a connection's socket, its service and its watchdog.
#[derive(Debug)]
pub struct Activity {
    state: Mutex<State>,
    /// How long a request head may take to arrive.
    header: Duration,
    /// How long a connection may sit without a request, or a response without a byte.
    idle: Duration,
    /// Wakes the watchdog when a deadline came sooner than it was going to look.
    sooner: Notify,
}

/// Why the watchdog closed a connection (a metric label and a log field).
pub type Reason = &'static str;

impl Activity {
    pub fn new(header: Duration, idle: Duration) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                open_requests: 0,
                head_since: None,
                idle_since: Instant::now(),
                writing: 0,
                moved_at: Instant::now(),
                looks_at: None,
            }),
            header,
            idle,
            sooner: Notify::new(),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes `change`, which returns the deadline it brings, if any; the watchdog is woken
    /// when that comes before it would look.
    fn change(&self, change: impl FnOnce(&mut State) -> Option<Instant>) {
        let sooner = self.with(|s| change(s).is_some_and(|at| s.looks_after(at)));
        if sooner {
            self.sooner.notify_one();
        }
    }

    pub(super) fn bytes_read(&self) {
        self.change(|s| {
            let now = Instant::now();
            s.moved_at = now;
            // The first byte of a head: it is due within the header timeout.
            let starts = s.open_requests == 0 && s.head_since.is_none();
            starts.then(|| {
                s.head_since = Some(now);
                now + self.header
            })
        });
    }

    pub(super) fn bytes_written(&self) {
        self.with(|s| s.moved_at = Instant::now());
    }

    /// A request head was read completely: the service has it.
    pub fn request_started(self: &Arc<Self>) -> RequestGuard {
        self.with(|s| {
            s.open_requests += 1;
            s.head_since = None;
        });
        RequestGuard {
            activity: self.clone(),
            writing: false,
        }
    }

    fn deadline(&self, s: &State) -> Option<(Instant, Reason)> {
        match (s.open_requests, s.head_since) {
            (0, Some(since)) => Some((since + self.header, "header_timeout")),
            (0, None) => Some((s.idle_since + self.idle, "idle_timeout")),
            _ if s.writing > 0 => Some((s.moved_at + self.idle, "stalled")),
            // The service is still working on its answer (reading the body has its own
            // deadline).
            _ => None,
        }
    }

    /// When the watchdog looks next and what it finds then if nothing changes, noted as
    /// when it looks.
    fn next_look(&self) -> (Instant, Reason) {
        self.with(|s| {
            // Busy: the service is working on an answer. Look again later; a response
            // starting is no sooner than that.
            let (at, reason) = self
                .deadline(s)
                .unwrap_or_else(|| (Instant::now() + self.idle, "busy"));
            s.looks_at = Some(at);
            (at, reason)
        })
    }

    /// Resolves when the connection has overstayed one of its timeouts.
    pub async fn expired(&self) -> Reason {
        loop {
            // Asked for before the state is read, so a change right after is not missed.
            let sooner = self.sooner.notified();
            let (at, reason) = self.next_look();
            if at <= Instant::now() {
                return reason;
            }
            // Then look again: a request may have come and gone meanwhile.
            tokio::select! {
                _ = tokio::time::sleep_until(at) => {}
                _ = sooner => {}
            }
        }
    }
}

/// Open while a request is being answered; dropped when its response was written to the
/// end, or the connection went away.
pub struct RequestGuard {
    activity: Arc<Activity>,
    /// Its response is being written.
    writing: bool,
}

impl RequestGuard {
    /// The response's head is handed to the connection: from now on bytes must move.
    fn response_started(&mut self) {
        if !self.writing {
            self.writing = true;
            let idle = self.activity.idle;
            self.activity.change(|s| {
                s.writing += 1;
                s.moved_at = Instant::now();
                Some(s.moved_at + idle)
            });
        }
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let (writing, idle) = (self.writing, self.activity.idle);
        self.activity.change(|s| {
            s.open_requests = s.open_requests.saturating_sub(1);
            if writing {
                s.writing = s.writing.saturating_sub(1);
            }
            s.idle_since = Instant::now();
            (s.open_requests == 0).then_some(s.idle_since + idle)
        });
    }
}

/// A response body that holds its request open until it has been sent.
pub struct GuardedBody {
    inner: Body,
    _guard: RequestGuard,
}

impl GuardedBody {
    pub fn new(inner: Body, mut guard: RequestGuard) -> Self {
        guard.response_started();
        Self {
            inner,
            _guard: guard,
        }
    }
}

impl HttpBody for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    const HEADER: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(60);

    fn activity() -> Arc<Activity> {
        Activity::new(HEADER, IDLE)
    }

    fn deadline(a: &Activity) -> Option<(Instant, Reason)> {
        a.with(|s| a.deadline(s))
    }

    /// Whether the watchdog was asked to look again since it last looked.
    fn woken(a: &Activity) -> bool {
        a.sooner.notified().now_or_never().is_some()
    }

    #[test]
    fn an_idle_connection_is_due_after_the_idle_timeout() {
        let a = activity();
        let (at, reason) = deadline(&a).unwrap();
        assert_eq!(reason, "idle_timeout");
        assert!(at > Instant::now() + HEADER);
    }

    #[test]
    fn a_started_head_is_due_after_the_header_timeout() {
        let a = activity();
        a.bytes_read();
        let (at, reason) = deadline(&a).unwrap();
        assert_eq!(reason, "header_timeout");
        assert!(at <= Instant::now() + HEADER);
    }

    #[test]
    fn an_open_request_never_expires_and_its_end_restarts_the_idle_clock() {
        let a = activity();
        a.bytes_read();
        let guard = a.request_started();
        assert!(deadline(&a).is_none());
        // Body bytes of the open request do not start a head.
        a.bytes_read();
        assert!(deadline(&a).is_none());
        drop(guard);
        let (_, reason) = deadline(&a).unwrap();
        assert_eq!(reason, "idle_timeout");
    }

    #[test]
    fn a_response_being_written_is_due_when_no_byte_moves_for_the_idle_timeout() {
        let a = activity();
        a.bytes_read();
        let mut guard = a.request_started();
        guard.response_started();
        let (at, reason) = deadline(&a).unwrap();
        assert_eq!(reason, "stalled");
        assert!(at <= Instant::now() + IDLE);
        drop(guard);
        let (_, reason) = deadline(&a).unwrap();
        assert_eq!(reason, "idle_timeout");
    }

    /// A head that starts while the watchdog waits out the idle timeout is due sooner
    /// than it would look: it is woken. Requests after that, on a busy kept-alive
    /// connection, are due no sooner than it already looks, and do not wake it.
    #[test]
    fn the_watchdog_is_woken_only_for_a_deadline_sooner_than_it_looks() {
        let a = activity();
        let (_, reason) = a.next_look();
        assert_eq!(reason, "idle_timeout");
        a.bytes_read();
        assert!(woken(&a), "a head starting on an idle connection");
        let (_, reason) = a.next_look();
        assert_eq!(reason, "header_timeout");
        for _ in 0..3 {
            let mut guard = a.request_started();
            guard.response_started();
            drop(guard);
            a.bytes_read();
        }
        assert!(!woken(&a), "requests on a busy kept-alive connection");
        // When it looks, it finds the head that is arriving now.
        let (at, reason) = a.next_look();
        assert_eq!(reason, "header_timeout");
        assert!(at > Instant::now() + HEADER - Duration::from_secs(1));
    }

    /// With a header timeout longer than the idle timeout, a request's end brings the
    /// deadline before the head's that the watchdog was waiting for.
    #[test]
    fn the_end_of_a_request_wakes_the_watchdog_when_idling_is_due_sooner() {
        let a = Activity::new(IDLE, HEADER);
        a.bytes_read();
        let _ = woken(&a);
        let (_, reason) = a.next_look();
        assert_eq!(reason, "header_timeout");
        let guard = a.request_started();
        drop(guard);
        assert!(woken(&a));
        assert_eq!(a.next_look().1, "idle_timeout");
    }

    /// The watchdog itself, on a real clock: a response whose start did not wake it is
    /// still closed once no byte has moved for the idle timeout, and not while bytes move.
    #[tokio::test]
    async fn a_response_that_stops_moving_is_closed_after_the_idle_timeout() {
        let idle = Duration::from_millis(300);
        let a = Activity::new(Duration::from_millis(200), idle);
        let watchdog = tokio::spawn({
            let a = a.clone();
            async move { a.expired().await }
        });
        a.bytes_read();
        let mut guard = a.request_started();
        tokio::time::sleep(Duration::from_millis(50)).await;
        guard.response_started();
        let started = Instant::now();
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            a.bytes_written();
        }
        assert!(!watchdog.is_finished(), "closed while bytes were moving");
        // The reader stops reading: nothing moves any more.
        let reason = tokio::time::timeout(Duration::from_secs(3), watchdog).await;
        assert_eq!(reason.expect("closed in time").unwrap(), "stalled");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(600) + idle && waited < Duration::from_secs(3),
            "closed {waited:?} after the response began"
        );
        drop(guard);
    }
}
