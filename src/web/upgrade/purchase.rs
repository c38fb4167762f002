//! Step 5: wait for the test purchase; then the completion page.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};

use super::{reached, step_url};
use crate::app::AppState;
use crate::{
    domain::{Step, Upgrade},
    store,
    web::{access::StoreReader, error::AppError, pages},
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    let upgrade = match reached(&admin, Step::TestPurchase) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    if upgrade.step == Step::Complete {
        return Ok(Redirect::to(&step_url(admin.eid(), Step::Complete)).into_response());
    }
    let issued = store::credentials::for_upgrade(&state.db.pool, upgrade.id).await?;
    let week_ago = store::now() - 7 * 24 * 60 * 60;
    let log = store::events::for_store_since(&state.db.pool, admin.store.id, week_ago).await?;
    let latest = super::live::latest_event_id(&state, admin.store.id).await?;
    let sandbox_url = state
        .config
        .sandbox
        .then(|| format!("{}/sandbox/v1/orders", state.config.base_url));
    Ok(pages::render(pages::steps::purchase::waiting(
        &admin,
        upgrade,
        &issued,
        &pages::steps::purchase::Watch { log: &log, latest },
        sandbox_url.as_deref(),
    ))
    .into_response())
}

pub async fn complete(
    State(state): State<AppState>,
    admin: StoreReader,
) -> Result<Response, AppError> {
    match &admin.upgrade {
        Some(upgrade) if upgrade.step == Step::Complete => {
            Ok(complete_page(&state, &admin, upgrade, None)
                .await?
                .into_response())
        }
        _ => Ok(Redirect::to(&step_url(admin.eid(), admin.step())).into_response()),
    }
}

/// The completion page, with `problem` when an action on the test order just failed.
pub async fn complete_page(
    state: &AppState,
    admin: &StoreReader,
    upgrade: &Upgrade,
    problem: Option<&str>,
) -> Result<axum::response::Html<String>, AppError> {
    let orders = match &upgrade.merchant_id {
        Some(mid) => store::events::orders_on_merchant(&state.db.pool, mid, 0).await?,
        None => Vec::new(),
    };
    Ok(pages::render(pages::steps::purchase::complete(
        &state.catalog,
        admin,
        upgrade,
        orders.last(),
        problem,
    )))
}
