//! The sandbox platform's brownout windows: times in which it refuses a legacy store's
//! calls, or every call of a legacy product.

use crate::store::{Db, now};

/// Records the sandbox platform's window `id` refusing legacy store `eid`'s calls; the
/// same id again (a retried request) changes nothing.
pub async fn insert_brownout(
    db: &Db,
    id: &str,
    eid: &str,
    starts_at: i64,
    ends_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sandbox_brownouts (id, legacy_store_id, starts_at, ends_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(eid)
    .bind(starts_at)
    .bind(ends_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Cancels window `id` of `eid` if it has not started; `None` if there is no such window,
/// else whether it was cancelled (it may have started).
pub async fn cancel_brownout(db: &Db, id: &str, eid: &str) -> sqlx::Result<Option<bool>> {
    cancel_window(db, "sandbox_brownouts", "legacy_store_id", id, eid).await
}

/// Cancels window `id` of `table` held by `owner` (in column `owned_by`) unless it has
/// started; `None` if there is no such window.
async fn cancel_window(
    db: &Db,
    table: &str,
    owned_by: &str,
    id: &str,
    owner: &str,
) -> sqlx::Result<Option<bool>> {
    let known: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT starts_at FROM {table} WHERE id = $1 AND {owned_by} = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(&db.pool)
    .await?;
    if known.is_none() {
        return Ok(None);
    }
    // Whether it started is decided by the update itself, not by the read before it.
    let done = sqlx::query(&format!(
        "UPDATE {table} SET cancelled_at = COALESCE(cancelled_at, $1) \
         WHERE id = $2 AND {owned_by} = $3 AND starts_at > $1"
    ))
    .bind(now())
    .bind(id)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(Some(done.rows_affected() == 1))
}

/// Records the sandbox platform's window `id` refusing every legacy call of `product`;
/// the same id again changes nothing.
pub async fn insert_product_brownout(
    db: &Db,
    id: &str,
    product: &str,
    (starts_at, ends_at): (i64, i64),
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sandbox_product_brownouts (id, product, starts_at, ends_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(product)
    .bind(starts_at)
    .bind(ends_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Cancels product window `id` if it has not started, as [`cancel_brownout`].
pub async fn cancel_product_brownout(
    db: &Db,
    id: &str,
    product: &str,
) -> sqlx::Result<Option<bool>> {
    cancel_window(db, "sandbox_product_brownouts", "product", id, product).await
}

/// Whether legacy store `eid`'s calls are refused at `at`: a window of its own, or one
/// of its product.
pub async fn switched_off(db: &Db, eid: &str, at: i64) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM sandbox_brownouts WHERE legacy_store_id = $1 AND ends_at > $2 \
         AND starts_at <= $2 AND cancelled_at IS NULL) + (SELECT COUNT(*) FROM sandbox_product_brownouts b \
         JOIN stores s ON s.product = b.product WHERE s.legacy_store_id = $1 AND b.ends_at > $2 \
         AND b.starts_at <= $2 AND b.cancelled_at IS NULL)",
    )
    .bind(eid)
    .bind(at)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}
