//! Step 1: read, download and accept the terms of the chosen path. An acceptance records
//! who, when, from where and the SHA-256 of the exact PDF, which stays downloadable.

use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{audit_in, step_url, ticked};
use crate::app::AppState;
use crate::app::terms::terms_pdf;
use crate::{
    domain::catalog::UpgradePath,
    store::{self, terms::Acceptance},
    web::{
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages,
        session::{ClientIp, CsrfForm},
    },
};

#[derive(Deserialize)]
pub struct PathQuery {
    path: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    reader: StoreReader,
    Query(q): Query<PathQuery>,
) -> Result<Response, AppError> {
    let path = chosen_path(&state, &reader, q.path.as_deref())?;
    let accepted = match &reader.upgrade {
        Some(upgrade) => store::terms::latest_acceptance(&state.db.pool, upgrade.id).await?,
        None => None,
    };
    let sha = state
        .terms_fingerprints
        .of(&state.catalog, &reader.store, path);
    let page =
        pages::steps::terms::page(&state.catalog, &reader, path, &sha, accepted.as_ref(), None);
    Ok(pages::render(page).into_response())
}

/// The current document as a PDF to keep.
pub async fn download(
    State(state): State<AppState>,
    reader: StoreReader,
    Query(q): Query<PathQuery>,
) -> Result<Response, AppError> {
    let path = chosen_path(&state, &reader, q.path.as_deref())?;
    let pdf = terms_pdf(&state.catalog, &reader.store, path);
    Ok(pdf_response(pdf.bytes, &pdf.file_name))
}

/// Exactly the bytes that were accepted, whatever the catalog says today.
pub async fn accepted(
    State(state): State<AppState>,
    reader: StoreReader,
) -> Result<Response, AppError> {
    let upgrade = reader.upgrade.as_ref().ok_or(AppError::NotFound)?;
    let (bytes, file_name) = store::terms::accepted_pdf(&state.db.pool, upgrade.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(pdf_response(bytes, &format!("accepted-{file_name}")))
}

fn pdf_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
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
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm { form, .. }: CsrfForm<AcceptForm>,
) -> Result<Response, AppError> {
    let id = admin.start_upgrade(&state).await?;
    let path = chosen_path(&state, &admin, Some(&form.path))?;
    let tr = admin.ctx().tr;
    let pdf = terms_pdf(&state.catalog, &admin.store, path);
    let shown = state.catalog.terms_in(
        path,
        crate::app::terms::terms_lang(&state.catalog, &admin.store, path).code(),
    );
    let problem = if !ticked(&form.accept) {
        Some(tr.t("terms.error.tick"))
    } else if form.sha256 != pdf.sha256 {
        Some(tr.t("terms.error.changed"))
    } else {
        None
    };
    if let Some(problem) = problem {
        let page = pages::steps::terms::page(
            &state.catalog,
            &admin,
            path,
            &pdf.sha256,
            None,
            Some(&problem),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response());
    }

    let mut tx = state.db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    if let Some(moved) = upgrade.accept_terms(&path.id, admin.terms_outdated)? {
        store::upgrades::record_move(&mut tx, &upgrade, moved, admin.user.email()).await?;
        store::upgrades::set_path(&mut tx, &upgrade).await?;
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let acceptance = Acceptance {
        path_id: &path.id,
        user_email: admin.user.email(),
        title: shown.title,
        version: &path.terms.version,
        sha256: &pdf.sha256,
        body: shown.body,
        pdf: &pdf.bytes,
        file_name: &pdf.file_name,
        ip: &ip,
        user_agent,
    };
    store::terms::record_acceptance(&mut tx, upgrade.id, &acceptance).await?;
    let detail = [
        ("title", shown.title),
        ("version", path.terms.version.as_str()),
        ("sha256", pdf.sha256.as_str()),
    ];
    audit_in(&mut tx, &admin, "terms.accepted", &detail, &ip).await?;
    tx.commit().await?;
    Ok(Redirect::to(&step_url(admin.eid(), upgrade.step)).into_response())
}

/// The path looked at: the one asked for, else the upgrade's. Only paths open to the
/// store's product are allowed, and once terms are accepted the path is fixed.
fn chosen_path<'a>(
    state: &'a AppState,
    reader: &StoreReader,
    asked: Option<&str>,
) -> Result<&'a UpgradePath, AppError> {
    let fixed = reader.upgrade.as_ref().is_some_and(|u| u.path_is_fixed());
    let id = match asked {
        Some(id) if !fixed => id,
        _ => reader.path_id(),
    };
    state
        .catalog
        .paths_from(&reader.store.product)
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::bad_request("terms.error.path"))
}
