//! What an action did, said on the page the person lands on after its redirect
//! (POST-redirect-GET leaves nothing else to say it with). The handler puts the notice,
//! already in the reader's words, into a short-lived signed cookie; the edge reads it
//! back for the next request, the page frame shows it once, and only a page that showed
//! it clears it, so a redirect to a stream or a download does not lose it.

use std::cell::RefCell;

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::{
    app::AppState,
    i18n::{Msg, Tr},
};

const COOKIE: &str = "sy_notice";
/// Long enough for any redirect to be followed, short enough that a stale one is gone.
const TTL_SECONDS: i64 = 300;
/// A notice longer than this is cut, so the cookie stays well under browsers' limits.
const MAX_CHARS: usize = 1_000;

tokio::task_local! {
    /// The notice waiting for this request's page, and whether a page took it.
    static PENDING: RefCell<(Option<String>, bool)>;
}

/// A redirect to `to` whose page says `msg` (in the current request's language).
pub fn redirect(state: &AppState, to: &str, msg: &Msg) -> Response {
    let text: String = msg.render(&Tr::current()).chars().take(MAX_CHARS).collect();
    let value = format!("{}.{}", encode(&text), sign(state, &text));
    let cookie = Cookie::build((COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(state.config.https())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(TTL_SECONDS))
        .build();
    (CookieJar::new().add(cookie), Redirect::to(to)).into_response()
}

/// The notice for the page being rendered, once: the frame of a page calls this.
pub fn take() -> Option<String> {
    PENDING
        .try_with(|p| {
            let mut p = p.borrow_mut();
            let text = p.0.take();
            p.1 |= text.is_some();
            text
        })
        .ok()
        .flatten()
}

/// Serves one request (`fut`) with the notice its cookie carried (`pending`), and clears
/// the cookie when a page showed it.
pub async fn carry<F>(state: &AppState, pending: Option<String>, fut: F) -> Response
where
    F: std::future::Future<Output = Response>,
{
    PENDING
        .scope(RefCell::new((pending, false)), async {
            let mut res = fut.await;
            if PENDING.with(|p| p.borrow().1) {
                clear(state, &mut res);
            }
            res
        })
        .await
}

/// The notice a request's cookie carries, if its signature holds.
pub fn pending(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let value = super::cookies::get(headers, COOKIE)?;
    let (text, signature) = value.split_once('.')?;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())?;
    let signature = hex::decode(signature).ok()?;
    mac(state, &text).verify_slice(&signature).ok()?;
    Some(text)
}

fn clear(state: &AppState, res: &mut Response) {
    let gone = Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .secure(state.config.https())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::ZERO)
        .build();
    if let Ok(v) = HeaderValue::from_str(&gone.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn encode(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn sign(state: &AppState, text: &str) -> String {
    hex::encode(mac(state, text).finalize().into_bytes())
}

fn mac(state: &AppState, text: &str) -> Hmac<Sha256> {
    let key = state.config.secret_key.expose_secret().as_bytes();
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    // A purpose label, so no other signature under the same key can pass for this one.
    m.update(b"switchyard notice\0");
    m.update(text.as_bytes());
    m
}
