//! Server-side sessions and one-time sign-in tokens. Only hashes of the cookie value
//! and of the emailed token are stored, so a database leak does not leak either.

use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::access::StaffRole;

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
    /// The signed-in person's account (none for an anonymous session): what every page
    /// needs of it comes with the session, in the same query.
    pub email: Option<String>,
    pub role: Option<StaffRole>,
    pub lang: Option<String>,
    pub time_zone: Option<String>,
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

/// The live session for a cookie hash, with its user's account; idle or expired ones, and
/// those of disabled accounts, are None.
pub async fn find_live<'c>(
    ex: impl Executor<'c, Database = Any>,
    id_hash: &str,
) -> sqlx::Result<Option<SessionRow>> {
    let at = now();
    sqlx::query_as(
        "SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, u.email, u.role, u.lang, u.time_zone \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
         AND (s.user_id IS NULL OR u.disabled_at IS NULL)",
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

/// Ends every session of a user ("sign out everywhere").
pub async fn delete_all_for_user<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(res.rows_affected())
}

/// Stores a sign-in token for `email`, bound to the browser that asked for it (the hash
/// of its session cookie, which has a row behind it only once someone signs in), or to
/// none (`None`: a link support sent, which works in any browser).
pub async fn store_sign_in_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    email: &str,
    requested_by: Option<&str>,
) -> sqlx::Result<()> {
    let at = now();
    sqlx::query("INSERT INTO sign_in_tokens (token_hash, email, created_at, expires_at, requested_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(email)
        .bind(at)
        .bind(at + SIGN_IN_TOKEN_TTL)
        .bind(requested_by)
        .execute(ex)
        .await?;
    Ok(())
}

/// What a presented sign-in token is worth to this browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStatus {
    Valid,
    /// Unknown, used or expired.
    Invalid,
    /// Valid, but asked for in another browser: it only works there.
    OtherBrowser,
}

/// Checks a token for the confirmation page without consuming it.
pub async fn sign_in_token_status<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    session_hash: &str,
) -> sqlx::Result<TokenStatus> {
    let requested_by: Option<Option<String>> =
        sqlx::query_scalar("SELECT requested_by FROM sign_in_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(token_hash)
            .bind(now())
            .fetch_optional(ex)
            .await?;
    Ok(match requested_by {
        None => TokenStatus::Invalid,
        Some(Some(by)) if by != session_hash => TokenStatus::OtherBrowser,
        Some(_) => TokenStatus::Valid,
    })
}

/// Consumes a token atomically if it is valid for this browser; the email it was issued
/// to, or why not. The write comes first, so SQLite never upgrades a read lock.
pub async fn consume_sign_in_token(
    tx: &mut super::Tx,
    token_hash: &str,
    session_hash: &str,
) -> sqlx::Result<Result<String, TokenStatus>> {
    let at = now();
    let updated = sqlx::query(
        "UPDATE sign_in_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         AND (requested_by IS NULL OR requested_by = $3)",
    )
    .bind(at)
    .bind(token_hash)
    .bind(session_hash)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(Err(sign_in_token_status(
            &mut **tx,
            token_hash,
            session_hash,
        )
        .await?));
    }
    let email = sqlx::query_scalar("SELECT email FROM sign_in_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Ok(email))
}
