//! Strangers store nothing. A browser that is not signed in gets a random value in the
//! session cookie with no row behind it; its forms carry a token signed with the
//! server's key over that value's hash and an expiry. Showing a page to a stranger
//! therefore writes nothing, and a forged, foreign or expired token is still refused.
//! The hash is the same one a session row would be keyed by, so a sign-in link stays
//! bound to the browser that asked for it without any row before the form is sent.

use axum::{
    extract::{FromRef, FromRequest, FromRequestParts, Request},
    http::request::Parts,
};
use axum_extra::extract::CookieJar;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use super::{
    error::AppError,
    session::{MaybeSession, SessionCookie, csrf_matches, session_cookie},
};
use crate::app::AppState;
use crate::domain::credentials::random_token;
use crate::store::{self, sessions::SessionRow};

/// How long a stranger's form stays valid: as long as a session may sit idle.
pub const FORM_TOKEN_TTL: i64 = store::sessions::SESSION_IDLE;

/// The token for the forms of the browser whose cookie hashes to `visitor`, valid until
/// `expires_at`: `"{expires_at}.{hex hmac}"`.
pub fn form_token(key: &[u8], visitor: &str, expires_at: i64) -> String {
    format!(
        "{expires_at}.{}",
        hex::encode(mac(key, visitor, expires_at).finalize().into_bytes())
    )
}

/// Whether `given` is a live form token of the browser whose cookie hashes to `visitor`
/// (the signature is checked in constant time).
pub fn form_token_valid(key: &[u8], visitor: &str, given: &str, now: i64) -> bool {
    let Some((expiry, signature)) = given.split_once('.') else {
        return false;
    };
    // Digits only: "+5" or " 5" would parse to the same expiry as a different text.
    if expiry.is_empty() || !expiry.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(expires_at) = expiry.parse::<i64>() else {
        return false;
    };
    if expires_at <= now || expires_at > now.saturating_add(FORM_TOKEN_TTL) {
        return false;
    }
    let Ok(signature) = hex::decode(signature) else {
        return false;
    };
    mac(key, visitor, expires_at)
        .verify_slice(&signature)
        .is_ok()
}

fn mac(key: &[u8], visitor: &str, expires_at: i64) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    // A purpose label, so no other signature under the same key can pass for this one.
    m.update(b"switchyard anonymous form\0");
    m.update(visitor.as_bytes());
    m.update(b"\0");
    m.update(expires_at.to_string().as_bytes());
    m
}

fn key(state: &AppState) -> &[u8] {
    state.config.secret_key.expose_secret().as_bytes()
}

/// The browser making a request: the hash of its session cookie, if it sent one, and the
/// live session behind it, if there is one. Reading it never writes.
pub struct Browser {
    pub id_hash: Option<String>,
    pub session: Option<SessionRow>,
}

impl<S> FromRequestParts<S> for Browser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let app = AppState::from_ref(state);
        let Some(cookie) = SessionCookie::of(parts, &app) else {
            return Ok(Browser {
                id_hash: None,
                session: None,
            });
        };
        let mut conn = app.db.pool.acquire().await?;
        let MaybeSession(session) = MaybeSession::load(&mut conn, &cookie).await?;
        Ok(Browser {
            id_hash: Some(cookie.hash().to_owned()),
            session,
        })
    }
}

impl Browser {
    /// The CSRF token for this browser's forms, and the jar to send back: a session's own
    /// token, else one signed for the cookie (a new cookie value if it has none). Nothing
    /// is stored.
    pub fn form_token(self, state: &AppState, jar: CookieJar) -> (String, CookieJar) {
        if let Some(session) = self.session {
            return (session.csrf_token, jar);
        }
        let (id_hash, jar) = match self.id_hash {
            Some(hash) => (hash, jar),
            None => {
                let value = random_token(32);
                let hash = crate::domain::sha256_hex(&value);
                (hash, jar.add(session_cookie(state, value)))
            }
        };
        let token = form_token(key(state), &id_hash, store::now() + FORM_TOKEN_TTL);
        (token, jar)
    }
}

/// A urlencoded form open to strangers (asking for a sign-in link, confirming it, the
/// language switch): its `csrf` field must be the caller's session token or, without a
/// session, a live token signed for the caller's cookie.
pub struct OpenForm<T> {
    pub form: T,
    /// The hash of the caller's session cookie: what a sign-in link is bound to.
    pub id_hash: String,
    pub session: Option<SessionRow>,
    /// The token the form came with, for a page that shows the form again.
    pub csrf: String,
}

impl<S, T> FromRequest<S> for OpenForm<T>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let browser = Browser::from_request_parts(&mut parts, state).await?;
        let id_hash = browser.id_hash.ok_or(AppError::FormExpired)?;
        let bytes = super::session::form_body(Request::from_parts(parts, body), state).await?;
        let csrf = super::session::csrf_field_of(&bytes)?;
        let app = AppState::from_ref(state);
        let valid = match &browser.session {
            Some(session) => csrf_matches(session, &csrf),
            None => form_token_valid(key(&app), &id_hash, &csrf, store::now()),
        };
        if !valid {
            return Err(AppError::FormExpired);
        }
        Ok(OpenForm {
            form: super::session::parse_form(&bytes)?,
            id_hash,
            session: browser.session,
            csrf,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test-secret-key-test-secret-key-0123456789";
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_token_is_valid_for_its_own_browser_until_it_expires() {
        let token = form_token(KEY, "browser-a", NOW + 60);
        assert!(form_token_valid(KEY, "browser-a", &token, NOW));
        assert!(!form_token_valid(KEY, "browser-b", &token, NOW));
        assert!(!form_token_valid(KEY, "browser-a", &token, NOW + 60));
        assert!(!form_token_valid(b"another key", "browser-a", &token, NOW));
    }

    #[test]
    fn a_changed_expiry_or_signature_is_refused() {
        let token = form_token(KEY, "browser-a", NOW + 60);
        let (_, signature) = token.split_once('.').unwrap();
        for forged in [
            format!("{}.{signature}", NOW + 120),
            format!("+{}.{signature}", NOW + 60),
            format!("{}.{}", NOW + 60, &signature[2..]),
            format!("{}.", NOW + 60),
            signature.to_owned(),
            String::new(),
            format!("{}.{signature}", i64::MAX),
        ] {
            assert!(
                !form_token_valid(KEY, "browser-a", &forged, NOW),
                "{forged}"
            );
        }
        // Signed by the key, but for longer than any page hands out.
        let far = form_token(KEY, "browser-a", NOW + FORM_TOKEN_TTL + 1);
        assert!(!form_token_valid(KEY, "browser-a", &far, NOW));
    }
}
