//! The operators' page of announced brownouts.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Ctx, Page, page as frame},
    time_tag,
};
use crate::{domain::catalog::Catalog, store::brownouts::Brownout};

/// The lengths offered, in minutes.
const LENGTHS: [i64; 5] = [15, 30, 60, 120, 240];

/// What the form sent, to show again with its error.
#[derive(Debug, Default)]
pub struct Sent {
    pub product: String,
    pub date: String,
    pub time: String,
    pub minutes: String,
    pub reason: String,
}

pub fn page(
    ctx: &Ctx,
    catalog: &Catalog,
    rows: &[Brownout],
    sent: &Sent,
    error: Option<&str>,
) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let now = crate::store::now();
    let name = |code: &str| catalog.product_name(code).to_owned();
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("brownouts.title")} }
            p { class: "lead", {tr.t("brownouts.lead")} }
            form { method: "post", action: "/staff/brownouts", id: "schedule-brownout",
                {csrf_field(&csrf)}
                if let Some(e) = error {
                    p { class: "error", role: "alert", id: "brownout-error", "{e}" }
                }
                label { r#for: "product", {tr.t("sunsets.col.product")} }
                select { id: "product", name: "product",
                    for p in catalog.products.iter().filter(|p| p.legacy) {
                        option { value: "{p.code}", selected: sent.product == p.code, "{p.name}" }
                    }
                }
                label { r#for: "date", {tr.t("brownouts.date")} }
                input { id: "date", name: "date", r#type: "date", required: true, value: "{sent.date}" }
                label { r#for: "time", {tr.t("brownouts.time")} }
                input { id: "time", name: "time", r#type: "time", required: true, value: "{sent.time}" }
                label { r#for: "minutes", {tr.t("brownouts.length")} }
                select { id: "minutes", name: "minutes",
                    for m in LENGTHS {
                        option { value: "{m}", selected: sent.minutes == m.to_string(), {tr.f("rehearsal.minutes", &[("minutes", &m.to_string())])} }
                    }
                }
                label { r#for: "reason", {tr.t("sunsets.col.reason")} }
                textarea { id: "reason", name: "reason", rows: "2", required: true, maxlength: "500", "{sent.reason}" }
                button { class: "button primary", r#type: "submit", id: "save-brownout", {tr.t("brownouts.save")} }
            }
            if rows.is_empty() {
                p { class: "hint", id: "no-brownouts", {tr.t("brownouts.none")} }
            } else {
                table { class: "list", id: "brownouts",
                    thead { tr {
                        th { {tr.t("sunsets.col.product")} } th { {tr.t("brownouts.col.start")} }
                        th { {tr.t("brownouts.col.end")} } th { {tr.t("sunsets.col.reason")} }
                        th { {tr.t("brownouts.col.state")} } th {}
                    } }
                    tbody {
                        for b in rows.iter() {
                            tr { id: "brownout-{b.id}",
                                td { "data-label": tr.t("sunsets.col.product"), {name(&b.product)} }
                                td { "data-label": tr.t("brownouts.col.start"), {time_tag(b.starts_at)} }
                                td { "data-label": tr.t("brownouts.col.end"), {time_tag(b.ends_at)} }
                                td { "data-label": tr.t("sunsets.col.reason"), class: "prewrap", "{b.reason}" }
                                td { "data-label": tr.t("brownouts.col.state"),
                                    {tr.t(if b.cancelled_at.is_some() { "brownouts.state.cancelled" } else if b.ends_at <= now { "brownouts.state.over" } else if b.starts_at <= now { "brownouts.state.running" } else { "brownouts.state.scheduled" })}
                                }
                                td {
                                    if b.cancelled_at.is_none() && b.starts_at > now {
                                        form { method: "post", action: "/staff/brownouts/{b.id}/cancel", class: "inline",
                                            {csrf_field(&csrf)}
                                            button { class: "button small", r#type: "submit", id: "cancel-brownout-{b.id}", {tr.t("brownouts.cancel")} }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    frame(ctx, &tr.t("brownouts.title"), None, body)
}
