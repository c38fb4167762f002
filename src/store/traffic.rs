//! What a store's integrations called, per service and ID, from the sums the events'
//! trigger keeps (migration 0032): a few rows per store and day, however many events.

use sqlx::FromRow;

use crate::domain::traffic::{RECENT_DAYS, Service, Use};

#[derive(FromRow)]
struct UseRow {
    service: String,
    subject: String,
    last_at: i64,
    recent: i64,
    succeeded: i64,
    user_agent: Option<String>,
}

/// Each service's use of each ID by store `store_id`, "lately" counted to `now`.
pub async fn of_store(db: &super::Db, store_id: i64, now: i64) -> sqlx::Result<Vec<Use>> {
    let rows: Vec<UseRow> = sqlx::query_as(
        "SELECT t.service, t.subject, MAX(t.last_at) AS last_at, \
         CAST(SUM(CASE WHEN t.day >= $2 THEN t.calls ELSE 0 END) AS BIGINT) AS recent, \
         CAST(SUM(t.succeeded) AS BIGINT) AS succeeded, \
         (SELECT l.last_user_agent FROM store_traffic l WHERE l.store_id = t.store_id \
          AND l.service = t.service AND l.subject = t.subject ORDER BY l.day DESC LIMIT 1) AS user_agent \
         FROM store_traffic t WHERE t.store_id = $1 \
         GROUP BY t.store_id, t.service, t.subject ORDER BY t.service, t.subject",
    )
    .bind(store_id)
    .bind(now.div_euclid(86_400) - (RECENT_DAYS - 1))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Use {
                service: Service::parse(&r.service)?,
                subject: r.subject,
                last_at: r.last_at,
                recent: r.recent,
                succeeded: r.succeeded,
                user_agent: r.user_agent,
            })
        })
        .collect())
}
