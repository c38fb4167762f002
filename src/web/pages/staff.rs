//! Staff accounts, for operators.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Ctx, Page, page as frame},
    time_tag,
};
use crate::{domain::access::StaffRole, store::users::StaffRow};

pub fn page(ctx: &Ctx, staff: &[StaffRow], error: Option<&str>) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("staff.title")} }
            table { class: "list", id: "staff",
                thead { tr {
                    th { {tr.t("users.email")} } th { {tr.t("account_page.role")} } th { {tr.t("staff.partner")} }
                    th { {tr.t("staff.last_sign_in")} } th { {tr.t("staff.status")} } th {}
                } }
                tbody {
                    for s in staff.iter() {
                        tr {
                            td { "data-label": tr.t("users.email"), "{s.email}" }
                            td { "data-label": tr.t("account_page.role"), {tr.t(&format!("role.{}", s.role))} }
                            td { "data-label": tr.t("staff.partner"), {s.partners.clone().unwrap_or_default()} }
                            td { "data-label": tr.t("staff.last_sign_in"), if let Some(at) = s.last_sign_in_at { {time_tag(at)} } else { {tr.t("credentials.never")} } }
                            td { "data-label": tr.t("staff.status"), {tr.t(if s.disabled_at.is_some() { "staff.disabled" } else { "staff.active" })} }
                            td {
                                if s.disabled_at.is_none() && ctx.user.as_deref() != Some(s.email.as_str()) {
                                    form { method: "post", action: "/staff/disable", class: "inline",
                                        {csrf_field(&csrf)}
                                        input { r#type: "hidden", name: "email", value: "{s.email}" }
                                        button { class: "button small", r#type: "submit", {tr.t("staff.disable")} }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { {tr.t("staff.add")} }
            form { method: "post", action: "/staff", novalidate: true,
                {csrf_field(&csrf)}
                if let Some(e) = error { p { class: "form-error", role: "alert", "{e}" } }
                label { r#for: "staff-email", {tr.t("users.email")} }
                input { id: "staff-email", name: "email", r#type: "email", required: true }
                label { r#for: "staff-role", {tr.t("account_page.role")} }
                select { id: "staff-role", name: "role",
                    for role in StaffRole::ALL {
                        option { value: "{role.as_str()}", {tr.t(&format!("role.{}", role.as_str()))} }
                    }
                }
                label { r#for: "staff-partner", {tr.t("staff.partner_hint")} }
                input { id: "staff-partner", name: "partner", r#type: "text" }
                button { class: "button primary", r#type: "submit", {tr.t("staff.add_button")} }
            }
        }
    };
    frame(ctx, &tr.t("staff.title"), None, body)
}
