//! A signed-in person's own account: who they are, and signing out on every device.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;

use super::{
    error::AppError,
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields, SignedIn, session_cookie},
};
use crate::app::AppState;
use crate::store::{self, audit::Record};

pub fn routes(r: Routes) -> Routes {
    r.get("/account", account_page)
        .post("/account/sign-out-everywhere", sign_out_everywhere)
}

async fn account_page(user: SignedIn) -> Response {
    pages::render(pages::auth::account(&user.ctx(), user.principal.role)).into_response()
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
    let detail = format!("{ended} sessions ended");
    store::audit::record(
        &mut *tx,
        &Record {
            actor: user.email(),
            action: "sign_out.everywhere",
            store_id: None,
            detail: &detail,
            ip: &ip,
        },
    )
    .await?;
    tx.commit().await?;
    let jar = jar.remove(session_cookie(&state, String::new()));
    Ok((jar, Redirect::to("/signin")).into_response())
}
