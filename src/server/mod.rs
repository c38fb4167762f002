//! The HTTP server's own accept loop (hyper-util rather than `axum::serve`), so that a
//! client cannot hoard connections: a request head must arrive within the header
//! timeout, a kept-alive connection without requests is closed after the idle timeout,
//! and over the connection cap a new connection gets a 503 and is closed.

pub mod conn;
pub mod handoff;
pub mod logs;
pub mod metrics;
pub mod watchdog;

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{Router, extract::ConnectInfo};
use hyper::server::conn::http1;
use hyper::{Request, body::Incoming};
use hyper_util::{rt::TokioIo, server::graceful::GracefulShutdown};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
    time::Instant,
};
use tower::ServiceExt;

use crate::config::ServerConfig;
use conn::{TimedBody, Tracked};
use handoff::Handoff;
use watchdog::{Activity, GuardedBody};

/// File descriptors kept back from connections for the database, mail, files and logs.
const RESERVED_FILES: u64 = 256;
/// Refusals being written at once; past it a refused connection is just closed.
const MAX_REFUSING: usize = 64;
/// How long a refusal may take to write and to see the client go.
const REFUSAL_TIME: Duration = Duration::from_secs(1);
/// At most one warning about refused connections in this time (a flood would fill the log).
const REFUSAL_LOG_EVERY: Duration = Duration::from_secs(10);
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\
Connection: close\r\nContent-Length: 0\r\n\r\n";

/// Serves connections from one listener until told to stop, then drains them.
pub struct Server {
    header_timeout: Duration,
    idle_timeout: Duration,
    body_timeout: Duration,
    slots: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
    refusals: Arc<RefusalLog>,
    graceful: GracefulShutdown,
    /// Set when the grace period is over: connections still open are dropped.
    cut: watch::Sender<bool>,
    /// Watched by every connection's task until it ends, a live stream that took its
    /// socket from hyper too: the drain waits for them all.
    taken: watch::Sender<()>,
}

impl Server {
    /// The connection cap is what `config` asks for, or less if the open-file limit
    /// (raised to its hard limit first) leaves less room.
    pub fn new(config: &ServerConfig) -> Self {
        let cap = match raise_open_file_limit() {
            Some(files) => {
                let room = usize::try_from(files.saturating_sub(RESERVED_FILES).max(16))
                    .unwrap_or(usize::MAX);
                if room < config.max_connections {
                    tracing::warn!(
                        open_files = files,
                        configured = config.max_connections,
                        serving = room,
                        "the open-file limit allows fewer connections than configured"
                    );
                }
                config.max_connections.min(room)
            }
            None => config.max_connections,
        };
        Self {
            header_timeout: config.header_timeout,
            idle_timeout: config.idle_timeout,
            body_timeout: config.body_timeout,
            slots: Arc::new(Semaphore::new(cap)),
            refusing: Arc::new(Semaphore::new(MAX_REFUSING)),
            refusals: Arc::default(),
            graceful: GracefulShutdown::new(),
            cut: watch::channel(false).0,
            taken: watch::channel(()).0,
        }
    }

    /// Accepts connections until `stop` resolves; then the listener is closed, so no new
    /// connection is taken. Call [`Server::drain`] next.
    pub async fn accept_until(
        &self,
        listener: TcpListener,
        router: Router,
        stop: impl Future<Output = ()>,
    ) {
        // HTTP/1.1 alone: browsers speak HTTP/2 only over TLS, which the proxy in front
        // ends. Guessing the version first costs every connection a read buffer of twice
        // the size (16 KiB rather than 8), held as long as a live stream is open.
        let mut builder = http1::Builder::new();
        // The header timeout is kept by `watchdog::Activity`, apart from the idle timeout.
        builder.header_read_timeout(None);
        tokio::pin!(stop);
        loop {
            let accepted = tokio::select! {
                biased;
                () = &mut stop => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, remote)) => match self.slots.clone().try_acquire_owned() {
                    Ok(slot) => self.serve(&builder, stream, remote, router.clone(), slot),
                    Err(_) => self.refuse(stream, remote),
                },
                Err(e) if is_per_connection(&e) => {}
                Err(e) => {
                    // Out of file descriptors, mostly: wait rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    ::metrics::counter!("switchyard_accept_errors_total").increment(1);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        tracing::info!(
            open = self.graceful.count(),
            "stopped accepting connections; letting requests in flight finish"
        );
    }

    /// Lets the connections finish what they are doing until `until`: idle ones close at
    /// once, a request in flight gets its response. Then any left are cut.
    pub async fn drain(self, until: Instant) {
        let Self {
            graceful,
            taken,
            cut,
            ..
        } = self;
        let finished = async {
            graceful.shutdown().await;
            // Live streams that took their socket over end once told to come back later.
            taken.closed().await;
        };
        if tokio::time::timeout_at(until, finished).await.is_err() {
            tracing::warn!("requests still running when the grace period ended were cut off");
            let _ = cut.send(true);
        }
    }

    fn serve(
        &self,
        builder: &http1::Builder,
        stream: TcpStream,
        remote: SocketAddr,
        router: Router,
        slot: OwnedSemaphorePermit,
    ) {
        let _ = stream.set_nodelay(true);
        let activity = Activity::new(self.header_timeout, self.idle_timeout);
        let handoff = Handoff::default();
        let io = TokioIo::new(Tracked::new(stream, activity.clone(), handoff.clone()));
        let requests = activity.clone();
        let offer = handoff.clone();
        let body_timeout = self.body_timeout;
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let guard = requests.request_started();
            let expired = Arc::new(AtomicBool::new(false));
            let mut req = req.map(|body| {
                axum::body::Body::new(TimedBody::new(body, body_timeout, expired.clone()))
            });
            // Handlers read the peer's address (rate limits, audit) as axum::serve gives it.
            req.extensions_mut().insert(ConnectInfo(remote));
            req.extensions_mut().insert(offer.clone());
            let router = router.clone();
            async move {
                let mut res = router.oneshot(req).await?;
                if expired.load(Ordering::Acquire) {
                    // Whatever the handler made of a body that stopped coming: the
                    // client was too slow, and the rest of its body is not waited for.
                    tracing::info!(%remote, "a request body did not arrive in time");
                    ::metrics::counter!("switchyard_connections_closed_total", "reason" => "body_timeout")
                        .increment(1);
                    res = body_timed_out();
                }
                Ok::<_, std::convert::Infallible>(res.map(|body| GuardedBody::new(body, guard)))
            }
        });
        let connection = self.graceful.watch(builder.serve_connection(io, service));
        let mut cut = self.cut.subscribe();
        // Held until the task ends, so the drain waits for a stream that took the socket.
        let running = self.taken.subscribe();
        ::metrics::counter!("switchyard_connections_accepted_total").increment(1);
        ::metrics::gauge!("switchyard_connections_open").increment(1.0);
        tokio::spawn(async move {
            tokio::select! {
                result = connection => if let Err(e) = result {
                    tracing::debug!(%remote, error = %e, "connection ended with an error");
                },
                reason = activity.expired() => {
                    tracing::debug!(%remote, reason, "closing a connection");
                    ::metrics::counter!("switchyard_connections_closed_total", "reason" => reason)
                        .increment(1);
                }
                _ = cut.wait_for(|cut| *cut) => {}
            }
            // A response took the socket over: it goes on here, still in its slot.
            if let Some(rest) = handoff.take() {
                tokio::select! {
                    () = rest => {}
                    _ = cut.wait_for(|cut| *cut) => {}
                }
            }
            ::metrics::gauge!("switchyard_connections_open").decrement(1.0);
            drop((slot, running));
        });
    }

    /// Over the cap: a 503 the client can read, then the connection is closed.
    fn refuse(&self, mut stream: TcpStream, remote: SocketAddr) {
        ::metrics::counter!("switchyard_connections_refused_total").increment(1);
        self.refusals.note(remote);
        // Past MAX_REFUSING at once the stream is dropped here: closed without a word.
        let Ok(permit) = self.refusing.clone().try_acquire_owned() else {
            return;
        };
        tokio::spawn(async move {
            let _permit = permit;
            let _ = tokio::time::timeout(REFUSAL_TIME, async {
                stream.write_all(REFUSAL).await?;
                stream.shutdown().await?;
                // Closing with the request unread would reset the connection, and the
                // client could lose the answer: read until it goes.
                let mut sink = [0u8; 4096];
                while stream.read(&mut sink).await? > 0 {}
                Ok::<_, std::io::Error>(())
            })
            .await;
        });
    }
}

/// The answer to a request whose body did not arrive in time; the connection is closed
/// after it.
fn body_timed_out() -> axum::response::Response {
    let mut res = axum::response::Response::new(axum::body::Body::empty());
    *res.status_mut() = hyper::StatusCode::REQUEST_TIMEOUT;
    res.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    res
}

/// Counts refused connections and warns about them now and then.
#[derive(Default)]
struct RefusalLog {
    since_warning: AtomicU64,
    last_warning: Mutex<Option<Instant>>,
}

impl RefusalLog {
    fn note(&self, remote: SocketAddr) {
        let count = self.since_warning.fetch_add(1, Ordering::Relaxed) + 1;
        let mut last = self
            .last_warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.is_none_or(|at| at.elapsed() >= REFUSAL_LOG_EVERY) {
            *last = Some(Instant::now());
            self.since_warning.store(0, Ordering::Relaxed);
            tracing::warn!(
                %remote,
                refused = count,
                "connection limit reached: refusing new connections"
            );
        }
    }
}

/// Errors of one connection that went away before it was accepted.
fn is_per_connection(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Raises the soft open-file limit to the hard one: each connection is a file, and the
/// usual soft limit of 1,024 ran out under 1,100 idle sockets. Returns the limit now in
/// force, if the platform has one.
fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::info!(open_files = limit, "open-file limit");
            Some(limit)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft)
        }
    }
}
