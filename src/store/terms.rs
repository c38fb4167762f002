//! Terms acceptances: what was accepted, by whom, when and from where, with the exact PDF.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};

/// What was accepted, by whom, when and from where.
#[derive(Debug, Clone)]
pub struct Acceptance<'a> {
    pub path_id: &'a str,
    pub user_email: &'a str,
    pub title: &'a str,
    pub version: &'a str,
    pub sha256: &'a str,
    pub body: &'a str,
    pub pdf: &'a [u8],
    pub file_name: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn record_acceptance(
    tx: &mut Tx,
    upgrade_id: i64,
    a: &Acceptance<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO terms_acceptances (upgrade_id, path_id, user_email, document_title, document_version, document_sha256, \
         document_body, document_pdf, document_file_name, ip, user_agent, accepted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(upgrade_id)
    .bind(a.path_id)
    .bind(a.user_email)
    .bind(a.title)
    .bind(a.version)
    .bind(a.sha256)
    .bind(a.body)
    .bind(a.pdf)
    .bind(a.file_name)
    .bind(a.ip)
    .bind(a.user_agent)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The PDF of the latest acceptance, exactly as accepted, with its file name.
pub async fn accepted_pdf<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Option<(Vec<u8>, String)>> {
    let row: Option<(Option<Vec<u8>>, Option<String>)> = sqlx::query_as(
        "SELECT document_pdf, document_file_name FROM terms_acceptances WHERE upgrade_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(upgrade_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.and_then(|(pdf, name)| Some((pdf?, name.unwrap_or_else(|| "terms.pdf".into())))))
}

#[derive(Debug, Clone, FromRow)]
pub struct AcceptanceRow {
    pub path_id: String,
    pub document_body: String,
    pub user_email: String,
    pub document_title: String,
    pub document_version: String,
    pub document_sha256: String,
    pub accepted_at: i64,
}

pub async fn latest_acceptance<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Option<AcceptanceRow>> {
    sqlx::query_as(
        "SELECT path_id, document_body, user_email, document_title, document_version, document_sha256, accepted_at FROM terms_acceptances \
         WHERE upgrade_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(upgrade_id)
    .fetch_optional(ex)
    .await
}
