//! Switch-off rehearsals and their reports.

use sqlx::{Any, Executor, FromRow};

use super::Tx;

#[derive(Debug, Clone, FromRow)]
pub struct Rehearsal {
    pub id: i64,
    pub store_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    /// The platform's id for the window.
    pub brownout_id: String,
    pub scheduled_by: String,
    pub scheduled_at: i64,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<i64>,
    /// When the report was written (after the end).
    pub reported_at: Option<i64>,
    pub refused_calls: Option<i64>,
}

impl Rehearsal {
    pub fn state(&self, now: i64) -> crate::domain::rehearsal::State {
        crate::domain::rehearsal::State::of(
            self.starts_at,
            self.ends_at,
            self.cancelled_at.is_some(),
            now,
        )
    }

    pub fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at) / 60
    }
}

/// Calls refused during a rehearsal, summed.
#[derive(Debug, Clone, FromRow)]
pub struct Refusal {
    pub service: String,
    pub endpoint: String,
    pub user_agent: String,
    pub calls: i64,
    pub first_at: i64,
}

const COLUMNS: &str = "id, store_id, starts_at, ends_at, brownout_id, scheduled_by, scheduled_at, \
                       cancelled_by, cancelled_at, reported_at, refused_calls";

/// What scheduling records.
pub struct New<'a> {
    pub store_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub brownout_id: &'a str,
    pub scheduled_by: &'a str,
    pub at: i64,
}

pub async fn insert(tx: &mut Tx, r: &New<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO rehearsals (store_id, starts_at, ends_at, brownout_id, scheduled_by, scheduled_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(r.store_id)
    .bind(r.starts_at)
    .bind(r.ends_at)
    .bind(r.brownout_id)
    .bind(r.scheduled_by)
    .bind(r.at)
    .fetch_one(&mut **tx)
    .await
}

/// The store's rehearsals, latest first.
pub async fn of_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<Rehearsal>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM rehearsals WHERE store_id = $1 ORDER BY starts_at DESC, id DESC LIMIT 50"
    ))
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// Rehearsal `id` of store `store_id`.
pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    id: i64,
) -> sqlx::Result<Option<Rehearsal>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM rehearsals WHERE id = $1 AND store_id = $2"
    ))
    .bind(id)
    .bind(store_id)
    .fetch_optional(ex)
    .await
}

/// Whether the store has a rehearsal not cancelled that has not ended at `now`.
pub async fn has_upcoming<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rehearsals WHERE store_id = $1 AND cancelled_at IS NULL AND ends_at > $2",
    )
    .bind(store_id)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// Whether a rehearsal not cancelled holds the platform's window `brownout_id`.
pub async fn holds_brownout<'c>(
    ex: impl Executor<'c, Database = Any>,
    brownout_id: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rehearsals WHERE brownout_id = $1 AND cancelled_at IS NULL",
    )
    .bind(brownout_id)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// Keeps that the platform's window `brownout_id` of `store_id` at these times was booked
/// but not recorded, before it is cancelled: see [`cancelled_of_window`].
pub async fn record_withdrawal<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    (starts_at, ends_at): (i64, i64),
    brownout_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO rehearsal_withdrawals (store_id, starts_at, ends_at, brownout_id, withdrawn_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(store_id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(brownout_id)
    .bind(super::now())
    .execute(ex)
    .await?;
    Ok(())
}

/// Holds `store_id`'s rehearsals for the rest of the transaction, so a check that none is
/// upcoming stays true until the insert (PostgreSQL locks the store's row; SQLite's
/// `BEGIN IMMEDIATE` already holds its single writer's lock).
pub async fn lock_store(tx: &mut Tx, store_id: i64, backend: super::Backend) -> sqlx::Result<()> {
    if backend == super::Backend::Postgres {
        sqlx::query("SELECT id FROM stores WHERE id = $1 FOR NO KEY UPDATE")
            .bind(store_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// How many windows of the store at these very times were cancelled (rehearsals, and
/// windows withdrawn because they could not be recorded): the platform knows each by a
/// key of its own, so scheduling it again is not the cancelled one.
pub async fn cancelled_of_window<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    (starts_at, ends_at): (i64, i64),
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM rehearsals WHERE store_id = $1 AND starts_at = $2 \
         AND ends_at = $3 AND cancelled_at IS NOT NULL) \
         + (SELECT COUNT(*) FROM rehearsal_withdrawals WHERE store_id = $1 AND starts_at = $2 \
         AND ends_at = $3)",
    )
    .bind(store_id)
    .bind(starts_at)
    .bind(ends_at)
    .fetch_one(ex)
    .await
}

/// Cancels rehearsal `id` if it has not started at `now`; whether it did.
pub async fn cancel(tx: &mut Tx, id: i64, by: &str, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE rehearsals SET cancelled_by = $1, cancelled_at = $2 \
         WHERE id = $3 AND cancelled_at IS NULL AND starts_at > $2",
    )
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Rehearsals not cancelled whose report is not written and that start before `until`:
/// the ones the chores remind of or report on.
pub async fn open_before<'c>(
    ex: impl Executor<'c, Database = Any>,
    until: i64,
) -> sqlx::Result<Vec<Rehearsal>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM rehearsals WHERE cancelled_at IS NULL AND reported_at IS NULL \
         AND starts_at < $1 ORDER BY starts_at LIMIT 500"
    ))
    .bind(until)
    .fetch_all(ex)
    .await
}

/// Writes the report of rehearsal `r` (ended), once: the legacy calls the platform
/// refused in its window (`api.call` with status 410 on the legacy store ID), summed.
/// Returns the number refused, or `None` if another instance wrote it first.
pub async fn report(tx: &mut Tx, r: &Rehearsal, now: i64) -> sqlx::Result<Option<i64>> {
    let claimed =
        sqlx::query("UPDATE rehearsals SET reported_at = $1 WHERE id = $2 AND reported_at IS NULL")
            .bind(now)
            .bind(r.id)
            .execute(&mut **tx)
            .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    // Received from the start to an hour after the end: a report of a refused call may
    // arrive late; it counts by when the call was made.
    sqlx::query(
        "INSERT INTO rehearsal_refusals (rehearsal_id, service, endpoint, user_agent, calls, first_at) \
         SELECT $1, e.service, COALESCE(e.endpoint, ''), COALESCE(e.user_agent, ''), COUNT(*), \
         MIN(COALESCE(e.created_at, e.received_at)) FROM order_events e \
         WHERE e.store_id = $2 AND e.received_at >= $3 AND e.received_at < $4 + 3600 \
         AND e.kind = 'api.call' AND e.legacy_store_id IS NOT NULL AND e.status = 410 \
         AND COALESCE(e.created_at, e.received_at) >= $3 AND COALESCE(e.created_at, e.received_at) < $4 \
         GROUP BY e.service, COALESCE(e.endpoint, ''), COALESCE(e.user_agent, '')",
    )
    .bind(r.id)
    .bind(r.store_id)
    .bind(r.starts_at)
    .bind(r.ends_at)
    .execute(&mut **tx)
    .await?;
    let refused: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT) FROM rehearsal_refusals WHERE rehearsal_id = $1",
    )
    .bind(r.id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE rehearsals SET refused_calls = $1 WHERE id = $2")
        .bind(refused)
        .bind(r.id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(refused))
}

/// What rehearsal `id` refused, most calls first.
pub async fn refusals<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Vec<Refusal>> {
    sqlx::query_as(
        "SELECT service, endpoint, user_agent, calls, first_at FROM rehearsal_refusals \
         WHERE rehearsal_id = $1 ORDER BY calls DESC, service, endpoint, user_agent",
    )
    .bind(id)
    .fetch_all(ex)
    .await
}

/// A partner's stores' rehearsals: those not ended and those ended in the last 90 days,
/// latest start first, with the store's ID and name.
#[derive(Debug, Clone, FromRow)]
pub struct PartnerRow {
    pub legacy_store_id: String,
    pub name: String,
    #[sqlx(flatten)]
    pub rehearsal: Rehearsal,
}

pub async fn of_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
    now: i64,
) -> sqlx::Result<Vec<PartnerRow>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let cols = super::prefixed(COLUMNS, "r");
    let sql = format!(
        "SELECT s.legacy_store_id, s.name, {cols} FROM rehearsals r JOIN stores s ON s.id = r.store_id \
         WHERE s.partner_id IN ({}) AND r.ends_at >= $1 ORDER BY r.starts_at DESC, r.id DESC LIMIT 500",
        super::placeholders(2, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql).bind(now - 90 * 86_400);
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}
