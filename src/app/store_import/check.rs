//! The first pass: every row checked, the database asked about a batch at a time, and
//! no more of the file kept than the legacy IDs seen.

use std::{collections::HashMap, path::Path};

use super::{
    BATCH, Options, Refused, file, open,
    partners::{Named, Partners},
    row::parse_row,
    write,
};
use crate::{
    domain::Catalog,
    store::{self, Db, stores::NewStore},
};

/// The first pass: every bad row, keeping no more of the file than the IDs seen.
pub async fn check(
    db: &Db,
    catalog: &Catalog,
    path: &Path,
    options: &Options,
    partners: &Partners,
) -> anyhow::Result<Refused> {
    let mut refused = Refused::default();
    let records = match file::open(open(path)?) {
        Ok(r) => r,
        Err(e) => {
            refused.push(e.line, e.reason);
            return Ok(refused);
        }
    };
    // Each legacy ID and the line it was first seen on: all the first pass keeps of the
    // file. An ID is at most 12 digits without leading zeros, so a number stands for it
    // (a fifth of the memory of a string).
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut batch = Vec::with_capacity(BATCH);
    for item in records {
        let (line, record) = match item {
            file::Item::Row { line, record } => (line, record),
            file::Item::Bad(e) => {
                refused.push(e.line, e.reason);
                continue;
            }
            file::Item::Fatal(e) => {
                refused.push(e.line, e.reason);
                break;
            }
        };
        let s = match parse_row(&record, catalog) {
            Ok(s) => s,
            Err(reason) => {
                refused.push(line, reason);
                continue;
            }
        };
        let id: u64 = s.legacy_store_id.parse()?;
        if let Some(first) = seen.get(&id) {
            let reason = format!(
                "legacy store ID {} appears twice in the file (first on line {first})",
                s.legacy_store_id
            );
            refused.push(line, reason);
            continue;
        }
        seen.insert(id, line);
        match partners.find(s.partner.as_deref()) {
            Err(reason) => refused.push(line, reason),
            Ok(Named::New(name)) if !options.create_partners => refused.push(
                line,
                format!("partner {name:?} is unknown; check its spelling, or create it with --create-partners"),
            ),
            Ok(named) => batch.push((line, s, named)),
        }
        if batch.len() == BATCH {
            check_stored(db, &batch, options, partners, &mut refused).await?;
            batch.clear();
        }
    }
    check_stored(db, &batch, options, partners, &mut refused).await?;
    if seen.is_empty() && refused.errors.is_empty() {
        refused.push(2, "the file has no stores".into());
    }
    Ok(refused)
}

/// The rows of a batch that would change a store already imported: always an error for
/// its product, and for anything else without `--update`.
async fn check_stored(
    db: &Db,
    batch: &[(u64, NewStore, Named)],
    options: &Options,
    partners: &Partners,
    refused: &mut Refused,
) -> anyhow::Result<()> {
    let eids: Vec<&str> = batch
        .iter()
        .map(|(_, s, _)| s.legacy_store_id.as_str())
        .collect();
    let stored: HashMap<String, store::stores::Store> =
        store::imports::by_legacy_ids(&db.pool, &eids)
            .await?
            .into_iter()
            .map(|s| (s.legacy_store_id.clone(), s))
            .collect();
    for (line, s, named) in batch {
        let Some(old) = stored.get(&s.legacy_store_id) else {
            continue;
        };
        let eid = &s.legacy_store_id;
        if old.product != s.product {
            let reason = format!(
                "legacy store ID {eid} is already imported as {}; an import does not change the product",
                old.product
            );
            refused.push(*line, reason);
        } else if !options.update && !write::changes(old, s, named, partners).is_empty() {
            let reason = format!(
                "legacy store ID {eid} is already imported, with other details; --update changes them"
            );
            refused.push(*line, reason);
        }
    }
    Ok(())
}
