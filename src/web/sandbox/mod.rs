//! The sandbox platform: a merchant's shop places orders here with the new API
//! credentials (HTTP Basic), exactly as against the real platform's order API, and
//! Switchyard manages them through the same order-management API (`management`).

mod capabilities;
pub mod failed_call;
mod legacy;
mod management;
mod orders;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::platform::{
    gateway::{self, Verification},
    json_error,
};
use crate::{
    app::AppState,
    domain::{credentials::random_token, platform_event},
    store::{self, credentials::CredentialRow},
    web::routes::Routes,
};
use failed_call::FailedCall;

pub fn routes(r: Routes) -> Routes {
    r.post("/sandbox/v1/orders", orders::create_order)
        .get("/sandbox/v1/settlements", settlements)
        .with(management::routes)
        .with(legacy::routes)
        .with(capabilities::routes)
}

fn problem(status: StatusCode, message: &str) -> Response {
    let mut res = json_error(status, message);
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"sandbox\""),
        );
    }
    res
}

/// The credential of a call's HTTP Basic header, checked as the real gateway checks it
/// (through /platform/v1/credentials/verify). A refused call with a known username is
/// logged for its merchant, as the platform's Logs app does: a wrong password is the
/// commonest failure.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<CredentialRow, Response> {
    let unauthorized = || problem(StatusCode::UNAUTHORIZED, "invalid API credentials");
    let (username, password) = basic_auth(headers).ok_or_else(unauthorized)?;
    match gateway::verify(&state.db, &username, &password)
        .await
        .map_err(internal)?
    {
        Verification::Valid(cred) => Ok(cred),
        Verification::WrongPassword(row) => {
            failed_call::log(state, headers, &row, FailedCall::WrongPassword).await;
            Err(unauthorized())
        }
        Verification::Revoked(row) => {
            failed_call::log(state, headers, &row, FailedCall::Revoked).await;
            Err(unauthorized())
        }
        Verification::UnknownUsername => Err(unauthorized()),
    }
}

/// `GET /sandbox/v1/settlements`: the caller's settlement reports (the sandbox settles
/// nothing, so none), with the call reported to Switchyard as the platform reports it:
/// fetching reports proves settlement access on the new ID.
async fn settlements(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cred = match authenticate(&state, &headers).await {
        Ok(cred) => cred,
        Err(res) => return res,
    };
    if state.config.platform.sandbox_push {
        let event = event_on(
            "api.call",
            &cred.merchant_id,
            json!({
                "service": "settlement", "endpoint": "/sandbox/v1/settlements", "status": 200,
                "user_agent": user_agent(&headers),
            }),
        );
        if let Err(e) = emit(&state, &event).await {
            tracing::warn!(error = ?e, "the sandbox could not report a settlements call");
        }
    }
    Json(json!({ "merchant_id": cred.merchant_id, "reports": [] })).into_response()
}

fn internal(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "sandbox database error");
    problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

pub(super) fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
}

/// A platform event of `kind` about `id` (a legacy store's digits, or a merchant ID),
/// with `data`'s fields besides the ID, made now.
pub(super) fn event_on(kind: &str, id: &str, mut data: serde_json::Value) -> serde_json::Value {
    // Legacy store ids are digits only; new merchant ids never are.
    let subject = if id.bytes().all(|b| b.is_ascii_digit()) {
        "legacy_store_id"
    } else {
        "merchant_id"
    };
    data[subject] = json!(id);
    json!({
        "id": format!("evt_{}", random_token(12)),
        "type": kind,
        "created_at": crate::domain::rfc3339(store::now()),
        "data": data,
    })
}

/// Sends a platform event the way the real platform does: signed, over HTTP, to this
/// instance's `/platform/v1/events`.
pub async fn emit(state: &AppState, event: &serde_json::Value) -> anyhow::Result<()> {
    let secret = state
        .config
        .webhook_secret
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no webhook secret configured"))?;
    let body = serde_json::to_vec(event)?;
    let signature = platform_event::sign(secret.expose_secret().as_bytes(), store::now(), &body);
    // One client for every order: building one loads the TLS roots each time.
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let res = CLIENT
        .get_or_init(reqwest::Client::new)
        .post(format!("{}/platform/v1/events", state.self_url))
        .header(platform_event::SIGNATURE_HEADER, signature)
        .header(header::CONTENT_TYPE, "application/json")
        .timeout(std::time::Duration::from_secs(10))
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "the events endpoint answered {}",
        res.status()
    );
    Ok(())
}

pub(super) fn basic_auth(headers: &HeaderMap) -> Option<(String, SecretString)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    Some((user.to_owned(), SecretString::from(pass.to_owned())))
}
