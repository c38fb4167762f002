//! The sunset dates over HTTP: the public list of every date and change, and the
//! operators' page that sets a new one (`switchyard sunset set` does the same).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::Operator,
    error::AppError,
    pages::{self, layout::Ctx, sunsets::Sent},
    routes::Routes,
    session::{ClientIp, CsrfForm},
};
use crate::{
    app::{
        AppState,
        sunsets::{self, CHANGELOG, SunsetError, Wanted},
    },
    i18n::Msg,
    store,
};

pub fn routes(r: Routes) -> Routes {
    r.get(CHANGELOG, changelog)
        .get("/staff/sunsets", operator)
        .post("/staff/sunsets", set)
}

async fn changelog(State(state): State<AppState>) -> Result<Response, AppError> {
    let history = store::sunsets::history(&state.db.pool).await?;
    Ok(pages::render(pages::sunsets::changelog(
        &Ctx::default(),
        &state.catalog,
        &history,
    ))
    .into_response())
}

async fn operator(
    State(state): State<AppState>,
    Operator(user): Operator,
) -> Result<Response, AppError> {
    let history = store::sunsets::history(&state.db.pool).await?;
    Ok(pages::render(pages::sunsets::operator(
        &user.ctx(),
        &state.catalog,
        &history,
        &Sent::default(),
        None,
    ))
    .into_response())
}

#[derive(Deserialize)]
struct SetForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
}

async fn set(
    State(state): State<AppState>,
    Operator(user): Operator,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<SetForm>,
) -> Result<Response, AppError> {
    let wanted = Wanted {
        product: &form.product,
        date: &form.date,
        reason: &form.reason,
        by: user.email(),
        ip: &ip,
    };
    let refused = match sunsets::change(&state.db, &state.catalog, &wanted, store::now()).await {
        Ok(_) => {
            let msg = Msg::new("sunsets.saved").arg("product", &form.product);
            return Ok(super::notice::redirect(&state, "/staff/sunsets", &msg));
        }
        Err(SunsetError::Db(e)) => return Err(e.into()),
        Err(e) => e,
    };
    let ctx = user.ctx();
    let message = refused.key().map(|k| ctx.tr.t(k)).unwrap_or_default();
    let history = store::sunsets::history(&state.db.pool).await?;
    let sent = Sent {
        product: form.product,
        date: form.date,
        reason: form.reason,
    };
    let page = pages::sunsets::operator(&ctx, &state.catalog, &history, &sent, Some(&message));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response())
}
