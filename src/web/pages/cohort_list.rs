//! What a list of stores is narrowed and paged with: the partner dashboard's and
//! support's stalled list's filter, and the pager under them.

use dioxus::prelude::*;

use crate::{
    app::{
        partner::{
            LEGACY_CALLING, ListQuery, ORDER_MANAGEMENT_MISSING, SUNSET_EXTENDED, SUNSET_NOT_READY,
            SUNSET_READY,
        },
        paths,
    },
    domain::{catalog::Catalog, risk::Risk, upgrade::Progress},
    i18n::Tr,
};

/// What the country and partner filters offer: the countries the cohort sells in (a
/// text field when not known), and the partners to pick from (no filter for fewer than
/// two).
#[derive(Default)]
pub struct Choices<'a> {
    pub countries: &'a [String],
    pub partners: &'a [(i64, String)],
}

/// The cohort's filters (search, step, risk, product, platform, country, partner) as
/// form fields, with the sort kept, and the buttons to apply, clear (back to `clear`) and
/// export (to `export`, with a byte-order-mark option): the partner dashboard's, and
/// support's stalled list's.
pub fn filter_fields(
    tr: &Tr,
    catalog: &Catalog,
    query: &ListQuery,
    choices: &Choices,
    clear: &str,
    export: &str,
) -> Element {
    let glue = match export.chars().last() {
        Some('?' | '&') => "",
        _ if export.contains('?') => "&",
        _ => "?",
    };
    let bom_export = format!("{export}{glue}bom=1");
    let country = query.country.trim().to_uppercase();
    let legacy: Vec<_> = catalog.products.iter().filter(|p| p.legacy).collect();
    rsx! {
        label { r#for: "f-q", {tr.t("partner.filter.q")} }
        input { id: "f-q", name: "q", r#type: "search", value: "{query.q}" }
        label { r#for: "f-step", {tr.t("partner.filter.step")} }
        select { id: "f-step", name: "step",
            option { value: "", {tr.t("partner.filter.any")} }
            for s in Progress::ALL {
                option { value: "{s}", selected: query.step == s.as_str(), {tr.t(s.key())} }
            }
        }
        label { r#for: "f-risk", {tr.t("partner.filter.risk")} }
        select { id: "f-risk", name: "risk",
            option { value: "", {tr.t("partner.filter.any")} }
            for r in Risk::ALL {
                option { value: "{r.as_str()}", selected: query.risk == r.as_str(), {tr.t(&format!("risk.{}", r.as_str()))} }
            }
        }
        label { r#for: "f-product", {tr.t("partner.filter.product")} }
        select { id: "f-product", name: "product",
            option { value: "", {tr.t("partner.filter.any")} }
            for p in legacy.iter() {
                option { value: "{p.code}", selected: query.product == p.code, "{p.name}" }
            }
        }
        label { r#for: "f-platform", {tr.t("partner.filter.platform")} }
        select { id: "f-platform", name: "platform",
            option { value: "", {tr.t("partner.filter.any")} }
            for p in catalog.platforms.iter() {
                option { value: "{p.id}", selected: query.platform == p.id, {catalog.platform_name(p, tr.lang.code())} }
            }
        }
        label { r#for: "f-country", {tr.t("partner.filter.country")} }
        if choices.countries.is_empty() {
            input { id: "f-country", name: "country", value: "{query.country}", maxlength: "2", size: "3", autocomplete: "off" }
        } else {
            select { id: "f-country", name: "country",
                option { value: "", {tr.t("partner.filter.any")} }
                for (code, name) in country_names(tr, choices.countries) {
                    option { value: "{code}", selected: country == *code, "{name}" }
                }
            }
        }
        label { r#for: "f-legacy", {tr.t("dashboard.filter.legacy")} }
        select { id: "f-legacy", name: "legacy",
            option { value: "", {tr.t("partner.filter.any")} }
            option { value: "{LEGACY_CALLING}", selected: query.legacy == LEGACY_CALLING, {tr.t("dashboard.filter.legacy_calling")} }
        }
        label { r#for: "f-sunset", {tr.t("dashboard.filter.sunset")} }
        select { id: "f-sunset", name: "sunset",
            option { value: "", {tr.t("partner.filter.any")} }
            option { value: "{SUNSET_READY}", selected: query.sunset == SUNSET_READY, {tr.t("dashboard.filter.sunset_ready")} }
            option { value: "{SUNSET_NOT_READY}", selected: query.sunset == SUNSET_NOT_READY, {tr.t("dashboard.filter.sunset_not_ready")} }
            option { value: "{SUNSET_EXTENDED}", selected: query.sunset == SUNSET_EXTENDED, {tr.t("dashboard.filter.sunset_extended")} }
        }
        label { r#for: "f-om", {tr.t("dashboard.filter.order_management")} }
        select { id: "f-om", name: "order_management",
            option { value: "", {tr.t("partner.filter.any")} }
            option { value: "{ORDER_MANAGEMENT_MISSING}", selected: query.order_management == ORDER_MANAGEMENT_MISSING, {tr.t("dashboard.filter.order_management_missing")} }
        }
        if choices.partners.len() > 1 {
            label { r#for: "f-partner", {tr.t("dashboard.filter.partner")} }
            select { id: "f-partner", name: "partner",
                option { value: "", {tr.t("partner.filter.any")} }
                for (id, name) in choices.partners.iter() {
                    option { value: "{id}", selected: query.partner == id.to_string(), "{name}" }
                }
            }
        }
        input { r#type: "hidden", name: "sort", value: "{query.sort}" }
        input { r#type: "hidden", name: "dir", value: "{query.dir}" }
        button { class: "button primary", r#type: "submit", {tr.t("partner.filter.apply")} }
        a { class: "button", href: "{clear}", {tr.t("partner.filter.clear")} }
        a { class: "button", id: "export-csv", href: "{export}", {tr.t("partner.export")} }
        a { class: "button", id: "export-csv-bom", href: "{bom_export}", {tr.t("dashboard.export_bom")} }
        a { class: "button", id: "to-rehearsals", href: paths::partner::REHEARSALS, {tr.t("rehearsal.partner_link")} }
        a { class: "button", id: "to-cutover", href: paths::partner::CUTOVER, {tr.t("cutover.partner.link")} }
        a { class: "button", id: "to-calendar", href: paths::partner::CALENDAR, {tr.t("calendar.partner_title")} }
    }
}

/// The countries as (code, name in the reader's language), by name; a code the
/// catalogue has no `country.XX` name for is shown as the code.
fn country_names<'a>(tr: &Tr, codes: &'a [String]) -> Vec<(&'a String, String)> {
    let mut named: Vec<_> = codes.iter().map(|c| (c, tr.country(c))).collect();
    named.sort_by(|a, b| a.1.cmp(&b.1));
    named
}

/// First, previous, next and last links around "page N of M"; `base` is the list's
/// address up to its query string (ending in `?` or `&`), the filter is kept.
pub fn pager(tr: &Tr, base: &str, query: &ListQuery, current: i64, pages: i64) -> Element {
    let to = |page: i64| format!("{base}{}", query.with(&[("page", &page.to_string())]));
    let (first, prev, next, last) = (to(1), to(current - 1), to(current + 1), to(pages));
    rsx! {
        nav { class: "pager", "aria-label": tr.t("partner.pages"),
            if current > 1 {
                a { href: "{first}", id: "first-page", {tr.t("partner.first_page")} }
                a { href: "{prev}", rel: "prev", {tr.t("partner.prev")} }
            }
            span { id: "page-of", {tr.f("partner.page_of", &[("page", &current.to_string()), ("pages", &pages.to_string())])} }
            if current < pages {
                a { href: "{next}", rel: "next", id: "next-page", {tr.t("partner.next")} }
                a { href: "{last}", id: "last-page", {tr.t("partner.last_page")} }
            }
        }
    }
}
