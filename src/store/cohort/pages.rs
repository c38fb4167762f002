//! Reading a cohort: a page in any sort, far pages from their nearer end, counts and
//! the figures beside the list.

use sqlx::FromRow;

use super::{Cohort, CohortRow, Filter, ROW, Sort, bind};
use crate::{
    domain::{risk::Risk, upgrade::Progress},
    store::Db,
};

impl Cohort<'_> {
    /// One page, sorted (ties broken by id, so pages never overlap). A page nearer the
    /// end than the start is read from the end, in the other direction: the last page
    /// of a million stores is as quick as the first.
    pub async fn page(
        &self,
        db: &Db,
        sort: Sort,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Vec<CohortRow>> {
        if offset > FAR {
            let (rows, _) = self
                .page_and_count(db, sort, descending, limit, offset)
                .await?;
            return Ok(rows);
        }
        self.sorted(db, sort, descending, limit, offset).await
    }

    /// One page as [`Cohort::page`], and how many stores match in all: counted once,
    /// first for a page far in (the count says which end is nearer), beside the page
    /// otherwise.
    pub async fn page_and_count(
        &self,
        db: &Db,
        sort: Sort,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(Vec<CohortRow>, i64)> {
        if offset > FAR {
            let total = self.count(db).await?;
            let rows = self
                .page_of(db, (sort, descending), limit, offset, total)
                .await?;
            return Ok((rows, total));
        }
        tokio::try_join!(
            self.sorted(db, sort, descending, limit, offset),
            self.count(db)
        )
    }

    /// A page of a cohort of `total` stores, read from the nearer end.
    async fn page_of(
        &self,
        db: &Db,
        (sort, descending): (Sort, bool),
        limit: i64,
        offset: i64,
        total: i64,
    ) -> sqlx::Result<Vec<CohortRow>> {
        match from_end(total, offset, limit) {
            None => self.sorted(db, sort, descending, limit, offset).await,
            Some((_, 0)) => Ok(Vec::new()),
            Some((skip, take)) => {
                let mut rows = self.sorted(db, sort, !descending, take, skip).await?;
                rows.reverse();
                Ok(rows)
            }
        }
    }

    async fn sorted(
        &self,
        db: &Db,
        sort: Sort,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Vec<CohortRow>> {
        let dir = if descending { "DESC" } else { "ASC" };
        match sort {
            Sort::Step | Sort::Risk => self.by_rank(db, sort, dir, limit, offset).await,
            _ => {
                let order = format!("{}, c.id {dir}", sort.order(dir));
                self.fetch(db, &order, limit, offset).await
            }
        }
    }

    /// Sorted by step or risk, then id: class after class in the domain's order, each
    /// an indexed condition read in id order, so no page sorts the whole cohort. Only
    /// the classes before the page are counted.
    async fn by_rank(
        &self,
        db: &Db,
        sort: Sort,
        dir: &str,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Vec<CohortRow>> {
        let f = self.filter;
        let mut classes: Vec<Filter> = match sort {
            Sort::Risk => Risk::ALL
                .into_iter()
                .filter(|r| f.risk.is_none_or(|only| only == *r))
                .map(|r| Filter {
                    risk: Some(r),
                    ..f.clone()
                })
                .collect(),
            _ => Progress::ALL
                .into_iter()
                .filter(|s| f.step.is_none_or(|only| only == *s))
                .map(|s| Filter {
                    step: Some(s),
                    ..f.clone()
                })
                .collect(),
        };
        if dir == "DESC" {
            classes.reverse();
        }
        let back = if dir == "DESC" { "ASC" } else { "DESC" };
        let (mut skip, mut rows) = (offset, Vec::new());
        for filter in &classes {
            let want = limit - rows.len() as i64;
            if want <= 0 {
                break;
            }
            let class = Cohort { filter, ..*self };
            if skip == 0 {
                rows.extend(class.fetch(db, &format!("c.id {dir}"), want, 0).await?);
                continue;
            }
            let n = class.count(db).await?;
            if skip >= n {
                skip -= n;
                continue;
            }
            // Within the class too, the page is read from its nearer end.
            match from_end(n, skip, want) {
                Some((back_skip, take)) => {
                    let mut page = class
                        .fetch(db, &format!("c.id {back}"), take, back_skip)
                        .await?;
                    page.reverse();
                    rows.extend(page);
                }
                None => rows.extend(class.fetch(db, &format!("c.id {dir}"), want, skip).await?),
            }
            skip = 0;
        }
        Ok(rows)
    }

    /// Up to `limit` stores in the order they were imported: a store's place in it never
    /// changes, so paging on with [`Filter::after_id`] neither repeats nor skips a store
    /// while the data changes (the API's cursor).
    pub async fn in_import_order(&self, db: &Db, limit: i64) -> sqlx::Result<Vec<CohortRow>> {
        self.fetch(db, "c.id ASC", limit, 0).await
    }

    async fn fetch(
        &self,
        db: &Db,
        order: &str,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<Vec<CohortRow>> {
        let (source, args) = self.source(db.backend);
        // The page's ids are chosen from `stores` alone, which an index can answer without
        // reading the rows it passes over (migration 0029); then only its rows are read
        // (first: SQLite's `CROSS JOIN` keeps that order), and meet their upgrade, their
        // partner and their latest reminder (bulk-lane emails are the reminders).
        let sql = format!(
            "SELECT {ROW}, u.path_id, u.merchant_id, p.name AS partner, \
             (SELECT MAX(o.created_at) FROM outbox o WHERE o.store_id = c.id AND o.lane = 'bulk' \
             AND o.kind = 'email') AS last_reminded_at \
             FROM (SELECT c.id AS picked FROM {source} ORDER BY {order} LIMIT {} OFFSET {}) page \
             CROSS JOIN {source} \
             LEFT JOIN upgrades u ON u.store_id = c.id LEFT JOIN partners p ON p.id = c.partner_id \
             WHERE c.id = page.picked \
             ORDER BY {order}",
            limit.clamp(1, 1_000_000),
            offset.max(0)
        );
        bind(sqlx::query_as(&sql), &args).fetch_all(&db.pool).await
    }

    /// How many stores match: from the tallies where they can say (migration 0028),
    /// counted otherwise.
    pub async fn count(&self, db: &Db) -> sqlx::Result<i64> {
        if let Some((false, now)) = self.filter.sunset_ready {
            return self.not_ready(db, now).await;
        }
        if let Some(n) = self.tallied(db).await? {
            return Ok(n);
        }
        self.scalar_rows::<(i64,)>(db, "COUNT(*)", "")
            .await
            .map(|r| r.first().map_or(0, |x| x.0))
    }

    /// The stores not ready for the sunset, counted as all of them less the ready ones:
    /// both come from indexes (the tallies, the partial index of archived stores,
    /// migration 0039), where counting the not-ready ones reads nearly every store.
    async fn not_ready(&self, db: &Db, now: i64) -> sqlx::Result<i64> {
        let with = |sunset_ready| Filter {
            sunset_ready,
            ..self.filter.clone()
        };
        let (all, ready) = (with(None), with(Some((true, now))));
        let (all, ready) = (
            Cohort {
                filter: &all,
                ..*self
            },
            Cohort {
                filter: &ready,
                ..*self
            },
        );
        let (all, ready) = tokio::try_join!(Box::pin(all.count(db)), Box::pin(ready.count(db)))?;
        Ok(all - ready)
    }

    /// How many stores are at each step (`not-started` included).
    pub async fn steps(&self, db: &Db) -> sqlx::Result<Vec<(Progress, i64)>> {
        self.scalar_rows(db, "c.step, COUNT(*)", " GROUP BY c.step")
            .await
    }

    /// Completed upgrades per week: the week's number counted from Monday 1970-01-05
    /// (so weeks start on Monday), and how many completed in it.
    pub async fn completions_by_week(&self, db: &Db) -> sqlx::Result<Vec<(i64, i64)>> {
        self.scalar_rows(
            db,
            "(c.completed_at - 345600) / 604800 AS week, COUNT(*)",
            " WHERE c.completed_at IS NOT NULL GROUP BY (c.completed_at - 345600) / 604800",
        )
        .await
    }

    /// Every country code any store of the cohort sells in, sorted.
    pub async fn countries(&self, db: &Db) -> sqlx::Result<Vec<String>> {
        let sets: Vec<(String,)> = self.scalar_rows(db, "DISTINCT c.countries", "").await?;
        let mut all: Vec<String> = sets
            .iter()
            .flat_map(|(s,)| s.split(';'))
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        all.sort();
        all.dedup();
        Ok(all)
    }

    pub(in crate::store) async fn scalar_rows<T>(
        &self,
        db: &Db,
        select: &str,
        tail: &str,
    ) -> sqlx::Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let (source, args) = self.source(db.backend);
        let sql = format!("SELECT {select} FROM {source}{tail}");
        bind(sqlx::query_as(&sql), &args).fetch_all(&db.pool).await
    }
}

/// Pages further in than this may be read from the end instead.
const FAR: i64 = 1_000;

/// The `want` rows at `skip` of `n`, read from the end when that end is nearer: where
/// they start counted from the end, and how many there are (fewer at the very end, none
/// past it). `None` when the start is as near.
fn from_end(n: i64, skip: i64, want: i64) -> Option<(i64, i64)> {
    let after = n - skip - want;
    (after < skip).then(|| (after.max(0), want.min(n - skip).max(0)))
}
