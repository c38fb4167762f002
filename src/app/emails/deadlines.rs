//! The emails about dates: a changed sunset, a decided extension, a coming brownout.

use time::Date;

use crate::{i18n::Tr, mail::Email, store};

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

/// A brownout's "in N days", start and end, as the reader writes them, in their zone.
fn brownout_times(
    (tr, zone): (&Tr, &jiff::tz::TimeZone),
    b: &store::brownouts::Brownout,
    days: i64,
) -> [String; 3] {
    [
        tr.n("email.brownout.when", days, &[("days", &days.to_string())]),
        crate::i18n::format::datetime_in(tr.lang, b.starts_at, zone),
        crate::i18n::format::datetime_in(tr.lang, b.ends_at, zone),
    ]
}

/// A brownout of the store's legacy product `days` days ahead, to its admin.
pub fn brownout(
    reader: (&Tr, &jiff::tz::TimeZone),
    to: &str,
    (store, eid): (&str, &str),
    b: &store::brownouts::Brownout,
    days: i64,
    link: &str,
) -> Email {
    let [when, start, end] = brownout_times(reader, b, days);
    let tr = reader.0;
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
    reader: (&Tr, &jiff::tz::TimeZone),
    to: &str,
    (b, product): (&store::brownouts::Brownout, &str),
    days: i64,
    stores: i64,
    link: &str,
) -> Email {
    let [when, start, end] = brownout_times(reader, b, days);
    let tr = reader.0;
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
