//! The emails the upgrade itself sends: legacy traffic seen, legacy orders after the
//! upgrade, a rehearsal's reminder and report, and the completed upgrade.

use crate::{i18n::Tr, mail::Email, store};

/// The legacy store of `s` still takes orders after the new credentials exist.
pub fn legacy_active(tr: Tr, s: &store::stores::Store, link: &str) -> Email {
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.legacy_active.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.legacy_active.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("link", link),
            ],
        ),
    }
}

/// Live orders still arrive on the legacy store of `s` a week after its upgrade: from
/// `countries` (each "name: orders"), sent by `agents`.
pub fn legacy_orders_after_upgrade(
    tr: &Tr,
    s: &store::stores::Store,
    countries: &[String],
    agents: &[&str],
    link: &str,
) -> Email {
    let list = |items: Vec<String>| {
        if items.is_empty() {
            format!("- {}", tr.t("email.legacy_orders.none_said"))
        } else {
            items
                .iter()
                .map(|i| format!("- {i}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.legacy_orders.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.legacy_orders.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("countries", &list(countries.to_vec())),
                (
                    "agents",
                    &list(agents.iter().map(|a| (*a).to_owned()).collect()),
                ),
                ("link", link),
            ],
        ),
    }
}

/// The switch-off rehearsal of `s` starts at `when` (as the admin reads times).
pub fn rehearsal_reminder(
    tr: Tr,
    s: &store::stores::Store,
    when: &str,
    minutes: i64,
    link: &str,
) -> Email {
    Email {
        to: s.admin_email.clone(),
        subject: tr.f(
            "email.rehearsal_reminder.subject",
            &[("store", &s.name), ("when", when)],
        ),
        text: tr.f(
            "email.rehearsal_reminder.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("when", when),
                ("minutes", &minutes.to_string()),
                ("link", link),
            ],
        ),
    }
}

/// The switch-off rehearsal of `s` has ended, with `refused` legacy calls refused.
pub fn rehearsal_report(tr: Tr, s: &store::stores::Store, refused: i64, link: &str) -> Email {
    let verdict = if refused == 0 {
        tr.t("email.rehearsal_report.nothing")
    } else {
        tr.n(
            "email.rehearsal_report.refused",
            refused,
            &[("count", &refused.to_string())],
        )
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.rehearsal_report.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.rehearsal_report.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("verdict", &verdict),
                ("link", link),
            ],
        ),
    }
}

/// The test purchase `order` on `mid` completed the upgrade of `s`.
pub fn upgrade_complete(
    tr: Tr,
    s: &store::stores::Store,
    mid: &str,
    order: &str,
    link: &str,
    sunset: Option<time::Date>,
) -> Email {
    // The day the legacy store closes, when its product has one.
    let closes = match sunset {
        Some(d) => tr.f(
            "email.complete.closes_on",
            &[
                ("eid", &s.legacy_store_id),
                ("date", &crate::i18n::format::date(tr.lang, d)),
            ],
        ),
        None => tr.t("email.complete.closes_later"),
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.complete.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.complete.body",
            &[
                ("store", &s.name),
                ("mid", mid),
                ("order", order),
                ("link", link),
                ("closes", &closes),
            ],
        ),
    }
}
