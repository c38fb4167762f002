//! Reading a stores file a record at a time (never the whole file), with the line each
//! record starts on, and plain words for the two ways spreadsheets get the format wrong:
//! semicolons for commas, and Latin-1 for UTF-8.

use std::{collections::VecDeque, io::Read};

use super::row::{HEADER, OPTIONAL, RowError};

/// What the next record of a file is.
pub enum Item {
    /// A record to check, and the line it starts on.
    Row {
        line: u64,
        record: csv::StringRecord,
    },
    /// A record that cannot be read; the rest of the file can.
    Bad(RowError),
    /// The file cannot be read on from here (it is not UTF-8): the last item.
    Fatal(RowError),
}

/// The records of a stores file whose header is right, each with the fields of [`HEADER`]
/// and then of [`OPTIONAL`] (empty where the file has no such column).
pub struct Records<R: Read> {
    reader: csv::Reader<Lines<R>>,
    record: csv::ByteRecord,
    done: bool,
    /// How many fields each record of the file has.
    width: usize,
    /// Where each optional column is in the file, if it is.
    optional: [Option<usize>; OPTIONAL.len()],
}

/// Opens a stores file on `input`: its header must be [`HEADER`], followed by any of
/// [`OPTIONAL`] in any order, or the error says what is wrong with it.
pub fn open<R: Read>(input: R) -> Result<Records<R>, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(Lines::new(input));
    let at_header = |reason: String| RowError { line: 1, reason };
    let header = reader
        .byte_headers()
        .map_err(|e| at_header(format!("the header cannot be read: {e}")))?
        .clone();
    let Ok(header) = csv::StringRecord::from_byte_record(header) else {
        return Err(at_header(not_utf8()));
    };
    let optional = optional_columns(&header).ok_or_else(|| {
        let hint = if header.iter().any(|f| f.contains(';')) {
            "the file seems to be separated by semicolons; use commas. "
        } else {
            ""
        };
        at_header(format!(
            "{hint}the header must be exactly: {}, optionally followed by any of: {}",
            HEADER.join(","),
            OPTIONAL.join(", ")
        ))
    })?;
    Ok(Records {
        reader,
        record: csv::ByteRecord::new(),
        done: false,
        width: header.len(),
        optional,
    })
}

/// Where each of [`OPTIONAL`] is in `header`, when it starts with [`HEADER`] and then
/// has each optional column at most once and nothing else.
fn optional_columns(header: &csv::StringRecord) -> Option<[Option<usize>; OPTIONAL.len()]> {
    if header.len() < HEADER.len() || header.iter().zip(HEADER).any(|(a, b)| a != b) {
        return None;
    }
    let mut found = [None; OPTIONAL.len()];
    for (i, name) in header.iter().enumerate().skip(HEADER.len()) {
        let slot = OPTIONAL.iter().position(|o| *o == name)?;
        if found[slot].replace(i).is_some() {
            return None;
        }
    }
    Some(found)
}

impl<R: Read> Records<R> {
    /// `record` (of the file's columns) as [`HEADER`] then [`OPTIONAL`], or why not.
    fn laid_out(&self, record: &csv::StringRecord) -> Result<csv::StringRecord, String> {
        if record.len() != self.width {
            return Err(format!(
                "expected {} fields, found {}",
                self.width,
                record.len()
            ));
        }
        let mut out: csv::StringRecord = record.iter().take(HEADER.len()).collect();
        for at in self.optional {
            out.push_field(at.and_then(|i| record.get(i)).unwrap_or_default());
        }
        Ok(out)
    }
}

fn not_utf8() -> String {
    "the file is not UTF-8 (Latin-1?); save it as UTF-8".into()
}

impl<R: Read> Iterator for Records<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        let read = self.reader.read_byte_record(&mut self.record);
        match read {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let byte = self.record.position().map_or(0, csv::Position::byte);
                let line = self.reader.get_mut().line_at(byte);
                match csv::StringRecord::from_byte_record(self.record.clone()) {
                    Ok(record) => Some(match self.laid_out(&record) {
                        Ok(record) => Item::Row { line, record },
                        Err(reason) => Item::Bad(RowError { line, reason }),
                    }),
                    Err(_) => {
                        self.done = true;
                        Some(Item::Fatal(RowError {
                            line,
                            reason: not_utf8(),
                        }))
                    }
                }
            }
            Err(e) => {
                let byte = e.position().map_or(0, csv::Position::byte);
                let line = self.reader.get_mut().line_at(byte);
                // An I/O error ends the file; a malformed record is only that record.
                self.done = matches!(e.kind(), csv::ErrorKind::Io(_));
                let reason = format!("the row cannot be read: {e}");
                Some(if self.done {
                    Item::Fatal(RowError { line, reason })
                } else {
                    Item::Bad(RowError { line, reason })
                })
            }
        }
    }
}

/// A reader that notes where its lines end, to name the line a record starts on: the csv
/// reader counts no blank lines, and places a record that follows some at the first of
/// them; a person looks for the line an editor shows. Only the line ends not yet passed
/// are kept (the reader's read-ahead).
pub struct Lines<R> {
    inner: R,
    read: u64,
    /// Where each line not yet passed ends, and whether it is blank.
    ends: VecDeque<(u64, bool)>,
    blank: bool,
    passed: u64,
}

impl<R> Lines<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            read: 0,
            ends: VecDeque::new(),
            blank: true,
            passed: 0,
        }
    }

    /// The line (from 1) of a record the csv reader places at offset `byte`: past the
    /// line end there, if any, and past the blank lines it skipped. Offsets only grow.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(end, blank)) = self.ends.front() {
            if end <= byte || blank {
                self.ends.pop_front();
                self.passed += 1;
            } else {
                break;
            }
        }
        self.passed + 1
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => {
                    self.ends.push_back((self.read + i as u64, self.blank));
                    self.blank = true;
                }
                b'\r' => {}
                _ => self.blank = false,
            }
        }
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "legacy_store_id,name,product,admin_email,countries,platform,store_url,partner\n";

    fn lines(text: &[u8]) -> Vec<u64> {
        open(text)
            .unwrap()
            .map(|item| match item {
                Item::Row { line, .. } => line,
                Item::Bad(e) | Item::Fatal(e) => e.line,
            })
            .collect()
    }

    #[test]
    fn records_carry_the_line_an_editor_shows_blank_lines_included() {
        let text = format!("{GOOD}\n4711,a\n\n\n4712,b\r\n\r\n4713,\"two\nlines\"\n4714,c\n");
        assert_eq!(lines(text.as_bytes()), [3, 6, 8, 10]);
    }

    #[test]
    fn optional_columns_come_after_the_others_in_any_order() {
        let text = GOOD.replace('\n', ",payment_methods,recurring\n")
            + "4711,a,KPM,x@y.example,SE,woocommerce,https://a.example,,invoice;card,yes\n";
        let items: Vec<Item> = open(text.as_bytes()).unwrap().collect();
        let Item::Row { record, .. } = &items[0] else {
            panic!("not a row")
        };
        let tail: Vec<&str> = record.iter().skip(HEADER.len()).collect();
        assert_eq!(tail, ["yes", "", "invoice;card"]);
        for bad in [",recurring,recurring\n", ",colour\n"] {
            let text = GOOD.replace('\n', bad);
            let err = open(text.as_bytes()).err().unwrap();
            assert!(err.reason.contains("optionally followed by"), "{err}");
        }
        let short = format!("{GOOD}4711,a\n");
        let items: Vec<Item> = open(short.as_bytes()).unwrap().collect();
        assert!(matches!(&items[0], Item::Bad(e) if e.reason == "expected 8 fields, found 2"));
    }

    #[test]
    fn a_semicolon_file_gets_a_hint() {
        let text = GOOD.replace(',', ";");
        let err = open(text.as_bytes()).err().unwrap();
        assert!(
            err.reason.contains("separated by semicolons; use commas"),
            "{err}"
        );
    }

    #[test]
    fn a_latin1_file_names_the_line_of_the_first_bad_byte() {
        let mut text = format!("{GOOD}4711,Kaffebaren\n").into_bytes();
        text.extend_from_slice(b"4712,Caf\xe9 M\xfcller\n4713,more\n");
        let items: Vec<Item> = open(&text[..]).unwrap().collect();
        assert_eq!(items.len(), 2, "reading stops at the first bad byte");
        let Item::Fatal(e) = &items[1] else {
            panic!("not fatal")
        };
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("not UTF-8 (Latin-1?)"), "{e}");
    }
}
