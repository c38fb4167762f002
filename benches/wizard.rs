//! A wizard step page under load: `wrk` at 64 connections against Switchyard's terms
//! step (session, access check, upgrade, acceptance, render, every middleware), beside
//! the limit: a bare axum handler on the same machine and database running the same
//! queries through the same store functions, and answering a few bytes of HTML.
//!
//! `cargo bench --bench wizard` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).
//! Each side runs `SWITCHYARD_BENCH_ROUNDS` times (default 5) for `SWITCHYARD_BENCH_SECONDS`
//! (default 5), taking turns; the medians are printed. Needs `wrk` on the
//! PATH (Debian package `wrk`). Prints numbers; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Html,
    routing::get,
};
use common::STORE;
use sqlx::AnyPool;
use switchyard::{domain::sha256_hex, store};

const CONNECTIONS: usize = 64;

/// What wrk measured.
struct Run {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    failed: u64,
    /// CPU time this process (both servers, not wrk) spent per request: steadier than
    /// requests/s on a shared machine.
    cpu_us_per_request: f64,
}

/// `wrk --latency` against `url` with the session cookie.
fn wrk(url: &str, cookie: &str, seconds: u64) -> Run {
    let cpu_before = common::process_cpu_seconds();
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{CONNECTIONS}"), &format!("-d{seconds}s")])
        .args([
            "--latency",
            "-H",
            &format!("Cookie: sy_session={cookie}"),
            url,
        ])
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let cpu = common::process_cpu_seconds() - cpu_before;
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
            .unwrap_or_else(|| panic!("wrk printed no {prefix:?}:\n{text}"))
    };
    Run {
        requests_per_second: field("Requests/sec:").parse().unwrap(),
        p50_ms: millis(field("50%")),
        p99_ms: millis(field("99%")),
        failed: text
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("Non-2xx or 3xx responses:"))
            .map_or(0, |n| n.trim().parse().unwrap()),
        cpu_us_per_request: cpu * 1e6 / requests(&text),
    }
}

/// How many requests wrk completed ("  41234 requests in 5.00s, …").
fn requests(text: &str) -> f64 {
    text.lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("wrk printed no request count:\n{text}"))
}

/// wrk's durations: `812.00us`, `3.21ms`, `1.02s`.
fn millis(value: &str) -> f64 {
    for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] {
        if let Some(n) = value.strip_suffix(unit) {
            return n.parse::<f64>().unwrap() * factor;
        }
    }
    panic!("unknown duration {value:?}")
}

/// The limit: the queries Switchyard's terms page runs (the session with its account, the
/// store with the caller's membership, the upgrade, its latest acceptance once there is
/// one, the product's coming brownout), through the same store functions, so the same SQL
/// by construction; and no middleware, access rules or rendering.
async fn bare_terms(
    State(pool): State<AnyPool>,
    Path(eid): Path<String>,
    headers: HeaderMap,
) -> Result<Html<String>, StatusCode> {
    let fail = |_| StatusCode::INTERNAL_SERVER_ERROR;
    let cookie = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sy_session="))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    // As Switchyard does: every query on the one connection of the request.
    let mut conn = pool.acquire().await.map_err(fail)?;
    let session = store::sessions::find_live(&mut *conn, &sha256_hex(cookie))
        .await
        .map_err(fail)?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let email = session.email.ok_or(StatusCode::UNAUTHORIZED)?;
    let (store, _) = store::stores::find_with_membership(&mut *conn, &eid, &email)
        .await
        .map_err(fail)?
        .ok_or(StatusCode::NOT_FOUND)?;
    let upgrade = store::upgrades::for_store(&mut *conn, store.id)
        .await
        .map_err(fail)?;
    if let Some(u) = &upgrade {
        store::terms::latest_acceptance(&mut *conn, u.id)
            .await
            .map_err(fail)?;
    }
    switchyard::app::brownouts::coming_for(&mut conn, &store, store::now())
        .await
        .map_err(fail)?;
    // Not started yet: Switchyard shows the first step of an unsaved upgrade.
    let step = upgrade.map_or_else(|| "terms".to_owned(), |u| u.step.as_str().to_owned());
    let name = &store.name;
    Ok(Html(format!(
        "<!doctype html><title>{name}</title><h1>{name}</h1><p>{step}</p>"
    )))
}

#[tokio::main]
async fn main() {
    let seconds = common::env_number("SWITCHYARD_BENCH_SECONDS", 5) as u64;
    let rounds = common::env_number("SWITCHYARD_BENCH_ROUNDS", 5);
    let database = common::database();
    let backend = database.backend;
    let (base, db) = common::start(&database, true).await;
    let switchyard = format!("{base}/stores/{STORE}/upgrade/terms");
    // The store's admin, signed in; the demo has not started their upgrade.
    let cookie = common::signed_in(&db, common::ADMIN).await;

    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let limit = format!(
        "http://{}/stores/{STORE}/upgrade/terms",
        bare.local_addr().unwrap()
    );
    let router = Router::new()
        .route("/stores/{eid}/upgrade/terms", get(bare_terms))
        .with_state(db.pool.clone());
    tokio::spawn(async move { axum::serve(bare, router).await });

    // Both answer the page before anything is measured.
    let client = reqwest::Client::new();
    let mut sizes = Vec::new();
    for url in [&limit, &switchyard] {
        let res = client
            .get(url)
            .header("cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let body = res.text().await.unwrap();
        assert!(body.contains("Kaffebaren"), "{url}");
        sizes.push(body.len());
    }

    // wrk blocks; the servers keep running on the runtime's other threads. The two take
    // turns, round after round, so a slow moment of the machine falls on both.
    let runs = tokio::task::spawn_blocking(move || {
        wrk(&limit, &cookie, 2); // warm-up, not counted
        wrk(&switchyard, &cookie, 2);
        let mut runs = Vec::new();
        for _ in 0..rounds {
            runs.push((
                wrk(&limit, &cookie, seconds),
                wrk(&switchyard, &cookie, seconds),
            ));
        }
        runs
    })
    .await
    .unwrap();
    println!(
        "Wizard terms page on {backend} ({} cores), wrk {CONNECTIONS} connections, {rounds} rounds of {seconds} s each, medians",
        common::cores()
    );
    println!(
        "                              requests/s      p50 ms      p99 ms   non-2xx   CPU µs/request   body bytes"
    );
    let (bare, page): (Vec<Run>, Vec<Run>) = runs.into_iter().unzip();
    for ((name, runs), size) in [
        ("bare axum, same queries", &bare),
        ("Switchyard terms page", &page),
    ]
    .into_iter()
    .zip(sizes)
    {
        let median = |f: fn(&Run) -> f64| median(runs.iter().map(f).collect());
        println!(
            "  {name:<26} {:>11.0} {:>11.2} {:>11.2} {:>9} {:>16.0} {size:>12}",
            median(|r| r.requests_per_second),
            median(|r| r.p50_ms),
            median(|r| r.p99_ms),
            runs.iter().map(|r| r.failed).sum::<u64>(),
            median(|r| r.cpu_us_per_request),
        );
    }
    let ratios: Vec<f64> = bare
        .iter()
        .zip(&page)
        .map(|(b, p)| p.requests_per_second / b.requests_per_second)
        .collect();
    println!(
        "  ratio (Switchyard / limit) {:>11.2}   (rounds: {})",
        median(ratios.clone()),
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    common::percentile(&values, 0.5)
}
