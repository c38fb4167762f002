//! The whole cohort in one sort, read as a stream: the CSV export.

use super::{Arg, Cohort, CohortRow, ROW, Sort, bind};
use crate::store::{Backend, Db};

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
    pub async fn start(db: &Db) -> sqlx::Result<LongRead> {
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
