//! The partner API's reads: the stores, paged or as a feed of changes, and one store.

use axum::{
    Json,
    extract::{Path, Query, RawQuery, State},
};

use super::{
    ApiCaller, ApiError, Refused,
    params::{Keyset, ListParams, SyncParams, check_list_query, per_page, refuse_sync_params},
    schema::{StepChange, StoreDetail, StoreFeed, StoreList, TrafficRow, summary},
};
use crate::{
    app::{
        AppState,
        partner::{rule, sunsets},
    },
    domain::{
        Step,
        traffic::{self, Capabilities},
    },
    store::{self, cohort::Cohort},
};

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
pub(super) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    RawQuery(raw): RawQuery,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<StoreList>, Refused> {
    let Query(params) = params.map_err(|_| unreadable())?;
    let raw = raw.as_deref().unwrap_or_default();
    check_list_query(&params.list, raw).map_err(Refused::bad_request)?;
    refuse_sync_params(raw).map_err(Refused::bad_request)?;
    let per_page = per_page(&params.per_page).map_err(Refused::bad_request)?;
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
    let offset = (page - 1) * per_page;
    let rows = cohort
        .page(&state.db, q.sort(), q.descending(), per_page, offset)
        .await?;
    let total = cohort.count(&state.db).await?;
    Ok(Json(StoreList {
        stores: rows.iter().map(|r| summary(&state, r, now)).collect(),
        page,
        per_page,
        total,
    }))
}

/// A query string that does not parse into the parameters at all.
fn unreadable() -> Refused {
    Refused::bad_request("the query string could not be read")
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
pub(super) async fn sync(
    State(state): State<AppState>,
    caller: ApiCaller,
    RawQuery(raw): RawQuery,
    params: Result<Query<SyncParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<StoreFeed>, Refused> {
    let Query(params) = params.map_err(|_| unreadable())?;
    check_list_query(&params.list, raw.as_deref().unwrap_or_default())
        .map_err(Refused::bad_request)?;
    let per_page = per_page(&params.per_page).map_err(Refused::bad_request)?;
    let keyset = Keyset::of(&params).map_err(Refused::bad_request)?;
    let mut filter = params.list.filter();
    filter.changed_since = keyset.since;
    let now = store::now();
    let sunsets = sunsets(&state);
    let all = Cohort {
        partners: Some(&caller.partner_ids),
        filter: &filter,
        rule: rule(&state),
        sunsets: &sunsets,
        now,
    };
    // The total counts every page, not the ones left.
    let total = all.count(&state.db).await?;
    let rest = store::cohort::Filter {
        after_id: keyset.after,
        ..filter.clone()
    };
    let rest = Cohort {
        filter: &rest,
        ..all
    };
    // One more than the page holds tells whether another page follows.
    let mut rows = rest.in_import_order(&state.db, per_page + 1).await?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| format!("s{}", r.id)))
        .flatten();
    Ok(Json(StoreFeed {
        stores: rows.iter().map(|r| summary(&state, r, now)).collect(),
        per_page,
        total,
        next_cursor,
    }))
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
pub(super) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(eid): Path<String>,
) -> Result<Json<StoreDetail>, Refused> {
    let not_found = Refused::NotFound("no such store among your partners' stores");
    detail(&state, &caller, &eid)
        .await?
        .map(Json)
        .ok_or(not_found)
}

/// Store `eid` as [`show`] answers it; `None` when it is not one of the caller's
/// partners' stores.
async fn detail(
    state: &AppState,
    caller: &ApiCaller,
    eid: &str,
) -> sqlx::Result<Option<StoreDetail>> {
    let pool = &state.db.pool;
    let Some(s) = store::stores::find_by_legacy_id(pool, eid)
        .await?
        .filter(|s| {
            s.partner_id
                .is_some_and(|p| caller.partner_ids.contains(&p))
        })
    else {
        return Ok(None);
    };
    let (now, sunsets) = (store::now(), sunsets(state));
    let just_this = store::cohort::Filter {
        store_id: Some(s.id),
        ..Default::default()
    };
    let cohort = Cohort {
        partners: Some(&caller.partner_ids),
        filter: &just_this,
        rule: rule(state),
        sunsets: &sunsets,
        now,
    };
    let rows = cohort
        .page(&state.db, Default::default(), false, 1, 0)
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let upgrade = store::upgrades::for_store(pool, s.id).await?;
    let history = store::upgrades::step_history(pool, s.id).await?;
    let uses = store::traffic::of_store(pool, s.id, now).await?;
    let has_new_id = upgrade.as_ref().is_some_and(|u| u.merchant_id.is_some());
    let complete = upgrade.as_ref().is_some_and(|u| u.step == Step::Complete);
    Ok(Some(StoreDetail {
        store: summary(state, row, now),
        merchant_id: upgrade.and_then(|u| u.merchant_id),
        sunset: s.sunset(&state.catalog).map(|d| d.to_string()),
        history: history.into_iter().map(StepChange::from).collect(),
        traffic: traffic::table(&uses, has_new_id, complete)
            .into_iter()
            .map(TrafficRow::from)
            .collect(),
        proven: Capabilities::of(&uses).into(),
    }))
}
