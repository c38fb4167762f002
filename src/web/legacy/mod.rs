//! The legacy store until the sunset: its settlement reports (read, download, export,
//! imported by support), its old orders (processed through the platform), the countdown,
//! and one archive of everything. Every reader of the store may look; only the admin
//! changes orders, only support uploads reports.

mod orders;
mod reports;

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{access::StoreReader, error::AppError, pages, routes::Routes};
use crate::app::AppState;
use crate::{i18n::Msg, store};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/legacy", show)
        .get("/stores/{eid}/legacy/reports/{report}", reports::show)
        .get("/stores/{eid}/legacy/reports/{report}/csv", reports::csv)
        .get("/stores/{eid}/legacy/reports/{report}/json", reports::json)
        .get("/stores/{eid}/legacy/reports/{report}/pdf", reports::pdf)
        .get("/stores/{eid}/legacy/transactions", reports::range)
        .get("/stores/{eid}/legacy/archive", reports::archive)
        .post_upload(
            "/stores/{eid}/legacy/reports",
            reports::upload,
            reports::UPLOAD_LIMIT,
        )
        .post(
            "/stores/{eid}/legacy/orders/{order}/capture",
            orders::capture,
        )
        .post("/stores/{eid}/legacy/orders/{order}/cancel", orders::cancel)
        .post("/stores/{eid}/legacy/orders/{order}/refund", orders::refund)
        .post("/stores/{eid}/legacy/orders/{order}/extend", orders::extend)
        .post(
            "/stores/{eid}/legacy/orders/{order}/restore",
            orders::restore,
        )
}

async fn show(State(state): State<AppState>, reader: StoreReader) -> Result<Response, AppError> {
    page(&state, &reader, None, StatusCode::OK).await
}

/// Why an action on the legacy page was refused, and what the person had typed.
pub struct Problem {
    pub message: Msg,
    pub typed: Option<pages::legacy::Typed>,
}

impl From<Msg> for Problem {
    fn from(message: Msg) -> Self {
        Problem {
            message,
            typed: None,
        }
    }
}

/// The legacy page, with `problem` when an action just failed. The orders are asked of
/// the platform; when it cannot answer, the last known state is shown and says so.
async fn page(
    state: &AppState,
    reader: &StoreReader,
    problem: Option<Problem>,
    status: StatusCode,
) -> Result<Response, AppError> {
    // Closed to this reader after the sunset: nothing to ask the platform, nothing to list.
    let (orders, reports, stale) = if reader.reports_readable() {
        let stale = crate::app::legacy::sync_orders(state, &reader.store)
            .await
            .err();
        (
            store::legacy_orders::for_store(&state.db.pool, reader.store.id).await?,
            store::settlements::for_store(&state.db.pool, reader.store.id).await?,
            stale.is_some(),
        )
    } else {
        (Vec::new(), Vec::new(), false)
    };
    let tr = reader.ctx().tr;
    let (problem, typed) = match problem {
        Some(p) => (Some(p.message.render(&tr)), p.typed),
        None => (None, None),
    };
    let now = store::now();
    let traffic = store::traffic::of_store(&state.db.pool, reader.store.id, now).await?;
    let meter = crate::app::traffic::meter_of(
        &state.db,
        reader.store.id,
        reader.upgrade.as_ref(),
        reader.sunset.map(|(d, _)| d),
        now,
    )
    .await?;
    // Read again: the orders just synced may have opened or closed authorizations.
    let readiness = store::stores::find_by_id(&state.db.pool, reader.store.id)
        .await?
        .unwrap_or_else(|| reader.store.clone())
        .readiness(now);
    let view = pages::legacy::View {
        sunset: reader.sunset,
        traffic: &traffic,
        meter: meter.as_ref(),
        readiness: &readiness,
        orders: &orders,
        orders_stale: stale,
        reports: &reports,
        problem,
        typed,
    };
    Ok((status, pages::render(pages::legacy::page(reader, &view))).into_response())
}
