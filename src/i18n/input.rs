//! Amounts as people type them: the language's own way ("1 234,50", "1.234,50") and the
//! dot form ("1234.50") are both read, exactly, in minor units. What could be read two
//! ways ("1.500" in Swedish: one and a half, or fifteen hundred?) is refused, not guessed.

use super::{
    Lang,
    format::{NBSP, NNBSP, separators},
};
use crate::domain::money::{AmountError, Currency};

/// The amount in `text`, in `currency`'s minor units, as a person writing `lang` meant it.
///
/// A lone `.` or `,` followed by exactly three digits is the language's decimal mark or
/// its thousands mark if it is one of them, and ambiguous otherwise; followed by any
/// other number of digits it is a decimal mark. With both marks, the last is the decimal
/// mark. Thousands marks must stand between groups of three digits.
pub fn amount(lang: Lang, currency: Currency, text: &str) -> Result<i64, AmountError> {
    let compact: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(*c, ' ' | NBSP | NNBSP))
        .collect();
    let (decimal, group) = marks(lang, &compact)?;
    let (whole, fraction) = match decimal {
        Some(d) => compact.split_once(d).unwrap_or((&compact, "")),
        None => (compact.as_str(), ""),
    };
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", whole),
    };
    let digits = match group {
        Some(g) => ungroup(digits, g)?,
        None => digits.to_owned(),
    };
    let canonical = match decimal {
        Some(_) => format!("{sign}{digits}.{fraction}"),
        None => format!("{sign}{digits}"),
    };
    currency.parse_amount(&canonical)
}

/// Which of `.` and `,` is the decimal mark in `text`, and which the thousands mark.
fn marks(lang: Lang, text: &str) -> Result<(Option<char>, Option<char>), AmountError> {
    let count = |c: char| text.matches(c).count();
    match (count('.'), count(',')) {
        (0, 0) => Ok((None, None)),
        (dots, 0) | (0, dots) => {
            let mark = if text.contains('.') { '.' } else { ',' };
            let after = text.rsplit(mark).next().map_or(0, str::len);
            let sep = separators(lang);
            if dots > 1 {
                Ok((None, Some(mark)))
            } else if after != 3 || mark == sep.decimal {
                Ok((Some(mark), None))
            } else if sep.group == Some(mark) {
                Ok((None, Some(mark)))
            } else {
                Err(AmountError::Ambiguous)
            }
        }
        _ => {
            let last = text
                .rfind(['.', ','])
                .and_then(|i| text[i..].chars().next());
            let decimal = last.unwrap_or('.');
            let group = if decimal == '.' { ',' } else { '.' };
            if count(decimal) != 1 {
                return Err(AmountError::NotANumber);
            }
            Ok((Some(decimal), Some(group)))
        }
    }
}

/// "1.234.567" → "1234567": groups of three after a first group of one to three digits.
fn ungroup(digits: &str, mark: char) -> Result<String, AmountError> {
    let groups: Vec<&str> = digits.split(mark).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
        return Err(AmountError::NotANumber);
    }
    Ok(groups.concat())
}

/// `minor` as an amount input shows it, for the person to edit: the language's decimal
/// mark, no thousands marks ("1234,50").
pub fn amount_value(lang: Lang, currency: Currency, minor: i64) -> String {
    let plain = currency.format_amount(minor);
    plain.replace('.', &separators(lang).decimal.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    #[test]
    fn the_local_form_and_the_dot_form_are_both_read_exactly() {
        let eur = Currency::parse("EUR").unwrap();
        for (lang, text, minor) in [
            (Lang::Sv, "12,50", 1250),
            (Lang::Sv, "1 234,5", 123_450),
            (Lang::Sv, "1\u{202f}234,50", 123_450),
            (Lang::Sv, "12.50", 1250),
            (Lang::Sv, "1,500", 150),
            (Lang::De, "1.234,50", 123_450),
            (Lang::De, "1.234", 123_400),
            (Lang::De, "12.50", 1250),
            (Lang::Da, "1.234.567,89", 123_456_789),
            (Lang::Es, "12,5", 1250),
            (Lang::Fi, "0,01", 1),
            (Lang::Nb, "7", 700),
            (Lang::En, "1,234.50", 123_450),
            (Lang::En, "1,234", 123_400),
            (Lang::En, "12,50", 1250),
            (Lang::En, "0.10", 10),
        ] {
            assert_eq!(amount(lang, eur, text), Ok(minor), "{lang:?} {text:?}");
        }
    }

    #[test]
    fn what_could_be_two_amounts_is_refused() {
        assert_eq!(
            amount(Lang::Sv, sek(), "1.500"),
            Err(AmountError::Ambiguous)
        );
        assert_eq!(
            amount(Lang::Fi, sek(), "2.000"),
            Err(AmountError::Ambiguous)
        );
        assert_eq!(
            amount(Lang::De, sek(), "1,234"),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            amount(Lang::En, sek(), "1.234"),
            Err(AmountError::TooPrecise)
        );
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "abc",
            "12,3,4",
            "1,2.3",
            "1.2,3.4",
            "12.34.5",
            "1.",
            ",5",
            "1e3",
            "+1",
            "12 kr",
            "1.23,45,6",
            "1234.567,8",
        ] {
            assert!(amount(Lang::Sv, sek(), bad).is_err(), "{bad:?}");
            assert!(amount(Lang::De, sek(), bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            amount(Lang::Sv, sek(), "0,001"),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            amount(Lang::Sv, sek(), "99999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn inputs_show_the_local_decimal_mark_without_grouping() {
        assert_eq!(amount_value(Lang::Sv, sek(), 123_450), "1234,50");
        assert_eq!(amount_value(Lang::En, sek(), 123_450), "1234.50");
        let isk = Currency::parse("ISK").unwrap();
        assert_eq!(amount_value(Lang::De, isk, 1500), "1500");
        for lang in Lang::ALL {
            let shown = amount_value(lang, sek(), 98_765);
            assert_eq!(amount(lang, sek(), &shown), Ok(98_765), "{lang:?}");
        }
    }
}
