//! The legacy store until the sunset: its countdown, and its orders as the platform
//! knows them.

use super::App;
use crate::{
    domain::{
        order::Order,
        parse_rfc3339,
        sunset::{self, Phase},
    },
    platform::client::{PlatformError, RemoteOrder},
    store::{self, stores::Store},
};

/// Legacy stores are read this many at a time.
const PAGE: i64 = 500;

/// The store's sunset day and where the countdown stands, if its product has one.
pub fn sunset_of(state: &App, store: &store::stores::Store) -> Option<(time::Date, Phase)> {
    let date = store.sunset(&state.catalog)?;
    Some((date, Phase::on(date, sunset::today())))
}

/// Asks the platform for the store's orders and remembers them.
pub async fn sync_orders(state: &App, legacy: &Store) -> Result<(), PlatformError> {
    let eid = legacy.legacy_store_id.as_str();
    let orders = state.platform.orders(eid, 0).await?;
    for order in orders.iter().filter(|o| o.merchant_id == eid) {
        if let Err(e) = store::legacy_orders::upsert(&state.db.pool, legacy.id, order).await {
            tracing::error!(error = %e, "could not remember a legacy order");
        }
    }
    Ok(())
}

/// The platform's order as the domain's, to ask what it allows.
pub fn as_order(o: &RemoteOrder) -> Order {
    Order {
        amount: o.order_amount,
        captured: o.captured_amount,
        refunded: o.refunded_amount,
        cancelled: o.status == "cancelled",
        created_at: parse_rfc3339(&o.created_at).unwrap_or(0),
        expires_at: parse_rfc3339(&o.expires_at).unwrap_or(0),
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub stores: usize,
    pub failed: usize,
}

/// Asks the platform for the orders of every legacy store whose sunset has not come and
/// remembers them, so the dashboards can warn of authorizations about to expire. One
/// store the platform cannot answer for does not stop the others.
pub async fn refresh_orders(state: &App) -> SweepReport {
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
            if let Err(e) = sync_orders(state, s).await {
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
