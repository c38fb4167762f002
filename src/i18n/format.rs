//! Numbers, money, percentages and dates the way each language writes them: `1 234,50 kr`
//! in Swedish, `1.234,50 €` in German, `€0.35` in English. Pure functions of the
//! language and the value.

use super::Lang;
use crate::domain::money::Currency;

/// A narrow no-break space: keeps `1 234` and `50 %` on one line.
pub(super) const NNBSP: char = '\u{202f}';
pub(super) const NBSP: char = '\u{a0}';

pub(super) struct Separators {
    pub(super) group: Option<char>,
    pub(super) decimal: char,
    /// Group only numbers with at least this many integer digits (Spanish: 5).
    min_grouped: usize,
}

pub(super) fn separators(lang: Lang) -> Separators {
    let (group, decimal, min_grouped) = match lang {
        Lang::En => (Some(','), '.', 4),
        Lang::Sv | Lang::Nb | Lang::Fi => (Some(NNBSP), ',', 4),
        Lang::Da | Lang::De => (Some('.'), ',', 4),
        Lang::Es => (Some('.'), ',', 5),
    };
    Separators {
        group,
        decimal,
        min_grouped,
    }
}

/// `value` scaled down by 10^`decimals`, with the language's separators.
pub fn decimal(lang: Lang, value: i64, decimals: u32) -> String {
    let sep = separators(lang);
    let negative = value < 0;
    let magnitude = value.unsigned_abs();
    let scale = 10_u64.pow(decimals);
    let whole = (magnitude / scale).to_string();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let grouped = sep.group.filter(|_| whole.len() >= sep.min_grouped);
    for (i, c) in whole.chars().enumerate() {
        if let Some(g) = grouped
            && i > 0
            && (whole.len() - i).is_multiple_of(3)
        {
            out.push(g);
        }
        out.push(c);
    }
    if decimals > 0 {
        out.push(sep.decimal);
        out.push_str(&format!(
            "{:0width$}",
            magnitude % scale,
            width = decimals as usize
        ));
    }
    out
}

/// An amount in minor units, with the currency where the language puts it.
pub fn money(lang: Lang, currency: Currency, minor: i64) -> String {
    let number = decimal(lang, minor, currency.exponent());
    let code = currency.code();
    match lang {
        Lang::En => match code {
            "EUR" => signed_prefix(&number, "€"),
            "GBP" => signed_prefix(&number, "£"),
            "USD" => signed_prefix(&number, "$"),
            _ => format!("{code}{NBSP}{number}"),
        },
        _ => {
            let symbol = match (lang, code) {
                (_, "EUR") => "€",
                (Lang::Sv, "SEK") | (Lang::Nb, "NOK") => "kr",
                (Lang::Da, "DKK") => "kr.",
                _ => code,
            };
            format!("{number}{NBSP}{symbol}")
        }
    }
}

/// `€0.35`, `-€1.00`: English puts the sign before the symbol.
fn signed_prefix(number: &str, symbol: &str) -> String {
    match number.strip_prefix('-') {
        Some(n) => format!("-{symbol}{n}"),
        None => format!("{symbol}{number}"),
    }
}

/// Basis points as a percentage: `1.29%` in English, `1,29 %` elsewhere.
pub fn percent(lang: Lang, basis_points: i64) -> String {
    let number = decimal(lang, basis_points, 2);
    match lang {
        Lang::En => format!("{number}%"),
        _ => format!("{number}{NBSP}%"),
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar day: `23 Nov 2026`, `2026-11-23` (Swedish), `23.11.2026`, `23/11/2026`.
pub fn date(lang: Lang, d: time::Date) -> String {
    day(lang, d.year(), u8::from(d.month()), d.day())
}

fn day(lang: Lang, y: i32, m: u8, day: u8) -> String {
    match lang {
        Lang::En => format!("{day} {} {y}", EN_MONTHS[usize::from(m) - 1]),
        Lang::Sv => format!("{y}-{m:02}-{day:02}"),
        Lang::Nb | Lang::Fi | Lang::Da | Lang::De => format!("{day}.{m}.{y}"),
        Lang::Es => format!("{day}/{m}/{y}"),
    }
}

/// A moment in UTC: the day as `date` writes it and the 24-hour time.
pub fn datetime(lang: Lang, unix: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    let clock = format!("{:02}:{:02}", t.hour(), t.minute());
    match lang {
        Lang::Fi => format!(
            "{} klo {} UTC",
            date(lang, t.date()),
            clock.replace(':', ".")
        ),
        _ => format!("{} {clock} UTC", date(lang, t.date())),
    }
}

/// A moment in `zone`: the day, the 24-hour time and the zone's abbreviation
/// (`15.1.2027 09:00 CET`). In UTC it reads as [`datetime`] does.
pub fn datetime_in(lang: Lang, unix: i64, zone: &jiff::tz::TimeZone) -> String {
    let Ok(at) = jiff::Timestamp::from_second(unix) else {
        return String::new();
    };
    let local = at.to_zoned(zone.clone());
    let info = zone.to_offset_info(at);
    let (m, d) = (local.month().unsigned_abs(), local.day().unsigned_abs());
    let date = day(lang, i32::from(local.year()), m, d);
    let clock = format!("{:02}:{:02}", local.hour(), local.minute());
    let abbreviation = info.abbreviation();
    match lang {
        Lang::Fi => format!("{date} klo {} {abbreviation}", clock.replace(':', ".")),
        _ => format!("{date} {clock} {abbreviation}"),
    }
}

/// A moment as the `datetime` attribute of `<time>` wants it: `2027-01-15T08:00:00Z`.
pub fn iso_utc(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date as d;

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn money_is_written_the_local_way() {
        assert_eq!(money(Lang::Sv, sek(), 123_450), "1\u{202f}234,50\u{a0}kr");
        assert_eq!(money(Lang::En, eur(), 35), "€0.35");
        assert_eq!(money(Lang::En, eur(), -100), "-€1.00");
        assert_eq!(money(Lang::En, sek(), 123_450), "SEK\u{a0}1,234.50");
        assert_eq!(money(Lang::De, eur(), 123_450), "1.234,50\u{a0}€");
        assert_eq!(
            money(Lang::Da, Currency::parse("DKK").unwrap(), 99_900),
            "999,00\u{a0}kr."
        );
        assert_eq!(money(Lang::Fi, eur(), -86_892), "-868,92\u{a0}€");
        assert_eq!(money(Lang::Es, eur(), 123_450), "1234,50\u{a0}€");
        assert_eq!(money(Lang::Es, eur(), 1_234_500), "12.345,00\u{a0}€");
        assert_eq!(money(Lang::Nb, sek(), 100), "1,00\u{a0}SEK");
        assert_eq!(
            money(Lang::Sv, Currency::parse("ISK").unwrap(), 1_500_000),
            "1\u{202f}500\u{202f}000\u{a0}ISK"
        );
        assert_eq!(
            money(Lang::En, sek(), i64::MIN).len(),
            "SEK\u{a0}-92,233,720,368,547,758.08".len()
        );
    }

    #[test]
    fn percentages_and_dates() {
        assert_eq!(percent(Lang::En, 129), "1.29%");
        assert_eq!(percent(Lang::De, 35), "0,35\u{a0}%");
        let day = d!(2026 - 11 - 03);
        assert_eq!(date(Lang::En, day), "3 Nov 2026");
        assert_eq!(date(Lang::Sv, day), "2026-11-03");
        assert_eq!(date(Lang::Fi, day), "3.11.2026");
        assert_eq!(date(Lang::Es, day), "3/11/2026");
        assert_eq!(datetime(Lang::De, 1_800_000_000), "15.1.2027 08:00 UTC");
        assert_eq!(datetime(Lang::Fi, 1_800_000_000), "15.1.2027 klo 08.00 UTC");
    }

    #[test]
    fn moments_are_shown_in_the_persons_zone() {
        let zone = |n| jiff::tz::TimeZone::get(n).unwrap();
        let utc = jiff::tz::TimeZone::UTC;
        for lang in Lang::ALL {
            assert_eq!(
                datetime_in(lang, 1_800_000_000, &utc),
                datetime(lang, 1_800_000_000)
            );
        }
        let stockholm = zone("Europe/Stockholm");
        assert_eq!(
            datetime_in(Lang::Sv, 1_800_000_000, &stockholm),
            "2027-01-15 09:00 CET"
        );
        // Summer time in Berlin, summer time on the other side of the world.
        assert_eq!(
            datetime_in(Lang::De, 1_784_000_000, &zone("Europe/Berlin")),
            "14.7.2026 05:33 CEST"
        );
        assert_eq!(
            datetime_in(Lang::Fi, 1_800_000_000, &zone("Europe/Helsinki")),
            "15.1.2027 klo 10.00 EET"
        );
        assert_eq!(
            datetime_in(Lang::En, 1_799_990_000, &zone("Pacific/Auckland")),
            "15 Jan 2027 18:13 NZDT"
        );
        assert_eq!(iso_utc(1_800_000_000), "2027-01-15T08:00:00Z");
    }
}
