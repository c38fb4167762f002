//! Reading a stores file a record at a time (never the whole file), with the line each
//! record starts on, and plain words for the two ways spreadsheets get the format wrong:
//! semicolons for commas, and Latin-1 for UTF-8.

use std::{collections::VecDeque, io::Read};

use super::row::{HEADER, RowError};

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

/// The records of a stores file whose header is right.
pub struct Records<R: Read> {
    reader: csv::Reader<Lines<R>>,
    record: csv::ByteRecord,
    done: bool,
}

/// Opens a stores file on `input`: its header must be [`HEADER`], or the error says what
/// is wrong with it.
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
    if header.iter().ne(HEADER) {
        let hint = if header.iter().any(|f| f.contains(';')) {
            "the file seems to be separated by semicolons; use commas. "
        } else {
            ""
        };
        return Err(at_header(format!(
            "{hint}the header must be exactly: {}",
            HEADER.join(",")
        )));
    }
    Ok(Records {
        reader,
        record: csv::ByteRecord::new(),
        done: false,
    })
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
                    Ok(record) => Some(Item::Row { line, record }),
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
