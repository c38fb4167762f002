//! The legacy products' sunset dates and their history (migration 0042).

use sqlx::{Any, Executor, FromRow};

use super::Tx;

/// One date a product was given.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SunsetChange {
    pub id: i64,
    pub product: String,
    /// `None` on the first date (the seed).
    pub old_date: Option<String>,
    pub new_date: String,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: i64,
    pub told_through: i64,
    pub told_at: Option<i64>,
}

const COLUMNS: &str =
    "id, product, old_date, new_date, reason, changed_by, changed_at, told_through, told_at";

/// Each product's newest row: its effective date.
pub async fn current<'c>(ex: impl Executor<'c, Database = Any>) -> sqlx::Result<Vec<SunsetChange>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sunset_changes c \
         WHERE id = (SELECT MAX(id) FROM sunset_changes WHERE product = c.product) ORDER BY product"
    ))
    .fetch_all(ex)
    .await
}

/// Every change, newest first.
pub async fn history<'c>(ex: impl Executor<'c, Database = Any>) -> sqlx::Result<Vec<SunsetChange>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sunset_changes ORDER BY changed_at DESC, id DESC LIMIT 500"
    ))
    .fetch_all(ex)
    .await
}

/// Product `product`'s effective date, in the caller's transaction.
pub async fn date_of(tx: &mut Tx, product: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT new_date FROM sunset_changes WHERE product = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(product)
    .fetch_optional(&mut **tx)
    .await
}

/// Notes that the configuration gives `product` the date `configured`; whether that is
/// news (the first start, or a start with another date than the last). Of two instances
/// starting at once, one hears the news.
pub async fn configured(tx: &mut Tx, product: &str, configured: &str) -> sqlx::Result<bool> {
    let changed: Option<String> = sqlx::query_scalar(
        "INSERT INTO sunset_seeds (product, configured) VALUES ($1, $2) \
         ON CONFLICT (product) DO UPDATE SET configured = excluded.configured \
         WHERE sunset_seeds.configured <> excluded.configured RETURNING product",
    )
    .bind(product)
    .bind(configured)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(changed.is_some())
}

/// A new date for a product.
pub struct NewDate<'a> {
    pub product: &'a str,
    pub old_date: Option<&'a str>,
    pub new_date: &'a str,
    pub reason: &'a str,
    pub changed_by: &'a str,
    pub at: i64,
}

/// Records `d`; a first date (no old one) has nobody to tell.
pub async fn record(tx: &mut Tx, d: &NewDate<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO sunset_changes (product, old_date, new_date, reason, changed_by, changed_at, told_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(d.product)
    .bind(d.old_date)
    .bind(d.new_date)
    .bind(d.reason)
    .bind(d.changed_by)
    .bind(d.at)
    .bind(d.old_date.is_none().then_some(d.at))
    .fetch_one(&mut **tx)
    .await
}

/// The changes whose stores are not all told yet, oldest first.
pub async fn untold<'c>(ex: impl Executor<'c, Database = Any>) -> sqlx::Result<Vec<SunsetChange>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sunset_changes WHERE told_at IS NULL ORDER BY id"
    ))
    .fetch_all(ex)
    .await
}

/// Up to `limit` ids of the stores of `product` after store `after`, in id order.
pub async fn stores_after<'c>(
    ex: impl Executor<'c, Database = Any>,
    product: &str,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM stores WHERE product = $1 AND id > $2 ORDER BY id LIMIT $3")
        .bind(product)
        .bind(after)
        .bind(limit)
        .fetch_all(ex)
        .await
}

/// Moves change `id`'s telling from store `from` to store `to` (and marks it done at
/// `done_at`); false if another instance moved it first.
pub async fn told(
    tx: &mut Tx,
    id: i64,
    (from, to): (i64, i64),
    done_at: Option<i64>,
) -> sqlx::Result<bool> {
    let moved = sqlx::query(
        "UPDATE sunset_changes SET told_through = $1, told_at = $2 \
         WHERE id = $3 AND told_through = $4 AND told_at IS NULL",
    )
    .bind(to)
    .bind(done_at)
    .bind(id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(moved.rows_affected() == 1)
}
