//! The sandbox's order-management API: the contract `platform::client` speaks. Orders
//! follow `domain::order`; a repeated `Idempotency-Key` gets the first answer again.

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    app::AppState,
    domain::{order::OrderAction, parse_rfc3339},
    store::sandbox,
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/ordermanagement/v1/orders", list)
        .get("/ordermanagement/v1/orders/{order_id}", show)
        .post("/ordermanagement/v1/orders/{order_id}/cancel", cancel)
        .post("/ordermanagement/v1/orders/{order_id}/captures", capture)
        .post("/ordermanagement/v1/orders/{order_id}/refunds", refund)
        .post(
            "/ordermanagement/v1/orders/{order_id}/extend-authorization-time",
            extend,
        )
        .post(
            "/ordermanagement/v1/orders/{order_id}/restore-authorization",
            restore,
        )
}

pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error_code": code, "error_message": message })),
    )
        .into_response()
}

pub(super) fn internal(e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "sandbox order management");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "internal error",
    )
}

/// The request's `Idempotency-Key` (1 to 200 characters), which every change requires.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
}

/// Switchyard presents the platform token as a Bearer header.
pub(super) fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    state
        .config
        .platform
        .token
        .as_ref()
        .is_some_and(|t| crate::web::platform::gateway::service_token_matches(headers, t))
}

pub(super) fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
        "a valid Bearer token is required",
    )
}

#[derive(Deserialize)]
struct ListQuery {
    merchant_id: Option<String>,
    created_after: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let Some(mid) = q.merchant_id.filter(|m| !m.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_VALUE",
            "merchant_id is required",
        );
    };
    let since = match q.created_after.as_deref() {
        None | Some("") => 0,
        Some(t) => match parse_rfc3339(t) {
            Some(t) => t,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "BAD_VALUE",
                    "created_after must be an RFC 3339 time",
                );
            }
        },
    };
    let orders = match sandbox::orders_of(&state.db, &mid, since).await {
        Ok(orders) => orders,
        Err(e) => return internal(e),
    };
    Json(json!({ "orders": orders })).into_response()
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    match sandbox::order(&state.db, &order_id).await {
        Ok(Some(order)) => Json(order).into_response(),
        Ok(None) => no_such_order(),
        Err(e) => internal(e),
    }
}

fn no_such_order() -> Response {
    error(StatusCode::NOT_FOUND, "NO_SUCH_ORDER", "no such order")
}

#[derive(Deserialize)]
struct CaptureBody {
    captured_amount: i64,
}

#[derive(Deserialize)]
struct RefundBody {
    refunded_amount: i64,
}

async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    act(
        &state,
        &headers,
        &order_id,
        "cancel",
        Ok(OrderAction::Cancel),
    )
    .await
}

async fn extend(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    act(
        &state,
        &headers,
        &order_id,
        "extend",
        Ok(OrderAction::Extend),
    )
    .await
}

async fn restore(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    let action = Ok(OrderAction::Restore);
    act(&state, &headers, &order_id, "restore", action).await
}

async fn capture(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let action = serde_json::from_slice::<CaptureBody>(&body)
        .map(|b| OrderAction::Capture(b.captured_amount))
        .map_err(|_| "the body must be JSON with captured_amount in minor units");
    act(&state, &headers, &order_id, "capture", action).await
}

async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let action = serde_json::from_slice::<RefundBody>(&body)
        .map(|b| OrderAction::Refund(b.refunded_amount))
        .map_err(|_| "the body must be JSON with refunded_amount in minor units");
    act(&state, &headers, &order_id, "refund", action).await
}

/// Applies one action to one order, once per idempotency key.
async fn act(
    state: &AppState,
    headers: &HeaderMap,
    order_id: &str,
    name: &str,
    action: Result<OrderAction, &str>,
) -> Response {
    if !authorized(state, headers) {
        return unauthorized();
    }
    let Some(key) = idempotency_key(headers) else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_VALUE",
            "an Idempotency-Key header (1 to 200 characters) is required",
        );
    };
    let action = match action {
        Ok(a) => a,
        Err(message) => return error(StatusCode::BAD_REQUEST, "BAD_VALUE", message),
    };
    let key = format!("{order_id}:{name}:{key}");
    let (status, body, changed) = match sandbox::apply(&state.db, &key, order_id, action).await {
        Ok(answer) => answer,
        Err(e) => return internal(e),
    };
    if changed && action == OrderAction::Cancel && state.config.platform.sandbox_push {
        announce_cancellation(state, order_id).await;
    }
    if state.config.platform.sandbox_push {
        announce_call(state, headers, order_id, name, status).await;
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if body.is_null() {
        status.into_response()
    } else {
        (status, Json(body)).into_response()
    }
}

/// Reports the call to Switchyard as the platform does (`api.call`, the order
/// management service), on the ID the order was placed with; a failed push is logged.
/// Only calls on a new merchant ID: these routes answer Switchyard alone (the platform
/// token), and its pages winding down the legacy store's orders are no integration still
/// using it (they would keep the store from being ready for the sunset), while its
/// one-click cancel of the test order does prove order management on the new ID.
async fn announce_call(
    state: &AppState,
    headers: &HeaderMap,
    order_id: &str,
    name: &str,
    status: u16,
) {
    let Ok(Some(row)) = sandbox::order(&state.db, order_id).await else {
        return;
    };
    if row.merchant_id.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let path = match name {
        "capture" => "captures",
        "refund" => "refunds",
        "extend" => "extend-authorization-time",
        "restore" => "restore-authorization",
        other => other,
    };
    let event = super::event_on(
        "api.call",
        &row.merchant_id,
        json!({
            "service": "order_management",
            "endpoint": format!("/ordermanagement/v1/orders/{}/{path}", row.order_id),
            "status": status, "order_id": row.order_id, "user_agent": super::user_agent(headers),
        }),
    );
    if let Err(e) = super::emit(state, &event).await {
        tracing::warn!(error = ?e, order = order_id, "the sandbox could not report a call");
    }
}

/// Tells Switchyard of the cancellation, as the platform does; a failed push is logged,
/// the cancellation stands.
async fn announce_cancellation(state: &AppState, order_id: &str) {
    let Ok(Some(row)) = sandbox::order(&state.db, order_id).await else {
        return;
    };
    let event = super::event_on(
        "order.cancelled",
        &row.merchant_id,
        json!({
            "order_id": row.order_id, "environment": row.environment,
            "amount": row.order_amount, "currency": row.currency,
        }),
    );
    if let Err(e) = super::emit(state, &event).await {
        tracing::warn!(error = ?e, order = order_id, "the sandbox could not announce a cancellation");
    }
}
