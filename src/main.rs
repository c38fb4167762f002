//! The `switchyard` command: a thin shell around the library.

mod cli;

use clap::Parser;
use switchyard::config::{Config, LogFormat};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
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
    match cli::run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
