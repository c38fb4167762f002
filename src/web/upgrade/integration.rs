//! Step 4: plugin guidance for the store's platform and the four-point checklist.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{audit_in, guard_reached, require_current_terms, step_url, ticked};
use crate::{
    domain::{Action, Step},
    platform::intake,
    store,
    web::{
        AppState,
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages,
        session::{ClientIp, CsrfForm},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    if let Some(r) = guard_reached(&admin, Step::Integration) {
        return Ok(r);
    }
    let issued = store::credentials::for_upgrade(&state.db.pool, admin.upgrade.id).await?;
    Ok(pages::render(pages::steps::integration::page(
        &state.catalog,
        &admin,
        &issued,
        &[],
    ))
    .into_response())
}

/// The four classic failure causes, each of which the admin must confirm.
pub const CHECKLIST: [&str; 4] = [
    "old_disabled",
    "new_enabled",
    "live_fields",
    "test_mode_off",
];

#[derive(Deserialize)]
pub struct ChecklistForm {
    old_disabled: Option<String>,
    new_enabled: Option<String>,
    live_fields: Option<String>,
    test_mode_off: Option<String>,
}

pub async fn confirm(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ChecklistForm>,
) -> Result<Response, AppError> {
    let admin = admin.started(&state).await?;
    require_current_terms(&admin)?;
    let answers = [
        &form.old_disabled,
        &form.new_enabled,
        &form.live_fields,
        &form.test_mode_off,
    ];
    let missing: Vec<&str> = CHECKLIST
        .iter()
        .zip(answers)
        .filter(|(_, a)| !ticked(a))
        .map(|(k, _)| *k)
        .collect();
    if !missing.is_empty() {
        let issued = store::credentials::for_upgrade(&state.db.pool, admin.upgrade.id).await?;
        let page = pages::steps::integration::page(&state.catalog, &admin, &issued, &missing);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response());
    }
    let mut tx = state.db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, admin.upgrade.id, state.db.backend).await?;
    store::upgrades::advance(
        &mut tx,
        &upgrade,
        Action::ConfirmIntegration,
        admin.user.email(),
    )
    .await?;
    audit_in(
        &mut tx,
        &admin,
        "integration.confirmed",
        "checklist confirmed",
        &ip,
    )
    .await?;
    tx.commit().await?;
    // A purchase may already have arrived while the admin was ticking boxes.
    if let Err(e) = intake::detect_earlier_purchase(&state.db, upgrade.id).await {
        // The step is confirmed either way; a further purchase completes it.
        tracing::error!(error = ?e, "could not look for an earlier test purchase");
    }
    Ok(Redirect::to(&step_url(admin.eid(), Step::TestPurchase)).into_response())
}
