//! Server-side sessions and one-time sign-in tokens. Only hashes of the cookie value
//! and of the emailed token are stored, so a database leak does not leak either.

use sqlx::{Any, Executor, FromRow};

use super::now;

/// A sign-in link is valid for this long.
pub const SIGN_IN_TOKEN_TTL: i64 = 10 * 60;
/// A session ends after this long without a request.
pub const SESSION_IDLE: i64 = 2 * 60 * 60;
/// A session ends this long after sign-in, however active.
pub const SESSION_ABSOLUTE: i64 = 12 * 60 * 60;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub email: Option<String>,
}

pub async fn create<'c>(
    ex: impl Executor<'c, Database = Any>,
    id_hash: &str,
    user_id: Option<i64>,
    csrf_token: &str,
) -> sqlx::Result<()> {
    let at = now();
    sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(at)
        .bind(at + SESSION_ABSOLUTE)
        .execute(ex)
        .await?;
    Ok(())
}

/// The live session for a cookie hash, with its user's email; idle or expired ones are None.
pub async fn find_live<'c>(
    ex: impl Executor<'c, Database = Any>,
    id_hash: &str,
) -> sqlx::Result<Option<SessionRow>> {
    let at = now();
    sqlx::query_as(
        "SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, u.email \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
    )
    .bind(id_hash)
    .bind(at)
    .bind(at - SESSION_IDLE)
    .fetch_optional(ex)
    .await
}

/// Marks the session as active; cheap enough to do at most once a minute.
pub async fn touch<'c>(ex: impl Executor<'c, Database = Any>, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now())
        .bind(id_hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete<'c>(ex: impl Executor<'c, Database = Any>, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn store_sign_in_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    email: &str,
) -> sqlx::Result<()> {
    let at = now();
    sqlx::query("INSERT INTO sign_in_tokens (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(email)
        .bind(at)
        .bind(at + SIGN_IN_TOKEN_TTL)
        .execute(ex)
        .await?;
    Ok(())
}

/// Whether a token is currently usable (for the confirmation page; does not consume it).
pub async fn sign_in_token_is_valid<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(now())
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}

/// Consumes a token atomically: the email it was issued to, or None if unknown, used or expired.
pub async fn consume_sign_in_token(
    tx: &mut super::Tx,
    token_hash: &str,
) -> sqlx::Result<Option<String>> {
    let at = now();
    let updated = sqlx::query("UPDATE sign_in_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(at)
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    if updated.rows_affected() != 1 {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT email FROM sign_in_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(&mut **tx)
        .await
}

/// The user id for `email`, creating the user on first sign-in.
pub async fn upsert_user(tx: &mut super::Tx, email: &str) -> sqlx::Result<i64> {
    let at = now();
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    let id = match existing {
        Some(id) => id,
        None => {
            sqlx::query_scalar("INSERT INTO users (email, created_at) VALUES ($1, $2) RETURNING id")
                .bind(email)
                .bind(at)
                .fetch_one(&mut **tx)
                .await?
        }
    };
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}
