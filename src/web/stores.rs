//! The start page (what each kind of person may see) and a store's overview.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{access::StoreReader, error::AppError, pages, routes::Routes, session::SignedIn};
use crate::app::AppState;
use crate::{
    domain::{access::StaffRole, order::EXPIRY_WARNING_SECONDS},
    store,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/", home)
        .get("/stores/{eid}", overview)
        .get("/stores/{eid}/what-changes", what_changes)
}

#[derive(Deserialize)]
struct ChangesQuery {
    /// One of the store's paths (the terms step's tabs); left out, its own.
    #[serde(default)]
    path: String,
}

/// What changes for the store on its upgrade path, or on another path open to it.
async fn what_changes(
    State(state): State<AppState>,
    reader: StoreReader,
    Query(query): Query<ChangesQuery>,
) -> Result<Response, AppError> {
    let wanted = if query.path.is_empty() {
        reader.path_id()
    } else {
        query.path.as_str()
    };
    let path = state
        .catalog
        .paths_from(&reader.store.product)
        .find(|p| p.id == wanted)
        .ok_or(AppError::NotFound)?;
    Ok(pages::render(pages::changes::page_for(&state.catalog, &reader, path)).into_response())
}

/// How many stores a list shows; staff narrow it down with the search.
const LIST_LIMIT: i64 = 200;

#[derive(Deserialize)]
struct HomeQuery {
    #[serde(default)]
    q: String,
    /// A partner manager's page of their stores, from 1.
    #[serde(default)]
    page: String,
}

async fn home(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let pool = &state.db.pool;
    let p = &user.principal;
    let mut paging = None;
    let stores = match p.role {
        Some(StaffRole::Support) => {
            store::stores::search(&state.db, query.q.trim(), LIST_LIMIT).await?
        }
        Some(StaffRole::PartnerManager) => {
            let total = store::stores::count_of_partners(pool, &p.partner_ids).await?;
            let pages = ((total + LIST_LIMIT - 1) / LIST_LIMIT).max(1);
            let current = query.page.parse::<i64>().unwrap_or(1).clamp(1, pages);
            paging = Some(pages::stores::Paging {
                total,
                current,
                pages,
            });
            let offset = (current - 1) * LIST_LIMIT;
            store::stores::of_partners(pool, &p.partner_ids, LIST_LIMIT, offset).await?
        }
        Some(StaffRole::Operator) => Vec::new(),
        None => {
            let mut own = store::stores::administered_by(pool, &p.email).await?;
            own.extend(store::stores::member_of(pool, &p.email).await?);
            own
        }
    };
    let ids: Vec<i64> = stores.iter().map(|s| s.id).collect();
    let expiring: HashMap<i64, i64> =
        store::legacy_orders::expiring_counts(pool, &ids, EXPIRY_WARNING_SECONDS)
            .await?
            .into_iter()
            .collect();
    let mut rows = Vec::with_capacity(stores.len());
    for s in stores {
        let upgrade = store::upgrades::for_store(pool, s.id).await?;
        let soon = expiring.get(&s.id).copied().unwrap_or(0);
        rows.push(pages::stores::Row {
            sunset: crate::app::legacy::sunset_of(&state, &s),
            store: s,
            upgrade,
            expiring: soon,
        });
    }
    Ok(pages::render(pages::stores::my_stores(
        &user.ctx(),
        &state.catalog,
        &rows,
        &query.q,
        paging,
    ))
    .into_response())
}

async fn overview(
    State(state): State<AppState>,
    reader: StoreReader,
) -> Result<Response, AppError> {
    let expiring =
        store::legacy_orders::expiring(&state.db.pool, reader.store.id, EXPIRY_WARNING_SECONDS)
            .await?;
    let now = store::now();
    let traffic = store::traffic::of_store(&state.db.pool, reader.store.id, now).await?;
    let sunset = reader.sunset.map(|(d, _)| d);
    let meter = crate::app::traffic::meter_of(
        &state.db,
        reader.store.id,
        reader.upgrade.as_ref(),
        sunset,
        now,
    )
    .await?;
    let calendar = crate::app::calendar::address(
        &state,
        crate::domain::ical::Owner::Store(reader.store.id),
        reader.ctx().tr.lang,
    )
    .await?;
    Ok(pages::render(pages::stores::overview(
        &state.catalog,
        &reader,
        &expiring,
        &traffic,
        meter.as_ref(),
        &format!("{}{calendar}", state.config.base_url),
    ))
    .into_response())
}
