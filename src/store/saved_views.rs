//! A person's saved dashboard views: a name and the dashboard's query string.

use sqlx::{Any, Executor, FromRow};

use super::now;

/// How many views one person may keep, so the list stays a list.
pub const MAX_PER_USER: i64 = 50;

#[derive(Debug, Clone, FromRow)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The dashboard's query string (filters and sort), without the page.
    pub query: String,
}

/// `user_id`'s views, by name.
pub async fn of_user<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
) -> sqlx::Result<Vec<SavedView>> {
    sqlx::query_as("SELECT id, name, query_string AS query FROM saved_views WHERE user_id = $1 ORDER BY name, id")
        .bind(user_id)
        .fetch_all(ex)
        .await
}

/// Saves `query` as `name` for `user_id`; a view of the same name is replaced. `false`
/// when the person already has [`MAX_PER_USER`] other views.
pub async fn save(ex: &sqlx::AnyPool, user_id: i64, name: &str, query: &str) -> sqlx::Result<bool> {
    let others: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM saved_views WHERE user_id = $1 AND name <> $2")
            .bind(user_id)
            .bind(name)
            .fetch_one(ex)
            .await?;
    if others >= MAX_PER_USER {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO saved_views (user_id, name, query_string, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, name) DO UPDATE SET query_string = excluded.query_string",
    )
    .bind(user_id)
    .bind(name)
    .bind(query)
    .bind(now())
    .execute(ex)
    .await?;
    Ok(true)
}

/// Deletes view `id` if it is `user_id`'s; whether it was.
pub async fn delete<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}
