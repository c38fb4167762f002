//! How the HTTP server guards its connections, and what operators can see of it.

use std::net::SocketAddr;

use anyhow::{Context, bail};

/// How the HTTP server guards its connections, and what operators can see of it.
/// Set through the environment only (`SWITCHYARD_*`, see the README).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The longest a client may take to send a request's head, from its first byte. A
    /// slow sender (slowloris) is cut off after it.
    pub header_timeout: std::time::Duration,
    /// How long a kept-alive connection may sit without a request before it is closed;
    /// also how long a response may be written with no byte moving either way (a reader
    /// that stopped reading) before its connection is closed.
    pub idle_timeout: std::time::Duration,
    /// The longest a request's body may take to arrive, from the end of its head; past
    /// it the request is answered 408 and its connection closed. Long enough for a 20 MB
    /// screenshot on a slow line.
    pub body_timeout: std::time::Duration,
    /// Connections served at once; over it a new one gets 503 and is closed. Lowered at
    /// start to what the open-file limit allows.
    pub max_connections: usize,
    /// On SIGTERM, how long requests in flight may take to finish.
    pub shutdown_grace: std::time::Duration,
    /// How often a live page's event stream sends a comment, so a dead peer is noticed.
    pub sse_heartbeat: std::time::Duration,
    /// Where `/metrics` is served (Prometheus text format); off when unset.
    pub metrics_bind: Option<SocketAddr>,
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For a person at a terminal.
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

impl LogFormat {
    /// The format `SWITCHYARD_LOG_FORMAT` names (text when unset).
    pub fn parse(value: Option<&str>) -> anyhow::Result<Self> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => bail!("SWITCHYARD_LOG_FORMAT must be text or json, got {other:?}"),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_timeout: std::time::Duration::from_secs(10),
            idle_timeout: std::time::Duration::from_secs(60),
            body_timeout: std::time::Duration::from_secs(120),
            max_connections: 10_000,
            shutdown_grace: std::time::Duration::from_secs(20),
            sse_heartbeat: std::time::Duration::from_secs(15),
            metrics_bind: None,
            log_format: LogFormat::Text,
        }
    }
}

impl ServerConfig {
    pub(super) fn from_env(env: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let defaults = Self::default();
        let number = |name: &str, min: u64, max: u64| -> anyhow::Result<Option<u64>> {
            let Some(v) = env(&format!("SWITCHYARD_{name}")) else {
                return Ok(None);
            };
            match v.trim().parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => bail!("SWITCHYARD_{name} must be a whole number from {min} to {max}"),
            }
        };
        let seconds = |name: &str, min: u64, max: u64, default: std::time::Duration| {
            number(name, min, max).map(|n| n.map_or(default, std::time::Duration::from_secs))
        };
        let metrics_bind = match env("SWITCHYARD_METRICS_BIND").filter(|v| !v.trim().is_empty()) {
            Some(v) => Some(v.trim().parse().with_context(|| {
                format!("SWITCHYARD_METRICS_BIND {v:?} is not an address like 127.0.0.1:9090")
            })?),
            None => None,
        };
        let log_format = LogFormat::parse(env("SWITCHYARD_LOG_FORMAT").as_deref())?;
        Ok(Self {
            header_timeout: seconds("HEADER_TIMEOUT_SECONDS", 1, 300, defaults.header_timeout)?,
            idle_timeout: seconds("IDLE_TIMEOUT_SECONDS", 1, 3600, defaults.idle_timeout)?,
            body_timeout: seconds("BODY_TIMEOUT_SECONDS", 1, 3600, defaults.body_timeout)?,
            max_connections: number("MAX_CONNECTIONS", 1, 1_000_000)?
                .map_or(defaults.max_connections, |n| n as usize),
            shutdown_grace: seconds("SHUTDOWN_GRACE_SECONDS", 0, 600, defaults.shutdown_grace)?,
            sse_heartbeat: seconds("SSE_HEARTBEAT_SECONDS", 1, 300, defaults.sse_heartbeat)?,
            metrics_bind,
            log_format,
        })
    }
}
