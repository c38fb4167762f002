//! A later sunset for one store: the store's page (the admin asks, everyone who reads the
//! store sees the requests and decisions), and support's list of open requests.

use dioxus::prelude::*;

use super::{
    csrf_field, format_date,
    layout::{Ctx, Page, page as frame},
    stores::{read_only_note, store_nav},
    time_tag,
};
use crate::{
    app::paths,
    domain::parse_date,
    i18n::Tr,
    store::extensions::{Extension, OPEN, Pending},
    web::access::StoreReader,
};

/// What the person typed, given back when it was refused.
#[derive(Debug, Default)]
pub struct Asked {
    pub date: String,
    pub reason: String,
}

/// A `YYYY-MM-DD` as the reader writes dates.
fn day(text: &str) -> String {
    parse_date(text).map_or_else(|| text.to_owned(), format_date)
}

/// The store's page: its sunset, the days it may ask for (`window`, none when its
/// product takes no extensions), the form, and its requests.
pub fn store_page(
    reader: &StoreReader,
    window: Option<(time::Date, time::Date)>,
    rows: &[Extension],
    asked: &Asked,
    error: Option<&str>,
) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let open = rows.iter().find(|r| r.status == OPEN);
    let closed = reader.sunset.is_some_and(|(_, p)| p.is_closed());
    let own = reader.store.extended_sunset.is_some();
    let body = rsx! {
        {store_nav(reader, "overview")}
        {super::error_summary(&tr, &error.map(|e| vec![("extension-date", e.to_owned())]).unwrap_or_default())}
        section { class: "card",
            h1 { {tr.t("extension.title")} }
            p { id: "store-sunset", {super::sunset::countdown(&tr, eid, reader.sunset)} }
            if own {
                p { class: "ok", id: "extension-granted", {tr.t("extension.granted_note")} }
            }
            match window {
                None => rsx! { p { class: "hint", id: "extension-not-offered", {tr.t("extension.not_offered")} } },
                Some((_, latest)) => rsx! {
                    p { class: "lead", {tr.f("extension.lead", &[("latest", &format_date(latest))])} }
                    {read_only_note(reader)}
                    if let Some(r) = open {
                        p { class: "notice", id: "extension-waiting", {tr.f("extension.waiting", &[("date", &day(&r.wanted_date))])} }
                    } else if closed {
                        p { class: "hint", {tr.t("extension.error.closed")} }
                    } else if reader.can_act() {
                        form { method: "post", action: paths::store(eid).extension(), novalidate: true, id: "request-extension",
                            {csrf_field(&csrf)}
                            label { r#for: "extension-date", {tr.t("extension.date")} }
                            input { id: "extension-date", name: "date", r#type: "date", required: true, value: "{asked.date}",
                                max: "{latest}", "aria-invalid": if error.is_some() { "true" } else { "false" } }
                            label { r#for: "extension-reason", {tr.t("extension.reason")} }
                            p { class: "hint", id: "extension-reason-hint", {tr.t("extension.reason_hint")} }
                            textarea { id: "extension-reason", name: "reason", rows: "4", required: true, maxlength: "1000",
                                "aria-describedby": "extension-reason-hint", "{asked.reason}" }
                            if let Some(e) = error { p { class: "field-error", role: "alert", "{e}" } }
                            button { class: "button primary", r#type: "submit", id: "send-extension", {tr.t("extension.send")} }
                        }
                    }
                },
            }
        }
        if !rows.is_empty() {
            section { class: "card",
                h2 { {tr.t("extension.history")} }
                {history(&tr, rows)}
            }
        }
    };
    frame(&ctx, &tr.t("extension.title"), Some(&reader.banner()), body)
}

/// A store's requests, newest first.
fn history(tr: &Tr, rows: &[Extension]) -> Element {
    rsx! {
        table { class: "list", id: "extensions",
            thead { tr {
                th { {tr.t("extension.col.asked")} } th { {tr.t("extension.col.wanted")} }
                th { {tr.t("extension.col.reason")} } th { {tr.t("extension.col.state")} }
                th { {tr.t("extension.col.decision")} }
            } }
            tbody {
                for r in rows.iter() {
                    tr { id: "extension-{r.id}",
                        td { "data-label": tr.t("extension.col.asked"), {time_tag(r.requested_at)} " · {r.requested_by}" }
                        td { "data-label": tr.t("extension.col.wanted"), {day(&r.wanted_date)} }
                        td { "data-label": tr.t("extension.col.reason"), class: "prewrap", "{r.reason}" }
                        td { "data-label": tr.t("extension.col.state"), class: "extension-state",
                            {tr.t(&format!("extension.state.{}", r.status))}
                            if let Some(d) = &r.granted_date { " · " {day(d)} }
                        }
                        td { "data-label": tr.t("extension.col.decision"), class: "prewrap",
                            if let Some(reason) = &r.decision_reason { "{reason}" }
                        }
                    }
                }
            }
        }
    }
}

/// Support's list of open requests, each with its approve and decline forms.
pub fn support_page(ctx: &Ctx, rows: &[Pending], error: Option<(i64, &str)>) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("extension.support.title")} }
            p { class: "lead", {tr.t("extension.support.lead")} }
            if rows.is_empty() {
                p { class: "hint", id: "no-extensions", {tr.t("extension.support.none")} }
            }
        }
        for p in rows.iter() {
            section { class: "card", id: "request-{p.request.id}",
                h2 {
                    a { href: paths::store(&p.legacy_store_id).extension(), "{p.store_name}" }
                    " · {p.legacy_store_id} · {p.product}"
                }
                p { {tr.f("extension.support.asked", &[("email", &p.request.requested_by), ("date", &day(&p.request.wanted_date))])} " · " {time_tag(p.request.requested_at)} }
                p { class: "prewrap quote", "{p.request.reason}" }
                if let Some((id, e)) = error && id == p.request.id {
                    p { class: "error", role: "alert", id: "extension-error", "{e}" }
                }
                form { method: "post", action: "/support/extensions/{p.request.id}", class: "decide", id: "decide-{p.request.id}",
                    {csrf_field(&csrf)}
                    label { r#for: "date-{p.request.id}", {tr.t("extension.support.date")} }
                    input { id: "date-{p.request.id}", name: "date", r#type: "date", value: "{p.request.wanted_date}" }
                    label { r#for: "reason-{p.request.id}", {tr.t("extension.support.reason")} }
                    textarea { id: "reason-{p.request.id}", name: "reason", rows: "2", required: true, maxlength: "1000" }
                    button { class: "button primary", r#type: "submit", name: "decision", value: "approve", id: "approve-{p.request.id}", {tr.t("extension.support.approve")} }
                    button { class: "button", r#type: "submit", name: "decision", value: "decline", id: "decline-{p.request.id}", {tr.t("extension.support.decline")} }
                }
            }
        }
    };
    frame(ctx, &tr.t("extension.support.title"), None, body)
}
