//! Calendar feeds (iCalendar, RFC 5545): one per store and one per partner, with the
//! sunset dates, the scheduled switch-off rehearsals and reminder alarms, so people plan
//! around the dates in the calendar they already use.
//!
//! A feed sits behind an unguessable address: its token is an HMAC of the owner and a
//! generation under the server's secret key, so nothing secret is stored, the address can
//! be shown again, and rotating it (the next generation) makes the old one fail at once.

use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{App, paths};
use crate::{
    domain::ical::{self, Event, Owner, When},
    i18n::{Lang, Tr},
    store::{self, Db, rehearsals::Rehearsal, stores::Store},
};

/// Alarms before a sunset, in days.
const SUNSET_ALARMS: [i64; 3] = [30, 7, 1];

/// Alarm before a rehearsal, in minutes.
const REHEARSAL_ALARM: i64 = 60;

/// The feed's token for `owner` at `generation`: 32 hex digits.
fn token(key: &[u8], owner: Owner, generation: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("calendar:{}:{}:{generation}", owner.kind(), owner.id()).as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The feed's address for `owner` now (without the host), in `lang`.
pub async fn address(app: &App, owner: Owner, lang: Lang) -> sqlx::Result<String> {
    let generation = store::calendars::generation(&app.db.pool, owner).await?;
    let key = app.config.secret_key.expose_secret().as_bytes();
    Ok(format!(
        "/calendar/{}/{}/{}.ics?lang={}",
        owner.kind(),
        owner.id(),
        token(key, owner, generation),
        lang.code()
    ))
}

/// Whether `given` is `owner`'s token now (compared in constant time).
pub async fn valid(app: &App, owner: Owner, given: &str) -> sqlx::Result<bool> {
    let generation = store::calendars::generation(&app.db.pool, owner).await?;
    let key = app.config.secret_key.expose_secret().as_bytes();
    let expected = token(key, owner, generation);
    Ok(given.as_bytes().ct_eq(expected.as_bytes()).into())
}

/// Gives `owner` a new address (the old one stops working), audited as `by` from `ip`.
pub async fn rotate(
    db: &Db,
    owner: Owner,
    store_id: Option<i64>,
    by: &str,
    ip: &str,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    store::calendars::rotate(&mut tx, owner).await?;
    store::audit::record(
        &mut *tx,
        &store::audit::Record {
            actor: by,
            action: "calendar.rotated",
            store_id,
            args: &[("kind", owner.kind())],
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A store's feed: its legacy store's sunset, and its rehearsals.
pub async fn store_feed(app: &App, s: &Store, tr: &Tr, now: i64) -> sqlx::Result<String> {
    let base = &app.config.base_url;
    let mut events = Vec::new();
    if let Some((date, _)) = super::legacy::sunset_of(app, s) {
        events.push(sunset_event(tr, s, date, base));
    }
    for r in store::rehearsals::of_store(&app.db.pool, s.id).await? {
        if r.ends_at >= now {
            events.push(rehearsal_event(tr, &s.legacy_store_id, &s.name, &r, base));
        }
    }
    let quiet_since = super::brownouts::quiet_since(now);
    if store::brownouts::affects(&app.db.pool, s.id, quiet_since).await? {
        for b in store::brownouts::coming(&app.db.pool, now).await? {
            if b.product == s.product {
                events.push(brownout_event(tr, app, &b));
            }
        }
    }
    let name = tr.f("calendar.store_name", &[("store", &s.name)]);
    Ok(ical::calendar(&name, now, &events))
}

/// A partner's feed: each legacy product's sunset, the ends of its stores' extensions,
/// and its stores' coming rehearsals.
pub async fn partner_feed(
    app: &App,
    partner_id: i64,
    partner_name: &str,
    tr: &Tr,
    now: i64,
) -> sqlx::Result<String> {
    let base = &app.config.base_url;
    let mut events = Vec::new();
    for p in app.catalog.products.iter().filter(|p| p.legacy) {
        let Some(date) = p.sunset_date() else {
            continue;
        };
        let summary = tr.f("calendar.product_sunset", &[("product", &p.name)]);
        events.push(Event {
            uid: format!("sunset-{}@switchyard", p.code),
            when: When::Day(date),
            description: tr.f("calendar.product_sunset_body", &[("product", &p.name)]),
            url: Some(format!("{base}{}", super::sunsets::CHANGELOG)),
            cancelled: false,
            alarms: alarms_days_before(tr, &SUNSET_ALARMS, &summary),
            summary,
        });
    }
    for b in store::brownouts::coming(&app.db.pool, now).await? {
        events.push(brownout_event(tr, app, &b));
    }
    for (id, eid, name, at) in
        store::extensions::extended_stores(&app.db.pool, Some(&[partner_id])).await?
    {
        let Some(date) = crate::domain::sunset::day_of(at) else {
            continue;
        };
        let summary = tr.f("calendar.extension_end", &[("eid", &eid), ("store", &name)]);
        events.push(Event {
            uid: format!("sunset-store-{id}@switchyard"),
            when: When::Day(date),
            description: tr.f("calendar.extension_end_body", &[("eid", &eid)]),
            url: Some(format!("{base}{}", paths::store(&eid).extension())),
            cancelled: false,
            alarms: alarms_days_before(tr, &SUNSET_ALARMS, &summary),
            summary,
        });
    }
    for row in store::rehearsals::of_partners(&app.db.pool, &[partner_id], now).await? {
        if row.rehearsal.ends_at >= now {
            events.push(rehearsal_event(
                tr,
                &row.legacy_store_id,
                &row.name,
                &row.rehearsal,
                base,
            ));
        }
    }
    let name = tr.f("calendar.partner_name", &[("partner", partner_name)]);
    Ok(ical::calendar(&name, now, &events))
}

/// The store's sunset; once an extension was approved, the extension's end (the same
/// event, so a calendar moves it).
fn sunset_event(tr: &Tr, s: &Store, date: time::Date, base: &str) -> Event {
    let (summary, body) = match s.extended_sunset {
        Some(_) => ("calendar.extension_end", "calendar.extension_end_body"),
        None => ("calendar.sunset", "calendar.sunset_body"),
    };
    let summary = tr.f(summary, &[("eid", &s.legacy_store_id), ("store", &s.name)]);
    Event {
        uid: format!("sunset-store-{}@switchyard", s.id),
        when: When::Day(date),
        description: tr.f(body, &[("eid", &s.legacy_store_id)]),
        url: Some(format!(
            "{base}{}",
            paths::store(&s.legacy_store_id).legacy()
        )),
        cancelled: false,
        alarms: alarms_days_before(tr, &SUNSET_ALARMS, &summary),
        summary,
    }
}

/// An alarm `days` before the event, for each of `days`, in minutes and words.
fn alarms_days_before(tr: &Tr, days: &[i64], summary: &str) -> Vec<(i64, String)> {
    days.iter()
        .map(|days| {
            let said = tr.n(
                "calendar.alarm_days",
                *days,
                &[("days", &days.to_string()), ("what", summary)],
            );
            (days * 24 * 60, said)
        })
        .collect()
}

fn rehearsal_event(tr: &Tr, eid: &str, name: &str, r: &Rehearsal, base: &str) -> Event {
    let summary = tr.f("calendar.rehearsal", &[("eid", eid), ("store", name)]);
    Event {
        uid: format!("rehearsal-{}@switchyard", r.id),
        when: When::Span(r.starts_at, r.ends_at),
        description: tr.f("calendar.rehearsal_body", &[("eid", eid)]),
        url: Some(format!("{base}{}", paths::store(eid).rehearsal(r.id))),
        cancelled: r.cancelled_at.is_some(),
        alarms: vec![(
            REHEARSAL_ALARM,
            tr.f("calendar.alarm_rehearsal", &[("what", &summary)]),
        )],
        summary,
    }
}

fn brownout_event(tr: &Tr, app: &App, b: &store::brownouts::Brownout) -> Event {
    let product = app.catalog.product_name(&b.product);
    let summary = tr.f("calendar.brownout", &[("product", product)]);
    Event {
        uid: format!("brownout-{}@switchyard", b.id),
        when: When::Span(b.starts_at, b.ends_at),
        description: tr.f(
            "calendar.brownout_body",
            &[("product", product), ("reason", &b.reason)],
        ),
        url: None,
        cancelled: b.cancelled_at.is_some(),
        alarms: alarms_days_before(tr, &super::brownouts::POINTS, &summary),
        summary,
    }
}
