//! The store's support requests and one request's thread, as its people see them.

use dioxus::prelude::*;

use super::{
    TIME_SLOT,
    layout::{Page, page as layout},
    stores::store_nav,
    timed,
};
use crate::app::paths;
use crate::{
    i18n::Tr,
    store::support::{Answer, RequestStatus, SupportRequest},
    web::access::StoreReader,
};

pub fn list(reader: &StoreReader, requests: &[SupportRequest]) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let body = rsx! {
        {store_nav(reader, "")}
        section { class: "card", id: "support-requests",
            h1 { {tr.t("requests.title")} }
            p { class: "lead", {tr.t("requests.lead")} }
            if requests.is_empty() {
                p { class: "hint", {tr.t("trouble.requests.none")} }
            } else {
                {items(&tr, eid, requests)}
            }
            p { a { class: "button", href: paths::store(eid).trouble(), {tr.t("requests.new")} } }
        }
    };
    layout(&ctx, &tr.t("requests.title"), None, body)
}

/// The request as sent, support's answers in order, and its status now.
pub fn thread(reader: &StoreReader, r: &SupportRequest, answers: &[Answer]) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let title = tr.f("requests.thread.title", &[("id", &r.id.to_string())]);
    let shots: Vec<(i64, String)> = (1..=r.screenshots)
        .map(|n| (n, paths::store(eid).support_screenshot(r.id, n)))
        .collect();
    let body = rsx! {
        {store_nav(reader, "")}
        section { class: "card", id: "support-thread", "data-status": "{r.status.as_str()}",
            p { a { href: paths::store(eid).support_requests(), {tr.t("requests.back")} } }
            h1 { "{title} " {status_tag(&tr, r.status)} }
            article { class: "message", id: "request-sent",
                p { class: "small", {timed(&tr.f("requests.thread.sent", &[("who", &r.author_email), ("time", TIME_SLOT)]), r.created_at)} }
                p { class: "prewrap", "{r.explanation}" }
                dl { class: "facts",
                    dt { {tr.t("trouble.request.error_code")} }
                    dd { code { id: "request-error-code", {r.error_code.clone().unwrap_or_else(|| "–".to_owned())} } }
                    dt { {tr.t("trouble.request.screenshots")} }
                    dd {
                        if shots.is_empty() {
                            "–"
                        }
                        for (n, href) in shots.iter() {
                            a { class: "screenshot", href: "{href}", target: "_blank", rel: "noopener",
                                img { src: "{href}", alt: tr.f("requests.thread.screenshot", &[("n", &n.to_string())]), width: "160", loading: "lazy" }
                            }
                        }
                    }
                }
            }
            {answered(&tr, answers)}
        }
    };
    layout(&ctx, &title, None, body)
}

/// A request's status as a tag, the same for support and the admin.
pub fn status_tag(tr: &Tr, status: RequestStatus) -> Element {
    let name = status.as_str();
    rsx! {
        span { class: if status == RequestStatus::Closed { "tag ok" } else { "tag current" }, {tr.t(&format!("support.status.{name}"))} }
    }
}

/// Support's answers to a request, oldest first, each with the status it set.
pub fn answered(tr: &Tr, answers: &[Answer]) -> Element {
    rsx! {
        h2 { {tr.t("requests.thread.answers")} }
        if answers.is_empty() {
            p { class: "hint", id: "no-answers", {tr.t("requests.thread.no_answers")} }
        }
        for a in answers.iter() {
            article { class: "message answer", id: "answer-{a.id}",
                p { class: "small",
                    {timed(&tr.f("requests.thread.answered", &[("time", TIME_SLOT)]), a.created_at)} " "
                    {status_tag(tr, a.status)}
                }
                p { class: "prewrap", "{a.body}" }
            }
        }
    }
}

/// The store's requests, newest first, each linking to its thread.
pub fn items(tr: &Tr, eid: &str, requests: &[SupportRequest]) -> Element {
    rsx! {
        ul { class: "plain",
            for r in requests.iter() {
                li { id: "request-{r.id}", "data-status": "{r.status.as_str()}",
                    a { href: paths::store(eid).support_request(r.id),
                        strong { {timed(&tr.f("trouble.requests.item", &[("id", &r.id.to_string()), ("time", TIME_SLOT)]), r.created_at)} }
                    }
                    " "
                    {status_tag(tr, r.status)}
                    p { class: "small", {crate::domain::text::excerpt(&r.explanation, 140)} }
                    p { class: "small", {tr.n("trouble.requests.detail", r.screenshots, &[("code", r.error_code.as_deref().unwrap_or("–")), ("n", &r.screenshots.to_string())])} }
                }
            }
        }
    }
}
