//! Placing an order with the new API credentials, checked as the real order API checks
//! it: the credential's environment, the currency and the market.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    authenticate, emit,
    failed_call::{self, FailedCall},
    internal, problem, user_agent,
};
use crate::{
    app::AppState,
    domain::{
        CountryCode, Environment,
        credentials::random_token,
        currency,
        money::Currency,
        order::{Order, OrderAction},
    },
    store::{self, credentials::CredentialRow},
};

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

pub(super) async fn create_order(
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
