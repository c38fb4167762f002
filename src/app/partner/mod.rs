//! The partner manager's cohort: every store of their partners with its progress and
//! sunset risk, filtered, sorted and paged in the database; the charts; and the bulk
//! nudge (one reminder per store per day, audited).

mod charts;
mod nudge;
mod query;

pub use charts::{ChartCache, Summary};
pub use nudge::{Nudged, nudge};
pub use query::{
    LEGACY_CALLING, ListQuery, ORDER_MANAGEMENT_MISSING, PAGE_SIZE, SUNSET_EXTENDED,
    SUNSET_NOT_READY, SUNSET_READY,
};

use super::App;
use crate::{
    domain::{
        Step,
        pace::{self, PACE_WEEKS, Projection},
        risk::Rule,
        sunset,
        upgrade::Progress,
    },
    store::{
        self,
        cohort::{Cohort, CohortRow, Filter},
    },
};

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
