//! Which instance runs a period's chores: the first to claim the period.

use std::time::Duration;

use super::Db;

/// Claims period `period` of chores run every `every` for `instance`; false if another
/// instance claimed it first. Turns older than a thousand periods are let go.
pub async fn claim(db: &Db, every: Duration, period: i64, instance: &str) -> sqlx::Result<bool> {
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
    let claimed = sqlx::query(
        "INSERT INTO chore_turns (every_ms, period, instance, started_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (every_ms, period) DO NOTHING",
    )
    .bind(every_ms)
    .bind(period)
    .bind(instance)
    .bind(super::now())
    .execute(&db.pool)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        sqlx::query("DELETE FROM chore_turns WHERE every_ms = $1 AND period < $2")
            .bind(every_ms)
            .bind(period - 1000)
            .execute(&db.pool)
            .await?;
    }
    Ok(claimed)
}
