//! Text from outside, checked once at the edge and the same on every database: no NUL
//! or other control character (PostgreSQL refuses NUL in text, SQLite stores it, and
//! neither belongs in a name, a reference or a search), and lengths in characters.

/// [`check`]'s rule for one line, as an OpenAPI (ECMA-262) `pattern`: no character of
/// Unicode's control category (U+0000–U+001F, U+007F–U+009F).
pub const ONE_LINE_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// What is wrong with a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("contains a control character")]
    Control,
    #[error("is longer than {0} characters")]
    TooLong(usize),
}

/// Where line breaks belong: a multi-line answer (a textarea), or a pasted value whose
/// stray whitespace a checker points out. Tabs, carriage returns and newlines pass there;
/// other control characters never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The first problem with `value`, if any.
pub fn check(value: &str, lines: Lines, max_chars: usize) -> Result<(), TextProblem> {
    if value.chars().any(|c| refused(c, lines)) {
        return Err(TextProblem::Control);
    }
    if value.chars().count() > max_chars {
        return Err(TextProblem::TooLong(max_chars));
    }
    Ok(())
}

/// Whether `c` may not appear in text of this kind.
pub fn refused(c: char, lines: Lines) -> bool {
    c.is_control() && !(lines == Lines::Many && matches!(c, '\t' | '\n' | '\r'))
}

/// The first `max_chars` characters of `text`, with "…" when there was more.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

/// `value` without control characters (for text that is cleaned rather than refused,
/// such as a value read from a file the person cannot easily edit).
pub fn without_controls(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// A cell of a CSV file people open in a spreadsheet, as the spreadsheet will not run it
/// as a formula: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading apostrophe. For text from outside only; numbers we format ourselves
/// (a negative amount) stay numbers.
pub fn spreadsheet_cell(v: &str) -> std::borrow::Cow<'_, str> {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}").into()
    } else {
        v.into()
    }
}

/// `text` as search compares it, the same on every database: Unicode lowercase, accents
/// dropped ("Älvsjö" → "alvsjo"), letters that are not a base letter plus an accent
/// spelled out (æ → ae, ø → o, ß → ss), and runs of whitespace as one space. Stored
/// beside a name (`stores.name_folded`) and applied to the needle, so "alv", "ÄLV" and
/// "Älv" all find "Älvsjö Blommor".
pub fn fold(text: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    let mut spelled = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => spelled.push_str("ae"),
            'œ' => spelled.push_str("oe"),
            'ø' => spelled.push('o'),
            'ß' => spelled.push_str("ss"),
            'đ' | 'ð' => spelled.push('d'),
            'ł' => spelled.push('l'),
            'þ' => spelled.push_str("th"),
            'ı' => spelled.push('i'),
            c => spelled.push(c),
        }
    }
    let bare: String = spelled.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name as people mean it, for matching a partner written by hand: Unicode lowercase,
/// spacing collapsed ("baltic  web agency" is "Baltic Web Agency"). Accents are kept:
/// "Åkeri" and "Akeri" may well be two businesses.
pub fn name_key(name: &str) -> String {
    tidy_spacing(&name.to_lowercase())
}

/// `name` trimmed, with each run of whitespace as one space: how a created partner is kept.
pub fn tidy_spacing(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_regard_to_case_and_spacing_but_not_accents() {
        assert_eq!(
            name_key(" baltic  Web\tAGENCY "),
            name_key("Baltic Web Agency")
        );
        assert_ne!(name_key("Åkeri"), name_key("Akeri"));
        assert_eq!(tidy_spacing(" Baltic  Web Agency "), "Baltic Web Agency");
    }

    #[test]
    fn folding_ignores_case_accents_and_spacing_in_every_nordic_letter() {
        assert_eq!(fold("Älvsjö  Blommor"), "alvsjo blommor");
        assert_eq!(fold("ÄLV"), fold("älv"));
        assert_eq!(fold("Øresund Æbler"), "oresund aebler");
        assert_eq!(fold("Ålesund Über Straße"), "alesund uber strasse");
        assert_eq!(fold(" Café\tNoir "), "cafe noir");
        assert_eq!(fold("Ødegård"), fold("ødegård"));
    }

    #[test]
    fn the_documented_pattern_says_what_check_does() {
        // The pattern's class, read back: exactly the characters `check` refuses.
        assert_eq!(ONE_LINE_PATTERN, "^[^\\u0000-\\u001F\\u007F-\\u009F]*$");
        let refused: Vec<u32> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| refused(*c, Lines::One))
            .map(u32::from)
            .collect();
        let documented: Vec<u32> = (0x00..=0x1F).chain(0x7F..=0x9F).collect();
        assert_eq!(refused, documented);
    }

    #[test]
    fn formulas_are_not_left_for_a_spreadsheet_to_run() {
        assert_eq!(spreadsheet_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_cell("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_cell("Kök = hall"), "Kök = hall");
    }

    #[test]
    fn control_characters_are_refused_except_line_breaks_where_they_belong() {
        assert_eq!(check("a\0b", Lines::Many, 10), Err(TextProblem::Control));
        assert_eq!(check("a\u{1b}b", Lines::One, 10), Err(TextProblem::Control));
        assert_eq!(check("a\u{7f}", Lines::One, 10), Err(TextProblem::Control));
        assert_eq!(check("a\u{85}", Lines::Many, 10), Err(TextProblem::Control));
        assert_eq!(check("a\nb", Lines::One, 10), Err(TextProblem::Control));
        assert_eq!(check("a\r\n\tb", Lines::Many, 10), Ok(()));
        assert_eq!(check("Kaffebaren ☕", Lines::One, 20), Ok(()));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(check("ååå", Lines::One, 3), Ok(()));
        assert_eq!(check("åååå", Lines::One, 3), Err(TextProblem::TooLong(3)));
    }

    #[test]
    fn cleaning_drops_only_control_characters() {
        assert_eq!(without_controls("P\0R\u{1}-1 å"), "PR-1 å");
    }
}
