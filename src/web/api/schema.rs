//! What the partner API answers about stores, as its OpenAPI document describes it (its
//! errors are `super::ApiError`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    app::AppState,
    domain::{
        rfc3339,
        traffic::{self, Capabilities},
    },
    store::{self, cohort::CohortRow},
};

/// A store as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct StoreSummary {
    pub legacy_store_id: String,
    pub name: String,
    /// The legacy product code (KPM, KCOv2).
    pub product: String,
    /// The product the store moves to, once a path is chosen.
    pub target_product: Option<String>,
    pub platform: String,
    pub countries: Vec<String>,
    /// `not-started`, `terms`, `account`, `credentials`, `integration`, `test-purchase` or `complete`.
    pub step: String,
    /// `at-risk`, `stalled`, `not-started`, `on-track` or `done`.
    pub risk: String,
    /// RFC 3339; the last change of any kind.
    pub last_activity: Option<String>,
    /// Whole days since a step last moved.
    pub days_without_progress: Option<i64>,
    pub completed_at: Option<String>,
    /// RFC 3339; when the legacy store ID was last used (a call or an order on it). A
    /// store still calling it lately has something left on the legacy store.
    pub legacy_last_used: Option<String>,
    /// RFC 3339; when order management (a capture, cancel or refund) first succeeded on
    /// the new merchant ID.
    pub order_management_first_used: Option<String>,
    /// Complete, but order management never succeeded on the new merchant ID: checkout
    /// works while captures and refunds were never tried.
    pub order_management_missing: bool,
    /// Ready for the sunset: the legacy store ID unused for 14 days, no legacy
    /// authorization open, the reports archived.
    pub sunset_ready: bool,
    /// What the store still lacks for the sunset: `legacy_in_use`,
    /// `open_authorizations`, `reports_not_archived`.
    pub sunset_missing: Vec<String>,
    /// YYYY-MM-DD; the store's own sunset, later than its product's, once support
    /// approved an extension. Absent for a store on its product's sunset.
    pub sunset_extended_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StoreList {
    pub stores: Vec<StoreSummary>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StoreFeed {
    pub stores: Vec<StoreSummary>,
    pub per_page: i64,
    /// Every store the filters and `updated_since` select, on this page and the others.
    pub total: i64,
    /// Pass it as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StepChange {
    pub from: String,
    pub to: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct StoreDetail {
    #[serde(flatten)]
    pub store: StoreSummary,
    /// The new merchant ID, once the account step made it.
    pub merchant_id: Option<String>,
    pub sunset: Option<String>,
    pub history: Vec<StepChange>,
    /// What the store's integrations call, per service and ID: the table its pages show.
    pub traffic: Vec<TrafficRow>,
    /// What real traffic has proven works on the new merchant ID, from the first call on
    /// it (the store's pages show this checklist once the upgrade is complete).
    pub proven: Proven,
}

/// One row of a store's traffic table: one service's use of one ID.
#[derive(Serialize, ToSchema)]
pub struct TrafficRow {
    /// `checkout`, `order_management` or `settlement`.
    pub service: &'static str,
    /// The ID the calls were made with: the legacy store ID (digits) or a merchant ID.
    /// Absent on a `not_seen` row.
    pub id: Option<String>,
    /// RFC 3339; the latest call (an order, for checkout).
    pub last_seen: Option<String>,
    /// Calls (and orders) in the last 7 days, today included.
    pub calls_last_7_days: i64,
    /// The user agent of the latest call, when the platform said.
    pub user_agent: Option<String>,
    /// `move` (the legacy store is still called lately: move this service to the new
    /// ID), `stopped` (called once, not lately), `in_use` (on the new ID) or `not_seen`
    /// (never seen on the new ID: set it up with the new credentials).
    pub action: &'static str,
}

/// Each service real traffic has proven on the new merchant ID: a call that succeeded
/// (an order, for checkout).
#[derive(Serialize, ToSchema)]
pub struct Proven {
    pub checkout: bool,
    pub order_management: bool,
    pub settlement: bool,
}

impl From<store::upgrades::StepChange> for StepChange {
    fn from(h: store::upgrades::StepChange) -> Self {
        StepChange {
            from: h.from_step.as_str().to_owned(),
            to: h.to_step.as_str().to_owned(),
            at: rfc3339(h.at),
        }
    }
}

impl From<traffic::Row> for TrafficRow {
    fn from(r: traffic::Row) -> Self {
        TrafficRow {
            service: r.service.as_str(),
            id: r.subject,
            last_seen: r.last_at.map(rfc3339),
            calls_last_7_days: r.recent,
            user_agent: r.user_agent,
            action: r.verdict.as_str(),
        }
    }
}

impl From<Capabilities> for Proven {
    fn from(c: Capabilities) -> Self {
        Proven {
            checkout: c.checkout,
            order_management: c.order_management,
            settlement: c.settlement,
        }
    }
}

pub(super) fn summary(state: &AppState, r: &CohortRow, now: i64) -> StoreSummary {
    let readiness = r.readiness(now);
    let target = r
        .path_id
        .as_deref()
        .and_then(|p| state.catalog.path(p))
        .map(|p| p.to.clone());
    StoreSummary {
        legacy_store_id: r.legacy_store_id.clone(),
        name: r.name.clone(),
        product: r.product.clone(),
        target_product: target,
        platform: r.platform.clone(),
        countries: r
            .countries
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        step: r.step.as_str().to_owned(),
        risk: r.risk.as_str().to_owned(),
        last_activity: r.updated_at.map(rfc3339),
        days_without_progress: r.idle_days(now),
        completed_at: r.completed_at.map(rfc3339),
        legacy_last_used: r.legacy_called_at.map(rfc3339),
        order_management_first_used: r.order_management_at.map(rfc3339),
        order_management_missing: r.order_management_missing(),
        sunset_ready: readiness.is_ready(),
        sunset_missing: readiness
            .missing
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        sunset_extended_to: r
            .extended_sunset
            .and_then(crate::domain::sunset::day_of)
            .map(|d| d.to_string()),
    }
}
