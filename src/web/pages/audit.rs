//! The audit log, for a store (its admin, support) and for everything (support).

use dioxus::prelude::*;

use super::{
    layout::{Ctx, Page, page},
    stores::store_nav,
    time_tag,
};
use crate::{i18n::Tr, store::audit::AuditEntry, web::access::StoreReader};

/// Arguments whose values are codes, and where their words are in the catalogue.
const CODED: [(&str, &str); 9] = [
    ("global", "audit.global"),
    ("environment", "env"),
    ("role", "role"),
    ("from", "support.status"),
    ("to", "support.status"),
    ("why", "audit.why"),
    ("field", "store_import.field"),
    // An import's yes and no (a capability); other values have no words there.
    ("old", "store_import.value"),
    ("new", "store_import.value"),
];

/// An entry in the reader's words: its action's message with its arguments. An entry
/// written before arguments were kept apart is shown as it was written.
pub fn describe(tr: &Tr, e: &AuditEntry) -> String {
    let Some(args) = e.args() else {
        return e.detail.clone();
    };
    let args: Vec<(&str, String)> = args
        .iter()
        .map(|(name, value)| {
            let worded = CODED
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, prefix)| format!("{prefix}.{value}"))
                .filter(|key| tr.has(key))
                .map(|key| tr.t(&key));
            // A moment kept as RFC 3339 (a rehearsal's or a brownout's start) is read as
            // the reader writes times, in their zone; a day kept as YYYY-MM-DD (a sunset, an extension)
            // as the reader writes dates.
            let timed = (name == "start")
                .then(|| crate::domain::parse_rfc3339(value))
                .flatten()
                .map(|at| {
                    let zone = crate::i18n::zone::request_zone();
                    crate::i18n::format::datetime_in(tr.lang, at, &zone)
                });
            let dated = crate::domain::parse_date(value)
                .filter(|_| value.len() == 10)
                .map(|day| crate::i18n::format::date(tr.lang, day));
            (
                name.as_str(),
                worded.or(timed).or(dated).unwrap_or_else(|| value.clone()),
            )
        })
        .collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
    // An action's key keeps its dots when the catalogue has it so (`import.changed`:
    // the keys of a later feature sit in a block of their own).
    let dotted = format!("audit.entry.{}", e.action);
    let key = if tr.has(&dotted) {
        dotted
    } else {
        format!("audit.entry.{}", e.action.replace('.', "_"))
    };
    tr.f(&key, &args)
}

/// Who acted: a person's email, or a system (`platform`, `cli`…) named in the reader's
/// words.
pub fn who(tr: &Tr, actor: &str) -> String {
    let key = format!("audit.actor.{actor}");
    if !actor.contains('@') && tr.has(&key) {
        tr.t(&key)
    } else {
        actor.to_owned()
    }
}

pub fn table(tr: &Tr, entries: &[AuditEntry]) -> Element {
    rsx! {
        if entries.is_empty() {
            p { {tr.t("audit.empty")} }
        } else {
            table { class: "list", id: "audit-log",
                thead { tr {
                    th { {tr.t("audit.when")} } th { {tr.t("audit.who")} } th { {tr.t("audit.what")} }
                    th { {tr.t("audit.ip")} }
                } }
                tbody {
                    for e in entries.iter() {
                        tr {
                            td { "data-label": tr.t("audit.when"), {time_tag(e.at)} }
                            td { "data-label": tr.t("audit.who"), {who(tr, &e.actor)} }
                            td { "data-label": tr.t("audit.what"), div { {describe(tr, e)} br {} code { class: "small", "{e.action}" } } }
                            td { "data-label": tr.t("audit.ip"), "{e.ip}" }
                        }
                    }
                }
            }
        }
    }
}

pub fn store_log(reader: &StoreReader, entries: &[AuditEntry]) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let body = rsx! {
        {store_nav(reader, "audit")}
        section { class: "card",
            h1 { {tr.t("audit.title")} }
            p { class: "lead", {tr.t("audit.store_lead")} }
            {table(&tr, entries)}
        }
    };
    page(&ctx, &tr.t("audit.title"), Some(&reader.banner()), body)
}

pub fn all(ctx: &Ctx, entries: &[AuditEntry]) -> Page {
    let tr = ctx.tr;
    let body = rsx! {
        section { class: "card",
            h1 { {tr.t("audit.title_all")} }
            {table(&tr, entries)}
        }
    };
    page(ctx, &tr.t("audit.title_all"), None, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_kept_as_rfc3339_reads_as_the_reader_writes_times() {
        let entry = AuditEntry {
            id: 1,
            at: 0,
            actor: "ops@platform.example".into(),
            action: "brownout.scheduled".into(),
            store_id: None,
            detail: r#"{"product":"KPM","start":"2027-01-05T09:30:00Z","minutes":"30"}"#.into(),
            ip: "local".into(),
        };
        let sv = describe(&Tr::new(crate::i18n::Lang::Sv), &entry);
        assert!(!sv.contains("2027-01-05T09:30:00Z"), "{sv}");
        assert!(sv.contains("09:30") || sv.contains("9:30"), "{sv}");
    }
}
