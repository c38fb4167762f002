//! Signed platform events, measured on a real instance over HTTP:
//! - ingest rate of signed events, beside raw INSERTs of the same rows (the limit);
//! - detection latency: event sent → Server-Sent Event received by an open page,
//!   p50/p99 over 1,000 events.
//!
//! `cargo bench --bench events` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).
//! Prints numbers; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Instant};

use secrecy::SecretString;
use switchyard::{
    Application,
    config::Config,
    domain::{platform_event, sha256_hex},
    store,
};

const SECRET: &str = "whsec_bench_0123456789abcdef";
const INGEST_EVENTS: usize = 2_000;
const CONCURRENCY: usize = 16;
const LATENCY_EVENTS: usize = 1_000;

fn event(n: usize, prefix: &str) -> String {
    serde_json::json!({
        "id": format!("evt_{prefix}_{n}"), "type": "api.error", "created_at": "2026-11-23T10:00:00Z",
        "data": {"legacy_store_id": "4711", "error_code": "BENCH", "correlation_id": format!("c{n}"),
                 "user_agent": "bench"}
    })
    .to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = std::env::var("SWITCHYARD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let backend = if database_url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let mut config = Config::load(None).unwrap();
    config.database_url = SecretString::from(database_url);
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.base_url = "http://127.0.0.1:0".into();
    config.mail = switchyard::config::MailConfig::Memory;
    config.seed_demo = true;
    config.webhook_secret = Some(SecretString::from(SECRET));
    let app = Application::build(config).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    tokio::spawn(app.run());
    let client = reqwest::Client::new();

    // Ingest: signed events over HTTP, CONCURRENCY at a time.
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, base, next) = (client.clone(), base.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= INGEST_EVENTS {
                    break;
                }
                let body = event(n, "ingest");
                let sig = platform_event::sign(SECRET.as_bytes(), store::now(), body.as_bytes());
                let res = client
                    .post(format!("{base}/platform/v1/events"))
                    .header(platform_event::SIGNATURE_HEADER, sig)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let signed_rate = INGEST_EVENTS as f64 / started.elapsed().as_secs_f64();

    // The limit: the same rows inserted straight into the table, CONCURRENCY at a time.
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (db, next) = (db.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= INGEST_EVENTS {
                    break;
                }
                sqlx::query(
                    "INSERT INTO order_events (event_id, kind, legacy_store_id, order_id, environment, amount, currency, \
                     received_at, store_id, created_at, user_agent, error_code, correlation_id) \
                     VALUES ($1, 'api.error', '4711', '', 'live', 0, '', $2, 1, $2, 'bench', 'BENCH', $3)",
                )
                .bind(format!("evt_raw_{n}"))
                .bind(store::now())
                .bind(format!("c{n}"))
                .execute(&db.pool)
                .await
                .unwrap();
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let raw_rate = INGEST_EVENTS as f64 / started.elapsed().as_secs_f64();

    // Latency: an open page's live stream, signed in as the store's admin.
    let cookie = switchyard::web::session::random_token(32);
    let mut tx = db.begin().await.unwrap();
    let user = store::users::upsert(&mut tx, "anna@kaffebaren.example")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store::sessions::create(&db.pool, &sha256_hex(&cookie), Some(user), "csrf")
        .await
        .unwrap();
    let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM order_events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let mut stream = client
        .get(format!("{base}/stores/4711/upgrade/live?after={latest}"))
        .header("cookie", format!("sy_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200, "the live stream opens");
    let mut latencies = Vec::with_capacity(LATENCY_EVENTS);
    for n in 0..LATENCY_EVENTS {
        let body = event(n, "latency");
        let sig = platform_event::sign(SECRET.as_bytes(), store::now(), body.as_bytes());
        let sent = Instant::now();
        let post = client
            .post(format!("{base}/platform/v1/events"))
            .header(platform_event::SIGNATURE_HEADER, sig)
            .body(body)
            .send();
        let (res, ()) = tokio::join!(post, async {
            loop {
                let chunk = stream
                    .chunk()
                    .await
                    .unwrap()
                    .expect("the stream stays open");
                if String::from_utf8_lossy(&chunk).contains("event: changed") {
                    break;
                }
            }
        });
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        assert!(res.unwrap().status().is_success());
    }
    latencies.sort_by(f64::total_cmp);

    println!(
        "Switchyard signed platform events on {backend} ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("ingest, {INGEST_EVENTS} events, {CONCURRENCY} concurrent:");
    println!("  signed events over HTTP   {signed_rate:>9.0} events/s");
    println!("  raw INSERTs (the limit)   {raw_rate:>9.0} rows/s");
    println!(
        "  ratio                     {:>9.2}",
        signed_rate / raw_rate
    );
    println!("detection latency, event sent → SSE received, {LATENCY_EVENTS} events:");
    println!("  p50 {:>7.2} ms", percentile(&latencies, 0.50));
    println!("  p99 {:>7.2} ms", percentile(&latencies, 0.99));
    println!(
        "  max {:>7.2} ms",
        latencies.last().copied().unwrap_or_default()
    );
}
