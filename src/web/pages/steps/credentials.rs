use dioxus::prelude::*;

use crate::web::pages::stores::{read_only_note, store_nav};
use secrecy::ExposeSecret;

use crate::{
    domain::{Step, credentials::NewCredentials},
    store::credentials::CredentialRow,
    web::{
        access::StoreReader,
        pages::{
            csrf_field, format_time,
            layout::{Page, page as layout},
        },
    },
};

/// `fresh` is set only in the response that created the credentials: the one time the
/// password is shown.
pub fn page(admin: &StoreReader, issued: &[CredentialRow], fresh: Option<&NewCredentials>) -> Page {
    let ctx = admin.ctx();
    let tr = ctx.tr;
    let eid = admin.eid();
    let mid = admin.upgrade.merchant_id.clone().unwrap_or_default();
    let body = rsx! {
        {store_nav(admin, "upgrade")}
        section { class: "card",
            {super::heading(&tr, Step::Credentials)}
            {read_only_note(admin)}
            if let Some(fresh) = fresh {
                div { class: "secret-box", id: "new-credentials",
                    p { class: "warning", role: "alert", strong { {tr.t("credentials.once")} } }
                    dl {
                        dt { {tr.t("credentials.mid")} } dd { code { id: "merchant-id", "{mid}" } }
                        dt { {tr.t("credentials.username")} } dd { code { id: "api-username", "{fresh.username}" } }
                        dt { {tr.t("credentials.password")} }
                        dd {
                            code { id: "api-password", "{fresh.password.expose_secret()}" }
                            button { class: "button small copy", r#type: "button", "data-copy": "api-password", {tr.t("credentials.copy")} }
                        }
                    }
                }
                a { class: "button primary", href: "/stores/{eid}/upgrade/integration", id: "to-integration", {tr.t("credentials.saved_continue")} }
            } else if issued.is_empty() && !admin.can_act() {
                p { {tr.t("credentials.not_yet")} }
            } else if issued.is_empty() {
                p { {tr.t("credentials.explain")} }
                form { method: "post", action: "/stores/{eid}/upgrade/credentials",
                    {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                    button { class: "button primary", r#type: "submit", id: "generate-credentials", {tr.t("credentials.generate")} }
                }
            } else {
                p { {tr.f("credentials.mid_is", &[("mid", &mid)])} }
                table { class: "list",
                    thead { tr {
                        th { {tr.t("credentials.username")} } th { {tr.t("credentials.environment")} }
                        th { {tr.t("credentials.created")} } th { {tr.t("credentials.last_used")} }
                    } }
                    tbody {
                        for c in issued.iter() {
                            tr {
                                td { code { "{c.username}" } }
                                td { {tr.t(&format!("env.{}", c.environment))} }
                                td { {format_time(c.created_at)} }
                                td { {c.last_used_at.map(format_time).unwrap_or_else(|| tr.t("credentials.never"))} }
                            }
                        }
                    }
                }
                p { class: "hint", {tr.t("credentials.hidden")} }
                a { class: "button primary", href: "/stores/{eid}/upgrade", {tr.t("common.continue")} }
            }
        }
    };
    layout(&ctx, &tr.t("step.credentials"), Some(&admin.banner()), body)
}
