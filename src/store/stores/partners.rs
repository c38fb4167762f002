//! Partners and their stores.

use sqlx::{Any, Executor};

use super::{COLUMNS, Store};
use crate::store::{Tx, placeholders};

pub(super) async fn partner_id(tx: &mut Tx, name: &str) -> sqlx::Result<i64> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM partners WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar("INSERT INTO partners (name) VALUES ($1) RETURNING id")
                .bind(name)
                .fetch_one(&mut **tx)
                .await
        }
    }
}

/// The names of the given partners, by name: (id, name).
pub async fn partner_names<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, name FROM partners WHERE id IN ({}) ORDER BY name",
        placeholders(1, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}

/// The stores of the given partners, by name (ties by id, so pages never overlap): at
/// most `limit`, after skipping `offset`.
pub async fn of_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Store>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM stores WHERE partner_id IN ({}) ORDER BY name, id LIMIT $1 OFFSET $2",
        placeholders(3, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql).bind(limit).bind(offset.max(0));
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}

/// How many stores the given partners have.
pub async fn count_of_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
) -> sqlx::Result<i64> {
    if partner_ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM stores WHERE partner_id IN ({})",
        placeholders(1, partner_ids.len())
    );
    let mut q = sqlx::query_scalar(&sql);
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_one(ex).await
}

/// Every partner (id, name), by name: support's choice of partner in its lists.
pub async fn all_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM partners ORDER BY name, id")
        .fetch_all(ex)
        .await
}
