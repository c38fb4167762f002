//! Reading a store as a person may: whether they may, in what relation, and everything a
//! store's pages need to know about it and its upgrade, on one connection.

use sqlx::AnyConnection;

use super::StoreReader;
use crate::{
    app::AppState,
    domain::{
        LegacyStoreId, Upgrade,
        access::{StoreFacts, relation},
    },
    store::{self, stores::Store},
    web::{error::AppError, session::SignedIn},
};

/// Why a store cannot be read: it does not exist (no id), or it is not this person's.
pub struct NotReadable {
    pub user: SignedIn,
    pub store_id: Option<i64>,
}

impl StoreReader {
    /// Store `eid` as `user` may read it, read on `conn`; refusals are not audited here.
    pub async fn load(
        conn: &mut AnyConnection,
        app: &AppState,
        user: SignedIn,
        eid: &str,
    ) -> Result<Result<Self, NotReadable>, AppError> {
        let Ok(eid) = LegacyStoreId::parse(eid) else {
            return Ok(Err(NotReadable {
                user,
                store_id: None,
            }));
        };
        let Some((store, membership)) =
            store::stores::find_with_membership(&mut *conn, eid.as_str(), &user.principal.email)
                .await?
        else {
            return Ok(Err(NotReadable {
                user,
                store_id: None,
            }));
        };
        let facts = StoreFacts {
            admin_email: &store.admin_email,
            partner_id: store.partner_id,
            membership,
        };
        let Some(relation) = relation(&user.principal, facts) else {
            return Ok(Err(NotReadable {
                user,
                store_id: Some(store.id),
            }));
        };
        let upgrade = store::upgrades::for_store(&mut *conn, store.id).await?;
        let start_path = match upgrade {
            Some(_) => String::new(),
            None => default_path(app, &store)?,
        };
        let terms_outdated = match &upgrade {
            Some(u) => terms_outdated(conn, app, u).await?,
            None => false,
        };
        let sunset = crate::app::legacy::sunset_of(app, &store);
        let now = store::now();
        let sunset_moved_from = crate::app::sunsets::moved_from(&app.catalog, &store, now);
        let brownout = crate::app::brownouts::coming_for(&mut *conn, &store, now).await?;
        Ok(Ok(StoreReader {
            sunset,
            sunset_moved_from,
            brownout,
            user,
            store,
            upgrade,
            start_path,
            relation,
            terms_outdated,
        }))
    }
}

/// Whether the accepted terms differ from what the catalog says today, while it matters.
/// Decided on the document itself (path, version, text), not on the rendered PDF, so a
/// renamed store or a reworded label does not ask anyone to accept again.
async fn terms_outdated(
    conn: &mut AnyConnection,
    app: &AppState,
    upgrade: &Upgrade,
) -> Result<bool, AppError> {
    if !upgrade.terms_can_be_outdated() {
        return Ok(false);
    }
    let Some(path) = app.catalog.path(&upgrade.path_id) else {
        return Ok(false);
    };
    let accepted = store::terms::latest_acceptance(conn, upgrade.id).await?;
    Ok(accepted.is_some_and(|a| {
        a.path_id != path.id
            || a.document_version != path.terms.version
            || !app.catalog.is_current_terms(path, &a.document_body)
    }))
}

fn default_path(app: &AppState, store: &Store) -> Result<String, AppError> {
    Ok(app
        .catalog
        .paths_from(&store.product)
        .next()
        .ok_or_else(|| anyhow::anyhow!("the catalog has no path for product {}", store.product))?
        .id
        .clone())
}
