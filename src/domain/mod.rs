//! The domain: identifiers, the catalog, the upgrade state machine, credentials. No I/O.

pub mod access;
pub mod catalog;
pub mod credentials;
pub mod ids;
pub mod pdf;
pub mod upgrade;

pub use catalog::Catalog;
pub use ids::{CountryCode, EmailAddress, Environment, LegacyStoreId, MerchantId};
pub use upgrade::{Action, Refusal, Step};
