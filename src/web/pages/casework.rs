//! Support's casework: the card on a store's timeline (assignee, follow-up day, notes)
//! and an agent's own queue.

use dioxus::prelude::*;

use super::{
    csrf_field,
    layout::{Ctx, Page, page},
    time_tag,
};
use crate::app::{casework::MAX_NOTE_CHARS, paths};
use crate::{
    i18n::Tr,
    store::casework::{Casework, Note, Queued},
};

/// The casework card: who looks after the store and when to look again, one form; a
/// note for the next agent, another; the notes, newest first.
pub fn card(
    tr: &Tr,
    eid: &str,
    csrf: &str,
    me: &str,
    casework: &Casework,
    notes: &[Note],
    agents: &[String],
) -> Element {
    let assignee = casework.assignee_email.clone().unwrap_or_default();
    let day = casework.follow_up_on.clone().unwrap_or_default();
    let to = paths::store(eid);
    rsx! {
        section { class: "card", id: "casework",
            h2 { {tr.t("casework.title")} }
            form { method: "post", action: to.support_action("casework"), class: "console-action", id: "casework-form",
                {csrf_field(csrf)}
                label { r#for: "assignee", {tr.t("casework.assignee")} }
                select { id: "assignee", name: "assignee",
                    option { value: "", selected: assignee.is_empty(), {tr.t("casework.nobody")} }
                    for a in agents.iter() {
                        option { value: "{a}", selected: *a == assignee,
                            if a == me { {tr.f("casework.me", &[("email", a)])} } else { "{a}" }
                        }
                    }
                }
                label { r#for: "follow-up-on", {tr.t("casework.follow_up")} }
                input { id: "follow-up-on", name: "follow_up_on", r#type: "date", value: "{day}" }
                button { class: "button", r#type: "submit", {tr.t("casework.save")} }
            }
            form { method: "post", action: to.support_action("notes"), class: "console-action", id: "note-form",
                {csrf_field(csrf)}
                label { r#for: "note", {tr.t("casework.note")} }
                textarea { id: "note", name: "note", required: true, rows: "3", maxlength: "{MAX_NOTE_CHARS}" }
                button { class: "button", r#type: "submit", {tr.t("casework.add_note")} }
            }
            if notes.is_empty() {
                p { class: "hint", id: "no-notes", {tr.t("casework.no_notes")} }
            }
            for n in notes.iter() {
                article { class: "message", id: "note-{n.id}",
                    p { class: "small", "{n.author_email} · " {time_tag(n.created_at)} }
                    p { class: "prewrap", "{n.body}" }
                }
            }
        }
    }
}

/// The stores assigned to the agent: follow-ups first, the ones due today or before
/// marked.
pub fn queue(ctx: &Ctx, rows: &[Queued], today: &str) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("casework.queue.title")} }
            p { class: "lead", {tr.n("casework.queue.count", rows.len() as i64, &[("count", &rows.len().to_string())])} }
            if rows.is_empty() {
                p { class: "hint", id: "queue-empty", {tr.t("casework.queue.empty")} }
            } else {
                table { class: "list", id: "my-queue",
                    thead { tr {
                        th { {tr.t("partner.col.store")} } th { {tr.t("partner.col.step")} }
                        th { {tr.t("casework.follow_up")} } th { {tr.t("casework.queue.notes")} }
                    } }
                    tbody {
                        for r in rows.iter() {
                            tr { id: "queued-{r.legacy_store_id}",
                                td { "data-label": tr.t("partner.col.store"), div { a { href: paths::store(&r.legacy_store_id).timeline(), "{r.name}" } " " span { class: "small", "({r.legacy_store_id})" } } }
                                td { "data-label": tr.t("partner.col.step"), {r.step.map(|s| tr.t(s.key())).unwrap_or_else(|| tr.t("stores.not_started"))} }
                                td { "data-label": tr.t("casework.follow_up"),
                                    match r.follow_up_on.as_deref() {
                                        Some(d) if d <= today => rsx! { span { class: "tag warn due", {tr.f("casework.queue.due", &[("day", d)])} } },
                                        Some(d) => rsx! { "{d}" },
                                        None => rsx! { "–" },
                                    }
                                }
                                td { class: "num", "data-label": tr.t("casework.queue.notes"), "{r.notes}" }
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, &tr.t("casework.queue.title"), None, body)
}
