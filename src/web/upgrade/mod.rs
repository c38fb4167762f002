//! The upgrade wizard: one route per step. Every reader of the store may look; only its
//! administrator may POST. Handlers lock the upgrade, ask it (`domain::Upgrade` owns every
//! rule), write what changed, and redirect (POST → redirect → GET); pages live in
//! `pages::steps`.

mod account;
mod credentials;
mod handoff;
mod integration;
mod live;
mod purchase;
mod terms;
mod test_order;
mod trouble;

use axum::response::{IntoResponse, Redirect, Response};

use super::{access::StoreReader, routes::Routes};
use crate::{
    domain::{Step, Upgrade},
    store::{self, Tx, audit::Record},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/upgrade", resume)
        .get("/stores/{eid}/upgrade/terms", terms::show)
        .post("/stores/{eid}/upgrade/terms", terms::accept)
        .get("/stores/{eid}/upgrade/terms.pdf", terms::download)
        .get("/stores/{eid}/upgrade/terms/accepted.pdf", terms::accepted)
        .get("/stores/{eid}/upgrade/account", account::show)
        .post("/stores/{eid}/upgrade/account", account::save)
        .get("/stores/{eid}/upgrade/credentials", credentials::show)
        .post(
            "/stores/{eid}/users/{member}/handoff",
            handoff::send_handoff,
        )
        .get("/stores/{eid}/handoff/{token}", handoff::show_handoff)
        .post("/stores/{eid}/handoff/{token}", handoff::take_handoff)
        .post("/stores/{eid}/upgrade/credentials", credentials::generate)
        .post(
            "/stores/{eid}/upgrade/credentials/rotate",
            credentials::rotate,
        )
        .post(
            "/stores/{eid}/upgrade/credentials/{credential}/revoke",
            credentials::revoke,
        )
        .get("/stores/{eid}/upgrade/integration", integration::show)
        .post("/stores/{eid}/upgrade/integration", integration::confirm)
        .post(
            "/stores/{eid}/upgrade/integration/setup-check",
            integration::setup_check,
        )
        .post(
            "/stores/{eid}/upgrade/integration/health-check",
            integration::health_check,
        )
        .get("/stores/{eid}/upgrade/test-purchase", purchase::show)
        .post(
            "/stores/{eid}/upgrade/test-purchase/sandbox-order",
            purchase::place_for_me,
        )
        .get("/stores/{eid}/upgrade/live", live::stream)
        .get("/stores/{eid}/upgrade/trouble", trouble::show)
        .post_upload(
            "/stores/{eid}/upgrade/trouble",
            trouble::send,
            trouble::BODY_LIMIT,
        )
        .get("/stores/{eid}/upgrade/complete", purchase::complete)
        .post(
            "/stores/{eid}/upgrade/complete/cancel-order",
            test_order::cancel,
        )
        .post(
            "/stores/{eid}/upgrade/complete/refund-order",
            test_order::refund,
        )
}

pub fn step_url(eid: &str, step: Step) -> String {
    crate::app::paths::store(eid).step(step)
}

/// Opening the upgrade resumes exactly where the admin left off.
async fn resume(reader: StoreReader) -> Response {
    Redirect::to(&step_url(reader.eid(), reader.step())).into_response()
}

/// The upgrade, once it has reached `step` (a step after the terms). A step not yet
/// reached cannot be viewed, and while updated terms wait for acceptance only the terms
/// can: otherwise the answer sends the person to where the upgrade is.
fn reached(reader: &StoreReader, step: Step) -> Result<&Upgrade, Redirect> {
    let to = |step| Redirect::to(&step_url(reader.eid(), step));
    if reader.terms_outdated {
        return Err(to(Step::Terms));
    }
    match &reader.upgrade {
        Some(upgrade) if upgrade.step >= step => Ok(upgrade),
        _ => Err(to(reader.step())),
    }
}

/// Whether a checkbox was ticked: browsers send the field only when it is.
fn ticked(field: &Option<String>) -> bool {
    field.as_deref().is_some_and(|v| !v.is_empty())
}

/// Audits a store admin's action in the transaction that makes it.
async fn audit_in(
    tx: &mut Tx,
    admin: &StoreReader,
    action: &str,
    args: &[(&str, &str)],
    ip: &str,
) -> sqlx::Result<()> {
    let record = Record {
        actor: admin.user.email(),
        action,
        store_id: Some(admin.store.id),
        args,
        ip,
    };
    store::audit::record(&mut **tx, &record).await
}
