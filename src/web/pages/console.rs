//! The support console's pages: stalled upgrades, a store's timeline with the actions,
//! and the new admin's confirmation.

use dioxus::prelude::*;

use super::{
    cohort_list::{Choices, filter_fields, pager},
    csrf_field,
    layout::{Ctx, Page, page},
    stores::store_nav,
    time_tag,
};
use crate::app::{
    partner::{ListQuery, PAGE_SIZE},
    paths,
    support::Stalled,
};
use crate::{
    domain::{catalog::Catalog, delivery::Failure},
    i18n::Tr,
    store::{
        audit::AuditEntry,
        casework::{Casework, Note},
        events::OrderEvent,
        outbox::Sent,
        stores::Store,
        support::SupportRequest,
    },
    web::access::StoreReader,
};

pub fn stalled(
    ctx: &Ctx,
    catalog: &Catalog,
    days: i64,
    query: &ListQuery,
    found: &Stalled,
) -> Page {
    let tr = ctx.tr;
    let title = tr.t("console.stalled.title");
    let pages = ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let current = query.page().min(pages);
    let base = format!("/support/stalled?days={days}&");
    let export = format!(
        "/support/stalled.csv?days={days}&{}",
        query.with(&[("page", "")])
    );
    let shown = found.rows.len().to_string();
    let total = found.total.to_string();
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            form { method: "get", action: "/support/stalled", class: "filters", role: "search",
                label { r#for: "days", {tr.t("console.stalled.days")} }
                input { id: "days", name: "days", r#type: "number", min: "1", max: "365", value: "{days}" }
                {filter_fields(&tr, catalog, query, &Choices { countries: &[], partners: &found.partners }, "/support/stalled", &export)}
            }
            p { class: "lead", id: "stalled-total", role: "status",
                {tr.n("consoles.stalled.total", found.total, &[("shown", &shown), ("count", &total)])}
            }
            if found.rows.is_empty() {
                p { class: "hint", id: "stalled-empty", {tr.t("console.stalled.none")} }
            } else {
                table { class: "list", id: "stalled",
                    thead { tr {
                        th { {tr.t("partner.col.store")} } th { {tr.t("partner.col.step")} }
                        th { {tr.t("console.stalled.since")} } th { {tr.t("partner.col.idle")} } th { {tr.t("store.admin")} } th { {tr.t("dashboard.col.partner")} }
                    } }
                    tbody {
                        for r in found.rows.iter() {
                            tr { id: "stalled-{r.legacy_store_id}",
                                td { "data-label": tr.t("partner.col.store"), div { a { href: paths::store(&r.legacy_store_id).timeline(), "{r.name}" } " " span { class: "small", "({r.legacy_store_id})" } } }
                                td { "data-label": tr.t("partner.col.step"), {tr.t(r.step.key())} }
                                td { "data-label": tr.t("console.stalled.since"), {r.progressed_at.map(time_tag)} }
                                td { class: "num", "data-label": tr.t("partner.col.idle"), {r.idle_days(found.now).map(|d| d.to_string())} }
                                td { "data-label": tr.t("store.admin"), "{r.admin_email}" }
                                td { "data-label": tr.t("dashboard.col.partner"), {r.partner.clone().unwrap_or_else(|| "–".into())} }
                            }
                        }
                    }
                }
                {pager(&tr, &base, query, current, pages)}
            }
        }
    };
    page(ctx, &title, None, body)
}

/// Everything that happened to a store, from every source.
pub struct Timeline {
    pub audit: Vec<AuditEntry>,
    pub events: Vec<OrderEvent>,
    pub sent: Vec<Sent>,
    pub requests: Vec<SupportRequest>,
    pub casework: Casework,
    pub notes: Vec<Note>,
    /// Whom the store can be assigned to.
    pub agents: Vec<String>,
    /// What the store's integrations called lately, per service and ID.
    pub traffic: Vec<crate::domain::traffic::Use>,
    /// The store's switch-off rehearsals.
    pub rehearsals: Vec<crate::store::rehearsals::Rehearsal>,
}

/// One line of the timeline: when, what kind, what, who.
struct Entry {
    at: i64,
    kind: &'static str,
    what: String,
    who: String,
}

/// A platform event on the timeline: an order, or a failed call (`api.error`, or an
/// `api.call` the platform refused), with what support quotes to the platform's team.
fn event(tr: &Tr, e: &OrderEvent) -> String {
    let service = e
        .service
        .as_deref()
        .map(|s| tr.t(&format!("traffic.service.{s}")))
        .unwrap_or_default();
    let status = e.status.map(|s| s.to_string()).unwrap_or_default();
    tr.f(
        &format!("console.event.{}", e.kind.replace('.', "_")),
        &[
            ("order", &e.order_id),
            ("environment", &tr.t(&format!("env.{}", e.environment))),
            ("code", e.error_code.as_deref().unwrap_or("–")),
            ("correlation", e.correlation_id.as_deref().unwrap_or("–")),
            ("service", &service),
            ("endpoint", e.endpoint.as_deref().unwrap_or("")),
            ("status", &status),
        ],
    )
}

/// An email or webhook on the timeline: sent, queued, failing (with the kind of failure
/// in the reader's words; the full error is the operators', in the log), or given up.
fn delivery(tr: &Tr, m: &Sent) -> String {
    let subject = [("subject", m.subject.as_str())];
    match (m.sent_at, m.last_failure.as_deref(), &m.last_error) {
        (_, Some("dropped"), _) => tr.f("console.timeline.dropped", &subject),
        (Some(_), _, _) => tr.f("console.timeline.sent", &subject),
        (None, None, None) => tr.f("console.timeline.queued", &subject),
        (None, code, _) => {
            let error = match Failure::parse(code.unwrap_or_default()) {
                Failure::Status(status) => {
                    tr.f("console.failure.status", &[("status", &status.to_string())])
                }
                Failure::Timeout => tr.t("console.failure.timeout"),
                Failure::Connect => tr.t("console.failure.connect"),
                Failure::Other => tr.t("console.failure.other"),
            };
            tr.n(
                "console.timeline.failing",
                m.attempts,
                &[
                    ("subject", &m.subject),
                    ("attempts", &m.attempts.to_string()),
                    ("error", &error),
                ],
            )
        }
    }
}

impl Timeline {
    fn entries(&self, tr: &Tr) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        out.extend(self.audit.iter().map(|a| Entry {
            at: a.at,
            kind: "audit",
            what: super::audit::describe(tr, a),
            who: super::audit::who(tr, &a.actor),
        }));
        out.extend(self.events.iter().map(|e| Entry {
            at: e.received_at,
            kind: "event",
            what: event(tr, e),
            who: super::audit::who(tr, "platform"),
        }));
        out.extend(self.sent.iter().map(|m| Entry {
            at: m.created_at,
            kind: if m.kind == "webhook" {
                "webhook"
            } else {
                "email"
            },
            what: delivery(tr, m),
            who: m.recipient.clone(),
        }));
        out.extend(self.requests.iter().map(|r| Entry {
            at: r.created_at,
            kind: "request",
            what: tr.f(
                "console.timeline.request",
                &[
                    ("id", &r.id.to_string()),
                    (
                        "status",
                        &tr.t(&format!("support.status.{}", r.status.as_str())),
                    ),
                ],
            ),
            who: r.author_email.clone(),
        }));
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out
    }
}

pub fn timeline(reader: &StoreReader, t: &Timeline, problem: Option<&str>) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let entries = t.entries(&tr);
    let action = |path: &str, key: &str, extra: Element| {
        let id = path.to_owned();
        rsx! {
            form { method: "post", action: paths::store(eid).support_action(path), class: "console-action", id: "action-{id}",
                {csrf_field(&csrf)}
                h3 { {tr.t(&format!("console.action.{key}"))} }
                {extra}
                label { r#for: "reason-{id}", {tr.t("console.reason")} }
                input { id: "reason-{id}", name: "reason", required: true, minlength: "5", maxlength: "500" }
                button { class: "button", r#type: "submit", {tr.t(&format!("console.action.{key}"))} }
            }
        }
    };
    let body = rsx! {
        {store_nav(reader, "timeline")}
        section { class: "card",
            h1 { {tr.f("console.timeline.title", &[("store", &reader.store.name)])} }
            if let Some(p) = problem {
                p { class: "form-error", role: "alert", id: "console-problem", "{p}" }
            }
            div { class: "console-actions",
                {action("resend-link", "resend_link", rsx! {})}
                {action("remind", "remind", rsx! {})}
                {action("change-admin", "change_admin", rsx! {
                    label { r#for: "new-email", {tr.t("console.new_email")} }
                    input { id: "new-email", name: "new_email", r#type: "email", required: true }
                })}
                {action("revoke-credentials", "revoke", rsx! {})}
                {action("verify-purchase", "verify", rsx! {
                    label { r#for: "reference", {tr.t("console.reference")} }
                    input { id: "reference", name: "reference", required: true, maxlength: "100" }
                })}
            }
        }
        {super::casework::card(&tr, eid, &csrf, ctx.user.as_deref().unwrap_or_default(), &t.casework, &t.notes, &t.agents)}
        {super::traffic::section(&tr, super::traffic::Traffic::of(&t.traffic, reader.upgrade.as_ref()))}
        {super::readiness::section(&tr, eid, &reader.store.readiness(crate::store::now()))}
        if !t.rehearsals.is_empty() {
            section { class: "card", id: "rehearsals-card",
                h2 { id: "rehearsals", {tr.t("rehearsal.title")} }
                {super::rehearsals::table(&tr, eid, &t.rehearsals, crate::store::now(), Some(csrf.as_str()), true)}
            }
        }
        section { class: "card",
            h2 { {tr.t("console.timeline.heading")} }
            table { class: "list", id: "timeline",
                thead { tr { th { {tr.t("console.timeline.when")} } th { {tr.t("console.timeline.kind")} } th { {tr.t("console.timeline.what")} } th { {tr.t("console.timeline.who")} } } }
                tbody {
                    for e in entries.iter() {
                        tr { "data-kind": "{e.kind}",
                            td { "data-label": tr.t("console.timeline.when"), {time_tag(e.at)} }
                            td { "data-label": tr.t("console.timeline.kind"), div { span { class: "tag", {tr.t(&format!("console.kind.{}", e.kind))} } } }
                            td { "data-label": tr.t("console.timeline.what"), "{e.what}" }
                            td { "data-label": tr.t("console.timeline.who"), "{e.who}" }
                        }
                    }
                }
            }
        }
    };
    page(&ctx, &reader.store.name, None, body)
}

pub fn admin_change(ctx: &Ctx, store: &Store, new_email: &str, token: &str) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card narrow",
            h1 { {tr.t("console.admin_change.title")} }
            p { {tr.f("console.admin_change.lead", &[("store", &store.name), ("eid", &store.legacy_store_id), ("email", new_email)])} }
            form { method: "post", action: "/admin-change",
                {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                input { r#type: "hidden", name: "token", value: "{token}" }
                button { class: "button primary", r#type: "submit", id: "confirm-admin", {tr.t("console.admin_change.confirm")} }
            }
        }
    };
    page(ctx, &tr.t("console.admin_change.title"), None, body)
}

pub fn admin_change_invalid(ctx: &Ctx) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card narrow",
            h1 { {tr.t("console.admin_change.invalid_title")} }
            p { {tr.t("console.admin_change.invalid")} }
        }
    };
    page(ctx, &tr.t("console.admin_change.invalid_title"), None, body)
}

pub fn admin_changed(ctx: &Ctx, store: &str) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card narrow",
            h1 { {tr.t("console.admin_change.done_title")} }
            p { id: "admin-changed", {tr.f("console.admin_change.done", &[("store", store)])} }
            a { class: "button primary", href: "/signin", {tr.t("layout.sign_in")} }
        }
    };
    page(ctx, &tr.t("console.admin_change.done_title"), None, body)
}
