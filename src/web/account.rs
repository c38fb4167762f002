//! A signed-in person's own account: who they are, and signing out on every device.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{
    error::AppError,
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields, SignedIn, session_cookie},
};
use crate::app::AppState;
use crate::i18n::zone;
use crate::store::{self, audit::Record};

pub fn routes(r: Routes) -> Routes {
    r.get("/account", account_page)
        .post("/account/sign-out-everywhere", sign_out_everywhere)
        .post("/account/time-zone", set_time_zone)
}

async fn account_page(user: SignedIn) -> Response {
    let zone = user.principal.time_zone.as_deref();
    pages::render(pages::auth::account(&user.ctx(), user.principal.role, zone)).into_response()
}

#[derive(Deserialize)]
struct ZoneForm {
    /// An IANA name, or empty for the browser's own zone.
    #[serde(default)]
    time_zone: String,
}

/// Remembers the zone the person reads times in; an empty choice goes back to the
/// browser's.
async fn set_time_zone(
    State(state): State<AppState>,
    user: SignedIn,
    CsrfForm { form, .. }: CsrfForm<ZoneForm>,
) -> Result<Response, AppError> {
    let chosen = match form.time_zone.trim() {
        "" => None,
        name => {
            let zone = zone::parse(name).ok_or(AppError::bad_request("locale.zone.unknown"))?;
            Some(zone::name(&zone).to_owned())
        }
    };
    let user_id = user.principal.user_id;
    store::users::set_time_zone(&state.db.pool, user_id, chosen.as_deref()).await?;
    Ok(Redirect::to("/account#time-zone").into_response())
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    user: SignedIn,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await?;
    let ended = store::sessions::delete_all_for_user(&mut *tx, user.principal.user_id).await?;
    let ended = ended.to_string();
    store::audit::record(
        &mut *tx,
        &Record {
            actor: user.email(),
            action: "sign_out.everywhere",
            store_id: None,
            args: &[("count", &ended)],
            ip: &ip,
        },
    )
    .await?;
    tx.commit().await?;
    let jar = jar.remove(session_cookie(&state, String::new()));
    Ok((jar, Redirect::to("/signin")).into_response())
}
