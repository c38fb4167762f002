//! Live updates: "something happened to store N" reaches every page watching that store,
//! on this instance and, with PostgreSQL, on every other (LISTEN/NOTIFY). A notification
//! is sent inside the transaction that makes the change, so watchers never see it early.
//! On PostgreSQL a recorded platform event announces itself: a trigger on `order_events`
//! (migration 0013) notifies this channel, so recording one needs no transaction of its own.

use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::store::{Backend, Tx};

/// Also named by the `order_events` trigger of `migrations/postgres/0013_event_notify.sql`.
const CHANNEL: &str = "switchyard_store";

#[derive(Clone)]
pub struct Hub {
    local: broadcast::Sender<i64>,
    backend: Backend,
    /// Set when the server shuts down: watchers end their streams.
    closing: Arc<watch::Sender<bool>>,
}

impl Hub {
    pub fn new(backend: Backend) -> Self {
        Self {
            local: broadcast::channel(1024).0,
            backend,
            closing: Arc::new(watch::channel(false).0),
        }
    }

    /// The server is shutting down: every watcher ends its stream (and tells the browser
    /// when to come back).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Hub::close`] has been called.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Store ids as their changes commit.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.local.subscribe()
    }

    /// Announces a change of `store_id` in `tx`. PostgreSQL delivers it to every
    /// instance on commit; for SQLite call [`Hub::committed`] after the commit.
    pub async fn notify_in(&self, tx: &mut Tx, store_id: i64) -> sqlx::Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, CAST($2 AS TEXT))")
                .bind(CHANNEL)
                .bind(store_id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// After the commit: with SQLite this process is the only one, so tell it directly.
    pub fn committed(&self, store_id: i64) {
        if self.backend == Backend::Sqlite {
            let _ = self.local.send(store_id);
        }
    }

    /// With PostgreSQL: forwards every instance's notifications to this one's watchers,
    /// reconnecting if the connection drops.
    pub fn listen(&self, url: &SecretString) {
        if self.backend != Backend::Postgres {
            return;
        }
        let url = url.expose_secret().to_owned();
        let local = self.local.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = forward(&url, &local).await {
                    tracing::warn!(error = %e, "live updates: LISTEN connection lost; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }
}

async fn forward(url: &str, local: &broadcast::Sender<i64>) -> sqlx::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let n = listener.recv().await?;
        if let Ok(store_id) = n.payload().parse() {
            let _ = local.send(store_id);
        }
    }
}
