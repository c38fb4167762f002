//! One page per step of the upgrade wizard.

pub mod account;
pub mod credentials;
pub mod integration;
pub mod purchase;
pub mod terms;
pub mod trouble;

use dioxus::prelude::*;

use crate::{domain::Step, i18n::Tr};

/// The heading block of a step page: number, name and one line of why.
pub fn heading(tr: &Tr, step: Step) -> Element {
    let key = step.as_str();
    rsx! {
        p { class: "eyebrow", {tr.f("banner.step_of", &[("n", &step.number().to_string()), ("total", &Step::WIZARD.len().to_string())])} }
        h1 { {tr.t(&format!("step.{key}"))} }
        p { class: "lead", {tr.t(&format!("lead.{key}"))} }
    }
}
