//! Email sign-in: a one-time link (10 minutes, single use, only in the browser that asked
//! for it) opens a confirmation page that POSTs, so mail scanners that prefetch links
//! cannot burn it. Requests are rate-limited per IP and per email; all of it is audited.

use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{
    error::AppError,
    pages::{self, layout::Ctx},
    routes::Routes,
    session::{ClientIp, NoFields, session_cookie, sha256_hex},
    visitor::{Browser, OpenForm},
};
use crate::app::{AppState, auth};
use crate::{
    domain::EmailAddress,
    store::{self, audit::Record, sessions::TokenStatus},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/signin", sign_in_page)
        .post("/signin", request_link)
        .get("/auth/confirm", confirm_page)
        .post("/auth/confirm", confirm)
        .post("/signout", sign_out)
}

async fn sign_in_page(
    State(state): State<AppState>,
    browser: Browser,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if browser
        .session
        .as_ref()
        .is_some_and(|s| s.user_id.is_some())
    {
        return Ok(Redirect::to("/").into_response());
    }
    let (csrf, jar) = browser.form_token(&state, jar);
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
    ClientIp(ip): ClientIp,
    OpenForm {
        form,
        id_hash,
        csrf,
        ..
    }: OpenForm<SignInForm>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(why) => {
            let message = super::error::email_problem(&ctx.tr, &why);
            let page = pages::auth::sign_in(&ctx, &form.email, Some(&message));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response());
        }
    };
    let limits = state.config.rate_limits;
    // Per place, and per address wherever the requests come from: spreading them over
    // many addresses must not buy more links for one mailbox.
    for (bucket, limit) in [
        (format!("signin:ip:{ip}"), limits.sign_in_per_ip),
        (format!("signin:email:{email}"), limits.sign_in_per_email),
    ] {
        if let Some(retry_at) = store::rate_limit::hit(&state.db, &bucket, limit).await? {
            // Audited once per limit and window: a stranger hammering the form must not
            // grow the audit log with every refusal.
            let once = store::rate_limit::Limit {
                max: 1,
                window: limit.window,
            };
            let audited = format!("audited:{bucket}");
            if store::rate_limit::hit(&state.db, &audited, once)
                .await?
                .is_none()
            {
                let record = Record {
                    actor: email.as_str(),
                    action: "sign_in.rate_limited",
                    store_id: None,
                    detail: &bucket,
                    ip: &ip,
                };
                store::audit::record(&state.db.pool, &record).await?;
            }
            return Ok(rate_limited(&ctx, retry_at));
        }
    }
    // Unknown addresses get the same answer, in the same time, as known ones: the
    // lookup, the token and the email happen after the response (no account enumeration).
    let (state2, email2, requested_by) = (state.clone(), email.clone(), id_hash);
    // The person asking reads the page in this language; the email follows it.
    let lang = crate::i18n::request_lang();
    // In the request's span, so what it logs carries the request id. Tracked: the answer
    // promises an email, so a shutdown waits for the link to be queued.
    state
        .tasks
        .spawn(tracing::Instrument::in_current_span(async move {
            if let Err(e) = auth::send_link(&state2, email2.as_str(), &requested_by, lang).await {
                tracing::error!(email = %email2, error = ?e, "could not send a sign-in link");
            }
        }));
    Ok(pages::render(pages::auth::check_email(&ctx, email.as_str())).into_response())
}

fn rate_limited(ctx: &Ctx, retry_at: i64) -> Response {
    let wait = (retry_at - store::now()).max(1);
    let page = pages::auth::rate_limited(ctx, &pages::format_time(retry_at), (wait + 59) / 60);
    let mut res = (StatusCode::TOO_MANY_REQUESTS, pages::render(page)).into_response();
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(wait));
    res
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn confirm_page(
    State(state): State<AppState>,
    browser: Browser,
    jar: CookieJar,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let browser_hash = browser.id_hash.clone().unwrap_or_default();
    let status =
        store::sessions::sign_in_token_status(&state.db.pool, &sha256_hex(&q.token), &browser_hash)
            .await?;
    let (csrf, jar) = browser.form_token(&state, jar);
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    let page = match status {
        TokenStatus::Valid => {
            return Ok((jar, pages::render(pages::auth::confirm(&ctx, &q.token))).into_response());
        }
        TokenStatus::Invalid => pages::auth::link_invalid(&ctx),
        TokenStatus::OtherBrowser => pages::auth::other_browser(&ctx),
    };
    Ok((StatusCode::GONE, jar, pages::render(page)).into_response())
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    token: String,
}

async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    OpenForm {
        form,
        id_hash,
        csrf,
        ..
    }: OpenForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    if let Some(retry_at) = store::rate_limit::hit(
        &state.db,
        &format!("confirm:ip:{ip}"),
        state.config.rate_limits.confirm_per_ip,
    )
    .await?
    {
        return Ok(rate_limited(&ctx, retry_at));
    }
    let lang = super::lang::expressed(&headers);
    match auth::sign_in(&state, &form.token, &id_hash, &ip, lang).await? {
        Ok(value) => {
            Ok((jar.add(session_cookie(&state, value)), Redirect::to("/")).into_response())
        }
        Err(status) => {
            let page = match status {
                TokenStatus::OtherBrowser => pages::auth::other_browser(&ctx),
                _ => pages::auth::link_invalid(&ctx),
            };
            Ok((StatusCode::GONE, pages::render(page)).into_response())
        }
    }
}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    OpenForm { session, .. }: OpenForm<NoFields>,
) -> Result<Response, AppError> {
    // A stranger signing out only loses the cookie: there is no row to delete.
    let Some(session) = session else {
        let jar = jar.remove(session_cookie(&state, String::new()));
        return Ok((jar, Redirect::to("/signin")).into_response());
    };
    store::sessions::delete(&state.db.pool, &session.id_hash).await?;
    if let Some(email) = &session.email {
        store::audit::record(
            &state.db.pool,
            &Record {
                actor: email,
                action: "sign_out",
                store_id: None,
                detail: "",
                ip: &ip,
            },
        )
        .await?;
    }
    let jar = jar.remove(session_cookie(&state, String::new()));
    Ok((jar, Redirect::to("/signin")).into_response())
}
