//! `spawn_app()` and a `TestApp` whose helpers read like what a person does.

use std::path::PathBuf;

use reqwest::{StatusCode, redirect::Policy};
use secrecy::SecretString;
use sqlx::Connection;
use switchyard::{
    Application,
    config::{Config, HealthCheckConfig, MailConfig, PlatformConfig, RateLimits},
    store::Db,
};

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub mail_dir: PathBuf,
    pub client: reqwest::Client,
    pub database_url: String,
    /// This instance's outbox worker (to stop it as a SIGTERM would).
    pub jobs: switchyard::jobs::Jobs,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

/// The service token the tests' gateway presents.
pub const GATEWAY_TOKEN: &str = "gateway-service-token-for-tests-0123456789";

/// The secret platform events are signed with in the tests.
pub const WEBHOOK_SECRET: &str = "whsec_tests_0123456789abcdef";

/// The token Switchyard presents to the platform's order-management API in the tests.
pub const PLATFORM_TOKEN: &str = "platform-token-for-tests-0123456789";

/// The support desk's mailbox.
pub const SUPPORT_DESK: &str = "desk@support.example";

/// Where a test database comes from: a PostgreSQL server if the variable is set.
pub const PG_VAR: &str = "SWITCHYARD_TEST_DATABASE_URL";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns the app after `adjust` has changed its configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    init_logs();
    let (dir, database_url) = fresh_database().await;
    start(dir, database_url, adjust).await
}

async fn start(
    dir: std::sync::Arc<tempfile::TempDir>,
    database_url: String,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let (app, test_app) = build(dir, database_url, adjust).await;
    tokio::spawn(app.run());
    test_app
}

/// Builds the app as [`spawn_app_with`] does but leaves running it to the test (to stop
/// it with `run_until`, or to read its metrics address first).
pub async fn build_app_with(adjust: impl FnOnce(&mut Config)) -> (Application, TestApp) {
    init_logs();
    let (dir, database_url) = fresh_database().await;
    build(dir, database_url, adjust).await
}

async fn build(
    dir: std::sync::Arc<tempfile::TempDir>,
    database_url: String,
    adjust: impl FnOnce(&mut Config),
) -> (Application, TestApp) {
    let mail_dir = dir.path().join("mail");
    let mut config = Config {
        database_url: SecretString::from(database_url.clone()),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_url: "http://127.0.0.1:0".into(),
        mail: MailConfig::File {
            dir: mail_dir.clone(),
        },
        mail_from: "Switchyard <no-reply@switchyard.localhost>".into(),
        sandbox: true,
        seed_demo: true,
        catalog_path: None,
        assets_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets"),
        secret_key: SecretString::from("test-secret-key-test-secret-key-0123456789"),
        rate_limits: RateLimits::default(),
        trusted_proxies: Vec::new(),
        gateway_token: Some(SecretString::from(GATEWAY_TOKEN)),
        health_check: HealthCheckConfig::default(),
        webhook_secret: Some(SecretString::from(WEBHOOK_SECRET)),
        platform: PlatformConfig {
            token: Some(SecretString::from(PLATFORM_TOKEN)),
            ..PlatformConfig::default()
        },
        support_email: SUPPORT_DESK.into(),
        sunsets: Vec::new(),
        // Tests run the chores themselves, on the day they choose.
        maintenance_interval: None,
        stall_days: 7,
        screenshot_retention_days: switchyard::config::DEFAULT_SCREENSHOT_RETENTION_DAYS,
        server: Default::default(),
        outbox: Default::default(),
        charts: Default::default(),
    };
    adjust(&mut config);
    let app = Application::build(config).await.expect("the app builds");
    let address = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    let jobs = app.jobs().clone();
    let test_app = TestApp {
        address,
        db,
        mail_dir,
        client: new_client(),
        database_url,
        jobs,
        _dir: dir,
    };
    (app, test_app)
}

impl TestApp {
    /// Another instance on the same database and mail directory (a restart, or a second
    /// server behind a load balancer), with its own configuration changes.
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        start(self._dir.clone(), self.database_url.clone(), adjust).await
    }

    /// A file in this test's temporary directory.
    pub fn temp_file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self._dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

/// A temporary directory and a new database: a SQLite file in it, or a database of its
/// own on the PostgreSQL server.
async fn fresh_database() -> (std::sync::Arc<tempfile::TempDir>, String) {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("tempdir"));
    let database_url = match std::env::var(PG_VAR) {
        Ok(server) => fresh_postgres_database(&server).await,
        Err(_) => format!("sqlite://{}", dir.path().join("switchyard.db").display()),
    };
    (dir, database_url)
}

/// Creates an empty database on the PostgreSQL server at `server_url` for one test.
async fn fresh_postgres_database(server_url: &str) -> String {
    let name = format!(
        "sy_test_{}",
        switchyard::domain::credentials::random_token(6)
    );
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("{PG_VAR} is set but PostgreSQL is not reachable: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (base, query) = server_url
        .split_once('?')
        .map(|(b, q)| (b, format!("?{q}")))
        .unwrap_or((server_url, String::new()));
    let base = &base[..base.rfind('/').expect("a database URL has a path")];
    format!("{base}/{name}{query}")
}

fn init_logs() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn")
            .with_test_writer()
            .try_init();
    }
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"")
            .expect("the page has a form with a CSRF token")
    }

    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    #[track_caller]
    pub fn assert_redirect_to(&self, path: &str) {
        assert!(
            self.status.is_redirection(),
            "expected a redirect, got {}: {}",
            self.status,
            self.body
        );
        assert_eq!(self.location.as_deref(), Some(path));
    }
}

pub fn between(haystack: &str, start: &str, end: &str) -> Option<String> {
    let from = haystack.find(start)? + start.len();
    let len = haystack[from..].find(end)?;
    Some(haystack[from..from + len].to_owned())
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

impl TestApp {
    /// Another browser whose every request asks for `lang` (`Accept-Language`).
    pub fn browser_in(&self, lang: &str) -> TestApp {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_str(lang).unwrap(),
        );
        TestApp {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .cookie_store(true)
                .default_headers(headers)
                .user_agent("Firefox/128.0")
                .build()
                .unwrap(),
            ..self.another_browser()
        }
    }

    /// Makes the database refuse every insert into `table` for which `when` (an SQL
    /// condition on `NEW`, the same on both databases) holds, as a full disk or a broken
    /// row would.
    pub async fn refuse_inserts(&self, table: &str, when: &str) {
        let sql: Vec<String> = match self.db.backend {
            switchyard::store::Backend::Sqlite => vec![format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN {when} \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )],
            switchyard::store::Backend::Postgres => vec![
                format!(
                    "CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN \
                     IF {when} THEN RAISE EXCEPTION 'refused'; END IF; \
                     RETURN NEW; END $$ LANGUAGE plpgsql"
                ),
                format!(
                    "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"
                ),
            ],
        };
        for statement in sql {
            sqlx::query(&statement)
                .execute(&self.db.pool)
                .await
                .unwrap();
        }
    }

    /// Undoes [`TestApp::refuse_inserts`] on `table`.
    pub async fn allow_inserts(&self, table: &str) {
        let sql = match self.db.backend {
            switchyard::store::Backend::Sqlite => format!("DROP TRIGGER refuse_{table}"),
            switchyard::store::Backend::Postgres => {
                format!("DROP TRIGGER refuse_{table} ON {table}")
            }
        };
        sqlx::query(&sql).execute(&self.db.pool).await.unwrap();
    }

    /// Another browser behind a load balancer, which forwards its address as `ip`
    /// (`X-Forwarded-For`; believed when the app trusts 127.0.0.1 as a proxy).
    pub fn browser_at(&self, ip: &str) -> TestApp {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            reqwest::header::HeaderValue::from_str(ip).unwrap(),
        );
        TestApp {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .cookie_store(true)
                .default_headers(headers)
                .build()
                .unwrap(),
            ..self.another_browser()
        }
    }

    /// The same app seen from another browser (its own cookies, so its own session).
    pub fn another_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            db: self.db.clone(),
            mail_dir: self.mail_dir.clone(),
            client: new_client(),
            database_url: self.database_url.clone(),
            jobs: self.jobs.clone(),
            _dir: self._dir.clone(),
        }
    }

    /// This browser's CSRF token (from an anonymous session if not signed in).
    pub async fn csrf(&self) -> String {
        let home = self.get("/").await;
        if home.status.is_success() {
            home.csrf()
        } else {
            self.get("/signin").await.csrf()
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self.client.get(self.url(path)).send().await.expect("GET");
        into_page(res).await
    }

    /// Asks for `path` expecting the 500 page, and checks that the page names the
    /// request's id (that of its log lines, and of `X-Request-Id`), so the fault can be
    /// found.
    pub async fn assert_internal_error(&self, path: &str) {
        let res = self.client.get(self.url(path)).send().await.expect("GET");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = res.text().await.unwrap();
        assert!(body.contains(&id), "the page shows {id}: {body}");
    }

    /// A GET whose body is not read (for streams): status and redirect only.
    pub async fn get_headers(&self, path: &str) -> Page {
        let res = self.client.get(self.url(path)).send().await.expect("GET");
        Page {
            status: res.status(),
            location: res
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: String::new(),
        }
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST");
        into_page(res).await
    }

    /// Sends a DELETE (machine routes have some).
    pub async fn delete(&self, path: &str) -> Page {
        let res = self
            .client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE");
        into_page(res).await
    }

    /// A PUT with an empty JSON object, as a stray client would send.
    pub async fn put(&self, path: &str) -> Page {
        let res = self
            .client
            .put(self.url(path))
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("PUT");
        into_page(res).await
    }

    /// Posts a multipart form (an upload), as a browser does.
    pub async fn multipart(&self, path: &str, form: reqwest::multipart::Form) -> Page {
        let res = self
            .client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("POST");
        into_page(res).await
    }

    /// Posts a form with the session's CSRF token, as the page's own form would.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf().await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Asks for a sign-in link for `email`.
    pub async fn request_sign_in(&self, email: &str) -> Page {
        let form = self.get("/signin").await;
        assert_eq!(form.status, StatusCode::OK);
        self.post("/signin", &[("csrf", &form.csrf()), ("email", email)])
            .await
    }

    /// Signs in the way a person does: request a link, open it from the email, confirm.
    pub async fn sign_in(&self, email: &str) {
        let before = self.sign_in_links(email);
        let sent = self.request_sign_in(email).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let link = self.wait_for_new_sign_in_link(email, &before).await;
        let path = link
            .strip_prefix(&self.address)
            .expect("the link points at this app");
        let confirm = self.get(path).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        let token = between(&confirm.body, "name=\"token\" value=\"", "\"").unwrap();
        let done = self
            .post(
                "/auth/confirm",
                &[("csrf", &confirm.csrf()), ("token", &token)],
            )
            .await;
        done.assert_redirect_to("/");
    }

    /// How many emails `email` has received so far.
    pub fn emails_to(&self, email: &str) -> usize {
        std::fs::read_dir(&self.mail_dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| {
                        std::fs::read_to_string(e.path())
                            .is_ok_and(|t| t.contains(&format!("To: {email}")))
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    /// Waits for an email to `email` beyond the `before` already there, and returns the
    /// link in the newest one. Emails are sent after the response.
    pub async fn wait_for_new_link(&self, email: &str, before: usize) -> String {
        let arrived =
            async || self.emails_to(email) > before && self.last_link_sent_to(email).is_some();
        eventually(&format!("a new email with a link to {email}"), arrived).await;
        self.last_link_sent_to(email).expect("the email has a link")
    }

    /// Waits for a sign-in link to `email` that is not one of `before`. Other mail to the
    /// same person (an invitation delivered a moment late) is not mistaken for it.
    pub async fn wait_for_new_sign_in_link(&self, email: &str, before: &[String]) -> String {
        let new = || {
            self.sign_in_links(email)
                .into_iter()
                .find(|l| !before.contains(l))
        };
        eventually(&format!("a new sign-in link to {email}"), async || {
            new().is_some()
        })
        .await;
        new().expect("the link is still there")
    }

    /// Every sign-in link emailed to `email` so far.
    pub fn sign_in_links(&self, email: &str) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .filter(|text| text.contains(&format!("To: {email}")))
            .filter_map(|text| link_in(&try_decode_body(&text)?))
            .filter(|link| link.contains("/auth/confirm?token="))
            .collect()
    }

    /// Gives work done after a response (sending email) time to finish, for tests that
    /// check something did *not* happen.
    pub async fn settle(&self) {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    /// The sign-in link in the newest email to `email` in the mail directory.
    pub fn last_link_sent_to(&self, email: &str) -> Option<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&self.mail_dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| {
                Some((
                    e.metadata().ok()?.modified().ok()?,
                    std::fs::read_to_string(e.path()).ok()?,
                ))
            })
            .filter(|(_, text)| text.contains(&format!("To: {email}")))
            .collect();
        mails.sort();
        link_in(&try_decode_body(&mails.last()?.1)?)
    }

    /// Moves rehearsal `id` (and the platform's window) to run from `start` to `end`, as
    /// if the clock had come to it.
    pub async fn move_rehearsal(&self, id: i64, start: i64, end: i64) {
        for sql in [
            "UPDATE rehearsals SET starts_at = $1, ends_at = $2 WHERE id = $3",
            "UPDATE sandbox_brownouts SET starts_at = $1, ends_at = $2 \
             WHERE id = (SELECT brownout_id FROM rehearsals WHERE id = $3)",
        ] {
            sqlx::query(sql)
                .bind(start)
                .bind(end)
                .bind(id)
                .execute(&self.db.pool)
                .await
                .unwrap();
        }
    }

    /// Waits for the chores to write rehearsal `id`'s report.
    pub async fn wait_for_report(&self, id: i64) {
        let sql =
            format!("SELECT COUNT(*) FROM rehearsals WHERE id = {id} AND reported_at IS NOT NULL");
        eventually(&format!("rehearsal {id}'s report"), async || {
            self.scalar(&sql).await == 1
        })
        .await;
    }

    /// Ends rehearsal `id` (begun at `start`) at the next second, and waits for that
    /// second to pass: whatever was done until now fell inside its window.
    pub async fn end_rehearsal(&self, id: i64, start: i64) {
        let end = switchyard::store::now() + 1;
        self.move_rehearsal(id, start, end).await;
        while switchyard::store::now() <= end {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Adds a staff account the way an operator does on the command line.
    pub async fn add_staff(
        &self,
        email: &str,
        role: switchyard::domain::access::StaffRole,
        partner: Option<&str>,
    ) {
        // A write from the start: the chores may write meanwhile.
        let mut tx = self.db.begin().await.unwrap();
        switchyard::store::users::add_staff(&mut tx, email, role, partner)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    pub fn emails_sent(&self) -> usize {
        std::fs::read_dir(&self.mail_dir)
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// The served OpenAPI document.
    pub async fn openapi(&self) -> serde_json::Value {
        let res = self.client.get(self.url("/api/openapi.json")).send().await;
        res.unwrap().json().await.unwrap()
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .expect(sql)
    }

    /// Runs the `switchyard` command line against this app's database.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"));
        command
            .args(args)
            .env("SWITCHYARD_DATABASE_URL", &self.database_url)
            .env(
                "SWITCHYARD_SECRET_KEY",
                "cli-test-key-cli-test-key-0123456789",
            )
            .env("RUST_LOG", "error");
        output(command).await
    }
}

/// Waits until `check` holds, looking every 40 ms; fails the test naming `what` after 20 s.
/// It returns as soon as the check holds, so the long deadline costs a passing test
/// nothing and gives a loaded CI machine room.
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not happen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
}

/// Runs `command` to its end off the test's runtime thread. A `#[tokio::test]` has one
/// thread, and the app under test runs on it: blocked there, a chore that had begun its
/// write to the SQLite file could not commit, and a command writing the same file waited
/// out its busy timeout and failed with "database is locked".
pub async fn output(mut command: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("the command runs"))
        .await
        .unwrap()
}

async fn into_page(res: reqwest::Response) -> Page {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    Page {
        status,
        location,
        body: res.text().await.unwrap(),
    }
}

/// Undoes the transfer encoding lettre chose for the body (7bit, quoted-printable, base64).
pub fn decode_body(raw: &str) -> String {
    try_decode_body(raw).expect("the email's body decodes")
}

/// The body, or `None` while it does not decode: lettre writes an email's file in place,
/// so a reader that polls may find it half written, and looks again.
pub fn try_decode_body(raw: &str) -> Option<String> {
    let raw = raw.replace("\r\n", "\n");
    let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    Some(if headers.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .ok()?;
        String::from_utf8(bytes).ok()?
    } else if headers.contains("Content-Transfer-Encoding: quoted-printable") {
        let soft = body.replace("=\n", "");
        let mut out = Vec::new();
        let bytes = soft.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && u8::from_str_radix(&soft[i + 1..i + 3], 16).is_ok()
            {
                out.push(u8::from_str_radix(&soft[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    } else {
        body.to_owned()
    })
}

/// The first link in an email's body, if the body goes on after it: a link at the very
/// end of what was read may be cut short by a file still being written.
fn link_in(body: &str) -> Option<String> {
    let start = body.find("http://")?;
    let link: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (body.len() > start + link.len()).then_some(link)
}

/// The demo store and its administrator used across the tests.
pub const STORE: &str = "4711";
pub const ADMIN: &str = "anna@kaffebaren.example";
/// The administrator of another store: signed in, but not allowed on `STORE`.
pub const OTHER_ADMIN: &str = "ola@nordlys.example";

pub fn path(p: &str) -> String {
    format!("/stores/{STORE}{p}")
}
