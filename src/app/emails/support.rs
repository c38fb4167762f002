//! The emails between a merchant and support: a request and its answer.

use super::store_path;
use crate::{i18n::Tr, mail::Email, store};

/// What support decided about support request `id` on `s`, to the person who asked.
pub fn support_answer(
    tr: Tr,
    to: &str,
    id: i64,
    s: &store::stores::Store,
    status: &str,
    answer: &str,
    base: &str,
) -> Email {
    let status = tr.t(&format!("support.status.{status}"));
    let id = id.to_string();
    Email {
        to: to.to_owned(),
        subject: tr.f(
            "email.support_answer.subject",
            &[("id", &id), ("status", &status)],
        ),
        text: tr.f(
            "email.support_answer.body",
            &[
                ("id", &id),
                ("store", &s.name),
                ("status", &status),
                ("answer", answer),
                ("link", &format!("{base}{}", store_path(s).trouble())),
            ],
        ),
    }
}

/// What an administrator asked support, as support receives it.
pub struct SupportRequest<'a> {
    pub id: i64,
    pub store: &'a store::stores::Store,
    pub from: &'a str,
    pub code: Option<&'a str>,
    pub explanation: &'a str,
    pub screenshots: usize,
}

/// A new support request, to support's address.
pub fn support_request(tr: Tr, to: &str, r: &SupportRequest<'_>, base: &str) -> Email {
    let id = r.id.to_string();
    let s = r.store;
    Email {
        to: to.to_owned(),
        subject: tr.f(
            "email.support_request.subject",
            &[("id", &id), ("store", &s.name), ("eid", &s.legacy_store_id)],
        ),
        text: tr.f(
            "email.support_request.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("from", r.from),
                ("code", r.code.unwrap_or("-")),
                ("explanation", r.explanation),
                ("screenshots", &r.screenshots.to_string()),
                ("link", &format!("{base}/support/requests/{id}")),
            ],
        ),
    }
}
