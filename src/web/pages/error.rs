//! Error pages: always a finished page with a way forward, never a blank one.

use axum::response::Html;
use dioxus::prelude::*;

use super::layout::{self, Ctx};
use crate::i18n::Tr;

pub fn page(tr: &Tr, title: &str, message: &str) -> Html<String> {
    let ctx = Ctx {
        tr: *tr,
        ..Ctx::default()
    };
    super::render(layout::page(
        &ctx,
        title,
        None,
        rsx! {
            section { class: "card narrow error",
                h1 { "{title}" }
                p { "{message}" }
                p { a { class: "button", href: "/", {tr.t("error.home")} } }
            }
        },
    ))
}
