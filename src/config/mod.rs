//! Typed configuration: built-in defaults, then an optional TOML file, then
//! `SWITCHYARD_*` environment variables. Secrets are redacted in `Debug`.

use std::{net::SocketAddr, path::PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

mod key;
pub mod limits;
mod load;
mod outbox;
mod sections;
mod server;

pub use key::key_file;
pub use limits::RateLimits;
pub use outbox::OutboxConfig;
pub use server::{LogFormat, ServerConfig};

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (embedded, the default) or `postgres://…`.
    pub database_url: SecretString,
    pub bind: SocketAddr,
    /// Public address of this instance, used for links in emails.
    pub base_url: String,
    pub mail: MailConfig,
    /// Sender of every email, whatever the transport.
    pub mail_from: String,
    /// Serve the built-in sandbox platform (on for development, off in production).
    pub sandbox: bool,
    /// Seed demo data into an empty database on start.
    pub seed_demo: bool,
    /// Alternative catalog file; the shipped catalog is used when unset.
    pub catalog_path: Option<PathBuf>,
    /// Directory served at `/assets`.
    pub assets_dir: PathBuf,
    /// Key for signing tokens (CSRF, links) and deriving partner webhook secrets:
    /// required with an https base URL; a demo makes one and keeps it (see [`key_file`]).
    pub secret_key: SecretString,
    pub rate_limits: RateLimits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (load balancers).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Service token the platform's gateway presents to verify credentials; the
    /// endpoint is off while unset.
    pub gateway_token: Option<SecretString>,
    pub health_check: HealthCheckConfig,
    /// Shared secret of signed platform events; random per start when the sandbox is
    /// on and none is set, and the events endpoint is off without one.
    pub webhook_secret: Option<SecretString>,
    pub platform: PlatformConfig,
    /// Where support requests from failed test purchases are sent.
    pub support_email: String,
    /// Sunset dates that replace the catalog's, per legacy product code.
    pub sunsets: Vec<(String, time::Date)>,
    /// How often the periodic chores run (sunset reminders, refreshing legacy orders);
    /// `None` turns them off.
    pub maintenance_interval: Option<std::time::Duration>,
    /// An upgrade with no step moved for this many days is stalled (dashboards, reminders).
    pub stall_days: i64,
    /// Support screenshots are deleted this many days after upload (the request stays).
    pub screenshot_retention_days: i64,
    /// How the HTTP server guards its connections, and what operators can see of it.
    pub server: ServerConfig,
    /// How the outbox delivers: lanes, deadlines and pacing.
    pub outbox: OutboxConfig,
    /// How long the partner dashboard's charts are kept in memory.
    pub charts: ChartsConfig,
}

/// The partner dashboard's charts scan every store of a cohort, so they are kept: shown
/// as they are while `fresh`, shown while read again in the background until `usable`,
/// read before answering after that.
#[derive(Debug, Clone, Copy)]
pub struct ChartsConfig {
    pub fresh: std::time::Duration,
    pub usable: std::time::Duration,
}

impl Default for ChartsConfig {
    fn default() -> Self {
        Self {
            fresh: std::time::Duration::from_secs(60),
            usable: std::time::Duration::from_secs(15 * 60),
        }
    }
}

/// Support screenshots are kept this long by default: long enough for a request to be
/// worked and closed, short enough that pictures of a merchant's admin pages do not linger.
pub const DEFAULT_SCREENSHOT_RETENTION_DAYS: i64 = 90;

/// The platform's order-management API: cancelling the test order, polling for orders
/// where the platform cannot push them, processing legacy orders.
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    /// Base URL of the API; this instance's own sandbox when unset and the sandbox is on.
    pub url: Option<String>,
    /// Bearer token Switchyard presents; random per start when the sandbox is on.
    pub token: Option<SecretString>,
    pub timeout: std::time::Duration,
    /// Ask the platform for orders this often (for platforms that cannot push events).
    pub poll_interval: Option<std::time::Duration>,
    /// Whether the sandbox pushes signed events for its orders; off, it is a platform
    /// that can only be polled.
    pub sandbox_push: bool,
}

impl Default for PlatformConfig {
    fn default() -> Self {
        Self {
            url: None,
            token: None,
            timeout: std::time::Duration::from_secs(10),
            poll_interval: None,
            sandbox_push: true,
        }
    }
}

/// Limits for fetching a merchant's shop pages in the store health check.
#[derive(Debug, Clone)]
pub struct HealthCheckConfig {
    /// Allow private, loopback and link-local addresses (tests and local shops only).
    pub allow_private: bool,
    pub timeout: std::time::Duration,
    pub max_bytes: usize,
    pub max_redirects: usize,
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: std::time::Duration::from_secs(10),
            max_bytes: 2 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

#[derive(Debug, Clone)]
pub enum MailConfig {
    /// Kept in memory, readable by the tests.
    Memory,
    /// Each email is written as an `.eml` file into this directory (development).
    File { dir: PathBuf },
    /// Real delivery over SMTP (production).
    Smtp(SmtpConfig),
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub tls: SmtpTls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection (a local relay or a test server).
    None,
    /// Upgrade with STARTTLS, refusing to continue without it.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl Config {
    /// Whether cookies must be `Secure` (and use the `__Host-` prefix).
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

#[cfg(test)]
use {key::read_or_create_key, load::FileConfig};

#[cfg(test)]
mod tests;
