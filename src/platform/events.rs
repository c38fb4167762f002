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
    r.api_post("/platform/v1/events", receive, receive_doc)
}

/// An event as the platform sends it (see the README for the full contract).
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct EventEnvelope {
    /// Unique per event; a repeat is answered `duplicate`.
    id: String,
    /// `order.created`, `order.cancelled`, `order.captured` or `api.error`.
    r#type: String,
    /// RFC 3339.
    created_at: String,
    data: EventData,
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct EventData {
    /// The new merchant ID (or `legacy_store_id` for the legacy store).
    merchant_id: Option<String>,
    legacy_store_id: Option<String>,
    order_id: Option<String>,
    /// `live` or `test`.
    environment: Option<String>,
    /// Minor units.
    amount: Option<i64>,
    currency: Option<String>,
    user_agent: Option<String>,
    error_code: Option<String>,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Received {
    /// `recorded` or `duplicate`.
    status: String,
    outcome: Option<String>,
}

fn receive_doc(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
    use crate::web::api::json_response;
    let body = serde_json::to_value(g.subschema_for::<EventEnvelope>()).unwrap_or_default();
    json!({
        "operationId": "receivePlatformEvent",
        "summary": "A signed platform event (orders, API errors)",
        "security": [{ "platformSignature": [] }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": body } } },
        "responses": {
            "200": json_response::<Received>(g, "Recorded, or a duplicate of an event already recorded"),
            "400": json_response::<super::PlatformError>(g, "The body is not a valid event; `field` names the culprit"),
            "401": json_response::<super::PlatformError>(g, "Signature missing, malformed, stale or wrong"),
            "500": json_response::<super::PlatformError>(g, "Not recorded; retry later"),
            "503": json_response::<super::PlatformError>(g, "SWITCHYARD_WEBHOOK_SECRET is not set"),
        },
    })
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
