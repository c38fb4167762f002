//! The dashboard's query string: what the list is filtered, sorted and paged by, read
//! from the address and written back into links.

use serde::Deserialize;

use crate::{
    domain::{risk::Risk, upgrade::Progress},
    store::cohort::{Filter, Sort},
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
