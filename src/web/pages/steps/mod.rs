//! One page per step of the upgrade wizard.

pub mod account;
pub mod complete;
pub mod credentials;
pub mod integration;
pub mod purchase;
pub mod terms;
pub mod trouble;

use dioxus::prelude::*;

use crate::{
    domain::{Step, currency, money::Currency},
    i18n::Tr,
};

/// The heading block of a step page: number, name and one line of why.
pub fn heading(tr: &Tr, step: Step) -> Element {
    let key = step.as_str();
    rsx! {
        p { class: "eyebrow", {tr.f("banner.step_of", &[("n", &step.number().to_string()), ("total", &Step::WIZARD.len().to_string())])} }
        h1 { {tr.t(&format!("step.{key}"))} }
        p { class: "lead", {tr.t(&format!("lead.{key}"))} }
    }
}

/// The country and currency a test purchase is made in: the store's own, as the sandbox
/// order takes them; Sweden for a store whose countries the platform has no currency for.
pub fn test_market<'a>(countries: &[&'a str]) -> (&'a str, Currency) {
    currency::of_store(countries.iter().copied())
        .or_else(|| Currency::parse("SEK").map(|sek| ("SE", sek)))
        .unwrap_or_else(|| unreachable!("SEK is a currency"))
}
