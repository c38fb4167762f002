//! Where settings come from: built-in defaults, then the optional TOML file, then
//! `SWITCHYARD_*` environment variables; each is checked here, with an error that names
//! the setting.

use std::path::PathBuf;

use anyhow::{Context, bail};
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    Config, DEFAULT_SCREENSHOT_RETENTION_DAYS, HealthCheckConfig, OutboxConfig, RateLimits,
    ServerConfig, SmtpTls,
    key::{key_file, random_key, read_or_create_key},
    sections,
};

/// The optional config file; every field may also come from the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) database_url: Option<String>,
    pub(super) bind: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) mail_dir: Option<String>,
    pub(super) smtp_host: Option<String>,
    pub(super) smtp_port: Option<u16>,
    pub(super) smtp_username: Option<String>,
    pub(super) smtp_password: Option<String>,
    pub(super) smtp_tls: Option<SmtpTls>,
    pub(super) mail_from: Option<String>,
    pub(super) sandbox: Option<bool>,
    pub(super) seed_demo: Option<bool>,
    pub(super) catalog: Option<String>,
    pub(super) assets_dir: Option<String>,
    pub(super) secret_key: Option<String>,
    pub(super) trusted_proxies: Option<String>,
    pub(super) gateway_token: Option<String>,
    pub(super) health_check_allow_private: Option<bool>,
    pub(super) webhook_secret: Option<String>,
    pub(super) platform_url: Option<String>,
    pub(super) platform_token: Option<String>,
    pub(super) platform_timeout_seconds: Option<u64>,
    pub(super) platform_poll_seconds: Option<u64>,
    pub(super) sandbox_push: Option<bool>,
    pub(super) support_email: Option<String>,
    pub(super) sunset: Option<String>,
    pub(super) maintenance_minutes: Option<u64>,
    pub(super) stall_days: Option<u64>,
    pub(super) screenshot_retention_days: Option<u64>,
}

impl Config {
    /// Loads the configuration from `file` (if given) and the process environment.
    pub fn load(file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("config file {} is invalid", path.display()))?
            }
            None => FileConfig::default(),
        };
        Self::from_sources(
            from_file,
            |key| std::env::var(key).ok(),
            |url| {
                let path = key_file(url);
                let key = read_or_create_key(&path)?;
                tracing::warn!(
                    file = %path.display(),
                    "SWITCHYARD_SECRET_KEY is not set: using the key kept in this file (made on \
                     first start); set SWITCHYARD_SECRET_KEY for a real deployment"
                );
                Ok(key)
            },
        )
    }

    /// The configuration from `file` and `env`; `kept_key` gives the demo's own secret
    /// key, kept for `database_url`, when none is set.
    pub(super) fn from_sources(
        file: FileConfig,
        env: impl Fn(&str) -> Option<String>,
        kept_key: impl FnOnce(&str) -> anyhow::Result<String>,
    ) -> anyhow::Result<Self> {
        let s = &Settings {
            file: &file,
            env: &env,
        };
        let database_url = s
            .text("DATABASE_URL", &file.database_url)
            .unwrap_or_else(|| "sqlite://switchyard.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            bail!("SWITCHYARD_DATABASE_URL must start with sqlite:, postgres:// or postgresql://");
        }
        let (bind, base_url) = sections::addresses(s)?;
        let mail = sections::mail(s)?;
        let secret_key = sections::secret_key(s, &base_url, || kept_key(&database_url))?;
        let trusted_proxies = sections::trusted_proxies(s)?;
        let gateway_token = s.text("GATEWAY_TOKEN", &file.gateway_token);
        if gateway_token.as_ref().is_some_and(|t| t.trim().len() < 32) {
            bail!("SWITCHYARD_GATEWAY_TOKEN must be at least 32 characters");
        }
        let health_check = HealthCheckConfig {
            allow_private: s.flag(
                "HEALTH_CHECK_ALLOW_PRIVATE",
                file.health_check_allow_private,
                false,
            )?,
            ..HealthCheckConfig::default()
        };
        // The sandbox and demo data are for trying Switchyard out; an https deployment is
        // a real one unless it says otherwise.
        let development = !base_url.starts_with("https://");
        let sandbox = s.flag("SANDBOX", file.sandbox, development)?;
        let webhook_secret = s
            .text("WEBHOOK_SECRET", &file.webhook_secret)
            .or_else(|| sandbox.then(random_key));
        if webhook_secret.as_ref().is_some_and(|s| s.len() < 16) {
            bail!("SWITCHYARD_WEBHOOK_SECRET must be at least 16 characters");
        }
        let platform = sections::platform(s, sandbox)?;
        let support_email = s
            .text("SUPPORT_EMAIL", &file.support_email)
            .unwrap_or_else(|| "support@switchyard.localhost".into());
        crate::domain::EmailAddress::parse(&support_email).map_err(|_| {
            anyhow::anyhow!("SWITCHYARD_SUPPORT_EMAIL {support_email:?} is not an email address")
        })?;
        let sunsets = sections::sunsets(s)?;
        let maintenance = match s.whole("MAINTENANCE_MINUTES", file.maintenance_minutes)? {
            Some(0) => None,
            minutes => Some(std::time::Duration::from_secs(60 * minutes.unwrap_or(60))),
        };
        let stall_days = s.whole("STALL_DAYS", file.stall_days)?.unwrap_or(7);
        if !(1..=365).contains(&stall_days) {
            bail!("SWITCHYARD_STALL_DAYS must be between 1 and 365");
        }
        let screenshot_days = s
            .whole("SCREENSHOT_RETENTION_DAYS", file.screenshot_retention_days)?
            .unwrap_or(DEFAULT_SCREENSHOT_RETENTION_DAYS as u64);
        if !(1..=3650).contains(&screenshot_days) {
            bail!("SWITCHYARD_SCREENSHOT_RETENTION_DAYS must be between 1 and 3650");
        }
        Ok(Self {
            database_url: SecretString::from(database_url),
            bind,
            base_url,
            mail,
            mail_from: s
                .text("MAIL_FROM", &file.mail_from)
                .unwrap_or_else(|| "Switchyard <no-reply@switchyard.localhost>".into()),
            sandbox,
            seed_demo: s.flag("SEED_DEMO", file.seed_demo, development)?,
            catalog_path: s.text("CATALOG", &file.catalog).map(PathBuf::from),
            assets_dir: s
                .text("ASSETS_DIR", &file.assets_dir)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets")),
            secret_key: SecretString::from(secret_key),
            rate_limits: RateLimits::default(),
            trusted_proxies,
            gateway_token: gateway_token.map(|t| SecretString::from(t.trim().to_owned())),
            health_check,
            webhook_secret: webhook_secret.map(SecretString::from),
            platform,
            support_email,
            sunsets,
            maintenance_interval: maintenance,
            stall_days: stall_days as i64,
            screenshot_retention_days: screenshot_days as i64,
            server: ServerConfig::from_env(&env)?,
            outbox: OutboxConfig::from_env(&env)?,
            charts: Default::default(),
        })
    }
}

/// Reads one setting at a time: its `SWITCHYARD_` variable when set, else the file's value.
pub(super) struct Settings<'a> {
    pub(super) file: &'a FileConfig,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Settings<'_> {
    /// The variable `SWITCHYARD_{name}`, unparsed.
    pub(super) fn var(&self, name: &str) -> Option<String> {
        (self.env)(&format!("SWITCHYARD_{name}"))
    }

    pub(super) fn text(&self, name: &str, file_value: &Option<String>) -> Option<String> {
        self.var(name).or_else(|| file_value.clone())
    }

    pub(super) fn flag(
        &self,
        name: &str,
        file_value: Option<bool>,
        default: bool,
    ) -> anyhow::Result<bool> {
        match self.var(name) {
            Some(v) => {
                parse_bool(&v).with_context(|| format!("SWITCHYARD_{name} must be true or false"))
            }
            None => Ok(file_value.unwrap_or(default)),
        }
    }

    pub(super) fn whole(&self, name: &str, file_value: Option<u64>) -> anyhow::Result<Option<u64>> {
        match self.var(name) {
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .with_context(|| format!("SWITCHYARD_{name} must be a whole number")),
            None => Ok(file_value),
        }
    }

    /// A comma-separated list, its items trimmed, empty ones dropped.
    pub(super) fn list(&self, name: &str, file_value: &Option<String>) -> Vec<String> {
        self.text(name, file_value)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

fn parse_bool(v: &str) -> anyhow::Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("not a boolean: {v:?}"),
    }
}
