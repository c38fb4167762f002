//! The `switchyard` command: a thin shell around the library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use switchyard::{
    Application,
    app::{demo, import, store_import},
    config::{Config, LogFormat},
    domain::{EmailAddress, access::StaffRole},
    load_catalog,
    store::{self, Db},
};

/// Switchyard: the self-service upgrade portal for merchants leaving KPM and KCO v2.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Optional TOML config file; SWITCHYARD_* environment variables override it.
    #[arg(long, global = true, env = "SWITCHYARD_CONFIG")]
    config: Option<PathBuf>,
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
    User(UserCommand),
    /// The legacy products' sunset dates, with their history.
    #[command(subcommand)]
    Sunset(SunsetCommand),
}

#[derive(Subcommand)]
enum SunsetCommand {
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

#[derive(Subcommand)]
enum UserCommand {
    /// Grant a staff role to EMAIL (creating the account if needed).
    Add {
        /// partner, support or operator
        #[arg(long)]
        role: String,
        /// The partner a partner manager looks after (required for --role partner).
        #[arg(long)]
        partner: Option<String>,
        email: String,
    },
    /// List staff accounts.
    List,
    /// Disable EMAIL and end all of its sessions at once.
    Disable { email: String },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Logging starts before the configuration is read, so what reading it says (the demo's
    // kept secret key) is logged; a bad format is reported by the configuration below.
    let format = std::env::var("SWITCHYARD_LOG_FORMAT").ok();
    switchyard::server::logs::init(LogFormat::parse(format.as_deref()).unwrap_or(LogFormat::Text));
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
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
        Command::User(command) => user_command(&config, command).await,
        Command::Sunset(command) => sunset_command(&config, command).await,
        Command::ImportSettlements { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
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
            import_stores(&config, &file, &options).await
        }
    }
}

async fn user_command(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let (action, args) = match command {
        UserCommand::List => {
            let staff = store::users::list_staff(&db.pool).await?;
            if staff.is_empty() {
                println!(
                    "no staff accounts yet; add one with: switchyard user add --role support EMAIL"
                );
            }
            for s in staff {
                let status = if s.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                let partner = s.partners.map(|p| format!(" ({p})")).unwrap_or_default();
                println!("{:<40} {:<9} {status}{partner}", s.email, s.role.as_str());
            }
            return Ok(());
        }
        UserCommand::Add {
            role,
            partner,
            email,
        } => {
            let email =
                EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("{email:?}: {e}"))?;
            let role = StaffRole::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role must be partner, support or operator"))?;
            let mut tx = db.begin().await?;
            store::users::add_staff(&mut tx, email.as_str(), role, partner.as_deref()).await?;
            tx.commit().await?;
            println!(
                "{email} is now {role}{}",
                partner
                    .as_ref()
                    .map(|p| format!(" of {p}"))
                    .unwrap_or_default()
            );
            match partner {
                Some(p) => (
                    "staff.added_for_partner",
                    vec![
                        ("email", email.to_string()),
                        ("role", role.as_str().to_owned()),
                        ("partner", p),
                    ],
                ),
                None => (
                    "staff.added",
                    vec![
                        ("email", email.to_string()),
                        ("role", role.as_str().to_owned()),
                    ],
                ),
            }
        }
        UserCommand::Disable { email } => {
            let mut tx = db.begin().await?;
            store::users::disable(&mut tx, &email.trim().to_lowercase()).await?;
            tx.commit().await?;
            println!("{email} is disabled and signed out everywhere");
            ("staff.disabled", vec![("email", email)])
        }
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let record = store::audit::Record {
        actor: "cli",
        action,
        store_id: None,
        args: &args,
        ip: "local",
    };
    store::audit::record(&db.pool, &record).await?;
    Ok(())
}

async fn sunset_command(config: &Config, command: SunsetCommand) -> anyhow::Result<()> {
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

/// `import-stores`: each line's effect on stdout, the bad rows on stderr.
async fn import_stores(
    config: &Config,
    file: &std::path::Path,
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

fn mail_dir(config: &Config) -> String {
    match &config.mail {
        switchyard::config::MailConfig::File { dir } => dir.display().to_string(),
        switchyard::config::MailConfig::Smtp(s) => format!("SMTP {}", s.host),
        switchyard::config::MailConfig::Memory => "memory".into(),
    }
}
