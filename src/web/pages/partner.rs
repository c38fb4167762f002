//! The partner dashboard: the cohort's funnel and completions against the sunset, the
//! filter, the table with its bulk nudge, and the pages.

use dioxus::prelude::*;
use time::{Date, Duration};

use super::{
    charts::{self, Bar},
    cohort_list::{Choices, filter_fields, pager},
    csrf_field,
    layout::{Ctx, Page, page},
    time_tag,
};
use crate::app::paths;
use crate::{
    app::partner::{Dashboard, ListQuery, PAGE_SIZE},
    domain::{catalog::Catalog, risk::Risk, upgrade::Progress},
    i18n::Tr,
    store::cohort::{CohortRow, Sort},
};

pub fn risk_tag(tr: &Tr, risk: Risk) -> Element {
    let class = match risk {
        Risk::AtRisk => "tag danger",
        Risk::Stalled => "tag warn",
        Risk::Done => "tag ok",
        Risk::OnTrack => "tag current",
        Risk::NotStarted => "tag todo",
    };
    let name = risk.as_str();
    rsx! { span { class: "{class}", "data-risk": "{name}", {tr.t(&format!("risk.{name}"))} } }
}

/// Stores that reached each stage: all of them, then each step and beyond.
fn funnel_bars(tr: &Tr, steps: &[(Progress, i64)]) -> Vec<Bar> {
    let count = |p: Progress| steps.iter().find(|(k, _)| *k == p).map_or(0, |(_, n)| *n);
    let all: i64 = steps.iter().map(|(_, n)| n).sum();
    let mut bars = vec![Bar {
        label: tr.t("partner.funnel.all"),
        count: all,
    }];
    let mut reached = all;
    for (stage, next) in Progress::ALL
        .into_iter()
        .zip(Progress::ALL.into_iter().skip(1))
    {
        reached -= count(stage);
        bars.push(Bar {
            label: tr.t(next.key()),
            count: reached,
        });
    }
    bars
}

/// Completions per week (weeks start on Monday), from the first one to this week, at
/// most the last 52. `by_week` holds week numbers counted from Monday 1970-01-05.
fn weeks(by_week: &[(i64, i64)], now: i64) -> Vec<(Date, i64)> {
    let epoch = Date::from_calendar_date(1970, time::Month::January, 5).unwrap_or(Date::MIN);
    let date_of = |week: i64| {
        epoch
            .checked_add(Duration::weeks(week))
            .unwrap_or(Date::MAX)
    };
    let this_week = (now - 345_600).div_euclid(604_800);
    let Some(first) = by_week.iter().map(|(w, _)| *w).min() else {
        return Vec::new();
    };
    (first.max(this_week - 51)..=this_week)
        .map(|w| {
            let n = by_week
                .iter()
                .filter(|(x, _)| *x == w)
                .map(|(_, n)| n)
                .sum();
            (date_of(w), n)
        })
        .collect()
}

pub fn dashboard(
    ctx: &Ctx,
    catalog: &Catalog,
    query: &ListQuery,
    d: &Dashboard,
    next_sunset: Option<Date>,
) -> Page {
    let tr = ctx.tr;
    let title = tr.t("partner.title");
    let pages = ((d.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let current = query.page().min(pages);
    let sunset_label =
        next_sunset.map(|s| tr.f("partner.chart.sunset", &[("date", &super::format_date(s))]));
    let funnel = charts::funnel(&tr.t("partner.chart.funnel"), &funnel_bars(&tr, &d.steps));
    let weekly = charts::weekly(
        &tr.t("partner.chart.weekly"),
        &weeks(&d.completions, d.now),
        d.steps.iter().map(|(_, n)| n).sum(),
        next_sunset.zip(sunset_label.as_deref()),
        d.projection.map(|p| p.per_week()),
    );
    let remind = format!("/partner/remind?{}", query.with(&[("page", "")]));
    let export = format!("/partner/export.csv?{}", query.with(&[("page", "")]));
    let back = format!("/partner?{}", query.with(&[]));
    let sort_link = |s: Sort| {
        let desc = query.sort() == s && !query.descending();
        format!(
            "/partner?{}",
            query.with(&[
                ("sort", s.as_str()),
                ("dir", if desc { "desc" } else { "" }),
                ("page", "")
            ])
        )
    };
    let header = |s: Sort, key: &str| {
        let mark = if query.sort() == s {
            if query.descending() { " ↓" } else { " ↑" }
        } else {
            ""
        };
        let sorted = if query.sort() == s {
            if query.descending() {
                "descending"
            } else {
                "ascending"
            }
        } else {
            "none"
        };
        rsx! { th { "aria-sort": sorted, a { href: "{sort_link(s)}", {tr.t(key)} "{mark}" } } }
    };
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            p { class: "lead", id: "cohort-total", {tr.f("partner.total", &[("count", &d.total.to_string())])} }
            div { class: "charts",
                figure { id: "chart-funnel", dangerous_inner_html: "{funnel}" }
                figure { id: "chart-weekly", dangerous_inner_html: "{weekly}" }
            }
            if let (Some(p), Some(sunset)) = (d.projection, next_sunset) {
                {super::partner_daily::projection(&tr, &p, sunset)}
            }
        }
        {super::partner_daily::saved_views(ctx, &d.views, query)}
        section { class: "card",
            form { method: "get", action: "/partner", class: "filters", role: "search",
                {filter_fields(&tr, catalog, query, &Choices { countries: &d.countries, partners: &d.partners }, "/partner", &export)}
            }
            if d.rows.is_empty() {
                p { class: "hint", id: "cohort-empty", {tr.t("partner.empty")} }
            } else {
                form { method: "post", action: "/partner/nudge", id: "nudge-form",
                    {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                    input { r#type: "hidden", name: "back", value: "{back}" }
                    div { class: "table-wrap",
                    table { class: "list", id: "cohort",
                        thead { tr {
                            th { span { class: "visually-hidden", {tr.t("partner.choose")} } }
                            {header(Sort::Name, "partner.col.store")}
                            {header(Sort::Eid, "partner.col.eid")}
                            th { {tr.t("dashboard.col.partner")} }
                            th { {tr.t("partner.col.path")} }
                            {header(Sort::Step, "partner.col.step")}
                            {header(Sort::Activity, "partner.col.activity")}
                            {header(Sort::Idle, "partner.col.idle")}
                            {header(Sort::Risk, "partner.col.risk")}
                            th { {tr.t("dashboard.col.reminded")} }
                            th { {tr.t("dashboard.col.legacy")} }
                        } }
                        tbody {
                            for r in d.rows.iter() {
                                {row(&tr, catalog, r, d.now)}
                            }
                        }
                    }
                    }
                    p { button { class: "button", r#type: "submit", id: "nudge", {tr.t("partner.nudge")} } " " span { class: "hint", {tr.t("partner.nudge_hint")} } }
                    p { a { class: "button", id: "remind-all", href: "{remind}", {tr.t("dashboard.remind.all")} } }
                }
                {pager(&tr, "/partner?", query, current, pages)}
            }
        }
    };
    page(ctx, &title, None, body)
}

fn row(tr: &Tr, catalog: &Catalog, r: &CohortRow, now: i64) -> Element {
    let target = r
        .path_id
        .as_deref()
        .and_then(|p| catalog.path(p))
        .or_else(|| catalog.paths_from(&r.product).next())
        .and_then(|p| catalog.product(&p.to))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let idle = r
        .idle_days(now)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "–".into());
    let done = r.step == Progress::At(crate::domain::Step::Complete);
    let calling = r
        .legacy_called_at
        .is_some_and(|at| at >= crate::domain::traffic::recent_since(now));
    rsx! {
        tr { id: "store-{r.legacy_store_id}",
            td { "data-label": tr.t("partner.choose"),
                input { r#type: "checkbox", name: "store", value: "{r.legacy_store_id}", id: "pick-{r.legacy_store_id}", disabled: done,
                    "aria-label": tr.f("partner.choose_store", &[("store", &r.name)]) }
            }
            td { "data-label": tr.t("partner.col.store"), div { a { href: paths::store(&r.legacy_store_id).overview(), "{r.name}" } } }
            td { "data-label": tr.t("partner.col.eid"), div { code { "{r.legacy_store_id}" } } }
            td { "data-label": tr.t("dashboard.col.partner"), {r.partner.clone().unwrap_or_else(|| "–".into())} }
            td { "data-label": tr.t("partner.col.path"), "{r.product} → {target}" }
            td { "data-label": tr.t("partner.col.step"),
                div {
                    {tr.t(r.step.key())}
                    if r.order_management_missing() {
                        br {}
                        strong { class: "flag attention", id: "om-missing-{r.legacy_store_id}", {tr.t("dashboard.order_management_missing")} }
                    }
                    if r.late_legacy_orders(now) {
                        br {}
                        strong { class: "flag attention", id: "late-legacy-{r.legacy_store_id}", {tr.t("dashboard.late_legacy_orders")} }
                    }
                }
            }
            td { "data-label": tr.t("partner.col.activity"), if let Some(at) = r.updated_at { {time_tag(at)} } else { "–" } }
            td { class: "num", "data-label": tr.t("partner.col.idle"), "{idle}" }
            td { "data-label": tr.t("partner.col.risk"), div { {risk_tag(tr, r.risk)}
                if let Some(day) = r.extended_sunset.and_then(crate::domain::sunset::day_of) {
                    br {}
                    small { class: "extended", id: "extended-{r.legacy_store_id}", {tr.f("dashboard.extended_to", &[("date", &super::format_date(day))])} }
                }
            } }
            td { class: "reminded", "data-label": tr.t("dashboard.col.reminded"), if let Some(at) = r.last_reminded_at { {time_tag(at)} } else { "–" } }
            td { class: if calling { "legacy attention" } else { "legacy" }, "data-label": tr.t("dashboard.col.legacy"),
                div {
                    if let Some(at) = r.legacy_called_at { {time_tag(at)} } else { "–" }
                    if r.readiness(now).is_ready() {
                        br {}
                        span { class: "flag ok", id: "sunset-ready-{r.legacy_store_id}", {tr.t("readiness.ready")} }
                    }
                }
            }
        }
    }
}

/// After a bulk nudge: what was sent, and the way back to the same list.
pub fn nudged(ctx: &Ctx, message: &str, back: &str) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("partner.nudged_title")} }
            p { id: "nudge-result", role: "status", "{message}" }
            a { class: "button primary", href: "{back}", {tr.t("partner.back")} }
        }
    };
    page(ctx, &tr.t("partner.nudged_title"), None, body)
}
