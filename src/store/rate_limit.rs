//! Fixed-window rate limits kept in the database, so every instance sees the same counts.

use super::{Db, now};

/// A limit: at most `max` events per `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window: i64,
}

/// Counts an event in `bucket`; `Ok(Some(t))` means the limit is reached and the next
/// event is allowed at unix time `t` (nothing is counted then).
pub async fn hit(db: &Db, bucket: &str, limit: Limit) -> sqlx::Result<Option<i64>> {
    let at = now();
    let since = at - limit.window;
    let mut tx = db.pool.begin().await?;
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM rate_limit_events WHERE bucket = $1 AND at > $2",
    )
    .bind(bucket)
    .bind(since)
    .fetch_one(&mut *tx)
    .await?;
    if count >= limit.max {
        tx.rollback().await?;
        return Ok(Some(oldest.unwrap_or(at) + limit.window));
    }
    sqlx::query("INSERT INTO rate_limit_events (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    // Old events are of no use; trimming here keeps the table small without a job.
    sqlx::query("DELETE FROM rate_limit_events WHERE bucket = $1 AND at <= $2")
        .bind(bucket)
        .bind(since)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(None)
}
