//! Store users: people the admin invited to follow a store read-only.

use sqlx::{Any, Executor, FromRow};

use super::now;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Member {
    pub id: i64,
    pub store_id: i64,
    pub email: String,
    pub invited_by: String,
    pub created_at: i64,
    /// 1: the technical delegate; 0: a user who reads.
    pub delegate: i64,
}

pub async fn list<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as("SELECT id, store_id, email, invited_by, created_at, delegate FROM store_members WHERE store_id = $1 ORDER BY email")
        .bind(store_id)
        .fetch_all(ex)
        .await
}

/// Whether `email` belongs to any store as a member.
pub async fn is_any_member<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM store_members WHERE email = $1")
        .bind(email)
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}

/// Adds a member; `Ok(false)` if they were already one.
pub async fn add<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    email: &str,
    invited_by: &str,
    delegate: bool,
) -> sqlx::Result<bool> {
    let res = sqlx::query("INSERT INTO store_members (store_id, email, invited_by, created_at, delegate) VALUES ($1, $2, $3, $4, $5)")
        .bind(store_id)
        .bind(email)
        .bind(invited_by)
        .bind(now())
        .bind(i64::from(delegate))
        .execute(ex)
        .await;
    match res {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes a member of this store; the email removed, or None if there was no such member.
pub async fn remove(
    tx: &mut super::Tx,
    store_id: i64,
    member_id: i64,
) -> sqlx::Result<Option<String>> {
    let email: Option<String> =
        sqlx::query_scalar("SELECT email FROM store_members WHERE id = $1 AND store_id = $2")
            .bind(member_id)
            .bind(store_id)
            .fetch_optional(&mut **tx)
            .await?;
    if email.is_some() {
        sqlx::query("DELETE FROM store_members WHERE id = $1")
            .bind(member_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(email)
}
