//! Identifiers that are valid by construction: parse once at the edge, trust afterwards.

use std::fmt;

/// Why an identifier was refused. People see it in their language through [`key`]
/// (InvalidId::key); the English text is for logs and the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidId {
    #[error("a legacy store ID is required")]
    StoreIdRequired,
    #[error("a legacy store ID has at most 12 digits")]
    StoreIdTooLong,
    #[error("a legacy store ID consists of digits only")]
    StoreIdNotDigits,
    #[error("that is a legacy store ID (digits only); a merchant ID starts with letters")]
    MerchantIdIsStoreId,
    #[error("a merchant ID is K and 6 digits (live) or PK and 5 digits (test)")]
    MerchantIdShape,
    #[error("an email address is required")]
    EmailRequired,
    #[error("that email address is too long")]
    EmailTooLong,
    #[error("an email address needs an @, like name@example.com")]
    EmailNoAt,
    #[error("that does not look like an email address, like name@example.com")]
    EmailShape,
    #[error("a country is a two-letter ISO code such as SE or DE")]
    Country,
}

impl InvalidId {
    /// The key of the reason in the interface's languages.
    pub fn key(self) -> &'static str {
        match self {
            Self::StoreIdRequired => "input.store_id_required",
            Self::StoreIdTooLong => "input.store_id_too_long",
            Self::StoreIdNotDigits => "input.store_id_digits",
            Self::MerchantIdIsStoreId => "input.merchant_id_is_store_id",
            Self::MerchantIdShape => "input.merchant_id",
            Self::EmailRequired => "input.email_required",
            Self::EmailTooLong => "input.email_too_long",
            Self::EmailNoAt => "input.email_no_at",
            Self::EmailShape => "input.email",
            Self::Country => "input.country",
        }
    }
}

/// A legacy store ID (EID): digits only, e.g. `4711`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegacyStoreId(String);

impl LegacyStoreId {
    pub fn parse(raw: &str) -> Result<Self, InvalidId> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InvalidId::StoreIdRequired);
        }
        if s.len() > 12 {
            return Err(InvalidId::StoreIdTooLong);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidId::StoreIdNotDigits);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LegacyStoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which platform environment a merchant ID or credential belongs to: `live` or `test`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Live,
    Test,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "live" => Some(Self::Live),
            "test" => Some(Self::Test),
            _ => None,
        }
    }
}

/// A current merchant ID (MID): live `K` + 6 digits, test/playground `PK` + 5 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MerchantId(String);

impl MerchantId {
    pub fn parse(raw: &str) -> Result<Self, InvalidId> {
        let s = raw.trim();
        let digits_after = |prefix: &str, n: usize| {
            s.strip_prefix(prefix)
                .is_some_and(|d| d.len() == n && d.bytes().all(|b| b.is_ascii_digit()))
        };
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
            return Err(InvalidId::MerchantIdIsStoreId);
        }
        if digits_after("PK", 5) || digits_after("K", 6) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId::MerchantIdShape)
        }
    }

    /// Builds a live or test MID from a number; the number is reduced into range.
    pub fn from_number(env: Environment, n: u32) -> Self {
        match env {
            Environment::Live => Self(format!("K{:06}", n % 1_000_000)),
            Environment::Test => Self(format!("PK{:05}", n % 100_000)),
        }
    }

    pub fn environment(&self) -> Environment {
        if self.0.starts_with("PK") {
            Environment::Test
        } else {
            Environment::Live
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MerchantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, trimmed and lower-cased so that comparisons are exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidId> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(InvalidId::EmailRequired);
        }
        if s.len() > 254 {
            return Err(InvalidId::EmailTooLong);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(InvalidId::EmailNoAt);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"@\\".contains(c));
        if !domain_ok || !local_ok {
            return Err(InvalidId::EmailShape);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidId> {
        let s = raw.trim().to_uppercase();
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(s))
        } else {
            Err(InvalidId::Country)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_store_ids_are_digits_only() {
        assert_eq!(LegacyStoreId::parse(" 4711 ").unwrap().as_str(), "4711");
        assert!(LegacyStoreId::parse("123456").is_ok());
        assert!(LegacyStoreId::parse("K123456").is_err());
        assert!(LegacyStoreId::parse("").is_err());
        assert!(LegacyStoreId::parse("12 34").is_err());
        assert!(LegacyStoreId::parse("1234567890123").is_err());
    }

    #[test]
    fn merchant_ids_have_a_prefix_and_fixed_digits() {
        assert_eq!(
            MerchantId::parse("K123456").unwrap().environment(),
            Environment::Live
        );
        assert_eq!(
            MerchantId::parse("PK12345").unwrap().environment(),
            Environment::Test
        );
        assert!(MerchantId::parse("K12345").is_err());
        assert!(MerchantId::parse("PK123456").is_err());
        let digits = MerchantId::parse("4711").unwrap_err();
        assert_eq!(digits, InvalidId::MerchantIdIsStoreId);
        assert_eq!(
            MerchantId::from_number(Environment::Live, 42).as_str(),
            "K000042"
        );
        assert_eq!(
            MerchantId::from_number(Environment::Test, 123_456).as_str(),
            "PK23456"
        );
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            EmailAddress::parse(" Anna@Example.COM ").unwrap().as_str(),
            "anna@example.com"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@example",
            "an na@example.com",
            "a@b..c@d",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn countries_are_two_letters() {
        assert_eq!(CountryCode::parse("se").unwrap().as_str(), "SE");
        assert!(CountryCode::parse("SWE").is_err());
        assert!(CountryCode::parse("S1").is_err());
    }
}
