//! Support's casework on a store: notes, the agent who looks after it, and the day to
//! look again.

use sqlx::{Any, Executor, FromRow};

use super::Tx;
use crate::domain::Step;

/// Who looks after a store, and when to look at it again (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default, FromRow)]
pub struct Casework {
    pub assignee_email: Option<String>,
    pub follow_up_on: Option<String>,
}

/// A note an agent left on a store.
#[derive(Debug, Clone, FromRow)]
pub struct Note {
    pub id: i64,
    pub author_email: String,
    pub body: String,
    pub created_at: i64,
}

/// One store in an agent's queue.
#[derive(Debug, Clone, FromRow)]
pub struct Queued {
    pub legacy_store_id: String,
    pub name: String,
    pub step: Option<Step>,
    pub follow_up_on: Option<String>,
    pub notes: i64,
}

pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Casework> {
    let found: Option<Casework> = sqlx::query_as(
        "SELECT assignee_email, follow_up_on FROM store_casework WHERE store_id = $1",
    )
    .bind(store_id)
    .fetch_optional(ex)
    .await?;
    Ok(found.unwrap_or_default())
}

/// Sets the store's assignee and follow-up day (either may be none).
pub async fn set(tx: &mut Tx, store_id: i64, c: &Casework, at: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO store_casework (store_id, assignee_email, follow_up_on, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (store_id) DO UPDATE SET \
         assignee_email = excluded.assignee_email, follow_up_on = excluded.follow_up_on, \
         updated_at = excluded.updated_at",
    )
    .bind(store_id)
    .bind(c.assignee_email.as_deref())
    .bind(c.follow_up_on.as_deref())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn add_note(
    tx: &mut Tx,
    store_id: i64,
    author: &str,
    body: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO store_notes (store_id, author_email, body, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(store_id)
    .bind(author)
    .bind(body)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The store's notes, newest first.
pub async fn notes<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<Note>> {
    sqlx::query_as(
        "SELECT id, author_email, body, created_at FROM store_notes WHERE store_id = $1 ORDER BY id DESC",
    )
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// The stores assigned to `assignee`: those with a follow-up day first, earliest first,
/// then the rest by name.
pub async fn queue<'c>(
    ex: impl Executor<'c, Database = Any>,
    assignee: &str,
) -> sqlx::Result<Vec<Queued>> {
    sqlx::query_as(
        "SELECT s.legacy_store_id, s.name, u.step, c.follow_up_on, \
         (SELECT COUNT(*) FROM store_notes n WHERE n.store_id = s.id) AS notes \
         FROM store_casework c JOIN stores s ON s.id = c.store_id \
         LEFT JOIN upgrades u ON u.store_id = s.id \
         WHERE c.assignee_email = $1 \
         ORDER BY CASE WHEN c.follow_up_on IS NULL THEN 1 ELSE 0 END, c.follow_up_on, s.name, s.id",
    )
    .bind(assignee)
    .fetch_all(ex)
    .await
}
