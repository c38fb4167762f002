//! Signed platform events, measured on a real instance over HTTP:
//! - ingest rate of signed events, beside raw INSERTs of the same rows (the limit): API
//!   errors, which are only recorded, and orders on a store whose upgrade is under way,
//!   which are weighed against it;
//! - detection latency: event sent → Server-Sent Event received by an open page,
//!   p50/p99 over 1,000 events.
//!
//! `cargo bench --bench events` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database),
//! `SWITCHYARD_BENCH_EVENTS=N` for another number of ingested events (10,000).
//! Prints numbers; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{sync::Arc, time::Instant};

use common::{EventKind, event_request, percentile};
use switchyard::store;

const CONCURRENCY: usize = 16;
/// Raw writers each hold a connection, so no more than the pool has.
const RAW_WRITERS: usize = 8;
const LATENCY_EVENTS: usize = 1_000;

#[tokio::main]
async fn main() {
    let database = common::database();
    let backend = database.backend;
    let (base, db) = common::start(&database, true).await;
    let client = reqwest::Client::new();
    let ingest_events = common::env_number("SWITCHYARD_BENCH_EVENTS", 10_000);
    // The demo store is being upgraded, so each of its orders is weighed against its
    // upgrade, as during the migration.
    let store_id = store::stores::find_by_legacy_id(&db.pool, common::STORE)
        .await
        .unwrap()
        .unwrap()
        .id;
    store::upgrades::get_or_start(&db, store_id, "kpm-kp")
        .await
        .unwrap();

    println!(
        "Switchyard signed platform events on {backend} ({} cores)",
        common::cores()
    );
    println!(
        "ingest, {ingest_events} events of each kind, {CONCURRENCY} concurrent; the limit is the faster of \
         {RAW_WRITERS} raw INSERT writers and one, each on its own connection"
    );
    // A first round, not counted, so neither side meets a cold database.
    signed_events(&base, ingest_events / 10, EventKind::Order, "warmup").await;
    raw_inserts(
        &db,
        ingest_events / 10,
        RAW_WRITERS,
        EventKind::Order,
        "warmup",
    )
    .await;
    println!("                                     signed events/s   raw INSERTs/s   ratio");
    for (name, kind) in [
        ("api.error (recorded)", EventKind::ApiError),
        ("order.created (store upgrading)", EventKind::Order),
    ] {
        let signed = signed_events(&base, ingest_events, kind, "ingest").await;
        let raw_many = raw_inserts(&db, ingest_events, RAW_WRITERS, kind, "many").await;
        let raw_one = raw_inserts(&db, ingest_events, 1, kind, "one").await;
        let raw = raw_many.max(raw_one);
        println!(
            "  {name:<34} {signed:>15.0} {raw:>15.0} {:>7.2}",
            signed / raw
        );
    }

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

    println!("detection latency, event sent → SSE received, {LATENCY_EVENTS} events:");
    println!("  p50 {:>7.2} ms", percentile(&latencies, 0.50));
    println!("  p99 {:>7.2} ms", percentile(&latencies, 0.99));
    println!(
        "  max {:>7.2} ms",
        latencies.last().copied().unwrap_or_default()
    );
}

/// Sends `count` signed events of `kind` (ids named after `run`) over HTTP, CONCURRENCY
/// connections at a time;
/// events per second. The platform's work, building and signing each event, is done
/// before the clock starts.
async fn signed_events(base: &str, count: usize, kind: EventKind, run: &str) -> f64 {
    let events: Vec<Vec<u8>> = (0..count)
        .map(|n| common::event_bytes(&format!("evt_{run}_{kind:?}_{n}"), kind))
        .collect();
    let events = Arc::new(events);
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (base, next, events) = (base.to_owned(), next.clone(), events.clone());
        workers.push(tokio::spawn(async move {
            let mut connection = common::Connection::open(&base).await;
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(event) = events.get(n) else { break };
                let status = connection.send(event).await;
                assert_eq!(status, 200, "event {n} was refused");
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// Inserts `count` rows like the events' of `kind` straight into the table, `writers` at
/// a time, each on a connection of its own; rows per second.
async fn raw_inserts(
    db: &store::Db,
    count: usize,
    writers: usize,
    kind: EventKind,
    run: &'static str,
) -> f64 {
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..writers {
        let (db, next) = (db.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            // Each writer keeps its connection: no pool in between, the fastest way in.
            let mut conn = db.pool.acquire().await.unwrap();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let id = format!("evt_raw_{run}_{kind:?}_{n}");
                let sql = match kind {
                    EventKind::ApiError => {
                        "INSERT INTO order_events (event_id, kind, legacy_store_id, order_id, environment, amount, \
                         currency, received_at, store_id, created_at, user_agent, error_code, correlation_id) \
                         VALUES ($1, 'api.error', '4711', '', 'live', 0, '', $2, 1, $2, 'bench', 'BENCH', $1)"
                    }
                    EventKind::Order => {
                        "INSERT INTO order_events (event_id, kind, legacy_store_id, order_id, environment, amount, \
                         currency, received_at, store_id, created_at) \
                         VALUES ($1, 'order.created', '4711', $1, 'live', 12900, 'SEK', $2, 1, $2)"
                    }
                };
                sqlx::query(sql)
                .bind(&id)
                .bind(store::now())
                .execute(&mut *conn)
                .await
                .unwrap();
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    count as f64 / started.elapsed().as_secs_f64()
}
