//! The domain: identifiers, the catalog, the upgrade state machine, credentials. No I/O.

pub mod access;
pub mod catalog;
pub mod credentials;
pub mod ids;
pub mod order;
pub mod pdf;
pub mod platform_event;
pub mod screenshot;
pub mod setup_check;
pub mod upgrade;

pub use catalog::Catalog;
pub use ids::{CountryCode, EmailAddress, Environment, LegacyStoreId, MerchantId};
pub use upgrade::{Action, Refusal, Step};

/// Lower-case hex SHA-256: the one fingerprint used for tokens, secrets and documents.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes.as_ref()))
}
