//! A store's users page.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Page, page as frame},
    stores::{read_only_note, store_nav},
    time_tag,
};
use crate::app::paths;
use crate::{store::members::Member, web::access::StoreReader};

pub fn page(reader: &StoreReader, members: &[Member], email: &str, error: Option<&str>) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let admin = if reader.can_act() {
        reader.store.admin_email.clone()
    } else {
        reader.masked_admin()
    };
    let body = rsx! {
        {store_nav(reader, "users")}
        {super::error_summary(&tr, &error.map(|e| vec![("invite-email", e.to_owned())]).unwrap_or_default())}
        section { class: "card",
            h1 { {tr.t("users.title")} }
            p { class: "lead", {tr.t("users.lead")} }
            {read_only_note(reader)}
            table { class: "list", id: "members",
                thead { tr { th { {tr.t("users.email")} } th { {tr.t("users.role")} } th { {tr.t("users.since")} } th {} } }
                tbody {
                    tr { td { "data-label": tr.t("users.email"), "{admin}" } td { "data-label": tr.t("users.role"), {tr.t("users.role_admin")} } td {} td {} }
                    for m in members.iter() {
                        tr {
                            td { "data-label": tr.t("users.email"), "{m.email}" }
                            td { "data-label": tr.t("users.role"), id: "role-{m.id}",
                                {tr.t(if m.delegate != 0 { "users.role_delegate" } else { "users.role_user" })}
                            }
                            td { "data-label": tr.t("users.since"), {time_tag(m.created_at)} }
                            td {
                                if reader.can_act() {
                                    form { method: "post", action: paths::store(eid).remove_user(m.id), class: "inline",
                                        {csrf_field(&csrf)}
                                        button { class: "button small", r#type: "submit", {tr.t("users.remove")} }
                                    }
                                    if m.delegate != 0 {
                                        form { method: "post", action: paths::store(eid).handoff(m.id), class: "inline", id: "handoff-{m.id}",
                                            {csrf_field(&csrf)}
                                            label { r#for: "grace-{m.id}", {tr.t("credentials.grace")} }
                                            select { id: "grace-{m.id}", name: "grace",
                                                for g in crate::domain::credentials::GRACE_CHOICES {
                                                    option { value: "{g}", selected: g == 24 * 3600, {tr.t(&format!("credentials.grace_{g}"))} }
                                                }
                                            }
                                            button { class: "button small", r#type: "submit", {tr.t("handoff.send")} }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if reader.can_act() {
                h2 { {tr.t("users.invite")} }
                p { {tr.t("users.invite_lead")} }
                form { method: "post", action: paths::store(eid).users(), novalidate: true,
                    {csrf_field(&csrf)}
                    label { r#for: "invite-email", {tr.t("users.email")} }
                    input { id: "invite-email", name: "email", r#type: "email", value: "{email}", required: true,
                        "aria-invalid": if error.is_some() { "true" } else { "false" } }
                    if let Some(e) = error { p { class: "field-error", role: "alert", "{e}" } }
                    fieldset { class: "choices",
                        legend { {tr.t("users.role")} }
                        label { input { r#type: "radio", name: "role", value: "user", checked: true } " " {tr.t("users.role_user_hint")} }
                        label { input { r#type: "radio", name: "role", value: "delegate", id: "role-delegate" } " " {tr.t("users.role_delegate_hint")} }
                    }
                    button { class: "button primary", r#type: "submit", id: "invite", {tr.t("users.invite_button")} }
                }
            }
        }
    };
    frame(&ctx, &tr.t("users.title"), Some(&reader.banner()), body)
}
