//! Fixed-window rate limits kept in the database, so every instance sees the same counts.

use super::{Db, now};

pub use crate::config::limits::{Limit, RateLimits};

/// Counts an event in `bucket`; `Ok(Some(t))` means the limit is reached and the next
/// event is allowed at unix time `t` (nothing is counted then).
pub async fn hit(db: &Db, bucket: &str, limit: Limit) -> sqlx::Result<Option<i64>> {
    let at = now();
    let since = at - limit.window;
    // One statement counts and inserts, so no transaction reads before it writes.
    let inserted = sqlx::query(
        "INSERT INTO rate_limit_events (bucket, at) SELECT $1, $2 \
         WHERE (SELECT COUNT(*) FROM rate_limit_events WHERE bucket = $1 AND at > $3) < $4",
    )
    .bind(bucket)
    .bind(at)
    .bind(since)
    .bind(limit.max)
    .execute(&db.pool)
    .await?;
    if inserted.rows_affected() == 1 {
        // Old events are of no use; trimming here keeps the table small without a job.
        sqlx::query("DELETE FROM rate_limit_events WHERE bucket = $1 AND at <= $2")
            .bind(bucket)
            .bind(since)
            .execute(&db.pool)
            .await?;
        return Ok(None);
    }
    let oldest: Option<i64> =
        sqlx::query_scalar("SELECT MIN(at) FROM rate_limit_events WHERE bucket = $1 AND at > $2")
            .bind(bucket)
            .bind(since)
            .fetch_one(&db.pool)
            .await?;
    metrics::counter!("switchyard_rate_limit_refusals_total", "limit" => limit_name(bucket))
        .increment(1);
    Ok(Some(oldest.unwrap_or(at) + limit.window))
}

/// The limit a bucket counts for, without the person: "signin:ip:10.0.0.1" is
/// "signin:ip", "health:42" is "health". A label per address would be a series each.
fn limit_name(bucket: &str) -> String {
    let mut parts = bucket.splitn(3, ':');
    let kind = parts.next().unwrap_or_default();
    match (parts.next(), parts.next()) {
        (Some(by), Some(_)) if !by.is_empty() && by.bytes().all(|b| b.is_ascii_lowercase()) => {
            format!("{kind}:{by}")
        }
        _ => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::limit_name;

    #[test]
    fn a_limit_is_named_without_the_person() {
        assert_eq!(limit_name("signin:ip:10.0.0.1"), "signin:ip");
        assert_eq!(limit_name("signin:ip:::1"), "signin:ip");
        assert_eq!(limit_name("signin:email:a@b.se:ip:::1"), "signin:email");
        assert_eq!(limit_name("health:42"), "health");
        assert_eq!(limit_name("support-request:7"), "support-request");
    }
}
