//! The end of the upgrade: what it proved, the test order to cancel or refund, and what
//! the admin does next, before and after the sunset.

use dioxus::prelude::*;

use crate::{
    app::paths,
    domain::{Upgrade, catalog::Catalog, order::TestOrder, traffic::Use},
    store::events::OrderEvent,
    web::{
        access::StoreReader,
        pages::{
            TIME_SLOT,
            layout::{Page, page as layout},
            timed,
            traffic::Traffic,
        },
    },
};

/// The upgrade is complete: its new MID, the first order, the legacy store's countdown,
/// then the test order, the traffic and the next steps.
pub fn page(
    catalog: &Catalog,
    admin: &StoreReader,
    upgrade: &Upgrade,
    (first_order, traffic): (Option<&OrderEvent>, &[Use]),
    problem: Option<&str>,
) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let mid = upgrade.merchant_id.clone().unwrap_or_default();
    let product = catalog
        .path(&upgrade.path_id)
        .and_then(|p| catalog.product(&p.to))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let closes = admin
        .sunset
        .map(|(d, _)| crate::web::pages::format_date(d))
        .unwrap_or_default();
    let body = rsx! {
        section { class: "card success", id: "upgrade-complete",
            p { class: "big-check", "aria-hidden": "true", "✓" }
            h1 { {tr.t("complete.title")} }
            p { class: "lead", {tr.f("complete.body", &[("store", &admin.store.name), ("product", &product), ("mid", &mid)])} }
            if let Some(o) = first_order {
                p { {timed(&tr.f("complete.order", &[("order", &o.order_id), ("time", TIME_SLOT)]), o.received_at)} }
            }
            p { id: "legacy-closes", {crate::web::pages::sunset::countdown(&tr, eid, admin.sunset)} }
        }
        // The test order is a real purchase: cancelling it comes before anything else.
        {test_order(admin, upgrade, problem)}
        {crate::web::pages::traffic::section(&tr, Traffic { uses: traffic, has_new_id: true, complete: true })}
        {next_steps(admin, &closes)}
    };
    layout(&ctx, &tr.t("complete.title"), None, body)
}

/// What the admin does once the upgrade is complete, before and after the sunset.
fn next_steps(admin: &StoreReader, closes: &str) -> Element {
    let tr = admin.ctx().tr;
    let eid = admin.eid();
    rsx! {
        section { class: "card", id: "next-steps",
            h2 { {tr.t("complete.next.title")} }
            ol { class: "howto",
                if admin.reports_readable() {
                    li { id: "next-reports",
                        {tr.f("complete.next.reports", &[("eid", eid), ("date", closes)])} " "
                        a { href: paths::store(eid).legacy(), {tr.t("complete.next.reports_link")} }
                    }
                } else {
                    li { id: "next-reports",
                        {tr.f("complete.next.reports_closed", &[("eid", eid), ("date", closes)])} " "
                        a { href: paths::store(eid).trouble(), {tr.t("legacy.closed.support")} }
                    }
                }
                li { id: "next-plugin", {tr.t("complete.next.plugin_off")} }
                li { id: "next-sales", {tr.t("complete.next.sales")} }
                li { id: "next-invoiced", {tr.t("complete.next.invoiced")} }
            }
            a { class: "button", href: paths::store(eid).overview(), {tr.t("complete.back")} }
        }
    }
}

/// The order that completed the upgrade: cancel it, or refund it once it was captured.
fn test_order(admin: &StoreReader, upgrade: &Upgrade, problem: Option<&str>) -> Element {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let (Some(order), Some(status)) = (upgrade.test_order_id.clone(), upgrade.test_order_status)
    else {
        return rsx! {};
    };
    let act = admin.can_act();
    rsx! {
        section { class: "card", id: "test-order", "data-status": "{status.as_str()}",
            h2 { {tr.t("test_order.title")} }
            if let Some(p) = problem {
                div { class: "form-error", role: "alert", id: "test-order-problem", {p.to_owned()} }
            }
            match status {
                TestOrder::Open => rsx! {
                    p { {tr.f("test_order.open", &[("order", &order)])} }
                    if act {
                        form { method: "post", action: paths::store(eid).cancel_test_order(),
                            {super::super::csrf_field(&csrf)}
                            button { class: "button primary", r#type: "submit", id: "cancel-order", {tr.t("test_order.cancel")} }
                        }
                    }
                },
                TestOrder::Captured => rsx! {
                    div { class: "warning-box", id: "refund-needed",
                        strong { {tr.t("test_order.captured.title")} }
                        p { {tr.f("test_order.captured.body", &[("order", &order)])} }
                    }
                    if act {
                        form { method: "post", action: paths::store(eid).refund_test_order(),
                            {super::super::csrf_field(&csrf)}
                            button { class: "button primary", r#type: "submit", id: "refund-order", {tr.t("test_order.refund")} }
                        }
                    }
                },
                TestOrder::Refunded => rsx! { p { class: "ok", {tr.f("test_order.refunded", &[("order", &order)])} } },
                TestOrder::Expired => rsx! { p { class: "ok", {tr.f("test_order.expired", &[("order", &order)])} } },
                TestOrder::Cancelled => rsx! { p { class: "ok", {tr.f("test_order.cancelled", &[("order", &order)])} } },
            }
        }
    }
}
