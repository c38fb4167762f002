use dioxus::prelude::*;

use crate::web::pages::stores::{read_only_note, store_nav};

use crate::{
    domain::{Step, catalog::Catalog},
    store::{credentials::CredentialRow, events::OrderEvent},
    web::{
        access::StoreReader,
        pages::{
            format_time,
            layout::{Page, page as layout},
        },
    },
};

pub fn waiting(
    admin: &StoreReader,
    issued: &[CredentialRow],
    orders: &[OrderEvent],
    sandbox_url: Option<&str>,
) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let mid = admin.upgrade.merchant_id.clone().unwrap_or_default();
    let username = issued
        .iter()
        .find(|c| c.environment == "live")
        .map(|c| c.username.clone())
        .unwrap_or_default();
    let country = admin
        .store
        .country_list()
        .first()
        .map(|c| c.to_string())
        .unwrap_or_else(|| "SE".into());
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        section { class: "card", id: "test-purchase",
            {super::heading(&tr, Step::TestPurchase)}
            {read_only_note(admin)}
            ol { class: "howto",
                li { {tr.t("purchase.howto.shop")} }
                li { {tr.t("purchase.howto.live")} }
                li { {tr.t("purchase.howto.wait")} }
            }
            div { class: "watch", role: "status", "aria-live": "polite",
                span { class: "spinner", "aria-hidden": "true" }
                {tr.f("purchase.watching", &[("mid", &mid)])}
            }
            if !orders.is_empty() {
                h2 { {tr.t("purchase.seen")} }
                ul { for o in orders.iter() {
                    li { {tr.f("purchase.order", &[("order", &o.order_id), ("env", &tr.t(&format!("env.{}", o.environment))), ("time", &format_time(o.received_at))])} }
                } }
            }
            a { class: "button primary", href: "/stores/{eid}/upgrade/test-purchase", id: "check-again", {tr.t("purchase.check_again")} }
            if let Some(url) = sandbox_url {
                details { class: "sandbox",
                    summary { {tr.t("purchase.sandbox.title")} }
                    p { {tr.t("purchase.sandbox.body")} }
                    pre { code { "curl -u '{username}:YOUR_PASSWORD' -H 'Content-Type: application/json' \\\n  -d '{{\"amount\": 1000, \"currency\": \"SEK\", \"country\": \"{country}\"}}' \\\n  {url}" } }
                }
            }
            details { class: "help",
                summary { {tr.t("purchase.trouble.title")} }
                p { {tr.t("purchase.trouble.body")} }
            }
        }
    };
    layout(
        &ctx,
        &tr.t("step.test-purchase"),
        Some(&admin.banner()),
        body,
    )
}

pub fn complete(catalog: &Catalog, admin: &StoreReader, first_order: Option<&OrderEvent>) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let mid = admin.upgrade.merchant_id.clone().unwrap_or_default();
    let product = catalog
        .path(&admin.upgrade.path_id)
        .and_then(|p| catalog.product(&p.to))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let body = rsx! {
        section { class: "card success", id: "upgrade-complete",
            p { class: "big-check", "aria-hidden": "true", "✓" }
            h1 { {tr.t("complete.title")} }
            p { class: "lead", {tr.f("complete.body", &[("store", &admin.store.name), ("product", &product), ("mid", &mid)])} }
            if let Some(o) = first_order {
                p { {tr.f("complete.order", &[("order", &o.order_id), ("time", &format_time(o.received_at))])} }
            }
            p { {tr.f("complete.legacy", &[("eid", eid)])} }
            a { class: "button primary", href: "/stores/{eid}", {tr.t("complete.back")} }
        }
    };
    layout(&ctx, &tr.t("complete.title"), None, body)
}
