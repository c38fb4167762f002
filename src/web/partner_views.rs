//! The dashboard's saved views and "remind all matching" (`crate::app::partner_views`):
//! save, open and delete a view; preview a reminder to every matching store, then send.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    access::PartnerManager,
    error::AppError,
    notice, pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields},
};
use crate::{
    app::{AppState, partner::ListQuery, partner_views, remind_runs},
    i18n::Msg,
};

pub fn routes(r: Routes) -> Routes {
    r.post("/partner/views", save_view)
        .post("/partner/views/{id}/delete", delete_view)
        .get("/partner/remind", remind_preview)
        .post("/partner/remind", remind_all)
        .get("/partner/remind/runs/{id}", remind_run)
}

/// A view to save: its name, and the dashboard's filters and sort as hidden fields.
#[derive(Deserialize)]
struct SaveView {
    #[serde(default)]
    name: String,
    #[serde(flatten)]
    list: ListQuery,
}

/// The dashboard under `query`, first page.
fn dashboard_of(query: &ListQuery) -> String {
    format!("/partner?{}", query.with(&[("page", "")]))
}

async fn save_view(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    CsrfForm { form, .. }: CsrfForm<SaveView>,
) -> Result<Response, AppError> {
    let saved =
        partner_views::save_view(&state, user.principal.user_id, &form.name, &form.list).await?;
    let msg = match saved {
        Ok(()) => Msg::new("dashboard.views.saved").arg("name", form.name.trim()),
        Err(r) => Msg::new(r.key()),
    };
    Ok(notice::redirect(&state, &dashboard_of(&form.list), &msg))
}

async fn delete_view(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Path(id): Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !partner_views::delete_view(&state, user.principal.user_id, id).await? {
        return Err(AppError::NotFound);
    }
    let msg = Msg::new("dashboard.views.deleted");
    Ok(notice::redirect(&state, "/partner", &msg))
}

/// How many stores the filter matches, who would be reminded and who is skipped; the
/// confirming form carries the same filter.
async fn remind_preview(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let preview =
        partner_views::remind_preview(&state, &user.principal.partner_ids, &query).await?;
    Ok(pages::render(pages::partner_daily::remind_preview(
        &user.ctx(),
        &query,
        &preview,
        &dashboard_of(&query),
    ))
    .into_response())
}

/// Starts reminding every matching store beside the requests, and shows the run.
async fn remind_all(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ListQuery>,
) -> Result<Response, AppError> {
    let who = (
        user.principal.user_id,
        user.principal.email.as_str(),
        ip.as_str(),
    );
    let id = remind_runs::start(&state, who, &user.principal.partner_ids, &form).await?;
    Ok(Redirect::to(&format!("/partner/remind/runs/{id}")).into_response())
}

/// How far a run has come; only the person who started it sees it.
async fn remind_run(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let Some(run) = remind_runs::of_user(&state, user.principal.user_id, id).await? else {
        return Err(AppError::NotFound);
    };
    let query: ListQuery = serde_urlencoded::from_str(&run.query).unwrap_or_default();
    Ok(pages::render(pages::partner_daily::remind_run(
        &user.ctx(),
        &run,
        &dashboard_of(&query),
    ))
    .into_response())
}
