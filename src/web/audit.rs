//! Audit log: recording helpers, the store's log (its admin and support) and the whole
//! log (support).

use axum::{
    extract::State,
    http::request::Parts,
    response::{IntoResponse, Response},
};

use super::{
    AppState,
    access::{StoreReader, Support},
    error::AppError,
    pages,
    routes::Routes,
    session::{SignedIn, client_ip},
};
use crate::{
    domain::access::Relation,
    store::{self, audit::Record},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/audit", store_log).get("/audit", all)
}

/// How many entries a log page shows.
const PAGE: i64 = 200;

/// Records a refused authorization; failure to record is logged, never shown.
pub async fn refused(app: &AppState, user: &SignedIn, store_id: Option<i64>, parts: &Parts) {
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

async fn store_log(
    State(state): State<AppState>,
    reader: StoreReader,
) -> Result<Response, AppError> {
    if !matches!(reader.relation, Relation::Admin | Relation::Support) {
        return Err(AppError::forbidden("audit.admin_or_support"));
    }
    let entries = store::audit::for_store(&state.db.pool, reader.store.id, PAGE).await?;
    Ok(pages::render(pages::audit::store_log(&reader, &entries)).into_response())
}

async fn all(State(state): State<AppState>, Support(user): Support) -> Result<Response, AppError> {
    let entries = store::audit::all(&state.db.pool, PAGE).await?;
    Ok(pages::render(pages::audit::all(&user.ctx(), &entries)).into_response())
}
