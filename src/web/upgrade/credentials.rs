//! Step 3: a new MID with live API credentials, and a test MID with its own test
//! credentials. Passwords are shown in the response to the POST and never again; only
//! their hashes are stored.

use axum::{
    extract::State,
    http::header::CACHE_CONTROL,
    response::{IntoResponse, Response},
};
use rand::Rng;
use serde::Deserialize;

use super::{audit_in, reached};
use crate::app::{AppState, support};
use crate::domain::credentials::GRACE_CHOICES;
use crate::{
    domain::{
        Environment, MerchantId, Refusal, Step, Upgrade, credentials, credentials::NewCredentials,
    },
    i18n::Msg,
    store::{self, Tx, credentials::CredentialRow},
    web::{
        access::{StoreAdmin, StoreReader},
        error::AppError,
        notice, pages,
        session::{ClientIp, CsrfForm, NoFields},
    },
};

pub async fn show(State(state): State<AppState>, admin: StoreReader) -> Result<Response, AppError> {
    let upgrade = match reached(&admin, Step::Credentials) {
        Ok(upgrade) => upgrade,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let issued = store::credentials::for_upgrade(&state.db.pool, upgrade.id).await?;
    let page = pages::steps::credentials::page(&admin, upgrade, &issued, &[]);
    Ok(pages::render(page).into_response())
}

/// The page that shows new passwords: the one response that ever contains them. What it
/// shows is read in `tx`, the transaction that issued them, before it commits: once the
/// old passwords are retired, nothing can fail between the commit and this page.
pub(super) async fn commit_and_show(
    mut tx: Tx,
    reader: &StoreReader,
    upgrade_id: i64,
    fresh: &[NewCredentials],
) -> Result<Response, AppError> {
    let issued = store::credentials::for_upgrade(&mut *tx, upgrade_id).await?;
    let upgrade = store::upgrades::for_store(&mut *tx, reader.store.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("upgrade {upgrade_id} vanished as it issued credentials"))?;
    tx.commit().await?;
    let page = pages::steps::credentials::page(reader, &upgrade, &issued, fresh);
    Ok(([(CACHE_CONTROL, "no-store")], pages::render(page)).into_response())
}

pub async fn generate(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let id = admin.start_upgrade(&state).await?;
    let mut tx = state.db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    let moved = upgrade.generate_credentials(admin.terms_outdated)?;
    let mut fresh = Vec::new();
    for env in [Environment::Live, Environment::Test] {
        let creds = issue(&mut tx, &upgrade, env).await?;
        let args = [
            ("environment", env.as_str()),
            ("username", creds.username.as_str()),
            ("merchant", creds.merchant_id.as_str()),
        ];
        audit_in(&mut tx, &admin, "credentials.created", &args, &ip).await?;
        fresh.push(creds);
    }
    // After the MIDs exist, so the partner's event names the new one.
    store::upgrades::record_move(&mut tx, &upgrade, moved, admin.user.email()).await?;
    let shown = commit_and_show(tx, &admin, id, &fresh).await?;
    for c in &fresh {
        tracing::info!(store = %admin.eid(), merchant_id = %c.merchant_id, username = %c.username, "credentials issued");
    }
    Ok(shown)
}

/// New credentials of `env` for the upgrade, under its MID of that environment
/// (allocated the first time).
pub(super) async fn issue(
    tx: &mut Tx,
    upgrade: &Upgrade,
    env: Environment,
) -> Result<NewCredentials, AppError> {
    let existing = match env {
        Environment::Live => &upgrade.merchant_id,
        Environment::Test => &upgrade.test_merchant_id,
    };
    let mid = match existing {
        Some(mid) => {
            MerchantId::parse(mid).map_err(|e| anyhow::anyhow!("stored merchant id {mid}: {e}"))?
        }
        None => {
            let mid = allocate_mid(tx, env).await?;
            store::upgrades::set_merchant_id(tx, upgrade.id, &mid).await?;
            mid
        }
    };
    let fresh = credentials::generate(&mid);
    store::credentials::insert(
        tx,
        upgrade.id,
        mid.as_str(),
        env,
        &fresh.username,
        &fresh.secret_hash,
    )
    .await?;
    Ok(fresh)
}

/// A MID of `env` nobody has: random, checked against the table (the UNIQUE constraint
/// is the final guard).
async fn allocate_mid(tx: &mut Tx, env: Environment) -> Result<MerchantId, AppError> {
    let (column, range) = match env {
        Environment::Live => ("merchant_id", 100_000..1_000_000),
        Environment::Test => ("test_merchant_id", 10_000..100_000),
    };
    for _ in 0..20 {
        let candidate = MerchantId::from_number(env, rand::thread_rng().gen_range(range.clone()));
        let taken: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM upgrades WHERE {column} = $1"
        ))
        .bind(candidate.as_str())
        .fetch_one(&mut **tx)
        .await?;
        if taken == 0 {
            return Ok(candidate);
        }
    }
    Err(anyhow::anyhow!(
        "could not find a free {} merchant ID in 20 tries",
        env.as_str()
    )
    .into())
}

#[derive(Deserialize)]
pub struct RotateForm {
    #[serde(default)]
    grace: String,
    #[serde(default)]
    environment: String,
}

/// New credentials of one environment for the same MID; the old ones stop at once or
/// after the grace period the admin picked. Also the way out for a lost password.
pub async fn rotate(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<RotateForm>,
) -> Result<Response, AppError> {
    let grace: i64 = form
        .grace
        .parse()
        .ok()
        .filter(|g| GRACE_CHOICES.contains(g))
        .ok_or_else(|| AppError::bad_request("credentials.error.grace"))?;
    let env = match form.environment.as_str() {
        "" => Environment::Live,
        other => Environment::parse(other)
            .ok_or_else(|| AppError::bad_request("credentials.error.environment"))?,
    };
    let id = match &admin.upgrade {
        Some(upgrade) => upgrade.may_rotate_credentials().map(|()| upgrade.id),
        None => Err(Refusal::NoCredentialsYet),
    }?;
    let mut tx = state.db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    let retired = store::credentials::retire_active(&mut tx, upgrade.id, env, grace).await?;
    let fresh = issue(&mut tx, &upgrade, env).await?;
    let (retired, grace) = (retired.to_string(), grace.to_string());
    let args = [
        ("environment", env.as_str()),
        ("username", fresh.username.as_str()),
        ("merchant", fresh.merchant_id.as_str()),
        ("retired", retired.as_str()),
        ("seconds", grace.as_str()),
    ];
    audit_in(&mut tx, &admin, "credentials.rotated", &args, &ip).await?;
    commit_and_show(tx, &admin, upgrade.id, &[fresh]).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    /// "yes" once the person confirmed; the first post only asks.
    #[serde(default)]
    confirm: String,
}

/// Revoking stops every payment made with the credential, so the first post asks (in the
/// page, without JavaScript) and only the confirmed second one revokes. The admin is
/// emailed either way it happens.
pub async fn revoke(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    axum::extract::Path((_, id)): axum::extract::Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<RevokeForm>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let upgrade = admin.upgrade.as_ref().ok_or(AppError::NotFound)?;
    let issued = store::credentials::for_upgrade(&state.db.pool, upgrade.id).await?;
    let now = store::now();
    let Some(credential) = issued.iter().find(|c| c.id == id && c.is_active(now)) else {
        return Err(AppError::NotFound);
    };
    if form.confirm != "yes" {
        let live = |c: &&CredentialRow| c.environment == Environment::Live && c.is_active(now);
        let asking = pages::steps::credentials::Revoking {
            credential,
            last_live: credential.environment == Environment::Live
                && issued.iter().filter(live).count() == 1,
        };
        let page = pages::steps::credentials::confirm_revoke(&admin, upgrade, &issued, &asking);
        return Ok(pages::render(page).into_response());
    }
    let mut tx = state.db.begin().await?;
    if !store::credentials::revoke(&mut tx, upgrade.id, id).await? {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    }
    let args = [
        ("credential", id.to_string()),
        ("username", credential.username.clone()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    audit_in(&mut tx, &admin, "credentials.revoked", &args, &ip).await?;
    let usernames = [credential.username.clone()];
    let by = support::RevokedBy::Person(admin.user.email());
    support::tell_admin_of_revocation(&state, &mut tx, &admin.store, &usernames, by).await?;
    tx.commit().await?;
    state.outbox.wake();
    let done = Msg::new("credentials.notice.revoked").arg("username", &credential.username);
    let to = super::step_url(admin.eid(), Step::Credentials);
    Ok(notice::redirect(&state, &to, &done))
}
