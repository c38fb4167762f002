//! The store import CSV: any file is either imported whole or refused with its reasons.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use switchyard::{app::import, domain::Catalog};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::parse(switchyard::domain::catalog::DEFAULT_CATALOG).expect("the shipped catalog")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match import::parse_stores(text, &CATALOG) {
        Ok(stores) => assert!(stores.iter().all(|s| !s.legacy_store_id.is_empty())),
        Err(errors) => assert!(!errors.is_empty(), "a refusal names its reasons"),
    }
});
