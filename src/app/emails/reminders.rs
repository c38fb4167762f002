//! The emails that nudge: an admin's reminder, the sunset countdown, a partner manager's
//! digest of their stores.

use time::Date;

use super::store_path;
use crate::{
    app::App,
    domain::{
        Step,
        sunset::{self, Phase},
    },
    i18n::Tr,
    mail::Email,
    store,
};

/// The reminder an admin gets from a nudge or after days without progress.
pub fn reminder(
    state: &App,
    s: &store::stores::Store,
    step: Option<Step>,
    lang: crate::i18n::Lang,
) -> Email {
    let tr = Tr::new(lang);
    let link = format!("{}{}", state.config.base_url, store_path(s).upgrade());
    let where_ = match step {
        None => tr.t("email.reminder.not_started"),
        Some(step) => tr.f("email.reminder.at_step", &[("step", &tr.t(step.key()))]),
    };
    let sunset = s.sunset(&state.catalog);
    // After the sunset the legacy store is closed: the reminder says so, not "it stops on".
    let body = match sunset.map(|d| Phase::on(d, sunset::today())) {
        Some(Phase::Closed) => "email.reminder.closed.body",
        _ => "email.reminder.body",
    };
    let sunset = sunset
        .map(|d| crate::i18n::format::date(tr.lang, d))
        .unwrap_or_default();
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.reminder.subject", &[("store", &s.name)]),
        text: tr.f(
            body,
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("where", &where_),
                ("sunset", &sunset),
                ("link", &link),
            ],
        ),
    }
}

/// The sunset countdown's reminder (90, 30, 7 or 1 days before).
/// The sunset reminder: louder, and naming what still arrives, for a store whose legacy
/// ID is still used (`still_used`: one line per service, with its calls and what made
/// them).
pub fn sunset(
    state: &App,
    s: &store::stores::Store,
    date: Date,
    days_left: i64,
    upgraded: bool,
    still_used: &[String],
    tr: Tr,
) -> Email {
    let base = &state.config.base_url;
    let date = crate::i18n::format::date(tr.lang, date);
    let when = tr.n(
        "email.sunset.when",
        days_left,
        &[("days", &days_left.to_string())],
    );
    let mut todo = if upgraded {
        tr.t("email.sunset.upgraded")
    } else {
        tr.f(
            "email.sunset.not_upgraded",
            &[("link", &format!("{base}{}", store_path(s).upgrade()))],
        )
    };
    if !still_used.is_empty() {
        let lines: Vec<String> = still_used.iter().map(|l| format!("- {l}")).collect();
        todo = format!(
            "{}\n\n{todo}",
            tr.f("email.sunset.still_used", &[("calls", &lines.join("\n"))])
        );
    }
    let subject = if still_used.is_empty() {
        "email.sunset.subject"
    } else {
        "email.sunset.subject_still_used"
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f(
            subject,
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("date", &date),
            ],
        ),
        text: tr.f(
            "email.sunset.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("date", &date),
                ("when", &when),
                ("todo", &todo),
                ("legacy", &format!("{base}{}", store_path(s).legacy())),
            ],
        ),
    }
}

/// The weekly digest of a partner manager's stores at risk (the first of them listed).
pub fn partner_digest(
    state: &App,
    to: &str,
    total: i64,
    rows: &[store::cohort::CohortRow],
    tr: Tr,
) -> Email {
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "- {} ({}): {}",
                r.name,
                r.legacy_store_id,
                tr.t(r.step.key())
            )
        })
        .collect();
    Email {
        to: to.to_owned(),
        subject: tr.n(
            "email.digest.subject",
            total,
            &[("count", &total.to_string())],
        ),
        text: tr.f(
            "email.digest.body",
            &[
                ("count", &total.to_string()),
                ("stores", &lines.join("\n")),
                (
                    "link",
                    &format!("{}/partner?risk=at-risk", state.config.base_url),
                ),
            ],
        ),
    }
}
