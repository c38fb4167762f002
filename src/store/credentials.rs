//! Issued API credentials: only the SHA-256 of each secret is stored.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};
use crate::domain::Environment;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct CredentialRow {
    pub id: i64,
    pub upgrade_id: i64,
    pub merchant_id: String,
    pub environment: Environment,
    pub username: String,
    pub secret_hash: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// Set on a rotated credential that keeps working for a grace period.
    pub expires_at: Option<i64>,
}

impl CredentialRow {
    /// Whether the platform accepts this credential at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

impl crate::domain::credentials::Issued for CredentialRow {
    fn environment(&self) -> Environment {
        self.environment
    }
    fn issued(&self) -> (i64, i64) {
        (self.created_at, self.id)
    }
    fn is_active(&self, now: i64) -> bool {
        CredentialRow::is_active(self, now)
    }
}

const COLUMNS: &str = "id, upgrade_id, merchant_id, environment, username, secret_hash, created_at, revoked_at, last_used_at, expires_at";

pub async fn insert(
    tx: &mut Tx,
    upgrade_id: i64,
    merchant_id: &str,
    environment: Environment,
    username: &str,
    secret_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO api_credentials (upgrade_id, merchant_id, environment, username, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(upgrade_id)
    .bind(merchant_id)
    .bind(environment)
    .bind(username)
    .bind(secret_hash)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn by_username<'c>(
    ex: impl Executor<'c, Database = Any>,
    username: &str,
) -> sqlx::Result<Option<CredentialRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_credentials WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(ex)
    .await
}

pub async fn for_upgrade<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Vec<CredentialRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_credentials WHERE upgrade_id = $1 ORDER BY id"
    ))
    .bind(upgrade_id)
    .fetch_all(ex)
    .await
}

/// The first time any credential of the upgrade was issued: orders before it do not count.
pub async fn first_issued_at<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT MIN(created_at) FROM api_credentials WHERE upgrade_id = $1")
        .bind(upgrade_id)
        .fetch_one(ex)
        .await
}

pub async fn touch<'c>(ex: impl Executor<'c, Database = Any>, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE api_credentials SET last_used_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Revokes one credential of the upgrade at once; false if there was no such live one.
pub async fn revoke(tx: &mut Tx, upgrade_id: i64, id: i64) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE api_credentials SET revoked_at = $1 WHERE id = $2 AND upgrade_id = $3 AND revoked_at IS NULL")
        .bind(now())
        .bind(id)
        .bind(upgrade_id)
        .execute(&mut **tx)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Ends the upgrade's active credentials of `environment`: at once (`grace` 0) or after
/// `grace` seconds, so a shop can switch without downtime.
pub async fn retire_active(
    tx: &mut Tx,
    upgrade_id: i64,
    environment: Environment,
    grace: i64,
) -> sqlx::Result<u64> {
    let at = now();
    let res = if grace == 0 {
        sqlx::query("UPDATE api_credentials SET revoked_at = $1 WHERE upgrade_id = $2 AND environment = $3 AND revoked_at IS NULL")
            .bind(at)
            .bind(upgrade_id)
            .bind(environment)
            .execute(&mut **tx)
            .await?
    } else {
        sqlx::query(
            "UPDATE api_credentials SET expires_at = $1 WHERE upgrade_id = $2 AND environment = $3 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(at + grace)
        .bind(upgrade_id)
        .bind(environment)
        .execute(&mut **tx)
        .await?
    };
    Ok(res.rows_affected())
}

/// A one-time link passing new live credentials to a store's delegate (migration 0044).
#[derive(Debug, Clone, FromRow)]
pub struct Handoff {
    pub id: i64,
    pub store_id: i64,
    pub member_id: i64,
    pub email: String,
    pub grace: i64,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

const HANDOFF_COLUMNS: &str =
    "id, store_id, member_id, email, grace, created_by, created_at, expires_at, used_at";

/// A new link for delegate `member_id` (`email`) of store `store_id`, by its token's hash.
pub async fn insert_handoff(tx: &mut Tx, h: &Handoff, token_hash: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO credential_handoffs (store_id, member_id, email, token_hash, grace, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(h.store_id)
    .bind(h.member_id)
    .bind(&h.email)
    .bind(token_hash)
    .bind(h.grace)
    .bind(&h.created_by)
    .bind(h.created_at)
    .bind(h.expires_at)
    .fetch_one(&mut **tx)
    .await
}

/// The link of store `store_id` whose token hashes to `token_hash`.
pub async fn handoff<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    token_hash: &str,
) -> sqlx::Result<Option<Handoff>> {
    sqlx::query_as(&format!(
        "SELECT {HANDOFF_COLUMNS} FROM credential_handoffs WHERE store_id = $1 AND token_hash = $2"
    ))
    .bind(store_id)
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

/// Spends link `id` at `now` if it is unspent and live; whether it was.
pub async fn spend_handoff(tx: &mut Tx, id: i64, now: i64) -> sqlx::Result<bool> {
    let spent = sqlx::query(
        "UPDATE credential_handoffs SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(spent.rows_affected() == 1)
}
