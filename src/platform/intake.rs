//! Order events from the platform, and what they mean for upgrades. Every route in
//! (the sandbox today, signed webhooks and polling later) ends here.

use crate::{
    domain::{Action, Environment, Step},
    store::{self, Db, events::NewOrderEvent},
};

/// What recording an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The event id was seen before; nothing changed.
    Duplicate,
    /// Recorded; no upgrade moved.
    Recorded,
    /// Recorded, and it completed the upgrade's test purchase.
    CompletedUpgrade,
}

/// Records an order event and, if it is the live test purchase an upgrade waits for,
/// completes that upgrade, all in one transaction.
pub async fn record(db: &Db, event: &NewOrderEvent<'_>) -> anyhow::Result<Outcome> {
    let mut tx = db.begin().await?;
    if !store::events::insert(&mut tx, event).await? {
        tx.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    let mut outcome = Outcome::Recorded;
    let is_live_order =
        event.kind == "order.created" && event.environment == Environment::Live.as_str();
    if let (true, Some(mid)) = (is_live_order, event.merchant_id)
        && let Some(upgrade) = store::upgrades::by_merchant_id(&mut *tx, mid).await?
    {
        let upgrade = store::upgrades::lock(&mut tx, upgrade.id, db.backend).await?;
        if upgrade.step() == Step::TestPurchase {
            store::upgrades::advance(&mut tx, &upgrade, Action::DetectTestPurchase, "platform")
                .await?;
            outcome = Outcome::CompletedUpgrade;
        }
    }
    tx.commit().await?;
    if outcome == Outcome::CompletedUpgrade {
        tracing::info!(merchant_id = ?event.merchant_id, order_id = event.order_id, "test purchase detected; upgrade complete");
    }
    Ok(outcome)
}

/// On entering the test-purchase step, a live order that already arrived after the
/// credentials were issued counts.
pub async fn detect_earlier_purchase(db: &Db, upgrade_id: i64) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let upgrade = store::upgrades::lock(&mut tx, upgrade_id, db.backend).await?;
    let (Step::TestPurchase, Some(mid)) = (upgrade.step(), upgrade.merchant_id.clone()) else {
        tx.rollback().await?;
        return Ok(false);
    };
    let since = store::credentials::first_issued_at(&mut *tx, upgrade_id)
        .await?
        .unwrap_or(i64::MAX);
    let orders = store::events::orders_on_merchant(&mut *tx, &mid, since).await?;
    let found = orders
        .iter()
        .any(|o| o.environment == Environment::Live.as_str());
    if found {
        store::upgrades::advance(&mut tx, &upgrade, Action::DetectTestPurchase, "platform").await?;
    }
    tx.commit().await?;
    Ok(found)
}
