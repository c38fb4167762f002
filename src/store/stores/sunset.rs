//! The stores a sunset reaches: those due a reminder, those with a sunset of their own,
//! every store on a legacy product, and an archive downloaded before the end.

use sqlx::{Any, Executor};

use super::{COLUMNS, Store};
use crate::store::{now, placeholders};

/// Which stores on `product` ($1) are due the outbox email `{$2}{id}{$3}` at unix time
/// $4: not sent yet, and not held back by their import (`remind_from`). A store with a
/// sunset of its own is reminded on its own date instead (`extended`). The sunset
/// reminders and an import's dry run both select with it, so a preview counts exactly
/// what the chores would send.
const DUE_EMAIL: &str = "product = $1 AND extended_sunset IS NULL AND (remind_from IS NULL OR remind_from <= $4) AND NOT EXISTS \
     (SELECT 1 FROM outbox o WHERE o.idempotency_key = $2 || CAST(s.id AS TEXT) || $3)";

/// Stores on `product` that are due the outbox email `{key_prefix}{id}{key_suffix}` at
/// `now` (the sunset reminders: one per store per point), at most `limit`, oldest first.
pub async fn without_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    (product, key_prefix, key_suffix): (&str, &str, &str),
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<Store>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stores s WHERE {DUE_EMAIL} ORDER BY id LIMIT $5"
    ))
    .bind(product)
    .bind(key_prefix)
    .bind(key_suffix)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How many stores [`without_email`] would return, without a limit.
pub async fn count_without_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    (product, key_prefix, key_suffix): (&str, &str, &str),
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM stores s WHERE {DUE_EMAIL}"))
        .bind(product)
        .bind(key_prefix)
        .bind(key_suffix)
        .bind(now)
        .fetch_one(ex)
        .await
}

/// The stores with a sunset of their own (an approved extension), in pages of `limit`
/// after `after_id`.
pub async fn extended<'c>(
    ex: impl Executor<'c, Database = Any>,
    after_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Store>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stores WHERE extended_sunset IS NOT NULL AND id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Every store on a legacy product in `products`, in pages of `limit` after `after_id`.
pub async fn on_products<'c>(
    ex: impl Executor<'c, Database = Any>,
    products: &[&str],
    after_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Store>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM stores WHERE id > $1 AND product IN ({}) ORDER BY id LIMIT $2",
        placeholders(3, products.len())
    );
    let mut q = sqlx::query_as(&sql).bind(after_id).bind(limit);
    for p in products {
        q = q.bind(*p);
    }
    q.fetch_all(ex).await
}

/// Records that the legacy store's archive of everything was downloaded (a sunset
/// readiness condition).
pub async fn record_archived<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE stores SET legacy_archived_at = $1 WHERE id = $2")
        .bind(now())
        .bind(store_id)
        .execute(ex)
        .await?;
    Ok(())
}
