//! The sandbox's order-management API: the contract `platform::client` speaks. Orders
//! follow `domain::order`; a repeated `Idempotency-Key` gets the first answer again.

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::FromRow;

use crate::{
    domain::{
        order::{Order, OrderAction, OrderRefusal},
        parse_rfc3339, rfc3339,
    },
    platform::client::RemoteOrder,
    store::{self, Tx},
    web::{AppState, routes::Routes},
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
}

#[derive(FromRow)]
struct Row {
    order_id: String,
    merchant_id: String,
    environment: String,
    amount: i64,
    currency: String,
    created_at: i64,
    captured_amount: i64,
    refunded_amount: i64,
    cancelled: i64,
    expires_at: i64,
}

const COLUMNS: &str = "order_id, merchant_id, environment, amount, currency, created_at, captured_amount, \
                       refunded_amount, cancelled, expires_at";

impl Row {
    fn order(&self) -> Order {
        Order {
            amount: self.amount,
            captured: self.captured_amount,
            refunded: self.refunded_amount,
            cancelled: self.cancelled != 0,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }

    fn remote(&self, now: i64) -> RemoteOrder {
        RemoteOrder {
            order_id: self.order_id.clone(),
            merchant_id: self.merchant_id.clone(),
            environment: self.environment.clone(),
            status: self.order().status(now).as_str().to_owned(),
            order_amount: self.amount,
            captured_amount: self.captured_amount,
            refunded_amount: self.refunded_amount,
            currency: self.currency.clone(),
            created_at: rfc3339(self.created_at),
            expires_at: rfc3339(self.expires_at),
        }
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error_code": code, "error_message": message })),
    )
        .into_response()
}

fn internal(e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "sandbox order management");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "internal error",
    )
}

/// Switchyard presents the platform token as a Bearer header.
fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    state
        .config
        .platform
        .token
        .as_ref()
        .is_some_and(|t| crate::platform::gateway::service_token_matches(headers, t))
}

fn unauthorized() -> Response {
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
    let rows: Vec<Row> = match sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE merchant_id = $1 AND created_at >= $2 \
         ORDER BY created_at, order_id LIMIT 100"
    ))
    .bind(&mid)
    .bind(since)
    .fetch_all(&state.db.pool)
    .await
    {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    let now = store::now();
    let orders: Vec<RemoteOrder> = rows.iter().map(|r| r.remote(now)).collect();
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
    let row: Option<Row> = match sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE order_id = $1"
    ))
    .bind(&order_id)
    .fetch_optional(&state.db.pool)
    .await
    {
        Ok(row) => row,
        Err(e) => return internal(e),
    };
    match row {
        Some(row) => Json(row.remote(store::now())).into_response(),
        None => no_such_order(),
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
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
    else {
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
    let (status, body, changed) = match apply(state, &key, order_id, action).await {
        Ok(answer) => answer,
        Err(e) => return internal(e),
    };
    if changed && action == OrderAction::Cancel && state.config.platform.sandbox_push {
        announce_cancellation(state, order_id).await;
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if body.is_null() {
        status.into_response()
    } else {
        (status, Json(body)).into_response()
    }
}

/// The answer (status, body, whether this call changed the order), stored under `key`
/// in the transaction that made the change.
async fn apply(
    state: &AppState,
    key: &str,
    order_id: &str,
    action: OrderAction,
) -> anyhow::Result<(u16, Value, bool)> {
    let mut tx = state.db.begin().await?;
    // Claiming the key first is also the first write, which on SQLite takes the lock
    // before anything is read.
    let claimed = sqlx::query(
        "INSERT INTO sandbox_idempotency (idempotency_key, status, body, created_at) VALUES ($1, 0, '', $2) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(key)
    .bind(store::now())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        let (status, body): (i64, String) = sqlx::query_as(
            "SELECT status, body FROM sandbox_idempotency WHERE idempotency_key = $1",
        )
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        tx.rollback().await?;
        let body = serde_json::from_str(&body).unwrap_or(Value::Null);
        return Ok((u16::try_from(status).unwrap_or(500), body, false));
    }
    let (status, body, changed) = decide(&mut tx, order_id, action).await?;
    sqlx::query("UPDATE sandbox_idempotency SET status = $1, body = $2 WHERE idempotency_key = $3")
        .bind(i64::from(status))
        .bind(body.to_string())
        .bind(key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((status, body, changed))
}

async fn decide(
    tx: &mut Tx,
    order_id: &str,
    action: OrderAction,
) -> sqlx::Result<(u16, Value, bool)> {
    // Touching the row locks it (on both databases) before it is read.
    sqlx::query("UPDATE sandbox_orders SET status = status WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok((404, refusal_body("NO_SUCH_ORDER", "no such order"), false));
    };
    let now = store::now();
    let before = row.order();
    let after = match before.apply(action, now) {
        Ok(after) => after,
        Err(refusal) => {
            let status = if refusal == OrderRefusal::InvalidAmount {
                400
            } else {
                409
            };
            return Ok((
                status,
                refusal_body(refusal.code(), &refusal.to_string()),
                false,
            ));
        }
    };
    sqlx::query(
        "UPDATE sandbox_orders SET captured_amount = $1, refunded_amount = $2, cancelled = $3, expires_at = $4, status = $5 \
         WHERE order_id = $6",
    )
    .bind(after.captured)
    .bind(after.refunded)
    .bind(i64::from(after.cancelled))
    .bind(after.expires_at)
    .bind(after.status(now).as_str())
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    let (status, body) = match action {
        OrderAction::Cancel | OrderAction::Extend => (204, Value::Null),
        OrderAction::Capture(amount) => (201, json!({ "captured_amount": amount })),
        OrderAction::Refund(amount) => (201, json!({ "refunded_amount": amount })),
    };
    Ok((status, body, after != before))
}

fn refusal_body(code: &str, message: &str) -> Value {
    json!({ "error_code": code, "error_message": message })
}

/// Tells Switchyard of the cancellation, as the platform does; a failed push is logged,
/// the cancellation stands.
async fn announce_cancellation(state: &AppState, order_id: &str) {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(&state.db.pool)
    .await
    .ok()
    .flatten();
    let Some(row) = row else { return };
    // Legacy store ids are digits only; new merchant ids never are.
    let subject = if row.merchant_id.bytes().all(|b| b.is_ascii_digit()) {
        "legacy_store_id"
    } else {
        "merchant_id"
    };
    let event = json!({
        "id": format!("evt_{}", crate::web::session::random_token(12)),
        "type": "order.cancelled",
        "created_at": rfc3339(store::now()),
        "data": {
            subject: row.merchant_id, "order_id": row.order_id, "environment": row.environment,
            "amount": row.amount, "currency": row.currency,
        }
    });
    if let Err(e) = super::emit(state, &event).await {
        tracing::warn!(error = ?e, order = order_id, "the sandbox could not announce a cancellation");
    }
}
