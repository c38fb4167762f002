//! The partner REST API: a partner manager's token (Bearer) reads their partners'
//! stores, filtered and paged like the dashboard, and one store's progress and step
//! history. Another partner's store is answered exactly like one that does not exist.
//! Each handler documents itself for `/api/openapi.json` (`#[utoipa::path]`), and is
//! routed from that documentation.

use axum::{
    Json,
    extract::{FromRef, FromRequestParts, Path, Query, RawQuery, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{routes::Routes, session::sha256_hex};
use crate::app::{
    AppState,
    partner::{rule, sunsets},
};
use crate::{
    domain::{
        Step,
        access::StaffRole,
        rfc3339,
        traffic::{self, Capabilities},
    },
    store::{
        self,
        cohort::{Cohort, CohortRow},
    },
};

mod params;

use params::{Keyset, ListParams, SyncParams, check_list_query, per_page, refuse_sync_params};

pub fn routes(r: Routes) -> Routes {
    r.api(utoipa_axum::routes!(list))
        .api(utoipa_axum::routes!(sync))
        .api(utoipa_axum::routes!(show))
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

/// A store as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct StoreSummary {
    pub legacy_store_id: String,
    pub name: String,
    /// The legacy product code (KPM, KCOv2).
    pub product: String,
    /// The product the store moves to, once a path is chosen.
    pub target_product: Option<String>,
    pub platform: String,
    pub countries: Vec<String>,
    /// `not-started`, `terms`, `account`, `credentials`, `integration`, `test-purchase` or `complete`.
    pub step: String,
    /// `at-risk`, `stalled`, `not-started`, `on-track` or `done`.
    pub risk: String,
    /// RFC 3339; the last change of any kind.
    pub last_activity: Option<String>,
    /// Whole days since a step last moved.
    pub days_without_progress: Option<i64>,
    pub completed_at: Option<String>,
    /// RFC 3339; when the legacy store ID was last used (a call or an order on it). A
    /// store still calling it lately has something left on the legacy store.
    pub legacy_last_used: Option<String>,
    /// RFC 3339; when order management (a capture, cancel or refund) first succeeded on
    /// the new merchant ID.
    pub order_management_first_used: Option<String>,
    /// Complete, but order management never succeeded on the new merchant ID: checkout
    /// works while captures and refunds were never tried.
    pub order_management_missing: bool,
    /// Ready for the sunset: the legacy store ID unused for 14 days, no legacy
    /// authorization open, the reports archived.
    pub sunset_ready: bool,
    /// What the store still lacks for the sunset: `legacy_in_use`,
    /// `open_authorizations`, `reports_not_archived`.
    pub sunset_missing: Vec<String>,
    /// YYYY-MM-DD; the store's own sunset, later than its product's, once support
    /// approved an extension. Absent for a store on its product's sunset.
    pub sunset_extended_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StoreList {
    pub stores: Vec<StoreSummary>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StoreFeed {
    pub stores: Vec<StoreSummary>,
    pub per_page: i64,
    /// Every store the filters and `updated_since` select, on this page and the others.
    pub total: i64,
    /// Pass it as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StepChange {
    pub from: String,
    pub to: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct StoreDetail {
    #[serde(flatten)]
    pub store: StoreSummary,
    /// The new merchant ID, once the account step made it.
    pub merchant_id: Option<String>,
    pub sunset: Option<String>,
    pub history: Vec<StepChange>,
    /// What the store's integrations call, per service and ID: the table its pages show.
    pub traffic: Vec<TrafficRow>,
    /// What real traffic has proven works on the new merchant ID, from the first call on
    /// it (the store's pages show this checklist once the upgrade is complete).
    pub proven: Proven,
}

/// One row of a store's traffic table: one service's use of one ID.
#[derive(Serialize, ToSchema)]
pub struct TrafficRow {
    /// `checkout`, `order_management` or `settlement`.
    pub service: &'static str,
    /// The ID the calls were made with: the legacy store ID (digits) or a merchant ID.
    /// Absent on a `not_seen` row.
    pub id: Option<String>,
    /// RFC 3339; the latest call (an order, for checkout).
    pub last_seen: Option<String>,
    /// Calls (and orders) in the last 7 days, today included.
    pub calls_last_7_days: i64,
    /// The user agent of the latest call, when the platform said.
    pub user_agent: Option<String>,
    /// `move` (the legacy store is still called lately: move this service to the new
    /// ID), `stopped` (called once, not lately), `in_use` (on the new ID) or `not_seen`
    /// (never seen on the new ID: set it up with the new credentials).
    pub action: &'static str,
}

/// Each service real traffic has proven on the new merchant ID: a call that succeeded
/// (an order, for checkout).
#[derive(Serialize, ToSchema)]
pub struct Proven {
    pub checkout: bool,
    pub order_management: bool,
    pub settlement: bool,
}

fn summary(state: &AppState, r: &CohortRow, now: i64) -> StoreSummary {
    let readiness = r.readiness(now);
    let target = r
        .path_id
        .as_deref()
        .and_then(|p| state.catalog.path(p))
        .map(|p| p.to.clone());
    StoreSummary {
        legacy_store_id: r.legacy_store_id.clone(),
        name: r.name.clone(),
        product: r.product.clone(),
        target_product: target,
        platform: r.platform.clone(),
        countries: r
            .countries
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        step: r.step.as_str().to_owned(),
        risk: r.risk.as_str().to_owned(),
        last_activity: r.updated_at.map(rfc3339),
        days_without_progress: r.idle_days(now),
        completed_at: r.completed_at.map(rfc3339),
        legacy_last_used: r.legacy_called_at.map(rfc3339),
        order_management_first_used: r.order_management_at.map(rfc3339),
        order_management_missing: r.order_management_missing(),
        sunset_ready: readiness.is_ready(),
        sunset_missing: readiness
            .missing
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        sunset_extended_to: r
            .extended_sunset
            .and_then(crate::domain::sunset::day_of)
            .map(|d| d.to_string()),
    }
}

/// Your partners' stores, with progress and sunset risk
///
/// The same filters and sorting as the partner dashboard, one page at a time. A filter,
/// sort or page the API does not know is refused (400) rather than ignored.
#[utoipa::path(
    get,
    path = "/api/v1/stores",
    operation_id = "listStores",
    tag = crate::web::openapi::PARTNER,
    params(ListParams),
    security(("partnerToken" = [])),
    responses(
        (status = 200, description = "One page of the stores", body = StoreList),
        (status = 400, description = "A parameter is out of range", body = ApiError),
        (status = 401, description = "No valid API token", body = ApiError),
        (status = 503, description = "The database cannot take requests now; retry after `Retry-After` seconds", body = ApiError),
    ),
)]
async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    RawQuery(raw): RawQuery,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the query string could not be read",
        );
    };
    let raw = raw.as_deref().unwrap_or_default();
    if let Err(message) = check_list_query(&params.list, raw) {
        return error(StatusCode::BAD_REQUEST, "bad_request", &message);
    }
    if let Err(message) = refuse_sync_params(raw) {
        return error(StatusCode::BAD_REQUEST, "bad_request", message);
    }
    let per_page = match per_page(&params.per_page) {
        Ok(n) => n,
        Err(message) => return error(StatusCode::BAD_REQUEST, "bad_request", message),
    };
    let q = &params.list;
    let sunsets = sunsets(&state);
    let filter = q.filter();
    let now = store::now();
    let cohort = Cohort {
        partners: Some(&caller.partner_ids),
        filter: &filter,
        rule: rule(&state),
        sunsets: &sunsets,
        now,
    };
    let page = q.page();
    let rows = match cohort
        .page(
            &state.db,
            q.sort(),
            q.descending(),
            per_page,
            (page - 1) * per_page,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let total = match cohort.count(&state.db).await {
        Ok(t) => t,
        Err(e) => return internal(e),
    };
    Json(StoreList {
        stores: rows.iter().map(|r| summary(&state, r, now)).collect(),
        page,
        per_page,
        total,
    })
    .into_response()
}

/// Your partners' stores in import order, for keeping a copy in step
///
/// The dashboard's filters, paged by cursor: leave `cursor` out for the first page, then
/// pass each answer's `next_cursor` until it is absent. A store's place in import order
/// never changes, so a store imported or changed while a client pages through is neither
/// repeated nor skipped. With `updated_since`, only the stores that changed since then:
/// a client syncs incrementally by remembering when it started each sync.
#[utoipa::path(
    get,
    path = "/api/v1/sync/stores",
    operation_id = "syncStores",
    tag = crate::web::openapi::PARTNER,
    params(SyncParams),
    security(("partnerToken" = [])),
    responses(
        (status = 200, description = "One page of the stores, and the cursor of the next", body = StoreFeed),
        (status = 400, description = "A parameter is out of range, or the cursor is not one the API gave out", body = ApiError),
        (status = 401, description = "No valid API token", body = ApiError),
        (status = 503, description = "The database cannot take requests now; retry after `Retry-After` seconds", body = ApiError),
    ),
)]
async fn sync(
    State(state): State<AppState>,
    caller: ApiCaller,
    RawQuery(raw): RawQuery,
    params: Result<Query<SyncParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the query string could not be read",
        );
    };
    if let Err(message) = check_list_query(&params.list, raw.as_deref().unwrap_or_default()) {
        return error(StatusCode::BAD_REQUEST, "bad_request", &message);
    }
    let (per_page, keyset) = match (per_page(&params.per_page), Keyset::of(&params)) {
        (Ok(n), Ok(k)) => (n, k),
        (Err(message), _) | (_, Err(message)) => {
            return error(StatusCode::BAD_REQUEST, "bad_request", message);
        }
    };
    let mut filter = params.list.filter();
    filter.changed_since = keyset.since;
    let now = store::now();
    let sunsets = sunsets(&state);
    let state = &state;
    let all = Cohort {
        partners: Some(&caller.partner_ids),
        filter: &filter,
        rule: rule(state),
        sunsets: &sunsets,
        now,
    };
    // The total counts every page, not the ones left.
    let total = match all.count(&state.db).await {
        Ok(t) => t,
        Err(e) => return internal(e),
    };
    let rest = store::cohort::Filter {
        after_id: keyset.after,
        ..filter.clone()
    };
    let rest = Cohort {
        filter: &rest,
        ..all
    };
    // One more than the page holds tells whether another page follows.
    let mut rows = match rest.in_import_order(&state.db, per_page + 1).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| format!("s{}", r.id)))
        .flatten();
    Json(StoreFeed {
        stores: rows.iter().map(|r| summary(state, r, now)).collect(),
        per_page,
        total,
        next_cursor,
    })
    .into_response()
}

/// One store's progress and step history
#[utoipa::path(
    get,
    path = "/api/v1/stores/{legacy_store_id}",
    operation_id = "getStore",
    tag = crate::web::openapi::PARTNER,
    params(
        ("legacy_store_id" = String, Path, description = "The legacy store's ID", pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"),
    ),
    security(("partnerToken" = [])),
    responses(
        (status = 200, description = "The store's progress and step history", body = StoreDetail),
        (status = 400, description = "The ID holds a control character", body = ApiError),
        (status = 401, description = "No valid API token", body = ApiError),
        (status = 404, description = "Not one of your partners' stores", body = ApiError),
        (status = 503, description = "The database cannot take requests now; retry after `Retry-After` seconds", body = ApiError),
    ),
)]
async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(eid): Path<String>,
) -> Response {
    let not_found = || {
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such store among your partners' stores",
        )
    };
    let sunsets = sunsets(&state);
    let pool = &state.db.pool;
    let s = match store::stores::find_by_legacy_id(pool, &eid).await {
        Ok(Some(s))
            if s.partner_id
                .is_some_and(|p| caller.partner_ids.contains(&p)) =>
        {
            s
        }
        Ok(_) => return not_found(),
        Err(e) => return internal(e),
    };
    let now = store::now();
    let just_this = store::cohort::Filter {
        store_id: Some(s.id),
        ..Default::default()
    };
    let cohort = Cohort {
        partners: Some(&caller.partner_ids),
        filter: &just_this,
        rule: rule(&state),
        sunsets: &sunsets,
        now,
    };
    let rows = match cohort
        .page(&state.db, Default::default(), false, 1, 0)
        .await
    {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let Some(row) = rows.first() else {
        return not_found();
    };
    let upgrade = match store::upgrades::for_store(pool, s.id).await {
        Ok(u) => u,
        Err(e) => return internal(e),
    };
    let history = match store::upgrades::step_history(pool, s.id).await {
        Ok(h) => h,
        Err(e) => return internal(e),
    };
    let uses = match store::traffic::of_store(pool, s.id, now).await {
        Ok(u) => u,
        Err(e) => return internal(e),
    };
    let has_new_id = upgrade.as_ref().is_some_and(|u| u.merchant_id.is_some());
    let complete = upgrade.as_ref().is_some_and(|u| u.step == Step::Complete);
    let proven = Capabilities::of(&uses);
    Json(StoreDetail {
        store: summary(&state, row, now),
        merchant_id: upgrade.and_then(|u| u.merchant_id),
        sunset: s.sunset(&state.catalog).map(|d| d.to_string()),
        history: history
            .into_iter()
            .map(|h| StepChange {
                from: h.from_step.as_str().to_owned(),
                to: h.to_step.as_str().to_owned(),
                at: rfc3339(h.at),
            })
            .collect(),
        traffic: traffic::table(&uses, has_new_id, complete)
            .into_iter()
            .map(|r| TrafficRow {
                service: r.service.as_str(),
                id: r.subject,
                last_seen: r.last_at.map(rfc3339),
                calls_last_7_days: r.recent,
                user_agent: r.user_agent,
                action: r.verdict.as_str(),
            })
            .collect(),
        proven: Proven {
            checkout: proven.checkout,
            order_management: proven.order_management,
            settlement: proven.settlement,
        },
    })
    .into_response()
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
