use dioxus::prelude::*;

use crate::app::paths;
use crate::web::pages::stores::{read_only_note, store_nav};

use crate::{
    domain::{Step, Upgrade, catalog::Catalog},
    web::{
        access::StoreReader,
        pages::{
            csrf_field,
            layout::{Page, page as layout},
        },
    },
};

pub fn page(catalog: &Catalog, admin: &StoreReader, upgrade: &Upgrade) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let account = &catalog.account;
    let countries = admin.store.country_list();
    let global_on = upgrade.global_enabled;
    let markets = account.global_markets_count.to_string();
    // By name in the reader's language: a merchant knows "Norway", not always "NO".
    let primary: Vec<String> = account
        .primary_markets
        .iter()
        .map(|c| tr.country(c))
        .collect();
    let primary = primary.join(", ");
    let done = upgrade.step > Step::Account;
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        section { class: "card",
            {super::heading(&tr, Step::Account)}
            {read_only_note(admin)}
            h2 { {tr.t("account.european")} }
            p { {tr.t("account.countries_kept")} }
            ul { class: "chips", id: "kept-countries",
                for c in countries.iter() { li { class: "chip", title: "{c}", {tr.country(c)} } }
            }
            p { class: "hint", id: "primary-markets", {tr.f("account.primary", &[("markets", &primary)])} }
            form { method: "post", action: paths::store(eid).step(Step::Account),
                {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                h2 { {tr.t("account.global")} }
                label { class: "check",
                    input { r#type: "checkbox", name: "global", value: "on", id: "global", checked: global_on, disabled: !admin.can_act() }
                    {tr.f("account.global_label", &[("markets", &markets)])}
                }
                table { class: "fees",
                    caption { {tr.t("account.fees")} }
                    thead { tr { th { {tr.t("account.where")} } th { {tr.t("account.fee")} } } }
                    tbody {
                        tr { td { {tr.t("account.eea")} } td { {fee(&account.global_fee_eea)} } }
                        tr { td { {tr.t("account.outside_eea")} } td { {fee(&account.global_fee_outside_eea)} } }
                    }
                }
                p { class: "hint", id: "later-through-sales", {tr.t("account.later.sales")} }
                if admin.can_act() {
                    button { class: "button primary", r#type: "submit", id: "save-account",
                        {tr.t(if done { "account.save" } else { "common.continue" })}
                    }
                }
            }
        }
    };
    layout(&ctx, &tr.t("step.account"), Some(&admin.banner()), body)
}

/// A fee as the request's language writes it: `1.29% + €0.35`, `1,29 % + 0,35 €`.
pub(crate) fn fee(f: &crate::domain::catalog::Fee) -> String {
    use crate::i18n::{format, request_lang};
    let lang = request_lang();
    let currency = match f.currency {
        crate::domain::catalog::Currency::EUR => "EUR",
    };
    let fixed = crate::domain::money::Currency::parse(currency)
        .map(|c| format::money(lang, c, f.fixed_minor))
        .unwrap_or_default();
    format!(
        "{} + {fixed}",
        format::percent(lang, i64::from(f.basis_points))
    )
}
