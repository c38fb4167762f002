//! The partner dashboard: the cohort's funnel and completions against the sunset, the
//! filter, the table with its bulk nudge, and the pages.

use dioxus::prelude::*;
use time::{Date, Duration};

use super::{
    charts::{self, Bar},
    csrf_field, format_time,
    layout::{Ctx, Page, page},
    time_tag,
};
use crate::app::paths;
use crate::{
    app::partner::{
        Dashboard, LEGACY_CALLING, ListQuery, ORDER_MANAGEMENT_MISSING, PAGE_SIZE, SUNSET_EXTENDED,
        SUNSET_NOT_READY, SUNSET_READY,
    },
    domain::{catalog::Catalog, delivery::Failure, risk::Risk, upgrade::Progress},
    i18n::Tr,
    store::{
        api_tokens::ApiToken,
        cohort::{CohortRow, Sort},
        webhooks::Webhook,
    },
};

/// What was just created, to show once.
pub enum Created {
    Token(String),
    Webhook { url: String, secret: String },
}

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

/// Why a webhook's deliveries fail, in the reader's words.
pub(super) fn failure(tr: Tr, code: Option<&str>) -> String {
    match Failure::parse(code.unwrap_or_default()) {
        Failure::Status(status) => tr.f("keys.failure.status", &[("status", &status.to_string())]),
        Failure::Timeout => tr.t("keys.failure.timeout"),
        Failure::Connect => tr.t("keys.failure.connect"),
        Failure::Other => tr.t("keys.failure.other"),
    }
}

/// API tokens and webhooks; what was just created is shown once, with its warning.
pub fn keys(
    ctx: &Ctx,
    tokens: &[ApiToken],
    partners: &[(i64, String)],
    hooks: &[Webhook],
    created: Option<&Created>,
    problem: Option<&str>,
) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let title = tr.t("keys.title");
    let names: Vec<&str> = partners.iter().map(|(_, n)| n.as_str()).collect();
    let tokens_scope = tr.f(
        "consoles.keys.tokens_scope",
        &[("partners", &names.join(", "))],
    );
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            p { class: "lead", {tr.t("keys.lead")} " " a { href: "/api/openapi.json", {tr.t("keys.openapi")} } }
            if let Some(p) = problem {
                p { class: "form-error", role: "alert", id: "keys-problem", "{p}" }
            }
            match created {
                Some(Created::Token(token)) => rsx! {
                    div { class: "secret-box", role: "status",
                        p { class: "warning", {tr.t("keys.shown_once")} }
                        code { id: "new-token", "{token}" }
                    }
                },
                Some(Created::Webhook { url, secret }) => rsx! {
                    div { class: "secret-box", role: "status",
                        p { class: "warning", {tr.f("keys.webhook_secret", &[("url", url)])} }
                        code { id: "new-webhook-secret", "{secret}" }
                    }
                },
                None => rsx! {},
            }
        }
        section { class: "card", id: "tokens",
            h2 { {tr.t("keys.tokens")} }
            p { class: "hint", id: "tokens-scope", "{tokens_scope}" }
            if tokens.is_empty() {
                p { class: "hint", {tr.t("keys.no_tokens")} }
            } else {
                table { class: "list",
                    thead { tr { th { {tr.t("keys.name")} } th { {tr.t("keys.prefix")} } th { {tr.t("keys.created")} } th { {tr.t("keys.last_used")} } th {} } }
                    tbody {
                        for t in tokens.iter() {
                            tr { id: "token-{t.id}",
                                td { "data-label": tr.t("keys.name"), "{t.name}" }
                                td { "data-label": tr.t("keys.prefix"), div { code { "{t.prefix}…" } } }
                                td { "data-label": tr.t("keys.created"), {time_tag(t.created_at)} }
                                td { "data-label": tr.t("keys.last_used"), if let Some(at) = t.last_used_at { {time_tag(at)} } else { "–" } }
                                td {
                                    if t.revoked_at.is_some() {
                                        span { class: "tag", {tr.t("keys.revoked")} }
                                    } else {
                                        form { method: "post", action: "/partner/api/tokens/{t.id}/revoke", class: "inline",
                                            {csrf_field(&csrf)}
                                            button { class: "button", r#type: "submit", {tr.t("keys.revoke")} }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form { method: "post", action: "/partner/api/tokens", class: "inline-form",
                {csrf_field(&csrf)}
                label { r#for: "token-name", {tr.t("keys.name")} }
                input { id: "token-name", name: "name", required: true, maxlength: "80", placeholder: tr.t("keys.name_hint") }
                button { class: "button primary", r#type: "submit", id: "create-token", {tr.t("keys.create_token")} }
            }
        }
        section { class: "card", id: "webhooks",
            h2 { {tr.t("keys.webhooks")} }
            p { class: "hint", {tr.t("keys.webhooks_lead")} }
            p { class: "hint", id: "webhooks-scope", {tr.t("consoles.keys.webhooks_scope")} }
            for (partner, name) in partners.iter() {
                section { id: "webhooks-partner-{partner}",
                    h3 { {tr.f("consoles.keys.webhooks_of", &[("partner", name)])} }
                    ul {
                        for h in hooks.iter().filter(|h| h.partner_id == *partner) {
                            li { id: "webhook-{h.id}",
                                code { "{h.url}" } " "
                                a { href: "/partner/api/webhooks/{h.id}", id: "webhook-{h.id}-log", {tr.t("deliveries.link")} } " "
                                if let Some(since) = h.failing_since {
                                    p { class: "warning", role: "status", id: "webhook-{h.id}-failing",
                                        {tr.f("keys.webhook_failing", &[
                                            ("since", &format_time(since)),
                                            ("count", &h.failures.to_string()),
                                            ("reason", &failure(tr, h.last_error.as_deref())),
                                        ])}
                                    }
                                }
                                form { method: "post", action: "/partner/api/webhooks/{h.id}/disable", class: "inline",
                                    {csrf_field(&csrf)}
                                    button { class: "button", r#type: "submit", {tr.t("keys.disable")} }
                                }
                            }
                        }
                    }
                    form { method: "post", action: "/partner/api/webhooks", class: "inline-form",
                        {csrf_field(&csrf)}
                        input { r#type: "hidden", name: "partner", value: "{partner}" }
                        label { r#for: "webhook-url-{partner}", {tr.t("keys.url")} }
                        input { id: "webhook-url-{partner}", name: "url", r#type: "url", required: true, placeholder: "https://partner.example/hooks/switchyard" }
                        button { class: "button primary", r#type: "submit", id: "create-webhook-{partner}", {tr.t("keys.create_webhook")} }
                    }
                }
            }
        }
    };
    page(ctx, &title, None, body)
}
