//! Live watchers: the server (`switchyard serve`, its own process, release build) is given
//! 10,000 Server-Sent Event streams of the test-purchase page, each on its own connection
//! as browser tabs would open them. It measures the server's resident memory (from /proc)
//! before and after, `/healthz` while the streams are open, and how long one platform
//! event takes to reach every stream.
//!
//! `cargo bench --bench watchers` uses a temporary SQLite file and one instance. Set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` (an empty database) for PostgreSQL: then
//! two instances share it, the streams are split between them, and the event is sent to
//! the first, so half the streams hear of it through the database.
//! `SWITCHYARD_BENCH_WATCHERS` changes the number of streams. Prints numbers; asserts
//! nothing about them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::{SECRET, STORE, percentile};
use secrecy::SecretString;
use switchyard::{app::demo::LEGACY_DEMO_STORE, store};

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

/// One `switchyard serve` process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database: &common::Database, watchers: usize, index: usize) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("serve")
            .env("SWITCHYARD_DATABASE_URL", &database.url)
            .env("SWITCHYARD_BIND", format!("127.0.0.1:{port}"))
            .env("SWITCHYARD_BASE_URL", &base)
            .env(
                "SWITCHYARD_MAIL_DIR",
                database.dir.path().join(format!("mail{index}")),
            )
            .env("SWITCHYARD_WEBHOOK_SECRET", SECRET)
            .env("SWITCHYARD_MAINTENANCE_MINUTES", "0")
            // Room for every stream and the bench's own requests.
            .env("SWITCHYARD_MAX_CONNECTIONS", (watchers + 100).to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the switchyard binary starts");
        Self { child, base }
    }

    async fn ready(&self, client: &reqwest::Client) {
        let started = Instant::now();
        while client
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .is_err()
        {
            assert!(started.elapsed() < Duration::from_secs(60), "server start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn rss(&self) -> (f64, f64) {
        rss_mib(self.child.id())
    }

    /// CPU seconds the server has spent, user and system.
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // After the command's name in parentheses: utime and stime are fields 14 and 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` sequential `/healthz` requests on one kept-alive connection, in milliseconds, sorted.
async fn healthz(base: &str, n: usize) -> Vec<f64> {
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let res = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        res.bytes().await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

fn summary(sorted: &[f64]) -> String {
    if sorted.is_empty() {
        return "none".into();
    }
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} requests)",
        percentile(sorted, 0.5),
        percentile(sorted, 0.99),
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

#[tokio::main]
async fn main() {
    let watchers = common::env_number("SWITCHYARD_BENCH_WATCHERS", 10_000);
    let database = common::database();
    let backend = database.backend;
    let instances = if database.url.starts_with("postgres") {
        2
    } else {
        1
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    // One after the other: the first migrates the database and adds the demo data.
    let mut servers = Vec::new();
    for i in 0..instances {
        let server = Server::start(&database, watchers, i);
        server.ready(&client).await;
        servers.push(server);
    }

    // The store's admin, signed in, from the bench's own connection to the database.
    let db = store::Db::connect(&SecretString::from(database.url.clone()))
        .await
        .unwrap();
    let cookie = common::signed_in(&db, common::ADMIN).await;
    let mut idle = Vec::new();
    for server in &servers {
        let page = client
            .get(format!("{}/stores/{STORE}/upgrade", server.base))
            .header("cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert!(page.status().is_success(), "{}", page.status());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for server in &servers {
        idle.push(server.rss().0);
    }

    // Every stream on its own connection, taken in turn by the instances; each is read
    // from the start, and notes when the change arrives.
    let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM order_events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let opened = Instant::now();
    let mut readers = Vec::with_capacity(watchers);
    for i in 0..watchers {
        let instance = i % instances;
        let mut stream = client
            .get(format!(
                "{}/stores/{STORE}/upgrade/live?after={latest}",
                servers[instance].base
            ))
            .header("cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        readers.push((
            instance,
            tokio::spawn(async move {
                loop {
                    let chunk = stream.chunk().await.unwrap().expect("stream open");
                    if String::from_utf8_lossy(&chunk).contains("event: changed") {
                        // Still open: closed at once, the 10,000 streams' ends were
                        // counted in the fan-out they follow.
                        return (Instant::now(), stream);
                    }
                }
            }),
        ));
    }
    let open_seconds = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let watching: Vec<f64> = servers.iter().map(|s| s.rss().0).collect();
    let quiet = healthz(&servers[0].base, 1_000).await;

    // Events of another store, which no stream watches: what each costs the servers with
    // the streams open, one after the other.
    const ELSEWHERE: usize = 200;
    let cpu_before: f64 = servers.iter().map(Server::cpu_seconds).sum();
    for n in 0..ELSEWHERE {
        let res = common::error_of_store(
            &client,
            &servers[0].base,
            &format!("evt_watchers_elsewhere_{n}"),
            LEGACY_DEMO_STORE,
        )
        .send()
        .await
        .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cpu_elsewhere = (servers.iter().map(Server::cpu_seconds).sum::<f64>() - cpu_before)
        * 1000.0
        / ELSEWHERE as f64;

    // One event, sent to the first instance, while `/healthz` is asked on the same one.
    let base = servers[0].base.clone();
    let probing = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut times = Vec::new();
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            let started = Instant::now();
            let res = client.get(format!("{base}/healthz")).send().await.unwrap();
            res.bytes().await.unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        times
    });
    let request = common::event_request(&client, &servers[0].base, "evt_watchers_1");
    let cpu_before: Vec<f64> = servers.iter().map(Server::cpu_seconds).collect();
    let readers_cpu_before = common::process_cpu_seconds();
    let sent = Instant::now();
    let res = request.send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let mut arrivals = vec![Vec::new(); instances];
    let mut told = Vec::with_capacity(watchers);
    for (instance, reader) in readers {
        if let Ok(Ok((at, stream))) = tokio::time::timeout(Duration::from_secs(10), reader).await {
            arrivals[instance].push((at - sent).as_secs_f64() * 1000.0);
            told.push(stream);
        }
    }
    // Up to the last arrival (or the readers' timeout), `/healthz` included.
    let fan_out_cpu: Vec<f64> = servers
        .iter()
        .zip(&cpu_before)
        .map(|(s, before)| (s.cpu_seconds() - before) * 1000.0)
        .collect();
    let readers_cpu = (common::process_cpu_seconds() - readers_cpu_before) * 1000.0;
    // The pages have heard; now they close (a browser's would reload).
    drop(told);
    let busy = probing.await.unwrap();

    println!(
        "Live watchers on {backend} ({} cores), {watchers} streams over {instances} instance(s), \
         opened in {open_seconds:.1} s",
        common::cores()
    );
    for (i, server) in servers.iter().enumerate() {
        let streams = watchers / instances + usize::from(i < watchers % instances);
        let (after, peak) = server.rss();
        println!("instance {i}: {streams} streams");
        println!("  RSS idle, after one page         {:>8.1} MiB", idle[i]);
        println!(
            "  RSS with the streams open        {:>8.1} MiB   (target 100 MB = 95.4 MiB)",
            watching[i]
        );
        println!(
            "  per stream                       {:>8.1} KiB",
            (watching[i] - idle[i]) * 1024.0 / streams as f64
        );
        println!("  RSS after the event              {after:>8.1} MiB   (peak {peak:.1})");
        let mut times = std::mem::take(&mut arrivals[i]);
        times.sort_by(f64::total_cmp);
        let heard = if i == 0 {
            "sent here"
        } else {
            "through the database"
        };
        if times.is_empty() {
            println!("  the event reached none of them ({heard})");
        } else {
            println!(
                "  the event ({heard}) reached {} of {streams}: p50 {:.0} ms, last {:.0} ms   (target 250 ms)",
                times.len(),
                percentile(&times, 0.5),
                times[times.len() - 1],
            );
        }
        println!(
            "  CPU from the event to the last arrival {:>6.0} ms",
            fan_out_cpu[i]
        );
    }
    println!("the bench's readers meanwhile: {readers_cpu:.0} ms of CPU");
    println!(
        "an event of another store, watched by none of them: {cpu_elsewhere:.2} ms of the servers' CPU each ({ELSEWHERE} events)"
    );
    println!("/healthz on instance 0 (target p99 20 ms)");
    println!("  with the streams open            {}", summary(&quiet));
    println!("  while the event fans out         {}", summary(&busy));
}
