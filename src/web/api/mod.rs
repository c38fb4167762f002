//! The partner REST API: a partner manager's token (Bearer) reads their partners'
//! stores, filtered and paged like the dashboard, and one store's progress and step
//! history. Another partner's store is answered exactly like one that does not exist.
//! Each handler documents itself for `/api/openapi.json` (`#[utoipa::path]`), and is
//! routed from that documentation.

use axum::{
    Json,
    extract::{FromRef, FromRequestParts, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{routes::Routes, session::sha256_hex};
use crate::{app::AppState, domain::access::StaffRole, store};

mod params;
mod schema;
mod stores;

pub fn routes(r: Routes) -> Routes {
    r.api(utoipa_axum::routes!(stores::list))
        .api(utoipa_axum::routes!(stores::sync))
        .api(utoipa_axum::routes!(stores::show))
        .api(utoipa_axum::routes!(openapi))
}

const MAX_PER_PAGE: i64 = 200;

/// A JSON error: `{"error": {"code": …, "message": …}}`.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub error: ErrorBody,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// `unauthorized`, `forbidden`, `not_found`, `bad_request`, `unavailable` or `internal`.
    pub code: &'static str,
    pub message: String,
}

pub fn error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let body = ApiError {
        error: ErrorBody {
            code,
            message: message.to_owned(),
        },
    };
    let mut res = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"switchyard\""),
        );
    }
    res
}

/// An answer other than the one asked for. A handler returns it with `?`: a database
/// error converts into one.
pub(super) enum Refused {
    /// A query the API does not take, and why.
    BadRequest(String),
    /// Nothing the caller may read by that name.
    NotFound(&'static str),
    Database(sqlx::Error),
}

impl Refused {
    fn bad_request(message: impl Into<String>) -> Self {
        Refused::BadRequest(message.into())
    }
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        Refused::Database(e)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::BadRequest(message) => error(StatusCode::BAD_REQUEST, "bad_request", &message),
            Refused::NotFound(message) => error(StatusCode::NOT_FOUND, "not_found", message),
            Refused::Database(e) => internal(e),
        }
    }
}

fn internal(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "partner API database error");
    if crate::store::unavailable(&e) {
        let mut res = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database cannot take requests now; retry later",
        );
        res.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static(crate::store::RETRY_AFTER_SECONDS),
        );
        return res;
    }
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error; retry later",
    )
}

/// A partner manager, by API token.
pub struct ApiCaller {
    pub email: String,
    pub partner_ids: Vec<i64>,
}

impl<S> FromRequestParts<S> for ApiCaller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with(store::api_tokens::TOKEN_PREFIX));
        let unauthorized = || {
            error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid API token is required: Authorization: Bearer sypat_…",
            )
        };
        let Some(token) = token else {
            return Err(unauthorized());
        };
        let pool = &state.db.pool;
        let (token_id, user_id) = store::api_tokens::owner(pool, &sha256_hex(token))
            .await
            .map_err(internal)?
            .ok_or_else(unauthorized)?;
        let principal = store::users::principal(pool, user_id)
            .await
            .map_err(internal)?
            .filter(|p| p.role == Some(StaffRole::PartnerManager))
            .ok_or_else(unauthorized)?;
        store::api_tokens::touch(pool, token_id)
            .await
            .map_err(internal)?;
        Ok(ApiCaller {
            email: principal.email,
            partner_ids: principal.partner_ids,
        })
    }
}

/// This document
///
/// The OpenAPI 3.1 document of the partner API and the platform's endpoints. Public.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    tag = crate::web::openapi::META,
    security(()),
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object),
        (status = 400, description = "The query string holds a control character", body = ApiError),
    ),
)]
async fn openapi(State(state): State<AppState>) -> Response {
    Json(super::openapi::document(
        &super::routes(state.config.sandbox),
        &state.config.base_url,
    ))
    .into_response()
}
