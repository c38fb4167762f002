//! Which currency a country pays in: a fact the sandbox, event intake and the pages agree
//! on (which currencies exist is `money`'s).

use super::money::Currency;

/// The currency a shop in `country` (ISO 3166 alpha-2; "UK" is taken for GB, as the
/// catalog writes it) sells in, for the countries the platform serves.
pub fn of_country(country: &str) -> Option<Currency> {
    let code = match country {
        "SE" => "SEK",
        "NO" => "NOK",
        "DK" | "GL" | "FO" => "DKK",
        "IS" => "ISK",
        "GB" | "UK" => "GBP",
        "CH" | "LI" => "CHF",
        "PL" => "PLN",
        "CZ" => "CZK",
        "HU" => "HUF",
        "RO" => "RON",
        "US" => "USD",
        "CA" => "CAD",
        "AU" => "AUD",
        "NZ" => "NZD",
        "AT" | "BE" | "BG" | "CY" | "DE" | "EE" | "ES" | "FI" | "FR" | "GR" | "HR" | "IE"
        | "IT" | "LT" | "LU" | "LV" | "MT" | "NL" | "PT" | "SI" | "SK" | "AX" | "MC" | "SM"
        | "VA" | "AD" | "ME" => "EUR",
        _ => return None,
    };
    Currency::parse(code)
}

/// The store's own currency: its first country's (the country it was signed up in),
/// or the first of its countries the platform has a currency for.
pub fn of_store<'a>(countries: impl IntoIterator<Item = &'a str>) -> Option<(&'a str, Currency)> {
    countries
        .into_iter()
        .find_map(|c| of_country(c).map(|currency| (c, currency)))
}

/// Whether an order in `currency` fits a store selling in `countries`.
pub fn fits<'a>(currency: Currency, countries: impl IntoIterator<Item = &'a str>) -> bool {
    countries
        .into_iter()
        .any(|c| of_country(c) == Some(currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money;
    #[test]
    fn only_real_currencies_are_iso_4217() {
        assert!(
            money::is_iso_4217("SEK") && money::is_iso_4217("EUR") && money::is_iso_4217("ISK")
        );
        for fake in ["XXX", "XTS", "XAU", "ABC", "sek", "SEKR", ""] {
            assert!(!money::is_iso_4217(fake), "{fake}");
        }
    }

    #[test]
    fn each_country_pays_in_its_own_currency() {
        let code = |c: &str| of_country(c).map(|c| c.code().to_owned());
        assert_eq!(code("SE").as_deref(), Some("SEK"));
        assert_eq!(code("NO").as_deref(), Some("NOK"));
        assert_eq!(code("DK").as_deref(), Some("DKK"));
        for euro in ["FI", "DE", "AT", "NL", "ES"] {
            assert_eq!(code(euro).as_deref(), Some("EUR"), "{euro}");
        }
        assert_eq!(code("UK").as_deref(), Some("GBP"));
        assert_eq!(code("GB").as_deref(), Some("GBP"));
        assert_eq!(code("ZZ"), None);
    }

    #[test]
    fn a_store_sells_in_its_first_countrys_currency() {
        let (country, currency) = of_store(["NL", "SE"]).unwrap();
        assert_eq!((country, currency.code()), ("NL", "EUR"));
        assert_eq!(of_store(["ZZ", "NO"]).unwrap().1.code(), "NOK");
        assert!(of_store([]).is_none());
    }

    #[test]
    fn a_currency_fits_when_one_country_pays_in_it() {
        let sek = Currency::parse("SEK").unwrap();
        assert!(fits(sek, ["NO", "SE"]));
        assert!(!fits(sek, ["NO", "NL"]));
    }
}
