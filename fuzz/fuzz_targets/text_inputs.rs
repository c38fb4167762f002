//! Every small parser of text people or platforms send: IDs, email addresses, country
//! codes, amounts (typed and in files) and Accept-Language. No panics; an amount that
//! parses writes back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard::{
    domain::{CountryCode, EmailAddress, LegacyStoreId, MerchantId, money::Currency},
    i18n::Lang,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = LegacyStoreId::parse(text);
    let _ = MerchantId::parse(text);
    let _ = EmailAddress::parse(text);
    let _ = CountryCode::parse(text);
    let _ = Lang::from_accept_language(text);
    let _ = Lang::parse(text);
    for code in ["SEK", "EUR", "ISK"] {
        let currency = Currency::parse(code).expect("a known currency");
        if let Ok(minor) = currency.parse_amount(text) {
            assert_eq!(
                currency.parse_amount(&currency.format_amount(minor)),
                Ok(minor)
            );
        }
        if let Ok(minor) = currency.parse_typed_amount(text) {
            assert_eq!(
                currency.parse_amount(&currency.format_amount(minor)),
                Ok(minor)
            );
        }
    }
    let _ = Currency::parse(text);
});
