//! A store's switch-off rehearsals: what one is, the form to schedule one (the admin),
//! the list with cancel buttons while they may still be cancelled, and each one's report.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Page, page as frame},
    stores::{read_only_note, store_nav},
    time_tag,
};
use crate::{
    app::paths,
    domain::rehearsal::{MINUTES, SUNSET_MARGIN_DAYS, State},
    i18n::Tr,
    store::rehearsals::{Refusal, Rehearsal},
    web::access::StoreReader,
};

/// What the person typed, given back when it was refused.
#[derive(Default)]
pub struct Asked {
    pub date: String,
    pub time: String,
    pub minutes: String,
}

/// The list page, with `error` from a refused form.
pub fn list(
    reader: &StoreReader,
    rows: &[Rehearsal],
    asked: &Asked,
    error: Option<&str>,
    zone: &str,
) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let now = crate::store::now();
    let margin = SUNSET_MARGIN_DAYS.to_string();
    let chosen = if asked.minutes.is_empty() {
        "30"
    } else {
        asked.minutes.as_str()
    };
    let body = rsx! {
        {store_nav(reader, "rehearsals")}
        {super::error_summary(&tr, &error.map(|e| vec![("rehearsal-date", e.to_owned())]).unwrap_or_default())}
        section { class: "card",
            h1 { {tr.t("rehearsal.title")} }
            p { class: "lead", {tr.t("rehearsal.lead")} }
            p { {tr.f("rehearsal.rules", &[("days", &margin)])} }
            {read_only_note(reader)}
            if reader.can_act() {
                form { method: "post", action: paths::store(eid).rehearsals(), novalidate: true, id: "schedule-rehearsal",
                    {csrf_field(&csrf)}
                    label { r#for: "rehearsal-date", {tr.t("rehearsal.date")} }
                    input { id: "rehearsal-date", name: "date", r#type: "date", value: "{asked.date}", required: true,
                        "aria-invalid": if error.is_some() { "true" } else { "false" } }
                    label { r#for: "rehearsal-time", {tr.f("rehearsal.time", &[("zone", zone)])} }
                    input { id: "rehearsal-time", name: "time", r#type: "time", value: "{asked.time}", required: true }
                    label { r#for: "rehearsal-minutes", {tr.t("rehearsal.length")} }
                    select { id: "rehearsal-minutes", name: "minutes",
                        for m in MINUTES {
                            option { value: "{m}", selected: chosen == m.to_string(), {tr.f("rehearsal.minutes", &[("minutes", &m.to_string())])} }
                        }
                    }
                    if let Some(e) = error { p { class: "field-error", role: "alert", "{e}" } }
                    button { class: "button primary", r#type: "submit", id: "schedule", {tr.t("rehearsal.schedule")} }
                }
            }
        }
        section { class: "card",
            h2 { {tr.t("rehearsal.list")} }
            if rows.is_empty() {
                p { class: "hint", id: "no-rehearsals", {tr.t("rehearsal.none")} }
            } else {
                {table(&tr, eid, rows, now, reader.can_act().then_some(csrf.as_str()), false)}
            }
        }
    };
    frame(&ctx, &tr.t("rehearsal.title"), Some(&reader.banner()), body)
}

/// The rehearsals as a table; with `csrf`, a cancel button on each still scheduled one
/// (`support`: through support's route).
pub fn table(
    tr: &Tr,
    eid: &str,
    rows: &[Rehearsal],
    now: i64,
    csrf: Option<&str>,
    support: bool,
) -> Element {
    rsx! {
        table { class: "list", id: "rehearsals",
            thead { tr {
                th { {tr.t("rehearsal.col.start")} } th { {tr.t("rehearsal.col.length")} }
                th { {tr.t("rehearsal.col.state")} } th { {tr.t("rehearsal.col.result")} } th {}
            } }
            tbody {
                for r in rows.iter() {
                    tr { id: "rehearsal-{r.id}", "data-state": r.state(now).as_str(),
                        td { "data-label": tr.t("rehearsal.col.start"), a { href: paths::store(eid).rehearsal(r.id), {time_tag(r.starts_at)} } }
                        td { "data-label": tr.t("rehearsal.col.length"), {tr.f("rehearsal.minutes", &[("minutes", &r.minutes().to_string())])} }
                        td { "data-label": tr.t("rehearsal.col.state"), {tr.t(r.state(now).key())} }
                        td { "data-label": tr.t("rehearsal.col.result"), {result(tr, r)} }
                        td {
                            if let Some(csrf) = csrf.filter(|_| r.state(now) == State::Scheduled) {
                                form { method: "post", class: "inline",
                                    action: if support { paths::store(eid).support_cancel_rehearsal(r.id) } else { paths::store(eid).cancel_rehearsal(r.id) },
                                    {csrf_field(csrf)}
                                    button { class: "button small", r#type: "submit", id: "cancel-rehearsal-{r.id}", {tr.t("rehearsal.cancel")} }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The verdict in a few words, once the report is written.
fn result(tr: &Tr, r: &Rehearsal) -> String {
    match r.refused_calls.filter(|_| r.reported_at.is_some()) {
        None => "–".into(),
        Some(0) => tr.t("rehearsal.verdict.unused"),
        Some(n) => tr.n("rehearsal.verdict.used", n, &[("count", &n.to_string())]),
    }
}

/// One rehearsal: its window and state, and after the end its report.
pub fn detail(reader: &StoreReader, r: &Rehearsal, refusals: &[Refusal]) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let now = crate::store::now();
    let state = r.state(now);
    let minutes = r.minutes().to_string();
    let agents: Vec<&str> = {
        let mut a: Vec<&str> = refusals
            .iter()
            .map(|f| f.user_agent.as_str())
            .filter(|a| !a.is_empty())
            .collect();
        a.sort_unstable();
        a.dedup();
        a
    };
    let body = rsx! {
        {store_nav(reader, "rehearsals")}
        section { class: "card", id: "rehearsal",
            h1 { {tr.t("rehearsal.report_title")} }
            dl { class: "facts",
                dt { {tr.t("rehearsal.col.start")} } dd { {time_tag(r.starts_at)} }
                dt { {tr.t("rehearsal.col.end")} } dd { {time_tag(r.ends_at)} }
                dt { {tr.t("rehearsal.col.length")} } dd { {tr.f("rehearsal.minutes", &[("minutes", &minutes)])} }
                dt { {tr.t("rehearsal.col.state")} } dd { id: "rehearsal-state", {tr.t(state.key())} }
            }
            match (state, r.reported_at, r.refused_calls) {
                (State::Ended, Some(_), Some(0)) => rsx! {
                    p { class: "ok", id: "verdict", "data-verdict": "unused", {tr.t("rehearsal.verdict.unused_long")} }
                },
                (State::Ended, Some(_), Some(n)) => rsx! {
                    p { class: "warning-box", id: "verdict", "data-verdict": "used", role: "alert",
                        {tr.n("rehearsal.verdict.used_long", n, &[("count", &n.to_string()), ("agents", &agents.join(", "))])}
                    }
                },
                (State::Ended, _, _) => rsx! { p { class: "hint", id: "verdict-pending", {tr.t("rehearsal.report_pending")} } },
                (State::Cancelled, _, _) => rsx! { p { class: "hint", {tr.t("rehearsal.cancelled_note")} } },
                _ => rsx! { p { class: "hint", {tr.t("rehearsal.before_note")} } },
            }
            if !refusals.is_empty() {
                table { class: "list", id: "refused-calls",
                    thead { tr {
                        th { {tr.t("traffic.col.service")} } th { {tr.t("rehearsal.col.endpoint")} }
                        th { {tr.t("rehearsal.col.agent")} } th { class: "num", {tr.t("rehearsal.col.calls")} }
                        th { {tr.t("rehearsal.col.first")} }
                    } }
                    tbody {
                        for f in refusals.iter() {
                            tr { "data-service": "{f.service}",
                                td { "data-label": tr.t("traffic.col.service"), {service_name(&tr, &f.service)} }
                                td { "data-label": tr.t("rehearsal.col.endpoint"), code { "{f.endpoint}" } }
                                td { "data-label": tr.t("rehearsal.col.agent"), "{f.user_agent}" }
                                td { class: "num", "data-label": tr.t("rehearsal.col.calls"), "{f.calls}" }
                                td { "data-label": tr.t("rehearsal.col.first"), {time_tag(f.first_at)} }
                            }
                        }
                    }
                }
            }
            p { a { href: paths::store(eid).rehearsals(), {tr.t("rehearsal.back")} } }
        }
    };
    frame(
        &ctx,
        &tr.t("rehearsal.report_title"),
        Some(&reader.banner()),
        body,
    )
}

fn service_name(tr: &Tr, service: &str) -> String {
    crate::domain::traffic::Service::parse(service)
        .map(|s| tr.t(s.key()))
        .unwrap_or_else(|| service.to_owned())
}

/// The partner's view: their stores' rehearsals, scheduled and finished (90 days).
pub fn partner(ctx: &super::layout::Ctx, rows: &[crate::store::rehearsals::PartnerRow]) -> Page {
    let tr = ctx.tr;
    let now = crate::store::now();
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("rehearsal.partner_title")} }
            p { class: "lead", {tr.t("rehearsal.partner_lead")} }
            if rows.is_empty() {
                p { class: "hint", id: "no-rehearsals", {tr.t("rehearsal.none")} }
            } else {
                table { class: "list", id: "partner-rehearsals",
                    thead { tr {
                        th { {tr.t("partner.col.store")} } th { {tr.t("partner.col.eid")} }
                        th { {tr.t("rehearsal.col.start")} } th { {tr.t("rehearsal.col.length")} }
                        th { {tr.t("rehearsal.col.state")} } th { {tr.t("rehearsal.col.result")} }
                    } }
                    tbody {
                        for row in rows.iter() {
                            tr { id: "rehearsal-{row.rehearsal.id}", "data-state": row.rehearsal.state(now).as_str(),
                                td { "data-label": tr.t("partner.col.store"), a { href: paths::store(&row.legacy_store_id).rehearsal(row.rehearsal.id), "{row.name}" } }
                                td { "data-label": tr.t("partner.col.eid"), code { "{row.legacy_store_id}" } }
                                td { "data-label": tr.t("rehearsal.col.start"), {time_tag(row.rehearsal.starts_at)} }
                                td { "data-label": tr.t("rehearsal.col.length"), {tr.f("rehearsal.minutes", &[("minutes", &row.rehearsal.minutes().to_string())])} }
                                td { "data-label": tr.t("rehearsal.col.state"), {tr.t(row.rehearsal.state(now).key())} }
                                td { "data-label": tr.t("rehearsal.col.result"), {result(&tr, &row.rehearsal)} }
                            }
                        }
                    }
                }
            }
        }
    };
    frame(ctx, &tr.t("rehearsal.partner_title"), None, body)
}
