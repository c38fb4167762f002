//! Sunset readiness on a store's pages: "ready for the sunset", or what is still missing
//! and where to do it.

use dioxus::prelude::*;

use crate::{
    app::paths,
    domain::readiness::{Missing, QUIET_DAYS, Readiness},
    i18n::Tr,
};

/// The card for store `eid` with `readiness`.
pub fn section(tr: &Tr, eid: &str, readiness: &Readiness) -> Element {
    let days = QUIET_DAYS.to_string();
    rsx! {
        section { class: "card", id: "sunset-readiness",
            h2 { {tr.t("readiness.title")} }
            if readiness.is_ready() {
                p { class: "ok", id: "sunset-ready", {tr.t("readiness.ready_long")} }
            } else {
                p { {tr.t("readiness.not_ready")} }
                ul { class: "checklist", id: "sunset-missing",
                    for m in readiness.missing.iter() {
                        li { class: "pending", "data-missing": m.as_str(),
                            {tr.f(m.key(), &[("days", &days)])}
                            " "
                            match m {
                                Missing::LegacyInUse => rsx! {},
                                Missing::OpenAuthorizations => rsx! {
                                    a { href: paths::store(eid).legacy(), {tr.t("readiness.to_orders")} }
                                },
                                Missing::NotArchived => rsx! {
                                    a { href: paths::store(eid).archive(), {tr.t("readiness.to_archive")} }
                                },
                            }
                        }
                    }
                }
            }
        }
    }
}
