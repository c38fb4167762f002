//! Step 4: the plugin for the store's shop platform and where each credential goes,
//! then the platform's setup check and the store health check.

mod results;

use dioxus::prelude::*;

use results::{health_result, setup_result};

use crate::{
    app::paths,
    domain::{
        Environment, Step, Upgrade,
        catalog::{Catalog, Integration},
        credentials,
        setup_check::Finding,
        upgrade::ChecklistItem,
    },
    shop::{Refusal, Report},
    store::{self, credentials::CredentialRow},
    web::{
        access::StoreReader,
        pages::{
            copyable, csrf_field, error_summary,
            layout::{Page, page as layout},
            stores::{read_only_note, store_nav},
        },
    },
};

/// What the integration page shows besides the guidance: the result of the form just
/// submitted, if any.
#[derive(Debug, Default)]
pub struct View {
    /// Checklist items left unticked on a submit.
    pub missing: Vec<ChecklistItem>,
    pub setup: Option<SetupResult>,
    /// The address checked, and what came of it.
    pub health: Option<(String, HealthOutcome)>,
}

#[derive(Debug)]
pub struct SetupResult {
    pub field: Environment,
    /// As the checker read it (whitespace removed); the password is never echoed.
    pub username: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug)]
pub enum HealthOutcome {
    Refused(Refusal),
    RateLimited { retry_at: i64 },
    Checked(Report),
}

pub fn page(
    catalog: &Catalog,
    admin: &StoreReader,
    upgrade: &Upgrade,
    issued: &[CredentialRow],
    view: View,
) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let platform = catalog.platform_or_custom(&admin.store.platform);
    let path = catalog.path(&upgrade.path_id);
    let product = |code: Option<&String>| {
        code.and_then(|c| catalog.product(c))
            .map_or_else(String::new, |p| p.name.clone())
    };
    let (to, from) = (product(path.map(|p| &p.to)), product(path.map(|p| &p.from)));
    let to_code = path.map_or("", |p| p.to.as_str());
    let (integration, plugin, install) = catalog.guide(platform, to_code, tr.lang.code());
    let kind = match integration {
        Integration::Checkout => "checkout",
        Integration::PaymentMethod => "payment_method",
    };
    let now = store::now();
    let newest_active = |env: Environment| {
        credentials::in_use(issued, env, now).map_or_else(|| "—".to_owned(), |c| c.username.clone())
    };
    let field_value = |v: &str| match v {
        "merchant_id" => upgrade.merchant_id.clone().unwrap_or_default(),
        "test_merchant_id" => upgrade.test_merchant_id.clone().unwrap_or_default(),
        "username" => newest_active(Environment::Live),
        "test_username" => newest_active(Environment::Test),
        "password" | "test_password" => tr.t("integration.your_password"),
        other => tr.t(&format!("integration.value.{other}")),
    };
    let done = upgrade.step > Step::Integration;
    let countries = admin.store.country_list();
    let (country, _) = super::test_market(&countries);
    let shop_url = match &view.health {
        Some((url, _)) => url.clone(),
        None => admin.store.store_url.clone(),
    };
    // Ticking a box is the fix, so each link names the box still unticked.
    let missing: Vec<(&str, String)> = view
        .missing
        .iter()
        .map(|m| {
            (
                m.as_str(),
                tr.t(&format!("integration.check.{}", m.as_str())),
            )
        })
        .collect();
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        {error_summary(&tr, &missing)}
        section { class: "card",
            {super::heading(&tr, Step::Integration)}
            {read_only_note(admin)}
            h2 { {tr.f("integration.for_platform", &[("platform", catalog.platform_name(platform, tr.lang.code()))])} }
            p { class: "lead", id: "integration-kind", "data-integration": kind,
                {tr.f(&format!("guide.{kind}"), &[("product", &to), ("legacy", &from)])}
            }
            p { strong { {tr.t("integration.install")} } " {plugin}" }
            p { "{install}" }
            table { class: "list", id: "plugin-fields",
                thead { tr { th { {tr.t("integration.field")} } th { {tr.t("integration.value_col")} } th { {tr.t("integration.where")} } } }
                tbody {
                    for f in platform.fields.iter() {
                        tr {
                            td { "data-label": tr.t("integration.field"), {catalog.field_text(platform, f, tr.lang.code()).0} }
                            td { "data-label": tr.t("integration.value_col"),
                                if let Some(what) = copy_what(&f.value) {
                                    {copyable(&tr, &format!("field-{}", f.value), &field_value(&f.value), &tr.t(what))}
                                } else {
                                    code { {field_value(&f.value)} }
                                }
                            }
                            td { "data-label": tr.t("integration.where"), {catalog.field_text(platform, f, tr.lang.code()).1} }
                        }
                    }
                }
            }
            div { class: "hint", id: "test-environment",
                strong { {tr.t("testenv.title")} }
                p { {tr.f("testenv.body", &[("country", &tr.country(country))])} }
            }
        }
        if admin.relation.can_work() {
            section { class: "card", id: "setup-check",
                h2 { {tr.t("setup_check.title")} }
                p { {tr.t("setup_check.lead")} }
                if let Some(result) = &view.setup {
                    {setup_result(&tr, admin, upgrade, result)}
                }
                form { method: "post", action: format!("{}#setup-check", paths::store(eid).setup_check()),
                    {csrf_field(&csrf)}
                    fieldset {
                        legend { {tr.t("setup_check.field")} }
                        for env in [Environment::Live, Environment::Test] {
                            label { class: "inline",
                                input { r#type: "radio", name: "field", value: env.as_str(),
                                    checked: view.setup.as_ref().map_or(env == Environment::Live, |s| s.field == env) }
                                {tr.t(&format!("setup_check.field_{}", env.as_str()))}
                            }
                        }
                    }
                    label { r#for: "check-username", {tr.t("setup_check.username")} }
                    input { id: "check-username", name: "username", r#type: "text", autocomplete: "off", spellcheck: "false",
                        value: view.setup.as_ref().map(|s| s.username.clone()).unwrap_or_default() }
                    label { r#for: "check-password", {tr.t("setup_check.password")} }
                    input { id: "check-password", name: "password", r#type: "password", autocomplete: "off" }
                    p { class: "hint", {tr.t("setup_check.password_hint")} }
                    button { class: "button", r#type: "submit", id: "run-setup-check", {tr.t("setup_check.submit")} }
                }
            }
            section { class: "card", id: "health-check",
                h2 { {tr.t("health.title")} }
                p { {tr.t("health.lead")} }
                if let Some((_, outcome)) = &view.health {
                    {health_result(&tr, catalog, outcome)}
                }
                form { method: "post", action: format!("{}#health-check", paths::store(eid).health_check()),
                    {csrf_field(&csrf)}
                    label { r#for: "shop-url", {tr.t("health.url")} }
                    input { id: "shop-url", name: "url", r#type: "url", value: "{shop_url}", required: true }
                    button { class: "button", r#type: "submit", id: "run-health-check", {tr.t("health.submit")} }
                }
            }
        }
        section { class: "card",
            h2 { {tr.t("integration.checklist")} }
            p { {tr.t("integration.checklist_why")} }
            form { method: "post", action: paths::store(eid).step(Step::Integration),
                {csrf_field(&csrf)}
                if !view.missing.is_empty() {
                    p { class: "form-error", {tr.t("integration.error.missing")} }
                }
                for item in ChecklistItem::ALL {
                    label { class: if view.missing.contains(&item) { "check missing" } else { "check" },
                        input { r#type: "checkbox", name: "{item.as_str()}", value: "yes", id: "{item.as_str()}",
                            "aria-invalid": if view.missing.contains(&item) { "true" } else { "false" },
                            checked: done || upgrade.checklist.contains(item), disabled: !admin.relation.can_work() || done }
                        {tr.t(&format!("integration.check.{}", item.as_str()))}
                    }
                }
                if !done && admin.relation.can_work() {
                    button { class: "button primary", r#type: "submit", id: "confirm-integration", {tr.t("integration.confirm")} }
                    p { class: "hint", {tr.t("integration.checklist_saved")} }
                }
            }
            if done {
                a { class: "button primary", href: paths::store(eid).upgrade(), {tr.t("common.continue")} }
            }
        }
    };
    layout(&ctx, &tr.t("step.integration"), Some(&admin.banner()), body)
}

/// Which values of the plugin's fields are IDs or usernames worth a copy button.
fn copy_what(value: &str) -> Option<&'static str> {
    match value {
        "merchant_id" | "test_merchant_id" => Some("copy.what.mid"),
        "username" | "test_username" => Some("copy.what.username"),
        _ => None,
    }
}
