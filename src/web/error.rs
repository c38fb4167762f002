//! The one error type at the HTTP edge. User errors carry a message the person can act
//! on; internal errors are logged with context and shown as an opaque page with an id.

use axum::{
    http::{StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Redirect, Response},
};

use super::pages;
use crate::{domain::Refusal, i18n::Tr};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Signed in, but this person may not do this; the message says why.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request conflicts with where things stand (a refused transition).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The form's CSRF token is missing or does not belong to this session.
    #[error("form expired")]
    FormExpired,
    /// Not signed in: go to the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("database error"))
    }
}

/// The upgrade refused: a conflict with where it stands, in the reader's language.
impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Conflict(refusal(&Tr::current(), r))
    }
}

/// What the upgrade's refusal says, in `tr`'s language.
pub fn refusal(tr: &Tr, r: Refusal) -> String {
    let steps: Vec<(&str, String)> = r
        .steps()
        .into_iter()
        .map(|(name, step)| (name, tr.t(step.key())))
        .collect();
    let args: Vec<(&str, &str)> = steps.iter().map(|(n, v)| (*n, v.as_str())).collect();
    tr.f(r.key(), &args)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let tr = Tr::current();
        let (status, title, message) = match self {
            AppError::SignInRequired => return Redirect::to("/signin").into_response(),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                tr.t("error.not_found.title"),
                tr.t("error.not_found.body"),
            ),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, tr.t("error.forbidden.title"), why),
            AppError::Conflict(why) => (
                StatusCode::CONFLICT,
                tr.t("error.conflict.title"),
                sentence(&why),
            ),
            AppError::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                tr.t("error.bad_request.title"),
                why,
            ),
            AppError::FormExpired => (
                StatusCode::FORBIDDEN,
                tr.t("error.form_expired.title"),
                tr.t("error.form_expired.body"),
            ),
            AppError::Internal(err) => {
                // The request's own id: the one on its log lines and in `X-Request-Id`.
                let id = super::request::current_id().unwrap_or_else(super::request::new_id);
                if crate::store::is_unavailable(&err) {
                    tracing::error!(error_id = %id, error = ?err, "the database cannot take this request now");
                    let page = pages::error::page(
                        &tr,
                        &tr.t("error.unavailable.title"),
                        &tr.f("error.unavailable.body", &[("id", &id)]),
                    );
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(RETRY_AFTER, crate::store::RETRY_AFTER_SECONDS)],
                        page,
                    )
                        .into_response();
                }
                tracing::error!(error_id = %id, error = ?err, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    tr.t("error.internal.title"),
                    tr.f("error.internal.body", &[("id", &id)]),
                )
            }
        };
        (status, pages::error::page(&tr, &title, &message)).into_response()
    }
}

/// A message from below as a sentence: "needs an @" → "Needs an @."
pub fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

/// What a failed call to the platform means for the person who clicked: a refusal names
/// the platform's code and reason (409); anything else may or may not have gone through,
/// and a retry is safe (502).
pub fn platform_problem(
    tr: &Tr,
    e: &crate::platform::client::PlatformError,
) -> (StatusCode, String) {
    use crate::platform::client::PlatformError;
    let message = match e {
        PlatformError::Refused { code, message, .. } => tr.f(
            "platform.error.refused",
            &[("code", code), ("why", message)],
        ),
        PlatformError::NotConfigured => tr.t("platform.error.not_configured"),
        _ => tr.t("platform.error.unavailable"),
    };
    let status = if e.is_transient() {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::CONFLICT
    };
    (status, message)
}

/// An email address that did not parse, explained in the request's language.
pub fn email_problem(tr: &crate::i18n::Tr, why: &crate::domain::ids::InvalidId) -> String {
    let key = match why.0 {
        m if m.contains("required") => "input.email_required",
        m if m.contains("too long") => "input.email_too_long",
        m if m.contains("needs an @") => "input.email_no_at",
        _ => "input.email",
    };
    tr.t(key)
}
