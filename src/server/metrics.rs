//! `/metrics` in the Prometheus text format, on an address of its own
//! (`SWITCHYARD_METRICS_BIND`), so it is never exposed with the application.
//! Code anywhere records with the `metrics` macros; without a recorder they do nothing.

use std::{
    sync::{Mutex, PoisonError},
    time::Duration,
};

use anyhow::Context;
use axum::{Router, http::header, routing::get};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::{net::TcpListener, time::Instant};

use crate::store::Db;

/// Latency buckets in seconds, from a cached page to a slow platform call.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// How often the database pool is looked at.
const POOL_SAMPLE_EVERY: Duration = Duration::from_secs(1);
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The one recorder of the process. A process may build several applications (the
/// tests do), but a global recorder can be installed only once: they share it.
static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);

/// The process's recorder, installed on first use.
pub fn recorder() -> anyhow::Result<PrometheusHandle> {
    let mut slot = HANDLE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = slot.as_ref() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
        .context("metric buckets")?
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    describe();
    // Histograms keep their samples until upkeep folds them in; a thread of its own
    // outlives any one runtime.
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            }
        })
        .context("cannot start the metrics upkeep thread")?;
    *slot = Some(handle.clone());
    Ok(handle)
}

/// Serves `/metrics` on `listener` until `stop` resolves, sampling `db`'s pool meanwhile.
pub async fn serve(
    listener: TcpListener,
    handle: PrometheusHandle,
    db: Db,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sampler = tokio::spawn(sample_pool(db));
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    handle.render(),
                )
            }
        }),
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await;
    sampler.abort();
    served
}

/// Connections in use and idle, and how long taking one takes: sqlx reports neither as
/// it happens, so a connection is taken and handed back once a second, and what it waited
/// is what a request arriving then would have waited.
async fn sample_pool(db: Db) {
    loop {
        let size = db.pool.size();
        let idle = u32::try_from(db.pool.num_idle()).unwrap_or(u32::MAX);
        metrics::gauge!("switchyard_db_pool_connections", "state" => "in_use")
            .set(f64::from(size.saturating_sub(idle)));
        metrics::gauge!("switchyard_db_pool_connections", "state" => "idle").set(f64::from(idle));
        let started = Instant::now();
        match db.pool.acquire().await {
            Ok(conn) => {
                metrics::histogram!("switchyard_db_pool_acquire_seconds")
                    .record(started.elapsed().as_secs_f64());
                drop(conn);
            }
            Err(e) => {
                metrics::counter!("switchyard_db_pool_acquire_failures_total").increment(1);
                tracing::debug!(error = %e, "metrics: no database connection");
            }
        }
        tokio::time::sleep(POOL_SAMPLE_EVERY).await;
    }
}

/// What each metric means, for whoever reads `/metrics`.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "switchyard_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        "switchyard_http_request_duration_seconds",
        Unit::Seconds,
        "Time to the response head, by method and route template"
    );
    describe_gauge!("switchyard_connections_open", "Client connections open now");
    describe_counter!(
        "switchyard_connections_accepted_total",
        "Client connections accepted"
    );
    describe_counter!(
        "switchyard_connections_refused_total",
        "Connections refused with 503 because the connection cap was reached"
    );
    describe_counter!(
        "switchyard_connections_closed_total",
        "Connections closed by the server for a timeout (header_timeout, idle_timeout)"
    );
    describe_gauge!(
        "switchyard_db_pool_connections",
        "Database pool connections, in_use and idle"
    );
    describe_histogram!(
        "switchyard_db_pool_acquire_seconds",
        Unit::Seconds,
        "Wait for a database connection, sampled once a second"
    );
    describe_gauge!(
        "switchyard_sse_watchers",
        "Live event streams open (pages watching a store)"
    );
    describe_counter!(
        "switchyard_rate_limit_refusals_total",
        "Requests refused by a rate limit, by limit"
    );
}
