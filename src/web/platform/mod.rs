//! The platform's routes into Switchyard: signed order events and the gateway's
//! credential verification.

pub mod events;
pub mod gateway;

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
