//! The partner dashboard and support search at 100,000 stores and 1,000,000 platform
//! events, measured over HTTP on a
//! real instance: p50/p95 page time for the views a partner manager uses most, and the
//! time to the first and the last byte of the CSV export of the whole cohort.
//!
//! `cargo bench --bench dashboard` uses a temporary SQLite file; set
//! `SWITCHYARD_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database), or
//! `sqlite:///path/file.db` to keep the SQLite file. `SWITCHYARD_BENCH_STORES` changes the
//! number of stores. A database that holds the stores of an earlier run at the same scale
//! is measured again without seeding. Prints numbers; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use common::percentile;
use switchyard::{domain::access::StaffRole, domain::sha256_hex, store};

const PARTNER: &str = "Bench Partner";
const REQUESTS: usize = 40;
/// Each CSV export is downloaded this many times: one download's time varies with what
/// else the two cores are scheduling.
const EXPORTS: usize = 3;
const STEPS: [&str; 6] = [
    "terms",
    "account",
    "credentials",
    "integration",
    "test-purchase",
    "complete",
];
const PLATFORMS: [&str; 4] = ["woocommerce", "magento2", "shopify", "prestashop"];
const COUNTRIES: [&str; 5] = ["SE", "NO;SE", "FI", "DK", "DE;AT"];
const EVENT_KINDS: [&str; 3] = ["order.created", "order.captured", "api.error"];
/// 100,000 stores make 1,000,000 events.
const EVENTS_PER_STORE: usize = 10;

/// A cheap deterministic spread (no rand dependency needed for a seed).
fn spread(i: usize, m: usize) -> usize {
    (i.wrapping_mul(2_654_435_761) >> 7) % m
}

async fn seed(db: &store::Db, stores: usize) -> i64 {
    sqlx::query("INSERT INTO partners (name) VALUES ($1)")
        .bind(PARTNER)
        .execute(&db.pool)
        .await
        .unwrap();
    let partner: i64 = sqlx::query_scalar("SELECT id FROM partners WHERE name = $1")
        .bind(PARTNER)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let now = store::now();
    let mut tx = db.begin().await.unwrap();
    for chunk in (0..stores).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO stores (legacy_store_id, name, product, admin_email, countries, platform, store_url, partner_id, created_at, name_folded) VALUES ",
        );
        let rows: Vec<String> = chunk
            .iter()
            .map(|i| {
                // One store in ten has a Swedish name, for the accent-aware search.
                let (name, folded) = if i % 10 == 4 {
                    (format!("Älvsjö Café {i}"), format!("alvsjo cafe {i}"))
                } else {
                    (format!("Store {i}"), format!("store {i}"))
                };
                format!(
                    "('{}', '{name}', '{}', 'admin{i}@bench.example', '{}', '{}', 'https://s{i}.example', {partner}, {now}, '{folded}')",
                    9_000_000 + i,
                    if i % 3 == 0 { "KCOv2" } else { "KPM" },
                    COUNTRIES[spread(*i, COUNTRIES.len())],
                    PLATFORMS[spread(*i + 7, PLATFORMS.len())],
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    // 60 % have started; their steps, progress and completion times spread out.
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM stores WHERE partner_id = $1 ORDER BY id")
            .bind(partner)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    for chunk in ids.chunks(500) {
        let rows: Vec<String> = chunk
            .iter()
            .filter(|id| spread(**id as usize, 10) < 6)
            .map(|id| {
                let step = STEPS[spread(*id as usize + 3, STEPS.len())];
                let progressed = now - (spread(*id as usize + 11, 60 * 24) as i64) * 3600;
                let completed = if step == "complete" { progressed.to_string() } else { "NULL".into() };
                let path = "kpm-kp";
                format!("({id}, '{path}', '{step}', 1, {progressed}, {progressed}, {progressed}, {completed})")
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let sql = format!(
            "INSERT INTO upgrades (store_id, path_id, step, global_enabled, created_at, updated_at, progressed_at, completed_at) VALUES {}",
            rows.join(", ")
        );
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    // Half the completed stores archived their legacy reports (sunset readiness).
    sqlx::query(
        "UPDATE stores SET legacy_archived_at = $1 WHERE upgrade_completed_at IS NOT NULL AND id % 2 = 0",
    )
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    // The platform's events for these stores: EVENTS_PER_STORE each on average.
    let total_events = stores * EVENTS_PER_STORE;
    for start in (0..total_events).step_by(1_000) {
        let rows: Vec<String> = (start..(start + 1_000).min(total_events))
            .map(|n| {
                let i = spread(n, ids.len());
                let at = now - (spread(n + 5, 90 * 24) as i64) * 3600;
                format!(
                    "('evt_bench_{n}', '{}', '{}', 'order_{n}', 'live', 1000, 'SEK', {at}, {}, {at}, '', '', '')",
                    EVENT_KINDS[n % EVENT_KINDS.len()],
                    9_000_000 + i,
                    ids[i],
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO order_events (event_id, kind, legacy_store_id, order_id, environment, amount, currency, \
             received_at, store_id, created_at, user_agent, error_code, correlation_id) VALUES {}",
            rows.join(", ")
        );
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    // As the periodic chores would have (the bench runs none).
    store::tallies::fold(db).await.unwrap();
    sqlx::query(analyze(db.backend))
        .execute(&db.pool)
        .await
        .unwrap();
    partner
}

/// Fresh planner statistics and (on PostgreSQL) a visibility map, as a long-running
/// database has them from autovacuum.
fn analyze(backend: store::Backend) -> &'static str {
    match backend {
        store::Backend::Sqlite => "ANALYZE",
        store::Backend::Postgres => "VACUUM ANALYZE",
    }
}

/// What the outbox holds after a season of work, all of it delivered: a reminder for
/// every other store (the CSV's last-reminded column reads them), and a sign-in link and
/// a webhook for each.
async fn seed_outbox(db: &store::Db) {
    let now = store::now();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM stores ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    for chunk in ids.chunks(500) {
        let rows: Vec<String> = chunk
            .iter()
            .flat_map(|id| {
                let at = now - (spread(*id as usize + 13, 30 * 24) as i64) * 3600;
                let row = |key: &str, kind: &str, lane: &str| {
                    format!("('{key}:{id}', '{kind}', '{lane}', {id}, {at}, 'admin@bench.example', 'Bench', '', {at}, {at})")
                };
                let mut rows = vec![
                    row("sign-in", "email", "urgent"),
                    row("webhook", "webhook", "webhook"),
                ];
                if id % 2 == 0 {
                    rows.push(row("stall", "email", "bulk"));
                }
                rows
            })
            .collect();
        let sql = format!(
            "INSERT INTO outbox (idempotency_key, kind, lane, store_id, created_at, recipient, subject, \
             body, next_attempt_at, sent_at) VALUES {}",
            rows.join(", ")
        );
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE outbox")
        .execute(&db.pool)
        .await
        .unwrap();
}

/// A signed-in session for a new staff member; the cookie value.
async fn session(db: &store::Db, email: &str, role: StaffRole, partner: Option<&str>) -> String {
    let mut tx = db.begin().await.unwrap();
    // A database kept from an earlier run has them already.
    match store::users::add_staff(&mut tx, email, role, partner).await {
        Ok(_) | Err(store::users::StaffError::AlreadyStaff(..)) => {}
        Err(e) => panic!("{e}"),
    }
    let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let value = format!("bench-session-{email}-{}", store::now());
    store::sessions::create(&mut *tx, &sha256_hex(&value), Some(user), "bench-csrf")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    value
}

async fn measure(client: &reqwest::Client, base: &str, cookie: &str, path: &str) -> (f64, f64) {
    let mut times = Vec::with_capacity(REQUESTS);
    for i in 0..=REQUESTS {
        let started = Instant::now();
        let res = client
            .get(format!("{base}{path}"))
            .header("Cookie", format!("sy_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.bytes().await.unwrap();
        // The first request warms caches; it is not counted.
        if i > 0 {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.95))
}

#[tokio::main]
async fn main() {
    let stores = common::env_number("SWITCHYARD_BENCH_STORES", 100_000);
    let database = common::database();
    let backend = database.backend;
    let (base, db) = common::start(&database, false).await;

    // A database given by URL that holds the bench's stores already (kept from an earlier
    // run, at the same scale) is measured as it is, after this build's migrations: seeding
    // a million stores takes longer than measuring them.
    let seeded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stores s JOIN partners p ON p.id = s.partner_id WHERE p.name = $1",
    )
    .bind(PARTNER)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let started = Instant::now();
    if seeded == 0 {
        seed(&db, stores).await;
        seed_outbox(&db).await;
        println!(
            "{backend}: seeded {stores} stores and {} events in {:.1} s",
            stores * EVENTS_PER_STORE,
            started.elapsed().as_secs_f64()
        );
    } else {
        assert_eq!(
            seeded as usize, stores,
            "the kept database has another scale"
        );
        sqlx::query(analyze(db.backend))
            .execute(&db.pool)
            .await
            .unwrap();
        println!("{backend}: measuring the {seeded} stores already in the database");
    }
    let pm = session(
        &db,
        "pm@bench.example",
        StaffRole::PartnerManager,
        Some(PARTNER),
    )
    .await;
    let agent = session(&db, "agent@bench.example", StaffRole::Support, None).await;
    let client = reqwest::Client::new();
    println!("{backend}: page time over {REQUESTS} requests each (ms)");
    let last_page = stores.div_ceil(50);
    // Stalled: started, not complete, no step for 7 days (given, not the configured default).
    let stalled: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stores WHERE upgrade_step <> 'complete' AND upgrade_progressed_at <= $1",
    )
    .bind(store::now() - 7 * 86_400)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let stalled_last = (stalled as usize).div_ceil(50).max(1);
    let mut views = vec![
        (
            "dashboard, first page".to_owned(),
            pm.as_str(),
            "/partner".to_owned(),
        ),
        (
            "dashboard, at-risk filter".into(),
            pm.as_str(),
            "/partner?risk=at-risk".to_owned(),
        ),
        (
            "dashboard, product+country".into(),
            pm.as_str(),
            "/partner?product=KCOv2&country=SE".to_owned(),
        ),
        (
            "dashboard, name search".into(),
            pm.as_str(),
            "/partner?q=Store%2012345".to_owned(),
        ),
        (
            "dashboard, accented search".into(),
            pm.as_str(),
            "/partner?q=%C3%84LVSJ%C3%96%20caf%C3%A9%2012".to_owned(),
        ),
    ];
    // The last page of every sort, both ways.
    for sort in ["name", "eid", "step", "activity", "idle", "risk"] {
        for dir in ["asc", "desc"] {
            views.push((
                format!("dashboard, {sort} {dir}, last page"),
                pm.as_str(),
                format!("/partner?sort={sort}&dir={dir}&page={last_page}"),
            ));
        }
    }
    // The risk sort's slowest page: the middle of its largest class (at risk), as far
    // from either end of the class as a page can be.
    let at_risk = client
        .get(format!("{base}/partner?risk=at-risk"))
        .header("Cookie", format!("sy_session={pm}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at_risk: usize = at_risk
        .split("Stores matching: ")
        .nth(1)
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit() && c != ',').next())
        .map(|n| n.replace(',', ""))
        .and_then(|n| n.parse().ok())
        .expect("the at-risk count on the page");
    views.extend([
        (
            "dashboard, risk sort, middle page".into(),
            pm.as_str(),
            format!("/partner?sort=risk&page={}", last_page / 2),
        ),
        (
            "dashboard, risk sort, middle of at-risk".into(),
            pm.as_str(),
            format!("/partner?sort=risk&page={}", at_risk / 2 / 50),
        ),
        (
            "legacy store still used (filter)".into(),
            pm.as_str(),
            "/partner?legacy=calling".to_owned(),
        ),
        (
            "ready for the sunset (filter)".into(),
            pm.as_str(),
            "/partner?sunset=ready".to_owned(),
        ),
        (
            "not ready for the sunset (filter)".into(),
            pm.as_str(),
            "/partner?sunset=not-ready".to_owned(),
        ),
        (
            "order management not seen (filter)".into(),
            pm.as_str(),
            "/partner?order_management=missing".to_owned(),
        ),
        (
            "remind all at risk, preview".into(),
            pm.as_str(),
            "/partner/remind?risk=at-risk".to_owned(),
        ),
        (
            "stalled list, first page".into(),
            agent.as_str(),
            "/support/stalled?days=7".to_owned(),
        ),
        (
            "stalled list, last page".into(),
            agent.as_str(),
            format!("/support/stalled?days=7&page={stalled_last}"),
        ),
        (
            "support search, EID".into(),
            agent.as_str(),
            "/?q=9012345".to_owned(),
        ),
        (
            "support search, accented name".into(),
            agent.as_str(),
            "/?q=%C3%A4lvsj%C3%B6%20caf%C3%A9%20123".to_owned(),
        ),
    ]);
    breakdown(&db, backend).await;
    for (name, cookie, path) in views {
        let (p50, p95) = measure(&client, &base, cookie, &path).await;
        println!("  {name:<38} p50 {p50:>7.1}  p95 {p95:>7.1}");
    }
    for (name, path) in [
        ("CSV export, every store", "/partner/export.csv"),
        (
            "CSV export, idle sort",
            "/partner/export.csv?sort=idle&dir=desc",
        ),
    ] {
        for _ in 0..EXPORTS {
            export(&client, &base, &pm, backend, name, path).await;
        }
    }
    export_query(&db, backend).await;
}

/// The export's query alone, read to the end without HTTP or CSV: how much of the
/// export's time is the database's.
async fn export_query(db: &store::Db, backend: &str) {
    use futures_util::TryStreamExt;
    use switchyard::{
        domain::risk::Rule,
        store::cohort::{Cohort, Filter, Sort},
    };
    let partners: Vec<i64> = sqlx::query_scalar("SELECT id FROM partners WHERE name = $1")
        .bind(PARTNER)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let filter = Filter::default();
    let cohort = Cohort {
        partners: Some(&partners),
        filter: &filter,
        rule: Rule::with_stall_days(7),
        sunsets: &[("KPM", 1_802_649_600), ("KCOv2", 1_814_400_000)],
        now: store::now(),
    };
    for (name, sort, descending) in [("name", Sort::Name, false), ("idle desc", Sort::Idle, true)] {
        let query = cohort.all_sorted(db.backend, sort, descending);
        let started = Instant::now();
        let mut read = store::cohort::LongRead::start(db).await.unwrap();
        let rows = query
            .fetch(&mut read.conn)
            .try_fold(0, |n, _| async move { Ok(n + 1) })
            .await
            .unwrap();
        read.done().await;
        println!(
            "{backend}: export query alone, {name}: {rows} rows in {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// One download of the partner's whole cohort as CSV: time to the first byte (the header
/// row), to the first store and to the last byte, and the size.
async fn export(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    backend: &str,
    name: &str,
    path: &str,
) {
    let started = Instant::now();
    let mut res = client
        .get(format!("{base}{path}"))
        .header("Cookie", format!("sy_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let ms = || started.elapsed().as_secs_f64() * 1000.0;
    let (mut first_byte, mut first_store, mut bytes, mut lines) = (None, None, 0, 0);
    while let Some(chunk) = res.chunk().await.unwrap() {
        first_byte.get_or_insert_with(ms);
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        if lines > 1 {
            first_store.get_or_insert_with(ms);
        }
    }
    let total = ms();
    println!(
        "{backend}: {name}: {} rows, {:.1} MB, first byte {:.0} ms, first store {:.0} ms, total {total:.0} ms",
        lines.saturating_sub(1),
        bytes as f64 / 1_000_000.0,
        first_byte.unwrap_or(total),
        first_store.unwrap_or(total),
    );
}

/// The dashboard's queries one by one, without HTTP or rendering.
async fn breakdown(db: &store::Db, backend: &str) {
    use switchyard::{
        domain::risk::Rule,
        store::cohort::{Cohort, Filter, Sort},
    };
    let partners: Vec<i64> = sqlx::query_scalar("SELECT id FROM partners WHERE name = $1")
        .bind(PARTNER)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let filter = Filter::default();
    let cohort = Cohort {
        partners: Some(&partners),
        filter: &filter,
        rule: Rule::with_stall_days(7),
        sunsets: &[("KPM", 1_802_649_600), ("KCOv2", 1_814_400_000)],
        now: store::now(),
    };
    let time = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    cohort.page(db, Sort::Name, false, 50, 0).await.unwrap();
    let page = time(t);
    let t = Instant::now();
    cohort.count(db).await.unwrap();
    let count = time(t);
    let t = Instant::now();
    cohort.steps(db).await.unwrap();
    let steps = time(t);
    let t = Instant::now();
    cohort.completions_by_week(db).await.unwrap();
    let completions = time(t);
    println!(
        "{backend}: queries (ms): page {page:.1}, count {count:.1}, steps {steps:.1}, completions {completions:.1}"
    );
}
