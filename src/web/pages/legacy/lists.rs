//! The legacy store's lists, while it is open: its orders (what expires when, and what
//! the admin can still do with each) and its settlement reports.

use dioxus::prelude::*;

use super::{Typed, View, money};
use crate::{
    app::paths,
    domain::{access::Relation, money::Currency, order::version},
    i18n::Tr,
    store::{self, legacy_orders::LegacyOrder},
    web::{
        access::StoreReader,
        pages::{TIME_SLOT, copyable, csrf_field, format_day, time_tag, timed},
    },
};

/// The orders and the reports, while the store is open to this reader.
pub(super) fn lists(reader: &StoreReader, view: &View<'_>, act: bool) -> Element {
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
                                td { "data-label": tr.t("legacy.orders.order"), div { {copyable(&tr, &format!("order-id-{}", o.order_id), &o.order_id, &tr.t("copy.what.order"))} br {} span { class: "small", {time_tag(o.created_at)} } } }
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
                                td { "data-label": tr.t("legacy.reports.payout_date"), {format_day(&r.payout_date)} }
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
