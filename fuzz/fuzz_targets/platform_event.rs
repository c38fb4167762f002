//! Platform events as they arrive: the signature header and the body, parsed without a
//! panic whatever they hold; a valid signature over any body verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard::domain::platform_event;

const SECRET: &[u8] = b"whsec_fuzz_0123456789abcdef";
const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    // The first line is the header as sent, the rest the body.
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let header = std::str::from_utf8(header).ok();
    let _ = platform_event::verify_signature(header, body, SECRET, NOW);
    let _ = platform_event::parse(body);
    let signed = platform_event::sign(SECRET, NOW, body);
    assert!(platform_event::verify_signature(Some(&signed), body, SECRET, NOW).is_ok());
});
