//! Sign-in pages: ask for an email, "check your email", confirm the link.

use dioxus::prelude::*;

use crate::domain::access::StaffRole;

use super::{
    csrf_field,
    layout::{Ctx, Page, page},
};

pub fn sign_in(ctx: &Ctx, email: &str, error: Option<&str>) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    page(
        ctx,
        &tr.t("signin.title"),
        None,
        rsx! {
            section { class: "card narrow",
                h1 { {tr.t("signin.title")} }
                p { class: "lead", {tr.t("signin.lead")} }
                {super::error_summary(&tr, &error.map(|e| vec![("email", e.to_owned())]).unwrap_or_default())}
                form { method: "post", action: "/signin", novalidate: true,
                    {csrf_field(&csrf)}
                    label { r#for: "email", {tr.t("signin.email")} }
                    input {
                        id: "email", name: "email", r#type: "email", value: "{email}",
                        autocomplete: "email", required: true, autofocus: true,
                        "aria-invalid": if error.is_some() { "true" } else { "false" },
                        "aria-describedby": "email-error",
                    }
                    if let Some(e) = error {
                        p { class: "field-error", id: "email-error", role: "alert", "{e}" }
                    }
                    button { class: "button primary", r#type: "submit", {tr.t("signin.submit")} }
                }
                p { class: "hint", {tr.t("signin.hint")} }
            }
        },
    )
}

pub fn check_email(ctx: &Ctx, email: &str) -> Page {
    let tr = ctx.tr;
    page(
        ctx,
        &tr.t("signin.sent.title"),
        None,
        rsx! {
            section { class: "card narrow", id: "check-email",
                h1 { {tr.t("signin.sent.title")} }
                p { {tr.f("signin.sent.body", &[("email", email)])} }
                p { class: "hint", {tr.t("signin.sent.hint")} }
                p { a { href: "/signin", {tr.t("signin.sent.again")} } }
            }
        },
    )
}

pub fn confirm(ctx: &Ctx, token: &str) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    page(
        ctx,
        &tr.t("signin.confirm.title"),
        None,
        rsx! {
            section { class: "card narrow",
                h1 { {tr.t("signin.confirm.title")} }
                p { {tr.t("signin.confirm.body")} }
                form { method: "post", action: "/auth/confirm",
                    {csrf_field(&csrf)}
                    input { r#type: "hidden", name: "token", value: "{token}" }
                    button { class: "button primary", id: "confirm-sign-in", r#type: "submit", {tr.t("signin.confirm.submit")} }
                }
            }
        },
    )
}

pub fn link_invalid(ctx: &Ctx) -> Page {
    let tr = ctx.tr;
    page(
        ctx,
        &tr.t("signin.invalid.title"),
        None,
        rsx! {
            section { class: "card narrow error",
                h1 { {tr.t("signin.invalid.title")} }
                p { {tr.t("signin.invalid.body")} }
                p { a { class: "button primary", href: "/signin", {tr.t("signin.invalid.again")} } }
            }
        },
    )
}

pub fn other_browser(ctx: &Ctx) -> Page {
    let tr = ctx.tr;
    page(
        ctx,
        &tr.t("signin.other_browser.title"),
        None,
        rsx! {
            section { class: "card narrow error", id: "other-browser",
                h1 { {tr.t("signin.other_browser.title")} }
                p { {tr.t("signin.other_browser.body")} }
                p { a { class: "button primary", href: "/signin", {tr.t("signin.invalid.again")} } }
            }
        },
    )
}

pub fn rate_limited(ctx: &Ctx, retry_at: &str, minutes: i64) -> Page {
    let tr = ctx.tr;
    page(
        ctx,
        &tr.t("signin.limited.title"),
        None,
        rsx! {
            section { class: "card narrow error", id: "rate-limited",
                h1 { {tr.t("signin.limited.title")} }
                p { {tr.n("signin.limited.body", minutes, &[("time", retry_at), ("minutes", &minutes.to_string())])} }
                p { class: "hint", {tr.t("signin.limited.hint")} }
            }
        },
    )
}

/// The account page; `zone` is the time zone the person chose, if they did.
pub fn account(ctx: &Ctx, role: Option<StaffRole>, zone: Option<&str>) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let email = ctx.user.clone().unwrap_or_default();
    page(
        ctx,
        &tr.t("account_page.title"),
        None,
        rsx! {
            section { class: "card narrow",
                h1 { {tr.t("account_page.title")} }
                dl {
                    dt { {tr.t("signin.email")} } dd { "{email}" }
                    if let Some(role) = role {
                        dt { {tr.t("account_page.role")} } dd { {tr.t(&format!("role.{}", role.as_str()))} }
                    }
                }
                {super::locale::time_zone_setting(ctx, zone)}
                h2 { {tr.t("account_page.everywhere")} }
                p { {tr.t("account_page.everywhere_body")} }
                form { method: "post", action: "/account/sign-out-everywhere",
                    {csrf_field(&csrf)}
                    button { class: "button", r#type: "submit", id: "sign-out-everywhere", {tr.t("account_page.everywhere_button")} }
                }
            }
        },
    )
}
