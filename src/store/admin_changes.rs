//! Changing a store's registered administrator: support asks, the new address confirms
//! by a link (only the token's hash is kept), and only then the store changes.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};

/// How long the confirmation link works.
pub const TTL_SECONDS: i64 = 3 * 24 * 3600;

#[derive(Debug, Clone, FromRow)]
pub struct AdminChange {
    pub store_id: i64,
    pub new_email: String,
    pub requested_by: String,
    pub reason: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// A change away from `previous_admin`. Any earlier request for the store stops working:
/// a corrected address replaces a mistyped one.
pub async fn insert(
    tx: &mut Tx,
    token_hash: &str,
    store_id: i64,
    previous_admin: &str,
    new_email: &str,
    requested_by: &str,
    reason: &str,
) -> sqlx::Result<()> {
    let at = now();
    sqlx::query("UPDATE admin_changes SET used_at = $1 WHERE store_id = $2 AND used_at IS NULL")
        .bind(at)
        .bind(store_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO admin_changes (token_hash, store_id, previous_admin, new_email, requested_by, reason, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash)
    .bind(store_id)
    .bind(previous_admin)
    .bind(new_email)
    .bind(requested_by)
    .bind(reason)
    .bind(at)
    .bind(at + TTL_SECONDS)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<AdminChange>> {
    sqlx::query_as(
        "SELECT store_id, new_email, requested_by, reason, expires_at, used_at FROM admin_changes WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

/// Uses the token once: true only for the first use of a live token whose store still
/// has the admin it was meant to replace.
pub async fn consume(tx: &mut Tx, token_hash: &str) -> sqlx::Result<bool> {
    let at = now();
    let res = sqlx::query(
        "UPDATE admin_changes SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         AND previous_admin = (SELECT admin_email FROM stores WHERE stores.id = admin_changes.store_id)",
    )
    .bind(at)
    .bind(token_hash)
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn set_admin(tx: &mut Tx, store_id: i64, email: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE stores SET admin_email = $1 WHERE id = $2")
        .bind(email)
        .bind(store_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
