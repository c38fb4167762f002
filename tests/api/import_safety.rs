//! Imports that cannot surprise anyone: a dry run first, no reminders before the chosen
//! start date, audited updates, a safe re-run, and platform events recorded while a large
//! file is written.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use switchyard::domain::platform_event::{SIGNATURE_HEADER, sign};

use crate::{
    helpers::eventually,
    helpers::{STORE, TestApp, WEBHOOK_SECRET, path, spawn_app, spawn_app_with},
    import::{HEADER, command, import_bytes, stderr, stdout},
};

fn in_days(days: i64) -> time::Date {
    time::OffsetDateTime::now_utc().date() + time::Duration::days(days)
}

/// The KPM sunset 30 days away, for the app and for the command line.
fn kpm_in_30_days(c: &mut switchyard::config::Config) {
    c.sunsets = vec![("KPM".into(), in_days(30)), ("KCOv2".into(), in_days(200))];
}

fn sunset_env() -> String {
    format!("KPM={},KCOv2={}", in_days(30), in_days(200))
}

async fn import(app: &TestApp, csv: &str, args: &[&str]) -> std::process::Output {
    let env = sunset_env();
    import_bytes(
        app,
        csv.as_bytes(),
        args,
        &[("SWITCHYARD_SUNSET", env.as_str())],
    )
    .await
}

async fn sunset_reminders_for(app: &TestApp, eid: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox o JOIN stores s ON s.id = o.store_id \
         WHERE s.legacy_store_id = $1 AND o.idempotency_key LIKE 'sunset:%'",
    )
    .bind(eid)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

const NEW_AND_CHANGED: &str = "9001,Ny Butik,KPM,ny@butik.example,SE,shopify,https://ny.example,\n\
     9002,Andra Butiken,KPM,andra@butik.example,SE,shopify,https://andra.example,\n\
     4711,Kaffebaren,KPM,nya@kaffebaren.example,SE;NO;FI,woocommerce,https://kaffebaren.example,Nordic Commerce Partners\n";

#[tokio::test]
async fn a_dry_run_changes_nothing_and_says_what_would_change_and_how_many_emails() {
    let app = spawn_app_with(kpm_in_30_days).await;
    let stores = app.scalar("SELECT COUNT(*) FROM stores").await;
    let kpm = app
        .scalar("SELECT COUNT(*) FROM stores WHERE product = 'KPM'")
        .await;
    let out = import(
        &app,
        &format!("{HEADER}{NEW_AND_CHANGED}"),
        &["--dry-run", "--update"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    for expected in [
        "line 2: 9001: new store \"Ny Butik\"",
        "line 3: 9002: new store \"Andra Butiken\"",
        "line 4: 4711: admin_email anna@kaffebaren.example → nya@kaffebaren.example",
        "would import 2 new stores, updated 1, 0 unchanged",
        &format!("{} sunset (before this import: {kpm})", kpm + 2),
        "nothing was changed",
    ] {
        assert!(report.contains(expected), "{expected}\n{report}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stores").await, stores);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM stores WHERE legacy_store_id = '4711' AND admin_email = 'anna@kaffebaren.example'"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import.changed'")
            .await,
        0
    );

    // Held back until tomorrow, the new stores add no reminder to the next run.
    let tomorrow = in_days(1).to_string();
    let out = import(
        &app,
        &format!("{HEADER}{NEW_AND_CHANGED}"),
        &["--dry-run", "--update", "--remind-from", &tomorrow],
    )
    .await;
    let report = stdout(&out);
    assert!(
        report.contains(&format!("{kpm} sunset (before this import: {kpm})")),
        "{report}"
    );
}

#[tokio::test]
async fn imported_stores_get_no_reminder_before_their_start_date() {
    let app = spawn_app_with(kpm_in_30_days).await;
    let tomorrow = in_days(1).to_string();
    let out = import(
        &app,
        &format!("{HEADER}9001,Ny Butik,KPM,ny@butik.example,SE,shopify,https://ny.example,\n"),
        &["--remind-from", &tomorrow],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("no reminder before {tomorrow}T00:00:00Z")));

    let chores = app
        .another_instance(|c| {
            kpm_in_30_days(c);
            c.maintenance_interval = Some(Duration::from_millis(100));
        })
        .await;
    // The chores run: the other KPM stores are reminded, the new one is not.
    eventually("the demo store's reminder", async || {
        sunset_reminders_for(&chores, STORE).await == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sunset_reminders_for(&chores, "9001").await, 0);

    // Once the date has passed, it is.
    sqlx::query("UPDATE stores SET remind_from = $1 WHERE legacy_store_id = '9001'")
        .bind(switchyard::store::now() - 1)
        .execute(&app.db.pool)
        .await
        .unwrap();
    eventually("the new store's reminder", async || {
        sunset_reminders_for(&chores, "9001").await == 1
    })
    .await;
}

#[tokio::test]
async fn update_changes_existing_stores_and_audits_and_reports_each_change() {
    let app = spawn_app().await;
    let csv = format!(
        "{HEADER}4711,Kaffebaren Södermalm,KPM,nya@kaffebaren.example,SE;NO;FI,shopify,https://kaffebaren.example,\n"
    );
    let out = import(&app, &csv, &[]).await;
    assert!(!out.status.success(), "without --update it stays an error");
    assert!(stderr(&out).contains("line 2: legacy store ID 4711 is already imported"));

    let out = import(&app, &csv, &["--update"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    for expected in [
        "line 2: 4711: admin_email anna@kaffebaren.example → nya@kaffebaren.example",
        "line 2: 4711: name Kaffebaren → Kaffebaren Södermalm",
        "line 2: 4711: platform woocommerce → shopify",
        "line 2: 4711: partner Nordic Commerce Partners → (none)",
        "updated 1,",
    ] {
        assert!(report.contains(expected), "{expected}\n{report}");
    }
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM stores WHERE legacy_store_id = '4711' AND admin_email = 'nya@kaffebaren.example' \
             AND platform = 'shopify' AND partner_id IS NULL AND name_folded = 'kaffebaren sodermalm'"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import.changed'")
            .await,
        4
    );
    // The store's audit log says so in its reader's words.
    let admin = app.browser_in("en");
    admin.sign_in("nya@kaffebaren.example").await;
    let log = admin.get(&path("/audit")).await;
    assert!(
        log.has("Import changed the administrator email: anna@kaffebaren.example → nya@kaffebaren.example."),
        "{}",
        log.body
    );

    // The same file again changes nothing: a re-run after a crash is safe.
    let out = import(&app, &csv, &["--update"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("updated 0, 1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import.changed'")
            .await,
        4
    );
}

#[tokio::test]
async fn rows_already_written_by_the_same_file_count_as_unchanged() {
    let app = spawn_app().await;
    let csv = format!(
        "{HEADER}{}",
        &NEW_AND_CHANGED[..NEW_AND_CHANGED.find("4711").unwrap()]
    );
    assert!(import(&app, &csv, &[]).await.status.success());
    let out = import(&app, &csv, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 new stores, updated 0, 2 unchanged"));
}

/// Rows in the large file: enough that writing them takes seconds.
const LARGE: usize = 40_000;

#[tokio::test]
async fn platform_events_keep_succeeding_while_a_large_file_is_imported() {
    let app = spawn_app().await;
    let mut csv = String::from(HEADER);
    for i in 0..LARGE {
        csv.push_str(&format!(
            "{},Butik {i},KPM,admin{i}@butik.example,SE;NO,shopify,https://butik{i}.example,Nordic Commerce Partners\n",
            10_000_000 + i
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("large.csv");
    std::fs::write(&file, csv).unwrap();
    let before = app.scalar("SELECT COUNT(*) FROM stores").await;
    let mut import = command(&app, &file, &[], &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // Events until the import has written its last row.
    let mut sent = 0;
    let mut during = 0;
    loop {
        let done = import.try_wait().unwrap().is_some();
        let written = app.scalar("SELECT COUNT(*) FROM stores").await - before;
        let (status, body) = post_event(&app, &format!("during-{sent}")).await;
        assert!(status.is_success(), "event {sent}: {status} {body}");
        sent += 1;
        if written > 0 && !done {
            during += 1;
        }
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stores").await,
        before + LARGE as i64
    );
    assert!(
        during >= 3,
        "only {during} of {sent} events came while rows were being written"
    );
}

async fn post_event(app: &TestApp, id: &str) -> (StatusCode, String) {
    let body = json!({"id": format!("evt_{id}"), "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
        "data": {"order_id": format!("ord_{id}"), "environment": "live", "amount": 1000, "currency": "SEK",
                 "legacy_store_id": STORE, "user_agent": "WooCommerce/9.4 payments-plugin/2.1"}})
    .to_string();
    let t = switchyard::store::now();
    let res = app
        .client
        .post(app.url("/platform/v1/events"))
        .header(
            SIGNATURE_HEADER,
            sign(WEBHOOK_SECRET.as_bytes(), t, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap_or_default())
}
