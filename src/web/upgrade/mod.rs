//! The upgrade wizard: one route per step. Handlers load, ask the state machine, write,
//! and redirect (POST → redirect → GET); pages live in `pages::steps`.

mod account;
mod credentials;
mod integration;
mod purchase;
mod terms;

pub use integration::CHECKLIST;

use axum::{
    Router,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};

use super::{AppState, access::StoreAdmin};
use crate::domain::Step;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stores/{eid}/upgrade", get(resume))
        .route(
            "/stores/{eid}/upgrade/terms",
            get(terms::show).post(terms::accept),
        )
        .route(
            "/stores/{eid}/upgrade/account",
            get(account::show).post(account::save),
        )
        .route(
            "/stores/{eid}/upgrade/credentials",
            get(credentials::show).post(credentials::generate),
        )
        .route(
            "/stores/{eid}/upgrade/integration",
            get(integration::show).post(integration::confirm),
        )
        .route("/stores/{eid}/upgrade/test-purchase", get(purchase::show))
        .route("/stores/{eid}/upgrade/complete", get(purchase::complete))
}

pub fn step_url(eid: &str, step: Step) -> String {
    format!("/stores/{eid}/upgrade/{}", step.as_str())
}

/// Opening the upgrade resumes exactly where the admin left off.
async fn resume(admin: StoreAdmin) -> Response {
    Redirect::to(&step_url(admin.eid(), admin.upgrade.step())).into_response()
}

/// A step not yet reached cannot be viewed: send the admin to where they are.
fn guard_reached(admin: &StoreAdmin, step: Step) -> Option<Response> {
    (step > admin.upgrade.step())
        .then(|| Redirect::to(&step_url(admin.eid(), admin.upgrade.step())).into_response())
}

/// Whether a checkbox was ticked: browsers send the field only when it is.
fn ticked(field: &Option<String>) -> bool {
    field.as_deref().is_some_and(|v| !v.is_empty())
}
