use dioxus::prelude::*;
use secrecy::ExposeSecret;

use crate::app::paths;
use crate::domain::credentials::GRACE_CHOICES;
use crate::{
    domain::{Environment, Step, Upgrade, credentials::NewCredentials},
    i18n::Tr,
    store::{self, credentials::CredentialRow},
    web::{
        access::StoreReader,
        pages::{
            TIME_SLOT, csrf_field,
            layout::{Page, page as layout},
            stores::{read_only_note, store_nav},
            time_tag, timed,
        },
    },
};

/// A revocation being asked about: which credential, and whether it is the last live one.
pub struct Revoking<'a> {
    pub credential: &'a CredentialRow,
    pub last_live: bool,
}

/// `fresh` is non-empty only in the response that created the credentials: the one time
/// their passwords are shown.
pub fn page(
    admin: &StoreReader,
    upgrade: &Upgrade,
    issued: &[CredentialRow],
    fresh: &[NewCredentials],
) -> Page {
    with_question(admin, upgrade, issued, fresh, None)
}

/// The step asking whether to revoke a credential: Confirm revokes, Cancel changes nothing.
pub fn confirm_revoke(
    admin: &StoreReader,
    upgrade: &Upgrade,
    issued: &[CredentialRow],
    revoking: &Revoking<'_>,
) -> Page {
    with_question(admin, upgrade, issued, &[], Some(revoking))
}

fn with_question(
    admin: &StoreReader,
    upgrade: &Upgrade,
    issued: &[CredentialRow],
    fresh: &[NewCredentials],
    revoking: Option<&Revoking<'_>>,
) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let mid = upgrade.merchant_id.clone().unwrap_or_default();
    let test_mid = upgrade
        .test_merchant_id
        .clone()
        .unwrap_or_else(|| "—".to_owned());
    let next = if upgrade.step == Step::Integration {
        paths::store(eid).step(Step::Integration)
    } else {
        paths::store(eid).upgrade()
    };
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        if let Some(r) = revoking {
            {question(&tr, eid, &csrf, r)}
        }
        section { class: "card",
            {super::heading(&tr, Step::Credentials)}
            {read_only_note(admin)}
            if !fresh.is_empty() {
                div { class: "secret-box", id: "new-credentials",
                    p { class: "warning", role: "alert", strong { {tr.t("credentials.once")} } }
                    for c in fresh.iter() {
                        {shown_once(&tr, c)}
                    }
                }
                a { class: "button primary", href: next, id: "to-integration", {tr.t("credentials.saved_continue")} }
            } else if issued.is_empty() && !admin.can_act() {
                p { {tr.t("credentials.not_yet")} }
            } else if issued.is_empty() {
                p { {tr.t("credentials.explain")} }
                form { method: "post", action: paths::store(eid).step(Step::Credentials),
                    {csrf_field(&csrf)}
                    button { class: "button primary", r#type: "submit", id: "generate-credentials", {tr.t("credentials.generate")} }
                }
            } else {
                p { {tr.f("credentials.mid_is", &[("mid", &mid), ("test_mid", &test_mid)])} }
                {list(&tr, admin, issued, &csrf)}
                p { class: "hint", {tr.t("credentials.hidden")} }
                if admin.can_act() {
                    form { method: "post", action: paths::store(eid).rotate_credentials(), class: "rotate",
                        {csrf_field(&csrf)}
                        h2 { {tr.t("credentials.rotate")} }
                        p { {tr.t("credentials.rotate_lead")} }
                        label { r#for: "rotate-environment", {tr.t("credentials.environment")} }
                        select { id: "rotate-environment", name: "environment",
                            option { value: "live", {tr.t("env.live")} }
                            option { value: "test", {tr.t("env.test")} }
                        }
                        label { r#for: "grace", {tr.t("credentials.grace")} }
                        select { id: "grace", name: "grace",
                            for g in GRACE_CHOICES {
                                option { value: "{g}", {tr.t(&format!("credentials.grace_{g}"))} }
                            }
                        }
                        button { class: "button", r#type: "submit", id: "rotate-credentials", {tr.t("credentials.rotate_button")} }
                    }
                }
                a { class: "button primary", href: paths::store(eid).upgrade(), {tr.t("common.continue")} }
            }
        }
    };
    layout(&ctx, &tr.t("step.credentials"), Some(&admin.banner()), body)
}

fn question(tr: &Tr, eid: &str, csrf: &str, r: &Revoking<'_>) -> Element {
    let username = r.credential.username.as_str();
    rsx! {
        section { class: "card confirm", id: "confirm-revoke", role: "alert",
            h2 { {tr.f("credentials.confirm.title", &[("username", username)])} }
            p { {tr.t("credentials.confirm.body")} }
            if r.last_live {
                p { class: "warning-box", id: "last-live-credential", strong { {tr.t("credentials.confirm.last_live")} } }
            }
            form { method: "post", action: paths::store(eid).revoke_credential(r.credential.id), class: "inline",
                {csrf_field(csrf)}
                input { r#type: "hidden", name: "confirm", value: "yes" }
                button { class: "button danger", r#type: "submit", id: "confirm-revoke-button", {tr.f("credentials.confirm.yes", &[("username", username)])} }
            }
            " "
            a { class: "button", href: paths::store(eid).step(Step::Credentials), id: "cancel-revoke", {tr.t("credentials.confirm.cancel")} }
        }
    }
}

/// One new MID + username + password, with element ids the tests and the copy buttons use
/// (`api-*` for live, `test-*` for test).
fn shown_once(tr: &Tr, c: &NewCredentials) -> Element {
    let env = c.merchant_id.environment();
    let (mid_id, user_id, pass_id) = match env {
        Environment::Live => ("merchant-id", "api-username", "api-password"),
        Environment::Test => ("test-merchant-id", "test-username", "test-password"),
    };
    rsx! {
        h2 { {tr.t(&format!("credentials.heading_{}", env.as_str()))} }
        dl {
            dt { {tr.t("credentials.mid")} } dd { {super::super::copyable(tr, mid_id, c.merchant_id.as_str(), &tr.t("copy.what.mid"))} }
            dt { {tr.t("credentials.username")} }
            dd { {super::super::copyable(tr, user_id, &c.username, &tr.t("copy.what.username"))} }
            dt { {tr.t("credentials.password")} }
            dd {
                code { id: "{pass_id}", "{c.password.expose_secret()}" }
                button { class: "button small copy", r#type: "button", hidden: true, "data-copy": "{pass_id}", {tr.t("copy.button")} }
            }
        }
    }
}

fn list(tr: &Tr, admin: &StoreReader, issued: &[CredentialRow], csrf: &str) -> Element {
    let eid = admin.eid();
    let now = store::now();
    rsx! {
        table { class: "list", id: "credentials",
            thead { tr {
                th { {tr.t("credentials.username")} } th { {tr.t("credentials.environment")} }
                th { {tr.t("credentials.created")} } th { {tr.t("credentials.last_used")} }
                th { {tr.t("credentials.status")} } th {}
            } }
            tbody {
                for c in issued.iter() {
                    tr {
                        td { "data-label": tr.t("credentials.username"), {super::super::copyable(tr, &format!("credential-{}", c.id), &c.username, &tr.t("copy.what.username"))} }
                        td { "data-label": tr.t("credentials.environment"), {tr.t(&format!("env.{}", c.environment.as_str()))} }
                        td { "data-label": tr.t("credentials.created"), {time_tag(c.created_at)} }
                        td { "data-label": tr.t("credentials.last_used"), if let Some(at) = c.last_used_at { {time_tag(at)} } else { {tr.t("credentials.never")} } }
                        td { "data-label": tr.t("credentials.status"), div { {status(tr, c, now)} } }
                        td {
                            if admin.can_act() && c.is_active(now) {
                                form { method: "post", action: paths::store(eid).revoke_credential(c.id), class: "inline",
                                    {csrf_field(csrf)}
                                    button { class: "button small", r#type: "submit", {tr.t("credentials.revoke")} }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status(tr: &Tr, c: &CredentialRow, now: i64) -> Element {
    let (key, at) = match (c.revoked_at, c.expires_at) {
        (Some(at), _) => ("credentials.revoked_at", at),
        (None, Some(at)) if at <= now => ("credentials.expired_at", at),
        (None, Some(at)) => ("credentials.expires_at", at),
        (None, None) => return rsx! { {tr.t("credentials.active")} },
    };
    timed(&tr.f(key, &[("time", TIME_SLOT)]), at)
}

/// The page of a handoff link, for the delegate it was sent to: what taking it does and
/// the button, or why it no longer works (`open` false: taken, or past its 24 hours).
pub fn handoff(reader: &StoreReader, h: &store::credentials::Handoff, open: bool) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let grace = tr.t(&format!("credentials.grace_{}", h.grace));
    let body = rsx! {
        section { class: "card narrow", id: "handoff",
            h1 { {tr.t("handoff.title")} }
            if open {
                p { {tr.f("handoff.lead", &[("admin", &h.created_by), ("store", &reader.store.name)])} }
                p { class: "warning-box", {tr.f("handoff.warning", &[("grace", &grace)])} }
                p { {timed(&tr.f("handoff.expires", &[("time", TIME_SLOT)]), h.expires_at)} }
                form { method: "post", action: "", id: "take-handoff",
                    {csrf_field(&csrf)}
                    button { class: "button primary", r#type: "submit", {tr.t("handoff.take")} }
                }
            } else {
                p { class: "error", role: "alert", id: "handoff-spent", {tr.t("handoff.spent")} }
            }
        }
    };
    layout(&ctx, &tr.t("handoff.title"), None, body)
}
