//! Step 5: wait for the test purchase; then the completion page.

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use secrecy::SecretString;
use serde::Deserialize;

use super::{reached, step_url};
use crate::app::AppState;
use crate::{
    domain::{Step, Upgrade},
    store,
    web::{
        access::{StoreReader, StoreWorker},
        error::AppError,
        pages,
        session::CsrfForm,
    },
};

/// What the page's address may carry: how "Place the test purchase for me" went.
#[derive(Deserialize)]
pub struct WaitingQuery {
    placed: Option<String>,
}

/// Only an outcome the button itself writes is shown: the address is anyone's to write,
/// so nothing else in it reaches the page.
fn is_attempt(placed: &str) -> bool {
    matches!(placed, "placed" | "no-credential" | "unreachable")
        || (placed.len() == 3 && placed.parse::<u16>().is_ok_and(|s| (400..600).contains(&s)))
}

pub async fn show(
    State(state): State<AppState>,
    admin: StoreReader,
    Query(query): Query<WaitingQuery>,
) -> Result<Response, AppError> {
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
    let parity =
        crate::app::capabilities::parity(&state, &admin.store, upgrade.merchant_id.as_deref())
            .await;
    Ok(pages::render(pages::steps::purchase::waiting(
        &admin,
        upgrade,
        &issued,
        &pages::steps::purchase::Watch {
            log: &log,
            latest,
            parity: &parity,
        },
        sandbox_url
            .as_deref()
            .map(|url| pages::steps::purchase::Sandbox {
                url,
                placed: query.placed.as_deref().filter(|p| is_attempt(p)),
            }),
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct PlaceForm {
    #[serde(default)]
    password: String,
}

/// Places the sandbox order with the store's live credentials and the password the
/// admin saved (only its hash is stored here), then shows the waiting page: detection
/// has already moved on, or the API log says why the sandbox refused.
pub async fn place_for_me(
    State(state): State<AppState>,
    admin: StoreWorker,
    CsrfForm { form, .. }: CsrfForm<PlaceForm>,
) -> Result<Response, AppError> {
    if !state.config.sandbox {
        return Err(AppError::NotFound);
    }
    let upgrade = match reached(&admin, Step::TestPurchase) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let password = SecretString::from(form.password.trim().to_owned());
    let attempt =
        crate::app::sandbox_order::place(&state, &admin.store, upgrade, &password).await?;
    let back = format!(
        "{}?placed={}#test-purchase",
        step_url(admin.eid(), Step::TestPurchase),
        attempt.as_query()
    );
    Ok(Redirect::to(&back).into_response())
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
    let traffic = store::traffic::of_store(&state.db.pool, admin.store.id, store::now()).await?;
    Ok(pages::render(pages::steps::complete::page(
        &state.catalog,
        admin,
        upgrade,
        (orders.last(), &traffic),
        problem,
    )))
}
