//! Platform events in, and what they mean for upgrades. Every route in (signed webhooks,
//! the sandbox through them, polling) ends here, and everything happens in one
//! transaction: the event, the upgrade's step, the email to send, the live notification.

use crate::{
    domain::{
        Action, Environment, Step,
        order::TestOrder,
        platform_event::{EventKind, PlatformEvent, Subject},
    },
    i18n::Tr,
    live::Hub,
    mail::Email,
    store::{self, Db, upgrades::UpgradeRow},
};

/// What recording an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The event id was seen before; nothing changed.
    Duplicate,
    /// Recorded; nothing else to do (an error, a cancellation, an unknown merchant).
    Recorded,
    /// The live test purchase: the upgrade is complete.
    CompletedUpgrade,
    /// An order in the test environment: the test setup works, live is still to come.
    TestOrder,
    /// An order on the legacy store after new credentials exist: the old plugin is
    /// still active.
    LegacyStillActive,
}

/// Where intake reports to: watchers of the store, and the outbox worker.
#[derive(Clone, Copy)]
pub struct Sinks<'a> {
    pub hub: &'a Hub,
    pub jobs: &'a crate::jobs::Jobs,
    pub base_url: &'a str,
}

impl Sinks<'_> {
    /// Commits `tx`, telling the store's watchers (on every instance) and the outbox
    /// worker. The notification is part of the transaction, so nobody hears of it early.
    async fn commit(self, mut tx: store::Tx, store_id: i64) -> anyhow::Result<()> {
        self.hub.notify_in(&mut tx, store_id).await?;
        tx.commit().await?;
        self.hub.committed(store_id);
        self.jobs.wake();
        Ok(())
    }
}

/// Records `event` and acts on it.
pub async fn record(db: &Db, sinks: Sinks<'_>, event: &PlatformEvent) -> anyhow::Result<Outcome> {
    let mut tx = db.begin().await?;
    // Written first: on SQLite a transaction that reads before its first write cannot
    // take the write lock once another writer has committed.
    if !store::events::insert(&mut tx, event, None).await? {
        tx.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    let (store, upgrade) = match &event.subject {
        Subject::Merchant(mid) => {
            match store::upgrades::by_merchant_id(&mut *tx, mid.as_str()).await? {
                Some(u) => (
                    store::stores::find_by_id(&mut *tx, u.store_id).await?,
                    Some(u),
                ),
                None => (None, None),
            }
        }
        Subject::Legacy(eid) => {
            let store = store::stores::find_by_legacy_id(&mut *tx, eid.as_str()).await?;
            let upgrade = match &store {
                Some(s) => store::upgrades::for_store(&mut *tx, s.id).await?,
                None => None,
            };
            (store, upgrade)
        }
    };
    if let Some(store) = &store {
        store::events::assign_store(&mut tx, &event.id, store.id).await?;
    }
    let Some(store) = store else {
        tx.commit().await?;
        tracing::info!(event = %event.id, "platform event for no known store recorded");
        return Ok(Outcome::Recorded);
    };
    let Some(upgrade) = upgrade else {
        // Nothing to decide before an upgrade starts, but the store's pages still hear of it.
        sinks.commit(tx, store.id).await?;
        return Ok(Outcome::Recorded);
    };
    let upgrade = store::upgrades::lock(&mut tx, upgrade.id, db.backend).await?;
    let outcome = decide(event, &upgrade);
    let link = format!(
        "{}/stores/{}/upgrade",
        sinks.base_url, store.legacy_store_id
    );
    match outcome {
        Outcome::CompletedUpgrade => {
            complete(&mut tx, &store, &upgrade, &event.order_id, &link).await?;
        }
        // The admin is told once: only the first such order sets the mark.
        Outcome::LegacyStillActive
            if store::upgrades::mark_legacy_warned(&mut tx, upgrade.id).await? =>
        {
            let tr = admin_tr(&mut tx, &store).await?;
            let email = Email {
                to: store.admin_email.clone(),
                subject: tr.f("email.legacy_active.subject", &[("store", &store.name)]),
                text: tr.f(
                    "email.legacy_active.body",
                    &[
                        ("store", &store.name),
                        ("eid", &store.legacy_store_id),
                        ("link", &link),
                    ],
                ),
            };
            let key = format!("legacy-active:{}", upgrade.id);
            store::outbox::enqueue(&mut tx, &key, &email, Some(store.id)).await?;
        }
        _ => {}
    }
    sinks.commit(tx, store.id).await?;
    tracing::info!(event = %event.id, kind = event.kind.as_str(), store = %store.legacy_store_id, ?outcome, "platform event");
    Ok(outcome)
}

/// The purchase on `order_id` completes the upgrade: the step, the order to cancel, and
/// the "your upgrade is complete" email, all in `tx`.
async fn complete(
    tx: &mut store::Tx,
    store: &store::stores::Store,
    upgrade: &UpgradeRow,
    order_id: &str,
    link: &str,
) -> anyhow::Result<()> {
    store::upgrades::advance(tx, upgrade, Action::DetectTestPurchase, "platform").await?;
    store::upgrades::set_test_order(tx, upgrade.id, order_id, TestOrder::Open).await?;
    let tr = admin_tr(tx, store).await?;
    let email = Email {
        to: store.admin_email.clone(),
        subject: tr.f("email.complete.subject", &[("store", &store.name)]),
        text: tr.f(
            "email.complete.body",
            &[
                ("store", &store.name),
                ("mid", upgrade.merchant_id.as_deref().unwrap_or_default()),
                ("order", order_id),
                ("link", link),
            ],
        ),
    };
    let key = format!("upgrade-complete:{}", upgrade.id);
    store::outbox::enqueue(tx, &key, &email, Some(store.id)).await?;
    Ok(())
}

/// A translator in the store admin's language.
async fn admin_tr(tx: &mut store::Tx, s: &store::stores::Store) -> sqlx::Result<Tr> {
    Ok(Tr::new(
        store::users::email_lang(&mut **tx, &s.admin_email, Some(s)).await?,
    ))
}

/// What an event means for the upgrade it belongs to.
pub fn decide(event: &PlatformEvent, upgrade: &UpgradeRow) -> Outcome {
    if event.kind != EventKind::OrderCreated {
        return Outcome::Recorded;
    }
    match (&event.subject, event.environment) {
        (Subject::Merchant(mid), Environment::Live)
            if upgrade.merchant_id.as_deref() == Some(mid.as_str())
                && upgrade.step() == Step::TestPurchase =>
        {
            Outcome::CompletedUpgrade
        }
        (Subject::Merchant(_), Environment::Test) => Outcome::TestOrder,
        (Subject::Legacy(_), _) if upgrade.merchant_id.is_some() => Outcome::LegacyStillActive,
        _ => Outcome::Recorded,
    }
}

/// On entering the test-purchase step, a live order that already arrived after the
/// credentials were issued counts.
pub async fn detect_earlier_purchase(
    db: &Db,
    sinks: Sinks<'_>,
    upgrade_id: i64,
) -> anyhow::Result<bool> {
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
    let Some(order) = orders
        .iter()
        .find(|o| o.environment == Environment::Live.as_str())
    else {
        tx.rollback().await?;
        return Ok(false);
    };
    let Some(store) = store::stores::find_by_id(&mut *tx, upgrade.store_id).await? else {
        tx.rollback().await?;
        return Ok(false);
    };
    let link = format!(
        "{}/stores/{}/upgrade",
        sinks.base_url, store.legacy_store_id
    );
    complete(&mut tx, &store, &upgrade, &order.order_id, &link).await?;
    sinks.commit(tx, store.id).await?;
    Ok(true)
}
