//! The signed-in person's stores and a store's overview page.

use axum::{
    Router,
    extract::State,
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    AppState,
    access::StoreAdmin,
    error::AppError,
    pages::{self, layout::Ctx},
    session::SignedIn,
};
use crate::store;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/stores/{eid}", get(overview))
}

async fn home(State(state): State<AppState>, user: SignedIn) -> Result<Response, AppError> {
    let stores = store::stores::administered_by(&state.db.pool, &user.email).await?;
    let mut rows = Vec::with_capacity(stores.len());
    for s in stores {
        let upgrade = store::upgrades::for_store(&state.db.pool, s.id).await?;
        rows.push((s, upgrade));
    }
    let ctx = Ctx {
        user: Some(user.email),
        csrf: Some(user.session.csrf_token),
        ..Ctx::default()
    };
    Ok(pages::render(pages::stores::my_stores(&ctx, &rows)).into_response())
}

async fn overview(State(state): State<AppState>, admin: StoreAdmin) -> Result<Response, AppError> {
    let ctx = admin.ctx();
    Ok(pages::render(pages::stores::overview(
        &ctx,
        &state.catalog,
        &admin.store,
        &admin.upgrade,
    ))
    .into_response())
}
