//! What a store's integrations still call, per service, and what real traffic has
//! proven on the new ID: on the store's overview, its legacy page, the completion page
//! and support's view of the store.

use dioxus::prelude::*;

use super::time_tag;
use crate::{
    domain::{
        Step, Upgrade,
        traffic::{self, Capabilities, RECENT_DAYS, Use},
    },
    i18n::Tr,
};

/// A store's traffic as the pages show it.
#[derive(Clone, Copy)]
pub struct Traffic<'a> {
    pub uses: &'a [Use],
    /// Whether the store has a new merchant ID yet.
    pub has_new_id: bool,
    /// Whether its upgrade is complete (then every service is expected on the new ID,
    /// and the capabilities are checked).
    pub complete: bool,
}

impl<'a> Traffic<'a> {
    /// The traffic of a store whose upgrade is `upgrade` (if started).
    pub fn of(uses: &'a [Use], upgrade: Option<&Upgrade>) -> Self {
        Traffic {
            uses,
            has_new_id: upgrade.is_some_and(|u| u.merchant_id.is_some()),
            complete: upgrade.is_some_and(|u| u.step == Step::Complete),
        }
    }
}

/// The table (service | ID it uses | last seen | calls lately | action), and after the
/// upgrade the capabilities real traffic has proven on the new ID.
pub fn section(tr: &Tr, t: Traffic<'_>) -> Element {
    let rows = traffic::table(t.uses, t.has_new_id, t.complete);
    let days = RECENT_DAYS.to_string();
    let recent = tr.f("traffic.col.recent", &[("days", &days)]);
    rsx! {
        section { class: "card", id: "legacy-traffic",
            h2 { {tr.t("traffic.title")} }
            p { class: "hint", {tr.t("traffic.explain")} }
            if rows.is_empty() {
                p { class: "hint", id: "traffic-none", {tr.t("traffic.none")} }
            } else {
                table { class: "list", id: "traffic-table",
                    thead { tr {
                        th { {tr.t("traffic.col.service")} } th { {tr.t("traffic.col.id")} }
                        th { {tr.t("traffic.col.last")} } th { "{recent}" } th { {tr.t("traffic.col.action")} }
                    } }
                    tbody {
                        for row in rows.iter() {
                            tr { class: if row.verdict.needs_action() { "attention" } else { "" },
                                "data-service": row.service.as_str(),
                                td { "data-label": tr.t("traffic.col.service"), {tr.t(row.service.key())} }
                                td { "data-label": tr.t("traffic.col.id"),
                                    match &row.subject {
                                        Some(id) => rsx! { code { "{id}" } },
                                        None => rsx! { {tr.t("traffic.new_id")} },
                                    }
                                }
                                td { "data-label": tr.t("traffic.col.last"),
                                    match row.last_at {
                                        Some(at) => time_tag(at),
                                        None => rsx! { {tr.t("traffic.never")} },
                                    }
                                }
                                td { "data-label": "{recent}", "{row.recent}" }
                                td { "data-label": tr.t("traffic.col.action"),
                                    div {
                                        strong { class: "verdict", {tr.t(row.verdict.key())} }
                                        if let Some(agent) = row.user_agent.as_deref().filter(|_| row.verdict.needs_action()) {
                                            br {}
                                            span { class: "small", {tr.f("traffic.user_agent", &[("agent", agent)])} }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if t.complete && t.has_new_id {
                {capabilities(tr, Capabilities::of(t.uses))}
            }
        }
    }
}

/// The checklist after the upgrade: checkout, order management and settlement access,
/// each green once a call with the new ID succeeded; a loud warning when checkout works
/// and order management was never seen.
fn capabilities(tr: &Tr, c: Capabilities) -> Element {
    rsx! {
        h3 { {tr.t("capabilities.title")} }
        ul { class: "checklist", id: "capabilities",
            for (service, proven) in c.each() {
                li { id: "capability-{service.as_str()}", class: if proven { "ok" } else { "pending" },
                    span { "aria-hidden": "true", if proven { "✓ " } else { "○ " } }
                    {tr.t(service.key())} ": "
                    {tr.t(if proven { "capabilities.proven" } else { "capabilities.not_yet" })}
                }
            }
        }
        if c.order_management_missing() {
            p { class: "warning-box", id: "order-management-missing", role: "alert",
                {tr.t("capabilities.order_management_missing")}
            }
        }
    }
}
