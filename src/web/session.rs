//! Sessions and CSRF as extractors: a handler's signature says what it needs.
//! `MaybeSession` reads the cookie; `SignedIn` requires a person; `CsrfForm<T>`
//! parses a form only if its token belongs to the caller's session. A session row exists
//! only for a signed-in person; strangers' forms are in `visitor`.

use axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, FromRequestParts, Request},
    http::request::Parts,
};
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, de::DeserializeOwned};
use sqlx::AnyConnection;
use subtle::ConstantTimeEq;

use super::{error::AppError, pages::layout::Ctx};
use crate::app::AppState;
pub use crate::domain::sha256_hex;
use crate::{
    domain::access::Principal,
    i18n::Tr,
    store::{self, sessions::SessionRow},
};

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.https() {
        "__Host-sy_session"
    } else {
        "sy_session"
    }
}

/// A session cookie for `value`, hardened for the deployment's scheme.
pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((cookie_name(state), value))
        .path("/")
        .http_only(true)
        .secure(state.config.https())
        .same_site(SameSite::Lax)
        .build()
}

/// The caller's live session, if any (anonymous or signed in).
pub struct MaybeSession(pub Option<SessionRow>);

impl<S> FromRequestParts<S> for MaybeSession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let state = AppState::from_ref(state);
        let Some(cookie) = SessionCookie::of(parts, &state) else {
            return Ok(MaybeSession(None));
        };
        let mut conn = state.db.pool.acquire().await?;
        Self::load(&mut conn, &cookie).await
    }
}

impl MaybeSession {
    /// The live session the cookie names, read on `conn`, which the caller may go on using.
    pub async fn load(conn: &mut AnyConnection, cookie: &SessionCookie) -> Result<Self, AppError> {
        let session = store::sessions::find_live(&mut *conn, &cookie.0).await?;
        if let Some(s) = &session
            && store::now() - s.last_seen_at > 60
        {
            store::sessions::touch(&mut *conn, &cookie.0).await?;
        }
        Ok(MaybeSession(session))
    }
}

/// The hash of the session cookie a request carries: looked at before the database is, so
/// a caller without one costs no connection.
pub struct SessionCookie(String);

impl SessionCookie {
    pub fn of(parts: &Parts, state: &AppState) -> Option<Self> {
        super::cookies::get(&parts.headers, cookie_name(state))
            .map(|c| SessionCookie(sha256_hex(c.as_bytes())))
    }

    /// The hash: a session row's key, and what a sign-in link is bound to.
    pub fn hash(&self) -> &str {
        &self.0
    }
}

/// A signed-in person. Handlers that take this are closed to anonymous callers.
pub struct SignedIn {
    pub principal: Principal,
    pub session: SessionRow,
}

impl SignedIn {
    pub fn email(&self) -> &str {
        &self.principal.email
    }

    /// The page context for this person.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            tr: Tr::current(),
            user: Some(self.principal.email.clone()),
            role: self.principal.role,
            csrf: Some(self.session.csrf_token.clone()),
        }
    }
}

impl<S> FromRequestParts<S> for SignedIn
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let state = AppState::from_ref(state);
        let cookie = SessionCookie::of(parts, &state).ok_or(AppError::SignInRequired)?;
        let mut conn = state.db.pool.acquire().await?;
        Self::load(&mut conn, &cookie).await
    }
}

impl SignedIn {
    /// The person signed in to the cookie's session, read on `conn`, which the caller may
    /// go on using.
    pub async fn load(conn: &mut AnyConnection, cookie: &SessionCookie) -> Result<Self, AppError> {
        let session = MaybeSession::load(conn, cookie)
            .await?
            .0
            .ok_or(AppError::SignInRequired)?;
        // A disabled account has no live session: it is signed out at once.
        let principal = store::users::principal_of(conn, &session)
            .await?
            .ok_or(AppError::SignInRequired)?;
        // The person's own choice outranks what their browser asks for.
        if let Some(lang) = principal.lang.as_deref().and_then(crate::i18n::Lang::parse) {
            crate::i18n::set_request_lang(lang);
        }
        if let Some(zone) = principal
            .time_zone
            .as_deref()
            .and_then(crate::i18n::zone::parse)
        {
            crate::i18n::zone::set_request_zone(zone);
        }
        Ok(SignedIn { principal, session })
    }
}

/// A form with nothing but its CSRF token (a button that does one thing).
#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form's body, or a refusal the person can act on.
pub(super) async fn form_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|_| AppError::bad_request("input.form_unreadable"))
}

/// A urlencoded form whose `csrf` field matches the caller's session token.
pub struct CsrfForm<T> {
    pub form: T,
    pub session: SessionRow,
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let session = MaybeSession::from_request_parts(&mut parts, state)
            .await?
            .0
            .ok_or(AppError::FormExpired)?;
        let bytes = form_body(Request::from_parts(parts, body), state).await?;
        if !csrf_matches(&session, &csrf_field_of(&bytes)?) {
            return Err(AppError::FormExpired);
        }
        Ok(CsrfForm {
            form: parse_form(&bytes)?,
            session,
        })
    }
}

/// The `csrf` field of a urlencoded form (empty when missing).
pub fn csrf_field_of(bytes: &[u8]) -> Result<String, AppError> {
    let field: CsrfField =
        serde_urlencoded::from_bytes(bytes).map_err(|_| AppError::FormExpired)?;
    Ok(field.csrf)
}

/// The whole urlencoded form, once its token has been checked.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| {
        tracing::info!(error = %e, "a form that does not parse");
        AppError::bad_request("input.form_malformed")
    })
}

/// Whether `given` is the session's CSRF token (compared in constant time).
pub fn csrf_matches(session: &SessionRow, given: &str) -> bool {
    !given.is_empty() && bool::from(given.as_bytes().ct_eq(session.csrf_token.as_bytes()))
}

/// The caller's IP address: the socket's peer, or, when that peer is a trusted proxy,
/// the right-most address in `X-Forwarded-For` that is not one of our proxies.
pub fn client_ip(parts: &Parts, trusted: &[std::net::IpAddr]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|ip| ip.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .or(forwarded.first())
        .unwrap_or(&peer)
        .to_string()
}

/// The caller's IP address, as an extractor.
pub struct ClientIp(pub String);

impl<S> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            parts,
            &AppState::from_ref(state).config.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{extract::ConnectInfo, http::Request};

    fn parts(peer: &str, forwarded: Option<&str>) -> Parts {
        let mut req = Request::builder();
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        let (mut parts, _) = req.body(()).unwrap().into_parts();
        parts.extensions.insert(ConnectInfo::<std::net::SocketAddr>(
            format!("{peer}:1234").parse().unwrap(),
        ));
        parts
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let lb: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            client_ip(&parts("203.0.113.9", Some("1.2.3.4")), &[lb]),
            "203.0.113.9",
            "a client cannot claim an address"
        );
        assert_eq!(
            client_ip(&parts("10.0.0.1", Some("1.2.3.4, 198.51.100.7")), &[lb]),
            "198.51.100.7"
        );
        assert_eq!(
            client_ip(&parts("10.0.0.1", Some("198.51.100.7, 10.0.0.1")), &[lb]),
            "198.51.100.7"
        );
        assert_eq!(client_ip(&parts("10.0.0.1", None), &[lb]), "10.0.0.1");
    }
}
