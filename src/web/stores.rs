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
    r.get("/", home).get("/stores/{eid}", overview)
}

/// How many stores a list shows; staff narrow it down with the search.
const LIST_LIMIT: i64 = 200;

#[derive(Deserialize)]
struct HomeQuery {
    #[serde(default)]
    q: String,
}

async fn home(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let pool = &state.db.pool;
    let p = &user.principal;
    let stores = match p.role {
        Some(StaffRole::Support) => store::stores::search(pool, query.q.trim(), LIST_LIMIT).await?,
        Some(StaffRole::PartnerManager) => {
            store::stores::of_partners(pool, &p.partner_ids, LIST_LIMIT).await?
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
    Ok(pages::render(pages::stores::overview(&state.catalog, &reader, &expiring)).into_response())
}
