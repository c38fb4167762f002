//! Uploaded screenshots: only bytes that start and end like a PNG or a JPEG pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard::domain::screenshot::{self, ImageKind};

fuzz_target!(|data: &[u8]| {
    match screenshot::check(data) {
        Ok(ImageKind::Png) => {
            assert!(
                data.starts_with(b"\x89PNG\r\n\x1a\n") && data.ends_with(b"IEND\xae\x42\x60\x82")
            )
        }
        Ok(ImageKind::Jpeg) => {
            // Encoders may pad with zeros after the end-of-image marker.
            let end = data.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
            assert!(data.starts_with(&[0xff, 0xd8, 0xff]) && data[..end].ends_with(&[0xff, 0xd9]));
        }
        Err(_) => {}
    }
});
