//! HTTP: the application state, one set of routes per feature, merged here, and the
//! protections every response gets.

pub mod access;
pub mod account;
pub mod api;
pub mod audit;
pub mod auth;
pub mod console;
pub mod error;
pub mod guard;
pub mod lang;
pub mod legacy;
pub mod members;
pub mod openapi;
pub mod pages;
pub mod partner;
pub mod partner_keys;
pub mod routes;
pub mod session;
pub mod staff;
pub mod stores;
pub mod support;
pub mod upgrade;

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, Method, StatusCode, header},
    middleware,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer, trace::TraceLayer};

use crate::{config::Config, domain::Catalog, mail::Mailer, platform, store::Db};
use routes::Routes;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub mailer: Mailer,
    pub hub: crate::live::Hub,
    pub jobs: crate::jobs::Jobs,
    /// This instance's own address (for the sandbox, which calls the app over HTTP).
    pub self_url: String,
    /// The platform's order-management API.
    pub platform: platform::client::PlatformClient,
    /// The partner dashboard's charts, per cohort, for a minute.
    pub charts: partner::ChartCache,
    /// The current terms PDF's fingerprint per store, for the terms page.
    pub terms_fingerprints: upgrade::document::Fingerprints,
}

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
        .with(support::routes)
        .with(partner::routes)
        .with(partner_keys::routes)
        .with(console::routes)
        .with(api::routes)
        .with(lang::routes)
        .with(platform::gateway::routes)
        .with(platform::events::routes);
    if sandbox {
        r.with(platform::sandbox::routes)
    } else {
        r
    }
}

/// The (method, path) of every route, for tests that must cover them all.
pub fn route_table(sandbox: bool) -> Vec<(Method, &'static str)> {
    routes(sandbox).table().to_vec()
}

pub fn router(state: AppState) -> Router {
    let mut router = routes(state.config.sandbox)
        .into_router()
        .nest_service(
            "/assets",
            ServeDir::new(state.config.assets_dir.join("public")),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .layer(middleware::from_fn(guard::no_store_for_pages))
        .layer(middleware::from_fn(lang::negotiate));
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Ignored by current browsers (the CSP does the work); set because scanners and
        // older browsers look for it.
        (
            header::HeaderName::from_static("x-xss-protection"),
            "1; mode=block",
        ),
        // Browsers ignore HSTS over plain http, so sending it always is harmless and
        // protects every https deployment, whatever its base URL says.
        (
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ] {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router.layer(TraceLayer::new_for_http()).with_state(state)
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

async fn not_found() -> error::AppError {
    error::AppError::NotFound
}
