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
