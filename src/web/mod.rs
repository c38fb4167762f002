//! HTTP: the application state, one router per feature, merged here.

pub mod access;
pub mod auth;
pub mod error;
pub mod pages;
pub mod session;
pub mod stores;
pub mod upgrade;

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    routing::get,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer, trace::TraceLayer};

use crate::{config::Config, domain::Catalog, mail::Mailer, platform, store::Db};

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub mailer: Mailer,
}

pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/healthz", get(healthz))
        .merge(auth::router())
        .merge(stores::router())
        .merge(upgrade::router());
    if state.config.sandbox {
        app = app.merge(platform::sandbox::router());
    }
    app.nest_service("/assets", ServeDir::new(state.config.assets_dir.join("public")))
        .fallback(not_found)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
