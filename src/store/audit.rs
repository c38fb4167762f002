//! The audit log: who did what, to which store, when, from where. Append-only.

use sqlx::{Any, Executor, FromRow};

use super::now;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub store_id: Option<i64>,
    pub detail: String,
    pub ip: String,
}

/// One thing to record. `actor` is an email, or a system name such as `platform`.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub store_id: Option<i64>,
    pub detail: &'a str,
    pub ip: &'a str,
}

pub async fn record<'c>(ex: impl Executor<'c, Database = Any>, r: &Record<'_>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, store_id, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now())
        .bind(r.actor)
        .bind(r.action)
        .bind(r.store_id)
        .bind(r.detail)
        .bind(r.ip)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as("SELECT id, at, actor, action, store_id, detail, ip FROM audit_log WHERE store_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(store_id)
        .bind(limit)
        .fetch_all(ex)
        .await
}

pub async fn all<'c>(
    ex: impl Executor<'c, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as("SELECT id, at, actor, action, store_id, detail, ip FROM audit_log ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(ex)
        .await
}
