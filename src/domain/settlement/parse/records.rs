//! The file as records of fields: semicolon-separated, quoted where needed, each field
//! bounded in length, and the columns a record names.

use super::*;

/// One parsed CSV record and the file line it started on.
pub(super) struct Record {
    pub(super) line: u64,
    pub(super) fields: Vec<String>,
}

/// No field of a report is longer (references and descriptions have their own limits).
const MAX_FIELD_CHARS: usize = 1000;

pub(super) fn records(bytes: &[u8]) -> Result<Vec<Record>, LineError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    for result in reader.records() {
        // Lines are counted from the bytes: the reader's own count slips on CRLF files.
        // (A record's position may point at the line break before it.)
        let line_at = |byte: u64| {
            let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
            while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                start += 1;
            }
            bytes[..start].iter().filter(|b| **b == b'\n').count() as u64 + 1
        };
        let record = result.map_err(|e| {
            let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
            match e.kind() {
                csv::ErrorKind::Utf8 { .. } => err(line, Reason::new("settlement.line.not_utf8")),
                _ => err(
                    line,
                    Reason::new("settlement.line.unreadable").arg("detail", &e),
                ),
            }
        })?;
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        // The same on every database: PostgreSQL refuses a NUL that SQLite would store.
        if let Some((column, problem)) = fields.iter().enumerate().find_map(|(i, f)| {
            crate::domain::text::check(f, crate::domain::text::Lines::One, MAX_FIELD_CHARS)
                .err()
                .map(|p| (i + 1, p))
        }) {
            let reason = match problem {
                crate::domain::text::TextProblem::Control => Reason::new("settlement.line.control"),
                crate::domain::text::TextProblem::TooLong(max) => {
                    Reason::new("settlement.line.too_long").arg("max", max)
                }
            };
            return Err(err(line, reason.arg("column", column)));
        }
        // A line of nothing but separators counts as blank too.
        if fields.iter().all(String::is_empty) {
            continue;
        }
        out.push(Record { line, fields });
    }
    Ok(out)
}

/// Which column holds each known field, and which are unknown (kept).
pub(super) struct Columns {
    pub(super) index: Vec<usize>,
    pub(super) extra: Vec<(usize, String)>,
}

/// `what` is the block whose names these are: `header` or `table`.
pub(super) fn columns(record: &Record, known: &[&str], what: &str) -> Result<Columns, LineError> {
    let reason = |key| Reason::new(key).arg("block", what);
    let mut index = Vec::with_capacity(known.len());
    for name in known {
        match record.fields.iter().position(|f| f == name) {
            Some(i) => index.push(i),
            None => {
                return Err(err(
                    record.line,
                    reason("settlement.line.no_column").arg("name", name),
                ));
            }
        }
    }
    let mut extra = Vec::new();
    for (i, name) in record.fields.iter().enumerate() {
        if name.is_empty() {
            return Err(err(
                record.line,
                reason("settlement.line.unnamed_column").arg("column", i + 1),
            ));
        }
        if record.fields[..i].contains(name) {
            return Err(err(
                record.line,
                reason("settlement.line.column_twice").arg("name", name),
            ));
        }
        if !known.contains(&name.as_str()) {
            extra.push((i, name.clone()));
        }
    }
    Ok(Columns { index, extra })
}

pub(super) fn is_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt).is_ok()
        || time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}
