//! The application: its state and its use cases (the upgrade, event intake, reminders
//! and sunset chores, legacy sync, partner and support actions, emails). The HTTP layer
//! and the jobs call it; it calls the store, the platform client and the domain.

pub mod auth;
pub mod brownouts;
pub mod calendar;
pub mod capabilities;
pub mod casework;
pub mod demo;
pub mod emails;
pub mod export;
pub mod extensions;
pub mod import;
pub mod intake;
pub mod legacy;
pub mod partner;
pub mod partner_views;
pub mod paths;
pub mod rehearsals;
pub mod remind_runs;
pub mod reminders;
pub mod sandbox_order;
pub mod store_import;
pub mod sunsets;
pub mod support;
pub mod tasks;
pub mod terms;
pub mod traffic;

use std::sync::Arc;

use crate::{
    config::Config,
    domain::Catalog,
    live::Hub,
    mail::Mailer,
    platform,
    store::{self, Db},
};

/// Everything a handler may need; cheap to clone: a pointer to one [`App`] shared by
/// every request (extractors take their own copy, several times per request).
#[derive(Clone)]
pub struct AppState(Arc<App>);

impl AppState {
    pub fn new(app: App) -> Self {
        Self(Arc::new(app))
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// What an [`AppState`] points to.
pub struct App {
    pub db: Db,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub mailer: Mailer,
    pub hub: Hub,
    /// Wakes the outbox worker after a commit that queued work.
    pub outbox: store::outbox::Wake,
    /// Work beside the requests that a shutdown waits for (a sign-in link promised in an
    /// answer, the background loops).
    pub tasks: tasks::Tasks,
    /// This instance's own address (for the sandbox, which calls the app over HTTP).
    pub self_url: String,
    /// The platform's order-management API.
    pub platform: platform::client::PlatformClient,
    /// The partner dashboard's charts, per cohort, for a minute.
    pub charts: partner::ChartCache,
    /// The current terms PDF's fingerprint per store, for the terms page.
    pub terms_fingerprints: terms::Fingerprints,
}

impl App {
    /// Where event intake reports to: this state's watchers and outbox worker.
    pub fn sinks(&self) -> intake::Sinks<'_> {
        intake::Sinks {
            hub: &self.hub,
            outbox: &self.outbox,
            base_url: &self.config.base_url,
            catalog: &self.catalog,
        }
    }
}
