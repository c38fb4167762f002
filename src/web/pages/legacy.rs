//! The legacy store page and one settlement report.

use dioxus::prelude::*;

use super::{
    TIME_SLOT, csrf_field,
    layout::{Page, page as layout},
    stores::store_nav,
    time_tag, timed,
};
use crate::app::paths;
use crate::{
    domain::{
        access::Relation, money::Currency, order::version, settlement::Report,
        settlement_export::signed, sunset::Phase,
    },
    i18n::Tr,
    store::{self, legacy_orders::LegacyOrder, settlements::ReportRow},
    web::access::StoreReader,
};

pub struct View<'a> {
    pub sunset: Option<(time::Date, Phase)>,
    /// What the store's integrations called lately, per service and ID.
    pub traffic: &'a [crate::domain::traffic::Use],
    /// The cutover meter, once the upgrade has started.
    pub meter: Option<&'a crate::app::traffic::StoreMeter>,
    /// What the store still lacks for the sunset, after the orders were synced.
    pub readiness: &'a crate::domain::readiness::Readiness,
    pub orders: &'a [LegacyOrder],
    /// The platform could not be asked: the orders are as last seen.
    pub orders_stale: bool,
    pub reports: &'a [ReportRow],
    /// Why the last action was refused, in the reader's words.
    pub problem: Option<String>,
    /// What the person had typed into the refused form, to show it again.
    pub typed: Option<Typed>,
}

/// A refused form's values, shown again so nothing has to be typed twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// An order action (`capture`, `refund`…) and its fields.
    Order {
        order_id: String,
        action: &'static str,
        amount: String,
        invoiced: bool,
    },
    /// The transaction export's days.
    Range { from: String, to: String },
}

impl Typed {
    /// The amount typed into `action` of `order`, if that is the refused form.
    fn amount(typed: Option<&Typed>, order: &str, action: &str) -> Option<String> {
        match typed {
            Some(Typed::Order {
                order_id,
                action: a,
                amount,
                ..
            }) if order_id == order && *a == action => Some(amount.clone()),
            _ => None,
        }
    }
}

/// An amount as the request's language writes it ("1 234,50 kr", "€0.35").
pub fn money(currency: &str, minor: i64) -> String {
    match Currency::parse(currency) {
        Some(c) => crate::i18n::format::money(crate::i18n::request_lang(), c, minor),
        None => minor.to_string(),
    }
}

/// The countdown, as every page says it (same words, same levels), with what to do
/// before the day while there is time.
pub fn sunset_banner(tr: &Tr, eid: &str, sunset: Option<(time::Date, Phase)>) -> Element {
    let Some((_, phase)) = sunset else {
        return rsx! {};
    };
    let point = match phase {
        Phase::Countdown { point, .. } => point.to_string(),
        Phase::Closed => "0".into(),
        Phase::Open { .. } => "".into(),
    };
    rsx! {
        p { id: "sunset-banner", role: "status", "data-point": "{point}", "data-level": phase.level().as_str(),
            {super::sunset::countdown(tr, eid, sunset)}
            if phase != Phase::Closed {
                " " {tr.t("legacy.sunset.before")}
            }
        }
    }
}

pub fn page(reader: &StoreReader, view: &View<'_>) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let closed = view.sunset.is_some_and(|(_, p)| p.is_closed());
    let act = reader.can_act() && !closed;
    let open = reader.reports_readable();
    let body = rsx! {
        {store_nav(reader, "legacy")}
        section { class: "card", id: "legacy-summary",
            h1 { {tr.f("legacy.title", &[("eid", eid)])} }
            if !closed {
                p { class: "lead", {tr.t("legacy.lead")} }
            }
            {sunset_banner(&tr, eid, view.sunset)}
            if !open {
                p { id: "legacy-closed-remains", {tr.t("legacy.closed.remains")} " "
                    a { href: paths::store(eid).trouble(), id: "legacy-ask-support", {tr.t("legacy.closed.support")} }
                }
            }
            if let Some(p) = &view.problem {
                p { class: "form-error", role: "alert", id: "legacy-problem", "{p}" }
            }
            if !closed {
                p { a { class: "button", href: paths::store(eid).archive(), id: "download-everything", {tr.t("legacy.archive")} } }
            }
        }
        {super::traffic::section(&tr, super::traffic::Traffic::of(view.traffic, reader.upgrade.as_ref()))}
        {super::cutover::of_store(&tr, view.meter, view.sunset)}
        {super::readiness::section(&tr, &reader.store.legacy_store_id, view.readiness)}
        if open { {lists(reader, view, act)} }
    };
    layout(&ctx, &tr.f("legacy.title", &[("eid", eid)]), None, body)
}

/// The orders and the reports, while the store is open to this reader.
fn lists(reader: &StoreReader, view: &View<'_>, act: bool) -> Element {
    let tr = reader.ctx().tr;
    let eid = reader.eid();
    let csrf = reader.ctx().csrf.unwrap_or_default();
    let now = store::now();
    let (range_from, range_to) = match &view.typed {
        Some(Typed::Range { from, to }) => (from.as_str(), to.as_str()),
        _ => ("", ""),
    };
    rsx! {
        section { class: "card", id: "legacy-orders",
            h2 { {tr.t("legacy.orders.title")} }
            if view.orders_stale {
                p { class: "warning-box", {tr.t("legacy.orders.stale")} }
            }
            if view.orders.is_empty() {
                p { class: "hint", {tr.t("legacy.orders.none")} }
            } else {
                p { class: "hint", id: "invoiced-notice", {tr.t("legacy.orders.invoiced")} }
                table { class: "list",
                    thead { tr {
                        th { {tr.t("legacy.orders.order")} } th { {tr.t("legacy.orders.status")} } th { {tr.t("legacy.orders.amounts")} }
                        th { {tr.t("legacy.orders.expiry")} } if act { th { {tr.t("legacy.orders.actions")} } }
                    } }
                    tbody {
                        for o in view.orders.iter() {
                            tr { id: "order-{o.order_id}", "data-status": "{o.status}",
                                td { "data-label": tr.t("legacy.orders.order"), div { {super::copyable(&tr, &format!("order-id-{}", o.order_id), &o.order_id, &tr.t("copy.what.order"))} br {} span { class: "small", {time_tag(o.created_at)} } } }
                                td { "data-label": tr.t("legacy.orders.status"), div { span { class: "tag", {tr.t(&format!("legacy.status.{}", o.status))} } } }
                                td { "data-label": tr.t("legacy.orders.amounts"), div {
                                    {money(&o.currency, o.order_amount)}
                                    br {}
                                    span { class: "small", {tr.f("legacy.orders.captured_refunded", &[("captured", &money(&o.currency, o.captured_amount)), ("refunded", &money(&o.currency, o.refunded_amount))])} }
                                } }
                                td { "data-label": tr.t("legacy.orders.expiry"), div { {expiry(&tr, o, now)} } }
                                if act { td { {actions(&tr, eid, &csrf, o, view.typed.as_ref())} } }
                            }
                        }
                    }
                }
            }
        }
        section { class: "card", id: "settlement-reports",
            h2 { {tr.t("legacy.reports.title")} }
            if view.reports.is_empty() {
                p { class: "hint", {tr.t("legacy.reports.none")} }
            } else {
                table { class: "list",
                    thead { tr { th { {tr.t("legacy.reports.payout_date")} } th { {tr.t("legacy.reports.reference")} } th { {tr.t("legacy.reports.settlement")} } th { {tr.t("legacy.reports.download")} } } }
                    tbody {
                        for r in view.reports.iter() {
                            tr {
                                td { "data-label": tr.t("legacy.reports.payout_date"), {super::format_day(&r.payout_date)} }
                                td { "data-label": tr.t("legacy.reports.reference"), a { href: paths::store(eid).report(r.id), "{r.payment_reference}" } }
                                td { "data-label": tr.t("legacy.reports.settlement"), {money(r.currency.code(), r.total_settlement)} }
                                td { "data-label": tr.t("legacy.reports.download"), div {
                                    a { href: paths::store(eid).report_as(r.id, "csv"), "CSV" } " · "
                                    a { href: paths::store(eid).report_as(r.id, "json"), "JSON" } " · "
                                    a { href: paths::store(eid).report_as(r.id, "pdf"), "PDF" }
                                } }
                            }
                        }
                    }
                }
            }
            h2 { {tr.t("legacy.export.title")} }
            form { method: "get", action: paths::store(eid).transactions(), class: "inline-fields", id: "export-range",
                label { r#for: "export-from", {tr.t("legacy.export.from")} }
                input { id: "export-from", name: "from", r#type: "date", required: true, value: "{range_from}" }
                label { r#for: "export-to", {tr.t("legacy.export.to")} }
                input { id: "export-to", name: "to", r#type: "date", required: true, value: "{range_to}" }
                button { class: "button", r#type: "submit", {tr.t("legacy.export.button")} }
            }
            if reader.relation == Relation::Support {
                h2 { {tr.t("legacy.upload.title")} }
                form { method: "post", action: paths::store(eid).reports(), enctype: "multipart/form-data",
                    {csrf_field(&csrf)}
                    label { r#for: "report-file", {tr.t("legacy.upload.file")} }
                    input { id: "report-file", name: "report", r#type: "file", accept: ".csv,text/csv", required: true }
                    button { class: "button primary", r#type: "submit", id: "upload-report", {tr.t("legacy.upload.button")} }
                }
            }
        }
    }
}

fn expiry(tr: &Tr, o: &LegacyOrder, now: i64) -> Element {
    if !matches!(o.status.as_str(), "authorized" | "part-captured") {
        return rsx! { "–" };
    }
    let days = (o.expires_at - now).div_euclid(86_400);
    let class = if days < 7 { "tag warn" } else { "tag" };
    rsx! {
        span { class: "{class}", {timed(&tr.n("legacy.orders.expires_in", days, &[("days", &days.to_string()), ("date", TIME_SLOT)]), o.expires_at)} }
    }
}

/// The forms for what the order's state allows; the server checks again.
fn actions(tr: &Tr, eid: &str, csrf: &str, o: &LegacyOrder, typed: Option<&Typed>) -> Element {
    let c = Currency::parse(&o.currency);
    let lang = crate::i18n::request_lang();
    let fmt = |m: i64| {
        c.map(|c| crate::i18n::input::amount_value(lang, c, m))
            .unwrap_or_default()
    };
    let open = matches!(o.status.as_str(), "authorized" | "part-captured");
    let to_capture = Typed::amount(typed, &o.order_id, "capture")
        .unwrap_or_else(|| fmt(o.order_amount - o.captured_amount));
    let to_refund = Typed::amount(typed, &o.order_id, "refund")
        .unwrap_or_else(|| fmt(o.captured_amount - o.refunded_amount));
    let invoiced = matches!(typed, Some(Typed::Order { order_id, action: "refund", invoiced: true, .. }) if *order_id == o.order_id);
    let order = |action| paths::store(eid).legacy_order(&o.order_id, action);
    // The state the page shows goes with each form, so sending one twice acts once.
    let seen = version(
        o.captured_amount,
        o.refunded_amount,
        o.status == "cancelled",
        o.expires_at,
    );
    let fields = rsx! {
        {csrf_field(csrf)}
        input { r#type: "hidden", name: "seen", value: "{seen}" }
    };
    rsx! {
        div { class: "order-actions",
            if open {
                form { method: "post", action: order("capture"),
                    {fields.clone()}
                    label { r#for: "capture-{o.order_id}", {tr.t("legacy.actions.capture_amount")} }
                    input { id: "capture-{o.order_id}", name: "amount", value: "{to_capture}", inputmode: "decimal", size: "8" }
                    button { class: "button small", r#type: "submit", {tr.t("legacy.actions.capture")} }
                }
                form { method: "post", action: order("extend"),
                    {fields.clone()}
                    button { class: "button small", r#type: "submit", {tr.t("legacy.actions.extend")} }
                }
            }
            if o.status == "authorized" {
                form { method: "post", action: order("cancel"),
                    {fields.clone()}
                    button { class: "button small", r#type: "submit", {tr.t("legacy.actions.cancel")} }
                }
            }
            if o.status == "expired" {
                form { method: "post", action: order("restore"),
                    {fields.clone()}
                    button { class: "button small", r#type: "submit", {tr.t("legacy.restore.button")} }
                }
            }
            if o.captured_amount > o.refunded_amount {
                form { method: "post", action: order("refund"),
                    {fields.clone()}
                    label { r#for: "refund-{o.order_id}", {tr.t("legacy.actions.refund_amount")} }
                    input { id: "refund-{o.order_id}", name: "amount", value: "{to_refund}", inputmode: "decimal", size: "8" }
                    label { class: "check",
                        input { r#type: "checkbox", name: "invoiced", value: "yes", required: true, checked: invoiced }
                        {tr.t("legacy.actions.invoiced_ack")}
                    }
                    button { class: "button small", r#type: "submit", {tr.t("legacy.actions.refund")} }
                }
            }
        }
    }
}

pub fn report(reader: &StoreReader, row: &ReportRow, r: &Report) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let c = r.currency;
    let m = |minor: i64| crate::i18n::format::money(crate::i18n::request_lang(), c, minor);
    let t = &r.totals;
    let title = tr.f(
        "legacy.report.title",
        &[("reference", &r.payment_reference)],
    );
    let body = rsx! {
        {store_nav(reader, "legacy")}
        section { class: "card", id: "settlement-report",
            h1 { "{title}" }
            p { class: "lead", {tr.f("legacy.report.lead", &[("date", &super::format_day(&r.payout_date)), ("amount", &m(t.settlement))])} }
            p {
                a { class: "button", href: paths::store(eid).report_as(row.id, "csv"), id: "download-csv", "CSV" } " "
                a { class: "button", href: paths::store(eid).report_as(row.id, "json"), "JSON" } " "
                a { class: "button", href: paths::store(eid).report_as(row.id, "pdf"), "PDF" }
            }
            dl {
                for (key, value) in [("sale", t.sale), ("return", t.return_), ("reversal", t.reversal), ("fee", t.fee),
                                     ("commission", t.commission), ("holdback", t.holdback), ("release", t.release),
                                     ("repay", t.repay), ("settlement", t.settlement)] {
                    dt { {tr.t(&format!("legacy.report.{key}"))} } dd { {m(value)} }
                }
            }
            h2 { {tr.f("legacy.report.transactions", &[("n", &r.transactions.len().to_string())])} }
            table { class: "list",
                thead { tr {
                    th { {tr.t("legacy.report.day")} } th { {tr.t("legacy.report.type")} } th { {tr.t("legacy.orders.order")} }
                    th { {tr.t("legacy.report.references")} } th { class: "num", {tr.t("legacy.report.amount")} } th { class: "num", {tr.t("legacy.report.vat")} }
                } }
                tbody {
                    for tx in r.transactions.iter() {
                        tr {
                            td { "data-label": tr.t("legacy.report.day"), {super::format_day(tx.day())} }
                            td { "data-label": tr.t("legacy.report.type"), {tr.t(&format!("settlement.kind.{}", tx.kind.as_str()))} }
                            td { "data-label": tr.t("legacy.orders.order"), code { "{tx.order_id}" } }
                            td { "data-label": tr.t("legacy.report.references"), "{tx.merchant_reference1} {tx.merchant_reference2}" }
                            td { class: "num", "data-label": tr.t("legacy.report.amount"), {m(signed(tx))} }
                            td { class: "num", "data-label": tr.t("legacy.report.vat"), {crate::i18n::format::decimal(crate::i18n::request_lang(), tx.vat_amount, c.exponent())} }
                        }
                    }
                }
            }
            p { class: "small", {timed(&tr.f("legacy.report.imported", &[("by", &super::audit::who(&tr, &row.imported_by)), ("time", TIME_SLOT)]), row.imported_at)} }
        }
    };
    layout(&ctx, &title, None, body)
}
