//! Issued API credentials: only the SHA-256 of each secret is stored.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct CredentialRow {
    pub id: i64,
    pub upgrade_id: i64,
    pub merchant_id: String,
    pub environment: String,
    pub username: String,
    pub secret_hash: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "id, upgrade_id, merchant_id, environment, username, secret_hash, created_at, revoked_at, last_used_at";

pub async fn insert(
    tx: &mut Tx,
    upgrade_id: i64,
    merchant_id: &str,
    environment: &str,
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
