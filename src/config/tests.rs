//! Loading the configuration: defaults, bounds, and what each setting refuses.

use super::*;
use secrecy::ExposeSecret;
use std::collections::HashMap;

fn load(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_sources(
        FileConfig::default(),
        |k| map.get(k).cloned(),
        |_| Ok("kept-demo-key-kept-demo-key-0123456789".into()),
    )
}

#[test]
fn an_https_deployment_needs_its_own_secret_key() {
    let e = load(&[("SWITCHYARD_BASE_URL", "https://upgrade.example.com")]).unwrap_err();
    assert!(
        e.to_string().contains("SWITCHYARD_SECRET_KEY is required"),
        "{e}"
    );
    let c = load(&[]).unwrap();
    assert_eq!(
        c.secret_key.expose_secret(),
        "kept-demo-key-kept-demo-key-0123456789",
        "a demo uses the key it keeps"
    );
}

#[test]
fn the_kept_key_lives_beside_the_sqlite_database() {
    assert_eq!(
        key_file("sqlite:///var/lib/switchyard/app.db?mode=rwc"),
        PathBuf::from("/var/lib/switchyard/switchyard-secret.key")
    );
    assert_eq!(
        key_file("sqlite://switchyard.db"),
        PathBuf::from("switchyard-secret.key")
    );
    assert_eq!(
        key_file("postgres://db/switchyard"),
        PathBuf::from("switchyard-secret.key")
    );
}

#[test]
fn a_kept_key_is_made_once_and_read_after() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("switchyard-secret.key");
    let first = read_or_create_key(&path).unwrap();
    assert!(first.len() >= 32);
    assert_eq!(read_or_create_key(&path).unwrap(), first);
}

#[test]
fn defaults_just_work() {
    let c = load(&[]).unwrap();
    assert_eq!(c.database_url.expose_secret(), "sqlite://switchyard.db");
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(c.base_url, "http://127.0.0.1:8080");
    assert!(matches!(c.mail, MailConfig::File { ref dir } if dir.as_os_str() == "./mail"));
    assert!(c.sandbox && c.seed_demo && !c.https());
    assert_eq!(c.mail_from, "Switchyard <no-reply@switchyard.localhost>");
    assert!(
        c.platform.token.is_some(),
        "the sandbox gets a random token"
    );
    assert!(c.platform.url.is_none() && c.platform.poll_interval.is_none());
    assert_eq!(c.platform.timeout.as_secs(), 10);
}

#[test]
fn environment_overrides_and_secrets_stay_hidden() {
    let c = load(&[
        (
            "SWITCHYARD_DATABASE_URL",
            "postgres://app:hunter2@db/switchyard",
        ),
        ("SWITCHYARD_BIND", "0.0.0.0:0"),
        ("SWITCHYARD_BASE_URL", "https://upgrade.example.com/"),
        ("SWITCHYARD_SMTP_HOST", "smtp.example.com"),
        ("SWITCHYARD_SMTP_PASSWORD", "mailpass"),
        ("SWITCHYARD_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"),
        (
            "SWITCHYARD_SECRET_KEY",
            "production-key-production-key-0123",
        ),
    ])
    .unwrap();
    assert_eq!(c.base_url, "https://upgrade.example.com");
    assert!(
        c.https() && !c.sandbox && !c.seed_demo,
        "https means production defaults"
    );
    assert_eq!(c.trusted_proxies.len(), 2);
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("hunter2")
            && !shown.contains("mailpass")
            && !shown.contains("production-key"),
        "{shown}"
    );
}

#[test]
fn the_sender_applies_to_every_transport() {
    let c = load(&[(
        "SWITCHYARD_MAIL_FROM",
        "Upgrades <upgrades@shop-platform.example>",
    )])
    .unwrap();
    assert!(matches!(c.mail, MailConfig::File { .. }));
    assert_eq!(c.mail_from, "Upgrades <upgrades@shop-platform.example>");
}

#[test]
fn bad_values_are_explained() {
    let e = load(&[("SWITCHYARD_BIND", "localhost")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_BIND"));
    let e = load(&[("SWITCHYARD_DATABASE_URL", "mysql://x")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_DATABASE_URL"));
    let e = load(&[("SWITCHYARD_TRUSTED_PROXIES", "lb.internal")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_TRUSTED_PROXIES"));
    let e = load(&[("SWITCHYARD_SANDBOX", "maybe")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_SANDBOX"));
    let e = load(&[("SWITCHYARD_PLATFORM_URL", "platform.example")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_PLATFORM_URL"));
    let e = load(&[
        ("SWITCHYARD_PLATFORM_URL", "https://platform.example/?x=1"),
        ("SWITCHYARD_PLATFORM_TOKEN", "t"),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_PLATFORM_URL"));
    let e = load(&[("SWITCHYARD_PLATFORM_URL", "https://platform.example")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("SWITCHYARD_PLATFORM_TOKEN is required")
    );
    let e = load(&[("SWITCHYARD_PLATFORM_POLL_SECONDS", "soon")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_PLATFORM_POLL_SECONDS"));
    let e = load(&[("SWITCHYARD_SUNSET", "KPM=next spring")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_SUNSET"));
    let e = load(&[("SWITCHYARD_SUPPORT_EMAIL", "helpdesk")]).unwrap_err();
    assert!(e.to_string().contains("SWITCHYARD_SUPPORT_EMAIL"));
}

#[test]
fn the_outbox_settings_are_read_and_bounded() {
    let c = load(&[]).unwrap();
    assert_eq!(c.outbox.bulk_per_minute, 600);
    assert_eq!(c.outbox.email_deadline, std::time::Duration::from_secs(30));
    let c = load(&[
        ("SWITCHYARD_BULK_MAIL_PER_MINUTE", "120"),
        ("SWITCHYARD_OUTBOX_EMAIL_TIMEOUT_SECONDS", "5"),
        ("SWITCHYARD_OUTBOX_CONCURRENCY", "8"),
        ("SWITCHYARD_OUTBOX_FAILING_WEBHOOK_TIMEOUT_SECONDS", "3"),
    ])
    .unwrap();
    assert_eq!(
        c.outbox.failing_webhook_deadline,
        std::time::Duration::from_secs(3)
    );
    assert_eq!(c.outbox.bulk_per_minute, 120);
    assert_eq!(c.outbox.email_deadline, std::time::Duration::from_secs(5));
    assert_eq!(c.outbox.concurrency, 8);
    for (name, bad) in [
        ("SWITCHYARD_BULK_MAIL_PER_MINUTE", "0"),
        ("SWITCHYARD_OUTBOX_WEBHOOK_TIMEOUT_SECONDS", "600"),
        ("SWITCHYARD_OUTBOX_CONCURRENCY", "many"),
        ("SWITCHYARD_OUTBOX_FAILING_WEBHOOK_TIMEOUT_SECONDS", "0"),
    ] {
        let e = load(&[(name, bad)]).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
    }
}

#[test]
fn server_settings_come_from_the_environment() {
    let c = load(&[]).unwrap().server;
    assert_eq!(c.header_timeout.as_secs(), 10);
    assert_eq!(c.idle_timeout.as_secs(), 60);
    assert!(c.metrics_bind.is_none() && c.log_format == LogFormat::Text);
    let c = load(&[
        ("SWITCHYARD_HEADER_TIMEOUT_SECONDS", "5"),
        ("SWITCHYARD_IDLE_TIMEOUT_SECONDS", "30"),
        ("SWITCHYARD_MAX_CONNECTIONS", "500"),
        ("SWITCHYARD_METRICS_BIND", "127.0.0.1:9090"),
        ("SWITCHYARD_LOG_FORMAT", "json"),
    ])
    .unwrap()
    .server;
    assert_eq!(c.header_timeout.as_secs(), 5);
    assert_eq!(c.idle_timeout.as_secs(), 30);
    assert_eq!(c.max_connections, 500);
    assert_eq!(c.metrics_bind.unwrap().port(), 9090);
    assert_eq!(c.log_format, LogFormat::Json);
    for (name, value) in [
        ("SWITCHYARD_HEADER_TIMEOUT_SECONDS", "0"),
        ("SWITCHYARD_MAX_CONNECTIONS", "many"),
        ("SWITCHYARD_METRICS_BIND", "metrics"),
        ("SWITCHYARD_LOG_FORMAT", "xml"),
    ] {
        let e = load(&[(name, value)]).unwrap_err();
        assert!(e.to_string().contains(name), "{name}: {e}");
    }
}
