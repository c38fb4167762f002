//! Support's casework: assigning a store and its follow-up day, notes for the next
//! agent, and an agent's own queue. Changes show on the store's timeline.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::{StoreSupport, Support},
    console,
    error::AppError,
    notice, pages,
    routes::Routes,
    session::{ClientIp, CsrfForm},
};
use crate::app::{AppState, casework, paths};
use crate::i18n::Msg;
use crate::store;

pub fn routes(r: Routes) -> Routes {
    r.get("/support/queue", queue)
        .post("/stores/{eid}/support/casework", assign)
        .post("/stores/{eid}/support/notes", note)
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    follow_up_on: String,
}

async fn assign(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<AssignForm>,
) -> Result<Response, AppError> {
    let act = console::act(&reader, &ip, "");
    match casework::assign(&state, &act, &form.assignee, &form.follow_up_on).await? {
        Ok(()) => Ok(back(&state, reader.eid(), "casework.notice.assigned")),
        Err(refusal) => refused(&state, &reader, refusal).await,
    }
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn note(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<NoteForm>,
) -> Result<Response, AppError> {
    let act = console::act(&reader, &ip, "");
    match casework::note(&state, &act, &form.note).await? {
        Ok(()) => Ok(back(&state, reader.eid(), "casework.notice.noted")),
        Err(refusal) => refused(&state, &reader, refusal).await,
    }
}

/// To the casework on the store's timeline, saying what was done.
fn back(state: &AppState, eid: &str, key: &str) -> Response {
    let to = format!("{}#casework", paths::store(eid).timeline());
    notice::redirect(state, &to, &Msg::new(key))
}

async fn refused(
    state: &AppState,
    reader: &super::access::StoreReader,
    refusal: casework::Refusal,
) -> Result<Response, AppError> {
    let msg = reader.ctx().tr.t(refusal.key());
    console::page(state, reader, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The stores assigned to the agent who asks, follow-ups first.
async fn queue(
    State(state): State<AppState>,
    Support(user): Support,
) -> Result<Response, AppError> {
    let rows = store::casework::queue(&state.db.pool, user.email()).await?;
    let today = crate::domain::sunset::today().to_string();
    Ok(pages::render(pages::casework::queue(&user.ctx(), &rows, &today)).into_response())
}
