//! What the benchmarks share: their database (a temporary SQLite file, or
//! `SWITCHYARD_BENCH_DATABASE_URL`), a started instance, a signed-in store admin and signed
//! platform events. Each bench uses part of it.
#![allow(dead_code)]

use secrecy::SecretString;
use switchyard::{
    Application,
    config::Config,
    domain::{platform_event, sha256_hex},
    store,
};

/// The platform's signing secret the instances are given.
pub const SECRET: &str = "whsec_bench_0123456789abcdef";
/// A demo store and its registered admin.
pub const STORE: &str = "4711";
pub const ADMIN: &str = "anna@kaffebaren.example";

/// Where the bench's data lives; the directory goes when this is dropped.
pub struct Database {
    pub url: String,
    pub backend: &'static str,
    pub dir: tempfile::TempDir,
}

pub fn database() -> Database {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("SWITCHYARD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    Database { url, backend, dir }
}

/// A number from the environment, or the default.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// An instance on a free port, without background chores; its base URL and database.
pub async fn start(database: &Database, seed_demo: bool) -> (String, store::Db) {
    let mut config = Config::load(None).unwrap();
    config.database_url = SecretString::from(database.url.clone());
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.base_url = "http://127.0.0.1:0".into();
    config.mail = switchyard::config::MailConfig::Memory;
    config.seed_demo = seed_demo;
    config.maintenance_interval = None;
    config.webhook_secret = Some(SecretString::from(SECRET));
    let app = Application::build(config).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    tokio::spawn(app.run());
    (base, db)
}

/// A session for `email` (a new account if need be); the cookie's value.
pub async fn signed_in(db: &store::Db, email: &str) -> String {
    let cookie = switchyard::domain::credentials::random_token(32);
    let mut tx = db.begin().await.unwrap();
    let user = store::users::upsert(&mut tx, email).await.unwrap();
    store::sessions::create(&mut *tx, &sha256_hex(&cookie), Some(user), "bench-csrf")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    cookie
}

/// The kinds of platform event the benches send, all about the demo store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An API error: recorded, nothing more.
    ApiError,
    /// A new order on the legacy store: recorded and weighed against the store's upgrade.
    Order,
    /// A call to the platform's API with the legacy store's ID: recorded and summed into
    /// the store's traffic (one row per store, service, ID and day: every call of the run
    /// meets the same row).
    ApiCall,
}

/// A platform event for the demo store and its signature.
fn signed_event(id: &str, kind: EventKind) -> (String, String) {
    let body = match kind {
        EventKind::ApiError => serde_json::json!({
            "id": id, "type": "api.error", "created_at": "2026-11-23T10:00:00Z",
            "data": {"legacy_store_id": STORE, "error_code": "BENCH", "correlation_id": id,
                     "user_agent": "bench"}
        }),
        EventKind::Order => serde_json::json!({
            "id": id, "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
            "data": {"legacy_store_id": STORE, "order_id": id, "environment": "live",
                     "amount": 12_900, "currency": "SEK"}
        }),
        EventKind::ApiCall => serde_json::json!({
            "id": id, "type": "api.call", "created_at": "2026-11-23T10:00:00Z",
            "data": {"legacy_store_id": STORE, "service": "order_management",
                     "endpoint": "/ordermanagement/v1/orders/o1/captures", "status": 201,
                     "user_agent": "bench"}
        }),
    }
    .to_string();
    let signature = platform_event::sign(SECRET.as_bytes(), store::now(), body.as_bytes());
    (body, signature)
}

/// A signed API error of the store `eid`, ready to send.
pub fn error_of_store(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    eid: &str,
) -> reqwest::RequestBuilder {
    let body = serde_json::json!({
        "id": id, "type": "api.error", "created_at": "2026-11-23T10:00:00Z",
        "data": {"legacy_store_id": eid, "error_code": "BENCH", "correlation_id": id,
                 "user_agent": "bench"}
    })
    .to_string();
    let signature = platform_event::sign(SECRET.as_bytes(), store::now(), body.as_bytes());
    client
        .post(format!("{base}/platform/v1/events"))
        .header(platform_event::SIGNATURE_HEADER, signature)
        .body(body)
}

/// A signed platform event (an API error) for the demo store, ready to send.
pub fn event_request(client: &reqwest::Client, base: &str, id: &str) -> reqwest::RequestBuilder {
    let (body, signature) = signed_event(id, EventKind::ApiError);
    client
        .post(format!("{base}/platform/v1/events"))
        .header(platform_event::SIGNATURE_HEADER, signature)
        .body(body)
}

/// A signed event as the bytes of an HTTP/1.1 request, for [`Connection`].
pub fn event_bytes(id: &str, kind: EventKind) -> Vec<u8> {
    let (body, signature) = signed_event(id, kind);
    format!(
        "POST /platform/v1/events HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n\
         {}: {signature}\r\ncontent-length: {}\r\n\r\n{body}",
        platform_event::SIGNATURE_HEADER,
        body.len()
    )
    .into_bytes()
}

/// One keep-alive HTTP/1.1 connection that sends prepared requests and reads the
/// status of each answer: a load generator that costs little beside the server it
/// measures, as `wrk` is for the pages.
pub struct Connection {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub async fn open(base: &str) -> Self {
        let addr = base.trim_start_matches("http://");
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Sends `request` and reads the whole answer; its status code.
    pub async fn send(&mut self, request: &[u8]) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.stream.write_all(request).await.unwrap();
        self.buf.clear();
        let head = loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            assert_ne!(
                self.stream.read_buf(&mut self.buf).await.unwrap(),
                0,
                "connection closed"
            );
        };
        let text = std::str::from_utf8(&self.buf[..head]).unwrap();
        let status = text[9..12].parse().unwrap();
        let length: usize = text
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .expect("a content-length");
        while self.buf.len() < head + length {
            assert_ne!(
                self.stream.read_buf(&mut self.buf).await.unwrap(),
                0,
                "connection closed"
            );
        }
        status
    }
}

/// The value below which `p` of the sorted values fall.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

/// CPU time (user and system) this process has used so far, from `/proc/self/stat`.
pub fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The fields after the command name, which is in parentheses and may hold spaces;
    // utime and stime are the 14th and 15th fields of the line, in clock ticks.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / clock_ticks_per_second()
}

/// The kernel's clock tick (`getconf CLK_TCK`), 100 on Linux.
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
