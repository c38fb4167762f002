//! One webhook's page: its address and health, a test event, and the delivery log with
//! a redeliver button per event.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Ctx, Page, page as layout},
    partner_keys::failure,
    time_tag,
};
use crate::store::{webhook_log::Attempt, webhooks::Webhook};

pub fn page(ctx: &Ctx, hook: &Webhook, attempts: &[Attempt]) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let body = rsx! {
        p { a { href: "/partner/api", {tr.t("deliveries.back")} } }
        section { class: "card", id: "webhook-{hook.id}",
            h1 { {tr.t("deliveries.title")} }
            p { code { "{hook.url}" } }
            if hook.disabled_at.is_some() {
                p { class: "hint", id: "webhook-disabled", {tr.t("deliveries.disabled")} }
            } else {
                form { method: "post", action: "/partner/api/webhooks/{hook.id}/test", class: "inline",
                    {csrf_field(&csrf)}
                    button { class: "button primary", r#type: "submit", id: "send-test", {tr.t("deliveries.send_test")} }
                }
                p { class: "hint", {tr.t("deliveries.test_hint")} }
            }
        }
        section { class: "card", id: "deliveries",
            h2 { {tr.t("deliveries.log")} }
            if attempts.is_empty() {
                p { class: "hint", id: "no-deliveries", {tr.t("deliveries.empty")} }
            } else {
                table { class: "list", id: "delivery-log",
                    thead { tr {
                        th { {tr.t("deliveries.col.when")} } th { {tr.t("deliveries.col.event")} }
                        th { {tr.t("deliveries.col.result")} } th { {tr.t("deliveries.col.latency")} } th {}
                    } }
                    tbody {
                        for a in attempts.iter() {
                            tr { id: "attempt-{a.id}", "data-outcome": "{a.outcome}",
                                td { "data-label": tr.t("deliveries.col.when"), {time_tag(a.attempted_at)} }
                                td { "data-label": tr.t("deliveries.col.event"), code { "{a.event_type}" } }
                                td { "data-label": tr.t("deliveries.col.result"),
                                    if a.outcome == "delivered" {
                                        span { class: "tag ok", {tr.f("deliveries.delivered", &[("status", &a.status_code.map(|s| s.to_string()).unwrap_or_default())])} }
                                    } else {
                                        span { class: "tag warn", {failure(tr, Some(&a.outcome))} }
                                    }
                                }
                                td { class: "num", "data-label": tr.t("deliveries.col.latency"), {tr.f("deliveries.ms", &[("ms", &a.latency_ms.to_string())])} }
                                td {
                                    if hook.disabled_at.is_none() {
                                        form { method: "post", action: "/partner/api/webhooks/{hook.id}/redeliver/{a.outbox_id}", class: "inline",
                                            {csrf_field(&csrf)}
                                            button { class: "button small", r#type: "submit", {tr.t("deliveries.redeliver")} }
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
    layout(ctx, &tr.t("deliveries.title"), None, body)
}
