//! Settlement report files: never a panic, and a report that parses writes back to a
//! file that parses to the same report (what the CSV download promises).
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard::domain::settlement;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = settlement::parse(data) {
        let written = settlement::to_csv(&report);
        let again = settlement::parse(written.as_bytes()).expect("a written report parses");
        assert_eq!(again, report, "the CSV round trip changed the report");
    }
});
