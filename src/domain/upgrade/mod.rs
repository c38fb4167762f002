//! The upgrade: terms → account → credentials → integration → test purchase → complete.
//!
//! [`Upgrade`] is the aggregate. Every rule about what may happen to an upgrade is one of
//! its methods, which changes it and says which step moved, or says why not
//! ([`Refusal`]). Handlers lock the upgrade, ask it, persist what changed and redirect;
//! they never move the step themselves. A store nobody has started has no `Upgrade`.

mod checklist;
mod purchase;
mod refusal;
mod step;
#[cfg(test)]
mod tests;

pub use checklist::{Checklist, ChecklistItem};
pub use purchase::{OrderMeaning, in_store_currency, weigh_order};
pub use refusal::Refusal;
pub use step::{Action, Move, Progress, Step, transition};

use super::order::TestOrder;

/// A store's upgrade, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Upgrade {
    pub id: i64,
    pub store_id: i64,
    /// The catalog's upgrade path; fixed once the terms are accepted.
    pub path_id: String,
    pub step: Step,
    /// Payments from outside the store's own markets; on unless the admin turns it off.
    pub global_enabled: bool,
    pub merchant_id: Option<String>,
    pub test_merchant_id: Option<String>,
    /// The integration checklist items ticked so far.
    pub checklist: Checklist,
    /// When the admin was told the old plugin still takes orders.
    pub legacy_warned_at: Option<i64>,
    /// The order whose arrival completed the upgrade, which the admin is asked to cancel.
    pub test_order_id: Option<String>,
    /// What became of it.
    pub test_order_status: Option<TestOrder>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    /// When the upgrade last moved a step (progress); any other change is `updated_at`.
    pub progressed_at: Option<i64>,
}

impl Upgrade {
    /// The step of a store's upgrade: one nobody has started stands at the first.
    pub fn step_of(upgrade: Option<&Upgrade>) -> Step {
        upgrade.map_or(Step::FIRST, |u| u.step)
    }

    /// Finishes the step `action` is for, or says why not.
    fn apply(&mut self, action: Action) -> Result<Move, Refusal> {
        let from = self.step;
        self.step = transition(from, action)?;
        Ok(Move {
            from,
            to: self.step,
        })
    }

    /// Whether the accepted terms can be out of date in a way that matters: from the
    /// first acceptance until the upgrade is complete.
    pub fn terms_can_be_outdated(&self) -> bool {
        self.step != Step::Terms && self.step != Step::Complete
    }

    /// Whether the upgrade path is settled: once the terms are accepted it is.
    pub fn path_is_fixed(&self) -> bool {
        self.step > Step::Terms
    }

    /// The admin accepts the terms of `path_id`. The first acceptance finishes the terms
    /// step and settles the path (a repeat is refused); a new version of the document,
    /// while `terms_outdated`, is accepted again without moving the step.
    pub fn accept_terms(
        &mut self,
        path_id: &str,
        terms_outdated: bool,
    ) -> Result<Option<Move>, Refusal> {
        if terms_outdated && self.step != Step::Complete {
            return Ok(None);
        }
        let moved = self.apply(Action::AcceptTerms)?;
        path_id.clone_into(&mut self.path_id);
        Ok(Some(moved))
    }

    /// The admin saves the account: the first save finishes the account step, and the
    /// choice stays editable afterwards until the upgrade is complete.
    pub fn save_account(
        &mut self,
        global: bool,
        terms_outdated: bool,
    ) -> Result<Option<Move>, Refusal> {
        current_terms(terms_outdated)?;
        let moved = if self.step <= Step::Account || self.step == Step::Complete {
            // Refuses skipping ahead, and a finished upgrade.
            Some(self.apply(Action::ConfirmAccount)?)
        } else {
            None
        };
        self.global_enabled = global;
        Ok(moved)
    }

    /// The admin has the first credentials issued.
    pub fn generate_credentials(&mut self, terms_outdated: bool) -> Result<Move, Refusal> {
        current_terms(terms_outdated)?;
        self.apply(Action::GenerateCredentials)
    }

    /// Credentials are rotated once there are some.
    pub fn may_rotate_credentials(&self) -> Result<(), Refusal> {
        match self.merchant_id {
            Some(_) => Ok(()),
            None => Err(Refusal::NoCredentialsYet),
        }
    }

    /// The admin saves the integration checklist, which belongs to the integration step.
    /// What is ticked is kept (it survives a visit to the shop's admin); all four ticked
    /// finish the step. `None`: saved, with items still missing.
    pub fn save_checklist(
        &mut self,
        ticked: Checklist,
        terms_outdated: bool,
    ) -> Result<Option<Move>, Refusal> {
        current_terms(terms_outdated)?;
        // Refuses any other step the way confirming it would.
        transition(self.step, Action::ConfirmIntegration)?;
        self.checklist = ticked;
        if !ticked.is_complete() {
            return Ok(None);
        }
        self.apply(Action::ConfirmIntegration).map(Some)
    }
}

/// Later steps wait while a new version of the terms is not yet accepted.
fn current_terms(terms_outdated: bool) -> Result<(), Refusal> {
    if terms_outdated {
        Err(Refusal::TermsOutdated)
    } else {
        Ok(())
    }
}
