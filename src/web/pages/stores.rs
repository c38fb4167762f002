//! "My stores" and a store's overview.

use dioxus::prelude::*;

use super::layout::{BannerInfo, Ctx, Page, page};
use crate::{
    domain::{Step, catalog::Catalog},
    store::{stores::Store, upgrades::UpgradeRow},
};

pub fn my_stores(ctx: &Ctx, stores: &[(Store, Option<UpgradeRow>)]) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("stores.title")} }
            if stores.is_empty() {
                p { {tr.t("stores.none")} }
            }
            ul { class: "store-list",
                for (s, u) in stores.iter() {
                    li {
                        a { href: "/stores/{s.legacy_store_id}",
                            strong { "{s.name}" }
                            span { class: "meta", {tr.f("stores.eid", &[("eid", &s.legacy_store_id), ("product", &s.product)])} }
                        }
                        {status_tag(&tr, u.as_ref())}
                    }
                }
            }
        }
    };
    page(ctx, &tr.t("stores.title"), None, body)
}

fn status_tag(tr: &crate::i18n::Tr, upgrade: Option<&UpgradeRow>) -> Element {
    let (class, label) = match upgrade.map(|u| u.step()) {
        None => ("tag todo", tr.t("stores.not_started")),
        Some(Step::Complete) => ("tag ok", tr.t("stores.complete")),
        Some(step) => (
            "tag current",
            tr.f(
                "stores.in_progress",
                &[("step", &tr.t(&format!("step.{}", step.as_str())))],
            ),
        ),
    };
    rsx! { span { class: "{class}", "{label}" } }
}

pub fn overview(ctx: &Ctx, catalog: &Catalog, store: &Store, upgrade: &UpgradeRow) -> Page {
    let tr = ctx.tr;
    let eid = &store.legacy_store_id;
    let step = upgrade.step();
    let banner = BannerInfo {
        legacy_store_id: eid.clone(),
        step,
    };
    let target = catalog
        .path(&upgrade.path_id)
        .and_then(|p| catalog.product(&p.to))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let legacy = catalog
        .product(&store.product)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| store.product.clone());
    let platform = catalog.platform_or_custom(&store.platform).name.clone();
    let body = rsx! {
        section { class: "card",
            h1 { "{store.name}" }
            dl { class: "facts",
                dt { {tr.t("store.eid")} } dd { code { "{eid}" } }
                dt { {tr.t("store.product")} } dd { "{legacy}" }
                dt { {tr.t("store.platform")} } dd { "{platform}" }
                dt { {tr.t("store.countries")} } dd { {store.country_list().join(", ")} }
                dt { {tr.t("store.url")} } dd { "{store.store_url}" }
                if let Some(mid) = &upgrade.merchant_id {
                    dt { {tr.t("store.mid")} } dd { code { id: "store-mid", "{mid}" } }
                }
            }
            if step == Step::Complete {
                p { class: "ok", id: "upgrade-done", {tr.f("store.upgraded", &[("product", &target)])} }
            } else {
                p { {tr.t("store.legacy_notice")} }
                a { class: "button primary", id: "start-upgrade", href: "/stores/{eid}/upgrade",
                    {tr.t(if step == Step::Terms { "store.start" } else { "store.continue" })}
                }
            }
        }
    };
    page(ctx, &store.name, Some(&banner), body)
}
