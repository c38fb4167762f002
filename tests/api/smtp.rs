//! A real email over SMTP to a local server (Debian's python3-aiosmtpd). Skipped with a
//! note when the server is not installed, except in CI (CI=true), where it must run.

use std::{path::Path, process::Stdio, time::Duration};

use switchyard::config::{MailConfig, SmtpConfig, SmtpTls};

use crate::{
    helpers::{ADMIN, spawn_app_with},
    jobs::{endpoint, eventually, hanging_endpoint},
    partner::PM,
};

struct SmtpServer(std::process::Child);

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn aiosmtpd_available() -> bool {
    std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn a_sign_in_link_arrives_over_real_smtp() {
    if !aiosmtpd_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI requires python3-aiosmtpd for the SMTP test"
        );
        eprintln!(
            "SKIPPED: /usr/bin/python3 -m aiosmtpd is not available (apt-get install python3-aiosmtpd)"
        );
        return;
    }
    let port = free_port();
    let mailbox = tempfile::tempdir().unwrap();
    let _server = smtp_server(port, mailbox.path()).await;

    let app = spawn_app_with(|c| smtp_at(c, port)).await;
    assert_eq!(
        app.request_sign_in(ADMIN).await.status,
        reqwest::StatusCode::OK
    );

    let message = read_single_message(mailbox.path()).await;
    assert!(message.contains(&format!("To: {ADMIN}")), "{message}");
    assert!(
        message.contains("From: Switchyard <no-reply@switchyard.test>"),
        "{message}"
    );
    assert!(
        message.contains("Subject: Your Switchyard sign-in link"),
        "{message}"
    );
    assert!(message.contains("/auth/confirm?token="), "{message}");
}

fn smtp_at(c: &mut switchyard::config::Config, port: u16) {
    c.mail = MailConfig::Smtp(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        tls: SmtpTls::None,
    });
    c.mail_from = "Switchyard <no-reply@switchyard.test>".into();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's aiosmtpd on `port`, delivering into the Maildir `mailbox`.
async fn smtp_server(port: u16, mailbox: &Path) -> SmtpServer {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(mailbox.join(sub)).unwrap();
    }
    let server = SmtpServer(
        std::process::Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(mailbox)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port).await;
    server
}

/// The outbox keeps an email the SMTP server could not take, and delivers it exactly
/// once when the server is back.
#[tokio::test]
async fn an_email_queued_while_smtp_is_down_arrives_once_when_it_is_back() {
    if !aiosmtpd_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI requires python3-aiosmtpd for the SMTP test"
        );
        eprintln!("SKIPPED: python3-aiosmtpd is not installed");
        return;
    }
    let port = free_port();
    let app = spawn_app_with(|c| smtp_at(c, port)).await;
    assert_eq!(
        app.request_sign_in(ADMIN).await.status,
        reqwest::StatusCode::OK
    );
    let failed = || async {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0 AND last_error IS NOT NULL")
            .await
    };
    for _ in 0..100 {
        if failed().await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        failed().await,
        1,
        "the delivery failed and is kept for a retry"
    );

    let mailbox = tempfile::tempdir().unwrap();
    let _server = smtp_server(port, mailbox.path()).await;
    // The retry is due after the backoff (10 s); bring it forward.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE sent_at IS NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let message = read_single_message(mailbox.path()).await;
    assert!(message.contains("/auth/confirm?token="), "{message}");
    // Many more worker rounds: still exactly one.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _ = read_single_message(mailbox.path()).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 2")
            .await,
        1
    );
}

/// A relay that accepts the connection and never answers held up every email and
/// webhook for as long as it hung. Now the webhook lane does not wait for it, the
/// attempt ends at its deadline and gives its row back, and once the relay recovers the
/// email arrives exactly once.
#[tokio::test]
async fn a_relay_that_never_answers_holds_up_no_webhook_and_its_email_arrives_once_it_recovers() {
    if !aiosmtpd_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI requires python3-aiosmtpd for the SMTP test"
        );
        eprintln!("SKIPPED: python3-aiosmtpd is not installed");
        return;
    }
    let port = free_port();
    let relay = hanging_endpoint(port).await;
    // The setting up (the partner's webhook, the admin signed in) uses the file mailer.
    let app = spawn_app_with(|c| c.health_check.allow_private = true).await;
    app.partners().await;
    let partner = endpoint(204).await;
    app.as_partner(PM).await.add_webhook(&partner.url).await;
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    // From here on mail goes out through the hung relay, from another instance.
    app.jobs.shutdown(Duration::from_secs(1)).await;
    let _relayed = app
        .another_instance(|c| {
            smtp_at(c, port);
            c.health_check.allow_private = true;
            c.outbox.email_deadline = Duration::from_secs(1);
            // The lane waits out the retry delay after the relay hung: keep it short.
            c.outbox.retry_base = Duration::from_secs(1);
        })
        .await;

    app.another_browser().request_sign_in(ADMIN).await;
    eventually("the sign-in email is tried", async || {
        app.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND sent_at IS NULL AND attempts > 0",
        )
        .await
            == 1
    })
    .await;
    admin.accept_terms().await;
    eventually("the webhook is delivered", async || {
        partner.calls.load(std::sync::atomic::Ordering::SeqCst) == 1
    })
    .await;
    eventually("the attempt past its deadline is given back", async || {
        app.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND sent_at IS NULL \
             AND claimed_until IS NULL AND last_error LIKE '%deadline%'",
        )
        .await
            == 1
    })
    .await;

    // The relay recovers.
    drop(relay);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mailbox = tempfile::tempdir().unwrap();
    let _server = smtp_server(port, mailbox.path()).await;
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE sent_at IS NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let message = read_single_message(mailbox.path()).await;
    assert!(message.contains("/auth/confirm?token="), "{message}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _ = read_single_message(mailbox.path()).await;
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the SMTP server did not start on port {port}");
}

/// The one message in a Maildir (new/), waiting up to 5 s for it (mail is sent after
/// the response), with soft line breaks undone.
async fn read_single_message(maildir: &Path) -> String {
    let new = maildir.join("new");
    let list = || -> Vec<std::fs::DirEntry> {
        std::fs::read_dir(&new)
            .map(|d| d.filter_map(|e| e.ok()).collect())
            .unwrap_or_default()
    };
    for _ in 0..100 {
        if !list().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let files = list();
    assert_eq!(
        files.len(),
        1,
        "exactly one message arrived in {}",
        new.display()
    );
    std::fs::read_to_string(files[0].path())
        .unwrap()
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}
