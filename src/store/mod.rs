//! Database access. One set of portable queries (`$1` placeholders, BIGINT times and
//! money) runs on SQLite and PostgreSQL through sqlx's `Any` driver; only the DDL differs.

pub mod admin_changes;
pub mod api_tokens;
pub mod audit;
pub mod brownouts;
pub mod calendars;
pub mod casework;
pub mod chores;
pub mod cohort;
pub mod cohort_reminders;
pub mod columns;
pub mod credentials;
pub mod events;
pub mod extensions;
pub mod gather;
pub mod imports;
pub mod legacy_orders;
pub mod members;
pub mod outbox;
pub mod purge;
pub mod rate_limit;
pub mod rehearsals;
pub mod remind_runs;
pub mod sandbox;
pub mod saved_views;
pub mod sessions;
pub mod settlements;
pub mod stores;
pub mod sunsets;
pub mod support;
pub mod tallies;
pub mod terms;
pub mod traffic;
pub mod upgrades;
pub mod users;
pub mod waiting;
pub mod webhook_log;
pub mod webhooks;

use std::{
    str::FromStr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sqlx::{
    Any, AnyPool, Executor, Transaction,
    any::{AnyConnectOptions, AnyPoolOptions},
};

/// Which database engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The application's database: a pool and the backend behind it. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The last write probe's time and verdict, shared by every clone.
    probe: Arc<tokio::sync::Mutex<Option<(Instant, bool)>>>,
    /// Platform events, written together when they arrive together.
    pub events: gather::Gather,
}

pub type Tx = Transaction<'static, Any>;

/// Connections per instance, either backend. More PostgreSQL connections than the
/// database has cores to serve them only queue inside it: on the two-core bench machine
/// the wizard page ran at 4,400 requests/s with p99 21 ms on 8, against 3,800 and 24 ms
/// on 16 and 3,700 and 28 ms on 32 (`benches/wizard.rs`). Instances behind a load
/// balancer each bring their own.
const POOL_SIZE: u32 = 8;
/// The longest a request waits for a database connection before it fails. sqlx's default
/// is 30 s, and with PostgreSQL away every acquire keeps retrying the refused connect
/// that long: requests hung for up to 30 s instead of failing (`scripts/fault-pg-restart`).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// A pooled PostgreSQL connection idle at least this long is pinged before use.
const CHECK_IF_IDLE_FOR: Duration = Duration::from_secs(1);
/// `/healthz` answers within this, so a health check gets 503 rather than a timeout.
const PING_TIMEOUT: Duration = Duration::from_secs(2);
/// A write probe's verdict is reused this long, so a flood of health checks costs one
/// write a second, not one each.
const PROBE_REUSE: Duration = Duration::from_secs(1);

/// Seconds a client is asked to wait (`Retry-After`) when the database cannot take writes.
pub const RETRY_AFTER_SECONDS: &str = "30";

/// Current UTC time as unix seconds, the unit of every `_at` column.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Db {
    /// Connects to `url`. A SQLite file is created if missing and runs in WAL mode.
    pub async fn connect(url: &SecretString) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let raw = url.expose_secret();
        let (backend, url) = if raw.starts_with("sqlite:") {
            let url = if raw.contains("mode=") {
                raw.to_owned()
            } else if raw.contains('?') {
                format!("{raw}&mode=rwc")
            } else {
                format!("{raw}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else {
            (Backend::Postgres, raw.to_owned())
        };
        let options = AnyConnectOptions::from_str(&url).context("the database URL is not valid")?;
        let pool = AnyPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A PostgreSQL connection can be cut by a restart, so one that sat idle is
            // checked before use; one used a moment ago has just proved itself, and checking
            // it would double the round trips of every page under load. A SQLite connection
            // is a file handle in this process that nothing can cut.
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if backend == Backend::Postgres && meta.idle_for >= CHECK_IF_IDLE_FOR {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    // `synchronous = FULL`: each commit is flushed to disk before it
                    // returns, so an acknowledged event survives a power loss or an OS
                    // crash, not only the process's crash (NORMAL's promise in WAL mode).
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("cannot connect to the database")?;
        Ok(Self {
            events: gather::Gather::start(pool.clone()),
            pool,
            backend,
            probe: Arc::default(),
        })
    }

    /// Applies the migrations of this backend; safe to run on every start.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator
            .run(&self.pool)
            .await
            .context("database migration failed")?;
        // Search compares folded names (migration 0021); rows from before it get theirs.
        stores::fold_names(&self.pool)
            .await
            .context("folding store names for search failed")?;
        Ok(())
    }

    /// A transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`,
    /// waiting its turn as any write does): every transaction here writes, and one that
    /// read first cannot wait for the lock, so it would fail "database is locked" at its
    /// first write whenever another connection (the outbox marking an email sent) had
    /// written since it read.
    pub async fn begin(&self) -> anyhow::Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Whether the database answers a trivial query within `PING_TIMEOUT`.
    pub async fn ping(&self) -> bool {
        let query = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(PING_TIMEOUT, query).await, Ok(Ok(_)))
    }

    /// Whether the database commits a write within `PING_TIMEOUT`: it is reachable and
    /// neither full nor read-only. One row is rewritten; a verdict younger than
    /// `PROBE_REUSE` is reused, and callers arriving meanwhile wait for the probe under way.
    pub async fn takes_writes(&self) -> bool {
        let mut last = self.probe.lock().await;
        if let Some((at, ok)) = *last
            && at.elapsed() < PROBE_REUSE
        {
            return ok;
        }
        let write = sqlx::query("UPDATE health_probe SET written_at = $1 WHERE id = 1")
            .bind(now())
            .execute(&self.pool);
        let ok = match tokio::time::timeout(PING_TIMEOUT, write).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "health probe: the database refused a write");
                false
            }
            Err(_) => {
                tracing::warn!("health probe: a write took longer than {PING_TIMEOUT:?}");
                false
            }
        };
        *last = Some((Instant::now(), ok));
        ok
    }
}

/// Whether `err`, anywhere in its chain, says the database cannot take this request now
/// but may soon: a full disk, a read-only database, an I/O error, no connection to be had.
/// Such a request is answered 503 with `Retry-After`, never acknowledged.
pub fn is_unavailable(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| cause.downcast_ref::<sqlx::Error>().is_some_and(unavailable))
}

/// [`is_unavailable`] for a database error as it comes.
pub fn unavailable(err: &sqlx::Error) -> bool {
    use sqlx::{error::DatabaseError, postgres::PgDatabaseError, sqlite::SqliteError};
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
                let code = pg.code();
                // 53: insufficient resources (53100 disk full); 08: connection lost;
                // 57P0x: the server shutting down or starting; 58030: I/O error;
                // 25006: a read-only transaction (a replica, or read-only by setting).
                code.starts_with("53")
                    || code.starts_with("08")
                    || code.starts_with("57P0")
                    || code == "58030"
                    || code == "25006"
            } else if let Some(sqlite) = db.try_downcast_ref::<SqliteError>() {
                // The primary result code is the low byte of the extended one: BUSY (5),
                // LOCKED (6), READONLY (8), IOERR (10), FULL (13), CANTOPEN (14).
                let code = sqlite
                    .code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .map(|c| c & 0xff);
                matches!(code, Some(5 | 6 | 8 | 10 | 13 | 14))
            } else {
                false
            }
        }
        _ => false,
    }
}

/// True when an error is a UNIQUE constraint violation (a lost race, a duplicate).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// `count` numbered placeholders from `$first` on, comma-separated: an `IN (…)` list.
/// `columns` (comma-separated) each prefixed with `alias.`, for a query that joins.
pub(crate) fn prefixed(columns: &str, alias: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
