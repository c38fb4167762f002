//! Why the upgrade said no. A refusal reaches people as a message key (and the steps it
//! names), rendered in their language; its `Display` is for logs only.

use std::fmt;

use super::Step;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The upgrade is complete: no step is left to finish.
    AlreadyComplete,
    /// The step this action finishes is behind the upgrade.
    AlreadyDone { attempted: Step },
    /// The step this action finishes is ahead of the upgrade.
    NotYet { current: Step, attempted: Step },
    /// The terms changed since they were accepted; later steps wait for the new version.
    TermsOutdated,
    /// Support confirms a test purchase only for an upgrade waiting for one.
    NotAtTestPurchase,
    /// The test order is handled once the upgrade is complete.
    NotComplete,
    /// The test order is not where this action needs it (or there is none).
    NothingToDoWithTestOrder,
    /// Credentials are rotated once some were issued.
    NoCredentialsYet,
}

impl Refusal {
    /// The message key people read it by.
    pub fn key(self) -> &'static str {
        match self {
            Self::AlreadyComplete => "upgrade.refused.complete",
            Self::AlreadyDone { .. } => "upgrade.refused.done",
            Self::NotYet { .. } => "upgrade.refused.not_yet",
            Self::TermsOutdated => "terms.error.outdated",
            Self::NotAtTestPurchase => "console.error.not_at_purchase",
            Self::NotComplete => "test_order.error.not_complete",
            Self::NothingToDoWithTestOrder => "test_order.error.nothing_to_do",
            Self::NoCredentialsYet => "credentials.error.none_yet",
        }
    }

    /// The steps the message names, by placeholder (their names are message keys too).
    pub fn steps(self) -> Vec<(&'static str, Step)> {
        match self {
            Self::AlreadyDone { attempted } => vec![("step", attempted)],
            Self::NotYet { current, attempted } => {
                vec![("current", current), ("attempted", attempted)]
            }
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the upgrade refused: {}", self.key())?;
        for (name, step) in self.steps() {
            write!(f, " {name}={step}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}
