//! The partner dashboard's pages: the cohort (`crate::app::partner`) shown, exported as
//! CSV, and nudged.

use serde::Deserialize;

use axum::{
    body::{Body, Bytes},
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use futures_util::{StreamExt, stream};

use super::{
    access::PartnerManager,
    error::AppError,
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm},
};
use crate::app::AppState;
use crate::{
    app::{
        export::{self, Export},
        partner::{self, ListQuery},
    },
    domain::catalog::Catalog,
    store::cohort::CohortRow,
};

pub fn routes(r: Routes) -> Routes {
    let r = r
        .get("/partner", dashboard)
        .get("/partner/export.csv", export)
        .post("/partner/nudge", nudge)
        .get(crate::app::paths::partner::CUTOVER, cutover);
    super::partner_views::routes(r)
}

/// The export's query: the dashboard's filter, and whether to start with a byte order
/// mark (`bom=1`), which spreadsheet programs need to read UTF-8 as UTF-8.
#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    bom: String,
    #[serde(flatten)]
    list: ListQuery,
}

async fn dashboard(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let data = partner::dashboard(
        &state,
        user.principal.user_id,
        &user.principal.partner_ids,
        &query,
    )
    .await?;
    Ok(pages::render(pages::partner::dashboard(
        &user.ctx(),
        &state.catalog,
        &query,
        &data,
        partner::next_sunset(&state),
    ))
    .into_response())
}

/// The cutover meter summed over the partner's stores.
async fn cutover(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
) -> Result<Response, AppError> {
    let meter = crate::app::traffic::partner_meter(
        &state.db,
        &state.catalog,
        &user.principal.partner_ids,
        crate::store::now(),
    )
    .await?;
    Ok(pages::render(pages::cutover::partner(&user.ctx(), meter.as_ref())).into_response())
}

/// The current filter as CSV, every page of it, in the dashboard's order.
async fn export(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Query(query): Query<ExportQuery>,
) -> Response {
    let partners = user.principal.partner_ids.clone();
    let rows = export::partner_stores(&state, partners, &query.list);
    let bom = matches!(query.bom.as_str(), "1" | "on" | "true");
    csv_download(&state, rows, "switchyard-stores.csv", bom)
}

/// The export's rows as a CSV file download named `filename`, after a UTF-8 byte order
/// mark if `bom` (Excel otherwise reads "Älvsjö" as Latin-1). The body is written as the
/// rows arrive; if reading them fails, the body ends in an error, so the browser reports
/// a failed download rather than keep a file that looks complete.
pub(super) fn csv_download(
    state: &AppState,
    export: Export,
    filename: &'static str,
    bom: bool,
) -> Response {
    let catalog = state.catalog.clone();
    let now = export.now;
    let mut head = if bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    head.extend(records(&catalog, &[], now, true));
    let head = stream::once(async move { Ok(Bytes::from(head)) });
    let rows = stream::unfold(export.batches, |mut batches| async move {
        let batch = batches.recv().await?;
        Some((batch, batches))
    })
    .map(move |batch| match batch {
        Ok(rows) => Ok(Bytes::from(records(&catalog, &rows, now, false))),
        Err(e) => {
            tracing::error!(error = %e, "the CSV export stopped: the rows could not be read");
            Err(std::io::Error::other("the rows could not be read"))
        }
    });
    let mut res = Body::from_stream(head.chain(rows)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// `rows` as CSV records, after the header row if `header`.
fn records(catalog: &Catalog, rows: &[CohortRow], now: i64, header: bool) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    if header {
        let _ = w.write_record([
            "legacy_store_id",
            "name",
            "product",
            "path",
            "step",
            "last_activity",
            "days_without_progress",
            "risk",
            "admin_email",
            "platform",
            "countries",
            "new_mid",
            "partner",
            "legacy_last_used",
            "order_management_first_used",
        ]);
    }
    for r in rows {
        let path = r
            .path_id
            .as_deref()
            .and_then(|p| catalog.path(p))
            .map(|p| p.to.clone())
            .unwrap_or_default();
        let _ = w.write_record([
            cell(&r.legacy_store_id),
            cell(&r.name),
            cell(&r.product),
            cell(&path),
            r.step.as_str().to_owned(),
            r.updated_at.map(crate::domain::rfc3339).unwrap_or_default(),
            r.idle_days(now).map(|d| d.to_string()).unwrap_or_default(),
            r.risk.as_str().to_owned(),
            cell(&r.admin_email),
            cell(&r.platform),
            cell(&r.countries),
            cell(r.merchant_id.as_deref().unwrap_or_default()),
            cell(r.partner.as_deref().unwrap_or_default()),
            r.legacy_called_at
                .map(crate::domain::rfc3339)
                .unwrap_or_default(),
            r.order_management_at
                .map(crate::domain::rfc3339)
                .unwrap_or_default(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// A value as a spreadsheet will not run it as a formula.
fn cell(v: &str) -> String {
    crate::domain::text::spreadsheet_cell(v).into_owned()
}

/// Sends the chosen stores' admins a reminder, at most one per store per day.
async fn nudge(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "store")
        .map(|(_, v)| v.as_str())
        .take(500)
        .collect();
    let back = form
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.as_str())
        .filter(|v| v.starts_with("/partner"))
        .unwrap_or("/partner");
    let done = partner::nudge(
        &state,
        &user.principal.email,
        &user.principal.partner_ids,
        &ip,
        &chosen,
    )
    .await?;
    let tr = user.ctx().tr;
    let message = tr.f(
        "partner.nudged",
        &[
            ("sent", &done.sent.to_string()),
            ("skipped", &done.skipped.to_string()),
        ],
    );
    Ok(pages::render(pages::partner::nudged(&user.ctx(), &message, back)).into_response())
}
