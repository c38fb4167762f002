//! `POST /platform/v1/events`: signed events from the platform. The signature and its
//! time are checked before anything is parsed or written; a replayed id changes nothing.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::json_error;
use crate::app::AppState;
use crate::app::intake::{self, Outcome};
use crate::{
    domain::{
        platform_event::{self, SIGNATURE_HEADER},
        text::ONE_LINE_PATTERN,
    },
    store,
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.api_post("/platform/v1/events", receive, receive_doc)
}

/// An event as the platform sends it (see the README for the full contract). Orders need
/// `order_id`, `environment`, `amount` and `currency`, `api.error` needs `error_code`.
/// Strings are at most 200 characters long (`user_agent` 1,000), never empty, and hold no
/// control character (a body with one is refused with 400 naming the field).
#[derive(schemars::JsonSchema)]
#[schemars(transform = required_per_type)]
#[allow(dead_code)]
struct EventEnvelope {
    /// Unique per event; a repeat is answered `duplicate`.
    #[schemars(pattern(r"^evt_[^\u0000-\u001F\u007F-\u009F]*$"), length(max = 200))]
    id: String,
    /// `order.created`, `order.cancelled` or `api.error`.
    #[schemars(extend("enum" = ["order.created", "order.cancelled", "api.error"]))]
    r#type: String,
    /// RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    created_at: String,
    data: EventData,
}

/// Names either `merchant_id` or `legacy_store_id`; the environment, when given, matches
/// the merchant ID (`PK…` is test).
#[derive(schemars::JsonSchema)]
#[schemars(transform = one_subject)]
#[allow(dead_code)]
struct EventData {
    /// The new merchant ID: `K` and 6 digits (live) or `PK` and 5 digits (test).
    #[schemars(pattern(r"^(K[0-9]{6}|PK[0-9]{5})$"))]
    merchant_id: Option<String>,
    /// The legacy store's ID, for events of the legacy store.
    #[schemars(pattern(r"^[0-9]{1,12}$"))]
    legacy_store_id: Option<String>,
    #[schemars(length(min = 1, max = 200), pattern(ONE_LINE_PATTERN))]
    order_id: Option<String>,
    /// `live` or `test`.
    #[schemars(extend("enum" = ["live", "test", null]))]
    environment: Option<String>,
    /// Minor units.
    #[schemars(range(min = 0, max = i64::MAX))]
    amount: Option<i64>,
    /// Three-letter ISO code such as `SEK`.
    #[schemars(pattern(r"^[A-Z]{3}$"))]
    currency: Option<String>,
    #[schemars(length(min = 1, max = 1000), pattern(ONE_LINE_PATTERN))]
    user_agent: Option<String>,
    #[schemars(length(min = 1, max = 200), pattern(ONE_LINE_PATTERN))]
    error_code: Option<String>,
    #[schemars(length(min = 1, max = 200), pattern(ONE_LINE_PATTERN))]
    correlation_id: Option<String>,
}

/// The rules across fields, as the schema's `oneOf`: what each event type requires.
fn required_per_type(schema: &mut schemars::Schema) {
    let kind = |types: Value, data: Value| json!({ "properties": { "type": { "enum": types }, "data": data } });
    let order = json!({
        "required": ["order_id", "environment", "amount", "currency"],
        "properties": {
            "order_id": { "type": "string" },
            "environment": { "type": "string" },
            "amount": { "type": "integer" },
            "currency": { "type": "string" },
        },
    });
    let error = json!({
        "required": ["error_code"],
        "properties": { "error_code": { "type": "string" } },
    });
    schema.insert(
        "oneOf".into(),
        json!([
            kind(json!(["order.created", "order.cancelled"]), order),
            kind(json!(["api.error"]), error),
        ]),
    );
}

/// Exactly one subject: a live or test merchant ID (with its environment), or a legacy store.
fn one_subject(schema: &mut schemars::Schema) {
    let absent = json!({ "nullable": true, "enum": [null] });
    let merchant = |pattern: &str, environment: &str| {
        json!({
            "required": ["merchant_id"],
            "properties": {
                "merchant_id": { "type": "string", "pattern": pattern },
                "legacy_store_id": absent,
                "environment": { "nullable": true, "enum": [environment, null] },
            },
        })
    };
    schema.insert(
        "oneOf".into(),
        json!([
            merchant("^K[0-9]{6}$", "live"),
            merchant("^PK[0-9]{5}$", "test"),
            {
                "required": ["legacy_store_id"],
                "properties": { "legacy_store_id": { "type": "string" }, "merchant_id": absent },
            },
        ]),
    );
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
            "409": json_response::<super::PlatformError>(g, "This event id was recorded before with a different body; the recorded event stands and nothing changed"),
            "500": json_response::<super::PlatformError>(g, "Not recorded; retry later"),
            "503": json_response::<super::PlatformError>(g, "Not recorded: the database cannot take writes now (retry after the `Retry-After` seconds), or SWITCHYARD_WEBHOOK_SECRET is not set"),
        },
    })
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
        counted("refused");
        return json_error(StatusCode::UNAUTHORIZED, &e.to_string());
    }
    let event = match platform_event::parse(&body) {
        Ok(e) => e,
        Err(e) => {
            counted("refused");
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": e.to_string(), "field": e.field})),
            )
                .into_response();
        }
    };
    // Every later log line of this request names the event.
    crate::web::request::record_event_id(&event.id);
    let recorded = intake::record(&state.db, state.sinks(), &event).await;
    // `recorded` means committed: every path in intake returns only after its commit.
    match recorded {
        Ok(Outcome::Duplicate) => {
            counted("duplicate");
            Json(json!({"status": "duplicate"})).into_response()
        }
        Ok(Outcome::Conflicting) => {
            counted("conflicting");
            json_error(
                StatusCode::CONFLICT,
                "an event with this id was recorded before with a different body; the recorded event stands",
            )
        }
        Ok(outcome) => {
            counted("accepted");
            Json(json!({"status": "recorded", "outcome": format!("{outcome:?}")})).into_response()
        }
        Err(e) if store::is_unavailable(&e) => {
            counted("unavailable");
            tracing::error!(error = ?e, "the database cannot take the event now; answered 503");
            let mut res = json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the event could not be stored now; retry later",
            );
            res.headers_mut().insert(
                RETRY_AFTER,
                HeaderValue::from_static(store::RETRY_AFTER_SECONDS),
            );
            res
        }
        Err(e) => {
            counted("failed");
            tracing::error!(error = ?e, "could not record a platform event");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; retry later",
            )
        }
    }
}

/// Counts one event by what became of it (`refused`: a bad signature or body).
fn counted(outcome: &'static str) {
    metrics::counter!("switchyard_events_total", "outcome" => outcome).increment(1);
}
