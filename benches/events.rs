//! Signed platform events, measured on a real instance over HTTP:
//! - ingest rate of signed events, beside raw INSERTs of the same rows (the limit);
//! - detection latency: event sent → Server-Sent Event received by an open page,
//!   p50/p99 over 1,000 events.
//!
//! `cargo bench --bench events` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).
//! Prints numbers; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{sync::Arc, time::Instant};

use common::{event_request, percentile};
use switchyard::store;

const INGEST_EVENTS: usize = 2_000;
const CONCURRENCY: usize = 16;
const LATENCY_EVENTS: usize = 1_000;

#[tokio::main]
async fn main() {
    let database = common::database();
    let backend = database.backend;
    let (base, db) = common::start(&database, true).await;
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
                let res = event_request(&client, &base, &format!("evt_ingest_{n}"))
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
                .bind(format!("evt_raw_{n}"))
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
    let cookie = common::signed_in(&db, common::ADMIN).await;
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
        let request = event_request(&client, &base, &format!("evt_latency_{n}"));
        let sent = Instant::now();
        let post = request.send();
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
        common::cores()
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
