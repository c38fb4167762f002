use dioxus::prelude::*;

use crate::app::paths;
use crate::{
    domain::{catalog::Catalog, screenshot},
    store::support::SupportRequest,
    web::{
        access::StoreReader,
        pages::{
            csrf_field, error_summary,
            layout::{Page, page as layout},
            stores::{read_only_note, store_nav},
        },
    },
};

/// What the request form shows: the text sent (kept when something was refused) and
/// what was wrong with it.
#[derive(Debug, Default)]
pub struct Draft {
    pub explanation: String,
    pub error_code: String,
    pub problem: Option<String>,
    /// The id of the field the problem is about, for the error summary's link.
    pub field: Option<&'static str>,
}

pub fn page(
    catalog: &Catalog,
    reader: &StoreReader,
    requests: &[SupportRequest],
    draft: &Draft,
) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let platform = catalog.platform_or_custom(&reader.store.platform);
    let max_files = screenshot::MAX_FILES.to_string();
    // The store's own legacy product, and the guide of the product it moves to.
    let legacy = catalog
        .product(&reader.store.product)
        .map_or_else(|| reader.store.product.clone(), |p| p.name.clone());
    let upgrade = reader.upgrade.as_ref();
    let to = upgrade
        .and_then(|u| catalog.path(&u.path_id))
        .map_or("", |p| p.to.as_str());
    let (_, plugin, _) = catalog.guide(platform, to, tr.lang.code());
    let custom = platform.id == "custom";
    let mid = upgrade
        .and_then(|u| u.merchant_id.clone())
        .unwrap_or_default();
    let problems: Vec<(&str, String)> =
        draft.field.zip(draft.problem.clone()).into_iter().collect();
    let body = rsx! {
        {store_nav(reader, "upgrade")}
        {error_summary(&tr, &problems)}
        section { class: "card", id: "rollback",
            h1 { {tr.t("trouble.title")} }
            p { class: "lead", {tr.t("trouble.lead")} }
            h2 { {tr.t("trouble.rollback.title")} }
            if custom {
                ol { class: "howto", id: "rollback-steps", "data-integration": "custom",
                    li { {tr.f("rollback.custom.switch_back", &[("eid", eid), ("legacy", &legacy)])} }
                    li { {tr.f("rollback.custom.stop_new", &[("mid", &mid)])} }
                    li { {tr.f("trouble.rollback.verify", &[("eid", eid)])} }
                }
                p { class: "hint", {tr.t("rollback.custom.safe")} }
            } else {
                ol { class: "howto", id: "rollback-steps", "data-integration": "plugin",
                    li { {tr.f("trouble.rollback.disable_new", &[("platform", catalog.platform_name(platform, tr.lang.code())), ("plugin", plugin)])} }
                    li { {tr.f("trouble.rollback.enable_old", &[("legacy", &legacy)])} }
                    li { {tr.f("trouble.rollback.verify", &[("eid", eid)])} }
                }
                p { class: "hint", {tr.t("trouble.rollback.safe")} }
            }
        }
        section { class: "card", id: "support-request",
            h2 { {tr.t("trouble.request.title")} }
            {read_only_note(reader)}
            if reader.relation.can_work() {
                form { method: "post", action: paths::store(eid).trouble(), enctype: "multipart/form-data", novalidate: true,
                    {csrf_field(&csrf)}
                    if let Some(p) = &draft.problem {
                        p { class: "form-error", role: "alert", id: "request-problem", "{p}" }
                    }
                    label { r#for: "explanation", {tr.t("trouble.request.explanation")} }
                    textarea { id: "explanation", name: "explanation", rows: "6", required: true, maxlength: "5000",
                        "aria-describedby": "explanation-hint", "{draft.explanation}" }
                    p { class: "hint", id: "explanation-hint", {tr.t("trouble.request.explanation_hint")} }
                    label { r#for: "error-code", {tr.t("trouble.request.error_code")} }
                    input { id: "error-code", name: "error_code", r#type: "text", maxlength: "100", value: "{draft.error_code}",
                        "aria-describedby": "error-code-hint" }
                    p { class: "hint", id: "error-code-hint", {tr.t("trouble.request.error_code_hint")} }
                    label { r#for: "screenshots", {tr.t("trouble.request.screenshots")} }
                    input { id: "screenshots", name: "screenshots", r#type: "file", multiple: true, accept: "image/png,image/jpeg",
                        "aria-describedby": "screenshots-hint" }
                    p { class: "hint", id: "screenshots-hint", {tr.f("trouble.request.screenshots_hint", &[("max", &max_files)])} }
                    button { class: "button primary", r#type: "submit", id: "send-request", {tr.t("trouble.request.send")} }
                }
            }
        }
        section { class: "card", id: "support-requests",
            h2 { {tr.t("trouble.requests.title")} }
            {crate::web::pages::stores::support_requests_link(reader)}
            if requests.is_empty() {
                p { class: "hint", {tr.t("trouble.requests.none")} }
            } else {
                {crate::web::pages::requests::items(&tr, eid, requests)}
            }
        }
    };
    layout(&ctx, &tr.t("trouble.title"), Some(&reader.banner()), body)
}
