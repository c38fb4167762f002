//! The frame of every page: header, optional step banner, content, footer.

use dioxus::prelude::*;

use super::csrf_field;
use crate::app::paths;
use crate::{
    domain::{Step, access::StaffRole, sunset::Phase},
    i18n::{Lang, Tr},
};

/// What every page needs to know about the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Ctx {
    pub tr: Tr,
    /// The signed-in person's email.
    pub user: Option<String>,
    /// Their staff role, which adds the staff pages to the menu.
    pub role: Option<StaffRole>,
    pub csrf: Option<String>,
}

impl Default for Ctx {
    /// A page for someone not signed in, in the request's language.
    fn default() -> Self {
        Ctx {
            tr: Tr::current(),
            user: None,
            role: None,
            csrf: None,
        }
    }
}

/// The step banner's input: which store and where its upgrade stands.
#[derive(Debug, Clone, PartialEq)]
pub struct BannerInfo {
    pub legacy_store_id: String,
    pub step: Step,
    /// The legacy store's sunset day and its countdown, shown on every step.
    pub sunset: Option<(time::Date, Phase)>,
    /// The day the sunset was before it moved lately.
    pub sunset_moved_from: Option<time::Date>,
    /// An announced brownout of the legacy store within 14 days (start, end).
    pub brownout: Option<(i64, i64)>,
}

/// A whole page: its title and the body content inside the frame.
pub struct Page {
    pub lang: &'static str,
    pub title: String,
    pub body: Element,
}

pub fn page(ctx: &Ctx, title: &str, banner: Option<&BannerInfo>, body: Element) -> Page {
    let tr = ctx.tr;
    let app = tr.t("app.name");
    let body = rsx! {
        a { class: "skip", href: "#main", {tr.t("layout.skip")} }
        header { class: "top",
            a { class: "brand", href: "/", span { class: "logo", "aria-hidden": "true", "⇄" } "{app}" }
            nav { "aria-label": tr.t("layout.nav"),
                if let Some(user) = &ctx.user {
                    a { href: "/", {tr.t("layout.my_stores")} }
                    if ctx.role == Some(StaffRole::Support) {
                        a { href: "/support/requests", {tr.t("layout.support_requests")} }
                        a { href: "/support/stalled", {tr.t("layout.stalled")} }
                        a { href: "/support/extensions", {tr.t("layout.extensions")} }
                        a { href: "/support/queue", {tr.t("layout.my_queue")} }
                        a { href: "/audit", {tr.t("layout.audit")} }
                    }
                    if ctx.role == Some(StaffRole::PartnerManager) {
                        a { href: "/partner", {tr.t("layout.partner")} }
                        a { href: "/partner/api", {tr.t("layout.partner_api")} }
                    }
                    if ctx.role == Some(StaffRole::Operator) {
                        a { href: "/staff", {tr.t("layout.staff")} }
                        a { href: "/staff/sunsets", {tr.t("layout.sunsets")} }
                        a { href: "/staff/brownouts", {tr.t("brownouts.title")} }
                    }
                    a { href: "/account", {tr.t("layout.account")} }
                    span { class: "who", "{user}" }
                    form { method: "post", action: "/signout", class: "inline",
                        {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                        button { class: "link", r#type: "submit", id: "sign-out", {tr.t("layout.sign_out")} }
                    }
                } else {
                    a { href: "/signin", {tr.t("layout.sign_in")} }
                }
            }
            {language_switch(ctx)}
        }
        if let Some(b) = banner {
            {step_banner(&tr, b)}
        }
        main { id: "main",
            if let Some(notice) = crate::web::notice::take() {
                p { class: "ok notice", role: "status", id: "notice", "{notice}" }
            }
            if let Some(b) = banner {
                {sunset_moved(&tr, b)}
                if let Some((start, end)) = b.brownout {
                    p { class: "warning-box", id: "brownout-coming",
                        {super::timed(&tr.f("brownouts.banner", &[("start", super::TIME_SLOT)]), start)} " "
                        {super::timed(&tr.f("brownouts.banner_end", &[("end", super::TIME_SLOT)]), end)}
                    }
                }
            }
            {body}
        }
        footer { class: "bottom", {tr.t("layout.footer")} " · "
            a { href: crate::app::sunsets::CHANGELOG, id: "to-sunsets", {tr.t("sunsets.title")} }
        }
    };
    Page {
        lang: tr.lang.code(),
        title: format!("{title} · {app}"),
        body,
    }
}

/// For a month after the store's sunset moved: from when to when, and where every change
/// is listed.
fn sunset_moved(tr: &Tr, b: &BannerInfo) -> Element {
    let (Some(old), Some((new, _))) = (b.sunset_moved_from, b.sunset) else {
        return rsx! {};
    };
    let (old, new) = (
        crate::i18n::format::date(tr.lang, old),
        crate::i18n::format::date(tr.lang, new),
    );
    rsx! {
        p { class: "warning-box", id: "sunset-moved",
            {tr.f("sunsets.moved", &[("old", &old), ("new", &new)])} " "
            a { href: crate::app::sunsets::CHANGELOG, {tr.t("sunsets.all_changes")} }
        }
    }
}

/// The banner at the top of every store page while its upgrade is unfinished.
/// The language switcher: a plain form, so it works without JavaScript (which only
/// submits it on change).
fn language_switch(ctx: &Ctx) -> Element {
    let tr = ctx.tr;
    let Some(csrf) = ctx.csrf.as_deref() else {
        return rsx! {};
    };
    rsx! {
        form { method: "post", action: "/language", class: "lang-switch", id: "language-switch",
            {csrf_field(csrf)}
            label { r#for: "lang", class: "visually-hidden", {tr.t("layout.language")} }
            select { id: "lang", name: "lang",
                for l in Lang::ALL {
                    option { value: "{l.code()}", lang: "{l.code()}", selected: l == tr.lang, "{l.name()}" }
                }
            }
            button { class: "link", r#type: "submit", id: "change-language", {tr.t("layout.change_language")} }
        }
    }
}

pub fn step_banner(tr: &Tr, b: &BannerInfo) -> Element {
    if b.step == Step::Complete {
        return rsx! {};
    }
    let current = b.step;
    let total = Step::WIZARD.len().to_string();
    let n = current.number().to_string();
    let now_label = tr.t(&format!("step.{}", current.as_str()));
    let next = current
        .next()
        .map(|s| {
            tr.f(
                "banner.next",
                &[("step", &tr.t(&format!("step.{}", s.as_str())))],
            )
        })
        .unwrap_or_default();
    let eid = &b.legacy_store_id;
    rsx! {
        section { class: "banner", id: "step-banner", "aria-label": tr.t("banner.label"), "data-step": "{current}",
            div { class: "banner-text",
                strong { {tr.f("banner.step_of", &[("n", &n), ("total", &total)])} ": {now_label}" }
                span { class: "next", " {next}" }
                {super::sunset::countdown(tr, eid, b.sunset)}
                a { class: "button small", href: paths::store(eid).upgrade(), {tr.t("banner.resume")} }
            }
            ol { class: "steps",
                for step in Step::WIZARD {
                    li {
                        class: if step < current { "done" } else if step == current { "current" } else { "todo" },
                        "aria-current": if step == current { "step" } else { "false" },
                        span { class: "step-num", "{step.number()}" }
                        {tr.t(&format!("step.{}", step.as_str()))}
                    }
                }
            }
        }
    }
}
