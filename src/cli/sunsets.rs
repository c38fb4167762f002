//! `switchyard sunset`: the legacy products' sunset dates.

use clap::Subcommand;
use switchyard::{
    config::Config,
    store::{self, Db},
};

#[derive(Subcommand)]
pub enum SunsetCommand {
    /// Each legacy product's date, and every change, newest first.
    List,
    /// Move PRODUCT's sunset to DATE (YYYY-MM-DD, after today); every store of the
    /// product is told once (email, banner, partner webhook) by the running server.
    Set {
        product: String,
        date: String,
        /// Why, in a few words; shown to everyone on the public list of changes.
        #[arg(long)]
        reason: String,
    },
}

pub(super) async fn command(config: &Config, command: SunsetCommand) -> anyhow::Result<()> {
    let catalog = switchyard::load_catalog(config)?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    // Only a server's start seeds the dates from its configuration: this process's
    // configuration may not be the servers'.
    switchyard::app::sunsets::refresh(&db, &catalog).await?;
    match command {
        SunsetCommand::List => {
            for p in catalog.products.iter().filter(|p| p.legacy) {
                let date = p.sunset_date().map(|d| d.to_string()).unwrap_or_default();
                println!("{:<8} {date}", p.code);
            }
            for c in store::sunsets::history(&db.pool).await? {
                println!(
                    "{} {} {} -> {} by {}: {}",
                    switchyard::domain::rfc3339(c.changed_at),
                    c.product,
                    c.old_date.as_deref().unwrap_or("(first)"),
                    c.new_date,
                    c.changed_by,
                    c.reason
                );
            }
        }
        SunsetCommand::Set {
            product,
            date,
            reason,
        } => {
            use switchyard::app::sunsets::{SunsetError, Wanted};
            let wanted = Wanted {
                product: &product,
                date: &date,
                reason: &reason,
                by: "cli",
                ip: "local",
            };
            match switchyard::app::sunsets::change(&db, &catalog, &wanted, store::now()).await {
                Ok(_) => {
                    println!("{product} now closes on {date}; the running server tells its stores")
                }
                Err(SunsetError::Db(e)) => return Err(e),
                Err(e) => {
                    let tr = switchyard::i18n::Tr::new(switchyard::i18n::Lang::En);
                    anyhow::bail!("{}", e.key().map(|k| tr.t(k)).unwrap_or_default())
                }
            }
        }
    }
    Ok(())
}
