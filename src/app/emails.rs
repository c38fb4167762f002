//! Every email Switchyard sends, one function each. Each is composed in the language it
//! is given: the recipient's, found by [`lang_of`] (their own choice, else the language
//! of their store's country, else English).

use super::App;
use sqlx::{Any, Executor};
use time::Date;

use super::paths;
use crate::{
    domain::{
        Step,
        sunset::{self, Phase},
    },
    i18n::Tr,
    mail::Email,
    store,
};

fn store_path(s: &store::stores::Store) -> paths::Store<'_> {
    paths::store(&s.legacy_store_id)
}

/// A translator in the language `email` reads Switchyard in: their own choice, else the
/// language of `store`'s first country, else English.
pub async fn lang_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    store: Option<&store::stores::Store>,
) -> sqlx::Result<Tr> {
    Ok(Tr::new(store::users::email_lang(ex, email, store).await?))
}

/// A moment as `email` reads it in an email: in `tr`'s language and the time zone they
/// chose on their account page, else UTC (an email has no browser to ask). Every email
/// that shows a time writes it with this.
pub async fn time_for<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    tr: Tr,
    unix: i64,
) -> sqlx::Result<String> {
    let zone = store::users::time_zone_of(ex, email)
        .await?
        .as_deref()
        .and_then(crate::i18n::zone::parse)
        .unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(crate::i18n::format::datetime_in(tr.lang, unix, &zone))
}

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

/// A sign-in link (the link is a secret: the outbox wipes it once delivered).
pub fn sign_in(tr: Tr, to: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.t("email.sign_in.subject"),
        text: tr.f("email.sign_in.body", &[("link", link)]),
    }
}

/// To the proposed new administrator of `s`: confirm with this link.
pub fn admin_change_request(tr: Tr, to: &str, s: &store::stores::Store, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.f("email.admin_change.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.admin_change.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("link", link),
            ],
        ),
    }
}

/// To the previous administrator of `s`: `new` administers it now.
pub fn admin_changed(tr: Tr, s: &store::stores::Store, new: &str) -> Email {
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.admin_changed.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.admin_changed.body",
            &[("store", &s.name), ("new", new)],
        ),
    }
}

/// To the administrator of `s`: `by` revoked the API credentials `usernames` at `time`
/// (as the admin reads it, [`time_for`]), so payments using them stop; new ones are made
/// on the credentials step.
pub fn credentials_revoked(
    tr: Tr,
    s: &store::stores::Store,
    usernames: &str,
    by: &str,
    time: &str,
    base: &str,
) -> Email {
    let link = format!("{base}{}", store_path(s).step(Step::Credentials));
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.credentials_revoked.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.credentials_revoked.body",
            &[
                ("store", &s.name),
                ("usernames", usernames),
                ("by", by),
                ("time", time),
                ("link", &link),
            ],
        ),
    }
}

/// An invitation to read `s`, from its administrator `admin`.
pub fn invitation(tr: Tr, to: &str, s: &store::stores::Store, admin: &str, base: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.f("email.invite.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.invite.body",
            &[
                ("store", &s.name),
                ("admin", admin),
                ("link", &format!("{base}/signin")),
            ],
        ),
    }
}

/// The admin passes new live credentials to their technical delegate: a one-time link.
pub fn handoff(tr: &Tr, to: &str, s: &store::stores::Store, admin: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.f("email.handoff.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.handoff.body",
            &[("store", &s.name), ("admin", admin), ("link", link)],
        ),
    }
}

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

/// A store's sunset moved from `old` to `new` (`reason`: the operator's words, or empty);
/// `links`: the store's page and the public list of every change.
pub fn sunset_changed(
    tr: &Tr,
    s: &store::stores::Store,
    (old, new): (Date, Date),
    reason: &str,
    (page, changelog): (&str, &str),
) -> Email {
    let (old, new) = (
        crate::i18n::format::date(tr.lang, old),
        crate::i18n::format::date(tr.lang, new),
    );
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!(
            "\n{}\n",
            tr.f("email.sunset_changed.reason", &[("reason", reason)])
        )
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f(
            "email.sunset_changed.subject",
            &[("store", &s.name), ("new", &new)],
        ),
        text: tr.f(
            "email.sunset_changed.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("old", &old),
                ("new", &new),
                ("reason", &reason),
                ("link", page),
                ("changelog", changelog),
            ],
        ),
    }
}

/// Support's decision on a store's request for a later sunset, to its admin.
pub fn extension_decided(
    tr: &Tr,
    s: &store::stores::Store,
    request: &store::extensions::Extension,
    granted: Option<Date>,
    reason: &str,
    link: &str,
) -> Email {
    let wanted = crate::domain::parse_date(&request.wanted_date)
        .map(|d| crate::i18n::format::date(tr.lang, d))
        .unwrap_or_default();
    let (subject, body, date) = match granted {
        Some(day) => (
            "email.extension.approved.subject",
            "email.extension.approved.body",
            crate::i18n::format::date(tr.lang, day),
        ),
        None => (
            "email.extension.declined.subject",
            "email.extension.declined.body",
            String::new(),
        ),
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f(subject, &[("store", &s.name), ("date", &date)]),
        text: tr.f(
            body,
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("wanted", &wanted),
                ("date", &date),
                ("reason", reason),
                ("link", link),
            ],
        ),
    }
}

/// A brownout's "in N days", start and end, as the reader writes them.
fn brownout_times(tr: &Tr, b: &store::brownouts::Brownout, days: i64) -> [String; 3] {
    [
        tr.n("email.brownout.when", days, &[("days", &days.to_string())]),
        crate::i18n::format::datetime(tr.lang, b.starts_at),
        crate::i18n::format::datetime(tr.lang, b.ends_at),
    ]
}

/// A brownout of the store's legacy product `days` days ahead, to its admin.
pub fn brownout(
    tr: &Tr,
    to: &str,
    (store, eid): (&str, &str),
    b: &store::brownouts::Brownout,
    days: i64,
    link: &str,
) -> Email {
    let [when, start, end] = brownout_times(tr, b, days);
    Email {
        to: to.to_owned(),
        subject: tr.f(
            "email.brownout.subject",
            &[("store", store), ("when", &when)],
        ),
        text: tr.f(
            "email.brownout.body",
            &[
                ("store", store),
                ("eid", eid),
                ("start", &start),
                ("end", &end),
                ("when", &when),
                ("reason", &b.reason),
                ("link", link),
            ],
        ),
    }
}

/// The same brownout of product `product` (its name), to a partner manager with `stores`
/// stores it bothers.
pub fn brownout_partner(
    tr: &Tr,
    to: &str,
    (b, product): (&store::brownouts::Brownout, &str),
    days: i64,
    stores: i64,
    link: &str,
) -> Email {
    let [when, start, end] = brownout_times(tr, b, days);
    Email {
        to: to.to_owned(),
        subject: tr.f(
            "email.brownout_partner.subject",
            &[("product", product), ("when", &when)],
        ),
        text: tr.f(
            "email.brownout_partner.body",
            &[
                ("product", product),
                ("stores", &stores.to_string()),
                ("start", &start),
                ("end", &end),
                ("when", &when),
                ("reason", &b.reason),
                ("link", link),
            ],
        ),
    }
}
