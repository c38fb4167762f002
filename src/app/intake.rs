//! Platform events in, and what they mean for upgrades. Every route in (signed webhooks,
//! the sandbox through them, polling) ends here. Every event is first recorded by one
//! insert, idempotent by its id, committed with the events that arrived at the same
//! moment (`store::gather`) before it is answered. A new order is then weighed against the
//! store's upgrade; what it changes there (the step, the email to send, the live
//! notification) is one transaction.

use super::emails;
use crate::store::outbox::Lane;
use crate::{
    domain::{
        Environment, Step, Upgrade,
        platform_event::{EventKind, PlatformEvent, Subject},
        upgrade::{OrderMeaning, in_store_currency, weigh_order},
    },
    live::Hub,
    store::{
        self, Db,
        events::{Recorded, UpgradeState},
    },
};

/// What recording an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The event id was seen before with the same content; nothing changed.
    Duplicate,
    /// The event id was seen before with other content. The stored event is the truth:
    /// nothing changed, and the sender is told (409).
    Conflicting,
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
    pub outbox: &'a store::outbox::Wake,
    pub base_url: &'a str,
    /// For the sunset date the completion email names.
    pub catalog: &'a crate::domain::Catalog,
}

impl Sinks<'_> {
    /// The store's upgrade page, for emails.
    fn link(self, store: &store::stores::Store) -> String {
        format!(
            "{}{}",
            self.base_url,
            super::paths::store(&store.legacy_store_id).upgrade()
        )
    }

    /// Commits `tx`, telling the store's watchers (on every instance) and the outbox
    /// worker. The notification is part of the transaction, so nobody hears of it early.
    async fn commit(self, mut tx: store::Tx, store_id: i64) -> anyhow::Result<()> {
        self.hub.notify_in(&mut tx, store_id).await?;
        tx.commit().await?;
        self.hub.committed(store_id);
        self.outbox.wake();
        Ok(())
    }
}

/// Records `event` and acts on it.
pub async fn record(db: &Db, sinks: Sinks<'_>, event: &PlatformEvent) -> anyhow::Result<Outcome> {
    match event.kind {
        EventKind::OrderCreated => record_order(db, sinks, event).await,
        EventKind::OrderCancelled | EventKind::ApiError | EventKind::ApiCall => {
            record_fact(db, sinks, event).await
        }
    }
}

/// An event that asks nothing of an upgrade is one insert; its store's pages still hear
/// of it.
async fn record_fact(db: &Db, sinks: Sinks<'_>, event: &PlatformEvent) -> anyhow::Result<Outcome> {
    let Some(recorded) = db.events.insert(event).await? else {
        let earlier = store::events::recorded_before(&db.pool, &event.id).await?;
        return Ok(match earlier {
            Some(earlier) if !earlier.is_replay_of(event) => Outcome::Conflicting,
            _ => Outcome::Duplicate,
        });
    };
    match recorded.store_id {
        Some(store_id) => {
            sinks.hub.committed(store_id);
            tracing::info!(event = %event.id, kind = event.kind.as_str(), store_id, "platform event");
        }
        None => tracing::info!(event = %event.id, "platform event for no known store recorded"),
    }
    Ok(Outcome::Recorded)
}

/// A call the platform's gateway refused for a known credential (Switchyard answered
/// the check): recorded as the platform would report it, an `api.error` on the
/// credential's merchant ID, so the store's API log shows it. Best effort: the refusal
/// stands whether or not it is recorded.
pub async fn record_refused_call(
    db: &Db,
    sinks: Sinks<'_>,
    cred: &store::credentials::CredentialRow,
    code: &str,
    user_agent: Option<String>,
) {
    let Ok(mid) = crate::domain::MerchantId::parse(&cred.merchant_id) else {
        tracing::warn!(
            credential = cred.id,
            "a credential's merchant ID does not parse"
        );
        return;
    };
    let event = PlatformEvent {
        id: format!("evt_gw_{}", crate::domain::credentials::random_token(12)),
        kind: EventKind::ApiError,
        created_at: store::now(),
        subject: Subject::Merchant(mid),
        order_id: String::new(),
        environment: cred.environment,
        amount: 0,
        currency: String::new(),
        user_agent,
        error_code: Some(code.to_owned()),
        correlation_id: None,
        call: None,
        country: None,
    };
    if let Err(e) = record_fact(db, sinks, &event).await {
        tracing::warn!(error = ?e, code, "a refused gateway call could not be recorded");
    }
}

/// A new order is recorded by one insert, which also reads the store's upgrade, and is
/// then weighed against it. Most orders change nothing more; only one that does (it
/// completes the upgrade, or first shows the old plugin still active) takes a transaction
/// and the upgrade's row lock, and its email goes in that transaction. A crash between the
/// two loses nothing: the platform got no 2xx, so it sends the event again, and the replay
/// is weighed against the upgrade as it is then (which changes nothing if the first
/// delivery got that far). Should the event never come again, [`catch_up`] finishes it.
async fn record_order(db: &Db, sinks: Sinks<'_>, event: &PlatformEvent) -> anyhow::Result<Outcome> {
    let (recorded, replay) = match db.events.insert(event).await? {
        Some(recorded) => (recorded, false),
        None => match store::events::recorded_before(&db.pool, &event.id).await? {
            Some(earlier) if !earlier.is_replay_of(event) => {
                tracing::warn!(event = %event.id, "an event id arrived again with another body; refused");
                return Ok(Outcome::Conflicting);
            }
            earlier => (
                as_recorded(db, earlier.and_then(|e| e.store_id)).await?,
                true,
            ),
        },
    };
    let Some(store_id) = recorded.store_id else {
        if !replay {
            tracing::info!(event = %event.id, "platform event for no known store recorded");
        }
        return Ok(if replay {
            Outcome::Duplicate
        } else {
            Outcome::Recorded
        });
    };
    if !replay {
        sinks.hub.committed(store_id);
    }
    let outcome = match recorded.upgrade {
        Some(upgrade) => act_on_order(db, sinks, event, store_id, upgrade).await?,
        None => Outcome::Recorded,
    };
    tracing::info!(event = %event.id, kind = event.kind.as_str(), store_id, ?outcome, replay, "platform event");
    Ok(if replay { Outcome::Duplicate } else { outcome })
}

/// A replayed event as its first delivery recorded it, with its store's upgrade as it is now.
async fn as_recorded(db: &Db, store_id: Option<i64>) -> anyhow::Result<Recorded> {
    let upgrade = match store_id {
        Some(id) => store::upgrades::for_store(&db.pool, id).await?,
        None => None,
    };
    Ok(Recorded {
        store_id,
        upgrade: upgrade.map(UpgradeState::from),
    })
}

/// What a recorded order on the store means for its upgrade, and doing it.
async fn act_on_order(
    db: &Db,
    sinks: Sinks<'_>,
    event: &PlatformEvent,
    store_id: i64,
    upgrade: UpgradeState,
) -> anyhow::Result<Outcome> {
    match decide(event, upgrade.step, upgrade.merchant_id.as_deref()) {
        Outcome::CompletedUpgrade => {
            let mut tx = db.begin().await?;
            // Decided again under the row lock: a step may have changed since the read.
            let mut locked = store::upgrades::lock(&mut tx, upgrade.id, db.backend).await?;
            let outcome = decide(event, locked.step, locked.merchant_id.as_deref());
            let store = stored(&mut tx, store_id).await?;
            // An order in a currency the shop does not sell in is no purchase in it.
            let outcome = match outcome {
                Outcome::CompletedUpgrade
                    if !in_store_currency(&event.currency, &store.country_list()) =>
                {
                    tracing::info!(event = %event.id, currency = %event.currency, store_id, "an order in a currency the store does not sell in completes nothing");
                    Outcome::Recorded
                }
                outcome => outcome,
            };
            if outcome == Outcome::CompletedUpgrade {
                complete(&mut tx, &store, &mut locked, &event.order_id, sinks).await?;
                sinks.commit(tx, store_id).await?;
            } else {
                tx.rollback().await?;
            }
            Ok(outcome)
        }
        Outcome::LegacyStillActive if upgrade.legacy_warned_at.is_none() => {
            warn_legacy_active_once(db, sinks, upgrade.id, store_id).await?;
            Ok(Outcome::LegacyStillActive)
        }
        outcome => Ok(outcome),
    }
}

/// The store an event was just recorded for.
async fn stored(tx: &mut store::Tx, store_id: i64) -> anyhow::Result<store::stores::Store> {
    store::stores::find_by_id(&mut **tx, store_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("store {store_id} vanished inside its own transaction"))
}

/// Marks the upgrade's old plugin as seen active and tells the admin, unless that was done
/// already (the mark is set once, whoever gets there first); whether it was done now.
async fn warn_legacy_active_once(
    db: &Db,
    sinks: Sinks<'_>,
    upgrade_id: i64,
    store_id: i64,
) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::upgrades::mark_legacy_warned(&mut tx, upgrade_id).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let store = stored(&mut tx, store_id).await?;
    warn_legacy_active(&mut tx, &store, upgrade_id, &sinks.link(&store)).await?;
    sinks.commit(tx, store_id).await?;
    Ok(true)
}

/// Tells the admin that the legacy store still takes orders: its old plugin is active.
async fn warn_legacy_active(
    tx: &mut store::Tx,
    store: &store::stores::Store,
    upgrade_id: i64,
    link: &str,
) -> anyhow::Result<()> {
    let tr = emails::lang_of(&mut **tx, &store.admin_email, Some(store)).await?;
    let email = emails::legacy_active(tr, store, link);
    let key = format!("legacy-active:{upgrade_id}");
    store::outbox::enqueue(tx, Lane::Transactional, &key, &email, Some(store.id)).await?;
    Ok(())
}

/// The purchase on `order_id` completes the upgrade: the step, the order to cancel, and
/// the "your upgrade is complete" email, all in `tx`.
async fn complete(
    tx: &mut store::Tx,
    store: &store::stores::Store,
    upgrade: &mut Upgrade,
    order_id: &str,
    sinks: Sinks<'_>,
) -> anyhow::Result<()> {
    let moved = upgrade.complete_by_purchase(order_id)?;
    store::upgrades::record_move(tx, upgrade, moved, "platform").await?;
    store::upgrades::set_test_order(tx, upgrade).await?;
    let tr = emails::lang_of(&mut **tx, &store.admin_email, Some(store)).await?;
    let mid = upgrade.merchant_id.as_deref().unwrap_or_default();
    let sunset = store.sunset(sinks.catalog);
    let email = emails::upgrade_complete(tr, store, mid, order_id, &sinks.link(store), sunset);
    let key = format!("upgrade-complete:{}", upgrade.id);
    store::outbox::enqueue(tx, Lane::Transactional, &key, &email, Some(store.id)).await?;
    Ok(())
}

/// What an event means for an upgrade at `step` whose new merchant ID is `merchant_id`
/// (the upgrade's rule, [`weigh_order`]), as intake reports it.
pub fn decide(event: &PlatformEvent, step: Step, merchant_id: Option<&str>) -> Outcome {
    match weigh_order(event, step, merchant_id) {
        OrderMeaning::CompletesUpgrade => Outcome::CompletedUpgrade,
        OrderMeaning::TestOrder => Outcome::TestOrder,
        OrderMeaning::LegacyStillActive => Outcome::LegacyStillActive,
        OrderMeaning::Nothing => Outcome::Recorded,
    }
}

/// Gives recorded orders the effect they never had: an order is recorded before it is
/// weighed, and if the weighing was cut off (a crash, a database error) and the event never
/// came again (the platform gave up, or the order was polled), the upgrade it completes
/// waits, or the admin is never told the old plugin is active. The periodic chores run
/// this; each effect happens once, however many instances run it. How many it gave.
pub async fn catch_up(db: &Db, sinks: Sinks<'_>) -> anyhow::Result<usize> {
    let mut done = 0;
    for upgrade_id in store::waiting::awaiting_a_recorded_purchase(&db.pool).await? {
        if detect_earlier_purchase(db, sinks, upgrade_id).await? {
            done += 1;
        }
    }
    for (upgrade_id, store_id) in store::waiting::unwarned_with_legacy_orders(&db.pool).await? {
        if warn_legacy_active_once(db, sinks, upgrade_id, store_id).await? {
            done += 1;
        }
    }
    Ok(done)
}

/// On entering the test-purchase step, a live order that already arrived after the
/// credentials were issued counts.
pub async fn detect_earlier_purchase(
    db: &Db,
    sinks: Sinks<'_>,
    upgrade_id: i64,
) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, upgrade_id, db.backend).await?;
    let Some(mid) = upgrade.awaits_purchase_on().map(str::to_owned) else {
        tx.rollback().await?;
        return Ok(false);
    };
    let since = store::credentials::first_issued_at(&mut *tx, upgrade_id)
        .await?
        .unwrap_or(i64::MAX);
    let Some(store) = store::stores::find_by_id(&mut *tx, upgrade.store_id).await? else {
        tx.rollback().await?;
        return Ok(false);
    };
    let orders = store::events::orders_on_merchant(&mut *tx, &mid, since).await?;
    let Some(order) = orders.iter().find(|o| {
        o.environment == Environment::Live.as_str()
            && in_store_currency(&o.currency, &store.country_list())
    }) else {
        tx.rollback().await?;
        return Ok(false);
    };
    complete(&mut tx, &store, &mut upgrade, &order.order_id, sinks).await?;
    sinks.commit(tx, store.id).await?;
    Ok(true)
}
