//! iCalendar (RFC 5545) as the calendar feeds write it: a calendar of events, each a
//! whole day or a span of time, with display alarms before it. Text is escaped (§3.3.11),
//! lines end in CRLF and are folded at 75 octets without splitting a character (§3.1).

use std::fmt::Write;

/// Whose calendar feed: a store's or a partner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Store(i64),
    Partner(i64),
}

impl Owner {
    pub fn kind(self) -> &'static str {
        match self {
            Owner::Store(_) => "store",
            Owner::Partner(_) => "partner",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Owner::Store(id) | Owner::Partner(id) => id,
        }
    }
}

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A whole day (UTC calendar day).
    Day(time::Date),
    /// From one moment to another (unix seconds), written in UTC.
    Span(i64, i64),
}

/// One event of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique and stable across fetches, so a calendar updates the event in place.
    pub uid: String,
    pub when: When,
    pub summary: String,
    pub description: String,
    /// A page about it.
    pub url: Option<String>,
    /// A cancelled event stays in the feed, marked so, until it is over.
    pub cancelled: bool,
    /// Display alarms, each this many minutes before the start, with its text.
    pub alarms: Vec<(i64, String)>,
}

/// A whole feed: its name, when it was written (unix seconds) and its events.
pub fn calendar(name: &str, stamp: i64, events: &[Event]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Switchyard//Upgrade deadlines//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{}", utc(stamp)));
        match e.when {
            When::Day(d) => {
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day(d)));
                line(
                    &mut out,
                    &format!("DTEND;VALUE=DATE:{}", day(d.next_day().unwrap_or(d))),
                );
            }
            When::Span(from, to) => {
                line(&mut out, &format!("DTSTART:{}", utc(from)));
                line(&mut out, &format!("DTEND:{}", utc(to)));
            }
        }
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        if let Some(url) = &e.url {
            line(&mut out, &format!("URL:{url}"));
        }
        line(
            &mut out,
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        line(&mut out, "TRANSP:TRANSPARENT");
        for (minutes, said) in &e.alarms {
            line(&mut out, "BEGIN:VALARM");
            line(&mut out, "ACTION:DISPLAY");
            line(&mut out, &format!("DESCRIPTION:{}", text(said)));
            line(&mut out, &format!("TRIGGER:-PT{minutes}M"));
            line(&mut out, "END:VALARM");
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn day(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

fn utc(at: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{}T{:02}{:02}{:02}Z",
        day(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Appends `content` as one content line: folded before 75 octets, never inside a
/// character, continuation lines starting with a space.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "å".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "å".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn a_whole_day_ends_the_next_day() {
        let d = time::macros::date!(2027 - 02 - 15);
        let cal = calendar(
            "x",
            0,
            &[Event {
                uid: "u".into(),
                when: When::Day(d),
                summary: "s".into(),
                description: "d".into(),
                url: None,
                cancelled: false,
                alarms: vec![(60, "soon".into())],
            }],
        );
        assert!(cal.contains("DTSTART;VALUE=DATE:20270215\r\nDTEND;VALUE=DATE:20270216\r\n"));
        assert!(cal.contains("TRIGGER:-PT60M"));
    }
}
