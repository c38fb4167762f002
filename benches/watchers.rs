//! Memory with 1,000 open live watchers: the server (`switchyard serve`, its own process,
//! release build) is given 1,000 Server-Sent Event streams of the test-purchase page; its
//! resident memory is read from /proc before and after, and one platform event must then
//! reach every stream.
//!
//! `cargo bench --bench watchers` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).
//! `SWITCHYARD_BENCH_WATCHERS` changes the number of streams. Prints numbers; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::{SECRET, STORE};
use secrecy::SecretString;
use switchyard::store;

/// Resident set size now and at its peak, in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or_default()
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() {
    let watchers = common::env_number("SWITCHYARD_BENCH_WATCHERS", 1_000);
    let database = common::database();
    let (database_url, backend) = (database.url.clone(), database.backend);
    let dir = &database.dir;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("serve")
            .env("SWITCHYARD_DATABASE_URL", &database_url)
            .env("SWITCHYARD_BIND", format!("127.0.0.1:{port}"))
            .env("SWITCHYARD_BASE_URL", &base)
            .env("SWITCHYARD_MAIL_DIR", dir.path().join("mail"))
            .env("SWITCHYARD_WEBHOOK_SECRET", SECRET)
            .env("SWITCHYARD_MAINTENANCE_MINUTES", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the switchyard binary starts"),
    );
    let pid = server.0.id();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "server start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The store's admin, signed in, from the bench's own connection to the database.
    let db = store::Db::connect(&SecretString::from(database_url))
        .await
        .unwrap();
    let cookie = common::signed_in(&db, common::ADMIN).await;
    let page = client
        .get(format!("{base}/stores/{STORE}/upgrade"))
        .header("cookie", format!("sy_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_success(), "{}", page.status());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle, _) = rss_mib(pid);

    // Every stream on its own connection, as 1,000 browser tabs would be.
    let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM order_events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let opened = Instant::now();
    let mut streams = Vec::with_capacity(watchers);
    for _ in 0..watchers {
        // A stream holds its connection, so each opens a new one.
        let res = client
            .get(format!("{base}/stores/{STORE}/upgrade/live?after={latest}"))
            .header("cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        streams.push(res);
    }
    let open_seconds = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (watching, _) = rss_mib(pid);

    // One event reaches all of them.
    let request = common::event_request(&client, &base, "evt_watchers_1");
    let sent = Instant::now();
    let res = request.send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let mut waits = Vec::new();
    for mut stream in streams.drain(..) {
        waits.push(tokio::spawn(async move {
            loop {
                let chunk = stream.chunk().await.unwrap().expect("stream open");
                if String::from_utf8_lossy(&chunk).contains("event: changed") {
                    return;
                }
            }
        }));
    }
    let mut reached = 0;
    for w in waits {
        if tokio::time::timeout(Duration::from_secs(10), w)
            .await
            .is_ok()
        {
            reached += 1;
        }
    }
    let fan_out = sent.elapsed().as_secs_f64() * 1000.0;
    let (after, peak) = rss_mib(pid);

    println!(
        "Live watchers on {backend} ({} cores), server process RSS (MiB)",
        common::cores()
    );
    println!("  idle, after one page             {idle:>8.1}");
    println!("  with {watchers} open streams         {watching:>8.1}   (limit 60)");
    println!(
        "  per stream                       {:>8.1} KiB",
        (watching - idle) * 1024.0 / watchers as f64
    );
    println!("  after the event reached them     {after:>8.1}   (peak {peak:.1})");
    println!(
        "  streams opened in {open_seconds:.2} s; one event reached {reached} of {watchers} in {fan_out:.0} ms"
    );
}
