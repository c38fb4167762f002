//! Which language a request is served in, and the switcher. A person's stored choice
//! wins (applied when they are known, in `SignedIn`); before that, the browser's
//! `sy_lang` cookie (the switcher's choice), then `Accept-Language`, then English.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use serde::Deserialize;

use super::{error::AppError, routes::Routes, visitor::OpenForm};
use crate::app::AppState;
use crate::{i18n::Lang, store};

pub const COOKIE: &str = "sy_lang";
/// The IANA name of the browser's time zone, set by a line of script (`app.js`).
pub const ZONE_COOKIE: &str = "tz";

pub fn routes(r: Routes) -> Routes {
    r.post("/language", switch)
}

/// The language the browser asks for: its cookie, else `Accept-Language`, else English.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    expressed(headers).unwrap_or_default()
}

/// The language the person asked for, by the switcher's cookie or their browser's
/// `Accept-Language`; `None` when they said nothing (English is then only a default).
pub fn expressed(headers: &HeaderMap) -> Option<Lang> {
    super::cookies::get(headers, COOKIE)
        .and_then(|c| Lang::parse(&c))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
}

/// Serves the request in its language (`serve` answers it), and says that the answer
/// depends on it.
pub async fn negotiate<F>(req: Request, serve: impl FnOnce(Request) -> F) -> Response
where
    F: std::future::Future<Output = Response>,
{
    let lang = from_headers(req.headers());
    let zone = browser_zone(req.headers());
    let serve = crate::i18n::zone::with_request_zone(zone, serve(req));
    let mut res = crate::i18n::with_request_lang(lang, serve).await;
    res.headers_mut().append(
        header::VARY,
        header::HeaderValue::from_static("accept-language, cookie"),
    );
    res
}

/// The zone the browser reported in its `tz` cookie, else UTC (no script, or a name
/// the database does not know).
fn browser_zone(headers: &HeaderMap) -> jiff::tz::TimeZone {
    super::cookies::get(headers, ZONE_COOKIE)
        .and_then(|c| crate::i18n::zone::parse(&c))
        .unwrap_or(jiff::tz::TimeZone::UTC)
}

#[derive(Deserialize)]
struct SwitchForm {
    #[serde(default)]
    lang: String,
}

/// Remembers the choice (in the browser, and on the account when signed in) and goes
/// back to the page it was made on.
async fn switch(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    OpenForm { form, session, .. }: OpenForm<SwitchForm>,
) -> Result<Response, AppError> {
    let Some(lang) = Lang::parse(&form.lang) else {
        return Err(AppError::bad_request("layout.language_unknown"));
    };
    if let Some(user_id) = session.and_then(|s| s.user_id) {
        store::users::set_lang(&state.db.pool, user_id, lang.code()).await?;
    }
    let cookie = Cookie::build((COOKIE, lang.code()))
        .path("/")
        .http_only(true)
        .secure(state.config.https())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    Ok((jar.add(cookie), Redirect::to(&back(&headers))).into_response())
}

/// The page the switch was made on (from `Referer`, same site only), else the start.
fn back(headers: &HeaderMap) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into())
}
