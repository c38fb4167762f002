//! The platform at Switchyard's edge: order events in (intake), and the built-in
//! sandbox platform that speaks the same contract for local use and tests.

pub mod client;
pub mod events;
pub mod gateway;
pub mod health;
pub mod intake;
pub mod poll;
pub mod sandbox;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// The body of every error the platform endpoints answer: `{"error": "…"}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PlatformError {
    pub error: String,
}

pub fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}
