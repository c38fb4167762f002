//! Email sign-in: a one-time link (10 minutes, single use) opens a confirmation page
//! that POSTs, so mail scanners that prefetch links cannot burn it.

use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{
    AppState,
    error::AppError,
    pages::{self, layout::Ctx},
    session::{CsrfForm, MaybeSession, ensure_session, random_token, session_cookie, sha256_hex},
};
use crate::{domain::EmailAddress, mail::Email, store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signin", get(sign_in_page).post(request_link))
        .route("/auth/confirm", get(confirm_page).post(confirm))
        .route("/signout", post(sign_out))
}

async fn sign_in_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if session.as_ref().is_some_and(|s| s.email.is_some()) {
        return Ok(Redirect::to("/").into_response());
    }
    let (csrf, jar) = ensure_session(&state, session, jar).await?;
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    Ok((jar, pages::render(pages::auth::sign_in(&ctx, "", None))).into_response())
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
}

async fn request_link(
    State(state): State<AppState>,
    CsrfForm { form, session }: CsrfForm<SignInForm>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        csrf: Some(session.csrf_token.clone()),
        ..Ctx::default()
    };
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(why) => {
            let page =
                pages::auth::sign_in(&ctx, &form.email, Some(&capitalised(&why.to_string())));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response());
        }
    };
    // Unknown addresses get the same answer as known ones: no account enumeration.
    if store::stores::is_known_admin(&state.db.pool, email.as_str()).await? {
        let token = random_token(32);
        store::sessions::store_sign_in_token(&state.db.pool, &sha256_hex(&token), email.as_str())
            .await?;
        let link = format!("{}/auth/confirm?token={token}", state.config.base_url);
        if state.config.seed_demo {
            tracing::info!(email = %email, %link, "demo mode: sign-in link");
        }
        let tr = ctx.tr;
        let mail = Email {
            to: email.to_string(),
            subject: tr.t("email.sign_in.subject"),
            text: tr.f("email.sign_in.body", &[("link", &link)]),
        };
        state.mailer.send(&mail).await?;
    } else {
        tracing::info!(email = %email, "sign-in requested for an unknown address; no email sent");
    }
    Ok(pages::render(pages::auth::check_email(&ctx, email.as_str())).into_response())
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn confirm_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    jar: CookieJar,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let valid = !q.token.is_empty()
        && store::sessions::sign_in_token_is_valid(&state.db.pool, &sha256_hex(&q.token)).await?;
    let (csrf, jar) = ensure_session(&state, session, jar).await?;
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    if !valid {
        return Ok((
            StatusCode::GONE,
            jar,
            pages::render(pages::auth::link_invalid(&ctx)),
        )
            .into_response());
    }
    Ok((jar, pages::render(pages::auth::confirm(&ctx, &q.token))).into_response())
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    token: String,
}

async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm { form, session }: CsrfForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await?;
    let Some(email) =
        store::sessions::consume_sign_in_token(&mut tx, &sha256_hex(&form.token)).await?
    else {
        tx.rollback().await?;
        let ctx = Ctx {
            csrf: Some(session.csrf_token),
            ..Ctx::default()
        };
        return Ok((
            StatusCode::GONE,
            pages::render(pages::auth::link_invalid(&ctx)),
        )
            .into_response());
    };
    let user_id = store::sessions::upsert_user(&mut tx, &email).await?;
    // A fresh session id at sign-in: whatever id the browser had before is dropped.
    store::sessions::delete(&mut *tx, &session.id_hash).await?;
    let value = random_token(32);
    store::sessions::create(
        &mut *tx,
        &sha256_hex(&value),
        Some(user_id),
        &random_token(32),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%email, "signed in");
    Ok((jar.add(session_cookie(&state, value)), Redirect::to("/")).into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm { session, .. }: CsrfForm<Empty>,
) -> Result<Response, AppError> {
    store::sessions::delete(&state.db.pool, &session.id_hash).await?;
    let jar = jar.remove(session_cookie(&state, String::new()));
    Ok((jar, Redirect::to("/signin")).into_response())
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect::<String>() + ".")
        .unwrap_or_default()
}
