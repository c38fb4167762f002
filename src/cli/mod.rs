//! The `switchyard` command's arguments, and what each command does. Part of the binary,
//! not the library: it may reach every room of it.

mod imports;
mod sunsets;
mod users;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use switchyard::{
    Application,
    app::{demo, store_import},
    config::Config,
    store::{self, Db},
};

/// Switchyard: the self-service upgrade portal for merchants leaving KPM and KCO v2.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// Optional TOML config file; SWITCHYARD_* environment variables override it.
    #[arg(long, global = true, env = "SWITCHYARD_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default): migrates the database first.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Add the demo partner and legacy stores (those not there yet).
    Demo,
    /// Import legacy stores from a CSV file; a file with any bad row imports nothing.
    /// Each line's effect is reported; see the README for every rule.
    ImportStores {
        /// CSV with header legacy_store_id,name,product,admin_email,countries,platform,store_url,partner
        /// (optionally followed by recurring, b2b, payment_methods)
        file: PathBuf,
        /// Check the file and report what would change (and how many reminder emails
        /// would then be due), writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Existing stores (by legacy ID) take the file's admin email, name, platform,
        /// URL, countries, partner and capabilities; each change is audited.
        #[arg(long)]
        update: bool,
        /// Create partners the file names that do not exist yet (instead of refusing).
        #[arg(long)]
        create_partners: bool,
        /// No reminder to the stores this import creates before this date (2027-01-15,
        /// midnight UTC) or time (RFC 3339); default: now.
        #[arg(long, value_name = "DATE", value_parser = store_import::parse_remind_from)]
        remind_from: Option<i64>,
    },
    /// Import a legacy store's settlement report (the platform's semicolon-separated
    /// CSV); a file with any bad line imports nothing.
    ImportSettlements {
        /// The report file; its merchant_id names the legacy store.
        file: PathBuf,
    },
    /// Delete what is past its retention (ended sessions, spent sign-in links, old
    /// rate-limit counts, the API log past 7 days, old support screenshots) and exit; the
    /// server also does this with its periodic chores.
    Purge,
    /// Manage staff accounts (partner managers, support, operators).
    #[command(subcommand)]
    User(users::UserCommand),
    /// The legacy products' sunset dates, with their history.
    #[command(subcommand)]
    Sunset(sunsets::SunsetCommand),
}

/// Carries out the command (serving, when none is given).
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    tracing::debug!(?config, "configuration");
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let demo_mode = config.seed_demo;
            let app = Application::build(config).await?;
            let base = app.state().config.base_url.clone();
            tracing::info!(address = %app.local_addr(), "listening");
            println!("\nSwitchyard is running: open {base}");
            if demo_mode {
                println!(
                    "Demo: sign in as {} — the sign-in link is written to the mail directory ({}) and to this log.\n",
                    demo::DEMO_ADMIN,
                    mail_dir(&app.state().config)
                );
            }
            app.run().await
        }
        Command::Migrate => {
            Db::connect(&config.database_url).await?.migrate().await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let n = demo::seed(&db).await?;
            println!("added {n} demo stores; sign in as {}", demo::DEMO_ADMIN);
            Ok(())
        }
        Command::Purge => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let p = switchyard::jobs::purge::purge(&db, &config, store::now()).await?;
            println!(
                "purged {} sessions, {} sign-in links, {} rate-limit counts, {} API log rows, {} screenshots",
                p.sessions, p.sign_in_tokens, p.rate_limit_events, p.api_log, p.screenshots
            );
            Ok(())
        }
        Command::User(command) => users::command(&config, command).await,
        Command::Sunset(command) => sunsets::command(&config, command).await,
        Command::ImportSettlements { file } => imports::import_settlements(&config, &file).await,
        Command::ImportStores {
            file,
            dry_run,
            update,
            create_partners,
            remind_from,
        } => {
            let options = store_import::Options {
                dry_run,
                update,
                create_partners,
                remind_from: remind_from.unwrap_or_else(store::now),
            };
            imports::import_stores(&config, &file, &options).await
        }
    }
}

fn mail_dir(config: &Config) -> String {
    match &config.mail {
        switchyard::config::MailConfig::File { dir } => dir.display().to_string(),
        switchyard::config::MailConfig::Smtp(s) => format!("SMTP {}", s.host),
        switchyard::config::MailConfig::Memory => "memory".into(),
    }
}
