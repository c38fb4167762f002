//! Runs of "remind all matching" (migration 0030): what each has done and where it is,
//! kept after every batch so that another instance can take a stopped run up again.
//! Whoever holds a run names itself in `claimed_by`; a batch is recorded only while it
//! still holds the run and the run is still where that batch began.

use sqlx::FromRow;

use super::Db;
use crate::domain::access::StaffRole;

#[derive(Debug, Clone, FromRow)]
pub struct RemindRun {
    pub id: i64,
    pub user_id: i64,
    pub actor: String,
    pub ip: String,
    pub partners: String,
    pub query: String,
    pub expected: i64,
    pub sent: i64,
    pub skipped: i64,
    pub after_id: i64,
    pub claimed_by: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

impl RemindRun {
    /// The partners' ids as they were written.
    pub fn partner_ids(&self) -> Vec<i64> {
        self.partners
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect()
    }
}

const COLUMNS: &str = "id, user_id, actor, ip, partners, query, expected, sent, skipped, after_id, claimed_by, started_at, finished_at";

/// Who starts a run, for whom, and on which filter.
pub struct NewRun<'a> {
    pub user_id: i64,
    pub actor: &'a str,
    pub ip: &'a str,
    pub partners: &'a [i64],
    pub query: &'a str,
    pub expected: i64,
}

/// A new run, held by `runner` until `claimed_until`; its id.
pub async fn create(
    db: &Db,
    run: &NewRun<'_>,
    now: i64,
    (runner, claimed_until): (&str, i64),
) -> sqlx::Result<i64> {
    let partners: Vec<String> = run.partners.iter().map(i64::to_string).collect();
    sqlx::query_scalar(
        "INSERT INTO remind_runs (user_id, actor, ip, partners, query, expected, claimed_by, claimed_until, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(run.user_id)
    .bind(run.actor)
    .bind(run.ip)
    .bind(partners.join(","))
    .bind(run.query)
    .bind(run.expected)
    .bind(runner)
    .bind(claimed_until)
    .bind(now)
    .fetch_one(&db.pool)
    .await
}

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<RemindRun>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM remind_runs WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}

/// One batch of `run` done by `runner`: its counts, the last store it reached, and the
/// claim renewed. False (nothing written) when the run is no longer `runner`'s or has
/// moved on meanwhile: that runner stops.
pub async fn advance(
    db: &Db,
    run: &RemindRun,
    runner: &str,
    (sent, skipped, after_id): (i64, i64, i64),
    claimed_until: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE remind_runs SET sent = sent + $1, skipped = skipped + $2, after_id = $3, \
         claimed_until = $4 WHERE id = $5 AND claimed_by = $6 AND after_id = $7 AND finished_at IS NULL",
    )
    .bind(sent)
    .bind(skipped)
    .bind(after_id)
    .bind(claimed_until)
    .bind(run.id)
    .bind(runner)
    .bind(run.after_id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The run is over: no store is left after where `runner` brought it.
pub async fn finish(db: &Db, id: i64, runner: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE remind_runs SET finished_at = $1 WHERE id = $2 AND claimed_by = $3 AND finished_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(runner)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// `runner` lets the run go (a shutdown, or errors it could not get past): the next
/// chores of any instance take it up at once instead of after the claim's time.
pub async fn release(db: &Db, id: i64, runner: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE remind_runs SET claimed_until = 0 WHERE id = $1 AND claimed_by = $2")
        .bind(id)
        .bind(runner)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Unfinished runs nobody holds any longer, oldest first.
pub async fn abandoned(db: &Db, now: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM remind_runs WHERE finished_at IS NULL AND claimed_until <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await
}

/// `runner` takes an abandoned run up until `claimed_until`: false when another instance
/// was quicker.
pub async fn claim(
    db: &Db,
    id: i64,
    now: i64,
    (runner, claimed_until): (&str, i64),
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE remind_runs SET claimed_by = $1, claimed_until = $2 \
         WHERE id = $3 AND finished_at IS NULL AND claimed_until <= $4",
    )
    .bind(runner)
    .bind(claimed_until)
    .bind(id)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The partners `user_id` looks after now (none once they are no longer an active
/// partner manager): a run reminds no store its starter has lost meanwhile.
pub async fn partners_now(db: &Db, user_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT m.partner_id FROM partner_managers m JOIN users u ON u.id = m.user_id \
         WHERE m.user_id = $1 AND u.role = $2 AND u.disabled_at IS NULL",
    )
    .bind(user_id)
    .bind(StaffRole::PartnerManager)
    .fetch_all(&db.pool)
    .await
}
