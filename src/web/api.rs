//! The partner REST API: a partner manager's token (Bearer) reads their partners'
//! stores, filtered and paged like the dashboard, and one store's progress and step
//! history. Another partner's store is answered exactly like one that does not exist.
//! Each route documents itself for `/api/openapi.json`.

use axum::{
    Json,
    extract::{FromRef, FromRequestParts, Path, Query, RawQuery, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use schemars::{JsonSchema, SchemaGenerator};
use serde::Serialize;
use serde_json::{Value, json};

use super::{routes::Routes, session::sha256_hex};
use crate::app::{
    AppState,
    partner::{ListQuery, rule, sunsets},
};
use crate::{
    domain::{access::StaffRole, rfc3339, risk::Risk, text::ONE_LINE_PATTERN, upgrade::Progress},
    store::{
        self,
        cohort::{Cohort, CohortRow, Sort},
    },
};

pub fn routes(r: Routes) -> Routes {
    r.api_get("/api/v1/stores", list, list_doc)
        .api_get("/api/v1/stores/{legacy_store_id}", show, show_doc)
        .api_get("/api/openapi.json", openapi, openapi_doc)
}

const MAX_PER_PAGE: i64 = 200;

/// A JSON error: `{"error": {"code": …, "message": …}}`.
#[derive(Serialize, JsonSchema)]
pub struct ApiError {
    pub error: ErrorBody,
}

#[derive(Serialize, JsonSchema)]
pub struct ErrorBody {
    /// `unauthorized`, `forbidden`, `not_found`, `bad_request` or `internal`.
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
#[derive(Serialize, JsonSchema)]
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
}

#[derive(Serialize, JsonSchema)]
pub struct StoreList {
    pub stores: Vec<StoreSummary>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct StepChange {
    pub from: String,
    pub to: String,
    pub at: String,
}

#[derive(Serialize, JsonSchema)]
pub struct StoreDetail {
    #[serde(flatten)]
    pub store: StoreSummary,
    /// The new merchant ID, once the account step made it.
    pub merchant_id: Option<String>,
    pub sunset: Option<String>,
    pub history: Vec<StepChange>,
}

fn summary(state: &AppState, r: &CohortRow, now: i64) -> StoreSummary {
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
    }
}

#[derive(serde::Deserialize)]
struct ListParams {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    per_page: String,
}

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
    if let Err(message) = check_list_query(&params.list, raw.as_deref().unwrap_or_default()) {
        return error(StatusCode::BAD_REQUEST, "bad_request", &message);
    }
    let per_page = match params.per_page.as_str() {
        "" => 50,
        n => match n.parse::<i64>() {
            Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "per_page must be a number from 1 to 200",
                );
            }
        },
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
    let pool = &state.db.pool;
    let rows = match cohort
        .page(
            pool,
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
    let total = match cohort.count(pool).await {
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

/// The dashboard quietly ignores a filter, sort or page it does not know; the API says
/// so instead, since a misspelt filter would answer an empty list and a page out of range
/// the first page, and a client could not tell either from a real answer. A parameter
/// with a fixed set of values, or a number, is left out for its default, not sent empty.
fn check_list_query(q: &ListQuery, raw: &str) -> Result<(), String> {
    const CHOSEN: [&str; 6] = ["step", "risk", "sort", "dir", "page", "per_page"];
    if let Some((name, _)) = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(name, value)| value.is_empty() && CHOSEN.contains(&name.as_ref()))
    {
        return Err(format!("{name} is empty; leave it out for the default"));
    }
    let one_of = |name: &str, value: &str, known: bool| {
        if value.is_empty() || known {
            Ok(())
        } else {
            Err(format!(
                "{name} {value:?} is not one of the documented values"
            ))
        }
    };
    one_of("step", &q.step, Progress::parse(&q.step).is_some())?;
    one_of("risk", &q.risk, Risk::parse(&q.risk).is_some())?;
    one_of("sort", &q.sort, Sort::parse(&q.sort).is_some())?;
    one_of("dir", &q.dir, matches!(q.dir.as_str(), "asc" | "desc"))?;
    if q.q.chars().count() > 100 {
        return Err("q is longer than 100 characters".into());
    }
    if q.country.chars().count() > 2 {
        return Err("country is a two-letter code".into());
    }
    match q.page.as_str() {
        "" => Ok(()),
        p if p.parse::<i64>().is_ok_and(|p| (1..=1_000_000).contains(&p)) => Ok(()),
        _ => Err("page must be a whole number from 1 to 1000000".into()),
    }
}

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
    let rows = match cohort.page(pool, Default::default(), false, 1, 0).await {
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
    Json(StoreDetail {
        store: summary(&state, row, now),
        merchant_id: upgrade.and_then(|u| u.merchant_id),
        sunset: state
            .catalog
            .product(&s.product)
            .and_then(|p| p.sunset_date())
            .map(|d| d.to_string()),
        history: history
            .into_iter()
            .map(|h| StepChange {
                from: h.from_step.as_str().to_owned(),
                to: h.to_step.as_str().to_owned(),
                at: rfc3339(h.at),
            })
            .collect(),
    })
    .into_response()
}

async fn openapi(State(state): State<AppState>) -> Response {
    Json(super::openapi::document(&super::routes(
        state.config.sandbox,
    )))
    .into_response()
}

// The operations, next to their handlers.

fn reference<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    serde_json::to_value(g.subschema_for::<T>()).unwrap_or(Value::Null)
}

pub fn json_response<T: JsonSchema>(g: &mut SchemaGenerator, description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": reference::<T>(g) } } })
}

fn api_errors(g: &mut SchemaGenerator, codes: &[(&str, &str)]) -> serde_json::Map<String, Value> {
    codes
        .iter()
        .map(|(code, why)| ((*code).to_owned(), json_response::<ApiError>(g, why)))
        .collect()
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn list_doc(g: &mut SchemaGenerator) -> Value {
    let mut responses = api_errors(
        g,
        &[
            ("400", "A parameter is out of range"),
            ("401", "No valid API token"),
        ],
    );
    responses.insert(
        "200".into(),
        json_response::<StoreList>(g, "One page of the stores"),
    );
    let text = json!({ "type": "string", "pattern": ONE_LINE_PATTERN });
    json!({
        "operationId": "listStores",
        "summary": "Your partners' stores, with progress and sunset risk",
        "security": [{ "partnerToken": [] }],
        "parameters": [
            query("q", "Part of the store's name or legacy store ID", json!({ "type": "string", "maxLength": 100, "pattern": ONE_LINE_PATTERN })),
            query("step", "Only stores at this step", json!({ "type": "string", "enum": ["not-started", "terms", "account", "credentials", "integration", "test-purchase", "complete"] })),
            query("risk", "Only stores with this sunset risk", json!({ "type": "string", "enum": ["at-risk", "stalled", "not-started", "on-track", "done"] })),
            query("product", "Legacy product code", text.clone()),
            query("platform", "Shop platform id", text),
            query("country", "Two-letter country code", json!({ "type": "string", "maxLength": 2, "pattern": ONE_LINE_PATTERN })),
            query("sort", "Sort key", json!({ "type": "string", "enum": ["name", "eid", "step", "activity", "idle", "risk"] })),
            query("dir", "`desc` for descending", json!({ "type": "string", "enum": ["asc", "desc"] })),
            query("page", "Page number, from 1", json!({ "type": "integer", "minimum": 1, "maximum": 1_000_000 })),
            query("per_page", "Stores per page", json!({ "type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE })),
        ],
        "responses": responses,
    })
}

fn show_doc(g: &mut SchemaGenerator) -> Value {
    let mut responses = api_errors(
        g,
        &[
            ("400", "The ID holds a control character"),
            ("401", "No valid API token"),
            ("404", "Not one of your partners' stores"),
        ],
    );
    responses.insert(
        "200".into(),
        json_response::<StoreDetail>(g, "The store's progress and step history"),
    );
    json!({
        "operationId": "getStore",
        "summary": "One store's progress and step history",
        "security": [{ "partnerToken": [] }],
        "parameters": [{ "name": "legacy_store_id", "in": "path", "required": true, "schema": { "type": "string", "pattern": ONE_LINE_PATTERN } }],
        "responses": responses,
    })
}

fn openapi_doc(_: &mut SchemaGenerator) -> Value {
    json!({
        "operationId": "openapi",
        "summary": "This document",
        "responses": { "200": { "description": "The OpenAPI 3 document", "content": { "application/json": { "schema": { "type": "object" } } } } },
    })
}
