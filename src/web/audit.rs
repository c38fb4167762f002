//! Audit log: the store's log (its admin and support) and the whole
//! log (support).

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};

use super::{
    access::{StoreReader, Support},
    error::AppError,
    pages,
    routes::Routes,
};
use crate::app::AppState;
use crate::{domain::access::Relation, i18n::Tr, store};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/audit", store_log).get("/audit", all)
}

/// How many entries a log page shows.
const PAGE: i64 = 200;

async fn store_log(
    State(state): State<AppState>,
    reader: StoreReader,
) -> Result<Response, AppError> {
    if !matches!(reader.relation, Relation::Admin | Relation::Support) {
        return Err(AppError::Forbidden(
            Tr::current().t("audit.admin_or_support"),
        ));
    }
    let entries = store::audit::for_store(&state.db.pool, reader.store.id, PAGE).await?;
    Ok(pages::render(pages::audit::store_log(&reader, &entries)).into_response())
}

async fn all(State(state): State<AppState>, Support(user): Support) -> Result<Response, AppError> {
    let entries = store::audit::all(&state.db.pool, PAGE).await?;
    Ok(pages::render(pages::audit::all(&user.ctx(), &entries)).into_response())
}
