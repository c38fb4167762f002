//! The sunset dates: the public list of every date and change, and the operators' page
//! that changes them.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Ctx, Page, page},
    time_tag,
};
use crate::{
    app::sunsets::MAX_REASON, domain::catalog::Catalog, domain::parse_date, i18n::Tr,
    store::sunsets::SunsetChange,
};

/// The public list: each legacy product's date now, and every change, newest first.
pub fn changelog(ctx: &Ctx, catalog: &Catalog, history: &[SunsetChange]) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card", id: "sunsets",
            h1 { {tr.t("sunsets.title")} }
            p { class: "lead", {tr.t("sunsets.lead")} }
            {current(&tr, catalog)}
            h2 { {tr.t("sunsets.history")} }
            {table(&tr, catalog, history)}
        }
    };
    page(ctx, &tr.t("sunsets.title"), None, body)
}

/// The operators' page: the list, and the form to set a new date (`error`: why the last
/// one was refused, with what was sent).
pub fn operator(
    ctx: &Ctx,
    catalog: &Catalog,
    history: &[SunsetChange],
    sent: &Sent,
    error: Option<&str>,
) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("sunsets.operator_title")} }
            p { class: "lead", {tr.t("sunsets.operator_lead")} }
            {current(&tr, catalog)}
            form { method: "post", action: "/staff/sunsets", id: "set-sunset",
                {csrf_field(&csrf)}
                if let Some(e) = error {
                    p { class: "error", role: "alert", id: "sunset-error", "{e}" }
                }
                label { r#for: "product", {tr.t("sunsets.col.product")} }
                select { id: "product", name: "product",
                    for p in catalog.products.iter().filter(|p| p.legacy) {
                        option { value: "{p.code}", selected: sent.product == p.code, "{p.name}" }
                    }
                }
                label { r#for: "date", {tr.t("sunsets.new_date")} }
                input { id: "date", name: "date", r#type: "date", required: true, value: "{sent.date}" }
                label { r#for: "reason", {tr.t("sunsets.col.reason")} }
                textarea { id: "reason", name: "reason", rows: "3", required: true, maxlength: "{MAX_REASON}",
                    "aria-describedby": "reason-hint", "{sent.reason}" }
                p { class: "hint", id: "reason-hint", {tr.t("sunsets.reason_hint")} }
                button { class: "button primary", r#type: "submit", id: "save-sunset", {tr.t("sunsets.save")} }
            }
            h2 { {tr.t("sunsets.history")} }
            {table(&tr, catalog, history)}
        }
    };
    page(ctx, &tr.t("sunsets.operator_title"), None, body)
}

/// What the operator's form sent, to show again with its error.
#[derive(Debug, Default)]
pub struct Sent {
    pub product: String,
    pub date: String,
    pub reason: String,
}

fn product_name(catalog: &Catalog, code: &str) -> String {
    catalog.product_name(code).to_owned()
}

fn day(tr: &Tr, raw: &str) -> String {
    parse_date(raw).map_or_else(|| raw.to_owned(), |d| crate::i18n::format::date(tr.lang, d))
}

fn current(tr: &Tr, catalog: &Catalog) -> Element {
    rsx! {
        dl { class: "facts", id: "sunsets-now",
            for p in catalog.products.iter().filter(|p| p.legacy) {
                dt { "{p.name}" }
                dd { "data-product": "{p.code}",
                    {p.sunset_date().map(|d| crate::i18n::format::date(tr.lang, d)).unwrap_or_else(|| tr.t("sunsets.none"))}
                }
            }
        }
    }
}

fn table(tr: &Tr, catalog: &Catalog, history: &[SunsetChange]) -> Element {
    rsx! {
        table { class: "list", id: "sunset-history",
            thead { tr {
                th { {tr.t("sunsets.col.when")} } th { {tr.t("sunsets.col.product")} }
                th { {tr.t("sunsets.col.old")} } th { {tr.t("sunsets.col.new")} }
                th { {tr.t("sunsets.col.reason")} }
            } }
            tbody {
                for c in history.iter() {
                    tr { id: "sunset-change-{c.id}",
                        td { "data-label": tr.t("sunsets.col.when"), {time_tag(c.changed_at)} }
                        td { "data-label": tr.t("sunsets.col.product"), {product_name(catalog, &c.product)} }
                        td { "data-label": tr.t("sunsets.col.old"),
                            {c.old_date.as_deref().map_or_else(|| tr.t("sunsets.first"), |d| day(tr, d))}
                        }
                        td { "data-label": tr.t("sunsets.col.new"), strong { {day(tr, &c.new_date)} } }
                        td { "data-label": tr.t("sunsets.col.reason"), class: "prewrap",
                            {if c.reason.is_empty() { tr.t("sunsets.by_configuration") } else { c.reason.clone() }}
                        }
                    }
                }
            }
        }
    }
}
