//! What a store's integrations called, per service and ID, from the sums the events'
//! trigger keeps (migration 0032): a few rows per store and day, however many events.
//! Each event appends a row of its own (migration 0047) that [`fold`] sums into those.

use sqlx::{Any, Executor, FromRow};

use super::{Backend, Db, Tx};
use crate::domain::{
    cutover::{DayCount, GRACE_DAYS},
    traffic::{LegacyNews, Service, Use, recent_since},
};

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
pub async fn of_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    now: i64,
) -> sqlx::Result<Vec<Use>> {
    // The folded sums and the rows not folded yet, alike, read once: the user agent is
    // the latest row's of each service and ID.
    let rows: Vec<UseRow> = sqlx::query_as(
        "WITH t AS (\
           SELECT service, subject, day, calls, succeeded, last_at, last_user_agent \
           FROM store_traffic WHERE store_id = $1 \
           UNION ALL SELECT service, subject, day, calls, succeeded, last_at, last_user_agent \
           FROM store_traffic_news WHERE store_id = $1), \
         r AS (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY service, subject ORDER BY last_at DESC) AS nth \
           FROM t) \
         SELECT service, subject, MAX(last_at) AS last_at, \
         CAST(SUM(CASE WHEN day >= $2 THEN calls ELSE 0 END) AS BIGINT) AS recent, \
         CAST(SUM(succeeded) AS BIGINT) AS succeeded, \
         MAX(CASE WHEN nth = 1 THEN last_user_agent END) AS user_agent \
         FROM r GROUP BY service, subject ORDER BY service, subject",
    )
    .bind(store_id)
    .bind(recent_since(now).div_euclid(86_400))
    .fetch_all(ex)
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

/// Sums the rows each event appended into one row per store, service, ID and day (the
/// chores). Safe beside writers and on every instance at once: what it sums is exactly
/// what it deletes, in one transaction. A day's user agent is the one of its latest call.
pub async fn fold(db: &Db) -> sqlx::Result<u64> {
    let upsert = |rows: &str, latest_agent: &str| {
        format!(
            "INSERT INTO store_traffic AS t \
             (store_id, service, subject, day, calls, succeeded, last_at, last_user_agent) \
             SELECT store_id, service, subject, day, SUM(calls), SUM(succeeded), MAX(last_at), {latest_agent} \
             FROM {rows} GROUP BY store_id, service, subject, day \
             ON CONFLICT (store_id, service, subject, day) DO UPDATE SET \
             calls = t.calls + excluded.calls, succeeded = t.succeeded + excluded.succeeded, \
             last_user_agent = CASE WHEN excluded.last_at >= t.last_at \
               THEN excluded.last_user_agent ELSE t.last_user_agent END, \
             last_at = CASE WHEN excluded.last_at >= t.last_at THEN excluded.last_at ELSE t.last_at END"
        )
    };
    match db.backend {
        // One writer at a time: nothing commits between the statements. With `MAX`, a
        // bare column is taken from the row holding the maximum.
        Backend::Sqlite => {
            let mut tx = db.pool.begin_with("BEGIN IMMEDIATE").await?;
            let (last,): (i64,) =
                sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM store_traffic_news")
                    .fetch_one(&mut *tx)
                    .await?;
            let folded = sqlx::query(&upsert(
                "store_traffic_news WHERE id <= $1",
                "last_user_agent",
            ))
            .bind(last)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM store_traffic_news WHERE id <= $1")
                .bind(last)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(folded)
        }
        // Writers commit at any time: the rows deleted are the rows summed.
        Backend::Postgres => Ok(sqlx::query(&format!(
            "WITH gone AS (DELETE FROM store_traffic_news RETURNING *) {}",
            upsert(
                "gone",
                "(ARRAY_AGG(last_user_agent ORDER BY last_at DESC, id DESC))[1]"
            )
        ))
        .execute(&db.pool)
        .await?
        .rows_affected()),
    }
}

/// Up to `limit` stores whose partner has news of their legacy traffic: `Stopped` when
/// the legacy ID was last used before `cutoff` and that was not said yet, `Resumed`
/// when it was used at or after `cutoff` since "stopped" was said. Each is a range of a
/// partial index (migration 0034) that holds only the stores that could change.
pub async fn legacy_news(
    db: &super::Db,
    cutoff: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, LegacyNews)>> {
    let stopped: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM stores WHERE legacy_called_at IS NOT NULL \
         AND (legacy_told IS NULL OR legacy_told = 'resumed') AND legacy_called_at < $1 \
         ORDER BY legacy_called_at LIMIT $2",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let resumed: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM stores WHERE legacy_told = 'stopped' AND legacy_called_at >= $1 \
         ORDER BY legacy_called_at LIMIT $2",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(stopped
        .into_iter()
        .map(|id| (id, LegacyNews::Stopped))
        .chain(resumed.into_iter().map(|id| (id, LegacyNews::Resumed)))
        .collect())
}

/// Records in `tx` that store `store_id`'s partner is told `news`, if it is still news
/// (another instance may have told it, or a call arrived since it was listed). Returns
/// the legacy ID's last use if so.
pub async fn tell(
    tx: &mut Tx,
    store_id: i64,
    news: LegacyNews,
    cutoff: i64,
) -> sqlx::Result<Option<i64>> {
    let still = match news {
        LegacyNews::Stopped => {
            "(legacy_told IS NULL OR legacy_told = 'resumed') AND legacy_called_at < $3"
        }
        LegacyNews::Resumed => "legacy_told = 'stopped' AND legacy_called_at >= $3",
    };
    sqlx::query_scalar(&format!(
        "UPDATE stores SET legacy_told = $1 WHERE id = $2 AND {still} RETURNING legacy_called_at"
    ))
    .bind(news.as_str())
    .bind(store_id)
    .bind(cutoff)
    .fetch_optional(&mut **tx)
    .await
}

#[derive(FromRow)]
struct DayCountRow {
    day: i64,
    legacy: i64,
    country: String,
    orders: i64,
}

/// Store `store_id`'s live orders per day from day `from` on, per side and country, from
/// the sums the orders' trigger keeps (migration 0035).
pub async fn orders<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    from: i64,
) -> sqlx::Result<Vec<DayCount>> {
    let rows: Vec<DayCountRow> = sqlx::query_as(
        "SELECT day, legacy, country, orders FROM store_orders \
         WHERE store_id = $1 AND day >= $2 ORDER BY day",
    )
    .bind(store_id)
    .bind(from)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(DayCount::from).collect())
}

impl From<DayCountRow> for DayCount {
    fn from(r: DayCountRow) -> Self {
        DayCount {
            day: r.day,
            legacy: r.legacy != 0,
            country: r.country,
            orders: r.orders,
        }
    }
}

/// The live orders per day, side and country of the stores of partners `partner_ids`
/// (summed as they arrived, migration 0040), from their first day on; empty when they
/// have none.
pub async fn partner_orders<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
) -> sqlx::Result<Vec<DayCount>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT day, legacy, country, CAST(SUM(orders) AS BIGINT) AS orders FROM partner_orders \
         WHERE partner_id IN ({}) GROUP BY day, legacy, country ORDER BY day",
        super::placeholders(1, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for id in partner_ids {
        q = q.bind(*id);
    }
    let rows: Vec<DayCountRow> = q.fetch_all(ex).await?;
    Ok(rows.into_iter().map(DayCount::from).collect())
}

/// Up to `limit` completed stores whose admin has not been told that live orders still
/// arrive on the legacy store ID a week after the upgrade: the last such order came at or
/// after `since` (a range of a partial index, migration 0035), and a week or more after
/// completion.
pub async fn legacy_orders_untold(
    db: &super::Db,
    since: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM stores WHERE upgrade_completed_at IS NOT NULL \
         AND legacy_orders_alerted_at IS NULL AND legacy_ordered_at >= $1 \
         AND legacy_ordered_at >= upgrade_completed_at + $2 ORDER BY legacy_ordered_at LIMIT $3",
    )
    .bind(since)
    .bind(GRACE_DAYS * 86_400)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// Records in `tx` that store `store_id`'s admin is told of legacy orders after the
/// upgrade, unless someone did already; whether this call did.
pub async fn mark_legacy_orders_told(tx: &mut Tx, store_id: i64, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE stores SET legacy_orders_alerted_at = $1 \
         WHERE id = $2 AND legacy_orders_alerted_at IS NULL",
    )
    .bind(now)
    .bind(store_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
