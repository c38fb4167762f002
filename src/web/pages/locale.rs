//! How a person reads times: the time zone setting on the account page.

use dioxus::prelude::*;

use super::{csrf_field, format_time, layout::Ctx};
use crate::i18n::zone;

/// The time zone setting: the zone times are shown in now, and a choice of every zone or
/// the browser's own.
pub fn time_zone_setting(ctx: &Ctx, chosen: Option<&str>) -> Element {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let shown = zone::request_zone();
    let now = format_time(time::OffsetDateTime::now_utc().unix_timestamp());
    rsx! {
        h2 { id: "time-zone", {tr.t("locale.zone.title")} }
        p { {tr.f("locale.zone.body", &[("zone", zone::name(&shown)), ("time", &now)])} }
        form { method: "post", action: "/account/time-zone", class: "inline-form",
            {csrf_field(&csrf)}
            label { r#for: "time_zone", {tr.t("locale.zone.label")} }
            select { id: "time_zone", name: "time_zone",
                option { value: "", selected: chosen.is_none(), {tr.t("locale.zone.browser")} }
                for name in zone::names() {
                    option { value: "{name}", translate: "no", selected: chosen == Some(name.as_str()), "{name}" }
                }
            }
            button { class: "button", r#type: "submit", id: "save-time-zone", {tr.t("locale.zone.save")} }
        }
    }
}
