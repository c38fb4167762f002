//! Support requests from failed test purchases, with their screenshots.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};
use crate::domain::screenshot::ImageKind;

/// Where a request stands; the admin sees it on the store's help page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Open,
    InProgress,
    Closed,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 3] = [Self::Open, Self::InProgress, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in-progress",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct SupportRequest {
    pub id: i64,
    pub store_id: i64,
    pub author_email: String,
    pub explanation: String,
    pub error_code: Option<String>,
    pub status: RequestStatus,
    pub created_at: i64,
    pub updated_at: i64,
    /// How many screenshots it has.
    pub screenshots: i64,
    pub store_name: String,
    pub legacy_store_id: String,
}

const COLUMNS: &str = "r.id, r.store_id, r.author_email, r.explanation, r.error_code, r.status, r.created_at, r.updated_at, \
                       (SELECT COUNT(*) FROM support_attachments a WHERE a.request_id = r.id) AS screenshots, \
                       s.name AS store_name, s.legacy_store_id";
const FROM: &str = "support_requests r JOIN stores s ON s.id = r.store_id";

pub struct NewRequest<'a> {
    pub store_id: i64,
    pub author_email: &'a str,
    pub explanation: &'a str,
    pub error_code: Option<&'a str>,
    pub screenshots: &'a [(ImageKind, Vec<u8>)],
}

/// Stores the request and its screenshots; returns its id.
pub async fn insert(tx: &mut Tx, r: &NewRequest<'_>) -> sqlx::Result<i64> {
    let at = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO support_requests (store_id, author_email, explanation, error_code, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(r.store_id)
    .bind(r.author_email)
    .bind(r.explanation)
    .bind(r.error_code)
    .bind(RequestStatus::Open)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    for (kind, bytes) in r.screenshots {
        sqlx::query(
            "INSERT INTO support_attachments (request_id, content_type, size, sha256, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(kind.content_type())
        .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
        .bind(crate::domain::sha256_hex(bytes))
        .bind(bytes.as_slice())
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<SupportRequest>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.store_id = $1 ORDER BY r.id DESC"
    ))
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// Requests for support's queue: unfinished ones first, oldest first among them.
pub async fn queue<'c>(
    ex: impl Executor<'c, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<SupportRequest>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} \
         ORDER BY CASE WHEN r.status = $1 THEN 1 ELSE 0 END, \
         CASE WHEN r.status = $1 THEN -r.id ELSE r.id END LIMIT $2"
    ))
    .bind(RequestStatus::Closed)
    .bind(limit)
    .fetch_all(ex)
    .await
}

pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Option<SupportRequest>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The `n`th screenshot (from 1) of request `id`: its type and bytes.
pub async fn screenshot<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    n: i64,
) -> sqlx::Result<Option<(ImageKind, Vec<u8>)>> {
    let row: Option<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT content_type, bytes FROM support_attachments WHERE request_id = $1 ORDER BY id LIMIT 1 OFFSET $2",
    )
    .bind(id)
    .bind(n - 1)
    .fetch_optional(ex)
    .await?;
    Ok(row.and_then(|(t, b)| Some((ImageKind::from_content_type(&t)?, b))))
}

pub async fn set_status(tx: &mut Tx, id: i64, status: RequestStatus) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE support_requests SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// One answer of support's to a request: the status it set and what it said.
#[derive(Debug, Clone, FromRow)]
pub struct Answer {
    pub id: i64,
    pub request_id: i64,
    pub author_email: String,
    pub status: RequestStatus,
    pub body: String,
    pub created_at: i64,
}

/// Keeps support's answer with the request, in the transaction that set its status.
pub async fn add_answer(
    tx: &mut Tx,
    request_id: i64,
    author_email: &str,
    status: RequestStatus,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO support_answers (request_id, author_email, status, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(request_id)
    .bind(author_email)
    .bind(status)
    .bind(body)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The answers to request `id`, oldest first.
pub async fn answers<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Vec<Answer>> {
    sqlx::query_as(
        "SELECT id, request_id, author_email, status, body, created_at FROM support_answers \
         WHERE request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(ex)
    .await
}

/// Request `id` if it is one of `store_id`'s.
pub async fn of_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    id: i64,
) -> sqlx::Result<Option<SupportRequest>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1 AND r.store_id = $2"
    ))
    .bind(id)
    .bind(store_id)
    .fetch_optional(ex)
    .await
}
