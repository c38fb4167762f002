//! Money, exact: amounts are integers in the currency's minor unit, parsed from and
//! written as decimals with `.` in the major unit.

/// An ISO 4217 currency and how many decimals its minor unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: [u8; 3],
    exponent: u32,
}

impl Currency {
    /// An ISO 4217 code money is paid in (not "XXX", "kronor" or "sek"); currencies
    /// without a minor unit (ISK, JPY, KRW, …) have exponent 0, the rest 2.
    pub fn parse(code: &str) -> Option<Self> {
        if !is_iso_4217(code) {
            return None;
        }
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        let exponent = match code {
            "ISK" | "JPY" | "KRW" | "CLP" | "VND" | "XOF" | "XAF" | "UGX" | "PYG" => 0,
            _ => 2,
        };
        Some(Self {
            code: bytes,
            exponent,
        })
    }

    pub fn code(&self) -> &str {
        // Only ever built from three ASCII upper-case letters, so this never falls back.
        std::str::from_utf8(&self.code).unwrap_or_default()
    }

    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    /// Parses "1234.5" or "-0.35" into minor units; no thousands separators, no more
    /// decimals than the currency has (trailing zeros aside).
    pub fn parse_amount(&self, text: &str) -> Result<i64, AmountError> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::NotANumber);
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(AmountError::NotANumber);
        }
        let significant = fraction.trim_end_matches('0');
        if significant.len() > self.exponent as usize {
            return Err(AmountError::TooPrecise);
        }
        let scale = 10_i64.pow(self.exponent);
        let mut minor = whole
            .parse::<i64>()
            .ok()
            .and_then(|w| w.checked_mul(scale))
            .ok_or(AmountError::TooLarge)?;
        if !significant.is_empty() {
            let padded = format!("{significant:0<width$}", width = self.exponent as usize);
            minor = minor
                .checked_add(padded.parse::<i64>().map_err(|_| AmountError::NotANumber)?)
                .ok_or(AmountError::TooLarge)?;
        }
        Ok(if negative { -minor } else { minor })
    }

    /// Writes minor units as a decimal in the major unit: 123450 → "1234.50".
    pub fn format_amount(&self, minor: i64) -> String {
        if self.exponent == 0 {
            return minor.to_string();
        }
        let scale = 10_u64.pow(self.exponent);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = self.exponent as usize
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("is not a decimal number such as 1234.50")]
    NotANumber,
    #[error("has more decimals than the currency has")]
    TooPrecise,
    #[error("is too large")]
    TooLarge,
    /// Typed by a person, "1.500" or "1,500" could be either of two amounts.
    #[error("could be read as two different amounts")]
    Ambiguous,
}

/// The active ISO 4217 codes money is paid in. The codes for "no currency" (XXX), testing
/// (XTS), precious metals and bond-market units are left out: no order is priced in them.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Whether `code` is an ISO 4217 currency money is paid in.
pub fn is_iso_4217(code: &str) -> bool {
    ISO_4217.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_lookups_can_halve_it() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn amounts_are_exact_in_minor_units_and_round_trip() {
        let sek = Currency::parse("SEK").unwrap();
        for (text, minor) in [
            ("1234.50", 123_450),
            ("1234.5", 123_450),
            ("1234", 123_400),
            ("-0.35", -35),
            ("0.10", 10),
            ("-1234.00", -123_400),
        ] {
            assert_eq!(sek.parse_amount(text), Ok(minor), "{text}");
            assert_eq!(sek.parse_amount(&sek.format_amount(minor)), Ok(minor));
        }
        assert_eq!(sek.format_amount(-35), "-0.35");
        assert_eq!(sek.format_amount(5), "0.05");
    }

    #[test]
    fn currencies_without_decimals_take_none() {
        let isk = Currency::parse("ISK").unwrap();
        assert_eq!(isk.parse_amount("1500"), Ok(1500));
        assert_eq!(isk.parse_amount("1500.5"), Err(AmountError::TooPrecise));
        assert_eq!(isk.format_amount(1500), "1500");
    }

    #[test]
    fn malformed_amounts_are_refused() {
        let eur = Currency::parse("EUR").unwrap();
        for bad in [
            "", "1,50", "1 234.50", "abc", "1.", ".5", "--1", "1e3", "+1",
        ] {
            assert_eq!(
                eur.parse_amount(bad),
                Err(AmountError::NotANumber),
                "{bad:?}"
            );
        }
        assert_eq!(eur.parse_amount("0.001"), Err(AmountError::TooPrecise));
        assert_eq!(
            eur.parse_amount("99999999999999999999"),
            Err(AmountError::TooLarge)
        );
        assert!(Currency::parse("sek").is_none() && Currency::parse("SEKR").is_none());
    }
}
