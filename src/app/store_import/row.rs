//! One row of a stores file: its fields checked, or why not.

use crate::{
    domain::{
        Catalog, CountryCode, EmailAddress, LegacyStoreId,
        capabilities::{self, Legacy},
        countries,
        text::{self, Lines},
    },
    store::stores::NewStore,
};

/// The columns of a stores file, in order.
pub const HEADER: [&str; 8] = [
    "legacy_store_id",
    "name",
    "product",
    "admin_email",
    "countries",
    "platform",
    "store_url",
    "partner",
];

/// The columns a file may add after [`HEADER`], in any order: what the legacy store could
/// do. A column left out, or a cell left empty, says nothing (an update keeps what is
/// stored).
pub const OPTIONAL: [&str; 3] = ["recurring", "b2b", "payment_methods"];

/// No field of a store is longer (the name has its own, smaller limit).
const MAX_FIELD_CHARS: usize = 1000;

/// A row that cannot be imported, with its line number in the file (the header is line 1;
/// blank lines count, so the number is the one an editor shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// A row's store, every field checked; the partner is still the name as written. The
/// record has the fields of [`HEADER`] and then of [`OPTIONAL`], in that order (the file
/// reader puts them so).
pub fn parse_row(r: &csv::StringRecord, catalog: &Catalog) -> Result<NewStore, String> {
    let columns = HEADER.iter().chain(OPTIONAL.iter());
    if r.len() != HEADER.len() + OPTIONAL.len() {
        return Err(format!(
            "expected {} fields, found {}",
            HEADER.len() + OPTIONAL.len(),
            r.len()
        ));
    }
    // Every field, the same on every database: PostgreSQL refuses a NUL that SQLite
    // would store, and no field of a store has a control character or a line break.
    for (name, value) in columns.zip(r.iter()) {
        text::check(value, Lines::One, MAX_FIELD_CHARS).map_err(|p| format!("{name} {p}"))?;
    }
    let field = |i: usize| r.get(i).unwrap_or_default();
    let eid = legacy_store_id(field(0))?;
    let name = field(1);
    if name.is_empty() || name.chars().count() > 200 {
        return Err("name is required (at most 200 characters)".into());
    }
    let product = field(2);
    if !catalog.product(product).is_some_and(|p| p.legacy) {
        let legacy: Vec<&str> = catalog
            .products
            .iter()
            .filter(|p| p.legacy)
            .map(|p| p.code.as_str())
            .collect();
        return Err(format!(
            "product {product:?} is not a legacy product; use one of {}",
            legacy.join(", ")
        ));
    }
    let email =
        EmailAddress::parse(field(3)).map_err(|e| format!("admin_email {:?}: {e}", field(3)))?;
    let countries = country_list(field(4))?;
    let platform = catalog
        .platforms
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(field(5)) || p.name.eq_ignore_ascii_case(field(5)))
        .ok_or_else(|| {
            let ids: Vec<&str> = catalog.platforms.iter().map(|p| p.id.as_str()).collect();
            format!(
                "platform {:?} is unknown; use one of {}",
                field(5),
                ids.join(", ")
            )
        })?;
    let url = shop_url(field(6))?;
    let partner = Some(field(7)).filter(|p| !p.is_empty()).map(str::to_owned);
    let capabilities = Legacy {
        recurring: capabilities::parse_flag(OPTIONAL[0], field(8))?,
        b2b: capabilities::parse_flag(OPTIONAL[1], field(9))?,
        payment_methods: capabilities::parse_methods(field(10))?,
    };
    Ok(NewStore {
        legacy_store_id: eid.to_string(),
        name: name.to_owned(),
        product: product.to_owned(),
        admin_email: email.to_string(),
        countries,
        platform: platform.id.clone(),
        store_url: url,
        partner,
        capabilities,
    })
}

/// A legacy store ID as the platform writes it. "0004711" is refused rather than read as
/// 4711: the platform never writes leading zeros, so they come from a spreadsheet or a
/// typo, and guessing would either import a second 4711 or update the wrong store.
fn legacy_store_id(raw: &str) -> Result<LegacyStoreId, String> {
    let eid = LegacyStoreId::parse(raw).map_err(|e| format!("legacy_store_id {raw:?}: {e}"))?;
    let digits = eid.as_str();
    if digits.len() > 1 && digits.starts_with('0') {
        let canonical = digits.trim_start_matches('0');
        let canonical = if canonical.is_empty() { "0" } else { canonical };
        return Err(format!(
            "legacy_store_id {digits:?} has leading zeros: write it as {canonical}"
        ));
    }
    Ok(eid)
}

/// `SE;NO`: officially assigned ISO 3166-1 alpha-2 codes, at least one.
fn country_list(raw: &str) -> Result<Vec<String>, String> {
    let mut list = Vec::new();
    for c in raw.split(';').filter(|c| !c.trim().is_empty()) {
        let code = CountryCode::parse(c).map_err(|e| format!("countries: {c:?}: {e}"))?;
        let code = code.as_str();
        if !countries::is_assigned(code) {
            let hint = countries::suggestion(code)
                .map(|s| format!("; use {s}"))
                .unwrap_or_default();
            return Err(format!(
                "countries: {code:?} is not an ISO 3166-1 country code{hint}"
            ));
        }
        if !list.iter().any(|c| c == code) {
            list.push(code.to_owned());
        }
    }
    if list.is_empty() {
        return Err("countries needs at least one ISO code, separated by ; (SE;NO)".into());
    }
    Ok(list)
}

/// The shop's address: `https://` and a host. Plain `http` is refused: the store health
/// check and the guides send the admin there, and a shop taking payments has TLS.
fn shop_url(raw: &str) -> Result<String, String> {
    let parsed = url::Url::parse(raw)
        .ok()
        .filter(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| h.contains('.')));
    match parsed {
        Some(_) if !raw.contains(char::is_whitespace) => Ok(raw.to_owned()),
        _ => Err(format!(
            "store_url {raw:?} must be a web address starting with https://"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::DEFAULT_CATALOG;

    fn row(fields: [&str; 11]) -> Result<NewStore, String> {
        let catalog = Catalog::parse(DEFAULT_CATALOG).unwrap();
        parse_row(&csv::StringRecord::from(fields.to_vec()), &catalog)
    }

    fn with(i: usize, value: &str) -> Result<NewStore, String> {
        let mut fields = [
            "4711",
            "Kaffebaren",
            "KPM",
            "anna@kaffebaren.example",
            "SE;NO",
            "woocommerce",
            "https://kaffebaren.example",
            "",
            "",
            "",
            "",
        ];
        fields[i] = value;
        row(fields)
    }

    #[test]
    fn countries_are_real_iso_codes() {
        assert_eq!(with(4, "se;FI;SE").unwrap().countries, ["SE", "FI"]);
        let err = with(4, "SE;XX").unwrap_err();
        assert!(err.contains("\"XX\" is not an ISO 3166-1"), "{err}");
        assert!(with(4, "UK").unwrap_err().contains("use GB"));
    }

    #[test]
    fn shop_urls_must_be_https() {
        assert!(with(6, "https://shop.example/sv").is_ok());
        for bad in [
            "http://shop.example",
            "shop.example",
            "https://",
            "ftp://shop.example",
        ] {
            assert!(with(6, bad).unwrap_err().contains("https://"), "{bad}");
        }
    }

    #[test]
    fn capabilities_are_optional_and_checked() {
        assert_eq!(with(8, "").unwrap().capabilities, Legacy::default());
        assert_eq!(with(8, "yes").unwrap().capabilities.recurring, Some(true));
        assert_eq!(with(9, "no").unwrap().capabilities.b2b, Some(false));
        assert_eq!(
            with(10, "invoice;card")
                .unwrap()
                .capabilities
                .payment_methods,
            Some(vec!["invoice".to_owned(), "card".to_owned()])
        );
        assert!(with(8, "sometimes").unwrap_err().starts_with("recurring"));
        assert!(
            with(10, "cheque")
                .unwrap_err()
                .starts_with("payment_methods")
        );
    }

    #[test]
    fn leading_zeros_name_the_canonical_form() {
        let err = with(0, "0004711").unwrap_err();
        assert!(
            err.contains("\"0004711\"") && err.ends_with("write it as 4711"),
            "{err}"
        );
        assert!(with(0, "0").is_ok());
    }
}
