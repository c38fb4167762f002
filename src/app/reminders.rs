//! Reminders that nobody asks for: the sunset countdown, upgrades without progress, and
//! the partner managers' weekly digest. Each is an outbox row with a key of its own, so
//! running these on every instance at once queues each reminder once.

use time::Date;

use super::{App, emails, partner};
use crate::{
    domain::{Catalog, Step, sunset::Phase},
    i18n::Tr,
    store::{self, outbox::Lane},
};

/// Stores are read this many at a time.
const PAGE: i64 = 500;

/// The sunset reminder each legacy product is due today: its code, sunset date, the
/// point reached (90, 30, 7 or 1 days), the days left, and the reminder key's suffix.
///
/// The key names the point (`:30`), and once the date has moved the date too
/// (`:30@2027-05-31`): a store reminded 30 days before the old date is reminded again 30
/// days before the new one.
fn sunset_points(catalog: &Catalog, today: Date) -> Vec<(&str, Date, i64, i64, String)> {
    catalog
        .products
        .iter()
        .filter(|p| p.legacy)
        .filter_map(|p| {
            let date = p.sunset_date()?;
            match Phase::on(date, today) {
                Phase::Countdown { point, days_left } => {
                    let suffix = match p.sunset_changed() {
                        None => format!(":{point}"),
                        Some(_) => format!(":{point}@{date}"),
                    };
                    Some((p.code.as_str(), date, point, days_left, suffix))
                }
                _ => None,
            }
        })
        .collect()
}

/// Queues the reminder of the point each legacy product's sunset is at (90, 30, 7 or 1
/// days) for every store on it that has not had that reminder and is not held back by
/// its import until after `now`; returns how many.
pub async fn sunset(state: &App, today: Date, now: i64) -> anyhow::Result<usize> {
    let mut queued = 0;
    for (product, date, _, days_left, suffix) in sunset_points(&state.catalog, today) {
        loop {
            let stores = store::stores::without_email(
                &state.db.pool,
                (product, "sunset:", &suffix),
                now,
                PAGE,
            )
            .await?;
            for s in &stores {
                let key = format!("sunset:{}{suffix}", s.id);
                if remind(state, s, (date, days_left), &key, now).await? {
                    queued += 1;
                }
            }
            if (stores.len() as i64) < PAGE {
                break;
            }
        }
    }
    queued += sunset_own(state, today, now).await?;
    if queued > 0 {
        state.outbox.wake();
    }
    Ok(queued)
}

/// Queues store `s`'s sunset reminder (the sunset `date`, `days_left` to it) under `key`,
/// in its admin's language; false when that key was queued already.
async fn remind(
    state: &App,
    s: &store::stores::Store,
    (date, days_left): (Date, i64),
    key: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let upgrade = store::upgrades::for_store(&state.db.pool, s.id).await?;
    let done = upgrade.is_some_and(|u| u.step == Step::Complete);
    let lang = store::users::email_lang(&state.db.pool, &s.admin_email, Some(s)).await?;
    let tr = Tr::new(lang);
    let still_used = still_used(state, s, now, tr).await?;
    let email = emails::sunset(state, s, date, days_left, done, &still_used, tr);
    let mut tx = state.db.begin().await?;
    let queued = store::outbox::enqueue(&mut tx, Lane::Bulk, key, &email, Some(s.id)).await?;
    tx.commit().await?;
    Ok(queued)
}

/// The sunset reminders of stores with a sunset of their own: the point each one's own
/// date is at, keyed with that date (`:30@2027-05-31`), so a store reminded before its
/// product's date is reminded again before its own.
async fn sunset_own(state: &App, today: Date, now: i64) -> anyhow::Result<usize> {
    let mut queued = 0;
    let mut after = 0;
    loop {
        let stores = store::stores::extended(&state.db.pool, after, PAGE).await?;
        for s in &stores {
            let Some(date) = s.sunset(&state.catalog) else {
                continue;
            };
            let Phase::Countdown { point, days_left } = Phase::on(date, today) else {
                continue;
            };
            let key = format!("sunset:{}:{point}@{date}", s.id);
            if !store::outbox::exists(&state.db.pool, &key).await?
                && remind(state, s, (date, days_left), &key, now).await?
            {
                queued += 1;
            }
        }
        match stores.last() {
            Some(last) if stores.len() as i64 == PAGE => after = last.id,
            _ => return Ok(queued),
        }
    }
}

/// What still used `s`'s legacy ID in the last 7 days, a line per service: its calls and
/// the user agent of the last; empty for a store whose legacy ID is quiet. The sunset
/// reminder of a store still using it is the loud one, naming these.
async fn still_used(
    state: &App,
    s: &store::stores::Store,
    now: i64,
    tr: Tr,
) -> anyhow::Result<Vec<String>> {
    if s.legacy_called_at
        .is_none_or(|at| at < crate::domain::traffic::recent_since(now))
    {
        return Ok(Vec::new());
    }
    let uses = store::traffic::of_store(&state.db.pool, s.id, now).await?;
    Ok(uses
        .iter()
        .filter(|u| u.is_legacy() && u.recent > 0)
        .map(|u| {
            tr.f(
                "email.sunset.still_used_line",
                &[
                    ("service", &tr.t(u.service.key())),
                    ("calls", &u.recent.to_string()),
                    (
                        "agent",
                        u.user_agent
                            .as_deref()
                            .unwrap_or(&tr.t("email.legacy_orders.none_said")),
                    ),
                ],
            )
        })
        .collect())
}

/// Days without progress after which the admin is reminded.
pub const STALL_REMINDER_DAYS: [i64; 2] = [3, 7];

/// Each no-progress reminder's days and the window of idleness it covers, `(after,
/// before]`. Each covers its window only: an upgrade first found 7 days idle (the chores
/// were off) gets the 7-day one, not both at once; and the last window ends a week later,
/// so an upgrade abandoned long before these chores first ran is not reminded out of the
/// blue.
fn stall_windows(now: i64) -> Vec<(i64, (i64, i64))> {
    STALL_REMINDER_DAYS
        .into_iter()
        .enumerate()
        .map(|(i, days)| {
            let until = STALL_REMINDER_DAYS
                .get(i + 1)
                .map_or(now - (days + 7) * 86_400, |next| now - next * 86_400);
            (days, (until, now - days * 86_400))
        })
        .collect()
}

/// Reminds the admins of upgrades with no step moved for 3 and for 7 days, once each
/// per stall (a step moving starts the count again); returns how many were queued.
pub async fn stalled(state: &App, now: i64) -> anyhow::Result<usize> {
    let mut queued = 0;
    for (days, window) in stall_windows(now) {
        loop {
            let due =
                store::waiting::due_stall_reminders(&state.db.pool, window, (days, now), PAGE)
                    .await?;
            for d in &due {
                let Some(s) = store::stores::find_by_id(&state.db.pool, d.store_id).await? else {
                    continue;
                };
                let lang =
                    store::users::email_lang(&state.db.pool, &s.admin_email, Some(&s)).await?;
                let email = emails::reminder(state, &s, Some(d.step), lang);
                let key = format!("stall:{}:{}:{days}", d.upgrade_id, d.progressed_at);
                let mut tx = state.db.begin().await?;
                if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &email, Some(s.id)).await? {
                    queued += 1;
                }
                tx.commit().await?;
            }
            if (due.len() as i64) < PAGE {
                break;
            }
        }
    }
    if queued > 0 {
        state.outbox.wake();
    }
    Ok(queued)
}

/// How many reminder emails of each kind the chores would queue at `now` (on `today`):
/// the same selection as [`sunset`] and [`stalled`], counted on `conn` (an import's dry
/// run counts inside the transaction it then rolls back).
pub async fn due(
    conn: &mut sqlx::AnyConnection,
    catalog: &Catalog,
    today: Date,
    now: i64,
) -> sqlx::Result<Due> {
    let mut due = Due::default();
    for (product, _, _, _, suffix) in sunset_points(catalog, today) {
        due.sunset +=
            store::stores::count_without_email(&mut *conn, (product, "sunset:", &suffix), now)
                .await?;
    }
    for (days, window) in stall_windows(now) {
        due.no_progress +=
            store::waiting::count_due_stall_reminders(&mut *conn, window, (days, now)).await?;
    }
    Ok(due)
}

/// Reminder emails due, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    /// Sunset countdown reminders to store admins.
    pub sunset: i64,
    /// No-progress reminders to the admins of stalled upgrades.
    pub no_progress: i64,
}

/// Once a week, each partner manager hears which of their stores are at risk of missing
/// the sunset (nothing is sent when none is).
pub async fn partner_digests(state: &App, now: i64) -> anyhow::Result<usize> {
    use crate::store::cohort::{Cohort, Filter, Sort};
    let today = time::OffsetDateTime::from_unix_timestamp(now)?.date();
    let (year, week, _) = today.to_iso_week_date();
    let sunsets = partner::sunsets(state);
    let filter = Filter {
        risk: Some(crate::domain::risk::Risk::AtRisk),
        ..Filter::default()
    };
    let mut queued = 0;
    for (user_id, email) in store::users::partner_managers(&state.db.pool).await? {
        let key = format!("digest:{user_id}:{year}-W{week:02}");
        if store::outbox::exists(&state.db.pool, &key).await? {
            continue;
        }
        let tr = Tr::new(store::users::email_lang(&state.db.pool, &email, None).await?);
        let Some(principal) = store::users::principal(&state.db.pool, user_id).await? else {
            continue;
        };
        let cohort = Cohort {
            partners: Some(&principal.partner_ids),
            filter: &filter,
            rule: partner::rule(state),
            sunsets: &sunsets,
            now,
        };
        let total = cohort.count(&state.db).await?;
        if total == 0 {
            continue;
        }
        let rows = cohort.page(&state.db, Sort::Idle, false, 20, 0).await?;
        let mail = emails::partner_digest(state, &email, total, &rows, tr);
        let mut tx = state.db.begin().await?;
        if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &mail, None).await? {
            queued += 1;
        }
        tx.commit().await?;
    }
    if queued > 0 {
        state.outbox.wake();
    }
    Ok(queued)
}
