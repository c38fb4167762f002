//! Support's pages for support requests: the queue and one request with the upgrade's
//! whole history.

use dioxus::prelude::*;

use super::{
    audit, csrf_field,
    layout::{Ctx, Page, page},
    requests::{answered, status_tag},
    steps::purchase::api_log,
    time_tag,
};
use crate::app::paths;
use crate::{
    domain::Upgrade,
    i18n::Tr,
    store::{
        audit::AuditEntry,
        events::OrderEvent,
        stores::Store,
        support::{RequestStatus, SupportRequest},
        upgrades::StepChange,
    },
};

pub fn queue(ctx: &Ctx, requests: &[SupportRequest]) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("support.queue.title")} }
            p { class: "lead", {tr.t("support.queue.lead")} }
            if requests.is_empty() {
                p { class: "hint", {tr.t("support.queue.empty")} }
            } else {
                table { class: "list", id: "support-queue",
                    thead { tr {
                        th { "#" } th { {tr.t("support.store")} } th { {tr.t("support.sent")} }
                        th { {tr.t("support.error_code")} } th { {tr.t("support.status_label")} }
                    } }
                    tbody {
                        for r in requests.iter() {
                            tr {
                                td { "data-label": "#", div { a { href: "/support/requests/{r.id}", "#{r.id}" } } }
                                td { "data-label": tr.t("support.store"), div { "{r.store_name} " span { class: "small", "({r.legacy_store_id})" } } }
                                td { "data-label": tr.t("support.sent"), {time_tag(r.created_at)} }
                                td { "data-label": tr.t("support.error_code"), div { code { {r.error_code.clone().unwrap_or_default()} } } }
                                td { "data-label": tr.t("support.status_label"), div { {status_tag(&tr, r.status)} } }
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, &tr.t("support.queue.title"), None, body)
}

/// Everything that happened to the store's upgrade.
pub struct History {
    pub upgrade: Option<Upgrade>,
    pub steps: Vec<StepChange>,
    pub audit: Vec<AuditEntry>,
    pub events: Vec<OrderEvent>,
    /// Support's earlier answers, which the store sees in its thread.
    pub answers: Vec<crate::store::support::Answer>,
    /// What the store's integrations called lately, per service and ID.
    pub traffic: Vec<crate::domain::traffic::Use>,
}

pub fn request(ctx: &Ctx, r: &SupportRequest, store: &Store, history: &History) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let title = tr.f("support.request.title", &[("id", &r.id.to_string())]);
    let step = history
        .upgrade
        .as_ref()
        .map(|u| tr.t(u.step.key()))
        .unwrap_or_else(|| tr.t("stores.not_started"));
    let eid = &store.legacy_store_id;
    let body = rsx! {
        section { class: "card", id: "support-request", "data-status": "{r.status.as_str()}",
            h1 { "{title}" {status_tag(&tr, r.status)} }
            dl { class: "facts",
                dt { {tr.t("support.store")} } dd { a { href: paths::store(eid).overview(), "{store.name}" } " ({eid})" }
                dt { {tr.t("support.from")} } dd { "{r.author_email}" }
                dt { {tr.t("support.sent")} } dd { {time_tag(r.created_at)} }
                dt { {tr.t("support.step")} } dd { "{step}" }
                dt { {tr.t("support.error_code")} } dd { code { {r.error_code.clone().unwrap_or_else(|| "–".into())} } }
            }
            h2 { {tr.t("support.explanation")} }
            p { class: "explanation", id: "explanation", "{r.explanation}" }
            if r.screenshots > 0 {
                h2 { {tr.t("support.screenshots")} }
                div { class: "screenshots",
                    for n in 1..=r.screenshots {
                        a { href: "/support/requests/{r.id}/screenshots/{n}",
                            img { src: "/support/requests/{r.id}/screenshots/{n}", alt: tr.f("support.screenshot_alt", &[("n", &n.to_string())]), loading: "lazy" }
                        }
                    }
                }
            }
            {answered(&tr, &history.answers)}
            h2 { {tr.t("support.change_status")} }
            form { method: "post", action: "/support/requests/{r.id}/status",
                {csrf_field(&csrf)}
                label { r#for: "status", {tr.t("support.status_label")} }
                select { id: "status", name: "status",
                    for s in RequestStatus::ALL {
                        option { value: "{s.as_str()}", selected: s == r.status, {tr.t(&format!("support.status.{}", s.as_str()))} }
                    }
                }
                label { r#for: "reason", {tr.t("support.reason")} }
                input { id: "reason", name: "reason", r#type: "text", required: true, maxlength: "500" }
                button { class: "button primary", r#type: "submit", {tr.t("support.save_status")} }
            }
        }
        section { class: "card", id: "step-history",
            h2 { {tr.t("support.steps")} }
            if history.steps.is_empty() {
                p { class: "hint", {tr.t("support.no_steps")} }
            } else {
                table { class: "list",
                    thead { tr { th { {tr.t("audit.when")} } th { {tr.t("support.step_change")} } th { {tr.t("audit.who")} } } }
                    tbody {
                        for h in history.steps.iter() {
                            tr {
                                td { "data-label": tr.t("audit.when"), {time_tag(h.at)} }
                                td { "data-label": tr.t("support.step_change"), div { {step_name(&tr, &h.from_step)} " → " {step_name(&tr, &h.to_step)} } }
                                td { "data-label": tr.t("audit.who"), {super::audit::who(&tr, &h.actor)} }
                            }
                        }
                    }
                }
            }
        }
        {super::traffic::section(&tr, super::traffic::Traffic::of(&history.traffic, history.upgrade.as_ref()))}
        {api_log(&tr, &history.events)}
        section { class: "card", id: "store-audit",
            h2 { {tr.t("audit.title")} }
            {audit::table(&tr, &history.audit)}
        }
    };
    page(ctx, &title, None, body)
}

/// A step of the upgrade (as the history stores it, `test-purchase`) in the reader's words.
fn step_name(tr: &Tr, step: &crate::domain::Step) -> String {
    tr.t(step.key())
}
