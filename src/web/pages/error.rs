//! Error pages: always a finished page with a way forward, never a blank one. A refusal
//! is shown to whoever is signed in inside their own frame (header, language switcher,
//! and the store's menu when it is about a store).

use axum::response::Html;
use dioxus::prelude::*;

use super::{
    layout::{self, Ctx},
    stores::store_nav,
};
use crate::web::access::StoreReader;

pub fn page(ctx: &Ctx, store: Option<&StoreReader>, title: &str, message: &str) -> Html<String> {
    let tr = ctx.tr;
    let (home, back) = match store {
        Some(r) => (format!("/stores/{}", r.eid()), tr.t("error.store")),
        None => ("/".to_owned(), tr.t("error.home")),
    };
    super::render(layout::page(
        ctx,
        title,
        None,
        rsx! {
            if let Some(r) = store {
                {store_nav(r, "")}
            }
            section { class: "card narrow error",
                h1 { "{title}" }
                p { id: "refusal", role: "alert", "{message}" }
                p { a { class: "button", href: "{home}", "{back}" } }
            }
        },
    ))
}
