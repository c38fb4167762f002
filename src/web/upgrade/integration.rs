//! Step 4: plugin guidance for the store's platform, the setup checker, the store health
//! check and the four-point checklist.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{audit_in, guard_reached, require_current_terms, step_url, ticked};
use crate::app::AppState;
use crate::domain::upgrade::CHECKLIST;
use crate::{
    app::intake,
    domain::{
        Action, Environment, Step,
        setup_check::{self, Finding, Issued, Lookup, Pasted},
    },
    shop as health, store,
    web::{
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages::{
            self,
            steps::integration::{HealthOutcome, SetupResult, View},
        },
        session::{ClientIp, CsrfForm},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    if let Some(r) = guard_reached(&admin, Step::Integration) {
        return Ok(r);
    }
    render(&state, &admin, View::default(), StatusCode::OK).await
}

async fn render(
    state: &AppState,
    admin: &StoreReader,
    view: View,
    status: StatusCode,
) -> Result<Response, AppError> {
    let issued = store::credentials::for_upgrade(&state.db.pool, admin.upgrade.id).await?;
    let page = pages::steps::integration::page(&state.catalog, admin, &issued, view);
    Ok((status, pages::render(page)).into_response())
}

#[derive(Deserialize)]
pub struct ChecklistForm {
    old_disabled: Option<String>,
    new_enabled: Option<String>,
    live_fields: Option<String>,
    test_mode_off: Option<String>,
}

/// Stores what is ticked (so it survives a visit to the shop's admin) and moves on once
/// all four are.
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
    let ticked_items: Vec<&str> = CHECKLIST
        .iter()
        .zip(answers)
        .filter(|(_, a)| ticked(a))
        .map(|(k, _)| *k)
        .collect();
    let mut tx = state.db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, admin.upgrade.id, state.db.backend).await?;
    let all = ticked_items.len() == CHECKLIST.len();
    if upgrade.step() == Step::Integration {
        store::upgrades::set_checklist(&mut tx, upgrade.id, &ticked_items).await?;
    }
    if upgrade.step() != Step::Integration || all {
        // Refuses (and rolls back) when the upgrade is not at this step.
        store::upgrades::advance(
            &mut tx,
            &upgrade,
            Action::ConfirmIntegration,
            admin.user.email(),
        )
        .await?;
        audit_in(&mut tx, &admin, "integration.confirmed", &[], &ip).await?;
    }
    tx.commit().await?;
    if !all {
        let mut admin = admin.0;
        admin.upgrade.checklist = ticked_items.join(",");
        let missing = CHECKLIST
            .iter()
            .filter(|i| !ticked_items.contains(i))
            .map(|i| i.to_string())
            .collect();
        let view = View {
            missing,
            ..View::default()
        };
        return render(&state, &admin, view, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // A purchase may already have arrived while the admin was ticking boxes.
    if let Err(e) = intake::detect_earlier_purchase(&state.db, state.sinks(), upgrade.id).await {
        // The step is confirmed either way; a further purchase completes it.
        tracing::error!(error = ?e, "could not look for an earlier test purchase");
    }
    Ok(Redirect::to(&step_url(admin.eid(), Step::TestPurchase)).into_response())
}

#[derive(Deserialize)]
pub struct SetupCheckForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// The setup checker: what the admin typed into the plugin, and what is wrong with it.
pub async fn setup_check(
    State(state): State<AppState>,
    admin: StoreAdmin,
    CsrfForm { form, .. }: CsrfForm<SetupCheckForm>,
) -> Result<Response, AppError> {
    if let Some(r) = guard_reached(&admin, Step::Integration) {
        return Ok(r);
    }
    let field = Environment::parse(&form.field)
        .ok_or_else(|| AppError::bad_request("setup_check.error.field"))?;
    let username = setup_check::clean(&form.username);
    let row = store::credentials::by_username(&state.db.pool, &username).await?;
    let lookup = match &row {
        None => Lookup::NotIssued,
        Some(r) if r.upgrade_id != admin.upgrade.id => Lookup::OtherStore,
        Some(r) => Lookup::Own(Issued {
            environment: Environment::parse(&r.environment).unwrap_or(Environment::Live),
            secret_hash: &r.secret_hash,
            revoked_at: r.revoked_at,
            expires_at: r.expires_at,
        }),
    };
    let pasted = Pasted {
        field,
        username: &form.username,
        password: &form.password,
    };
    let findings = setup_check::diagnose(&pasted, lookup, store::now());
    tracing::info!(store = %admin.eid(), ?findings, "setup check");
    let status = if findings.iter().any(Finding::is_problem) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = View {
        setup: Some(SetupResult {
            field,
            username,
            findings,
        }),
        ..View::default()
    };
    render(&state, &admin, view, status).await
}

#[derive(Deserialize)]
pub struct HealthForm {
    #[serde(default)]
    url: String,
}

/// The store health check: fetch the shop and look for the old and the new plugin.
pub async fn health_check(
    State(state): State<AppState>,
    admin: StoreAdmin,
    CsrfForm { form, .. }: CsrfForm<HealthForm>,
) -> Result<Response, AppError> {
    if let Some(r) = guard_reached(&admin, Step::Integration) {
        return Ok(r);
    }
    let cfg = &state.config.health_check;
    let outcome = match health::parse_shop_url(&form.url, cfg) {
        Err(refusal) => HealthOutcome::Refused(refusal),
        Ok(url) => {
            let bucket = format!("health:{}", admin.user.principal.user_id);
            match store::rate_limit::hit(
                &state.db,
                &bucket,
                state.config.rate_limits.health_checks_per_person,
            )
            .await?
            {
                Some(retry_at) => HealthOutcome::RateLimited { retry_at },
                None => {
                    let platform = state.catalog.platform_or_custom(&admin.store.platform);
                    let report = health::check(
                        &url,
                        &platform.checkout_path,
                        &state.catalog.health_check,
                        cfg,
                    )
                    .await?;
                    HealthOutcome::Checked(report)
                }
            }
        }
    };
    let view = View {
        health: Some((form.url.trim().to_owned(), outcome)),
        ..View::default()
    };
    render(&state, &admin, view, StatusCode::OK).await
}
