//! Who may touch a store. `StoreAdmin` in a handler's signature means: signed in, the
//! store exists, and the caller is its registered administrator. Checked on the server.

use std::collections::HashMap;

use axum::{
    extract::{FromRef, FromRequestParts, Path},
    http::request::Parts,
};

use super::{
    AppState,
    error::AppError,
    pages::layout::{BannerInfo, Ctx},
    session::SignedIn,
};
use crate::{
    domain::LegacyStoreId,
    i18n::Tr,
    store::{self, stores::Store, upgrades::UpgradeRow},
};

pub struct StoreAdmin {
    pub user: SignedIn,
    pub store: Store,
    pub upgrade: UpgradeRow,
}

impl StoreAdmin {
    pub fn ctx(&self) -> Ctx {
        Ctx {
            tr: Tr::default(),
            user: Some(self.user.email.clone()),
            csrf: Some(self.user.session.csrf_token.clone()),
        }
    }

    pub fn banner(&self) -> BannerInfo {
        BannerInfo {
            legacy_store_id: self.store.legacy_store_id.clone(),
            step: self.upgrade.step(),
        }
    }

    pub fn eid(&self) -> &str {
        &self.store.legacy_store_id
    }
}

impl<S> FromRequestParts<S> for StoreAdmin
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        let app = AppState::from_ref(state);
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let eid = params.get("eid").ok_or(AppError::NotFound)?;
        let eid = LegacyStoreId::parse(eid).map_err(|_| AppError::NotFound)?;
        let store = store::stores::find_by_legacy_id(&app.db.pool, eid.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        if store.admin_email != user.email {
            let tr = Tr::default();
            return Err(AppError::Forbidden(tr.f(
                "access.admin_only",
                &[
                    ("store", &store.name),
                    ("admin", &mask_email(&store.admin_email)),
                ],
            )));
        }
        let default_path = app
            .catalog
            .paths_from(&store.product)
            .next()
            .ok_or_else(|| {
                anyhow::anyhow!("the catalog has no path for product {}", store.product)
            })?
            .id
            .clone();
        let upgrade = store::upgrades::get_or_start(&app.db, store.id, &default_path).await?;
        Ok(StoreAdmin {
            user,
            store,
            upgrade,
        })
    }
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
