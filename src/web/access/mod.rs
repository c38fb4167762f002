//! Who may touch a store, decided on the server for every request. A handler's
//! signature says it: `StoreReader` (admin, store user, their partner manager, support)
//! or `StoreAdmin` (the registered administrator only). Refusals are audited.

mod load;
mod roles;

pub use load::NotReadable;
pub use roles::{Operator, PartnerManager, StoreMember, StoreSupport, Support};

use std::collections::HashMap;

use axum::{
    extract::{FromRef, FromRequestParts, Path},
    http::request::Parts,
};

use super::{
    error::AppError,
    pages::layout::{BannerInfo, Ctx},
    session::{SessionCookie, SignedIn, client_ip},
};
use crate::app::AppState;
use crate::{
    domain::{
        Step, Upgrade,
        access::Relation,
        sunset::{self, Phase},
    },
    i18n::Msg,
    store::{self, audit::Record, stores::Store},
};

/// A signed-in person allowed to read this store.
pub struct StoreReader {
    pub user: SignedIn,
    pub store: Store,
    /// The store's upgrade; `None` while nobody has started it.
    pub upgrade: Option<Upgrade>,
    /// The path a store's upgrade starts on, while nobody has started it.
    start_path: String,
    pub relation: Relation,
    /// The terms changed after they were accepted and must be accepted again before the
    /// upgrade can go on.
    pub terms_outdated: bool,
    /// The legacy store's sunset day and where its countdown stands today.
    pub sunset: Option<(time::Date, Phase)>,
    /// The day the sunset was before it moved, in the month after it moved.
    pub sunset_moved_from: Option<time::Date>,
    /// An announced brownout of the store's product within 14 days (start, end), when it
    /// bothers this store.
    pub brownout: Option<(i64, i64)>,
}

/// The store's registered administrator, the only one who changes its state.
pub struct StoreAdmin(pub StoreReader);

/// Who does the integration's work: the admin, or the technical delegate they invited
/// (the checklist, the setup and shop checks, the test purchase, support requests).
pub struct StoreWorker(pub StoreReader);

impl std::ops::Deref for StoreWorker {
    type Target = StoreReader;
    fn deref(&self) -> &StoreReader {
        &self.0
    }
}

impl std::ops::Deref for StoreAdmin {
    type Target = StoreReader;
    fn deref(&self) -> &StoreReader {
        &self.0
    }
}

impl StoreReader {
    /// The id of the store's upgrade, starting it on first use. Only the upgrade's own
    /// actions (the admin's or the delegate's) start it; inviting a user does not.
    pub async fn start_upgrade(&self, app: &AppState) -> Result<i64, AppError> {
        match &self.upgrade {
            Some(u) => Ok(u.id),
            None => Ok(
                store::upgrades::get_or_start(&app.db, self.store.id, &self.start_path)
                    .await?
                    .id,
            ),
        }
    }
}

impl StoreReader {
    pub fn ctx(&self) -> Ctx {
        self.user.ctx()
    }

    pub fn banner(&self) -> BannerInfo {
        BannerInfo {
            legacy_store_id: self.store.legacy_store_id.clone(),
            step: self.step(),
            sunset: self.sunset,
            sunset_moved_from: self.sunset_moved_from,
            brownout: self.brownout,
        }
    }

    /// Whether the legacy store's settlement reports are still open to this reader.
    pub fn reports_readable(&self) -> bool {
        sunset::reports_readable(self.sunset.map(|(_, p)| p), self.relation)
    }

    /// Where the store's upgrade stands (a store nobody started stands at the first step).
    pub fn step(&self) -> Step {
        Upgrade::step_of(self.upgrade.as_ref())
    }

    /// The upgrade's path, or the one it starts on.
    pub fn path_id(&self) -> &str {
        self.upgrade
            .as_ref()
            .map_or(&self.start_path, |u| &u.path_id)
    }

    pub fn eid(&self) -> &str {
        &self.store.legacy_store_id
    }

    pub fn can_act(&self) -> bool {
        self.relation.can_act()
    }

    /// "a•••@example.com", for telling others who can act.
    pub fn masked_admin(&self) -> String {
        mask_email(&self.store.admin_email)
    }
}

impl<S> FromRequestParts<S> for StoreReader
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let app = AppState::from_ref(state);
        // What every store page asks first is read on one connection: the pool checks
        // each connection it gets back, a round trip per release. It is given back before
        // anything else asks the pool for one, so requests never wait on each other.
        let cookie = SessionCookie::of(parts, &app).ok_or(AppError::SignInRequired)?;
        let mut conn = app.db.pool.acquire().await?;
        let user = SignedIn::load(&mut conn, &cookie).await?;
        let eid = store_path_param(parts, state).await?;
        match StoreReader::load(&mut conn, &app, user, &eid).await? {
            Ok(reader) => Ok(reader),
            Err(NotReadable { user, store_id }) => {
                drop(conn);
                if let Some(store_id) = store_id {
                    refused(&app, &user, Some(store_id), parts).await;
                }
                // Answered exactly like a store that does not exist, so nobody can list
                // other people's stores (or their names) by trying numbers.
                Err(AppError::NotFound)
            }
        }
    }
}

impl<S> FromRequestParts<S> for StoreAdmin
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let reader = StoreReader::from_request_parts(parts, state).await?;
        if !reader.can_act() {
            let app = AppState::from_ref(state);
            refused(&app, &reader.user, Some(reader.store.id), parts).await;
            return Err(AppError::Forbidden(
                Msg::new("access.admin_only")
                    .arg("store", reader.store.name.as_str())
                    .arg("admin", reader.masked_admin()),
            ));
        }
        Ok(StoreAdmin(reader))
    }
}

impl<S> FromRequestParts<S> for StoreWorker
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let reader = StoreReader::from_request_parts(parts, state).await?;
        if !reader.relation.can_work() {
            let app = AppState::from_ref(state);
            refused(&app, &reader.user, Some(reader.store.id), parts).await;
            return Err(AppError::Forbidden(
                Msg::new("access.admin_or_delegate")
                    .arg("store", reader.store.name.as_str())
                    .arg("admin", reader.masked_admin()),
            ));
        }
        Ok(StoreWorker(reader))
    }
}

/// The `{eid}` the path names.
async fn store_path_param<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<String, AppError> {
    let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    params.remove("eid").ok_or(AppError::NotFound)
}

/// "a•••@example.com": enough to recognise, not enough to harvest.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

/// Records a refused authorization; failure to record is logged, never shown.
async fn refused(app: &AppState, user: &SignedIn, store_id: Option<i64>, parts: &Parts) {
    let record = Record {
        actor: user.email(),
        action: "authorization.refused",
        store_id,
        args: &[
            ("method", parts.method.as_str()),
            ("path", parts.uri.path()),
        ],
        ip: &client_ip(parts, &app.config.trusted_proxies),
    };
    if let Err(e) = store::audit::record(&app.db.pool, &record).await {
        tracing::error!(error = %e, "could not write the audit log");
    }
}
