//! Partner managers' API tokens. Only a SHA-256 of each token is kept; the token itself
//! is shown once, when created.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};

/// Tokens start with this, so a leaked one is easy to recognise (and to scan for).
pub const TOKEN_PREFIX: &str = "sypat_";

#[derive(Debug, Clone, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The token's first characters, so a person can tell their tokens apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, name, prefix, created_at, last_used_at, revoked_at";

pub async fn insert(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    prefix: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(now())
    .fetch_one(&mut **tx)
    .await
}

pub async fn of_user<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
) -> sqlx::Result<Vec<ApiToken>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

/// The live token with this hash: its id and its owner's user id.
pub async fn owner<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

pub async fn touch<'c>(ex: impl Executor<'c, Database = Any>, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Revokes one of the user's tokens; false if it is not theirs or already revoked.
pub async fn revoke(tx: &mut Tx, user_id: i64, id: i64) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}
