//! What "remind all matching" would do to a cohort, read before anything is sent: how
//! many stores, to whom, and how many the once-a-day rule skips (a nudge's outbox key is
//! `nudge:{store id}:{day}`, as `app::partner::nudge` writes it).

use super::cohort::{Arg, Cohort, bind};
use crate::domain::upgrade::{Progress, Step};

/// The preview of reminding every store of a cohort.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemindPreview {
    /// Stores matching the filter.
    pub matching: i64,
    /// Of them, finished upgrades (never reminded).
    pub complete: i64,
    /// Of them, unfinished stores already nudged today (the once-a-day rule).
    pub reminded_today: i64,
    /// Distinct admin addresses that would get a reminder.
    pub recipients: i64,
    /// The first of those addresses, alphabetically.
    pub first_recipients: Vec<String>,
}

impl RemindPreview {
    /// Stores a reminder would be queued for.
    pub fn to_send(&self) -> i64 {
        (self.matching - self.complete - self.reminded_today).max(0)
    }
}

impl Cohort<'_> {
    /// What reminding the cohort on `day` (as in the nudge key) would do, listing at
    /// most `cap` recipients.
    pub async fn remind_preview(
        &self,
        db: &super::Db,
        day: &str,
        cap: i64,
    ) -> sqlx::Result<RemindPreview> {
        let (source, mut args) = self.source(db.backend);
        let pool = &db.pool;
        args.push(Arg::Text(Progress::At(Step::Complete).as_str().to_owned()));
        let complete = format!("c.step = ${}", args.len());
        args.push(Arg::Text(format!(":{day}")));
        let today = format!(
            "EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = 'nudge:' || CAST(c.id AS TEXT) || ${})",
            args.len()
        );
        let due = format!("NOT ({complete}) AND NOT {today}");
        let counts = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN {complete} THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN NOT ({complete}) AND {today} THEN 1 ELSE 0 END), 0), \
             COUNT(DISTINCT CASE WHEN {due} THEN c.admin_email END) FROM {source}"
        );
        let (matching, complete, reminded_today, recipients): (i64, i64, i64, i64) =
            bind(sqlx::query_as(&counts), &args).fetch_one(pool).await?;
        let list = format!(
            "SELECT DISTINCT c.admin_email FROM {source} WHERE {due} ORDER BY c.admin_email LIMIT {}",
            cap.clamp(1, 1000)
        );
        let first: Vec<(String,)> = bind(sqlx::query_as(&list), &args).fetch_all(pool).await?;
        Ok(RemindPreview {
            matching,
            complete,
            reminded_today,
            recipients,
            first_recipients: first.into_iter().map(|(e,)| e).collect(),
        })
    }
}
