//! Step 1: read and accept the terms of the chosen path.

use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode, header::USER_AGENT},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use std::net::SocketAddr;

use super::{audit_in, step_url, ticked};
use crate::{
    domain::{Action, Step, catalog::UpgradePath},
    store::{self, upgrades::Acceptance},
    web::{
        AppState,
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages,
        session::CsrfForm,
    },
};

#[derive(Deserialize)]
pub struct PathQuery {
    path: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    admin: StoreReader,
    Query(q): Query<PathQuery>,
) -> Result<Response, AppError> {
    let path_id = q.path.unwrap_or_else(|| admin.upgrade.path_id.clone());
    let path = chosen_path(&state, &admin, &path_id)?;
    let accepted = store::upgrades::latest_acceptance(&state.db.pool, admin.upgrade.id).await?;
    Ok(pages::render(pages::steps::terms::page(
        &state.catalog,
        &admin,
        path,
        accepted.as_ref(),
        None,
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    path: String,
    #[serde(default)]
    sha256: String,
    accept: Option<String>,
}

pub async fn accept(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    CsrfForm { form, .. }: CsrfForm<AcceptForm>,
) -> Result<Response, AppError> {
    let path = chosen_path(&state, &admin, &form.path)?;
    let tr = admin.ctx().tr;
    let problem = if !ticked(&form.accept) {
        Some(tr.t("terms.error.tick"))
    } else if form.sha256 != path.terms.sha256_hex() {
        Some(tr.t("terms.error.changed"))
    } else {
        None
    };
    if let Some(problem) = problem {
        let page = pages::steps::terms::page(&state.catalog, &admin, path, None, Some(&problem));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response());
    }

    let mut tx = state.db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, admin.upgrade.id, state.db.backend).await?;
    store::upgrades::advance(&mut tx, &upgrade, Action::AcceptTerms, admin.user.email()).await?;
    store::upgrades::set_path(&mut tx, upgrade.id, &path.id).await?;
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let acceptance = Acceptance {
        path_id: &path.id,
        user_email: admin.user.email(),
        title: &path.terms.title,
        version: &path.terms.version,
        sha256: &path.terms.sha256_hex(),
        body: &path.terms.body,
        ip: &peer.ip().to_string(),
        user_agent,
    };
    store::upgrades::record_acceptance(&mut tx, upgrade.id, &acceptance).await?;
    let detail = format!(
        "{} version {} sha256 {}",
        path.terms.title, path.terms.version, acceptance.sha256
    );
    audit_in(
        &mut tx,
        &admin,
        "terms.accepted",
        &detail,
        &peer.ip().to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&step_url(admin.eid(), Step::Account)).into_response())
}

/// The path the admin looks at; only paths open to the store's product are allowed.
fn chosen_path<'a>(
    state: &'a AppState,
    admin: &StoreReader,
    id: &str,
) -> Result<&'a UpgradePath, AppError> {
    state
        .catalog
        .paths_from(&admin.store.product)
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::BadRequest(admin.ctx().tr.t("terms.error.path")))
}
