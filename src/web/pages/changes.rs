//! "What changes for me": for one upgrade path of the store, each thing the FAQ says
//! changes, in the order and with the data of the catalog (days, formats, fees), in the
//! reader's language. It prints without the page's chrome.

use dioxus::prelude::*;

use super::{
    layout::{Page, page},
    stores::store_nav,
};
use crate::{
    app::paths,
    domain::{
        Step,
        catalog::{Catalog, Change, UpgradePath},
        order::{EXPIRY_SECONDS, EXTENSION_SECONDS, MAX_LIFETIME_SECONDS},
    },
    i18n::Tr,
    web::access::StoreReader,
};

/// The settlement reports' formats.
const FORMATS: &str = "CSV, JSON, PDF";

pub fn page_for(catalog: &Catalog, reader: &StoreReader, path: &UpgradePath) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let name = |code: &str| catalog.product_name(code).to_owned();
    let (from, to) = (name(&path.from), name(&path.to));
    let title = tr.f("changes.title", &[("from", &from), ("to", &to)]);
    let items: Vec<(Change, String, String)> = path
        .changes
        .iter()
        .map(|c| {
            let (title, body) = item(&tr, catalog, *c, eid, &to);
            (*c, title, body)
        })
        .collect();
    let body = rsx! {
        {store_nav(reader, "overview")}
        section { class: "card", id: "what-changes", "data-path": "{path.id}",
            h1 { "{title}" }
            p { class: "lead", {tr.t("changes.lead")} }
            ol { class: "changes",
                for (change, title, text) in items.iter() {
                    li { id: "change-{change.code()}",
                        h2 { "{title}" }
                        p { "{text}" }
                    }
                }
            }
            p { class: "hint", {tr.t("changes.print")} }
            a { class: "button primary", href: paths::store(eid).step(Step::Terms), {tr.t("changes.to_terms")} }
        }
    };
    page(&ctx, &title, Some(&reader.banner()), body)
}

/// A change's title and text, its data filled in.
fn item(tr: &Tr, catalog: &Catalog, change: Change, eid: &str, to: &str) -> (String, String) {
    let days = |s: i64| (s / 86_400).to_string();
    let account = &catalog.account;
    let (eea, outside) = (
        super::steps::account::fee(&account.global_fee_eea),
        super::steps::account::fee(&account.global_fee_outside_eea),
    );
    let count = account.global_markets_count.to_string();
    let args: Vec<(&str, String)> = match change {
        Change::NewStoreId => vec![("eid", eid.to_owned())],
        Change::OrderExpiry => vec![
            ("days", days(EXPIRY_SECONDS)),
            ("extend", days(EXTENSION_SECONDS)),
            ("max", days(MAX_LIFETIME_SECONDS)),
        ],
        Change::SettlementReports => vec![("formats", FORMATS.to_owned())],
        Change::Global => vec![("count", count), ("eea", eea), ("outside", outside)],
        Change::NewAgreement | Change::CheckoutReplaces => vec![("product", to.to_owned())],
        _ => Vec::new(),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let key = format!("changes.item.{}", change.code());
    (
        tr.f(&format!("{key}.title"), &args),
        tr.f(&format!("{key}.body"), &args),
    )
}
