//! Signed platform events, measured on a real instance over HTTP:
//! - ingest rate of signed events, beside raw INSERTs of the same rows (the limit): API
//!   errors, which are only recorded, and orders on a store whose upgrade is under way,
//!   which are weighed against it;
//! - detection latency: event sent → Server-Sent Event received by an open page,
//!   p50/p99 over 1,000 events;
//! - the store's "what still uses the legacy store" table once the store has
//!   `SWITCHYARD_BENCH_STORE_EVENTS` (1,000,000) calls over 200 days: the query alone and
//!   the store's overview page over HTTP, p50/p95.
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
/// Raw writers each hold a connection: the app's pool has 8, a second pool 8 more.
const RAW_WRITERS: usize = 16;
const LATENCY_EVENTS: usize = 1_000;

#[tokio::main]
async fn main() {
    let database = common::database();
    let backend = database.backend;
    let (base, db) = common::start(&database, true).await;
    let client = reqwest::Client::new();
    let second = store::Db::connect(&database.url.clone().into())
        .await
        .unwrap();
    let raw = [db.clone(), second];
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
        &raw,
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
        ("api.call (summed per service)", EventKind::ApiCall),
    ] {
        let signed = signed_events(&base, ingest_events, kind, "ingest").await;
        let raw_many = raw_inserts(&raw, ingest_events, RAW_WRITERS, kind, "many").await;
        let raw_one = raw_inserts(&raw, ingest_events, 1, kind, "one").await;
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

    store_traffic(&db, &client, &base, &cookie).await;
}

/// The per-store table and cutover meter of a store with a million events (three in four
/// API calls, one in four live orders from four countries): they are inserted a thousand
/// to a statement (the triggers count each as the intake's insert does) and folded as the
/// chores fold them, then the table and the meter are read alone and with their page.
async fn store_traffic(db: &store::Db, client: &reqwest::Client, base: &str, cookie: &str) {
    let calls = common::env_number("SWITCHYARD_BENCH_STORE_EVENTS", 1_000_000);
    let now = store::now();
    // A thousand rows a statement, each its own transaction, as events arrive; each row
    // appends its traffic and updates its day's meter row by trigger, and a million
    // updates of the same rows in one transaction would leave PostgreSQL walking ever
    // longer chains of row versions.
    let numbers = match db.backend {
        store::Backend::Postgres => "SELECT generate_series($3, $1) AS n",
        store::Backend::Sqlite => {
            "WITH RECURSIVE s(n) AS (SELECT $3 UNION ALL SELECT n + 1 FROM s WHERE n < $1) SELECT n FROM s"
        }
    };
    // Spread over 200 days and the three services, one in ten with the new test ID.
    let sql = format!(
        "INSERT INTO order_events (event_id, kind, legacy_store_id, merchant_id, order_id, environment, amount, \
         currency, received_at, store_id, created_at, user_agent, service, endpoint, status, country) \
         SELECT 'evt_store_' || CAST(n AS TEXT), \
         CASE WHEN n % 4 = 0 THEN 'order.created' ELSE 'api.call' END, \
         CASE WHEN n % 10 = 0 THEN NULL ELSE '4711' END, CASE WHEN n % 10 = 0 THEN 'PK10001' ELSE NULL END, \
         '', 'live', 0, '', $2 - (n % 200) * 86400, 1, $2 - (n % 200) * 86400, 'bench', \
         CASE WHEN n % 4 = 0 THEN NULL WHEN n % 3 = 0 THEN 'checkout' WHEN n % 3 = 1 THEN 'order_management' ELSE 'settlement' END, \
         '/bench', CASE WHEN n % 50 = 0 THEN 500 ELSE 200 END, \
         CASE WHEN n % 4 <> 0 THEN NULL WHEN n % 7 < 3 THEN 'SE' WHEN n % 7 < 5 THEN 'NO' WHEN n % 7 = 5 THEN 'FI' ELSE 'DE' END \
         FROM ({numbers}) numbers"
    );
    // The meter runs from the upgrade's start: make it as old as the events.
    sqlx::query("UPDATE upgrades SET created_at = $1 WHERE store_id = 1")
        .bind(now - 200 * 86_400)
        .execute(&db.pool)
        .await
        .unwrap();
    let insert = |from: usize, to: usize| {
        let sql = &sql;
        async move {
            for first in (from as i64..=to as i64).step_by(1_000) {
                sqlx::query(sql)
                    .bind((first + 999).min(to as i64))
                    .bind(now)
                    .bind(first)
                    .execute(&db.pool)
                    .await
                    .unwrap();
            }
        }
    };
    let started = Instant::now();
    insert(1, calls).await;
    let inserted = started.elapsed();
    // The chores fold what the events appended; the table then also reads what arrived
    // since the last fold, here ten thousand events (ten seconds of a thousand a second).
    let started = Instant::now();
    store::traffic::fold(db).await.unwrap();
    let folded = started.elapsed();
    // The fold deleted a million rows at once; PostgreSQL's autovacuum clears them within
    // its next round (folds every few seconds leave a few rows each).
    if db.backend == store::Backend::Postgres {
        sqlx::query("VACUUM store_traffic_news")
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let unfolded = 10_000;
    insert(calls + 1, calls + unfolded).await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM store_traffic WHERE store_id = 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let days: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM store_orders WHERE store_id = 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    println!(
        "the store's traffic table and cutover meter, {calls} events over 200 days \
         ({rows} summed traffic rows and {unfolded} events not folded yet, {days} meter rows; \
         inserted in {:.1} s, folded in {:.1} s):",
        inserted.as_secs_f64(),
        folded.as_secs_f64()
    );
    let upgrade = store::upgrades::for_store(&db.pool, 1).await.unwrap();
    let mut alone = Vec::new();
    let mut meter = Vec::new();
    let mut page = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let uses = store::traffic::of_store(&db.pool, 1, store::now())
            .await
            .unwrap();
        alone.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!uses.is_empty());
        let t = Instant::now();
        let m = switchyard::app::traffic::meter_of(db, 1, upgrade.as_ref(), None, store::now())
            .await
            .unwrap();
        meter.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(m.is_some_and(|m| !m.meter.is_empty()));
        let t = Instant::now();
        let res = client
            .get(format!("{base}/stores/4711"))
            .header("cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        let body = res.text().await.unwrap();
        assert!(body.contains("id=\"traffic-table\"") && body.contains("id=\"chart-cutover\""));
        page.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    alone.sort_by(f64::total_cmp);
    meter.sort_by(f64::total_cmp);
    page.sort_by(f64::total_cmp);
    println!(
        "  table alone      p50 {:>7.2} ms  p95 {:>7.2} ms",
        percentile(&alone, 0.50),
        percentile(&alone, 0.95)
    );
    println!(
        "  meter alone      p50 {:>7.2} ms  p95 {:>7.2} ms",
        percentile(&meter, 0.50),
        percentile(&meter, 0.95)
    );
    println!(
        "  overview page    p50 {:>7.2} ms  p95 {:>7.2} ms",
        percentile(&page, 0.50),
        percentile(&page, 0.95)
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
/// a time, each on a connection of its own from `dbs` in turn; rows per second.
async fn raw_inserts(
    dbs: &[store::Db],
    count: usize,
    writers: usize,
    kind: EventKind,
    run: &'static str,
) -> f64 {
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for writer in 0..writers {
        let (db, next) = (dbs[writer % dbs.len()].clone(), next.clone());
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
                    EventKind::ApiCall => {
                        "INSERT INTO order_events (event_id, kind, legacy_store_id, order_id, environment, amount, \
                         currency, received_at, store_id, created_at, user_agent, service, endpoint, status) \
                         VALUES ($1, 'api.call', '4711', '', 'live', 0, '', $2, 1, $2, 'bench', 'order_management', \
                         '/ordermanagement/v1/orders/o1/captures', 201)"
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
