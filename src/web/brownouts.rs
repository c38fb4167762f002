//! Announced brownouts over HTTP, for operators: the list, scheduling a window, and
//! cancelling one before it starts.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::Operator,
    error::AppError,
    notice,
    pages::{self, brownouts::Sent},
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields, SignedIn},
};
use crate::{
    app::{
        AppState,
        brownouts::{self, Refused, Wanted},
    },
    i18n::Msg,
    store,
};

pub const PAGE: &str = "/staff/brownouts";

pub fn routes(r: Routes) -> Routes {
    r.get(PAGE, list)
        .post(PAGE, schedule)
        .post("/staff/brownouts/{id}/cancel", cancel)
}

async fn list(
    State(state): State<AppState>,
    Operator(user): Operator,
) -> Result<Response, AppError> {
    page(&state, &user, &Sent::default(), None, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    sent: &Sent,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let rows = store::brownouts::recent(&state.db.pool, store::now()).await?;
    let page = pages::brownouts::page(&user.ctx(), &state.catalog, &rows, sent, error);
    Ok((status, pages::render(page)).into_response())
}

#[derive(Deserialize)]
struct ScheduleForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    reason: String,
}

async fn schedule(
    State(state): State<AppState>,
    Operator(user): Operator,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ScheduleForm>,
) -> Result<Response, AppError> {
    // The date and time are UTC, as the form says.
    let starts_at = time::PrimitiveDateTime::parse(
        &format!("{} {}", form.date.trim(), form.time.trim()),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .map(|t| t.assume_utc().unix_timestamp())
    .unwrap_or(0);
    let wanted = Wanted {
        product: &form.product,
        starts_at,
        minutes: form.minutes.trim().parse().unwrap_or(0),
        reason: &form.reason,
        by: user.email(),
        ip: &ip,
    };
    let refused = match brownouts::schedule(&state, &wanted).await {
        Ok(_) => {
            let msg = Msg::new("brownouts.scheduled").arg("product", &form.product);
            return Ok(notice::redirect(&state, PAGE, &msg));
        }
        Err(Refused::Internal(e)) => return Err(e.into()),
        Err(e) => e,
    };
    let message = refused
        .key()
        .map(|k| user.ctx().tr.t(k))
        .unwrap_or_default();
    let sent = Sent {
        product: form.product,
        date: form.date,
        time: form.time,
        minutes: form.minutes,
        reason: form.reason,
    };
    page(
        &state,
        &user,
        &sent,
        Some(&message),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn cancel(
    State(state): State<AppState>,
    Operator(user): Operator,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    match brownouts::cancel(&state, id, user.email(), &ip).await {
        Ok(()) => Ok(notice::redirect(
            &state,
            PAGE,
            &Msg::new("brownouts.cancelled"),
        )),
        Err(Refused::Internal(e)) => Err(e.into()),
        Err(e) => {
            let message = e.key().map(|k| user.ctx().tr.t(k)).unwrap_or_default();
            page(
                &state,
                &user,
                &Sent::default(),
                Some(&message),
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}
