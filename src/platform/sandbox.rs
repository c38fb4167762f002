//! The sandbox platform: a merchant's shop places orders here with the new API
//! credentials (HTTP Basic), exactly as against the real platform's order API.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    gateway::{self, Verification},
    intake,
};
use crate::{
    domain::CountryCode,
    store::events::NewOrderEvent,
    web::{AppState, routes::Routes, session::random_token},
};

pub fn routes(r: Routes) -> Routes {
    r.post("/sandbox/v1/orders", create_order)
}

#[derive(Deserialize)]
struct OrderRequest {
    amount: serde_json::Value,
    currency: serde_json::Value,
    country: serde_json::Value,
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
    let mut res = (status, Json(json!({ "error": message }))).into_response();
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
    let event_id = format!("evt_{}", random_token(12));
    let event = NewOrderEvent {
        event_id: &event_id,
        kind: "order.created",
        merchant_id: Some(&cred.merchant_id),
        legacy_store_id: None,
        order_id: &order_id,
        environment: &cred.environment,
        amount,
        currency,
    };
    intake::record(&state.db, &event).await.map_err(|e| {
        tracing::error!(error = ?e, "sandbox could not record the order");
        problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })?;
    Ok(OrderCreated {
        order_id,
        merchant_id: cred.merchant_id,
        environment: cred.environment,
        amount,
        currency: currency.to_owned(),
    })
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
