//! Announced platform-wide brownouts of a legacy product, and how far their notices have
//! gone (migration 0045).

use sqlx::{Any, Executor, FromRow};

use super::Tx;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Brownout {
    pub id: i64,
    pub product: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: String,
    pub platform_id: String,
    pub created_by: String,
    pub created_at: i64,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<i64>,
}

/// A store whose upgrade is complete and whose legacy store has been quiet since the
/// parameter `since` (`$2`, `$3`…).
fn quiet(since: &str) -> String {
    format!("(upgrade_step = 'complete' AND COALESCE(legacy_called_at, 0) < {since})")
}

const COLUMNS: &str = "id, product, starts_at, ends_at, reason, platform_id, created_by, created_at, \
                       cancelled_by, cancelled_at";

/// A new window.
pub struct NewBrownout<'a> {
    pub product: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: &'a str,
    pub platform_id: &'a str,
    pub by: &'a str,
    pub at: i64,
}

pub async fn insert(tx: &mut Tx, b: &NewBrownout<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO brownouts (product, starts_at, ends_at, reason, platform_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(b.product)
    .bind(b.starts_at)
    .bind(b.ends_at)
    .bind(b.reason)
    .bind(b.platform_id)
    .bind(b.by)
    .bind(b.at)
    .fetch_one(&mut **tx)
    .await
}

pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Option<Brownout>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM brownouts WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The windows not yet over at `now` (cancelled ones too), soonest first.
pub async fn coming<'c>(
    ex: impl Executor<'c, Database = Any>,
    now: i64,
) -> sqlx::Result<Vec<Brownout>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM brownouts WHERE ends_at > $1 ORDER BY starts_at, id LIMIT 200"
    ))
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The windows of the last 90 days and to come, newest first.
pub async fn recent<'c>(
    ex: impl Executor<'c, Database = Any>,
    now: i64,
) -> sqlx::Result<Vec<Brownout>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM brownouts WHERE ends_at > $1 ORDER BY starts_at DESC, id DESC LIMIT 200"
    ))
    .bind(now - 90 * 86_400)
    .fetch_all(ex)
    .await
}

/// The next window of `product` that is not cancelled and not over, starting before
/// `until`.
pub async fn next_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    product: &str,
    now: i64,
    until: i64,
) -> sqlx::Result<Option<Brownout>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM brownouts WHERE product = $1 AND ends_at > $2 AND starts_at < $3 \
         AND cancelled_at IS NULL ORDER BY starts_at LIMIT 1"
    ))
    .bind(product)
    .bind(now)
    .bind(until)
    .fetch_optional(ex)
    .await
}

/// How many windows of `product` at this very time were cancelled: the platform knows
/// each by a key of its own, so scheduling it again is not the cancelled one.
pub async fn cancelled_of_window<'c>(
    ex: impl Executor<'c, Database = Any>,
    product: &str,
    (starts_at, ends_at): (i64, i64),
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM brownouts WHERE product = $1 AND starts_at = $2 AND ends_at = $3 \
         AND cancelled_at IS NOT NULL",
    )
    .bind(product)
    .bind(starts_at)
    .bind(ends_at)
    .fetch_one(ex)
    .await
}

/// Cancels window `id` if it has not started by `now`; whether it was.
pub async fn cancel(tx: &mut Tx, id: i64, by: &str, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE brownouts SET cancelled_at = $1, cancelled_by = $2 \
         WHERE id = $3 AND cancelled_at IS NULL AND starts_at > $1",
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where notice `point` of window `id` has got to: the last store told, and whether all
/// were. A notice not begun is at store 0.
pub async fn notice<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    point: i64,
) -> sqlx::Result<(i64, bool)> {
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT told_through, told_at FROM brownout_notices WHERE brownout_id = $1 AND point = $2",
    )
    .bind(id)
    .bind(point)
    .fetch_optional(ex)
    .await?;
    Ok(row.map_or((0, false), |(through, at)| (through, at.is_some())))
}

/// Moves notice `point` of window `id` from store `from` to `to` (done at `done_at`);
/// false if another instance moved it first.
pub async fn told(
    tx: &mut Tx,
    (id, point): (i64, i64),
    (from, to): (i64, i64),
    done_at: Option<i64>,
) -> sqlx::Result<bool> {
    if from == 0 {
        let inserted = sqlx::query(
            "INSERT INTO brownout_notices (brownout_id, point, told_through, told_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (brownout_id, point) DO NOTHING",
        )
        .bind(id)
        .bind(point)
        .bind(to)
        .bind(done_at)
        .execute(&mut **tx)
        .await?;
        return Ok(inserted.rows_affected() == 1);
    }
    let moved = sqlx::query(
        "UPDATE brownout_notices SET told_through = $1, told_at = $2 \
         WHERE brownout_id = $3 AND point = $4 AND told_through = $5 AND told_at IS NULL",
    )
    .bind(to)
    .bind(done_at)
    .bind(id)
    .bind(point)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// Up to `limit` ids of the stores of `product` after store `after` that a brownout
/// bothers: all but those whose upgrade is complete and whose legacy store has been quiet
/// since `quiet_since`.
pub async fn affected_after<'c>(
    ex: impl Executor<'c, Database = Any>,
    product: &str,
    (after, limit): (i64, i64),
    quiet_since: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM stores WHERE product = $1 AND id > $2 AND NOT {} ORDER BY id LIMIT $4",
        quiet("$3")
    ))
    .bind(product)
    .bind(after)
    .bind(quiet_since)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Whether store `store_id` is bothered by brownouts (see [`affected_after`]).
pub async fn affects<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    quiet_since: i64,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM stores WHERE id = $1 AND NOT {}",
        quiet("$2")
    ))
    .bind(store_id)
    .bind(quiet_since)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// The partner managers with stores of `product` a brownout bothers (see
/// [`affected_after`]): (email, how many of their stores).
pub async fn managers_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    product: &str,
    quiet_since: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(&format!(
        "SELECT u.email, CAST(COUNT(*) AS BIGINT) FROM stores s \
         JOIN partner_managers pm ON pm.partner_id = s.partner_id JOIN users u ON u.id = pm.user_id \
         WHERE s.product = $1 AND u.disabled_at IS NULL AND NOT {} GROUP BY u.email ORDER BY u.email",
        quiet("$2")
    ))
    .bind(product)
    .bind(quiet_since)
    .fetch_all(ex)
    .await
}
