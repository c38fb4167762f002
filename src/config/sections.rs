//! The groups of settings that are read and checked together: where Switchyard listens
//! and is reached, how it sends mail, its secret key, the proxies it believes, the
//! platform it talks to, and the sunset dates it is given.

use std::net::{IpAddr, SocketAddr};

use anyhow::{Context, bail};
use secrecy::SecretString;

use super::{MailConfig, PlatformConfig, SmtpConfig, SmtpTls, key::random_key, load::Settings};

/// The address to listen on, and the public base URL (without a trailing `/`), which
/// defaults to it.
pub(super) fn addresses(s: &Settings) -> anyhow::Result<(SocketAddr, String)> {
    let bind_text = s
        .text("BIND", &s.file.bind)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let bind: SocketAddr = bind_text.parse().with_context(|| {
        format!("SWITCHYARD_BIND {bind_text:?} is not an address like 127.0.0.1:8080")
    })?;
    let base_url = s
        .text("BASE_URL", &s.file.base_url)
        .unwrap_or_else(|| format!("http://{bind}"))
        .trim_end_matches('/')
        .to_owned();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        bail!("SWITCHYARD_BASE_URL must start with http:// or https://");
    }
    Ok((bind, base_url))
}

/// SMTP when a host is set, else files in a mail directory.
pub(super) fn mail(s: &Settings) -> anyhow::Result<MailConfig> {
    let file = s.file;
    let Some(host) = s.text("SMTP_HOST", &file.smtp_host) else {
        return Ok(MailConfig::File {
            dir: s
                .text("MAIL_DIR", &file.mail_dir)
                .unwrap_or_else(|| "./mail".into())
                .into(),
        });
    };
    let port = match s.var("SMTP_PORT") {
        Some(p) => p
            .parse()
            .context("SWITCHYARD_SMTP_PORT must be a port number")?,
        None => file.smtp_port.unwrap_or(587),
    };
    let tls = match s.var("SMTP_TLS") {
        Some(t) => toml::Value::String(t)
            .try_into()
            .context("SWITCHYARD_SMTP_TLS must be none, starttls or tls")?,
        None => file.smtp_tls.unwrap_or(SmtpTls::Starttls),
    };
    Ok(MailConfig::Smtp(SmtpConfig {
        host,
        port,
        username: s.text("SMTP_USERNAME", &file.smtp_username),
        password: s
            .text("SMTP_PASSWORD", &file.smtp_password)
            .map(SecretString::from),
        tls,
    }))
}

/// The key signed links and partner webhook secrets are derived from, so it must outlive
/// a restart: a real (https) deployment sets it; a demo keeps one it made (`kept`).
pub(super) fn secret_key(
    s: &Settings,
    base_url: &str,
    kept: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let key = match s.text("SECRET_KEY", &s.file.secret_key) {
        Some(key) => key,
        None if base_url.starts_with("https://") => bail!(
            "SWITCHYARD_SECRET_KEY is required when SWITCHYARD_BASE_URL is https:// \
             (partner webhook secrets and signed links are derived from it and must \
             survive a restart); set it to at least 32 random characters, for example \
             the output of `openssl rand -hex 32`"
        ),
        None => kept()?,
    };
    if key.len() < 32 {
        bail!("SWITCHYARD_SECRET_KEY must be at least 32 characters");
    }
    Ok(key)
}

pub(super) fn trusted_proxies(s: &Settings) -> anyhow::Result<Vec<IpAddr>> {
    s.list("TRUSTED_PROXIES", &s.file.trusted_proxies)
        .iter()
        .map(|ip| {
            ip.parse()
                .with_context(|| format!("SWITCHYARD_TRUSTED_PROXIES: {ip:?} is not an IP address"))
        })
        .collect()
}

/// The payment platform: a real one at its URL with its token, or the built-in
/// `sandbox` (which checks a token of its own choosing).
pub(super) fn platform(s: &Settings, sandbox: bool) -> anyhow::Result<PlatformConfig> {
    let file = s.file;
    let url = s
        .text("PLATFORM_URL", &file.platform_url)
        .map(|u| u.trim().trim_end_matches('/').to_owned());
    if let Some(u) = &url {
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
    let token = s.text("PLATFORM_TOKEN", &file.platform_token);
    if url.is_some() && token.is_none() {
        bail!("SWITCHYARD_PLATFORM_TOKEN is required with SWITCHYARD_PLATFORM_URL");
    }
    // A real platform's token is never made up.
    let token = token.or_else(|| (sandbox && url.is_none()).then(random_key));
    let timeout = s
        .whole("PLATFORM_TIMEOUT_SECONDS", file.platform_timeout_seconds)?
        .unwrap_or(10);
    if !(1..=120).contains(&timeout) {
        bail!("SWITCHYARD_PLATFORM_TIMEOUT_SECONDS must be between 1 and 120");
    }
    let poll = s.whole("PLATFORM_POLL_SECONDS", file.platform_poll_seconds)?;
    if poll == Some(0) {
        bail!("SWITCHYARD_PLATFORM_POLL_SECONDS must be at least 1 (leave it unset to not poll)");
    }
    Ok(PlatformConfig {
        url,
        token: token.map(SecretString::from),
        timeout: std::time::Duration::from_secs(timeout),
        poll_interval: poll.map(std::time::Duration::from_secs),
        sandbox_push: s.flag("SANDBOX_PUSH", file.sandbox_push, true)?,
    })
}

/// `KPM=2027-06-30,KCO_V2=2027-09-30`: sunset dates that replace the catalog's.
pub(super) fn sunsets(s: &Settings) -> anyhow::Result<Vec<(String, time::Date)>> {
    s.list("SUNSET", &s.file.sunset)
        .iter()
        .map(|entry| {
            let parsed = entry.split_once('=').and_then(|(code, date)| {
                Some((code.trim().to_owned(), crate::domain::parse_date(date)?))
            });
            parsed
                .with_context(|| format!("SWITCHYARD_SUNSET: {entry:?} is not like KPM=2027-06-30"))
        })
        .collect()
}
