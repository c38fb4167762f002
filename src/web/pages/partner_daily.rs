//! The dashboard's tools for daily work: saved views, the "remind all matching" preview,
//! and the projection of who will not finish by the sunset.

use dioxus::prelude::*;
use time::Date;

use super::{
    csrf_field, format_date,
    layout::{Ctx, Page, page},
};
use crate::{
    app::{partner::ListQuery, partner_views::MAX_NAME},
    domain::pace::{PACE_WEEKS, Projection},
    i18n::Tr,
    store::{
        cohort_reminders::{RECIPIENTS_COUNTED, RemindPreview},
        remind_runs::RemindRun,
        saved_views::SavedView,
    },
};

/// The current filters and sort as hidden fields, so a form acts on the same list.
pub fn hidden_query(query: &ListQuery) -> Element {
    let fields = [
        ("q", &query.q),
        ("step", &query.step),
        ("risk", &query.risk),
        ("product", &query.product),
        ("platform", &query.platform),
        ("country", &query.country),
        ("partner", &query.partner),
        ("sort", &query.sort),
        ("dir", &query.dir),
    ];
    rsx! {
        for (name, value) in fields.into_iter().filter(|(_, v)| !v.is_empty()) {
            input { r#type: "hidden", name: "{name}", value: "{value}" }
        }
    }
}

/// The person's saved views as links, each with its delete button, and the form that
/// saves the current filters and sort under a name.
pub fn saved_views(ctx: &Ctx, views: &[SavedView], query: &ListQuery) -> Element {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    rsx! {
        section { class: "card", id: "saved-views",
            h2 { {tr.t("dashboard.views.title")} }
            if views.is_empty() {
                p { class: "hint", {tr.t("dashboard.views.none")} }
            } else {
                ul { class: "saved-views",
                    for v in views.iter() {
                        li { id: "view-{v.id}",
                            a { href: "/partner?{v.query}", "{v.name}" }
                            form { method: "post", action: "/partner/views/{v.id}/delete", class: "inline",
                                {csrf_field(&csrf)}
                                button { class: "button small", r#type: "submit",
                                    "aria-label": tr.f("dashboard.views.delete_named", &[("name", &v.name)]),
                                    {tr.t("dashboard.views.delete")}
                                }
                            }
                        }
                    }
                }
            }
            form { method: "post", action: "/partner/views", class: "inline-fields", id: "save-view",
                {csrf_field(&csrf)}
                {hidden_query(query)}
                label { r#for: "view-name", {tr.t("dashboard.views.name")} }
                input { id: "view-name", name: "name", required: true, maxlength: "{MAX_NAME}" }
                button { class: "button", r#type: "submit", {tr.t("dashboard.views.save")} }
            }
        }
    }
}

/// The sentence under the weekly chart: at the current pace, how many stores will not
/// have finished by the sunset on `sunset`.
pub fn projection(tr: &Tr, p: &Projection, sunset: Date) -> Element {
    let date = format_date(sunset);
    let per_week = format!("{:.1}", p.per_week());
    let sentence = if p.not_finishing == 0 {
        tr.f(
            "dashboard.projection.all_finish",
            &[("per_week", &per_week), ("date", &date)],
        )
    } else {
        tr.n(
            "dashboard.projection.unfinished",
            p.not_finishing,
            &[
                ("count", &p.not_finishing.to_string()),
                ("weeks", &PACE_WEEKS.to_string()),
                ("per_week", &per_week),
                ("date", &date),
            ],
        )
    };
    let class = if p.not_finishing == 0 {
        "note"
    } else {
        "warning-box"
    };
    rsx! { p { class: "{class}", id: "projection", "{sentence}" } }
}

/// Before reminding every matching store: how many match, to whom it goes (the first
/// addresses and how many in all), and how many are skipped and why.
pub fn remind_preview(ctx: &Ctx, query: &ListQuery, p: &RemindPreview, back: &str) -> Page {
    let tr = ctx.tr;
    let title = tr.t("dashboard.remind.title");
    let count = |key: &str, n: i64| tr.n(key, n, &[("count", &n.to_string())]);
    // Beyond the count, the heading says "more than" and no remainder is given.
    let more = if p.recipients_uncounted() {
        0
    } else {
        p.recipients - p.first_recipients.len() as i64
    };
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            ul { id: "remind-counts",
                li { id: "remind-matching", {count("dashboard.remind.matching", p.matching)} }
                li { id: "remind-send", strong { {count("dashboard.remind.to_send", p.to_send())} } }
                li { id: "remind-today", {count("dashboard.remind.skipped_today", p.reminded_today)} }
                li { id: "remind-complete", {count("dashboard.remind.skipped_complete", p.complete)} }
            }
            if p.recipients > 0 {
                if p.recipients_uncounted() {
                    h2 { {tr.f("dashboard.remind.recipients_many", &[("count", &RECIPIENTS_COUNTED.to_string())])} }
                } else {
                    h2 { {count("dashboard.remind.recipients", p.recipients)} }
                }
                ul { id: "remind-recipients",
                    for email in p.first_recipients.iter() {
                        li { code { "{email}" } }
                    }
                }
                if more > 0 {
                    p { class: "hint", id: "remind-more", {count("dashboard.remind.more", more)} }
                }
                form { method: "post", action: "/partner/remind", id: "remind-confirm",
                    {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                    {hidden_query(query)}
                    button { class: "button primary", r#type: "submit", {count("dashboard.remind.confirm", p.to_send())} }
                    " "
                    a { class: "button", href: "{back}", {tr.t("dashboard.remind.cancel")} }
                }
            } else {
                p { class: "hint", id: "remind-nothing", {tr.t("dashboard.remind.nothing")} }
                a { class: "button", href: "{back}", {tr.t("partner.back")} }
            }
        }
    };
    page(ctx, &title, None, body)
}

/// How far "remind all matching" has come. While it runs the page reloads itself every
/// two seconds (`data-reload`); without JavaScript, "Check again" does.
pub fn remind_run(ctx: &Ctx, run: &RemindRun, back: &str) -> Page {
    let tr = ctx.tr;
    let title = tr.t("dashboard.remind.run.title");
    let (sent, skipped) = (run.sent.to_string(), run.skipped.to_string());
    let here = format!("/partner/remind/runs/{}", run.id);
    let body = if run.finished_at.is_some() {
        let done = tr.f(
            "dashboard.remind.done",
            &[("sent", &sent), ("skipped", &skipped)],
        );
        rsx! {
            p { id: "remind-run", class: "note", role: "status", "{done}" }
        }
    } else {
        let running = tr.f(
            "dashboard.remind.run.running",
            &[
                ("sent", &sent),
                ("expected", &run.expected.to_string()),
                ("skipped", &skipped),
            ],
        );
        let (max, value) = (run.expected.max(1), run.sent.min(run.expected));
        rsx! {
            p { id: "remind-run", role: "status", "data-reload": "2000", "{running}" }
            progress { max: "{max}", value: "{value}", "aria-labelledby": "remind-run" }
            p { a { class: "button", href: "{here}", {tr.t("dashboard.remind.run.check")} } }
        }
    };
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            {body}
            a { class: "button primary", href: "{back}", {tr.t("partner.back")} }
        }
    };
    page(ctx, &title, None, body)
}
