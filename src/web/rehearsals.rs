//! Switch-off rehearsals over HTTP: the store's page and form (the admin schedules and
//! cancels), each rehearsal's report, support's cancel, and the partner's list.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::{PartnerManager, StoreAdmin, StoreReader, StoreSupport},
    error::AppError,
    notice, pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields},
};
use crate::{
    app::{
        AppState, paths,
        rehearsals::{self, Actor, Refused},
    },
    i18n::{Msg, Tr},
    platform::client::PlatformError,
    store,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/rehearsals", list)
        .post("/stores/{eid}/rehearsals", schedule)
        .get("/stores/{eid}/rehearsals/{id}", detail)
        .post("/stores/{eid}/rehearsals/{id}/cancel", cancel)
        .post(
            "/support/stores/{eid}/rehearsals/{id}/cancel",
            support_cancel,
        )
        .get(paths::partner::REHEARSALS, partner)
}

async fn list(State(state): State<AppState>, reader: StoreReader) -> Result<Response, AppError> {
    page(
        &state,
        &reader,
        &pages::rehearsals::Asked::default(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn page(
    state: &AppState,
    reader: &StoreReader,
    asked: &pages::rehearsals::Asked,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let rows = store::rehearsals::of_store(&state.db.pool, reader.store.id).await?;
    let zone = crate::i18n::zone::request_zone();
    let view = pages::rehearsals::list(
        reader,
        &rows,
        asked,
        error.as_deref(),
        crate::i18n::zone::name(&zone),
    );
    Ok((status, pages::render(view)).into_response())
}

#[derive(Deserialize)]
struct ScheduleForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: String,
}

/// The form's date and time in the reader's time zone, as unix seconds.
fn start_of(form: &ScheduleForm) -> Option<i64> {
    let date: jiff::civil::Date = form.date.trim().parse().ok()?;
    let time: jiff::civil::Time = form.time.trim().parse().ok()?;
    let zoned = date
        .to_datetime(time)
        .to_zoned(crate::i18n::zone::request_zone())
        .ok()?;
    Some(zoned.timestamp().as_second())
}

async fn schedule(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ScheduleForm>,
) -> Result<Response, AppError> {
    let tr = admin.ctx().tr;
    let asked = pages::rehearsals::Asked {
        date: form.date.clone(),
        time: form.time.clone(),
        minutes: form.minutes.clone(),
    };
    let refuse = |msg: String| {
        page(
            &state,
            &admin,
            &asked,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(starts_at) = start_of(&form) else {
        return refuse(tr.t("rehearsal.refused.when")).await;
    };
    let minutes = form.minutes.trim().parse::<i64>().unwrap_or(0);
    let by = Actor {
        email: admin.user.email(),
        ip: &ip,
    };
    let sunset = admin.sunset.map(|(d, _)| d);
    match rehearsals::schedule(&state, &admin.store, sunset, starts_at, minutes, by).await {
        Ok(id) => Ok(notice::redirect(
            &state,
            &paths::store(admin.eid()).rehearsal(id),
            &Msg::new("rehearsal.notice.scheduled"),
        )),
        Err(e) => match said(&tr, e) {
            Ok(msg) => refuse(msg).await,
            Err(e) => Err(e),
        },
    }
}

/// A refusal in the reader's words; an internal failure stays one.
fn said(tr: &Tr, e: Refused) -> Result<String, AppError> {
    match e {
        Refused::Rule(r) => Ok(tr.t(r.key())),
        // The platform's refusal as every platform action says it; any other failure
        // (no answer, an error) in the rehearsal's own words.
        Refused::Platform(p) => {
            tracing::warn!(error = %p, "the platform could not be asked for a switch-off");
            Ok(match p {
                PlatformError::Refused { .. } => super::error::platform_problem(&p).1.render(tr),
                _ => tr.t("rehearsal.refused.platform"),
            })
        }
        Refused::Internal(e) => Err(AppError::Internal(e)),
    }
}

async fn load(
    state: &AppState,
    reader: &StoreReader,
    id: &str,
) -> Result<store::rehearsals::Rehearsal, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    store::rehearsals::get(&state.db.pool, reader.store.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn detail(
    State(state): State<AppState>,
    reader: StoreReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let r = load(&state, &reader, &id).await?;
    let refusals = store::rehearsals::refusals(&state.db.pool, r.id).await?;
    Ok(pages::render(pages::rehearsals::detail(&reader, &r, &refusals)).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let r = load(&state, &admin, &id).await?;
    let by = Actor {
        email: admin.user.email(),
        ip: &ip,
    };
    match rehearsals::cancel(&state, &admin.store, &r, by).await {
        Ok(()) => Ok(notice::redirect(
            &state,
            &paths::store(admin.eid()).rehearsals(),
            &Msg::new("rehearsal.notice.cancelled"),
        )),
        Err(e) => {
            let msg = said(&admin.ctx().tr, e)?;
            let asked = pages::rehearsals::Asked::default();
            page(&state, &admin, &asked, Some(msg), StatusCode::CONFLICT).await
        }
    }
}

async fn support_cancel(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let r = load(&state, &reader, &id).await?;
    let by = Actor {
        email: reader.user.email(),
        ip: &ip,
    };
    match rehearsals::cancel(&state, &reader.store, &r, by).await {
        Ok(()) => Ok(notice::redirect(
            &state,
            &format!("{}#rehearsals", paths::store(reader.eid()).timeline()),
            &Msg::new("rehearsal.notice.cancelled"),
        )),
        Err(e) => {
            let msg = said(&reader.ctx().tr, e)?;
            super::console::page(&state, &reader, Some(msg), StatusCode::CONFLICT).await
        }
    }
}

async fn partner(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
) -> Result<Response, AppError> {
    let rows =
        store::rehearsals::of_partners(&state.db.pool, &user.principal.partner_ids, store::now())
            .await?;
    Ok(pages::render(pages::rehearsals::partner(&user.ctx(), &rows)).into_response())
}
