//! The legacy store page and one settlement report.

mod lists;

use dioxus::prelude::*;

use lists::lists;

use super::{
    TIME_SLOT,
    layout::{Page, page as layout},
    stores::store_nav,
    timed,
};
use crate::{
    app::paths,
    domain::{money::Currency, settlement::Report, settlement_export::signed, sunset::Phase},
    i18n::Tr,
    store::{legacy_orders::LegacyOrder, settlements::ReportRow},
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
