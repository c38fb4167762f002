//! The steps of an upgrade, in order, and the one transition rule between them: each
//! action finishes exactly the step the upgrade stands at.

use std::fmt;

use super::Refusal;

/// Where an upgrade stands. The order of the variants is the order of the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Terms,
    Account,
    Credentials,
    Integration,
    TestPurchase,
    Complete,
}

impl Step {
    /// Where every upgrade starts, and where a store stands that nobody has started.
    pub const FIRST: Step = Step::Terms;

    /// The steps a person walks through, in order (complete is where they arrive).
    pub const WIZARD: [Step; 5] = [
        Step::Terms,
        Step::Account,
        Step::Credentials,
        Step::Integration,
        Step::TestPurchase,
    ];

    /// Every step, in order.
    pub const ALL: [Step; 6] = [
        Step::Terms,
        Step::Account,
        Step::Credentials,
        Step::Integration,
        Step::TestPurchase,
        Step::Complete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Terms => "terms",
            Self::Account => "account",
            Self::Credentials => "credentials",
            Self::Integration => "integration",
            Self::TestPurchase => "test-purchase",
            Self::Complete => "complete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.as_str() == s)
    }

    /// The message key of the step's name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Terms => "step.terms",
            Self::Account => "step.account",
            Self::Credentials => "step.credentials",
            Self::Integration => "step.integration",
            Self::TestPurchase => "step.test-purchase",
            Self::Complete => "step.complete",
        }
    }

    pub fn next(self) -> Option<Self> {
        match self {
            Self::Terms => Some(Self::Account),
            Self::Account => Some(Self::Credentials),
            Self::Credentials => Some(Self::Integration),
            Self::Integration => Some(Self::TestPurchase),
            Self::TestPurchase => Some(Self::Complete),
            Self::Complete => None,
        }
    }

    /// 1-based position in the wizard; complete is one past the last step.
    pub fn number(self) -> usize {
        self as usize + 1
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a store's upgrade got: not started, or at a step. The order of the variants is
/// the order the dashboard sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Progress {
    NotStarted,
    At(Step),
}

impl Progress {
    /// Every stage, in order.
    pub const ALL: [Progress; 7] = [
        Progress::NotStarted,
        Progress::At(Step::Terms),
        Progress::At(Step::Account),
        Progress::At(Step::Credentials),
        Progress::At(Step::Integration),
        Progress::At(Step::TestPurchase),
        Progress::At(Step::Complete),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not-started",
            Self::At(step) => step.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The message key of the stage's name.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotStarted => "step.not-started",
            Self::At(step) => step.key(),
        }
    }

    /// The step, once started.
    pub fn step(self) -> Option<Step> {
        match self {
            Self::NotStarted => None,
            Self::At(step) => Some(step),
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that moves an upgrade forward; each finishes exactly one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AcceptTerms,
    ConfirmAccount,
    GenerateCredentials,
    ConfirmIntegration,
    DetectTestPurchase,
}

impl Action {
    /// The step this action finishes.
    pub fn finishes(self) -> Step {
        match self {
            Self::AcceptTerms => Step::Terms,
            Self::ConfirmAccount => Step::Account,
            Self::GenerateCredentials => Step::Credentials,
            Self::ConfirmIntegration => Step::Integration,
            Self::DetectTestPurchase => Step::TestPurchase,
        }
    }
}

/// A step the upgrade moved: what its history records and its partner's webhooks hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub from: Step,
    pub to: Step,
}

/// Applies `action` to an upgrade standing at `current`: the new step, or why not.
pub fn transition(current: Step, action: Action) -> Result<Step, Refusal> {
    let attempted = action.finishes();
    if current == Step::Complete {
        return Err(Refusal::AlreadyComplete);
    }
    match attempted.cmp(&current) {
        std::cmp::Ordering::Less => Err(Refusal::AlreadyDone { attempted }),
        std::cmp::Ordering::Greater => Err(Refusal::NotYet { current, attempted }),
        std::cmp::Ordering::Equal => Ok(current.next().unwrap_or(Step::Complete)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [Action; 5] = [
        Action::AcceptTerms,
        Action::ConfirmAccount,
        Action::GenerateCredentials,
        Action::ConfirmIntegration,
        Action::DetectTestPurchase,
    ];

    #[test]
    fn each_step_is_finished_by_its_own_action_in_order() {
        let mut step = Step::Terms;
        let mut visited = vec![step];
        for action in ACTIONS {
            step = transition(step, action).expect("allowed");
            visited.push(step);
        }
        assert_eq!(visited, Step::ALL);
    }

    #[test]
    fn every_other_pair_is_refused_with_the_right_reason() {
        for current in Step::ALL {
            for action in ACTIONS {
                let attempted = action.finishes();
                let result = transition(current, action);
                if current == Step::Complete {
                    assert_eq!(result, Err(Refusal::AlreadyComplete));
                } else if attempted < current {
                    assert_eq!(
                        result,
                        Err(Refusal::AlreadyDone { attempted }),
                        "{current} {action:?}"
                    );
                } else if attempted > current {
                    assert_eq!(
                        result,
                        Err(Refusal::NotYet { current, attempted }),
                        "{current} {action:?}"
                    );
                } else {
                    assert_eq!(result, Ok(current.next().unwrap()));
                }
            }
        }
    }

    #[test]
    fn steps_round_trip_through_their_names() {
        for step in Step::ALL {
            assert_eq!(Step::parse(step.as_str()), Some(step));
            assert_eq!(step.key(), format!("step.{step}"));
        }
        assert_eq!(Step::parse("done"), None);
        assert_eq!(Step::TestPurchase.number(), 5);
    }

    #[test]
    fn progress_sorts_not_started_first_and_complete_last() {
        let mut sorted = Progress::ALL;
        sorted.sort();
        assert_eq!(sorted, Progress::ALL);
        for p in Progress::ALL {
            assert_eq!(Progress::parse(p.as_str()), Some(p));
            assert_eq!(p.key(), format!("step.{p}"));
        }
        assert_eq!(Progress::parse("started"), None);
        assert_eq!(Progress::At(Step::Account).step(), Some(Step::Account));
    }
}
