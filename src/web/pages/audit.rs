//! The audit log, for a store (its admin, support) and for everything (support).

use dioxus::prelude::*;

use super::{
    format_time,
    layout::{Ctx, Page, page},
    stores::store_nav,
};
use crate::{i18n::Tr, store::audit::AuditEntry, web::access::StoreReader};

pub fn table(tr: &Tr, entries: &[AuditEntry]) -> Element {
    rsx! {
        if entries.is_empty() {
            p { {tr.t("audit.empty")} }
        } else {
            table { class: "list", id: "audit-log",
                thead { tr {
                    th { {tr.t("audit.when")} } th { {tr.t("audit.who")} } th { {tr.t("audit.what")} }
                    th { {tr.t("audit.detail")} } th { {tr.t("audit.ip")} }
                } }
                tbody {
                    for e in entries.iter() {
                        tr {
                            td { {format_time(e.at)} }
                            td { "{e.actor}" }
                            td { code { "{e.action}" } }
                            td { "{e.detail}" }
                            td { "{e.ip}" }
                        }
                    }
                }
            }
        }
    }
}

pub fn store_log(reader: &StoreReader, entries: &[AuditEntry]) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let body = rsx! {
        {store_nav(reader, "audit")}
        section { class: "card",
            h1 { {tr.t("audit.title")} }
            p { class: "lead", {tr.t("audit.store_lead")} }
            {table(&tr, entries)}
        }
    };
    page(&ctx, &tr.t("audit.title"), Some(&reader.banner()), body)
}

pub fn all(ctx: &Ctx, entries: &[AuditEntry]) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("audit.title_all")} }
            {table(&tr, entries)}
        }
    };
    page(ctx, &tr.t("audit.title_all"), None, body)
}
