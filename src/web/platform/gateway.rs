//! Credential verification for the platform's payment gateway: given a username and a
//! password, which MID and environment they belong to and whether they still work. The
//! sandbox asks exactly the same question before it takes an order.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::{PlatformError, json_error};
use crate::app::{AppState, intake};
use crate::web::sandbox::failed_call::FailedCall;
use crate::{
    domain::{credentials, sha256_hex, text::Lines},
    store::{self, Db, credentials::CredentialRow},
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.api(utoipa_axum::routes!(verify_endpoint))
}

/// What a username/password pair is worth to the platform right now.
#[derive(Debug)]
pub enum Verification {
    /// Right password, credential active: the order may go through.
    Valid(CredentialRow),
    /// Right password, but the credential was revoked or its rotation grace period ended.
    Revoked(CredentialRow),
    /// A known username with the wrong password: the platform logs the failed call for
    /// the credential's merchant ID.
    WrongPassword(CredentialRow),
    UnknownUsername,
}

/// A hash no password has, compared against when the username is unknown so that both
/// paths do the same work.
const NO_SUCH_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Checks the pair (the password compare is constant-time) and, when it is valid,
/// records the use so the admin sees "last used".
pub async fn verify(
    db: &Db,
    username: &str,
    password: &SecretString,
) -> sqlx::Result<Verification> {
    // No username has a control character, and PostgreSQL cannot even look one up.
    let row = if username.chars().any(char::is_control) {
        None
    } else {
        store::credentials::by_username(&db.pool, username).await?
    };
    let Some(row) = row else {
        let _ = credentials::verify(password, NO_SUCH_HASH);
        return Ok(Verification::UnknownUsername);
    };
    if !credentials::verify(password, &row.secret_hash) {
        return Ok(Verification::WrongPassword(row));
    }
    if !row.is_active(store::now()) {
        return Ok(Verification::Revoked(row));
    }
    store::credentials::touch(&db.pool, row.id).await?;
    Ok(Verification::Valid(row))
}

/// A credential to check: at most 1,000 characters each, no control characters.
#[derive(Deserialize, ToSchema)]
struct VerifyRequest {
    #[schema(max_length = 1000, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    username: String,
    #[schema(max_length = 1000, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    password: String,
}

#[derive(Serialize, Debug, PartialEq, ToSchema)]
pub struct VerifyResponse {
    pub valid: bool,
    /// `ok`, `revoked`, `wrong_password` or `unknown_username`.
    pub reason: &'static str,
    pub merchant_id: Option<String>,
    pub environment: Option<String>,
    pub revoked: bool,
}

impl From<&Verification> for VerifyResponse {
    fn from(v: &Verification) -> Self {
        let known = |row: &CredentialRow, valid: bool, reason| VerifyResponse {
            valid,
            reason,
            merchant_id: Some(row.merchant_id.clone()),
            environment: Some(row.environment.as_str().to_owned()),
            revoked: !valid,
        };
        let unknown = |reason| VerifyResponse {
            valid: false,
            reason,
            merchant_id: None,
            environment: None,
            revoked: false,
        };
        match v {
            Verification::Valid(row) => known(row, true, "ok"),
            Verification::Revoked(row) => known(row, false, "revoked"),
            Verification::WrongPassword(_) => unknown("wrong_password"),
            Verification::UnknownUsername => unknown("unknown_username"),
        }
    }
}

/// Whether an API username and password are valid, for the platform's gateway
///
/// `reason` is `ok`, `revoked` (right password, but revoked or past its rotation grace
/// period; the merchant ID and environment are given), `wrong_password` or
/// `unknown_username` (neither reveals anything about the credential).
#[utoipa::path(
    post,
    path = "/platform/v1/credentials/verify",
    operation_id = "verifyCredentials",
    tag = crate::web::openapi::PLATFORM,
    request_body = VerifyRequest,
    security(("gatewayToken" = [])),
    responses(
        (status = 200, description = "The verdict", body = VerifyResponse),
        (status = 400, description = "The body is not JSON with username and password", body = PlatformError),
        (status = 401, description = "No valid service token", body = PlatformError),
        (status = 500, description = "Not checked; retry later", body = PlatformError),
        (status = 503, description = "SWITCHYARD_GATEWAY_TOKEN is not set", body = PlatformError),
    ),
)]
async fn verify_endpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(expected) = &state.config.gateway_token else {
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "credential verification is not configured: set SWITCHYARD_GATEWAY_TOKEN",
        );
    };
    if !service_token_matches(&headers, expected) {
        let mut res = json_error(
            StatusCode::UNAUTHORIZED,
            "a valid service token is required",
        );
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"gateway\""),
        );
        return res;
    }
    let req: VerifyRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                &format!("body must be JSON with username and password: {e}"),
            );
        }
    };
    // The same answer on every database: PostgreSQL cannot even look up a NUL.
    for (field, value) in [("username", &req.username), ("password", &req.password)] {
        if let Err(problem) = crate::domain::text::check(value, Lines::One, 1000) {
            return json_error(StatusCode::BAD_REQUEST, &format!("{field} {problem}"));
        }
    }
    let password = SecretString::from(req.password);
    match verify(&state.db, &req.username, &password).await {
        Ok(v) => {
            let refused = match &v {
                Verification::WrongPassword(row) => Some((row, FailedCall::WrongPassword)),
                Verification::Revoked(row) => Some((row, FailedCall::Revoked)),
                Verification::Valid(_) | Verification::UnknownUsername => None,
            };
            if let Some((row, call)) = refused {
                intake::record_refused_call(&state.db, state.sinks(), row, call.code(), None).await;
            }
            Json(VerifyResponse::from(&v)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "credential verification failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// Compares the bearer token with the configured one in constant time (hashing both
/// first, so not even the length leaks).
pub fn service_token_matches(headers: &HeaderMap, expected: &SecretString) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    if presented.is_empty() {
        return false;
    }
    let presented = sha256_hex(presented);
    let expected = sha256_hex(expected.expose_secret());
    presented.as_bytes().ct_eq(expected.as_bytes()).into()
}
