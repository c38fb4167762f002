//! The countdown to the legacy store's sunset, wherever merchants look: My stores, the
//! store overview, the step banner and the completion page. Each level is louder than
//! the last in its class, its label and its words, so it never relies on colour alone.

use dioxus::prelude::*;

use crate::{
    domain::sunset::{Level, Phase},
    i18n::Tr,
};

/// "Urgent: legacy store 4711 closes in 7 days — 10 March 2027", or nothing when the
/// store's product has no sunset.
pub fn countdown(tr: &Tr, eid: &str, sunset: Option<(time::Date, Phase)>) -> Element {
    let Some((date, phase)) = sunset else {
        return rsx! {};
    };
    let level = phase.level();
    let date = super::format_date(date);
    let args = [("eid", eid), ("date", date.as_str())];
    let text = match (level, phase.days_left()) {
        (Level::Closed, _) | (_, None) => tr.f("sunset.text.closed", &args),
        (Level::Final, _) => tr.f("sunset.text.final", &args),
        (_, Some(days)) => tr.f(
            "sunset.text.open",
            &[args[0], args[1], ("days", &days.to_string())],
        ),
    };
    let level = level.as_str();
    let label = tr.t(&format!("sunset.level.{level}"));
    rsx! {
        span { class: "sunset-countdown level-{level}", "data-level": "{level}",
            strong { "{label}: " }
            "{text}"
        }
    }
}
