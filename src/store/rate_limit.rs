//! Fixed-window rate limits kept in the database, so every instance sees the same counts.

use super::{Db, now};

/// A limit: at most `max` events per `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window: i64,
}

/// Every rate limit, per window of seconds: each lives here, so the purge knows how long
/// a count may still matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub sign_in_per_email: Limit,
    pub sign_in_per_ip: Limit,
    pub confirm_per_ip: Limit,
    /// Store health checks per admin: each one makes outgoing requests.
    pub health_checks_per_person: Limit,
    /// Support requests per store.
    pub support_requests_per_store: Limit,
}

impl RateLimits {
    /// The longest window of any limit: a count older than this counts for none.
    pub fn longest_window(&self) -> i64 {
        [
            self.sign_in_per_email,
            self.sign_in_per_ip,
            self.confirm_per_ip,
            self.health_checks_per_person,
            self.support_requests_per_store,
        ]
        .iter()
        .map(|l| l.window)
        .max()
        .unwrap_or(0)
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            sign_in_per_email: Limit {
                max: 5,
                window: 15 * 60,
            },
            sign_in_per_ip: Limit {
                max: 30,
                window: 15 * 60,
            },
            confirm_per_ip: Limit {
                max: 30,
                window: 15 * 60,
            },
            health_checks_per_person: Limit {
                max: 20,
                window: 60 * 60,
            },
            support_requests_per_store: Limit {
                max: 10,
                window: 24 * 60 * 60,
            },
        }
    }
}

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
