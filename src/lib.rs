//! Switchyard: the self-service upgrade portal. `build` turns a config into a running
//! application on a listener, so `main` and the tests start exactly the same thing.

/// mimalloc serves the many small, short-lived allocations of rendering a page at
/// about 0.7 of glibc's cost (`benches/wizard.rs`). Set in the library, so the server,
/// its tests and the benchmarks that run it in-process all use the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod app;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod platform;
pub mod server;
pub mod shop;
pub mod store;
pub mod web;

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::{app::AppState, config::Config, domain::Catalog, mail::Mailer, store::Db};

/// A built application, bound to its listener but not yet serving.
pub struct Application {
    listener: TcpListener,
    /// Where `/metrics` is served, when it is.
    metrics: Option<(TcpListener, metrics_exporter_prometheus::PrometheusHandle)>,
    state: AppState,
    /// The outbox worker, stopped at shutdown after the server.
    jobs: jobs::Jobs,
}

impl Application {
    /// Connects and migrates the database, loads the catalog and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // One TLS crypto provider for every client (SMTP, HTTP); the error only means
        // one was installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let catalog = load_catalog(&config)?;
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        if config.seed_demo {
            app::demo::seed_if_empty(&db).await?;
        }
        app::sunsets::seed(&db, &catalog, store::now()).await?;
        let mailer = Mailer::from_config(&config.mail, &config.mail_from)?;
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        // The recorder is installed before anything runs, so no early reading (the
        // outbox's first depth) is lost.
        let metrics = match config.server.metrics_bind {
            Some(bind) => Some((
                TcpListener::bind(bind)
                    .await
                    .with_context(|| format!("cannot serve metrics on {bind}"))?,
                server::metrics::recorder()?,
            )),
            None => None,
        };
        let mut config = config;
        let addr = listener.local_addr()?;
        if config.bind.port() == 0 && config.base_url.ends_with(":0") {
            // Port 0 picks a free port: links must use the real one.
            config.base_url = format!("http://{addr}");
        }
        let hub = live::Hub::new(db.backend);
        hub.listen(&config.database_url);
        let jobs = jobs::Jobs::default();
        jobs.spawn(jobs::Worker::new(db.clone(), mailer.clone(), &config)?);
        let self_url = match addr.ip() {
            ip if ip.is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
            _ => format!("http://{addr}"),
        };
        let platform_client = platform::client::PlatformClient::from_config(
            &config.platform,
            config.sandbox,
            &self_url,
        );
        let poll_interval = config.platform.poll_interval;
        let charts = app::partner::ChartCache::new(config.charts);
        let state = AppState::new(app::App {
            db,
            config: Arc::new(config),
            catalog: Arc::new(catalog),
            mailer,
            hub,
            outbox: jobs.waker(),
            tasks: Default::default(),
            self_url,
            platform: platform_client,
            charts,
            terms_fingerprints: Default::default(),
        });
        if let Some(interval) = poll_interval {
            if state.platform.is_configured() {
                jobs::poll::spawn(state.clone(), interval);
            } else {
                tracing::warn!(
                    "SWITCHYARD_PLATFORM_POLL_SECONDS is set but no platform URL is: not polling"
                );
            }
        }
        if let Some(interval) = state.config.maintenance_interval {
            let instance = format!(
                "{} pid {} on {}",
                hostname(),
                std::process::id(),
                listener.local_addr()?
            );
            jobs::maintenance::spawn(state.clone(), interval, instance);
            jobs::maintenance::spawn_traffic_fold(
                state.clone(),
                interval.min(jobs::maintenance::FOLD_TRAFFIC_EVERY),
            );
        }
        Ok(Self {
            listener,
            metrics,
            state,
            jobs,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The address `/metrics` is served on, if it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The outbox worker's handle.
    pub fn jobs(&self) -> &jobs::Jobs {
        &self.jobs
    }

    /// Serves until the process gets SIGTERM or Ctrl-C.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, then shuts down in order: no new connections, live
    /// streams told to reconnect later, requests in flight finished (within the grace
    /// period), background work stopped, the database closed.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let Self {
            listener,
            metrics,
            state,
            jobs,
        } = self;
        let settings = state.config.server.clone();
        let (stopped, stopped_rx) = tokio::sync::watch::channel(false);
        let metrics = match metrics {
            Some((listener, handle)) => {
                let mut stopped = stopped_rx.clone();
                let stop = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                Some(tokio::spawn(server::metrics::serve(
                    listener,
                    handle,
                    state.db.clone(),
                    stop,
                )))
            }
            None => None,
        };
        let server = server::Server::new(&settings);
        server
            .accept_until(listener, web::router(state.clone()), stop)
            .await;
        // One deadline for all of it, so the whole shutdown fits in the grace period
        // (a supervisor's SIGKILL follows it).
        let until = tokio::time::Instant::now() + settings.shutdown_grace;
        state.tasks.stop();
        state.hub.close();
        server.drain(until).await;
        // What answered requests promised (a sign-in link queued) is done before the
        // database closes; the background loops have stopped.
        let unfinished = state.tasks.shutdown(until).await;
        if unfinished > 0 {
            tracing::warn!(
                unfinished,
                "work promised by answered requests was cut off at the end of the grace period"
            );
        }
        // The outbox stops after the server and before the database closes: it finishes
        // the deliveries it started or hands its claimed rows back, so another instance
        // need not wait out the lease.
        let outbox = jobs
            .shutdown(until.saturating_duration_since(tokio::time::Instant::now()))
            .await;
        tracing::info!(released = outbox.released, "outbox stopped");
        let _ = stopped.send(true);
        if let Some(metrics) = metrics {
            metrics
                .await
                .context("the metrics server failed")?
                .context("the metrics server stopped with an error")?;
        }
        state.db.pool.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

pub fn load_catalog(config: &Config) -> anyhow::Result<Catalog> {
    let mut catalog = read_catalog(config)?;
    for (code, date) in &config.sunsets {
        catalog.set_sunset(code, *date)?;
    }
    Ok(catalog)
}

fn read_catalog(config: &Config) -> anyhow::Result<Catalog> {
    match &config.catalog_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read catalog {}", path.display()))?;
            Catalog::parse(&text)
                .with_context(|| format!("catalog {} is not usable", path.display()))
        }
        None => {
            let mut catalog = Catalog::parse(domain::catalog::DEFAULT_CATALOG)?;
            for (code, text) in domain::catalog::DEFAULT_TRANSLATIONS {
                catalog
                    .add_translation(code, text)
                    .with_context(|| format!("the shipped catalog's {code} translation"))?;
            }
            Ok(catalog)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// This machine's name, as the kernel has it, for naming this instance to the others.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "localhost".to_owned())
}
