//! The sandbox's legacy store: a small stand-in for the legacy API the old plugins still
//! call (an order, a capture, the settlement reports), reported to Switchyard as
//! `api.call` events on the legacy store ID, so a demo shows legacy calls arriving and
//! stopping; and the platform's switch-off windows (`brownouts`), in which those calls are
//! refused with 410.
//!
//! The sandbox knows no legacy passwords: HTTP Basic with the store's legacy ID as the
//! username and any password is accepted, for stores Switchyard knows.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::management::{authorized, error, idempotency_key, internal, unauthorized};
use crate::{
    app::AppState,
    domain::{parse_rfc3339, traffic::Service},
    store,
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.post("/legacy/v1/products/{product}/brownouts", schedule_product)
        .delete(
            "/legacy/v1/products/{product}/brownouts/{id}",
            cancel_product,
        )
        .post("/legacy/v1/stores/{eid}/brownouts", schedule)
        .delete("/legacy/v1/stores/{eid}/brownouts/{id}", cancel)
        .post("/legacy/v1/stores/{eid}/orders", legacy_order)
        .post(
            "/legacy/v1/stores/{eid}/orders/{order_id}/captures",
            legacy_capture,
        )
        .get("/legacy/v1/stores/{eid}/settlements", legacy_settlements)
}

#[derive(Deserialize)]
struct Window {
    starts_at: String,
    ends_at: String,
}

/// `POST /legacy/v1/stores/{eid}/brownouts` (the platform token): refuse the store's
/// legacy calls from `starts_at` to `ends_at`. The window's id follows from the
/// Idempotency-Key, so a retry creates no second one.
async fn schedule(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(eid): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (key, (starts_at, ends_at)) = match window_request(&state, &headers, &body) {
        Ok(asked) => asked,
        Err(refused) => return *refused,
    };
    match store::stores::find_by_legacy_id(&state.db.pool, &eid).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return error(
                StatusCode::NOT_FOUND,
                "NO_SUCH_STORE",
                "no such legacy store",
            );
        }
        Err(e) => return internal(e),
    }
    let id = format!(
        "bo_{}",
        &hex::encode(Sha256::digest(format!("{eid}:{key}")))[..20]
    );
    if let Err(e) = store::sandbox::insert_brownout(&state.db, &id, &eid, starts_at, ends_at).await
    {
        return internal(e);
    }
    (StatusCode::CREATED, Json(json!({ "id": id, "starts_at": crate::domain::rfc3339(starts_at), "ends_at": crate::domain::rfc3339(ends_at) })))
        .into_response()
}

/// `POST /legacy/v1/products/{product}/brownouts` (the platform token): refuse every
/// legacy call of the product's stores from `starts_at` to `ends_at` (an announced
/// brownout). As for a store's window, the id follows from the Idempotency-Key.
async fn schedule_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(product): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (key, (starts_at, ends_at)) = match window_request(&state, &headers, &body) {
        Ok(asked) => asked,
        Err(refused) => return *refused,
    };
    if !state.catalog.product(&product).is_some_and(|p| p.legacy) {
        return error(
            StatusCode::NOT_FOUND,
            "NO_SUCH_PRODUCT",
            "no such legacy product",
        );
    }
    let id = format!(
        "pbo_{}",
        &hex::encode(Sha256::digest(format!("{product}:{key}")))[..20]
    );
    if let Err(e) =
        store::sandbox::insert_product_brownout(&state.db, &id, &product, (starts_at, ends_at))
            .await
    {
        return internal(e);
    }
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

/// `DELETE /legacy/v1/products/{product}/brownouts/{id}`: cancel before it starts.
async fn cancel_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((product, id)): Path<(String, String)>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    cancelled(store::sandbox::cancel_product_brownout(&state.db, &id, &product).await)
}

/// The answer to a cancellation of either kind of window.
fn cancelled(res: sqlx::Result<Option<bool>>) -> Response {
    match res {
        Ok(Some(true)) => StatusCode::NO_CONTENT.into_response(),
        Ok(Some(false)) => error(
            StatusCode::CONFLICT,
            "ALREADY_STARTED",
            "the window has started",
        ),
        Ok(None) => error(StatusCode::NOT_FOUND, "NO_SUCH_WINDOW", "no such window"),
        Err(e) => internal(e),
    }
}

/// A request for a window, as both kinds take it: the platform token, an Idempotency-Key,
/// and a body with `starts_at` before `ends_at` (RFC 3339, at most a day apart).
fn window_request(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, (i64, i64)), Box<Response>> {
    if !authorized(state, headers) {
        return Err(Box::new(unauthorized()));
    }
    let Some(key) = idempotency_key(headers) else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "BAD_VALUE",
            "an Idempotency-Key header is required",
        )));
    };
    let window = serde_json::from_slice::<Window>(body).ok().and_then(|w| {
        let (s, e) = (parse_rfc3339(&w.starts_at)?, parse_rfc3339(&w.ends_at)?);
        (s < e && e - s <= 24 * 3600).then_some((s, e))
    });
    let Some(window) = window else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "BAD_VALUE",
            "starts_at and ends_at must be RFC 3339 times, the end after the start, at most a day apart",
        )));
    };
    Ok((key.to_owned(), window))
}

/// `DELETE /legacy/v1/stores/{eid}/brownouts/{id}`: cancel a window before it starts.
async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((eid, id)): Path<(String, String)>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    cancelled(store::sandbox::cancel_brownout(&state.db, &id, &eid).await)
}

async fn legacy_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(eid): Path<String>,
) -> Response {
    let endpoint = format!("/legacy/v1/stores/{eid}/orders");
    legacy_call(
        &state,
        &headers,
        &eid,
        Service::Checkout,
        &endpoint,
        StatusCode::CREATED,
    )
    .await
}

async fn legacy_capture(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((eid, order_id)): Path<(String, String)>,
) -> Response {
    let endpoint = format!("/legacy/v1/stores/{eid}/orders/{order_id}/captures");
    legacy_call(
        &state,
        &headers,
        &eid,
        Service::OrderManagement,
        &endpoint,
        StatusCode::CREATED,
    )
    .await
}

async fn legacy_settlements(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(eid): Path<String>,
) -> Response {
    let endpoint = format!("/legacy/v1/stores/{eid}/settlements");
    legacy_call(
        &state,
        &headers,
        &eid,
        Service::Settlement,
        &endpoint,
        StatusCode::OK,
    )
    .await
}

/// A call of the old plugin: refused with 410 inside a switch-off window, answered
/// otherwise, and reported to Switchyard either way, as the platform reports every call.
async fn legacy_call(
    state: &AppState,
    headers: &HeaderMap,
    eid: &str,
    service: Service,
    endpoint: &str,
    ok: StatusCode,
) -> Response {
    let known = match store::stores::find_by_legacy_id(&state.db.pool, eid).await {
        Ok(s) => s.is_some(),
        Err(e) => return internal(e),
    };
    let signed_in = super::basic_auth(headers).is_some_and(|(user, password)| {
        user == eid && !secrecy::ExposeSecret::expose_secret(&password).is_empty()
    });
    if !known || !signed_in {
        return error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "HTTP Basic with the legacy store ID as the username is required",
        );
    }
    let off = match store::sandbox::switched_off(&state.db, eid, store::now()).await {
        Ok(off) => off,
        Err(e) => return internal(e),
    };
    let status = if off { StatusCode::GONE } else { ok };
    let event = super::event_on(
        "api.call",
        eid,
        json!({
            "service": service.as_str(), "endpoint": endpoint, "status": status.as_u16(),
            "user_agent": super::user_agent(headers),
        }),
    );
    if state.config.platform.sandbox_push
        && let Err(e) = super::emit(state, &event).await
    {
        tracing::warn!(error = ?e, "the sandbox could not report a legacy call");
    }
    if off {
        return error(
            StatusCode::GONE,
            "LEGACY_SWITCHED_OFF",
            "the legacy store is switched off for a rehearsal; use the new credentials",
        );
    }
    (
        status,
        Json(json!({ "legacy_store_id": eid, "service": service.as_str() })),
    )
        .into_response()
}
