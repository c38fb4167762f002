//! `POST /platform/v1/events`: signed events from the platform. The signature and its
//! time are checked before anything is parsed or written; a replayed id changes nothing.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;

use super::{PlatformError, json_error};
use crate::app::AppState;
use crate::app::intake::{self, Outcome};
use crate::{
    domain::platform_event::{self, PlatformEvent, SIGNATURE_HEADER, wire::EventBody},
    store,
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.api(utoipa_axum::routes!(receive))
}

/// The answer to an event taken in.
#[derive(Serialize, ToSchema)]
struct Received {
    status: Status,
    /// What the event did; absent for a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<EventOutcome>,
}

/// `recorded`: taken in now (and committed); `duplicate`: this event was taken in
/// before, and nothing changed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Status {
    Recorded,
    Duplicate,
}

/// What a recorded event did. `recorded`: nothing beyond being recorded (an API error, a
/// cancellation, an order of an unknown merchant); `completed_upgrade`: it was the live
/// test purchase, and the upgrade is complete; `test_order`: an order in the test
/// environment (the test setup works; live is still to come); `legacy_still_active`: an
/// order on the legacy store after new credentials exist (the old plugin is still active).
#[derive(Serialize, ToSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    Recorded,
    CompletedUpgrade,
    TestOrder,
    LegacyStillActive,
}

impl EventOutcome {
    /// What a recorded event did; `None` for the outcomes that record nothing.
    fn of(outcome: Outcome) -> Option<Self> {
        match outcome {
            Outcome::Recorded => Some(Self::Recorded),
            Outcome::CompletedUpgrade => Some(Self::CompletedUpgrade),
            Outcome::TestOrder => Some(Self::TestOrder),
            Outcome::LegacyStillActive => Some(Self::LegacyStillActive),
            Outcome::Duplicate | Outcome::Conflicting => None,
        }
    }
}

/// A body that is not a valid event.
#[derive(Serialize, ToSchema)]
struct Refused {
    error: String,
    /// The field at fault, such as `data.merchant_id` (`body` for the body as a whole).
    field: &'static str,
}

/// A signed platform event (orders, API errors)
///
/// Signed in `Switchyard-Signature` over the raw body (see the description above). The
/// signature and its time are checked before anything is read or written; a replayed
/// `id` changes nothing.
#[utoipa::path(
    post,
    path = "/platform/v1/events",
    operation_id = "receivePlatformEvent",
    tag = crate::web::openapi::PLATFORM,
    request_body = EventBody,
    security(("platformSignature" = [])),
    responses(
        (status = 200, description = "Recorded, or a duplicate of an event already recorded", body = Received),
        (status = 400, description = "The body is not a valid event; `field` names the culprit", body = Refused),
        (status = 401, description = "Signature missing, malformed, stale or wrong", body = PlatformError),
        (status = 409, description = "This event id was recorded before with a different body; the recorded event stands and nothing changed", body = PlatformError),
        (status = 500, description = "Not recorded; retry later", body = PlatformError),
        (status = 503, description = "Not recorded: the database cannot take writes now (retry after the `Retry-After` seconds), or SWITCHYARD_WEBHOOK_SECRET is not set", body = PlatformError),
    ),
)]
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let event = match checked(&state, &headers, &body) {
        Ok(event) => event,
        Err(refused) => return *refused,
    };
    // Every later log line of this request names the event.
    crate::web::request::record_event_id(&event.id);
    // `recorded` means committed: every path in intake returns only after its commit.
    answer(intake::record(&state.db, state.sinks(), &event).await)
}

/// The event, if its signature holds and its body is a valid event; else the refusal.
fn checked(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<PlatformEvent, Box<Response>> {
    let Some(secret) = &state.config.webhook_secret else {
        return Err(Box::new(json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "platform events are not configured: set SWITCHYARD_WEBHOOK_SECRET",
        )));
    };
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = platform_event::verify_signature(
        signature,
        body,
        secret.expose_secret().as_bytes(),
        store::now(),
    ) {
        tracing::warn!(error = %e, "platform event refused");
        counted("refused");
        return Err(Box::new(json_error(
            StatusCode::UNAUTHORIZED,
            &e.to_string(),
        )));
    }
    platform_event::parse(body).map_err(|e| {
        counted("refused");
        let refused = Refused {
            error: e.to_string(),
            field: e.field,
        };
        Box::new((StatusCode::BAD_REQUEST, Json(refused)).into_response())
    })
}

/// The answer to an event that was recorded (or not), counted by what became of it.
fn answer(recorded: anyhow::Result<Outcome>) -> Response {
    match recorded {
        Ok(Outcome::Duplicate) => {
            counted("duplicate");
            Json(Received {
                status: Status::Duplicate,
                outcome: None,
            })
            .into_response()
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
            Json(Received {
                status: Status::Recorded,
                outcome: EventOutcome::of(outcome),
            })
            .into_response()
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
