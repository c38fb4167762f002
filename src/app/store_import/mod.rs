//! Importing legacy stores from CSV, so that nothing in it surprises anyone.
//!
//! The file is read twice, a record at a time, never held whole. The first pass checks
//! every row (keeping only the legacy IDs seen) and asks the database about a batch of
//! rows at a time; a file with any bad row writes nothing. The second pass writes in
//! batches of [`BATCH`] rows, one short transaction each, so platform events keep being
//! recorded while a large file is imported (SQLite has one writer at a time).
//!
//! If the process dies during the second pass, the batches before are written and the
//! rest are not. Running the same file again is safe: a row equal to what is stored is
//! "unchanged" (with or without `--update`), so only the rest are created.

mod check;
mod file;
mod partners;
mod row;
mod write;

use std::{io::Write, path::Path};

pub use row::{HEADER, RowError};

use self::{partners::Partners, row::parse_row, write::Writer};
use crate::{
    app::reminders::{self, Due},
    domain::Catalog,
    store::{self, Db, stores::NewStore},
};

/// Rows per transaction when writing, and per question to the database when checking.
pub const BATCH: usize = 300;

/// At most this many bad rows are listed; the rest are counted.
const MAX_ERRORS: usize = 1000;

/// How an import runs (the command's flags).
#[derive(Debug, Clone)]
pub struct Options {
    /// Check and report, write nothing.
    pub dry_run: bool,
    /// Existing stores (by legacy ID) take the file's details instead of being errors.
    pub update: bool,
    /// A partner no store has yet is created, instead of being an error.
    pub create_partners: bool,
    /// Unix time before which the stores created get no reminder.
    pub remind_from: i64,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub partners_created: u64,
    /// Reminder emails the chores would queue right before the import, and right after.
    pub due_before: Due,
    pub due_after: Due,
}

/// Why nothing was imported: the bad rows (the first [`MAX_ERRORS`]) and how many more.
#[derive(Debug, Clone, Default)]
pub struct Refused {
    pub errors: Vec<RowError>,
    pub more: u64,
}

impl Refused {
    fn push(&mut self, line: u64, reason: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RowError { line, reason });
        } else {
            self.more += 1;
        }
    }

    /// How many rows are bad.
    pub fn count(&self) -> u64 {
        self.errors.len() as u64 + self.more
    }
}

/// Imports the stores file at `path`: every row is checked first, and a file with any bad
/// row imports nothing. Each line's effect is written to `out` as it happens.
pub async fn import_stores(
    db: &Db,
    catalog: &Catalog,
    path: &Path,
    options: &Options,
    out: &mut dyn Write,
) -> anyhow::Result<Result<Summary, Refused>> {
    let mut partners = Partners::load(db).await?;
    let refused = check::check(db, catalog, path, options, &partners).await?;
    if !refused.errors.is_empty() {
        return Ok(Err(refused));
    }
    let (today, now) = (crate::domain::sunset::today(), store::now());
    let mut summary = Summary::default();
    let mut dry = match options.dry_run {
        true => Some(db.begin().await?),
        false => None,
    };
    summary.due_before = match dry.as_mut() {
        Some(tx) => reminders::due(tx, catalog, today, now).await?,
        None => reminders::due(&mut *db.pool.acquire().await?, catalog, today, now).await?,
    };
    let mut writer = Writer {
        partners: &mut partners,
        out,
        summary: &mut summary,
        update: options.update,
        at: now,
        remind_from: options.remind_from,
    };
    let mut batch = Vec::with_capacity(BATCH);
    let mut records = file::open(open(path)?).map_err(|e| anyhow::anyhow!("{e}"))?;
    loop {
        let item = records.next();
        let end = item.is_none();
        if let Some(item) = item {
            batch.push(checked_again(item, catalog)?);
        }
        if batch.len() == BATCH || (end && !batch.is_empty()) {
            match dry.as_mut() {
                Some(tx) => writer.apply(tx, &batch).await?,
                None => {
                    let mut tx = db.begin().await?;
                    writer.apply(&mut tx, &batch).await?;
                    tx.commit().await?;
                }
            }
            batch.clear();
        }
        if end {
            break;
        }
    }
    summary.due_after = match dry.as_mut() {
        Some(tx) => reminders::due(tx, catalog, today, now).await?,
        None => reminders::due(&mut *db.pool.acquire().await?, catalog, today, now).await?,
    };
    match dry {
        Some(tx) => tx.rollback().await?,
        // A row per imported store waits in the tallies: sum them now, not at the next
        // chore, so a partner's dashboard counts them from a few rows at once.
        None => store::tallies::fold(db).await?,
    }
    Ok(Ok(summary))
}

fn open(path: &Path) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
    use anyhow::Context;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(std::io::BufReader::new(file))
}

/// A record of the second pass, which the first found good.
fn checked_again(item: file::Item, catalog: &Catalog) -> anyhow::Result<(u64, NewStore)> {
    let changed = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!("{e}: the file changed since it was checked; run the import again")
    };
    match item {
        file::Item::Row { line, record } => parse_row(&record, catalog)
            .map(|s| (line, s))
            .map_err(|reason| changed(&RowError { line, reason })),
        file::Item::Bad(e) | file::Item::Fatal(e) => Err(changed(&e)),
    }
}

/// Checks a whole stores file held in memory (the demo's) without the database.
pub fn parse_stores(text: &str, catalog: &Catalog) -> Result<Vec<NewStore>, Vec<RowError>> {
    let records = file::open(text.as_bytes()).map_err(|e| vec![e])?;
    let mut stores = Vec::new();
    let mut errors = Vec::new();
    for item in records {
        match item {
            file::Item::Row { line, record } => match parse_row(&record, catalog) {
                Ok(s) => stores.push(s),
                Err(reason) => errors.push(RowError { line, reason }),
            },
            file::Item::Bad(e) | file::Item::Fatal(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(stores)
    } else {
        Err(errors)
    }
}

/// `--remind-from`: a date (`2027-01-15`, its midnight UTC) or an RFC 3339 time.
pub fn parse_remind_from(raw: &str) -> Result<i64, String> {
    use time::{OffsetDateTime, format_description::well_known::Rfc3339};
    if let Some(date) = crate::domain::parse_date(raw) {
        return Ok(date.midnight().assume_utc().unix_timestamp());
    }
    OffsetDateTime::parse(raw, &Rfc3339)
        .map(OffsetDateTime::unix_timestamp)
        .map_err(|_| format!("{raw:?} is not a date (2027-01-15) or a time (2027-01-15T09:00:00Z)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::DEFAULT_CATALOG;

    #[test]
    fn the_demo_file_is_valid() {
        let catalog = Catalog::parse(DEFAULT_CATALOG).unwrap();
        let stores =
            parse_stores(include_str!("../../../assets/demo/stores.csv"), &catalog).unwrap();
        assert!(stores.len() >= 5);
        assert!(
            stores.iter().any(|s| s.product == "KPM")
                && stores.iter().any(|s| s.product == "KCOv2")
        );
    }

    #[test]
    fn every_bad_row_is_named_with_its_line_and_reason() {
        let catalog = Catalog::parse(DEFAULT_CATALOG).unwrap();
        let text = "legacy_store_id,name,product,admin_email,countries,platform,store_url,partner\n\
                    4711,Good,KPM,a@b.example,SE,woocommerce,https://good.example,\n\
                    K4712,Bad id,KPM,a@b.example,SE,woocommerce,https://x.example,\n\
                    4713,Bad product,KP,a@b.example,SE,woocommerce,https://x.example,\n\
                    4714,Bad mail,KPM,not-an-email,SE,woocommerce,https://x.example,\n\
                    4715,Bad country,KPM,a@b.example,SWE,woocommerce,https://x.example,\n";
        let errors = parse_stores(text, &catalog).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6]);
        assert!(errors[0].reason.contains("digits only"), "{}", errors[0]);
        assert!(
            errors[1].reason.contains("not a legacy product"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let catalog = Catalog::parse(DEFAULT_CATALOG).unwrap();
        let errors = parse_stores("eid,name\n4711,x\n", &catalog).unwrap_err();
        assert_eq!(errors[0].line, 1);
    }

    #[test]
    fn remind_from_takes_a_date_or_a_time() {
        assert_eq!(parse_remind_from("2027-01-15"), Ok(1_799_971_200));
        assert_eq!(
            parse_remind_from("2027-01-15T00:00:00Z"),
            parse_remind_from("2027-01-15")
        );
        assert!(parse_remind_from("15.01.2027").is_err());
    }
}
