//! `switchyard import-stores` and `import-settlements`: files in, each effect reported.

use std::path::Path;

use anyhow::Context;
use switchyard::{
    app::{import, store_import},
    config::Config,
    load_catalog,
    store::Db,
};

/// `import-stores`: each line's effect on stdout, the bad rows on stderr.
pub(super) async fn import_stores(
    config: &Config,
    file: &Path,
    options: &store_import::Options,
) -> anyhow::Result<()> {
    let catalog = load_catalog(config)?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    // The reminders it counts are the servers': by the dates in the database.
    switchyard::app::sunsets::refresh(&db, &catalog).await?;
    if options.dry_run {
        println!("dry run: nothing is written; this is what the import would do");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = store_import::import_stores(&db, &catalog, file, options, &mut out).await;
    std::io::Write::flush(&mut out)?;
    drop(out);
    let s = match result? {
        Ok(summary) => summary,
        Err(refused) => {
            for e in &refused.errors {
                eprintln!("{}: {e}", file.display());
            }
            if refused.more > 0 {
                eprintln!("{}: and {} more bad row(s)", file.display(), refused.more);
            }
            anyhow::bail!("nothing was imported: {} bad row(s)", refused.count())
        }
    };
    let verb = if options.dry_run {
        "would import"
    } else {
        "imported"
    };
    println!(
        "{verb} {} new stores, updated {}, {} unchanged, {} partners created, from {}",
        s.created,
        s.updated,
        s.unchanged,
        s.partners_created,
        file.display()
    );
    let remind_from = switchyard::domain::rfc3339(options.remind_from);
    println!("the new stores get no reminder before {remind_from}");
    let (b, a) = (s.due_before, s.due_after);
    println!(
        "reminder emails the chores would queue now: {} sunset (before this import: {}), {} no progress (before: {})",
        a.sunset, b.sunset, a.no_progress, b.no_progress
    );
    if options.dry_run {
        println!("dry run: nothing was changed");
    }
    Ok(())
}

/// `import-settlements`: the report's summary, or each bad line on stderr.
pub(super) async fn import_settlements(config: &Config, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    match import::import_settlement(&db, &bytes, None, "cli", "cli").await {
        Ok((_, report)) => {
            println!(
                "imported report {} of legacy store {} ({} transactions) from {}",
                report.payment_reference,
                report.merchant_id.as_str(),
                report.transactions.len(),
                file.display()
            );
            Ok(())
        }
        Err(import::SettlementImportError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{}: {}", file.display(), import::line_message(e));
            }
            anyhow::bail!("nothing was imported: {} bad line(s)", errors.len())
        }
        Err(e) => Err(anyhow::anyhow!(
            "{}: {e}; nothing was imported",
            file.display()
        )),
    }
}
