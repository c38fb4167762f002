use dioxus::prelude::*;

use crate::web::pages::stores::{read_only_note, store_nav};

use crate::{
    domain::{Step, catalog::Catalog},
    store::credentials::CredentialRow,
    web::{
        access::StoreReader,
        pages::{
            csrf_field,
            layout::{Page, page as layout},
        },
        upgrade::CHECKLIST,
    },
};

pub fn page(
    catalog: &Catalog,
    admin: &StoreReader,
    issued: &[CredentialRow],
    missing: &[&str],
) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let platform = catalog.platform_or_custom(&admin.store.platform);
    let live_username = issued
        .iter()
        .find(|c| c.environment == "live")
        .map(|c| c.username.clone())
        .unwrap_or_default();
    let done = admin.upgrade.step() > Step::Integration;
    let field_value = |v: &str| match v {
        "username" => live_username.clone(),
        "password" => tr.t("integration.your_password"),
        other => tr.t(&format!("integration.value.{other}")),
    };
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        section { class: "card",
            {super::heading(&tr, Step::Integration)}
            {read_only_note(admin)}
            h2 { {tr.f("integration.for_platform", &[("platform", &platform.name)])} }
            p { strong { {tr.t("integration.install")} } " {platform.plugin}" }
            p { "{platform.install}" }
            table { class: "list", id: "plugin-fields",
                thead { tr { th { {tr.t("integration.field")} } th { {tr.t("integration.value_col")} } th { {tr.t("integration.where")} } } }
                tbody {
                    for f in platform.fields.iter() {
                        tr { td { "{f.label}" } td { code { {field_value(&f.value)} } } td { "{f.location}" } }
                    }
                }
            }
            h2 { {tr.t("integration.checklist")} }
            p { {tr.t("integration.checklist_why")} }
            form { method: "post", action: "/stores/{eid}/upgrade/integration",
                {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                if !missing.is_empty() {
                    p { class: "form-error", role: "alert", {tr.t("integration.error.missing")} }
                }
                for item in CHECKLIST {
                    label { class: if missing.contains(&item) { "check missing" } else { "check" },
                        input { r#type: "checkbox", name: "{item}", value: "yes", id: "{item}", checked: done, disabled: !admin.can_act() }
                        {tr.t(&format!("integration.check.{item}"))}
                    }
                }
                if !done && admin.can_act() {
                    button { class: "button primary", r#type: "submit", id: "confirm-integration", {tr.t("integration.confirm")} }
                }
            }
            if done {
                a { class: "button primary", href: "/stores/{eid}/upgrade", {tr.t("common.continue")} }
            }
        }
    };
    layout(&ctx, &tr.t("step.integration"), Some(&admin.banner()), body)
}
