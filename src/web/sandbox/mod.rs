//! The sandbox platform: a merchant's shop places orders here with the new API
//! credentials (HTTP Basic), exactly as against the real platform's order API, and
//! Switchyard manages them through the same order-management API (`management`).

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
        CountryCode,
        order::{Order, OrderAction},
        platform_event,
    },
    store,
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.post("/sandbox/v1/orders", create_order)
        .with(management::routes)
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

async fn create(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<OrderCreated, Response> {
    let unauthorized = || problem(StatusCode::UNAUTHORIZED, "invalid API credentials");
    let (username, password) = basic_auth(headers).ok_or_else(unauthorized)?;
    let internal = |e: sqlx::Error| {
        tracing::error!(error = %e, "sandbox database error");
        problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    };
    // The same check the real gateway makes through /platform/v1/credentials/verify.
    let cred = match gateway::verify(&state.db, &username, &password)
        .await
        .map_err(internal)?
    {
        Verification::Valid(cred) => cred,
        _ => return Err(unauthorized()),
    };
    let req: OrderRequest = serde_json::from_slice(body).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            &format!("body must be JSON with amount, currency and country: {e}"),
        )
    })?;
    let amount = req.amount.as_i64().filter(|a| *a > 0).ok_or_else(|| {
        problem(
            StatusCode::BAD_REQUEST,
            "amount must be a positive integer in minor units",
        )
    })?;
    let currency = req
        .currency
        .as_str()
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        .ok_or_else(|| {
            problem(
                StatusCode::BAD_REQUEST,
                "currency must be a three-letter ISO code such as SEK",
            )
        })?;
    req.country
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
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    let event = json!({
        "id": format!("evt_{}", random_token(12)),
        "type": "order.created",
        "created_at": crate::domain::rfc3339(now),
        "data": {
            "merchant_id": cred.merchant_id, "order_id": order_id, "environment": cred.environment.as_str(),
            "amount": amount, "currency": currency, "user_agent": user_agent,
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

fn created(
    order_id: String,
    cred: crate::store::credentials::CredentialRow,
    amount: i64,
    currency: &str,
) -> OrderCreated {
    OrderCreated {
        order_id,
        merchant_id: cred.merchant_id,
        environment: cred.environment.as_str().to_owned(),
        amount,
        currency: currency.to_owned(),
    }
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

fn basic_auth(headers: &HeaderMap) -> Option<(String, SecretString)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    Some((user.to_owned(), SecretString::from(pass.to_owned())))
}
