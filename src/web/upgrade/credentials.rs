//! Step 3: a new MID with live API credentials. The password is shown in the response
//! to the POST and never again; only its hash is stored.

use axum::{
    extract::State,
    http::header::CACHE_CONTROL,
    response::{IntoResponse, Response},
};
use rand::Rng;
use serde::Deserialize;

use super::{audit_in, guard_reached, require_current_terms};
use crate::{
    domain::{Action, Environment, MerchantId, Step, credentials},
    store::{self, Tx},
    web::{
        AppState,
        access::{StoreAdmin, StoreReader},
        error::AppError,
        pages,
        session::{ClientIp, CsrfForm, NoFields},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    if let Some(r) = guard_reached(&admin, Step::Credentials) {
        return Ok(r);
    }
    let issued = store::credentials::for_upgrade(&state.db.pool, admin.upgrade.id).await?;
    Ok(pages::render(pages::steps::credentials::page(&admin, &issued, None)).into_response())
}

pub async fn generate(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let admin = admin.started(&state).await?;
    require_current_terms(&admin)?;
    let mut tx = state.db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, admin.upgrade.id, state.db.backend).await?;
    store::upgrades::advance(
        &mut tx,
        &upgrade,
        Action::GenerateCredentials,
        admin.user.email(),
    )
    .await?;
    let mid = allocate_mid(&mut tx).await?;
    store::upgrades::set_merchant_id(&mut tx, upgrade.id, mid.as_str()).await?;
    let fresh = credentials::generate(&mid);
    store::credentials::insert(
        &mut tx,
        upgrade.id,
        mid.as_str(),
        Environment::Live.as_str(),
        &fresh.username,
        &fresh.secret_hash,
    )
    .await?;
    let detail = format!("live credentials {} for {mid}", fresh.username);
    audit_in(&mut tx, &admin, "credentials.created", &detail, &ip).await?;
    tx.commit().await?;
    tracing::info!(store = %admin.eid(), merchant_id = %mid, username = %fresh.username, "live credentials issued");

    let issued = store::credentials::for_upgrade(&state.db.pool, admin.upgrade.id).await?;
    let mut admin = admin.0;
    admin.upgrade.step = Step::Integration.as_str().to_owned();
    admin.upgrade.merchant_id = Some(mid.to_string());
    let page = pages::steps::credentials::page(&admin, &issued, Some(&fresh));
    // The password is in this response only: no cache may keep it.
    Ok(([(CACHE_CONTROL, "no-store")], pages::render(page)).into_response())
}

/// A live MID nobody has: random, checked against the table (the UNIQUE constraint is
/// the final guard).
async fn allocate_mid(tx: &mut Tx) -> Result<MerchantId, AppError> {
    for _ in 0..20 {
        let candidate = MerchantId::from_number(
            Environment::Live,
            rand::thread_rng().gen_range(100_000..1_000_000),
        );
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM upgrades WHERE merchant_id = $1")
            .bind(candidate.as_str())
            .fetch_one(&mut **tx)
            .await?;
        if taken == 0 {
            return Ok(candidate);
        }
    }
    Err(anyhow::anyhow!("could not find a free merchant ID in 20 tries").into())
}

/// Grace periods an admin may pick when rotating, in seconds.
pub const GRACE_CHOICES: [i64; 3] = [0, 60 * 60, 24 * 60 * 60];

#[derive(Deserialize)]
pub struct RotateForm {
    #[serde(default)]
    grace: String,
}

/// New live credentials for the same MID; the old ones stop at once or after the grace
/// period the admin picked. Also the way out for an admin who lost the password.
pub async fn rotate(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<RotateForm>,
) -> Result<Response, AppError> {
    let tr = admin.ctx().tr;
    let grace: i64 = form
        .grace
        .parse()
        .ok()
        .filter(|g| GRACE_CHOICES.contains(g))
        .ok_or_else(|| AppError::BadRequest(tr.t("credentials.error.grace")))?;
    let Some(mid) = admin.upgrade.merchant_id.clone() else {
        return Err(AppError::Conflict(tr.t("credentials.error.none_yet")));
    };
    let mid =
        MerchantId::parse(&mid).map_err(|e| anyhow::anyhow!("stored merchant id {mid}: {e}"))?;
    let mut tx = state.db.begin().await?;
    store::upgrades::lock(&mut tx, admin.upgrade.id, state.db.backend).await?;
    let retired = store::credentials::retire_active(
        &mut tx,
        admin.upgrade.id,
        Environment::Live.as_str(),
        grace,
    )
    .await?;
    let fresh = credentials::generate(&mid);
    store::credentials::insert(
        &mut tx,
        admin.upgrade.id,
        mid.as_str(),
        Environment::Live.as_str(),
        &fresh.username,
        &fresh.secret_hash,
    )
    .await?;
    let detail = format!(
        "live credentials {} for {mid}; {retired} old ones end in {grace} s",
        fresh.username
    );
    audit_in(&mut tx, &admin, "credentials.rotated", &detail, &ip).await?;
    tx.commit().await?;
    let issued = store::credentials::for_upgrade(&state.db.pool, admin.upgrade.id).await?;
    let page = pages::steps::credentials::page(&admin, &issued, Some(&fresh));
    Ok(([(CACHE_CONTROL, "no-store")], pages::render(page)).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    axum::extract::Path((_, id)): axum::extract::Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !store::credentials::revoke(&mut tx, admin.upgrade.id, id).await? {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    }
    audit_in(
        &mut tx,
        &admin,
        "credentials.revoked",
        &format!("credential {id}"),
        &ip,
    )
    .await?;
    tx.commit().await?;
    Ok(
        axum::response::Redirect::to(&super::step_url(admin.eid(), Step::Credentials))
            .into_response(),
    )
}
