//! A wizard step page under load: `wrk` at 64 connections against Switchyard's terms
//! step (session, access check, upgrade, acceptance, render, every middleware), beside
//! the limit: a bare axum handler on the same machine and database running the same seven
//! queries and answering a few bytes of HTML.
//!
//! `cargo bench --bench wizard` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).
//! `SWITCHYARD_BENCH_SECONDS` sets each run's length (default 10). Needs `wrk` on the
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
use sqlx::{AnyPool, Row};
use switchyard::{domain::sha256_hex, store};

const CONNECTIONS: usize = 64;

/// What wrk measured.
struct Run {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    failed: u64,
}

/// `wrk --latency` against `url` with the session cookie.
fn wrk(url: &str, cookie: &str, seconds: u64) -> Run {
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
    }
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

/// The limit: the queries Switchyard's terms page runs (the session with its user, the
/// user's account and partners, the store, membership, the upgrade and its latest
/// acceptance), with the same SQL, and no middleware, access rules or rendering.
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
    let now = store::now();
    let session = sqlx::query(
        "SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, u.email \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2 \
         AND s.last_seen_at > $3 AND (s.user_id IS NULL OR u.disabled_at IS NULL)",
    )
    .bind(sha256_hex(cookie))
    .bind(now)
    .bind(now - store::sessions::SESSION_IDLE)
    .fetch_optional(&pool)
    .await
    .map_err(fail)?
    .ok_or(StatusCode::UNAUTHORIZED)?;
    let user_id: i64 = session.try_get("user_id").map_err(fail)?;
    let user = sqlx::query(
        "SELECT id, email, role, disabled_at, created_at, last_sign_in_at, lang FROM users \
         WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&pool)
    .await
    .map_err(fail)?;
    let email: String = user.try_get("email").map_err(fail)?;
    sqlx::query("SELECT partner_id FROM partner_managers WHERE user_id = $1 ORDER BY partner_id")
        .bind(user_id)
        .fetch_all(&pool)
        .await
        .map_err(fail)?;
    let store = sqlx::query(
        "SELECT id, legacy_store_id, name, product, admin_email, countries, platform, store_url, partner_id, \
         created_at FROM stores WHERE legacy_store_id = $1",
    )
    .bind(&eid)
    .fetch_optional(&pool)
    .await
    .map_err(fail)?
    .ok_or(StatusCode::NOT_FOUND)?;
    let store_id: i64 = store.try_get("id").map_err(fail)?;
    let name: String = store.try_get("name").map_err(fail)?;
    sqlx::query("SELECT COUNT(*) FROM store_members WHERE store_id = $1 AND email = $2")
        .bind(store_id)
        .bind(&email)
        .fetch_one(&pool)
        .await
        .map_err(fail)?;
    let upgrade = sqlx::query(
        "SELECT id, store_id, path_id, step, global_enabled, merchant_id, test_merchant_id, checklist, \
         legacy_warned_at, test_order_id, test_order_status, created_at, updated_at, completed_at, progressed_at \
         FROM upgrades WHERE store_id = $1",
    )
    .bind(store_id)
    .fetch_optional(&pool)
    .await
    .map_err(fail)?;
    // Not started yet: Switchyard shows the first step of an unsaved upgrade (id 0).
    let (upgrade_id, step) = match upgrade {
        Some(u) => (
            u.try_get::<i64, _>("id").map_err(fail)?,
            u.try_get::<String, _>("step").map_err(fail)?,
        ),
        None => (0, "terms".to_owned()),
    };
    sqlx::query(
        "SELECT path_id, document_body, user_email, document_title, document_version, document_sha256, \
         accepted_at FROM terms_acceptances WHERE upgrade_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(upgrade_id)
    .fetch_optional(&pool)
    .await
    .map_err(fail)?;
    Ok(Html(format!(
        "<!doctype html><title>{name}</title><h1>{name}</h1><p>{step}</p>"
    )))
}

#[tokio::main]
async fn main() {
    let seconds = common::env_number("SWITCHYARD_BENCH_SECONDS", 10) as u64;
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
    for url in [&switchyard, &limit] {
        let res = client
            .get(url)
            .header("cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{url}");
        assert!(res.text().await.unwrap().contains("Kaffebaren"), "{url}");
    }

    // wrk blocks; the servers keep running on the runtime's other threads.
    let runs = tokio::task::spawn_blocking(move || {
        wrk(&limit, &cookie, 2); // warm-up, not counted
        let bare = wrk(&limit, &cookie, seconds);
        wrk(&switchyard, &cookie, 2);
        let page = wrk(&switchyard, &cookie, seconds);
        (bare, page)
    })
    .await
    .unwrap();
    let (bare, page) = runs;
    println!(
        "Wizard terms page on {backend} ({} cores), wrk {CONNECTIONS} connections, {seconds} s each",
        common::cores()
    );
    println!("                              requests/s      p50 ms      p99 ms   non-2xx");
    for (name, run) in [
        ("bare axum, same queries", &bare),
        ("Switchyard terms page", &page),
    ] {
        println!(
            "  {name:<26} {:>11.0} {:>11.2} {:>11.2} {:>9}",
            run.requests_per_second, run.p50_ms, run.p99_ms, run.failed
        );
    }
    println!(
        "  ratio (Switchyard / limit) {:>11.2}",
        page.requests_per_second / bare.requests_per_second
    );
}
