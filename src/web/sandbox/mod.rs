//! The sandbox platform: a merchant's shop places orders here with the new API
//! credentials (HTTP Basic), exactly as against the real platform's order API, and
//! Switchyard manages them through the same order-management API (`management`).

mod capabilities;
pub mod failed_call;
mod legacy;
mod management;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::platform::{
    gateway::{self, Verification},
    json_error,
};
use crate::app::AppState;
use crate::{
    domain::credentials::random_token,
    domain::{
        CountryCode, Environment, currency,
        money::Currency,
        order::{Order, OrderAction},
        platform_event,
    },
    store::{self, credentials::CredentialRow},
    web::routes::Routes,
};
use failed_call::FailedCall;

pub fn routes(r: Routes) -> Routes {
    r.post("/sandbox/v1/orders", create_order)
        .get("/sandbox/v1/settlements", settlements)
        .with(management::routes)
        .with(legacy::routes)
        .with(capabilities::routes)
}

#[derive(Deserialize)]
struct OrderRequest {
    amount: serde_json::Value,
    currency: serde_json::Value,
    country: serde_json::Value,
    /// Capture at once (as a shop that ships immediately would); such an order cannot
    /// be cancelled, only refunded.
    #[serde(default)]
    captured: serde_json::Value,
    /// `live` or `test`; left out, the credential's own.
    #[serde(default)]
    environment: serde_json::Value,
}

#[derive(Serialize)]
struct OrderCreated {
    order_id: String,
    merchant_id: String,
    environment: String,
    amount: i64,
    currency: String,
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

async fn create_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match create(&state, &headers, &body).await {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(res) => res,
    }
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

async fn create(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<OrderCreated, Response> {
    let cred = authenticate(state, headers).await?;
    let req: OrderRequest = serde_json::from_slice(body).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            &format!("body must be JSON with amount, currency and country: {e}"),
        )
    })?;
    check_environment(state, headers, &cred, &req.environment).await?;
    let amount = req.amount.as_i64().filter(|a| *a > 0).ok_or_else(|| {
        problem(
            StatusCode::BAD_REQUEST,
            "amount must be a positive integer in minor units",
        )
    })?;
    let currency = check_currency(state, headers, &cred, &req.currency).await?;
    let currency = currency.code();
    let country = req
        .country
        .as_str()
        .and_then(|c| CountryCode::parse(c).ok())
        .ok_or_else(|| {
            problem(
                StatusCode::BAD_REQUEST,
                "country must be a two-letter ISO code such as SE",
            )
        })?;

    let order_id = format!("sbx_{}", random_token(8));
    let now = store::now();
    let mut order = Order::authorize(amount, now);
    if req.captured.as_bool() == Some(true) {
        // A new authorization can always be captured in full.
        order = order
            .apply(OrderAction::Capture(amount), now)
            .unwrap_or(order);
    }
    store::sandbox::insert_order(
        &state.db,
        &store::sandbox::SandboxOrder {
            order_id: &order_id,
            merchant_id: &cred.merchant_id,
            environment: cred.environment.as_str(),
            currency,
            order: &order,
        },
    )
    .await
    .map_err(internal)?;
    let event = json!({
        "id": format!("evt_{}", random_token(12)),
        "type": "order.created",
        "created_at": crate::domain::rfc3339(now),
        "data": {
            "merchant_id": cred.merchant_id, "order_id": order_id, "environment": cred.environment.as_str(),
            "amount": amount, "currency": currency, "country": country.as_str(),
            "user_agent": user_agent(headers),
        }
    });
    if !state.config.platform.sandbox_push {
        // A platform that cannot push: Switchyard finds the order by polling.
        return Ok(created(order_id, cred, amount, currency));
    }
    emit(state, &event).await.map_err(|e| {
        tracing::error!(error = ?e, "the sandbox could not deliver its order event");
        problem(
            StatusCode::BAD_GATEWAY,
            "the order was placed but its event could not be delivered",
        )
    })?;
    Ok(created(order_id, cred, amount, currency))
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

/// An order may name the environment it is placed in; credentials only work in their
/// own (test credentials in the test environment, live ones in production).
async fn check_environment(
    state: &AppState,
    headers: &HeaderMap,
    cred: &CredentialRow,
    asked: &serde_json::Value,
) -> Result<(), Response> {
    let asked = match asked {
        serde_json::Value::Null => return Ok(()),
        serde_json::Value::String(s) if s == "live" => Environment::Live,
        serde_json::Value::String(s) if s == "test" => Environment::Test,
        _ => {
            return Err(problem(
                StatusCode::BAD_REQUEST,
                "environment must be live or test",
            ));
        }
    };
    if asked == cred.environment {
        return Ok(());
    }
    let (call, message) = match cred.environment {
        Environment::Test => (
            FailedCall::TestOnLive,
            "test credentials only work in the test environment",
        ),
        Environment::Live => (
            FailedCall::LiveOnTest,
            "live credentials only work in production",
        ),
    };
    failed_call::log(state, headers, cred, call).await;
    Err(problem(StatusCode::UNAUTHORIZED, message))
}

/// An ISO 4217 currency one of the store's countries pays in.
async fn check_currency(
    state: &AppState,
    headers: &HeaderMap,
    cred: &CredentialRow,
    asked: &serde_json::Value,
) -> Result<Currency, Response> {
    let Some(code) = asked.as_str() else {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "currency must be an ISO 4217 code such as SEK",
        ));
    };
    let Some(currency) = Currency::parse(code) else {
        failed_call::log(state, headers, cred, FailedCall::UnknownCurrency).await;
        return Err(problem(
            StatusCode::BAD_REQUEST,
            &format!("currency {code:?} is not an ISO 4217 currency such as SEK"),
        ));
    };
    let countries = store::stores::countries_of_upgrade(&state.db.pool, cred.upgrade_id)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    let countries: Vec<&str> = countries.split(';').filter(|c| !c.is_empty()).collect();
    if currency::fits(currency, countries.iter().copied()) {
        return Ok(currency);
    }
    failed_call::log(state, headers, cred, FailedCall::CurrencyNotOfStore).await;
    let expected: Vec<String> = countries
        .iter()
        .filter_map(|c| currency::of_country(c))
        .map(|c| c.code().to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Err(problem(
        StatusCode::BAD_REQUEST,
        &format!(
            "currency {code} is not paid in any of the store's countries ({}): use {}",
            countries.join(", "),
            expected.join(" or ")
        ),
    ))
}

fn created(order_id: String, cred: CredentialRow, amount: i64, currency: &str) -> OrderCreated {
    OrderCreated {
        order_id,
        merchant_id: cred.merchant_id,
        environment: cred.environment.as_str().to_owned(),
        amount,
        currency: currency.to_owned(),
    }
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
