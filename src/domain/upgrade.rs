//! The upgrade as a state machine: terms → account → credentials → integration →
//! test purchase → complete. Handlers ask it; they never move the step themselves.

use std::fmt;

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
    /// The steps a person walks through, in order (complete is where they arrive).
    pub const WIZARD: [Step; 5] = [
        Step::Terms,
        Step::Account,
        Step::Credentials,
        Step::Integration,
        Step::TestPurchase,
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
        [Self::Complete]
            .into_iter()
            .chain(Self::WIZARD)
            .find(|step| step.as_str() == s)
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

/// Why a transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the upgrade is already complete")]
    AlreadyComplete,
    #[error("the {attempted} step is already done")]
    AlreadyDone { attempted: Step },
    #[error("the {current} step must be finished before the {attempted} step")]
    NotYet { current: Step, attempted: Step },
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

/// The four classic failure causes, each of which the admin must confirm.
pub const CHECKLIST: [&str; 4] = [
    "old_disabled",
    "new_enabled",
    "live_fields",
    "test_mode_off",
];

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
        assert_eq!(
            visited,
            [
                Step::Terms,
                Step::Account,
                Step::Credentials,
                Step::Integration,
                Step::TestPurchase,
                Step::Complete
            ]
        );
    }

    #[test]
    fn every_other_pair_is_refused_with_the_right_reason() {
        let all = [Step::Complete].into_iter().chain(Step::WIZARD);
        for current in all {
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
    fn refusals_read_as_sentences() {
        let e = transition(Step::Terms, Action::GenerateCredentials).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the terms step must be finished before the credentials step"
        );
        let e = transition(Step::Account, Action::AcceptTerms).unwrap_err();
        assert_eq!(e.to_string(), "the terms step is already done");
    }

    #[test]
    fn steps_round_trip_through_their_names() {
        for step in [Step::Complete].into_iter().chain(Step::WIZARD) {
            assert_eq!(Step::parse(step.as_str()), Some(step));
        }
        assert_eq!(Step::parse("done"), None);
        assert_eq!(Step::TestPurchase.number(), 5);
    }
}
