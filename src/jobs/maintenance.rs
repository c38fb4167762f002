//! Periodic chores (reminders, digests, catching up, the retention purge). Each is safe on every instance at once: a reminder is an outbox row
//! with a key of its own (`sunset:{store}:{point}`), so it is queued once whoever runs
//! first, refreshing legacy orders only writes what the platform says, and an order's late
//! effect is decided under the upgrade's lock.

use std::time::{Duration, Instant};

use time::Date;

use crate::store::outbox::Lane;
use crate::{
    domain::{
        Step,
        sunset::{self, Phase},
    },
    i18n::Tr,
    mail::Email,
    store,
    web::AppState,
};

/// Legacy orders are asked of the platform at most this often.
const SWEEP_EVERY: Duration = Duration::from_secs(24 * 3600);
const PAGE: i64 = 500;

/// Runs the chores every `interval` until the shutdown begins. A turn in progress then
/// is dropped at its next wait: each of its writes is a transaction of its own, so what
/// it did stays and the rest waits for the next start.
pub fn spawn(state: AppState, interval: Duration) {
    let tasks = state.tasks.clone();
    let mut stopping = tasks.stopping();
    tasks.spawn(async move {
        let mut last_sweep: Option<Instant> = None;
        loop {
            tokio::select! {
                biased;
                () = stopping.stopped() => return,
                () = turn(&state, &mut last_sweep) => {}
            }
            tokio::select! {
                biased;
                () = stopping.stopped() => return,
                () = tokio::time::sleep(interval) => {}
            }
        }
    });
}

/// One round of the chores.
async fn turn(state: &AppState, last_sweep: &mut Option<Instant>) {
    match sunset_reminders(state, sunset::today()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "sunset reminders"),
        Err(e) => tracing::error!(error = ?e, "sunset reminders"),
    }
    match stall_reminders(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "no-progress reminders"),
        Err(e) => tracing::error!(error = ?e, "no-progress reminders"),
    }
    match crate::platform::intake::catch_up(&state.db, state.sinks()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(effects = n, "recorded orders weighed late"),
        Err(e) => tracing::error!(error = ?e, "weighing recorded orders"),
    }
    match partner_digests(state, store::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "partner digests"),
        Err(e) => tracing::error!(error = ?e, "partner digests"),
    }
    match super::purge::purge(&state.db, &state.config, store::now()).await {
        Ok(p) if p.total() == 0 => {}
        Ok(p) => tracing::info!(
            sessions = p.sessions,
            sign_in_tokens = p.sign_in_tokens,
            rate_limit_events = p.rate_limit_events,
            api_log = p.api_log,
            screenshots = p.screenshots,
            "purged rows past their retention"
        ),
        Err(e) => tracing::error!(error = ?e, "purging rows past their retention"),
    }
    if state.platform.is_configured() && last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
        *last_sweep = Some(Instant::now());
        let report = refresh_legacy_orders(state).await;
        tracing::info!(
            stores = report.stores,
            failed = report.failed,
            "legacy orders refreshed"
        );
    }
}

/// Queues the reminder of the point each legacy product's sunset is at (90, 30, 7 or 1
/// days) for every store on it that has not had that reminder; returns how many.
pub async fn sunset_reminders(state: &AppState, today: Date) -> anyhow::Result<usize> {
    let mut queued = 0;
    for product in state.catalog.products.iter().filter(|p| p.legacy) {
        let Some(date) = product.sunset_date() else {
            continue;
        };
        let Phase::Countdown { point, days_left } = Phase::on(date, today) else {
            continue;
        };
        let suffix = format!(":{point}");
        loop {
            let stores = store::stores::without_email(
                &state.db.pool,
                &product.code,
                "sunset:",
                &suffix,
                PAGE,
            )
            .await?;
            for s in &stores {
                let upgrade = store::upgrades::for_store(&state.db.pool, s.id).await?;
                let done = upgrade.is_some_and(|u| u.step == Step::Complete);
                let lang =
                    store::users::email_lang(&state.db.pool, &s.admin_email, Some(s)).await?;
                let email = reminder(state, s, date, days_left, done, Tr::new(lang));
                let mut tx = state.db.begin().await?;
                let key = format!("sunset:{}{suffix}", s.id);
                if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &email, Some(s.id)).await? {
                    queued += 1;
                }
                tx.commit().await?;
            }
            if (stores.len() as i64) < PAGE {
                break;
            }
        }
    }
    if queued > 0 {
        state.jobs.wake();
    }
    Ok(queued)
}

fn reminder(
    state: &AppState,
    s: &store::stores::Store,
    date: Date,
    days_left: i64,
    upgraded: bool,
    tr: Tr,
) -> Email {
    let base = &state.config.base_url;
    let date = crate::i18n::format::date(tr.lang, date);
    let when = tr.n(
        "email.sunset.when",
        days_left,
        &[("days", &days_left.to_string())],
    );
    let todo = if upgraded {
        tr.t("email.sunset.upgraded")
    } else {
        tr.f(
            "email.sunset.not_upgraded",
            &[(
                "link",
                &format!("{base}/stores/{}/upgrade", s.legacy_store_id),
            )],
        )
    };
    Email {
        to: s.admin_email.clone(),
        subject: tr.f(
            "email.sunset.subject",
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
                (
                    "legacy",
                    &format!("{base}/stores/{}/legacy", s.legacy_store_id),
                ),
            ],
        ),
    }
}

/// Days without progress after which the admin is reminded.
pub const STALL_REMINDER_DAYS: [i64; 2] = [3, 7];

/// Reminds the admins of upgrades with no step moved for 3 and for 7 days, once each
/// per stall (a step moving starts the count again); returns how many were queued.
pub async fn stall_reminders(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let mut queued = 0;
    // Each reminder covers its window only: an upgrade first found 7 days idle (the
    // chores were off) gets the 7-day one, not both at once.
    for (i, days) in STALL_REMINDER_DAYS.into_iter().enumerate() {
        // The last reminder's window ends a week later: an upgrade abandoned long
        // before these chores first ran is not reminded out of the blue.
        let until = STALL_REMINDER_DAYS
            .get(i + 1)
            .map_or(now - (days + 7) * 86_400, |next| now - next * 86_400);
        loop {
            let due = store::waiting::due_stall_reminders(
                &state.db.pool,
                (until, now - days * 86_400),
                days,
                PAGE,
            )
            .await?;
            for d in &due {
                let Some(s) = store::stores::find_by_id(&state.db.pool, d.store_id).await? else {
                    continue;
                };
                let lang =
                    store::users::email_lang(&state.db.pool, &s.admin_email, Some(&s)).await?;
                let email = crate::web::partner::reminder(state, &s, Some(d.step), lang);
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
        state.jobs.wake();
    }
    Ok(queued)
}

/// Once a week, each partner manager hears which of their stores are at risk of missing
/// the sunset (nothing is sent when none is).
pub async fn partner_digests(state: &AppState, now: i64) -> anyhow::Result<usize> {
    use crate::store::cohort::{Cohort, Filter, Sort};
    let today = time::OffsetDateTime::from_unix_timestamp(now)?.date();
    let (year, week, _) = today.to_iso_week_date();
    let sunsets = crate::web::partner::sunsets(state);
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
            rule: crate::web::partner::rule(state),
            sunsets: &sunsets,
            now,
        };
        let total = cohort.count(&state.db.pool).await?;
        if total == 0 {
            continue;
        }
        let rows = cohort
            .page(&state.db.pool, Sort::Idle, false, 20, 0)
            .await?;
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
        let mail = Email {
            to: email.clone(),
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
        };
        let mut tx = state.db.begin().await?;
        if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &mail, None).await? {
            queued += 1;
        }
        tx.commit().await?;
    }
    if queued > 0 {
        state.jobs.wake();
    }
    Ok(queued)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub stores: usize,
    pub failed: usize,
}

/// Asks the platform for the orders of every legacy store whose sunset has not come and
/// remembers them, so the dashboards can warn of authorizations about to expire. One
/// store the platform cannot answer for does not stop the others.
pub async fn refresh_legacy_orders(state: &AppState) -> SweepReport {
    let today = sunset::today();
    let open: Vec<&str> = state
        .catalog
        .products
        .iter()
        .filter(|p| {
            p.legacy
                && p.sunset_date()
                    .is_none_or(|d| !Phase::on(d, today).is_closed())
        })
        .map(|p| p.code.as_str())
        .collect();
    let mut report = SweepReport::default();
    let mut after = 0;
    loop {
        let stores = match store::stores::on_products(&state.db.pool, &open, after, PAGE).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot list legacy stores");
                return report;
            }
        };
        for s in &stores {
            report.stores += 1;
            if let Err(e) = crate::web::legacy::sync_orders(state, s).await {
                report.failed += 1;
                tracing::warn!(store = %s.legacy_store_id, error = %e, "cannot refresh legacy orders");
            }
        }
        match stores.last() {
            Some(last) if stores.len() as i64 == PAGE => after = last.id,
            _ => return report,
        }
    }
}
