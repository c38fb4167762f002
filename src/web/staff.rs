//! Staff accounts, for operators: list, add (with a role, and a partner for partner
//! managers) and disable. The CLI (`switchyard user …`) does the same.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    access::Operator,
    error::{AppError, sentence},
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, SignedIn},
};
use crate::app::AppState;
use crate::{
    domain::{EmailAddress, access::StaffRole},
    store::{self, audit::Record, users::StaffError},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/staff", list)
        .post("/staff", add)
        .post("/staff/disable", disable)
}

async fn list(
    State(state): State<AppState>,
    Operator(user): Operator,
) -> Result<Response, AppError> {
    let staff = store::users::list_staff(&state.db.pool).await?;
    Ok(pages::render(pages::staff::page(&user.ctx(), &staff, None)).into_response())
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    partner: String,
}

async fn add(
    State(state): State<AppState>,
    Operator(user): Operator,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<AddForm>,
) -> Result<Response, AppError> {
    let tr = user.ctx().tr;
    let email = match EmailAddress::parse(&form.email) {
        Ok(e) => e,
        Err(e) => return invalid(&state, &user, sentence(&e.to_string())).await,
    };
    let Some(role) = StaffRole::parse(&form.role) else {
        return invalid(&state, &user, tr.t("staff.error.role")).await;
    };
    let partner = Some(form.partner.trim()).filter(|p| !p.is_empty());
    let mut tx = state.db.begin().await?;
    match store::users::add_staff(&mut tx, email.as_str(), role, partner).await {
        Ok(_) => {}
        Err(StaffError::Db(e)) => return Err(e.into()),
        Err(e) => return invalid(&state, &user, sentence(&e.to_string())).await,
    }
    let detail = format!(
        "{email} as {role}{}",
        partner.map(|p| format!(" of {p}")).unwrap_or_default()
    );
    let record = Record {
        actor: user.email(),
        action: "staff.added",
        store_id: None,
        detail: &detail,
        ip: &ip,
    };
    store::audit::record(&mut *tx, &record).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff").into_response())
}

/// The staff page again, with the form showing what was wrong.
async fn invalid(state: &AppState, user: &SignedIn, message: String) -> Result<Response, AppError> {
    let staff = store::users::list_staff(&state.db.pool).await?;
    let page = pages::staff::page(&user.ctx(), &staff, Some(&message));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response())
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    email: String,
}

async fn disable(
    State(state): State<AppState>,
    Operator(user): Operator,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<DisableForm>,
) -> Result<Response, AppError> {
    if form.email == user.email() {
        return Err(AppError::BadRequest(user.ctx().tr.t("staff.error.self")));
    }
    let mut tx = state.db.begin().await?;
    match store::users::disable(&mut tx, &form.email).await {
        Ok(()) => {}
        Err(StaffError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(AppError::BadRequest(sentence(&e.to_string()))),
    }
    store::audit::record(
        &mut *tx,
        &Record {
            actor: user.email(),
            action: "staff.disabled",
            store_id: None,
            detail: &form.email,
            ip: &ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff").into_response())
}
