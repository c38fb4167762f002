//! Where settings come from: built-in defaults, then the optional TOML file, then
//! `SWITCHYARD_*` environment variables; each is checked here, with an error that names
//! the setting.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, bail};
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    Config, DEFAULT_SCREENSHOT_RETENTION_DAYS, HealthCheckConfig, MailConfig, OutboxConfig,
    PlatformConfig, RateLimits, ServerConfig, SmtpConfig, SmtpTls,
    key::{key_file, random_key, read_or_create_key},
};

/// The optional config file; every field may also come from the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    base_url: Option<String>,
    mail_dir: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    smtp_tls: Option<SmtpTls>,
    mail_from: Option<String>,
    sandbox: Option<bool>,
    seed_demo: Option<bool>,
    catalog: Option<String>,
    assets_dir: Option<String>,
    secret_key: Option<String>,
    trusted_proxies: Option<String>,
    gateway_token: Option<String>,
    health_check_allow_private: Option<bool>,
    webhook_secret: Option<String>,
    platform_url: Option<String>,
    platform_token: Option<String>,
    platform_timeout_seconds: Option<u64>,
    platform_poll_seconds: Option<u64>,
    sandbox_push: Option<bool>,
    support_email: Option<String>,
    sunset: Option<String>,
    maintenance_minutes: Option<u64>,
    stall_days: Option<u64>,
    screenshot_retention_days: Option<u64>,
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
        let pick = |name: &str, file_value: Option<String>| {
            env(&format!("SWITCHYARD_{name}")).or(file_value)
        };
        let flag = |name: &str, file_value: Option<bool>, default: bool| -> anyhow::Result<bool> {
            match env(&format!("SWITCHYARD_{name}")) {
                Some(v) => parse_bool(&v)
                    .with_context(|| format!("SWITCHYARD_{name} must be true or false")),
                None => Ok(file_value.unwrap_or(default)),
            }
        };

        let database_url = pick("DATABASE_URL", file.database_url)
            .unwrap_or_else(|| "sqlite://switchyard.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            bail!("SWITCHYARD_DATABASE_URL must start with sqlite:, postgres:// or postgresql://");
        }
        let bind_text = pick("BIND", file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().with_context(|| {
            format!("SWITCHYARD_BIND {bind_text:?} is not an address like 127.0.0.1:8080")
        })?;
        let base_url = pick("BASE_URL", file.base_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            bail!("SWITCHYARD_BASE_URL must start with http:// or https://");
        }

        let from = pick("MAIL_FROM", file.mail_from)
            .unwrap_or_else(|| "Switchyard <no-reply@switchyard.localhost>".into());
        let mail = match pick("SMTP_HOST", file.smtp_host) {
            Some(host) => {
                let port = match env("SWITCHYARD_SMTP_PORT") {
                    Some(p) => p
                        .parse()
                        .context("SWITCHYARD_SMTP_PORT must be a port number")?,
                    None => file.smtp_port.unwrap_or(587),
                };
                let tls = match env("SWITCHYARD_SMTP_TLS") {
                    Some(t) => toml::Value::String(t)
                        .try_into()
                        .context("SWITCHYARD_SMTP_TLS must be none, starttls or tls")?,
                    None => file.smtp_tls.unwrap_or(SmtpTls::Starttls),
                };
                MailConfig::Smtp(SmtpConfig {
                    host,
                    port,
                    username: pick("SMTP_USERNAME", file.smtp_username),
                    password: pick("SMTP_PASSWORD", file.smtp_password).map(SecretString::from),
                    tls,
                })
            }
            None => MailConfig::File {
                dir: pick("MAIL_DIR", file.mail_dir)
                    .unwrap_or_else(|| "./mail".into())
                    .into(),
            },
        };

        // Partner webhook secrets and signed links are derived from the key, so it must
        // outlive a restart: a real (https) deployment sets it; a demo keeps one it made.
        let secret_key = match pick("SECRET_KEY", file.secret_key) {
            Some(key) => key,
            None if base_url.starts_with("https://") => bail!(
                "SWITCHYARD_SECRET_KEY is required when SWITCHYARD_BASE_URL is https:// \
                 (partner webhook secrets and signed links are derived from it and must \
                 survive a restart); set it to at least 32 random characters, for example \
                 the output of `openssl rand -hex 32`"
            ),
            None => kept_key(&database_url)?,
        };
        if secret_key.len() < 32 {
            bail!("SWITCHYARD_SECRET_KEY must be at least 32 characters");
        }

        let mut trusted_proxies = Vec::new();
        for ip in pick("TRUSTED_PROXIES", file.trusted_proxies)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            trusted_proxies.push(ip.parse().with_context(|| {
                format!("SWITCHYARD_TRUSTED_PROXIES: {ip:?} is not an IP address")
            })?);
        }
        let gateway_token = pick("GATEWAY_TOKEN", file.gateway_token);
        if gateway_token.as_ref().is_some_and(|t| t.trim().len() < 32) {
            bail!("SWITCHYARD_GATEWAY_TOKEN must be at least 32 characters");
        }
        let health_check = HealthCheckConfig {
            allow_private: flag(
                "HEALTH_CHECK_ALLOW_PRIVATE",
                file.health_check_allow_private,
                false,
            )?,
            ..HealthCheckConfig::default()
        };
        // The sandbox and demo data are for trying Switchyard out; an https deployment is
        // a real one unless it says otherwise.
        let development = !base_url.starts_with("https://");
        let sandbox = flag("SANDBOX", file.sandbox, development)?;
        let webhook_secret =
            pick("WEBHOOK_SECRET", file.webhook_secret).or_else(|| sandbox.then(random_key));
        if webhook_secret.as_ref().is_some_and(|s| s.len() < 16) {
            bail!("SWITCHYARD_WEBHOOK_SECRET must be at least 16 characters");
        }
        let seconds = |name: &str, file_value: Option<u64>| -> anyhow::Result<Option<u64>> {
            match env(&format!("SWITCHYARD_{name}")) {
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .with_context(|| format!("SWITCHYARD_{name} must be a whole number")),
                None => Ok(file_value),
            }
        };
        let platform_url = pick("PLATFORM_URL", file.platform_url)
            .map(|u| u.trim().trim_end_matches('/').to_owned());
        if let Some(u) = &platform_url {
            // Paths are appended to it, so it must be a plain base address.
            let parsed = url::Url::parse(u).ok().filter(|p| {
                matches!(p.scheme(), "http" | "https")
                    && p.host().is_some()
                    && p.query().is_none()
                    && p.fragment().is_none()
                    && p.username().is_empty()
                    && p.password().is_none()
            });
            if parsed.is_none() {
                bail!(
                    "SWITCHYARD_PLATFORM_URL must be a plain http(s) address without credentials, query or fragment, got {u:?}"
                );
            }
        }
        let platform_token = pick("PLATFORM_TOKEN", file.platform_token);
        if platform_url.is_some() && platform_token.is_none() {
            bail!("SWITCHYARD_PLATFORM_TOKEN is required with SWITCHYARD_PLATFORM_URL");
        }
        // The built-in sandbox checks a token of its own choosing; a real platform's
        // token is never made up.
        let platform_token =
            platform_token.or_else(|| (sandbox && platform_url.is_none()).then(random_key));
        let timeout =
            seconds("PLATFORM_TIMEOUT_SECONDS", file.platform_timeout_seconds)?.unwrap_or(10);
        if !(1..=120).contains(&timeout) {
            bail!("SWITCHYARD_PLATFORM_TIMEOUT_SECONDS must be between 1 and 120");
        }
        let poll = seconds("PLATFORM_POLL_SECONDS", file.platform_poll_seconds)?;
        if poll == Some(0) {
            bail!(
                "SWITCHYARD_PLATFORM_POLL_SECONDS must be at least 1 (leave it unset to not poll)"
            );
        }
        let platform = PlatformConfig {
            url: platform_url,
            token: platform_token.map(SecretString::from),
            timeout: std::time::Duration::from_secs(timeout),
            poll_interval: poll.map(std::time::Duration::from_secs),
            sandbox_push: flag("SANDBOX_PUSH", file.sandbox_push, true)?,
        };
        let support_email = pick("SUPPORT_EMAIL", file.support_email)
            .unwrap_or_else(|| "support@switchyard.localhost".into());
        crate::domain::EmailAddress::parse(&support_email).map_err(|_| {
            anyhow::anyhow!("SWITCHYARD_SUPPORT_EMAIL {support_email:?} is not an email address")
        })?;
        let mut sunsets = Vec::new();
        for entry in pick("SUNSET", file.sunset)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let parsed = entry.split_once('=').and_then(|(code, date)| {
                Some((code.trim().to_owned(), crate::domain::parse_date(date)?))
            });
            match parsed {
                Some(pair) => sunsets.push(pair),
                None => bail!("SWITCHYARD_SUNSET: {entry:?} is not like KPM=2027-06-30"),
            }
        }
        let maintenance = match seconds("MAINTENANCE_MINUTES", file.maintenance_minutes)? {
            Some(0) => None,
            minutes => Some(std::time::Duration::from_secs(60 * minutes.unwrap_or(60))),
        };
        let stall_days = seconds("STALL_DAYS", file.stall_days)?.unwrap_or(7);
        if !(1..=365).contains(&stall_days) {
            bail!("SWITCHYARD_STALL_DAYS must be between 1 and 365");
        }
        let screenshot_days = seconds("SCREENSHOT_RETENTION_DAYS", file.screenshot_retention_days)?
            .unwrap_or(DEFAULT_SCREENSHOT_RETENTION_DAYS as u64);
        if !(1..=3650).contains(&screenshot_days) {
            bail!("SWITCHYARD_SCREENSHOT_RETENTION_DAYS must be between 1 and 3650");
        }
        Ok(Self {
            database_url: SecretString::from(database_url),
            bind,
            base_url,
            mail,
            mail_from: from,
            sandbox,
            seed_demo: flag("SEED_DEMO", file.seed_demo, development)?,
            catalog_path: pick("CATALOG", file.catalog).map(PathBuf::from),
            assets_dir: pick("ASSETS_DIR", file.assets_dir)
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

fn parse_bool(v: &str) -> anyhow::Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("not a boolean: {v:?}"),
    }
}
