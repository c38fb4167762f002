//! Settlement reports: view, download (CSV that re-imports to the same report, JSON,
//! PDF), a date-range export of transactions, support's upload, and the archive of
//! everything (until the sunset).

use axum::{
    extract::{Multipart, Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Problem, page};
use crate::app::AppState;
use crate::app::paths;
use crate::app::{
    import::{self, SettlementImportError},
    legacy as app_legacy,
};
use crate::{
    domain::money::Currency,
    domain::{access::Relation, parse_date, settlement::Report, settlement_export as export},
    i18n::{Msg, format, request_lang},
    store::{self, settlements::ReportRow},
    web::{
        access::StoreReader,
        error::AppError,
        pages::{self, legacy::Typed},
        session::{ClientIp, csrf_matches},
    },
};

/// The largest settlement file support may upload.
pub const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

/// The one rule for reports after the sunset (`domain::sunset::reports_readable`), as the
/// refusal every report route gives: each format, the export and the archive alike.
fn readable(reader: &StoreReader) -> Result<(), AppError> {
    match reader.sunset {
        Some((date, _)) if !reader.reports_readable() => Err(AppError::Conflict(
            Msg::new("legacy.closed.reports").arg("date", pages::format_date(date)),
        )),
        _ => Ok(()),
    }
}

async fn load(
    state: &AppState,
    reader: &StoreReader,
    id: &str,
) -> Result<(ReportRow, Report), AppError> {
    readable(reader)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    store::settlements::get(&state.db.pool, reader.store.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    reader: StoreReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (row, report) = load(&state, &reader, &id).await?;
    Ok(pages::render(pages::legacy::report(&reader, &row, &report)).into_response())
}

/// A download named after the store and the report.
fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

fn base_name(reader: &StoreReader, report: &Report) -> String {
    format!(
        "settlement-{}-{}",
        reader.eid(),
        export::file_name(&report.payment_reference)
    )
}

pub async fn csv(
    State(state): State<AppState>,
    reader: StoreReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, report) = load(&state, &reader, &id).await?;
    let name = format!("{}.csv", base_name(&reader, &report));
    let text = crate::domain::settlement::to_csv(&report);
    Ok(download(
        text.into_bytes(),
        "text/csv; charset=utf-8",
        &name,
    ))
}

pub async fn json(
    State(state): State<AppState>,
    reader: StoreReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, report) = load(&state, &reader, &id).await?;
    let name = format!("{}.json", base_name(&reader, &report));
    let body = serde_json::to_vec(&export::to_json(&report))
        .map_err(|e| AppError::Internal(anyhow::Error::from(e).context("report as JSON")))?;
    Ok(download(body, "application/json", &name))
}

pub async fn pdf(
    State(state): State<AppState>,
    reader: StoreReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, report) = load(&state, &reader, &id).await?;
    let name = format!("{}.pdf", base_name(&reader, &report));
    let tr = reader.ctx().tr;
    let say = |key: &str, args: &[(&str, &str)]| tr.f(key, args);
    Ok(download(
        export::to_pdf(&report, &local_words(&say)),
        "application/pdf",
        &name,
    ))
}

#[derive(Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Every transaction of the store's reports from one day to another, as one CSV.
pub async fn range(
    State(state): State<AppState>,
    reader: StoreReader,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    readable(&reader)?;
    let days = match (parse_date(&q.from), parse_date(&q.to)) {
        (Some(from), Some(to)) if from <= to => Ok((from.to_string(), to.to_string())),
        (Some(_), Some(_)) => Err("legacy.error.range_order"),
        _ => Err("legacy.error.range"),
    };
    let (from, to) = match days {
        Ok(days) => days,
        Err(key) => {
            // The legacy page again, with the days as they were typed.
            let problem = Problem {
                message: Msg::new(key),
                typed: Some(Typed::Range {
                    from: q.from,
                    to: q.to,
                }),
            };
            return page(&state, &reader, Some(problem), StatusCode::BAD_REQUEST).await;
        }
    };
    let rows =
        store::settlements::transactions_between(&state.db.pool, reader.store.id, &from, &to)
            .await?;
    let name = format!("transactions-{}-{from}-{to}.csv", reader.eid());
    Ok(download(
        export::transactions_csv(&rows).into_bytes(),
        "text/csv; charset=utf-8",
        &name,
    ))
}

/// Everything the legacy store has, in one zip; until the sunset.
pub async fn archive(
    State(state): State<AppState>,
    reader: StoreReader,
) -> Result<Response, AppError> {
    readable(&reader)?;
    let mut reports = Vec::new();
    for row in store::settlements::for_store(&state.db.pool, reader.store.id).await? {
        if let Some((_, r)) =
            store::settlements::get(&state.db.pool, reader.store.id, row.id).await?
        {
            reports.push(r);
        }
    }
    let _ = app_legacy::sync_orders(&state, &reader.store).await;
    let orders = store::legacy_orders::for_store(&state.db.pool, reader.store.id).await?;
    let tr = reader.ctx().tr;
    let say = |key: &str, args: &[(&str, &str)]| tr.f(key, args);
    let bytes = export::archive(&reports, &orders_csv(&orders), &local_words(&say))
        .map_err(|e| AppError::Internal(anyhow::Error::from(e).context("building the archive")))?;
    // The archive is built: the store has its reports (a sunset readiness condition),
    // once its own people have it; a copy made by support or a partner manager is not
    // the merchant's.
    if reader.relation.is_member() {
        store::stores::record_archived(&state.db.pool, reader.store.id).await?;
    }
    Ok(download(
        bytes,
        "application/zip",
        &format!("legacy-store-{}.zip", reader.eid()),
    ))
}

fn orders_csv(orders: &[store::legacy_orders::LegacyOrder]) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record([
        "order_id",
        "status",
        "order_amount",
        "captured_amount",
        "refunded_amount",
        "currency_code",
        "created_at",
        "expires_at",
    ]);
    for o in orders {
        let Some(c) = crate::domain::money::Currency::parse(&o.currency) else {
            continue;
        };
        let cell = crate::domain::text::spreadsheet_cell;
        let _ = w.write_record([
            &*cell(&o.order_id),
            &*cell(&o.status),
            &c.format_amount(o.order_amount),
            &c.format_amount(o.captured_amount),
            &c.format_amount(o.refunded_amount),
            c.code(),
            &crate::domain::rfc3339(o.created_at),
            &crate::domain::rfc3339(o.expires_at),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Support imports a settlement file for this store (the file must name it).
pub async fn upload(
    State(state): State<AppState>,
    reader: StoreReader,
    ClientIp(ip): ClientIp,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    // Who may comes before what was sent.
    if reader.relation != Relation::Support {
        return Err(AppError::forbidden("legacy.error.support_only"));
    }
    let mut multipart = multipart.map_err(|_| AppError::bad_request("trouble.error.unreadable"))?;
    let mut csrf = String::new();
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "report" => file = field.bytes().await.ok(),
            _ => {}
        }
    }
    if !csrf_matches(&reader.user.session, &csrf) {
        return Err(AppError::FormExpired);
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return page(
            &state,
            &reader,
            Some(Msg::new("legacy.error.no_file").into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let imported = import::import_settlement(
        &state.db,
        &bytes,
        Some(reader.eid()),
        reader.user.email(),
        &ip,
    )
    .await;
    let problem = match imported {
        Ok((id, _)) => {
            return Ok(Redirect::to(&paths::store(reader.eid()).report(id)).into_response());
        }
        Err(SettlementImportError::Internal(e)) => return Err(AppError::Internal(e)),
        Err(e) => e.message(),
    };
    page(
        &state,
        &reader,
        Some(problem.into()),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The request's language's way with amounts and days, for what people read.
fn local_words<'a>(say: export::Say<'a>) -> export::Words<'a> {
    export::Words {
        say,
        money: &local_money,
        day: &local_day,
    }
}

fn local_money(currency: Currency, minor: i64) -> String {
    format::money(request_lang(), currency, minor)
}

fn local_day(day: &str) -> String {
    crate::web::pages::format_day(day)
}
