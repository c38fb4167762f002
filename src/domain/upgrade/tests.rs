use super::*;
use crate::domain::{
    Environment, LegacyStoreId, MerchantId,
    platform_event::{EventKind, PlatformEvent, Subject},
};

const MID: &str = "K123456";

fn at(step: Step) -> Upgrade {
    Upgrade {
        id: 7,
        store_id: 3,
        path_id: "kpm-kco3".into(),
        step,
        global_enabled: true,
        merchant_id: (step > Step::Credentials).then(|| MID.into()),
        test_merchant_id: None,
        checklist: Checklist::default(),
        legacy_warned_at: None,
        test_order_id: None,
        test_order_status: None,
        created_at: 0,
        updated_at: 0,
        completed_at: None,
        progressed_at: Some(0),
    }
}

fn moved(from: Step, to: Step) -> Move {
    Move { from, to }
}

#[test]
fn a_store_nobody_started_stands_at_the_terms() {
    assert_eq!(Upgrade::step_of(None), Step::Terms);
    assert_eq!(
        Upgrade::step_of(Some(&at(Step::Integration))),
        Step::Integration
    );
}

#[test]
fn the_first_acceptance_finishes_the_terms_and_settles_the_path() {
    let mut u = at(Step::Terms);
    assert!(!u.path_is_fixed());
    assert_eq!(
        u.accept_terms("kco2-kco3", false),
        Ok(Some(moved(Step::Terms, Step::Account)))
    );
    assert_eq!(u.path_id, "kco2-kco3");
    assert!(u.path_is_fixed());
    // A repeat is refused, and the path stays.
    assert_eq!(
        u.accept_terms("kpm-kco3", false),
        Err(Refusal::AlreadyDone {
            attempted: Step::Terms
        })
    );
    assert_eq!(u.path_id, "kco2-kco3");
}

#[test]
fn changed_terms_are_accepted_again_without_moving_the_step() {
    let mut u = at(Step::Integration);
    assert!(u.terms_can_be_outdated());
    assert_eq!(u.accept_terms("kpm-kco3", true), Ok(None));
    assert_eq!(u.step, Step::Integration);
    // Neither the first step nor a finished upgrade has terms that matter any more.
    assert!(!at(Step::Terms).terms_can_be_outdated());
    assert!(!at(Step::Complete).terms_can_be_outdated());
}

#[test]
fn later_steps_wait_for_changed_terms() {
    let mut u = at(Step::Account);
    assert_eq!(u.save_account(false, true), Err(Refusal::TermsOutdated));
    assert!(u.global_enabled, "nothing changed");
    let mut u = at(Step::Credentials);
    assert_eq!(u.generate_credentials(true), Err(Refusal::TermsOutdated));
    let mut u = at(Step::Integration);
    let all = ChecklistItem::ALL.into_iter().collect();
    assert_eq!(u.save_checklist(all, true), Err(Refusal::TermsOutdated));
    assert_eq!(u.checklist, Checklist::default());
}

#[test]
fn the_account_is_confirmed_once_and_stays_editable_until_complete() {
    let mut u = at(Step::Account);
    assert_eq!(
        u.save_account(false, false),
        Ok(Some(moved(Step::Account, Step::Credentials)))
    );
    assert!(!u.global_enabled);
    // Later, the choice changes without moving the step.
    let mut u = at(Step::TestPurchase);
    assert_eq!(u.save_account(false, false), Ok(None));
    assert_eq!((u.step, u.global_enabled), (Step::TestPurchase, false));
    // Not before the terms, and not once complete.
    let mut u = at(Step::Terms);
    assert_eq!(
        u.save_account(false, false),
        Err(Refusal::NotYet {
            current: Step::Terms,
            attempted: Step::Account
        })
    );
    assert!(u.global_enabled);
    let mut u = at(Step::Complete);
    assert_eq!(u.save_account(false, false), Err(Refusal::AlreadyComplete));
    assert!(u.global_enabled);
}

#[test]
fn credentials_are_generated_once_and_rotated_once_there_are_some() {
    let mut u = at(Step::Credentials);
    assert_eq!(u.may_rotate_credentials(), Err(Refusal::NoCredentialsYet));
    assert_eq!(
        u.generate_credentials(false),
        Ok(moved(Step::Credentials, Step::Integration))
    );
    assert_eq!(
        u.generate_credentials(false),
        Err(Refusal::AlreadyDone {
            attempted: Step::Credentials
        })
    );
    assert_eq!(at(Step::Integration).may_rotate_credentials(), Ok(()));
}

#[test]
fn a_partial_checklist_is_kept_and_all_four_finish_the_step() {
    let mut u = at(Step::Integration);
    let some: Checklist = [ChecklistItem::NewEnabled].into_iter().collect();
    assert_eq!(u.save_checklist(some, false), Ok(None));
    assert_eq!((u.step, u.checklist), (Step::Integration, some));
    assert_eq!(u.checklist.missing().len(), 3);
    let all: Checklist = ChecklistItem::ALL.into_iter().collect();
    assert_eq!(
        u.save_checklist(all, false),
        Ok(Some(moved(Step::Integration, Step::TestPurchase)))
    );
    assert_eq!(u.checklist, all);
}

#[test]
fn the_checklist_belongs_to_the_integration_step() {
    let some: Checklist = [ChecklistItem::NewEnabled].into_iter().collect();
    for (step, refusal) in [
        (
            Step::Credentials,
            Refusal::NotYet {
                current: Step::Credentials,
                attempted: Step::Integration,
            },
        ),
        (
            Step::TestPurchase,
            Refusal::AlreadyDone {
                attempted: Step::Integration,
            },
        ),
        (Step::Complete, Refusal::AlreadyComplete),
    ] {
        let mut u = at(step);
        assert_eq!(u.save_checklist(some, false), Err(refusal), "{step}");
        assert_eq!(u.checklist, Checklist::default(), "nothing kept at {step}");
    }
}

fn order(subject: Subject, environment: Environment) -> PlatformEvent {
    PlatformEvent {
        id: "evt_1".into(),
        kind: EventKind::OrderCreated,
        created_at: 0,
        subject,
        order_id: "ord_1".into(),
        environment,
        amount: 1000,
        currency: "SEK".into(),
        user_agent: None,
        error_code: None,
        correlation_id: None,
        call: None,
        country: None,
    }
}

#[test]
fn only_a_live_order_on_the_new_mid_at_the_test_purchase_completes() {
    let live = |mid: &str| {
        order(
            Subject::Merchant(MerchantId::parse(mid).unwrap()),
            Environment::Live,
        )
    };
    let waiting = at(Step::TestPurchase);
    assert_eq!(waiting.awaits_purchase_on(), Some(MID));
    let weigh = |e: &PlatformEvent, u: &Upgrade| weigh_order(e, u.step, u.merchant_id.as_deref());
    assert_eq!(weigh(&live(MID), &waiting), OrderMeaning::CompletesUpgrade);
    assert_eq!(weigh(&live("K654321"), &waiting), OrderMeaning::Nothing);
    let no_currency = PlatformEvent {
        currency: "XXX".into(),
        ..live(MID)
    };
    assert_eq!(weigh(&no_currency, &waiting), OrderMeaning::Nothing);
    let early = at(Step::Integration);
    assert_eq!(early.awaits_purchase_on(), None);
    assert_eq!(weigh(&live(MID), &early), OrderMeaning::Nothing);
    let test = order(
        Subject::Merchant(MerchantId::parse("PK12345").unwrap()),
        Environment::Test,
    );
    assert_eq!(weigh(&test, &waiting), OrderMeaning::TestOrder);
    let legacy = order(
        Subject::Legacy(LegacyStoreId::parse("123456").unwrap()),
        Environment::Live,
    );
    assert_eq!(weigh(&legacy, &waiting), OrderMeaning::LegacyStillActive);
    assert_eq!(
        weigh(&legacy, &at(Step::Credentials)),
        OrderMeaning::Nothing
    );
    let cancelled = PlatformEvent {
        kind: EventKind::OrderCancelled,
        ..live(MID)
    };
    assert_eq!(weigh(&cancelled, &waiting), OrderMeaning::Nothing);
}

#[test]
fn the_test_purchase_completes_and_leaves_its_order_open_to_cancel() {
    let mut u = at(Step::TestPurchase);
    assert_eq!(
        u.test_order(TestOrder::Open),
        Err(Refusal::NotComplete),
        "not before it completes"
    );
    assert_eq!(
        u.complete_by_purchase("ord_1"),
        Ok(moved(Step::TestPurchase, Step::Complete))
    );
    assert_eq!(u.test_order(TestOrder::Open), Ok("ord_1"));
    assert_eq!(
        u.test_order(TestOrder::Captured),
        Err(Refusal::NothingToDoWithTestOrder)
    );
    assert_eq!(
        u.complete_by_purchase("ord_2"),
        Err(Refusal::AlreadyComplete)
    );
    assert_eq!(u.test_order_id.as_deref(), Some("ord_1"));
}

#[test]
fn support_confirms_a_purchase_only_for_an_upgrade_waiting_for_one() {
    let mut u = at(Step::TestPurchase);
    assert_eq!(
        u.confirm_purchase_by_hand(),
        Ok(moved(Step::TestPurchase, Step::Complete))
    );
    assert_eq!(u.test_order_id, None, "no order to cancel");
    for step in [Step::Integration, Step::Complete] {
        assert_eq!(
            at(step).confirm_purchase_by_hand(),
            Err(Refusal::NotAtTestPurchase)
        );
    }
}

#[test]
fn refusals_are_message_keys_naming_their_steps() {
    let r = transition(Step::Terms, Action::GenerateCredentials).unwrap_err();
    assert_eq!(r.key(), "upgrade.refused.not_yet");
    assert_eq!(
        r.steps(),
        [("current", Step::Terms), ("attempted", Step::Credentials)]
    );
    let r = transition(Step::Account, Action::AcceptTerms).unwrap_err();
    assert_eq!(r.key(), "upgrade.refused.done");
    assert_eq!(r.steps(), [("step", Step::Terms)]);
    assert!(Refusal::AlreadyComplete.steps().is_empty());
}

#[test]
fn a_test_purchase_is_in_a_currency_the_store_sells_in() {
    let nordic = ["SE", "NO", "FI"];
    for fits in ["SEK", "NOK", "EUR"] {
        assert!(in_store_currency(fits, &nordic), "{fits}");
    }
    for wrong in ["GBP", "DKK", "XXX", "sek", ""] {
        assert!(!in_store_currency(wrong, &nordic), "{wrong}");
    }
    // A store in countries with no known currency takes any real one, never a made-up one.
    assert!(in_store_currency("JPY", &["JP"]));
    assert!(!in_store_currency("XXX", &["JP"]));
}
