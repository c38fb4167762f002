//! The store's own support requests, as threads: what was sent (text, error code,
//! screenshots), support's answers and where each stands. Only the store's people (its
//! admin and the users the admin invited) see them; anyone else gets the same "not
//! found" as for a store that does not exist.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};

use super::{
    access::{StoreMember, StoreReader},
    error::AppError,
    pages,
    routes::Routes,
};
use crate::{app::AppState, store};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/support-requests", list)
        .get("/stores/{eid}/support-requests/{id}", show)
        .get(
            "/stores/{eid}/support-requests/{id}/screenshots/{n}",
            screenshot,
        )
}

async fn list(
    State(state): State<AppState>,
    StoreMember(reader): StoreMember,
) -> Result<Response, AppError> {
    let requests = store::support::for_store(&state.db.pool, reader.store.id).await?;
    Ok(pages::render(pages::requests::list(&reader, &requests)).into_response())
}

/// Request `raw` of the reader's store; another store's, or none, is not found.
async fn request_of(
    state: &AppState,
    reader: &StoreReader,
    raw: &str,
) -> Result<store::support::SupportRequest, AppError> {
    let id: i64 = raw.parse().map_err(|_| AppError::NotFound)?;
    store::support::of_store(&state.db.pool, reader.store.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    StoreMember(reader): StoreMember,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let request = request_of(&state, &reader, &id).await?;
    let answers = store::support::answers(&state.db.pool, request.id).await?;
    let page = pages::requests::thread(&reader, &request, &answers);
    Ok(pages::render(page).into_response())
}

async fn screenshot(
    State(state): State<AppState>,
    StoreMember(reader): StoreMember,
    Path((_, id, n)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let request = request_of(&state, &reader, &id).await?;
    super::support::screenshot_of(&state, request.id, &n).await
}
