//! The sandbox platform's report of what a new merchant ID can do
//! (`GET /merchants/{mid}/capabilities`, the platform token), and the switch a test or a
//! demo uses to change it, as the platform's support would when asked
//! (`PUT /merchants/{mid}/capabilities`).

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use super::management::{authorized, error, internal, unauthorized};
use crate::{
    app::AppState,
    domain::capabilities::{Capabilities, METHODS},
    store,
    web::routes::Routes,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/merchants/{mid}/capabilities", show)
        .put("/merchants/{mid}/capabilities", set)
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mid): Path<String>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    if let Err(res) = known(&state, &mid).await {
        return res;
    }
    match store::sandbox::capabilities(&state.db, &mid).await {
        Ok(c) => Json(c).into_response(),
        Err(e) => internal(e),
    }
}

async fn set(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mid): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    if let Err(res) = known(&state, &mid).await {
        return res;
    }
    let Some(c) = serde_json::from_slice::<Capabilities>(&body)
        .ok()
        .filter(|c| {
            c.payment_methods
                .iter()
                .all(|m| METHODS.contains(&m.as_str()))
        })
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_VALUE",
            &format!(
                "expected {{\"recurring\": bool, \"b2b\": bool, \"payment_methods\": [...]}} with methods of {}",
                METHODS.join(", ")
            ),
        );
    };
    match store::sandbox::set_capabilities(&state.db, &mid, &c).await {
        Ok(()) => Json(c).into_response(),
        Err(e) => internal(e),
    }
}

/// Only merchant IDs Switchyard issued exist at the sandbox.
async fn known(state: &AppState, mid: &str) -> Result<(), Response> {
    match store::upgrades::by_merchant_id(&state.db.pool, mid).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(error(
            StatusCode::NOT_FOUND,
            "NO_SUCH_MERCHANT",
            "no such merchant ID",
        )),
        Err(e) => Err(internal(e)),
    }
}
