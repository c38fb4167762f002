//! Error pages: always a finished page with a way forward, never a blank one. A refusal
//! is shown to whoever is signed in inside their own frame (header, language switcher,
//! and the store's menu when it is about a store).

use axum::response::Html;
use dioxus::prelude::*;

use super::layout::{self, Ctx};

/// The store a refusal is about: its menu (drawn by the caller) and its overview, the
/// way back.
pub struct InStore {
    pub nav: Element,
    pub overview: String,
}

pub fn page(ctx: &Ctx, store: Option<InStore>, title: &str, message: &str) -> Html<String> {
    let tr = ctx.tr;
    let (home, back, nav) = match store {
        Some(s) => (s.overview, tr.t("error.store"), Some(s.nav)),
        None => ("/".to_owned(), tr.t("error.home"), None),
    };
    super::render(layout::page(
        ctx,
        title,
        None,
        rsx! {
            if let Some(nav) = nav {
                {nav}
            }
            section { class: "card narrow error",
                h1 { "{title}" }
                p { id: "refusal", role: "alert", "{message}" }
                p { a { class: "button", href: "{home}", "{back}" } }
            }
        },
    ))
}
