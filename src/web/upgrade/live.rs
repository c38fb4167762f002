//! Server-Sent Events for an open upgrade page: one `changed` event whenever something
//! happens to the store (an order arrives, the upgrade completes), on any instance. The
//! page reloads itself; without JavaScript it still works by refreshing.

use std::{convert::Infallible, time::Duration};

use axum::{
    Extension,
    body::{Body, Bytes},
    extract::{Query, State},
    http::{
        HeaderValue, Method, Version,
        header::{CACHE_CONTROL, CONTENT_TYPE},
    },
    response::Response,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::{Instant, MissedTickBehavior},
};

use serde::Deserialize;

use crate::app::AppState;
use crate::live::Watch;
use crate::server::handoff::Handoff;
use crate::{store, web::access::StoreReader};

/// What the page showed: the newest event it knew of and the step it was on. Anything
/// newer at connect time is announced at once, so nothing falls between render and connect.
#[derive(Deserialize)]
pub struct Seen {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    step: String,
}

/// The newest event id of a store: what a page "has seen".
pub async fn latest_event_id(state: &AppState, store_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM order_events WHERE store_id = $1")
        .bind(store_id)
        .fetch_one(&state.db.pool)
        .await
}

pub async fn stream(
    State(state): State<AppState>,
    reader: StoreReader,
    Query(seen): Query<Seen>,
    Extension(handoff): Extension<Handoff>,
    method: Method,
) -> Response {
    let store_id = reader.store.id;
    let watch = state.hub.watch(store_id);
    // Watching first, then compared: a change is either newer than this or delivered.
    let latest = latest_event_id(&state, store_id)
        .await
        .unwrap_or(seen.after);
    let current = store::upgrades::for_store(&state.db.pool, store_id)
        .await
        .ok()
        .flatten()
        .map(|u| u.step.as_str())
        .unwrap_or_default();
    let stale = latest > seen.after || (!seen.step.is_empty() && current != seen.step);
    let told = Telling {
        store_id,
        watch,
        stale,
        closed: Box::pin(state.hub.closed()),
        heartbeat: state.config.server.sse_heartbeat,
    };
    // A HEAD request gets the head alone, and its connection stays hyper's.
    if method == Method::GET {
        handoff.take_over(move |socket| told.run(socket));
    }
    // Sent as HTTP/1.0, so its end is the connection's close, which is what hands the
    // socket over (`crate::server::handoff`); browsers read such a stream as any other.
    let mut res = Response::new(Body::from_stream(futures_util::stream::empty::<
        Result<Bytes, Infallible>,
    >()));
    *res.version_mut() = Version::HTTP_10;
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// One open stream, once its head is written: it tells the page of each change of its
/// store, writes a heartbeat (a comment line) so a peer that stopped reading is found,
/// and tells the page when to come back if the server shuts down. It reads the socket
/// too, so a browser that closes the page is let go at once.
struct Telling {
    store_id: i64,
    watch: Watch,
    stale: bool,
    closed: Closed,
    heartbeat: Duration,
}

impl Telling {
    async fn run(mut self, mut socket: TcpStream) {
        let _watching = Watching::new();
        let changed = format!("event: changed\ndata: {}\n\n", self.store_id);
        let retry = format!("retry: {}\n\n", RECONNECT_AFTER.as_millis());
        let mut beat = tokio::time::interval_at(Instant::now() + self.heartbeat, self.heartbeat);
        beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // Nothing is expected from the browser: what it sends is read and dropped.
        let mut ignored = [0u8; 64];
        loop {
            let (frame, last) = if std::mem::take(&mut self.stale) {
                (changed.as_bytes(), false)
            } else {
                tokio::select! {
                    // Shutting down: the browser comes back (to another instance, or
                    // this one restarted) after the hint.
                    () = &mut self.closed => (retry.as_bytes(), true),
                    seen = self.watch.changed() => match seen {
                        Some(()) => (changed.as_bytes(), false),
                        None => return,
                    },
                    _ = beat.tick() => (HEARTBEAT, false),
                    read = socket.read(&mut ignored) => match read {
                        Ok(0) | Err(_) => return,
                        Ok(_) => continue,
                    },
                }
            };
            // A peer that stopped reading is let go after a heartbeat's time.
            let written = tokio::time::timeout(self.heartbeat, socket.write_all(frame)).await;
            if !matches!(written, Ok(Ok(()))) {
                return;
            }
            if last {
                // Closed in order, so the hint is read before the end.
                let _ = socket.shutdown().await;
                return;
            }
        }
    }
}

/// A comment line: ignored by the browser, but written to the socket.
const HEARTBEAT: &[u8] = b":\n\n";

/// How long a browser waits before reconnecting to a stream ended by a shutdown.
const RECONNECT_AFTER: Duration = Duration::from_secs(3);

type Closed = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// One open stream, counted in `switchyard_sse_watchers` for as long as it lives.
struct Watching;

impl Watching {
    fn new() -> Self {
        metrics::gauge!("switchyard_sse_watchers").increment(1.0);
        Self
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        metrics::gauge!("switchyard_sse_watchers").decrement(1.0);
    }
}
