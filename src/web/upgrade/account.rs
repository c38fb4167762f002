//! Step 2: the account: markets kept, the global option (on by default) and its fees.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{audit_in, reached, step_url, ticked};
use crate::app::AppState;
use crate::{
    domain::Step,
    store,
    web::{
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages,
        session::{ClientIp, CsrfForm},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    let upgrade = match reached(&admin, Step::Account) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    Ok(pages::render(pages::steps::account::page(&state.catalog, &admin, upgrade)).into_response())
}

#[derive(Deserialize)]
pub struct AccountForm {
    global: Option<String>,
}

/// Confirms the step the first time; afterwards the choice stays editable until the
/// upgrade is complete.
pub async fn save(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<AccountForm>,
) -> Result<Response, AppError> {
    let id = admin.start_upgrade(&state).await?;
    let mut tx = state.db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    let moved = upgrade.save_account(ticked(&form.global), admin.terms_outdated)?;
    if let Some(moved) = moved {
        store::upgrades::record_move(&mut tx, &upgrade, moved, admin.user.email()).await?;
    }
    store::upgrades::set_global(&mut tx, &upgrade).await?;
    audit_in(
        &mut tx,
        &admin,
        "account.updated",
        &[("global", if ticked(&form.global) { "on" } else { "off" })],
        &ip,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&step_url(admin.eid(), upgrade.step)).into_response())
}
