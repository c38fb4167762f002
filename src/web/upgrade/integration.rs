//! Step 4: plugin guidance for the store's platform, the setup checker, the store health
//! check and the four-point checklist.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{audit_in, reached, step_url, ticked};
use crate::app::AppState;
use crate::{
    app::intake,
    domain::{
        Environment, Step, Upgrade,
        setup_check::{self, Finding, Issued, Lookup, Pasted},
        upgrade::{Checklist, ChecklistItem},
    },
    shop as health, store,
    web::{
        access::{StoreReader, StoreWorker},
        error::AppError,
        pages::{
            self,
            steps::integration::{HealthOutcome, SetupResult, View},
        },
        session::{ClientIp, CsrfForm},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    let upgrade = match reached(&admin, Step::Integration) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    render(&state, &admin, upgrade, View::default(), StatusCode::OK).await
}

async fn render(
    state: &AppState,
    admin: &StoreReader,
    upgrade: &Upgrade,
    view: View,
    status: StatusCode,
) -> Result<Response, AppError> {
    let issued = store::credentials::for_upgrade(&state.db.pool, upgrade.id).await?;
    let page = pages::steps::integration::page(&state.catalog, admin, upgrade, &issued, view);
    Ok((status, pages::render(page)).into_response())
}

#[derive(Deserialize)]
pub struct ChecklistForm {
    old_disabled: Option<String>,
    new_enabled: Option<String>,
    live_fields: Option<String>,
    test_mode_off: Option<String>,
}

impl ChecklistForm {
    /// The items ticked on the form.
    fn ticked(&self) -> Checklist {
        let answers = [
            (ChecklistItem::OldDisabled, &self.old_disabled),
            (ChecklistItem::NewEnabled, &self.new_enabled),
            (ChecklistItem::LiveFields, &self.live_fields),
            (ChecklistItem::TestModeOff, &self.test_mode_off),
        ];
        answers
            .into_iter()
            .filter(|(_, answer)| ticked(answer))
            .map(|(item, _)| item)
            .collect()
    }
}

/// Stores what is ticked (so it survives a visit to the shop's admin) and moves on once
/// all four are.
pub async fn confirm(
    State(state): State<AppState>,
    admin: StoreWorker,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ChecklistForm>,
) -> Result<Response, AppError> {
    let id = admin.start_upgrade(&state).await?;
    let mut tx = state.db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    let moved = upgrade.save_checklist(form.ticked(), admin.terms_outdated)?;
    store::upgrades::set_checklist(&mut tx, &upgrade).await?;
    if let Some(moved) = moved {
        store::upgrades::record_move(&mut tx, &upgrade, moved, admin.user.email()).await?;
        audit_in(&mut tx, &admin, "integration.confirmed", &[], &ip).await?;
    }
    tx.commit().await?;
    if moved.is_none() {
        let view = View {
            missing: upgrade.checklist.missing(),
            ..View::default()
        };
        return render(
            &state,
            &admin,
            &upgrade,
            view,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
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
    admin: StoreWorker,
    CsrfForm { form, .. }: CsrfForm<SetupCheckForm>,
) -> Result<Response, AppError> {
    let upgrade = match reached(&admin, Step::Integration) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let field = Environment::parse(&form.field)
        .ok_or_else(|| AppError::bad_request("setup_check.error.field"))?;
    let username = setup_check::clean(&form.username);
    let row = store::credentials::by_username(&state.db.pool, &username).await?;
    let lookup = match &row {
        None => Lookup::NotIssued,
        Some(r) if r.upgrade_id != upgrade.id => Lookup::OtherStore,
        Some(r) => Lookup::Own(Issued {
            environment: r.environment,
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
    render(&state, &admin, upgrade, view, status).await
}

#[derive(Deserialize)]
pub struct HealthForm {
    #[serde(default)]
    url: String,
}

/// The store health check: fetch the shop and look for the old and the new plugin.
pub async fn health_check(
    State(state): State<AppState>,
    admin: StoreWorker,
    CsrfForm { form, .. }: CsrfForm<HealthForm>,
) -> Result<Response, AppError> {
    let upgrade = match reached(&admin, Step::Integration) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
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
    render(&state, &admin, upgrade, view, StatusCode::OK).await
}
