//! The test purchase: what a new order means for an upgrade, completing it, and the
//! test order the admin then cancels or refunds.

use super::{Action, Move, Refusal, Step, Upgrade};
use crate::domain::{
    Environment, currency, money,
    order::TestOrder,
    platform_event::{EventKind, PlatformEvent, Subject},
};

/// What a new order means for a store's upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderMeaning {
    /// The live test purchase on the new merchant ID: the upgrade is complete.
    CompletesUpgrade,
    /// An order in the test environment: the test setup works, live is still to come.
    TestOrder,
    /// An order on the legacy store after new credentials exist: the old plugin is
    /// still active.
    LegacyStillActive,
    /// Nothing for the upgrade.
    Nothing,
}

/// What `event` means for an upgrade at `step` whose live merchant ID is `merchant_id`.
/// An order in a currency that is not ISO 4217 ("XXX") proves no checkout: it completes
/// nothing.
pub fn weigh_order(event: &PlatformEvent, step: Step, merchant_id: Option<&str>) -> OrderMeaning {
    if event.kind != EventKind::OrderCreated {
        return OrderMeaning::Nothing;
    }
    match (&event.subject, event.environment) {
        (Subject::Merchant(mid), Environment::Live)
            if awaited_on(step, merchant_id) == Some(mid.as_str())
                && money::is_iso_4217(&event.currency) =>
        {
            OrderMeaning::CompletesUpgrade
        }
        (Subject::Merchant(_), Environment::Test) => OrderMeaning::TestOrder,
        (Subject::Legacy(_), _) if merchant_id.is_some() => OrderMeaning::LegacyStillActive,
        _ => OrderMeaning::Nothing,
    }
}

/// Whether a live order in `currency` can be the store's test purchase: a shop selling in
/// `countries` charges in one of their currencies. A store none of whose countries has a
/// known currency takes any ISO 4217 one.
pub fn in_store_currency(currency: &str, countries: &[&str]) -> bool {
    let Some(paid) = money::Currency::parse(currency) else {
        return false;
    };
    let mut known = countries
        .iter()
        .filter_map(|c| currency::of_country(c))
        .peekable();
    known.peek().is_none() || known.any(|c| c == paid)
}

/// The live merchant ID a purchase is awaited on: only at the test-purchase step.
fn awaited_on(step: Step, merchant_id: Option<&str>) -> Option<&str> {
    merchant_id.filter(|_| step == Step::TestPurchase)
}

impl Upgrade {
    /// The live merchant ID whose next order completes the upgrade, while it waits for
    /// its test purchase.
    pub fn awaits_purchase_on(&self) -> Option<&str> {
        awaited_on(self.step, self.merchant_id.as_deref())
    }

    /// The live order `order_id` was the test purchase: the upgrade is complete, and the
    /// order is kept open for the admin to cancel.
    pub fn complete_by_purchase(&mut self, order_id: &str) -> Result<Move, Refusal> {
        let moved = self.apply(Action::DetectTestPurchase)?;
        self.test_order_id = Some(order_id.to_owned());
        self.test_order_status = Some(TestOrder::Open);
        Ok(moved)
    }

    /// Support confirms the test purchase by hand (the platform's event never came).
    pub fn confirm_purchase_by_hand(&mut self) -> Result<Move, Refusal> {
        if self.step != Step::TestPurchase {
            return Err(Refusal::NotAtTestPurchase);
        }
        self.apply(Action::DetectTestPurchase)
    }

    /// The test order's id, if the upgrade is complete and the order stands at `wanted`.
    pub fn test_order(&self, wanted: TestOrder) -> Result<&str, Refusal> {
        if self.step != Step::Complete {
            return Err(Refusal::NotComplete);
        }
        match (&self.test_order_id, self.test_order_status) {
            (Some(id), Some(status)) if status == wanted => Ok(id),
            _ => Err(Refusal::NothingToDoWithTestOrder),
        }
    }
}
