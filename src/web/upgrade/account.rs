//! Step 2: the account: markets kept, the global option (on by default) and its fees.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{audit_in, guard_reached, require_current_terms, step_url, ticked};
use crate::app::AppState;
use crate::{
    domain::{Action, Step},
    store,
    web::{
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages,
        session::{ClientIp, CsrfForm},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    if let Some(r) = guard_reached(&admin, Step::Account) {
        return Ok(r);
    }
    Ok(pages::render(pages::steps::account::page(&state.catalog, &admin)).into_response())
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
    let admin = admin.started(&state).await?;
    require_current_terms(&admin)?;
    let mut tx = state.db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, admin.upgrade.id, state.db.backend).await?;
    let step = upgrade.step();
    if step <= Step::Account || step == Step::Complete {
        // The state machine decides (and refuses skipping ahead or a finished upgrade).
        store::upgrades::advance(
            &mut tx,
            &upgrade,
            Action::ConfirmAccount,
            admin.user.email(),
        )
        .await?;
    }
    store::upgrades::set_global(&mut tx, upgrade.id, ticked(&form.global)).await?;
    audit_in(
        &mut tx,
        &admin,
        "account.updated",
        &[("global", if ticked(&form.global) { "on" } else { "off" })],
        &ip,
    )
    .await?;
    tx.commit().await?;
    let next = if step == Step::Account {
        Step::Credentials
    } else {
        step
    };
    Ok(Redirect::to(&step_url(admin.eid(), next)).into_response())
}
