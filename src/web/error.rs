//! The one error type at the HTTP edge. User errors carry a message the person can act
//! on; internal errors are logged with context and shown as an opaque page with an id.

use axum::{
    http::{StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Redirect, Response},
};

use super::pages::{self, layout::Ctx};
use crate::{
    domain::Refusal,
    i18n::{Msg, Tr},
};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Signed in, but this person may not do this; the message says why.
    #[error("forbidden: {0}")]
    Forbidden(Msg),
    /// The request conflicts with where things stand (a refused transition).
    #[error("conflict: {0}")]
    Conflict(Msg),
    #[error("bad request: {0}")]
    BadRequest(Msg),
    /// The form's CSRF token is missing or does not belong to this session.
    #[error("form expired")]
    FormExpired,
    /// Not signed in: go to the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn forbidden(key: &'static str) -> Self {
        AppError::Forbidden(Msg::new(key))
    }

    pub fn conflict(key: &'static str) -> Self {
        AppError::Conflict(Msg::new(key))
    }

    pub fn bad_request(key: &'static str) -> Self {
        AppError::BadRequest(Msg::new(key))
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("database error"))
    }
}

/// The upgrade refused: a conflict with where it stands.
impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Conflict(refusal(r))
    }
}

/// What the upgrade's refusal says, as a message naming its steps.
pub fn refusal(r: Refusal) -> Msg {
    r.steps()
        .into_iter()
        .fold(Msg::new(r.key()), |m, (name, step)| {
            m.arg_msg(name, Msg::new(step.key()))
        })
}

/// A refusal's page before it is framed: its status, title and message, still as
/// messages, so the frame (`web::frame`) can put them into the words of the person it
/// finds signed in, inside their own header and store menu.
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: StatusCode,
    pub title: Msg,
    pub message: Msg,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let tr = Tr::current();
        let (status, title, message) = match self {
            AppError::SignInRequired => return Redirect::to("/signin").into_response(),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                Msg::new("error.not_found.title"),
                Msg::new("error.not_found.body"),
            ),
            AppError::Forbidden(why) => (
                StatusCode::FORBIDDEN,
                Msg::new("error.forbidden.title"),
                why,
            ),
            AppError::Conflict(why) => {
                (StatusCode::CONFLICT, Msg::new("error.conflict.title"), why)
            }
            AppError::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                Msg::new("error.bad_request.title"),
                why,
            ),
            AppError::FormExpired => (
                StatusCode::FORBIDDEN,
                Msg::new("error.form_expired.title"),
                Msg::new("error.form_expired.body"),
            ),
            AppError::Internal(err) => {
                // The request's own id: the one on its log lines and in `X-Request-Id`.
                let id = super::request::current_id().unwrap_or_else(super::request::new_id);
                if crate::store::is_unavailable(&err) {
                    tracing::error!(error_id = %id, error = ?err, "the database cannot take this request now");
                    let page = pages::error::page(
                        &Ctx::default(),
                        None,
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
                // Not framed: the database that would name the person may be what failed.
                let page = pages::error::page(
                    &Ctx::default(),
                    None,
                    &tr.t("error.internal.title"),
                    &tr.f("error.internal.body", &[("id", &id)]),
                );
                return (StatusCode::INTERNAL_SERVER_ERROR, page).into_response();
            }
        };
        let page = pages::error::page(
            &Ctx::default(),
            None,
            &title.render(&tr),
            &message.render(&tr),
        );
        let mut res = (status, page).into_response();
        res.extensions_mut().insert(Refused {
            status,
            title,
            message,
        });
        res
    }
}

/// What a failed call to the platform means for the person who clicked: a refusal names
/// the platform's code and reason (409); anything else may or may not have gone through,
/// and a retry is safe (502).
pub fn platform_problem(e: &crate::platform::client::PlatformError) -> (StatusCode, Msg) {
    use crate::platform::client::PlatformError;
    let message = match e {
        // A refusal the domain knows is said in the reader's words; the platform's own
        // text (English) is shown only for one it does not.
        PlatformError::Refused { code, message, .. } => {
            match crate::domain::order::OrderRefusal::from_code(code) {
                Some(refusal) => Msg::new(refusal.key()),
                None => Msg::new("platform.error.refused")
                    .arg("code", code.as_str())
                    .arg("why", message.as_str()),
            }
        }
        PlatformError::NotConfigured => Msg::new("platform.error.not_configured"),
        _ => Msg::new("platform.error.unavailable"),
    };
    let status = if e.is_transient() {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::CONFLICT
    };
    (status, message)
}
