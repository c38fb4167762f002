//! The setup checker, fed whatever an admin might paste: always an answer, never a panic,
//! and "right" only when nothing else was found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard::domain::{
    Environment,
    setup_check::{self, Finding, Issued, Lookup, Pasted},
};

const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (username, password) = text.split_once('\u{0}').unwrap_or((text, ""));
    let field = if username.len() % 2 == 0 {
        Environment::Live
    } else {
        Environment::Test
    };
    let issued = Issued {
        environment: Environment::Live,
        secret_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        revoked_at: None,
        expires_at: Some(NOW + 60),
    };
    for lookup in [Lookup::NotIssued, Lookup::OtherStore, Lookup::Own(issued)] {
        let found = setup_check::diagnose(
            &Pasted {
                field,
                username,
                password,
            },
            lookup,
            NOW,
        );
        assert!(!found.is_empty(), "the checker always answers");
        if found.iter().any(|f| matches!(f, Finding::Right { .. })) {
            assert!(
                found.iter().all(|f| !f.is_problem()),
                "right, yet a problem: {found:?}"
            );
        }
    }
});
