//! Live updates: "something happened to store N" reaches every page watching that store,
//! on this instance and, with PostgreSQL, on every other (LISTEN/NOTIFY). A notification
//! is sent inside the transaction that makes the change, so watchers never see it early.
//! On PostgreSQL a recorded platform event announces itself: a trigger on `order_events`
//! (migration 0013) notifies this channel, so recording one needs no transaction of its own.

use secrecy::{ExposeSecret, SecretString};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::sync::watch;

use crate::store::{Backend, Tx};

/// Also named by the `order_events` trigger of `migrations/postgres/0013_event_notify.sql`.
const CHANNEL: &str = "switchyard_store";

/// Each watched store's channel, by store id; its value counts the store's changes. A
/// change wakes that store's watchers alone, however many pages watch other stores.
type Watched = Arc<Mutex<HashMap<i64, watch::Sender<u64>>>>;

#[derive(Clone)]
pub struct Hub {
    watched: Watched,
    backend: Backend,
    /// Set when the server shuts down: watchers end their streams.
    closing: Arc<watch::Sender<bool>>,
}

/// One page's watch of one store: [`Watch::changed`] resolves on the store's next change.
/// Dropping the last watch of a store forgets the store's channel.
pub struct Watch {
    store_id: i64,
    changes: Option<watch::Receiver<u64>>,
    watched: Watched,
}

impl Watch {
    /// The store's next change after this watch began (or after the last one this
    /// returned for); `None` once the hub is gone.
    pub async fn changed(&mut self) -> Option<()> {
        self.changes.as_mut()?.changed().await.ok()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        drop(self.changes.take());
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        if watched
            .get(&self.store_id)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            watched.remove(&self.store_id);
        }
    }
}

impl Hub {
    pub fn new(backend: Backend) -> Self {
        Self {
            watched: Arc::default(),
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

    /// Watches `store_id` from now on: changes that commit after this call.
    pub fn watch(&self, store_id: i64) -> Watch {
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        let changes = watched
            .entry(store_id)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Watch {
            store_id,
            changes: Some(changes),
            watched: self.watched.clone(),
        }
    }

    /// How many stores are watched on this instance.
    pub fn watched_stores(&self) -> usize {
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
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
            tell(&self.watched, store_id);
        }
    }

    /// With PostgreSQL: forwards every instance's notifications to this one's watchers,
    /// reconnecting if the connection drops.
    pub fn listen(&self, url: &SecretString) {
        if self.backend != Backend::Postgres {
            return;
        }
        let url = url.expose_secret().to_owned();
        let watched = self.watched.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = forward(&url, &watched).await {
                    tracing::warn!(error = %e, "live updates: LISTEN connection lost; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }
}

/// Wakes the watchers of `store_id`, if it has any here.
fn tell(watched: &Watched, store_id: i64) {
    let watched = watched.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(tx) = watched.get(&store_id) {
        tx.send_modify(|changes| *changes += 1);
    }
}

/// Wakes the watchers of every store watched here: what changed while no notification
/// could arrive is unknown, so each page looks for itself.
fn tell_all(watched: &Watched) {
    let watched = watched.lock().unwrap_or_else(PoisonError::into_inner);
    for tx in watched.values() {
        tx.send_modify(|changes| *changes += 1);
    }
}

/// Forwards notifications until the connection is lost.
async fn forward(url: &str, watched: &Watched) -> sqlx::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Listening (again): a change announced while nothing listened was missed.
    tell_all(watched);
    // `try_recv` rather than `recv`, which would reconnect unseen and lose what was
    // announced in between.
    while let Some(n) = listener.try_recv().await? {
        if let Ok(store_id) = n.payload().parse() {
            tell(watched, store_id);
        }
    }
    Err(sqlx::Error::Io(
        std::io::ErrorKind::ConnectionAborted.into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_change_wakes_the_watchers_of_its_store_alone_and_a_store_nobody_watches_is_forgotten()
     {
        let hub = Hub::new(Backend::Sqlite);
        let mut first = hub.watch(1);
        let mut again = hub.watch(1);
        let mut other = hub.watch(2);
        hub.committed(1);
        assert_eq!(first.changed().await, Some(()));
        assert_eq!(again.changed().await, Some(()));
        let woken = |w: &Watch| w.changes.as_ref().unwrap().has_changed().unwrap();
        assert!(!woken(&other), "another store's change wakes no one here");
        hub.committed(2);
        assert_eq!(other.changed().await, Some(()));
        // Changes before a watch began are not its news.
        let late = hub.watch(1);
        assert!(!woken(&late));
        assert_eq!(hub.watched_stores(), 2);
        drop((first, again, late));
        assert_eq!(
            hub.watched_stores(),
            1,
            "store 1 is forgotten with its last watch"
        );
        drop(other);
        assert_eq!(hub.watched_stores(), 0);
        // Nobody watches: nothing to tell, nothing kept.
        hub.committed(3);
        assert_eq!(hub.watched_stores(), 0);
    }
}
