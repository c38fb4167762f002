//! A cohort of stores with their upgrade's progress and sunset risk: the partner
//! dashboard, its CSV export and the partner API read it. Filtering, sorting and paging
//! happen in the database so 100,000 stores stay fast.

use sqlx::FromRow;

use super::{Backend, Db, columns};
use crate::domain::{
    risk::{Risk, Rule},
    text::fold,
    upgrade::{Progress, Step},
};

#[derive(Debug, Clone, FromRow)]
pub struct CohortRow {
    pub id: i64,
    pub legacy_store_id: String,
    pub name: String,
    pub admin_email: String,
    pub product: String,
    pub platform: String,
    pub countries: String,
    pub path_id: Option<String>,
    pub step: Progress,
    pub progressed_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub risk: Risk,
    pub partner_id: Option<i64>,
    /// The partner's name; `None` for a store of no partner.
    pub partner: Option<String>,
    /// The new merchant ID, once the account step made it.
    pub merchant_id: Option<String>,
    /// When a reminder of any kind (sunset, stall, nudge) was last queued for the store's
    /// admin.
    pub last_reminded_at: Option<i64>,
    /// When the legacy store's ID was last used (a call or an order on it).
    pub legacy_called_at: Option<i64>,
    /// When order management first succeeded on a new merchant ID.
    pub order_management_at: Option<i64>,
    /// When the last live order arrived on the legacy store ID.
    pub legacy_ordered_at: Option<i64>,
    /// The latest expiry of a legacy authorization still open.
    pub legacy_open_until: Option<i64>,
    /// When the legacy store's archive was downloaded.
    pub legacy_archived_at: Option<i64>,
    /// The store's own sunset (00:00 UTC) once an extension was approved.
    pub extended_sunset: Option<i64>,
}

impl CohortRow {
    /// Whole days since the last step moved (since import when not started).
    pub fn idle_days(&self, now: i64) -> Option<i64> {
        self.progressed_at.map(|p| (now - p).max(0) / 86_400)
    }

    /// Complete, and order management never succeeded on the new ID: checkout works
    /// while captures and refunds were never tried, the commonest silent failure.
    pub fn order_management_missing(&self) -> bool {
        self.completed_at.is_some() && self.order_management_at.is_none()
    }

    /// What the store still lacks for the sunset, at `now`.
    pub fn readiness(&self, now: i64) -> crate::domain::readiness::Readiness {
        crate::domain::readiness::Readiness::at(
            crate::domain::readiness::Facts {
                legacy_called_at: self.legacy_called_at,
                legacy_open_until: self.legacy_open_until,
                archived_at: self.legacy_archived_at,
            },
            now,
        )
    }

    /// Live orders arrived on the legacy store in the last days that count as lately,
    /// a week or more after the upgrade completed: a storefront or country is still on
    /// the old plugin.
    pub fn late_legacy_orders(&self, now: i64) -> bool {
        self.completed_at.is_some_and(|done| {
            crate::domain::cutover::legacy_after_completion(done, self.legacy_ordered_at)
                && self
                    .legacy_ordered_at
                    .is_some_and(|at| at >= crate::domain::traffic::recent_since(now))
        })
    }
}

/// The columns of `c` a [`CohortRow`] is read from: a long read (the CSV export) copies
/// each column of each row through the driver, so none it does not use.
const ROW: &str = "c.id, c.legacy_store_id, c.name, c.admin_email, c.product, c.platform, \
                   c.countries, c.partner_id, c.step, c.progressed_at, c.updated_at, \
                   c.completed_at, c.risk, c.legacy_called_at, c.order_management_at, \
                   c.legacy_ordered_at, c.legacy_open_until, c.legacy_archived_at, c.extended_sunset";

/// What the person narrowed the list to; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the legacy store ID or the name.
    pub q: String,
    pub step: Option<Progress>,
    pub risk: Option<Risk>,
    pub product: String,
    pub platform: String,
    pub country: String,
    /// Only this partner's stores (within the cohort's partners).
    pub partner: Option<i64>,
    /// Exactly this store (the API's single-store view).
    pub store_id: Option<i64>,
    /// Only started, unfinished upgrades whose last step moved at or before this time
    /// (support's stalled list).
    pub stalled_before: Option<i64>,
    /// Only stores imported after this one (the API's cursor).
    pub after_id: Option<i64>,
    /// Only stores whose upgrade changed, or that were imported, at or after this time
    /// (the API's incremental sync).
    pub changed_since: Option<i64>,
    /// Only stores whose legacy ID was used at or after this time (still calling the
    /// legacy store).
    pub legacy_since: Option<i64>,
    /// Only completed upgrades whose order management never succeeded on the new ID.
    pub order_management_missing: bool,
    /// Only stores ready for the sunset (`true`) or not (`false`), at the time given.
    pub sunset_ready: Option<(bool, i64)>,
    /// Only stores given a later sunset of their own.
    pub extended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Eid,
    Step,
    Activity,
    Idle,
    Risk,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Name,
        Sort::Eid,
        Sort::Step,
        Sort::Activity,
        Sort::Idle,
        Sort::Risk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Eid => "eid",
            Sort::Step => "step",
            Sort::Activity => "activity",
            Sort::Idle => "idle",
            Sort::Risk => "risk",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The ORDER BY terms, each in `dir`: steps and risks in the domain's order, and
    /// legacy store IDs (digits, no leading zeros) as numbers: shorter is smaller, so
    /// 4711 comes before 10000 on both databases without a cast that could fail.
    fn order(self, dir: &str) -> String {
        match self {
            Sort::Eid => format!("LENGTH(c.legacy_store_id) {dir}, c.legacy_store_id {dir}"),
            other => format!("{} {dir}", other.column()),
        }
    }

    fn column(self) -> String {
        match self {
            Sort::Name => "c.name".into(),
            Sort::Eid => "c.legacy_store_id".into(),
            Sort::Step => columns::rank("c.step", &Progress::ALL, Progress::as_str),
            Sort::Activity => "COALESCE(c.updated_at, 0)".into(),
            Sort::Idle => "COALESCE(c.progressed_at, 0)".into(),
            Sort::Risk => columns::rank("c.risk", &Risk::ALL, Risk::as_str),
        }
    }
}

/// Which stores, judged how.
#[derive(Clone, Copy)]
pub struct Cohort<'a> {
    /// The partners whose stores these are; `None` for every store (support).
    pub partners: Option<&'a [i64]>,
    pub filter: &'a Filter,
    pub rule: Rule,
    /// Sunset time (unix seconds) per legacy product code.
    pub sunsets: &'a [(&'a str, i64)],
    pub now: i64,
}

pub(super) enum Arg {
    Int(i64),
    Text(String),
}

impl Cohort<'_> {
    /// The filtered cohort as a subquery `c`, with its arguments from `$1`.
    pub(super) fn source(&self, backend: Backend) -> (String, Vec<Arg>) {
        let mut args = Vec::new();
        let mut arg = |a: Arg| {
            args.push(a);
            format!("${}", args.len())
        };
        let partner = match self.partners {
            None => "1 = 1".to_owned(),
            Some([]) => "1 = 0".to_owned(),
            Some(ids) => {
                let list: Vec<String> = ids.iter().map(|id| arg(Arg::Int(*id))).collect();
                format!("s.partner_id IN ({})", list.join(", "))
            }
        };
        let risk = self.rule.sql_case(self.sunsets, self.now);
        let mut conds = Vec::new();
        let f = self.filter;
        let q = f.q.trim();
        if !q.is_empty() {
            conds.push(search(backend, q, &mut arg));
        }
        if let Some(step) = f.step {
            let p = arg(Arg::Text(step.as_str().to_owned()));
            conds.push(format!("c.step = {p}"));
        }
        if let Some(risk) = f.risk {
            conds.push(self.rule.sql_is(
                risk,
                self.sunsets,
                self.now,
                [
                    "c.product",
                    "c.step",
                    "c.progressed_at",
                    "c.extended_sunset",
                ],
            ));
        }
        for (value, column) in [(&f.product, "c.product"), (&f.platform, "c.platform")] {
            if !value.is_empty() {
                let p = arg(Arg::Text(value.clone()));
                conds.push(format!("{column} = {p}"));
            }
        }
        if let Some(id) = f.partner {
            let p = arg(Arg::Int(id));
            conds.push(format!("c.partner_id = {p}"));
        }
        if let Some(id) = f.store_id {
            let p = arg(Arg::Int(id));
            conds.push(format!("c.id = {p}"));
        }
        if let Some(before) = f.stalled_before {
            let p = arg(Arg::Int(before));
            // Not started is NULL, read as 0 here: `BETWEEN 1 AND` leaves it out and is a
            // range of the index on that expression, which holds only unfinished upgrades
            // (migration 0026: the step is written out, so the database sees it applies).
            conds.push(format!(
                "COALESCE(c.progressed_at, 0) BETWEEN 1 AND {p} AND c.step <> '{}'",
                Step::Complete.as_str()
            ));
        }
        if let Some(after) = f.after_id {
            let p = arg(Arg::Int(after));
            conds.push(format!("c.id > {p}"));
        }
        if let Some(since) = f.legacy_since {
            let p = arg(Arg::Int(since));
            conds.push(format!("c.legacy_called_at >= {p}"));
        }
        if f.extended {
            conds.push("c.extended_sunset IS NOT NULL".into());
        }
        if f.order_management_missing {
            conds.push("c.completed_at IS NOT NULL AND c.order_management_at IS NULL".into());
        }
        if let Some((ready, now)) = f.sunset_ready {
            // The rule of `domain::readiness`, as columns of the store.
            let quiet = arg(Arg::Int(crate::domain::readiness::quiet_since(now)));
            let now = arg(Arg::Int(now));
            conds.push(if ready {
                format!(
                    "c.legacy_archived_at IS NOT NULL AND COALESCE(c.legacy_called_at, 0) <= {quiet} \
                     AND COALESCE(c.legacy_open_until, 0) <= {now}"
                )
            } else {
                format!(
                    "(c.legacy_archived_at IS NULL OR c.legacy_called_at > {quiet} \
                     OR c.legacy_open_until > {now})"
                )
            });
        }
        if let Some(since) = f.changed_since {
            let p = arg(Arg::Int(since));
            conds.push(format!("COALESCE(c.updated_at, c.created_at) >= {p}"));
        }
        if !f.country.is_empty() {
            let p = arg(Arg::Text(format!("%;{};%", f.country.to_uppercase())));
            conds.push(format!("(';' || c.countries || ';') LIKE {p}"));
        }
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        // Only `stores`: each carries a copy of its upgrade's progress (migration 0011).
        let sql = format!(
            "(SELECT * FROM (SELECT s.id, s.legacy_store_id, s.name, s.name_folded, s.admin_email, s.product, s.platform, s.countries, s.partner_id, \
             s.upgrade_step AS step, s.upgrade_progressed_at AS progressed_at, s.upgrade_updated_at AS updated_at, \
             s.upgrade_completed_at AS completed_at, s.created_at, s.legacy_called_at, s.order_management_at, s.legacy_ordered_at, \
             s.legacy_open_until, s.legacy_archived_at, s.extended_sunset, {risk} AS risk \
             FROM stores s WHERE {partner}) c{filter}) c"
        );
        (sql, args)
    }

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

    pub(super) async fn scalar_rows<T>(
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

/// `q` as part of a store's name (case and accents folded) or legacy store ID. On SQLite
/// a needle of three characters or more goes through the trigram index over both
/// (migration 0026): `LIKE '%…%'` can use no B-tree. PostgreSQL's trigram indexes
/// (migrations 0014, 0021) serve the `LIKE` itself.
fn search(backend: Backend, q: &str, arg: &mut impl FnMut(Arg) -> String) -> String {
    let folded = fold(q);
    if backend == Backend::Sqlite && folded.chars().count() >= 3 {
        let m = arg(Arg::Text(format!(
            "{{name_folded legacy_store_id}} : \"{}\"",
            folded.replace('"', "\"\"")
        )));
        return format!("c.id IN (SELECT rowid FROM stores_search WHERE stores_search MATCH {m})");
    }
    let name = arg(Arg::Text(super::stores::contains_pattern(&folded)));
    let eid = arg(Arg::Text(super::stores::contains_pattern(
        &q.to_lowercase(),
    )));
    format!("(c.name_folded LIKE {name} ESCAPE '\\' OR c.legacy_store_id LIKE {eid} ESCAPE '\\')")
}

/// Every store of a cohort in one sort: the query of [`Cohort::all_sorted`], owned, so a
/// task can stream it while the request that asked for it has moved on.
pub struct AllSorted {
    sql: String,
    args: Vec<Arg>,
}

impl Cohort<'_> {
    /// Every store of the cohort in [`Cohort::page`]'s order, to read as a stream (the
    /// CSV export): one query, so a store is read once whatever changes meanwhile, and
    /// its rows meet their upgrade, partner and latest reminder as they are read.
    pub fn all_sorted(&self, backend: Backend, sort: Sort, descending: bool) -> AllSorted {
        let dir = if descending { "DESC" } else { "ASC" };
        let order = format!("{}, c.id {dir}", sort.order(dir));
        let (source, args) = self.source(backend);
        let sql = format!(
            "SELECT {ROW}, u.path_id, u.merchant_id, p.name AS partner, \
             (SELECT MAX(o.created_at) FROM outbox o WHERE o.store_id = c.id AND o.lane = 'bulk' \
             AND o.kind = 'email') AS last_reminded_at \
             FROM {source} LEFT JOIN upgrades u ON u.store_id = c.id \
             LEFT JOIN partners p ON p.id = c.partner_id ORDER BY {order}"
        );
        AllSorted { sql, args }
    }
}

impl AllSorted {
    /// The rows as the database sends them, on `conn`, until the stream ends or is
    /// dropped.
    pub fn fetch<'e>(
        &'e self,
        conn: &'e mut sqlx::AnyConnection,
    ) -> futures_util::stream::BoxStream<'e, sqlx::Result<CohortRow>> {
        bind(sqlx::query_as(&self.sql), &self.args).fetch(conn)
    }
}

/// A connection of `db`'s set up for one long read, and set back as it was when the
/// read is over ([`LongRead::done`]). On SQLite the file is read through a memory map
/// meanwhile: pages come from the map instead of being copied into the connection's
/// 2 MB cache (the CSV export of 100,000 stores: 1.9-2.3 s -> 1.3-1.5 s). Only this
/// connection maps the file: a writer with a map remaps it whenever the file grows,
/// which cost the signed events a fifth of their rate.
pub struct LongRead {
    pub conn: sqlx::pool::PoolConnection<sqlx::Any>,
    backend: Backend,
}

impl LongRead {
    pub async fn start(db: &super::Db) -> sqlx::Result<LongRead> {
        use sqlx::Executor;
        let mut conn = db.pool.acquire().await?;
        if db.backend == Backend::Sqlite {
            conn.execute("PRAGMA mmap_size = 268435456").await?;
        }
        Ok(LongRead {
            conn,
            backend: db.backend,
        })
    }

    /// Sets the connection back before it goes back to the pool; one that cannot be set
    /// back is closed instead.
    pub async fn done(mut self) {
        use sqlx::Executor;
        if self.backend == Backend::Sqlite
            && self.conn.execute("PRAGMA mmap_size = 0").await.is_err()
        {
            self.conn.close_on_drop();
        }
    }
}

/// `query` with the cohort's arguments bound in order ($1, $2, …).
pub(super) fn bind<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for a in args {
        query = match a {
            Arg::Int(i) => query.bind(*i),
            Arg::Text(t) => query.bind(t.clone()),
        };
    }
    query
}
