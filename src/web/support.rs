//! Support's view of support requests: the queue, one request with the upgrade's whole
//! history (steps, audit log, API log) and its screenshots, and the status the store's
//! admin sees. Changing the status needs a reason and is audited.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    access::Support,
    error::AppError,
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm},
};
use crate::app::{AppState, emails};
use crate::store::outbox::Lane;
use crate::store::{self, audit::Record, support::RequestStatus};

pub fn routes(r: Routes) -> Routes {
    r.get("/support/requests", queue)
        .get("/support/requests/{id}", show)
        .get("/support/requests/{id}/screenshots/{n}", screenshot)
        .post("/support/requests/{id}/status", set_status)
}

async fn queue(
    State(state): State<AppState>,
    Support(user): Support,
) -> Result<Response, AppError> {
    let requests = store::support::queue(&state.db.pool, 500).await?;
    Ok(pages::render(pages::support::queue(&user.ctx(), &requests)).into_response())
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    Support(user): Support,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let request = store::support::get(&state.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let store = store::stores::find_by_id(&state.db.pool, request.store_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = pages::support::History {
        upgrade: store::upgrades::for_store(&state.db.pool, store.id).await?,
        steps: store::upgrades::step_history(&state.db.pool, store.id).await?,
        audit: store::audit::for_store(&state.db.pool, store.id, 200).await?,
        events: store::events::for_store_since(&state.db.pool, store.id, 0).await?,
        answers: store::support::answers(&state.db.pool, request.id).await?,
        traffic: store::traffic::of_store(&state.db.pool, store.id, store::now()).await?,
    };
    Ok(pages::render(pages::support::request(
        &user.ctx(),
        &request,
        &store,
        &history,
    ))
    .into_response())
}

async fn screenshot(
    State(state): State<AppState>,
    Support(_): Support,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    screenshot_of(&state, parse_id(&id)?, &n).await
}

/// The `n`th screenshot of request `id` (already known to be the caller's to see), as an
/// image that is never sniffed or cached.
pub async fn screenshot_of(state: &AppState, id: i64, n: &str) -> Result<Response, AppError> {
    let n = n
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=crate::domain::screenshot::MAX_FILES as i64).contains(n))
        .ok_or(AppError::NotFound)?;
    let (kind, bytes) = store::support::screenshot(&state.db.pool, id, n)
        .await?
        .ok_or(AppError::NotFound)?;
    let disposition = format!("inline; filename=\"request-{id}-{n}.{}\"", kind.extension());
    let mut res = bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

async fn set_status(
    State(state): State<AppState>,
    Support(user): Support,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<StatusForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let status = RequestStatus::parse(&form.status)
        .ok_or_else(|| AppError::bad_request("support.error.status"))?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(AppError::bad_request("support.error.reason"));
    }
    let request = store::support::get(&state.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    store::support::set_status(&mut tx, id, status).await?;
    store::support::add_answer(&mut tx, id, user.email(), status, reason).await?;
    let id_text = id.to_string();
    let record = Record {
        actor: user.email(),
        action: "support_request.status",
        store_id: Some(request.store_id),
        args: &[
            ("request", &id_text),
            ("from", request.status.as_str()),
            ("to", status.as_str()),
            ("reason", reason),
        ],
        ip: &ip,
    };
    store::audit::record(&mut *tx, &record).await?;
    // The reason is support's answer: the person who asked hears it, in their language.
    if let Some(s) = store::stores::find_by_id(&mut *tx, request.store_id).await? {
        let tr = emails::lang_of(&mut *tx, &request.author_email, Some(&s)).await?;
        let email = emails::support_answer(
            tr,
            &request.author_email,
            id,
            &s,
            status.as_str(),
            reason,
            &state.config.base_url,
        );
        let key = format!(
            "support-answer:{id}:{}",
            crate::domain::credentials::random_token(6)
        );
        store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(s.id)).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(Redirect::to(&format!("/support/requests/{id}")).into_response())
}
