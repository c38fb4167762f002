//! A later sunset for one store over HTTP: the store's page and the admin's request, and
//! support's list with its decisions.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::{StoreAdmin, StoreReader, Support},
    error::AppError,
    notice,
    pages::{self, extensions::Asked},
    routes::Routes,
    session::{ClientIp, CsrfForm},
};
use crate::{
    app::{
        AppState,
        extensions::{self, Actor, Answer, Refused},
        paths,
    },
    i18n::Msg,
    store,
};

pub const SUPPORT: &str = "/support/extensions";

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/extension", show)
        .post("/stores/{eid}/extension", ask)
        .get(SUPPORT, queue)
        .post("/support/extensions/{id}", decide)
}

async fn show(State(state): State<AppState>, reader: StoreReader) -> Result<Response, AppError> {
    page(&state, &reader, &Asked::default(), None, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    reader: &StoreReader,
    asked: &Asked,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let rows = store::extensions::of_store(&state.db.pool, reader.store.id).await?;
    let window = extensions::window(state, &reader.store);
    let view = pages::extensions::store_page(reader, window, &rows, asked, error);
    Ok((status, pages::render(view)).into_response())
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
}

async fn ask(
    State(state): State<AppState>,
    StoreAdmin(admin): StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<AskForm>,
) -> Result<Response, AppError> {
    let by = Actor {
        email: admin.user.email(),
        ip: &ip,
    };
    match extensions::request(&state, &admin.store, &form.date, &form.reason, by).await {
        Ok(_) => Ok(notice::redirect(
            &state,
            &paths::store(admin.eid()).extension(),
            &Msg::new("extension.notice.sent"),
        )),
        Err(Refused::Internal(e)) => Err(e.into()),
        Err(e) => {
            let message = e.key().map(|k| admin.ctx().tr.t(k)).unwrap_or_default();
            let status = match e {
                Refused::AlreadyOpen => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let asked = Asked {
                date: form.date,
                reason: form.reason,
            };
            page(&state, &admin, &asked, Some(&message), status).await
        }
    }
}

async fn queue(
    State(state): State<AppState>,
    Support(user): Support,
) -> Result<Response, AppError> {
    let rows = store::extensions::open(&state.db.pool).await?;
    Ok(pages::render(pages::extensions::support_page(&user.ctx(), &rows, None)).into_response())
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    Support(user): Support,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(AppError::bad_request("extension.error.decision")),
    };
    let answer = Answer {
        approve,
        date: &form.date,
        reason: &form.reason,
    };
    let by = Actor {
        email: user.email(),
        ip: &ip,
    };
    let refused = match extensions::decide(&state, id, &answer, by).await {
        Ok(_) => {
            let key = if approve {
                "extension.notice.approved"
            } else {
                "extension.notice.declined"
            };
            return Ok(notice::redirect(&state, SUPPORT, &Msg::new(key)));
        }
        Err(Refused::Internal(e)) => return Err(e.into()),
        Err(Refused::NotFound) => return Err(AppError::NotFound),
        Err(e) => e,
    };
    let ctx = user.ctx();
    let message = refused.key().map(|k| ctx.tr.t(k)).unwrap_or_default();
    let status = match refused {
        Refused::Decided => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let rows = store::extensions::open(&state.db.pool).await?;
    let view = pages::extensions::support_page(&ctx, &rows, Some((id, &message)));
    Ok((status, pages::render(view)).into_response())
}
