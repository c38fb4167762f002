//! The audit log: who did what, to which store, when, from where. Append-only. An entry
//! is kept as a message, not as words: its action is a key (`audit.entry.<action>` in
//! the interface's catalogue) and its `detail` column holds the key's arguments as a JSON
//! object, so each reader sees the entry in their own language. Entries written before
//! that hold English text, shown as it is.

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

impl AuditEntry {
    /// The entry's arguments, or `None` for an entry from before they were kept apart.
    pub fn args(&self) -> Option<Vec<(String, String)>> {
        if self.detail.is_empty() {
            return Some(Vec::new());
        }
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.detail).ok()?;
        Some(
            object
                .into_iter()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect(),
        )
    }
}

/// One thing to record. `actor` is an email, or a system name such as `platform`.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub store_id: Option<i64>,
    /// The values the entry names (an email, an order, an amount), by the names its
    /// message gives them.
    pub args: &'a [(&'a str, &'a str)],
    pub ip: &'a str,
}

pub async fn record<'c>(ex: impl Executor<'c, Database = Any>, r: &Record<'_>) -> sqlx::Result<()> {
    let detail = if r.args.is_empty() {
        String::new()
    } else {
        let object: serde_json::Map<String, serde_json::Value> = r
            .args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect();
        serde_json::Value::Object(object).to_string()
    };
    sqlx::query("INSERT INTO audit_log (at, actor, action, store_id, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now())
        .bind(r.actor)
        .bind(r.action)
        .bind(r.store_id)
        .bind(detail)
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
