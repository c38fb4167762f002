//! A real email over SMTP to a local server (Debian's python3-aiosmtpd). Skipped with a
//! note when the server is not installed, except in CI (CI=true), where it must run.

use std::{path::Path, process::Stdio, time::Duration};

use switchyard::{
    config::{MailConfig, SmtpConfig, SmtpTls},
    mail::Email,
    store::outbox::{self, Lane},
};

use crate::{
    helpers::eventually,
    helpers::{ADMIN, spawn_app_with},
    jobs::{endpoint, hanging_endpoint},
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
             AND claimed_until IS NULL AND last_error LIKE '%deadline%' AND last_failure = 'timeout'",
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

/// What the fake relay does with an email to a recipient.
#[derive(Clone, Copy)]
enum Rule {
    Accept,
    /// `550`: the mailbox does not exist.
    Refuse,
    /// Takes the message, then says nothing for this long before its `250`; only for the
    /// first message to this recipient.
    StallOnce(Duration),
    /// Takes the message and never answers.
    Hang,
}

/// One message the fake relay answered `250` to.
#[derive(Debug, Clone)]
struct Accepted {
    connection: usize,
    to: String,
    message_id: String,
}

#[derive(Default)]
struct RelayLog {
    accepted: Vec<Accepted>,
    /// Connections on which the relay stalled after a message's data.
    stalled: Vec<usize>,
    /// `MAIL FROM` commands that came on a connection after it stalled.
    mail_after_stall: usize,
}

/// An SMTP relay written for these tests: it speaks just enough SMTP for lettre, and
/// stalls, hangs or refuses as `rule` says for each recipient.
struct FakeRelay {
    port: u16,
    log: std::sync::Arc<std::sync::Mutex<RelayLog>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeRelay {
    async fn start(rule: fn(&str) -> Rule) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = std::sync::Arc::new(std::sync::Mutex::new(RelayLog::default()));
        let stalled_once = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let log2 = log.clone();
        let task = tokio::spawn(async move {
            let mut n = 0;
            while let Ok((socket, _)) = listener.accept().await {
                n += 1;
                tokio::spawn(serve_smtp(
                    n,
                    socket,
                    rule,
                    log2.clone(),
                    stalled_once.clone(),
                ));
            }
        });
        FakeRelay { port, log, task }
    }

    fn accepted_to(&self, to: &str) -> Vec<Accepted> {
        let log = self.log.lock().unwrap();
        log.accepted
            .iter()
            .filter(|a| a.to == to)
            .cloned()
            .collect()
    }
}

async fn serve_smtp(
    connection: usize,
    socket: tokio::net::TcpStream,
    rule: fn(&str) -> Rule,
    log: std::sync::Arc<std::sync::Mutex<RelayLog>>,
    stalled_once: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 fake.relay ESMTP\r\n").await;
    let mut to = String::new();
    let mut stalled = false;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 fake.relay\r\n",
            "MAIL" => {
                if stalled {
                    log.lock().unwrap().mail_after_stall += 1;
                }
                b"250 2.1.0 OK\r\n"
            }
            "RCPT" => {
                to = between_brackets(&line);
                if matches!(rule(&to), Rule::Refuse) {
                    b"550 5.1.1 no such mailbox\r\n"
                } else {
                    b"250 2.1.5 OK\r\n"
                }
            }
            "DATA" => {
                let _ = write.write_all(b"354 go ahead\r\n").await;
                let mut message_id = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    if l.to_ascii_lowercase().starts_with("message-id:") {
                        message_id = l["message-id:".len()..].trim().to_owned();
                    }
                }
                match rule(&to) {
                    Rule::Hang => std::future::pending::<()>().await,
                    Rule::StallOnce(pause) => {
                        let first = {
                            let mut seen = stalled_once.lock().unwrap();
                            let first = !seen.contains(&to);
                            seen.push(to.clone());
                            first
                        };
                        if first {
                            stalled = true;
                            log.lock().unwrap().stalled.push(connection);
                            tokio::time::sleep(pause).await;
                        }
                    }
                    Rule::Accept | Rule::Refuse => {}
                }
                log.lock().unwrap().accepted.push(Accepted {
                    connection,
                    to: to.clone(),
                    message_id,
                });
                b"250 2.0.0 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 OK\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}

fn between_brackets(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}

impl crate::helpers::TestApp {
    /// Queues an email in `lane`, as the application does, and wakes the outbox.
    async fn queue_email(&self, lane: Lane, key: &str, to: &str) {
        let mut tx = self.db.begin().await.unwrap();
        let email = Email {
            to: to.into(),
            subject: "Your Switchyard sign-in link".into(),
            text: "Hello".into(),
        };
        outbox::enqueue(&mut tx, lane, key, &email, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        self.jobs.wake();
    }
}

/// A relay that took an email's data and answered only after the deadline left its
/// connection waiting to say `250`. That connection went back into lettre's pool, and
/// the next email sent on it read the late `250` as its own answers, one step out of
/// turn: marked sent without its own `250`. Now a connection whose send was cut off is
/// never used again, and every email carries a Message-ID of its own row, so the copy
/// the relay took late and the retry can be told apart from a new email downstream.
#[tokio::test]
async fn an_email_cut_off_at_its_deadline_leaves_no_half_used_connection_for_the_next() {
    const SLOW: &str = "slow@stall.example";
    let relay = FakeRelay::start(|to| {
        if to == SLOW {
            Rule::StallOnce(Duration::from_millis(2000))
        } else {
            Rule::Accept
        }
    })
    .await;
    let app = spawn_app_with(|c| {
        smtp_at(c, relay.port);
        c.outbox.email_deadline = Duration::from_secs(1);
        c.outbox.retry_base = Duration::from_secs(1);
    })
    .await;

    app.queue_email(Lane::Urgent, "slow:1", SLOW).await;
    eventually("the attempt is cut off at its deadline", async || {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE last_error LIKE '%deadline%'")
            .await
            == 1
    })
    .await;
    // The relay says its late 250; then the next sign-in link goes out.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.request_sign_in(ADMIN).await;
    eventually("every email is sent", async || {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND sent_at IS NULL")
            .await
            == 0
    })
    .await;
    // The relay records the stalled copy once its stall is over.
    eventually("the relay took the slow email twice", async || {
        relay.accepted_to(SLOW).len() >= 2
    })
    .await;

    let log = relay.log.lock().unwrap();
    assert_eq!(log.stalled.len(), 1, "the relay stalled once");
    assert_eq!(
        log.mail_after_stall, 0,
        "no email goes on a connection whose send was cut off"
    );
    drop(log);
    let to_admin = relay.accepted_to(ADMIN);
    assert_eq!(to_admin.len(), 1, "{to_admin:?}");
    assert_ne!(to_admin[0].connection, relay.log.lock().unwrap().stalled[0]);
    // The relay took the slow email late, and again on the retry: the same Message-ID,
    // made from the row's key, so the copy can be recognised.
    let from: lettre::message::Mailbox = "Switchyard <no-reply@switchyard.test>".parse().unwrap();
    let slow = relay.accepted_to(SLOW);
    assert_eq!(slow.len(), 2, "{slow:?}");
    let id = switchyard::mail::message_id(&from, "slow:1");
    assert!(slow.iter().all(|a| a.message_id == id), "{slow:?} {id}");
    assert_ne!(to_admin[0].message_id, id);
}

/// One recipient whose email runs out the deadline held its whole lane until that row's
/// retry (which grows to an hour): one bad domain stopped every sign-in link.
#[tokio::test]
async fn one_email_that_runs_out_its_deadline_does_not_hold_up_the_sign_in_links_after_it() {
    const SLOW: &str = "someone@tarpit.example";
    let relay = FakeRelay::start(|to| if to == SLOW { Rule::Hang } else { Rule::Accept }).await;
    let app = spawn_app_with(|c| {
        smtp_at(c, relay.port);
        c.outbox.email_deadline = Duration::from_secs(1);
        c.outbox.retry_base = Duration::from_secs(600);
    })
    .await;
    app.queue_email(Lane::Urgent, "tarpit:1", SLOW).await;
    eventually("the attempt is cut off at its deadline", async || {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE last_error LIKE '%deadline%'")
            .await
            == 1
    })
    .await;

    app.request_sign_in(ADMIN).await;
    eventually("the sign-in link reaches the relay", async || {
        relay.accepted_to(ADMIN).len() == 1
    })
    .await;
}

/// A relay's `550` (no such mailbox) was retried 500 times over three weeks. Now the
/// email is dropped at once, with the relay's reason kept on its row.
#[tokio::test]
async fn an_email_the_relay_refuses_for_good_is_dropped_at_once_with_the_reason() {
    const GONE: &str = "nobody@gone.example";
    let relay = FakeRelay::start(|to| {
        if to == GONE {
            Rule::Refuse
        } else {
            Rule::Accept
        }
    })
    .await;
    let app = spawn_app_with(|c| {
        smtp_at(c, relay.port);
        c.outbox.retry_base = Duration::from_secs(1);
    })
    .await;
    app.queue_email(Lane::Transactional, "gone:1", GONE).await;
    eventually("the email is dropped", async || {
        app.scalar(
            "SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'gone:1' \
             AND sent_at IS NOT NULL AND attempts = 1 AND last_error LIKE '%550%'",
        )
        .await
            == 1
    })
    .await;
    // Well past the first retry (about a second): no second attempt.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(
        app.scalar("SELECT attempts FROM outbox WHERE idempotency_key = 'gone:1'")
            .await,
        1
    );
    assert!(relay.accepted_to(GONE).is_empty());
}
