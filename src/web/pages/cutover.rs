//! The cutover meter on a store's pages: live orders on the legacy store against the new
//! ID, day by day from the upgrade to the sunset, and per country, with a warning when
//! legacy orders still arrive a week after the upgrade.

use dioxus::prelude::*;

use super::charts;
use crate::{
    app::traffic::StoreMeter,
    domain::{cutover::Meter, sunset::Phase},
    i18n::Tr,
};

/// The section for a store with `meter` (none before its upgrade starts) and `sunset`.
pub fn of_store(
    tr: &Tr,
    meter: Option<&StoreMeter>,
    sunset: Option<(time::Date, Phase)>,
) -> Element {
    let Some(m) = meter else {
        return rsx! {};
    };
    section(
        tr,
        Cutover {
            meter: &m.meter,
            sunset: sunset.map(|(d, _)| crate::i18n::format::date(tr.lang, d)),
            late_legacy: m.late_legacy,
            explain: "cutover.explain",
        },
    )
}

/// A partner manager's page: the meter summed over their stores (none before their
/// first live order).
pub fn partner(ctx: &super::layout::Ctx, meter: Option<&Meter>) -> super::layout::Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("cutover.partner.title")} }
            p { class: "lead", {tr.t("cutover.partner.lead")} }
            if meter.is_none() {
                p { class: "hint", id: "no-orders", {tr.t("cutover.partner.none")} }
            }
        }
        if let Some(meter) = meter {
            {section(&tr, Cutover { meter, sunset: None, late_legacy: false, explain: "cutover.partner.explain" })}
        }
    };
    super::layout::page(ctx, &tr.t("cutover.partner.title"), None, body)
}

/// What the section shows.
pub struct Cutover<'a> {
    pub meter: &'a Meter,
    /// The sunset as the reader reads it, when the store's product has one.
    pub sunset: Option<String>,
    /// Legacy orders still arrived a week after the upgrade completed.
    pub late_legacy: bool,
    /// The catalogue key of the sentence under the title.
    pub explain: &'static str,
}

pub fn section(tr: &Tr, c: Cutover<'_>) -> Element {
    let sunset = c
        .sunset
        .as_deref()
        .map(|d| tr.f("cutover.chart.sunset", &[("date", d)]));
    let chart = charts::cutover(&tr.t("cutover.chart.title"), c.meter, sunset.as_deref());
    let late: Vec<String> = c
        .meter
        .legacy_countries()
        .map(|r| name(tr, &r.country))
        .collect();
    rsx! {
        section { class: "card", id: "cutover",
            h2 { {tr.t("cutover.title")} }
            p { class: "hint", {tr.t(c.explain)} }
            if c.late_legacy {
                p { class: "warning-box", id: "cutover-late", role: "alert",
                    {tr.f("cutover.late", &[("countries", &late.join(", "))])}
                }
            }
            figure { id: "chart-cutover", dangerous_inner_html: "{chart}" }
            if !c.meter.countries.is_empty() {
                table { class: "list", id: "cutover-countries",
                    thead { tr {
                        th { {tr.t("cutover.col.country")} }
                        th { class: "num", {tr.t("cutover.col.legacy_recent")} }
                        th { class: "num", {tr.t("cutover.col.new_recent")} }
                        th { class: "num", {tr.t("cutover.col.legacy_total")} }
                        th { class: "num", {tr.t("cutover.col.new_total")} }
                    } }
                    tbody {
                        for r in c.meter.countries.iter() {
                            tr { class: if r.legacy_recent > 0 { "attention" } else { "" },
                                "data-country": "{r.country}",
                                td { "data-label": tr.t("cutover.col.country"), {name(tr, &r.country)} }
                                td { class: "num", "data-label": tr.t("cutover.col.legacy_recent"), "{r.legacy_recent}" }
                                td { class: "num", "data-label": tr.t("cutover.col.new_recent"), "{r.new_recent}" }
                                td { class: "num", "data-label": tr.t("cutover.col.legacy_total"), "{r.legacy_total}" }
                                td { class: "num", "data-label": tr.t("cutover.col.new_total"), "{r.new_total}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A country's name, or "country not given" for orders the platform did not place.
fn name(tr: &Tr, code: &str) -> String {
    if code.is_empty() {
        tr.t("cutover.country_unknown")
    } else {
        tr.country(code)
    }
}
