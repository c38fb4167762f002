//! `switchyard user`: staff accounts.

use clap::Subcommand;
use switchyard::{
    config::Config,
    domain::{EmailAddress, access::StaffRole},
    store::{self, Db},
};

#[derive(Subcommand)]
pub enum UserCommand {
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

pub(super) async fn command(config: &Config, command: UserCommand) -> anyhow::Result<()> {
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
