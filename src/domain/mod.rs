//! The domain: identifiers, the catalog, the upgrade state machine, credentials. No I/O.

pub mod access;
pub mod capabilities;
pub mod catalog;
pub mod countries;
pub mod credentials;
pub mod currency;
pub mod cutover;
pub mod delivery;
pub mod ical;
pub mod ids;
pub mod money;
pub mod order;
pub mod pace;
pub mod pdf;
pub mod platform_event;
pub mod readiness;
pub mod rehearsal;
pub mod risk;
pub mod screenshot;
pub mod settlement;
pub mod settlement_export;
pub mod setup_check;
pub mod sunset;
pub mod text;
pub mod traffic;
pub mod upgrade;
pub mod webhook;

pub use catalog::Catalog;
pub use ids::{CountryCode, EmailAddress, Environment, LegacyStoreId, MerchantId};
pub use upgrade::{Action, Refusal, Step, Upgrade};

/// Lower-case hex SHA-256: the one fingerprint used for tokens, secrets and documents.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes.as_ref()))
}

/// A day written `YYYY-MM-DD` (around spaces allowed), as forms, files and settings
/// give it.
pub fn parse_date(raw: &str) -> Option<time::Date> {
    time::Date::parse(
        raw.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// A unix time as RFC 3339 (`2026-11-23T10:00:00Z`), the format of the platform's APIs.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Parses an RFC 3339 time into unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}
