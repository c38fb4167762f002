//! Step 5: the test purchase. The waiting page watches for the store's first order on
//! its new ID, with the API log and the sandbox's order form beside it.

use dioxus::prelude::*;

use super::test_market;
use crate::app::{
    capabilities::{self, Parity},
    paths, sandbox_order,
};
use crate::web::pages::stores::{read_only_note, store_nav};

use crate::{
    domain::{Environment, Step, Upgrade, credentials, money::Currency},
    i18n::format::money,
    store::{credentials::CredentialRow, events::OrderEvent},
    web::{
        access::StoreReader,
        pages::{
            TIME_SLOT, copyable, copyable_block, csrf_field,
            layout::{Page, page as layout},
            time_tag, timed,
        },
    },
};

/// What the waiting page knows of the store's events.
pub struct Watch<'a> {
    /// The store's events of the last 7 days, newest first.
    pub log: &'a [OrderEvent],
    /// The newest event id, so the live stream knows what the page has seen.
    pub latest: i64,
    /// What the new ID lacks of what the legacy store could do.
    pub parity: &'a Parity,
}

/// The built-in sandbox, when it is on: its order endpoint, and how "Place the test
/// purchase for me" just went (`placed`, a refusal's status, …).
pub struct Sandbox<'a> {
    pub url: &'a str,
    pub placed: Option<&'a str>,
}

pub fn waiting(
    admin: &StoreReader,
    upgrade: &Upgrade,
    issued: &[CredentialRow],
    watch: &Watch<'_>,
    sandbox: Option<Sandbox<'_>>,
) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let mid = upgrade.merchant_id.clone().unwrap_or_default();
    // Only a credential the platform accepts now: a revoked username would only fail.
    let now = crate::store::now();
    let username = credentials::in_use(issued, Environment::Live, now).map(|c| c.username.clone());
    let countries = admin.store.country_list();
    let (country, currency) = test_market(&countries);
    let test_order = watch
        .log
        .iter()
        .find(|e| e.kind == "order.created" && e.environment == "test" && e.merchant_id.is_some());
    // Intake decided (and marked) that the old plugin still takes orders.
    let legacy_order = upgrade.legacy_warned_at.and_then(|_| {
        watch
            .log
            .iter()
            .find(|e| e.kind == "order.created" && e.legacy_store_id.is_some())
    });
    // The newest event, when it is a failed call: what the admin's last try ran into.
    let api_error = watch.log.first().filter(|e| e.kind == "api.error");
    let live_url = format!(
        "{}?after={}&step={}",
        paths::store(eid).live(),
        watch.latest,
        upgrade.step
    );
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        section { class: "card", id: "test-purchase",
            {super::heading(&tr, Step::TestPurchase)}
            {read_only_note(admin)}
            {parity_box(&tr, eid, watch.parity)}
            ol { class: "howto",
                li { {tr.t("purchase.howto.shop")} }
                li { {tr.t("purchase.howto.live")} }
                li { {tr.t("purchase.howto.wait")} }
            }
            div { class: "watch", role: "status", "aria-live": "polite", "data-live": "{live_url}",
                span { class: "spinner", "aria-hidden": "true" }
                {tr.f("purchase.watching", &[("mid", &mid)])}
            }
            if let Some(e) = api_error {
                {api_error_alert(&tr, eid, e)}
            }
            if let Some(o) = legacy_order {
                div { class: "warning-box", role: "alert", id: "legacy-still-active",
                    strong { {tr.t("purchase.legacy.title")} }
                    p { {timed(&tr.f("purchase.legacy.body", &[("order", &o.order_id), ("eid", eid), ("time", TIME_SLOT)]), o.received_at)} }
                }
            }
            if let Some(o) = test_order {
                div { class: "ok", id: "test-order-seen",
                    strong { {tr.t("purchase.test_works.title")} }
                    p { {tr.f("purchase.test_works.body", &[("order", &o.order_id)])} }
                }
            }
            a { class: "button primary", href: paths::store(eid).step(Step::TestPurchase), id: "check-again", {tr.t("purchase.check_again")} }
            div { class: "hint", id: "test-environment",
                strong { {tr.t("testenv.title")} }
                p { {tr.f("testenv.body", &[("country", &tr.country(country))])} }
            }
            if let Some(sandbox) = &sandbox {
                {sandbox_box(admin, sandbox, username.as_deref(), currency, country)}
            }
            details { class: "help",
                summary { {tr.t("purchase.trouble.title")} }
                p { {tr.t("purchase.trouble.body")} }
                a { class: "button", href: paths::store(eid).trouble(), id: "get-help", {tr.t("purchase.trouble.link")} }
            }
        }
        {api_log(&tr, watch.log)}
    };
    layout(
        &ctx,
        &tr.t("step.test-purchase"),
        Some(&admin.banner()),
        body,
    )
}

/// What the legacy store could do and the new ID cannot, before the shop switches: each
/// would fail afterwards. Support can enable it; the request is written for the admin.
fn parity_box(tr: &crate::i18n::Tr, eid: &str, parity: &Parity) -> Element {
    match parity {
        Parity::Unknown => rsx! {},
        Parity::Unchecked => rsx! {
            p { class: "hint", id: "capabilities-unchecked", {tr.t("parity.unchecked")} }
        },
        Parity::Matched(_) => rsx! {
            p { class: "ok", id: "capabilities-matched", {tr.t("parity.matched")} }
        },
        Parity::Missing(gaps) => rsx! {
            div { class: "warning-box", id: "capabilities-missing", role: "alert",
                strong { {tr.t("parity.missing.title")} }
                ul {
                    for gap in gaps.iter() {
                        li { {capabilities::said(tr, gap)} }
                    }
                }
                p { {tr.t("parity.missing.body")} }
                a { class: "button", id: "ask-capabilities",
                    href: "{paths::store(eid).trouble()}?about=capabilities",
                    {tr.t("parity.missing.ask")}
                }
            }
        },
    }
}

/// A failed call beside the spinner: what its code means, and where help is.
fn api_error_alert(tr: &crate::i18n::Tr, eid: &str, e: &OrderEvent) -> Element {
    let code = e.error_code.clone().unwrap_or_default();
    rsx! {
        div { class: "warning-box", role: "alert", id: "api-error-alert",
            strong { {timed(&tr.f("apierror.alert", &[("code", &code), ("time", TIME_SLOT)]), e.received_at)} }
            p { {explain_error(tr, &code)} }
            a { href: paths::store(eid).trouble(), id: "api-error-help", {tr.t("apierror.help")} }
        }
    }
}

/// What an API error code means, in words; codes the platform may add later get a
/// general explanation.
pub fn explain_error(tr: &crate::i18n::Tr, code: &str) -> String {
    let reason = code.split_once(' ').map_or(code, |(_, reason)| reason);
    let key = format!("apierror.code.{reason}");
    if tr.has(&key) {
        tr.t(&key)
    } else {
        tr.t("apierror.code.other")
    }
}

/// The sandbox: the curl a shop's checkout sends, and a button that sends it from here.
fn sandbox_box(
    admin: &StoreReader,
    sandbox: &Sandbox<'_>,
    username: Option<&str>,
    currency: Currency,
    country: &str,
) -> Element {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let url = sandbox.url;
    let eid = admin.eid();
    let (amount, code) = (sandbox_order::AMOUNT, currency.code());
    // The password is the reader's to type in: its placeholder is in their words.
    let password = tr.t("placeorder.curl_password");
    let curl = username.map(|username| format!(
        "curl -u '{username}:{password}' -H 'Content-Type: application/json' \\\n  -d '{{\"amount\": {amount}, \"currency\": \"{code}\", \"country\": \"{country}\"}}' \\\n  {url}"
    ));
    let lead = tr.f(
        "placeorder.lead",
        &[
            ("amount", &money(tr.lang, currency, amount)),
            ("country", country),
        ],
    );
    let placed = sandbox.placed.map(|p| match p {
        "placed" => tr.t("placeorder.placed"),
        "no-credential" => tr.t("placeorder.no_credential"),
        "unreachable" => tr.t("placeorder.unreachable"),
        status => tr.f("placeorder.refused", &[("status", status)]),
    });
    rsx! {
        details { class: "sandbox", open: sandbox.placed.is_some(),
            summary { {tr.t("purchase.sandbox.title")} }
            p { {tr.f("purchase.sandbox.body", &[("password", &password)])} }
            if let (Some(curl), Some(username)) = (&curl, username) {
                {copyable_block(&tr, "sandbox-curl", curl, &tr.t("copy.what.command"))}
                p { {tr.t("copy.what.username")} ": " {copyable(&tr, "sandbox-username", username, &tr.t("copy.what.username"))} }
            } else {
                p { class: "warning-box", id: "no-active-credential",
                    {tr.t("purchase.credential.none")} " "
                    a { href: paths::store(eid).step(Step::Credentials), {tr.t("purchase.credential.link")} }
                }
            }
            if admin.relation.can_work() && username.is_some() {
                form { method: "post", action: paths::store(admin.eid()).sandbox_order(), id: "place-order-form",
                    {csrf_field(&csrf)}
                    h3 { {tr.t("placeorder.title")} }
                    p { "{lead}" }
                    if let Some(text) = &placed {
                        p { class: "hint", role: "status", id: "place-order-result", "{text}" }
                    }
                    label { r#for: "place-order-password", {tr.t("placeorder.password")} }
                    input { id: "place-order-password", name: "password", r#type: "password", autocomplete: "off", required: true }
                    button { class: "button", r#type: "submit", id: "place-order", {tr.t("placeorder.submit")} }
                }
            }
        }
    }
}

/// The store's platform events of the last 7 days: what a failed purchase left behind.
pub fn api_log(tr: &crate::i18n::Tr, log: &[OrderEvent]) -> Element {
    rsx! {
        section { class: "card", id: "api-log",
            h2 { {tr.t("apilog.title")} }
            if log.is_empty() {
                p { class: "hint", {tr.t("apilog.empty")} }
            } else {
                table { class: "list",
                    thead { tr {
                        th { {tr.t("apilog.time")} } th { {tr.t("apilog.event")} } th { {tr.t("apilog.order")} }
                        th { {tr.t("apilog.error")} } th { {tr.t("apilog.correlation")} } th { {tr.t("apilog.user_agent")} }
                    } }
                    tbody {
                        for e in log.iter() {
                            tr { class: if e.kind == "api.error" { "error-row" } else { "" },
                                td { "data-label": tr.t("apilog.time"), {time_tag(e.received_at)} }
                                td { "data-label": tr.t("apilog.event"), div { code { "{e.kind}" } " " {tr.t(&format!("env.{}", e.environment))} } }
                                td { "data-label": tr.t("apilog.order"),
                                    div {
                                        "{e.order_id} "
                                        {e.merchant_id.clone().or_else(|| e.legacy_store_id.clone()).unwrap_or_default()}
                                    }
                                }
                                td { "data-label": tr.t("apilog.error"),
                                    div {
                                        code { {e.error_code.clone().unwrap_or_default()} }
                                        if let Some(code) = e.error_code.as_deref() {
                                            br {}
                                            span { class: "small", {explain_error(tr, code)} }
                                        }
                                    }
                                }
                                td { "data-label": tr.t("apilog.correlation"), {e.correlation_id.clone().unwrap_or_default()} }
                                td { class: "small", "data-label": tr.t("apilog.user_agent"), {e.user_agent.clone().unwrap_or_default()} }
                            }
                        }
                    }
                }
            }
        }
    }
}
