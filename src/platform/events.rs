//! `POST /platform/v1/events`: signed events from the platform. The signature and its
//! time are checked before anything is parsed or written; a replayed id changes nothing.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use secrecy::ExposeSecret;
use serde_json::json;

use super::{
    intake::{self, Outcome, Sinks},
    json_error,
};
use crate::{
    domain::platform_event::{self, SIGNATURE_HEADER},
    store,
    web::{AppState, routes::Routes},
};

pub fn routes(r: Routes) -> Routes {
    r.post("/platform/v1/events", receive)
}

impl AppState {
    pub fn sinks(&self) -> Sinks<'_> {
        Sinks {
            hub: &self.hub,
            jobs: &self.jobs,
            base_url: &self.config.base_url,
        }
    }
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(secret) = &state.config.webhook_secret else {
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "platform events are not configured: set SWITCHYARD_WEBHOOK_SECRET",
        );
    };
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = platform_event::verify_signature(
        signature,
        &body,
        secret.expose_secret().as_bytes(),
        store::now(),
    ) {
        tracing::warn!(error = %e, "platform event refused");
        return json_error(StatusCode::UNAUTHORIZED, &e.to_string());
    }
    let event = match platform_event::parse(&body) {
        Ok(e) => e,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": e.to_string(), "field": e.field})),
            )
                .into_response();
        }
    };
    match intake::record(&state.db, state.sinks(), &event).await {
        Ok(Outcome::Duplicate) => Json(json!({"status": "duplicate"})).into_response(),
        Ok(outcome) => {
            Json(json!({"status": "recorded", "outcome": format!("{outcome:?}")})).into_response()
        }
        Err(e) => {
            tracing::error!(error = ?e, event = %event.id, "could not record a platform event");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; retry later",
            )
        }
    }
}
