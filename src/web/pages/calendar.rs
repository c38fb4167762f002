//! The calendar feed's section on a store's overview, and the partner's page of feeds:
//! add-to-calendar links, the address to copy, and rotating it.

use dioxus::prelude::*;

use super::{
    copyable, csrf_field,
    layout::{Ctx, Page, page},
};
use crate::i18n::Tr;

/// The form that gives a feed a new address: where it posts, its hidden fields, and the
/// CSRF token.
pub struct Rotate<'a> {
    pub action: &'a str,
    pub fields: &'a [(&'a str, String)],
    pub csrf: &'a str,
}

/// A feed's links: `url` is its https address; `rotate` the form, for someone who may
/// give it a new address.
pub fn feed(tr: &Tr, id: &str, url: &str, rotate: Option<Rotate<'_>>) -> Element {
    let webcal = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map_or_else(|| url.to_owned(), |rest| format!("webcal://{rest}"));
    let google = format!(
        "https://calendar.google.com/calendar/r?cid={}",
        url::form_urlencoded::byte_serialize(webcal.as_bytes()).collect::<String>()
    );
    rsx! {
        div { class: "calendar-links",
            a { class: "button", id: "{id}-webcal", href: "{webcal}", {tr.t("calendar.add")} }
            a { class: "button", id: "{id}-google", href: "{google}", rel: "noopener", {tr.t("calendar.add_google")} }
            a { class: "button", id: "{id}-download", href: "{url}", download: "switchyard.ics", {tr.t("calendar.download")} }
        }
        p { class: "hint", {tr.t("calendar.copy_hint")} }
        {copyable(tr, &format!("{id}-url"), url, &tr.t("calendar.address"))}
        if let Some(Rotate { action, fields, csrf }) = rotate {
            form { method: "post", action: "{action}", class: "inline-form",
                {csrf_field(csrf)}
                for (name, value) in fields.iter() {
                    input { r#type: "hidden", name: "{name}", value: "{value}" }
                }
                button { class: "button small", r#type: "submit", id: "{id}-rotate", {tr.t("calendar.rotate")} }
                span { class: "hint", " " {tr.t("calendar.rotate_hint")} }
            }
        }
    }
}

/// The store overview's section.
pub fn store_section(ctx: &Ctx, eid: &str, url: &str, admin: bool) -> Element {
    let tr = &ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let action = format!("/stores/{eid}/calendar/rotate");
    rsx! {
        section { class: "card", id: "calendar",
            h2 { {tr.t("calendar.title")} }
            p { class: "hint", {tr.t("calendar.store_lead")} }
            {feed(tr, "calendar", url, admin.then_some(Rotate { action: &action, fields: &[], csrf: &csrf }))}
        }
    }
}

/// A partner manager's feeds: (partner id, name, https address).
pub fn partner(ctx: &Ctx, feeds: &[(i64, String, String)]) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("calendar.partner_title")} }
            p { class: "lead", {tr.t("calendar.partner_lead")} }
        }
        for (id, name, url) in feeds.iter() {
            section { class: "card", id: "calendar-partner-{id}",
                h2 { "{name}" }
                {feed(&tr, &format!("calendar-{id}"), url, Some(Rotate { action: "/partner/calendar/rotate", fields: &[("partner", id.to_string())], csrf: &csrf }))}
            }
        }
    };
    page(ctx, &tr.t("calendar.partner_title"), None, body)
}
