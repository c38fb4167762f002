//! Server-Sent Events for an open upgrade page: one `changed` event whenever something
//! happens to the store (an order arrives, the upgrade completes), on any instance. The
//! page reloads itself; without JavaScript it still works by refreshing.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::{Query, State},
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::Stream;

use serde::Deserialize;

use crate::app::AppState;
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
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
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
    let closed: Closed = Box::pin(state.hub.closed());
    let start = Some((watch, stale, closed, Watching::new()));
    let events = futures_util::stream::unfold(start, move |running| async move {
        let (mut watch, stale, mut closed, watching) = running?;
        if !stale {
            tokio::select! {
                // Shutting down: the browser comes back (to another instance, or this
                // one restarted) after the hint.
                () = &mut closed => {
                    return Some((Ok(Event::default().retry(RECONNECT_AFTER)), None));
                }
                changed = watch.changed() => changed?,
            }
        }
        Some((
            Ok(Event::default().event("changed").data(store_id.to_string())),
            Some((watch, false, closed, watching)),
        ))
    });
    // The heartbeat is a comment: a peer that went away is found when writing it fails.
    Sse::new(events).keep_alive(KeepAlive::new().interval(state.config.server.sse_heartbeat))
}

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
