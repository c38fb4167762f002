//! A cohort of stores with their upgrade's progress and sunset risk: the partner
//! dashboard, its CSV export and the partner API read it. Filtering, sorting and paging
//! happen in the database so 100,000 stores stay fast.

mod export;
mod pages;
mod source;

use sqlx::FromRow;

pub use export::{AllSorted, LongRead};

use super::columns;
use crate::domain::{
    risk::{Risk, Rule},
    upgrade::Progress,
};

#[derive(Debug, Clone, FromRow)]
pub struct CohortRow {
    pub id: i64,
    pub legacy_store_id: String,
    pub name: String,
    pub admin_email: String,
    pub product: String,
    pub platform: String,
    pub countries: String,
    pub path_id: Option<String>,
    pub step: Progress,
    pub progressed_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub risk: Risk,
    pub partner_id: Option<i64>,
    /// The partner's name; `None` for a store of no partner.
    pub partner: Option<String>,
    /// The new merchant ID, once the account step made it.
    pub merchant_id: Option<String>,
    /// When a reminder of any kind (sunset, stall, nudge) was last queued for the store's
    /// admin.
    pub last_reminded_at: Option<i64>,
    /// When the legacy store's ID was last used (a call or an order on it).
    pub legacy_called_at: Option<i64>,
    /// When order management first succeeded on a new merchant ID.
    pub order_management_at: Option<i64>,
    /// When the last live order arrived on the legacy store ID.
    pub legacy_ordered_at: Option<i64>,
    /// The latest expiry of a legacy authorization still open.
    pub legacy_open_until: Option<i64>,
    /// When the legacy store's archive was downloaded.
    pub legacy_archived_at: Option<i64>,
    /// The store's own sunset (00:00 UTC) once an extension was approved.
    pub extended_sunset: Option<i64>,
}

impl CohortRow {
    /// Whole days since the last step moved (since import when not started).
    pub fn idle_days(&self, now: i64) -> Option<i64> {
        self.progressed_at.map(|p| (now - p).max(0) / 86_400)
    }

    /// Complete, and order management never succeeded on the new ID: checkout works
    /// while captures and refunds were never tried, the commonest silent failure.
    pub fn order_management_missing(&self) -> bool {
        self.completed_at.is_some() && self.order_management_at.is_none()
    }

    /// What the store still lacks for the sunset, at `now`.
    pub fn readiness(&self, now: i64) -> crate::domain::readiness::Readiness {
        crate::domain::readiness::Readiness::at(
            crate::domain::readiness::Facts {
                legacy_called_at: self.legacy_called_at,
                legacy_open_until: self.legacy_open_until,
                archived_at: self.legacy_archived_at,
            },
            now,
        )
    }

    /// Live orders arrived on the legacy store in the last days that count as lately,
    /// a week or more after the upgrade completed: a storefront or country is still on
    /// the old plugin.
    pub fn late_legacy_orders(&self, now: i64) -> bool {
        self.completed_at.is_some_and(|done| {
            crate::domain::cutover::legacy_after_completion(done, self.legacy_ordered_at)
                && self
                    .legacy_ordered_at
                    .is_some_and(|at| at >= crate::domain::traffic::recent_since(now))
        })
    }
}

/// The columns of `c` a [`CohortRow`] is read from: a long read (the CSV export) copies
/// each column of each row through the driver, so none it does not use.
const ROW: &str = "c.id, c.legacy_store_id, c.name, c.admin_email, c.product, c.platform, \
                   c.countries, c.partner_id, c.step, c.progressed_at, c.updated_at, \
                   c.completed_at, c.risk, c.legacy_called_at, c.order_management_at, \
                   c.legacy_ordered_at, c.legacy_open_until, c.legacy_archived_at, c.extended_sunset";

/// What the person narrowed the list to; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the legacy store ID or the name.
    pub q: String,
    pub step: Option<Progress>,
    pub risk: Option<Risk>,
    pub product: String,
    pub platform: String,
    pub country: String,
    /// Only this partner's stores (within the cohort's partners).
    pub partner: Option<i64>,
    /// Exactly this store (the API's single-store view).
    pub store_id: Option<i64>,
    /// Only started, unfinished upgrades whose last step moved at or before this time
    /// (support's stalled list).
    pub stalled_before: Option<i64>,
    /// Only stores imported after this one (the API's cursor).
    pub after_id: Option<i64>,
    /// Only stores whose upgrade changed, or that were imported, at or after this time
    /// (the API's incremental sync).
    pub changed_since: Option<i64>,
    /// Only stores whose legacy ID was used at or after this time (still calling the
    /// legacy store).
    pub legacy_since: Option<i64>,
    /// Only completed upgrades whose order management never succeeded on the new ID.
    pub order_management_missing: bool,
    /// Only stores ready for the sunset (`true`) or not (`false`), at the time given.
    pub sunset_ready: Option<(bool, i64)>,
    /// Only stores given a later sunset of their own.
    pub extended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Eid,
    Step,
    Activity,
    Idle,
    Risk,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Name,
        Sort::Eid,
        Sort::Step,
        Sort::Activity,
        Sort::Idle,
        Sort::Risk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Eid => "eid",
            Sort::Step => "step",
            Sort::Activity => "activity",
            Sort::Idle => "idle",
            Sort::Risk => "risk",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The ORDER BY terms, each in `dir`: steps and risks in the domain's order, and
    /// legacy store IDs (digits, no leading zeros) as numbers: shorter is smaller, so
    /// 4711 comes before 10000 on both databases without a cast that could fail.
    fn order(self, dir: &str) -> String {
        match self {
            Sort::Eid => format!("LENGTH(c.legacy_store_id) {dir}, c.legacy_store_id {dir}"),
            other => format!("{} {dir}", other.column()),
        }
    }

    fn column(self) -> String {
        match self {
            Sort::Name => "c.name".into(),
            Sort::Eid => "c.legacy_store_id".into(),
            Sort::Step => columns::rank("c.step", &Progress::ALL, Progress::as_str),
            Sort::Activity => "COALESCE(c.updated_at, 0)".into(),
            Sort::Idle => "COALESCE(c.progressed_at, 0)".into(),
            Sort::Risk => columns::rank("c.risk", &Risk::ALL, Risk::as_str),
        }
    }
}

/// Which stores, judged how.
#[derive(Clone, Copy)]
pub struct Cohort<'a> {
    /// The partners whose stores these are; `None` for every store (support).
    pub partners: Option<&'a [i64]>,
    pub filter: &'a Filter,
    pub rule: Rule,
    /// Sunset time (unix seconds) per legacy product code.
    pub sunsets: &'a [(&'a str, i64)],
    pub now: i64,
}

pub(super) enum Arg {
    Int(i64),
    Text(String),
}
/// `query` with the cohort's arguments bound in order ($1, $2, …).
pub(super) fn bind<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for a in args {
        query = match a {
            Arg::Int(i) => query.bind(*i),
            Arg::Text(t) => query.bind(t.clone()),
        };
    }
    query
}
