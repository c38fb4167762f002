//! The partner manager's cohort: every store of their partners with its progress and
//! sunset risk, filtered, sorted and paged in the database; the charts; and the bulk
//! nudge (one reminder per store per day, audited).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use serde::Deserialize;

use super::{App, emails};
use crate::{
    config::ChartsConfig,
    domain::{
        Step,
        pace::{self, PACE_WEEKS, Projection},
        risk::{Risk, Rule},
        sunset,
        upgrade::Progress,
    },
    store::{
        self,
        audit::Record,
        cohort::{Cohort, CohortRow, Filter, Sort},
        outbox::Lane,
    },
};

pub const PAGE_SIZE: i64 = 50;

/// The dashboard's query string: filters, sort and page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub country: String,
    /// A partner's id (one of the manager's).
    #[serde(default)]
    pub partner: String,
    /// `calling`: only stores whose legacy ID was used in the last 7 days.
    #[serde(default)]
    pub legacy: String,
    /// `missing`: only completed upgrades whose order management was never seen on the
    /// new ID.
    #[serde(default)]
    pub order_management: String,
    /// `ready` or `not-ready`: only stores ready for the sunset, or not; `extended`: only
    /// stores given a later sunset of their own.
    #[serde(default)]
    pub sunset: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: String,
}

/// The `legacy` filter's one value: the legacy ID was used in the last 7 days.
pub const LEGACY_CALLING: &str = "calling";

/// The `order_management` filter's one value: complete, and order management never
/// succeeded on the new ID.
pub const ORDER_MANAGEMENT_MISSING: &str = "missing";

/// The `sunset` filter's values: ready for the sunset, or not, or given a later sunset
/// of its own.
pub const SUNSET_READY: &str = "ready";
pub const SUNSET_NOT_READY: &str = "not-ready";
pub const SUNSET_EXTENDED: &str = "extended";

impl ListQuery {
    pub fn filter(&self) -> Filter {
        Filter {
            q: self.q.trim().chars().take(100).collect(),
            // A step or risk it does not know is left out, like any unknown filter.
            step: Progress::parse(self.step.trim()),
            risk: Risk::parse(self.risk.trim()),
            product: self.product.trim().to_owned(),
            platform: self.platform.trim().to_owned(),
            country: self.country.trim().chars().take(2).collect(),
            partner: self.partner.trim().parse().ok(),
            store_id: None,
            stalled_before: None,
            after_id: None,
            changed_since: None,
            legacy_since: (self.legacy.trim() == LEGACY_CALLING)
                .then(|| crate::domain::traffic::recent_since(crate::store::now())),
            order_management_missing: self.order_management.trim() == ORDER_MANAGEMENT_MISSING,
            sunset_ready: match self.sunset.trim() {
                SUNSET_READY => Some((true, crate::store::now())),
                SUNSET_NOT_READY => Some((false, crate::store::now())),
                _ => None,
            },
            extended: self.sunset.trim() == SUNSET_EXTENDED,
        }
    }

    pub fn sort(&self) -> Sort {
        Sort::parse(&self.sort).unwrap_or_default()
    }

    pub fn descending(&self) -> bool {
        self.dir == "desc"
    }

    pub fn page(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 1_000_000)
    }

    /// The query string for the same list with `changes` applied (links keep the filter).
    pub fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("step", &self.step),
            ("risk", &self.risk),
            ("product", &self.product),
            ("platform", &self.platform),
            ("country", &self.country),
            ("partner", &self.partner),
            ("legacy", &self.legacy),
            ("order_management", &self.order_management),
            ("sunset", &self.sunset),
            ("sort", &self.sort),
            ("dir", &self.dir),
            ("page", &self.page),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.clone()))
        .collect();
        for (k, v) in changes {
            if let Some(p) = pairs.iter_mut().find(|(key, _)| key == k) {
                p.1 = (*v).to_owned();
            }
        }
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

/// Each legacy product's sunset as unix seconds (the store closes at 00:00 UTC).
pub fn sunsets(state: &App) -> Vec<(&str, i64)> {
    state
        .catalog
        .products
        .iter()
        .filter_map(|p| {
            let date = p.sunset_date()?;
            Some((
                p.code.as_str(),
                date.midnight().assume_utc().unix_timestamp(),
            ))
        })
        .collect()
}

/// When a store counts as stalled or at risk.
pub fn rule(state: &App) -> Rule {
    Rule::with_stall_days(state.config.stall_days)
}

/// The whole cohort's step counts and weekly completions: the charts, and the total
/// when nothing is filtered; and the countries its stores sell in (the country filter).
#[derive(Clone)]
pub struct Summary {
    pub steps: Vec<(Progress, i64)>,
    pub completions: Vec<(i64, i64)>,
    pub countries: Vec<String>,
}

/// Summaries per set of partners. The charts scan every store of the cohort, which a
/// partner paging through a million stores should not pay for each page: a summary is
/// fresh for a while (a minute by default); after that it is still shown while a new one
/// is read in the background (no request waits for the scan), and only one older than
/// `usable` (a quarter of an hour) is read again before answering.
#[derive(Clone, Default)]
pub struct ChartCache {
    entries: Arc<Mutex<HashMap<PartnerIds, Cached>>>,
    times: ChartsConfig,
}

/// A cohort's key in the cache: its partners' ids.
type PartnerIds = Vec<i64>;

#[derive(Clone)]
struct Cached {
    at: Instant,
    summary: Summary,
    refreshing: bool,
}

impl ChartCache {
    pub fn new(times: ChartsConfig) -> Self {
        Self {
            entries: Default::default(),
            times,
        }
    }

    pub async fn get(
        &self,
        db: &store::Db,
        whole: &Cohort<'_>,
        partners: &[i64],
    ) -> sqlx::Result<Summary> {
        let cached = self.entries.lock().ok().and_then(|mut cache| {
            let entry = cache.get_mut(partners)?;
            let age = entry.at.elapsed();
            if age < self.times.fresh {
                return Some((entry.summary.clone(), false));
            }
            if age >= self.times.usable {
                return None;
            }
            let refresh = !entry.refreshing;
            entry.refreshing = true;
            Some((entry.summary.clone(), refresh))
        });
        match cached {
            Some((summary, refresh)) => {
                if refresh {
                    self.refresh_later(db.clone(), whole, partners);
                }
                Ok(summary)
            }
            None => {
                let summary = read_summary(db, whole).await?;
                self.put(partners, summary.clone());
                Ok(summary)
            }
        }
    }

    fn put(&self, partners: &[i64], summary: Summary) {
        if let Ok(mut cache) = self.entries.lock() {
            let usable = self.times.usable;
            cache.retain(|_, c| c.at.elapsed() < usable);
            let at = Instant::now();
            let refreshing = false;
            cache.insert(
                partners.to_vec(),
                Cached {
                    at,
                    summary,
                    refreshing,
                },
            );
        }
    }

    /// Reads the summary again in the background and keeps it; on an error the stale one
    /// stays, and the next request past the minute tries again.
    fn refresh_later(&self, db: store::Db, whole: &Cohort<'_>, partners: &[i64]) {
        let cache = self.clone();
        let partners = partners.to_vec();
        let sunsets: Vec<(String, i64)> = whole
            .sunsets
            .iter()
            .map(|(c, t)| ((*c).to_owned(), *t))
            .collect();
        let rule = whole.rule;
        tokio::spawn(async move {
            let sunsets: Vec<(&str, i64)> = sunsets.iter().map(|(c, t)| (c.as_str(), *t)).collect();
            let everything = Filter::default();
            let whole = Cohort {
                partners: Some(&partners),
                filter: &everything,
                rule,
                sunsets: &sunsets,
                now: store::now(),
            };
            match read_summary(&db, &whole).await {
                Ok(summary) => cache.put(&partners, summary),
                Err(e) => {
                    tracing::warn!(error = %e, "the dashboard's charts could not be read again");
                    if let Ok(mut c) = cache.entries.lock()
                        && let Some(entry) = c.get_mut(&partners)
                    {
                        entry.refreshing = false;
                    }
                }
            }
        });
    }
}

async fn read_summary(db: &store::Db, whole: &Cohort<'_>) -> sqlx::Result<Summary> {
    Ok(Summary {
        steps: whole.steps(db).await?,
        completions: whole.completions_by_week(db).await?,
        countries: whole.countries(db).await?,
    })
}

/// Everything the dashboard shows for one request.
pub struct Dashboard {
    pub rows: Vec<CohortRow>,
    /// Stores matching the filter.
    pub total: i64,
    /// The charts show the whole cohort, whatever the filter: stores per step, and
    /// completions per week (week number from Monday 1970-01-05, count).
    pub steps: Vec<(Progress, i64)>,
    pub completions: Vec<(i64, i64)>,
    pub now: i64,
    /// Country codes the cohort's stores sell in.
    pub countries: Vec<String>,
    /// The manager's partners (id, name), for the partner filter.
    pub partners: Vec<(i64, String)>,
    /// The person's saved views.
    pub views: Vec<store::saved_views::SavedView>,
    /// At the current pace, who finishes by the next sunset (none without one).
    pub projection: Option<Projection>,
}

impl App {
    /// A cohort of `partners` (every store when `None`) under `query`'s filter.
    pub fn cohort<'a>(
        &'a self,
        partners: Option<&'a [i64]>,
        filter: &'a Filter,
        sunsets: &'a [(&'a str, i64)],
        now: i64,
    ) -> Cohort<'a> {
        Cohort {
            partners,
            filter,
            rule: rule(self),
            sunsets,
            now,
        }
    }
}

/// One page of the dashboard of `partners`' stores, with the charts of all of them, for
/// the person `user_id`.
pub async fn dashboard(
    state: &App,
    user_id: i64,
    partners: &[i64],
    query: &ListQuery,
) -> sqlx::Result<Dashboard> {
    let sunsets = sunsets(state);
    let filter = query.filter();
    let now = store::now();
    let cohort = state.cohort(Some(partners), &filter, &sunsets, now);
    let pool = &state.db.pool;
    let offset = (query.page() - 1) * PAGE_SIZE;
    let everything = Filter::default();
    let whole = Cohort {
        filter: &everything,
        ..cohort
    };
    let summary = state.charts.get(&state.db, &whole, partners).await?;
    let (rows, total) = cohort
        .page_and_count(
            &state.db,
            query.sort(),
            query.descending(),
            PAGE_SIZE,
            offset,
        )
        .await?;
    let projection = projection(state, &summary, now);
    Ok(Dashboard {
        rows,
        total,
        steps: summary.steps,
        completions: summary.completions,
        now,
        countries: summary.countries,
        partners: store::stores::partner_names(pool, partners).await?,
        views: store::saved_views::of_user(pool, user_id).await?,
        projection,
    })
}

/// The cohort's unfinished stores against the next sunset, at the pace of the last
/// [`PACE_WEEKS`] full weeks (this week is not over, so it would understate the pace).
fn projection(state: &App, summary: &Summary, now: i64) -> Option<Projection> {
    let ends = next_sunset(state)?;
    let this_week = (now - 345_600).div_euclid(604_800);
    let recent = summary
        .completions
        .iter()
        .filter(|(w, _)| (this_week - PACE_WEEKS..this_week).contains(w))
        .map(|(_, n)| n)
        .sum();
    let unfinished = summary
        .steps
        .iter()
        .filter(|(p, _)| *p != Progress::At(Step::Complete))
        .map(|(_, n)| n)
        .sum();
    let days_left = (ends - sunset::today()).whole_days();
    Some(pace::project(unfinished, recent, days_left))
}

/// Every store of `partners` under `query`'s filter, in its order (for the CSV export).
pub async fn all_rows(
    state: &App,
    partners: &[i64],
    query: &ListQuery,
) -> sqlx::Result<(Vec<CohortRow>, i64)> {
    let sunsets = sunsets(state);
    let filter = query.filter();
    let now = store::now();
    let rows = state
        .cohort(Some(partners), &filter, &sunsets, now)
        .page(&state.db, query.sort(), query.descending(), 1_000_000, 0)
        .await?;
    Ok((rows, now))
}

/// The next sunset still to come, of any product.
pub fn next_sunset(state: &App) -> Option<time::Date> {
    state
        .catalog
        .products
        .iter()
        .filter_map(|p| p.sunset_date())
        .filter(|d| *d > sunset::today())
        .min()
}

/// What a nudge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nudged {
    pub sent: usize,
    /// Stores not found, not the manager's, complete, or reminded today already.
    pub skipped: usize,
}

/// Sends the admins of the `chosen` stores a reminder, at most one per store per day,
/// skipping (without saying which) any store that is not one of `partners`'.
pub async fn nudge(
    state: &App,
    actor: &str,
    partners: &[i64],
    ip: &str,
    chosen: &[&str],
) -> anyhow::Result<Nudged> {
    let today = sunset::today();
    let mut done = Nudged::default();
    for eid in chosen {
        let Some(s) = store::stores::find_by_legacy_id(&state.db.pool, eid).await? else {
            done.skipped += 1;
            continue;
        };
        if !s.partner_id.is_some_and(|p| partners.contains(&p)) {
            done.skipped += 1;
            continue;
        }
        let upgrade = store::upgrades::for_store(&state.db.pool, s.id).await?;
        if upgrade.as_ref().is_some_and(|u| u.step == Step::Complete) {
            done.skipped += 1;
            continue;
        }
        let mut tx = state.db.begin().await?;
        let lang = store::users::email_lang(&state.db.pool, &s.admin_email, Some(&s)).await?;
        let email = emails::reminder(state, &s, upgrade.as_ref().map(|u| u.step), lang);
        let key = format!("nudge:{}:{today}", s.id);
        if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &email, Some(s.id)).await? {
            store::audit::record(
                &mut *tx,
                &Record {
                    actor,
                    action: "store.nudged",
                    store_id: Some(s.id),
                    args: &[],
                    ip,
                },
            )
            .await?;
            done.sent += 1;
        } else {
            done.skipped += 1;
        }
        tx.commit().await?;
    }
    state.outbox.wake();
    Ok(done)
}
