//! Log lines: for a person at a terminal, or one JSON object a line for a collector
//! (`SWITCHYARD_LOG_FORMAT=json`). Lines written while serving a request carry its
//! `request` span, and with it the request id the error page shows.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the process's log subscriber; `RUST_LOG` chooses what is written.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        // Every enclosing span, so the request id is on each line written inside it,
        // however deep.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
}
