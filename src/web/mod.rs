//! HTTP: one set of routes per feature, merged here, and the protections every
//! response gets. Handlers extract, call the application (`crate::app`), and render or
//! redirect.

pub mod access;
pub mod account;
pub mod api;
pub mod audit;
pub mod auth;
pub mod brownouts;
pub mod calendar;
pub mod casework;
pub mod console;
pub mod cookies;
pub mod error;
pub mod extensions;
pub mod frame;
pub mod guard;
pub mod lang;
pub mod legacy;
pub mod members;
pub mod notice;
pub mod openapi;
pub mod pages;
pub mod partner;
pub mod partner_keys;
pub mod partner_views;
pub mod platform;
pub mod rehearsals;
pub mod request;
pub mod requests;
pub mod routes;
pub mod sandbox;
pub mod session;
pub mod staff;
pub mod stores;
pub mod sunsets;
pub mod support;
pub mod text;
pub mod upgrade;
pub mod visitor;
pub mod webhook_log;

use axum::{
    Router,
    extract::{Request, State},
    http::{Method, StatusCode},
    middleware::{self, Next},
    response::Response,
};
use tower_http::services::ServeDir;
use tracing::Instrument;

use crate::app::AppState;
use routes::Routes;

/// Every route of the application, in one place.
pub fn routes(sandbox: bool) -> Routes {
    let r = Routes::default()
        .get("/healthz", healthz)
        .with(auth::routes)
        .with(account::routes)
        .with(stores::routes)
        .with(upgrade::routes)
        .with(legacy::routes)
        .with(members::routes)
        .with(audit::routes)
        .with(staff::routes)
        .with(sunsets::routes)
        .with(calendar::routes)
        .with(brownouts::routes)
        .with(extensions::routes)
        .with(support::routes)
        .with(requests::routes)
        .with(partner::routes)
        .with(partner_keys::routes)
        .with(webhook_log::routes)
        .with(console::routes)
        .with(casework::routes)
        .with(rehearsals::routes)
        .with(api::routes)
        .with(lang::routes)
        .with(platform::gateway::routes)
        .with(platform::events::routes);
    if sandbox { r.with(sandbox::routes) } else { r }
}

/// The (method, path) of every route, for tests that must cover them all.
pub fn route_table(sandbox: bool) -> Vec<(Method, &'static str)> {
    routes(sandbox).table().to_vec()
}

pub fn router(state: AppState) -> Router {
    routes(state.config.sandbox)
        .into_router()
        .nest_service(
            "/assets",
            ServeDir::new(state.config.assets_dir.join("public")),
        )
        .route_layer(middleware::from_fn(request::tag_route))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}

/// What every request passes through once: it gets an id (and a log span carrying it),
/// its language is chosen, a cross-site form post is refused, text that no field may hold
/// is refused, a refusal is shown inside the signed-in person's own page (`frame`), the
/// answer gets the browser's protections, and it is counted and timed. One
/// layer rather than one per concern, as each layer is another future around every
/// request.
async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let id = request::new_id();
    let method = req.method().clone();
    let span = request::span(&id, &req);
    let serve = async {
        let asked = frame::Asked::of(&req);
        let pending = notice::pending(&state, req.headers());
        let kept = state.clone();
        // Boxed: each wrapper around it (language, zone, notice, request id, span) would
        // otherwise hold its own copy of it, and the whole grew past 80 KiB, moved in
        // memory several times per request.
        let answer = lang::negotiate(req, |req| {
            Box::pin(async move {
                let res = match text::checked(req).await {
                    Ok(req) => guard::same_origin(&state, req, next).await,
                    Err(refused) => refused,
                };
                frame::frame(&state, asked, res).await
            })
        });
        let mut res = notice::carry(&kept, pending, answer).await;
        guard::protect(res.headers_mut());
        res
    };
    let mut res = request::with_id(id.clone(), Box::pin(serve))
        .instrument(span)
        .await;
    request::set_header(&mut res, &id);
    request::record(&method, &res, started.elapsed());
    res
}

/// 200 only while the database commits a write: a full disk or a read-only database
/// makes this instance unhealthy until it takes writes again, with no restart.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.takes_writes().await {
        (StatusCode::OK, "ok")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database cannot take writes",
        )
    }
}

async fn not_found() -> error::AppError {
    error::AppError::NotFound
}

#[cfg(test)]
mod tests {
    /// The size of the future `f` returns.
    fn future_size<A, B, C, Fut, F: FnOnce(A, B, C) -> Fut>(_: &F) -> usize {
        std::mem::size_of::<Fut>()
    }

    /// Every request's future is moved in memory a few times on its way through axum;
    /// unboxed, the wrappers in `edge` each held a copy of what they wrap, 82 KiB in all.
    #[test]
    fn the_future_every_request_runs_in_stays_small() {
        let size = future_size(&super::edge);
        assert!(size < 4_096, "edge's future is {size} bytes");
    }
}
