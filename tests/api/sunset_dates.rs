//! Sunset dates with a history: an operator moves a product's date (on the page or on the
//! command line), every store of it is told once (email, notice, partner webhook), and the
//! public list shows every change with its reason.

use std::{process::Command, time::Duration};

use reqwest::StatusCode;
use switchyard::domain::access::StaffRole;
use time::{Date, OffsetDateTime};

use crate::helpers::{ADMIN, Page, STORE, TestApp, output, path, spawn_app_with};

const OPERATOR: &str = "ops@platform.example";

fn in_days(days: i64) -> Date {
    OffsetDateTime::now_utc().date() + time::Duration::days(days)
}

/// An app whose KPM closes in 60 days, with chores every 100 ms.
async fn app() -> TestApp {
    spawn_app_with(|c| {
        c.sunsets = vec![("KPM".into(), in_days(60)), ("KCOv2".into(), in_days(200))];
        c.maintenance_interval = Some(Duration::from_millis(100));
        // The partner's webhook listens on this machine.
        c.health_check.allow_private = true;
    })
    .await
}

/// The outbox rows telling stores of sunset changes.
/// An operator moves KPM's sunset to `date` (as typed), for `reason`.
async fn move_kpm(ops: &TestApp, date: &str, reason: &str) -> Page {
    ops.submit(
        "/staff/sunsets",
        &[("product", "KPM"), ("date", date), ("reason", reason)],
    )
    .await
}

async fn told(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'sunset-changed:%'")
        .await
}

async fn wait_for_told(app: &TestApp, n: i64) {
    for _ in 0..100 {
        if told(app).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_operator_moves_a_sunset_and_every_store_of_the_product_is_told_once() {
    let app = app().await;
    app.partners().await;
    let hook = crate::partner::receiver(0).await;
    app.as_partner(crate::partner::PM)
        .await
        .add_webhook(&hook.url)
        .await;
    app.add_staff(OPERATOR, StaffRole::Operator, None).await;
    let ops = app.another_browser();
    ops.sign_in(OPERATOR).await;
    let new = in_days(90).to_string();

    // Refused, each in words, keeping what was typed.
    for (date, reason, says) in [
        (
            in_days(-1).to_string(),
            "x",
            "The new date must be after today.",
        ),
        (new.clone(), " ", "Say why the date changes"),
        (in_days(60).to_string(), "x", "That is already the product"),
        (
            "next summer".to_owned(),
            "x",
            "Enter the date as YYYY-MM-DD.",
        ),
    ] {
        let page = move_kpm(&ops, &date, reason).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(page.has(says), "{says}: {}", page.body);
    }
    assert_eq!(told(&app).await, 0);

    let done = move_kpm(&ops, &new, "Agencies asked for the summer.").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let kpm = app
        .scalar("SELECT COUNT(*) FROM stores WHERE product = 'KPM'")
        .await;
    wait_for_told(&app, kpm).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        told(&app).await,
        kpm,
        "one email per KPM store, however often the chores run"
    );

    // The admin reads it in Swedish, with both dates and the reason.
    let body: String = sqlx::query_scalar(
        "SELECT o.body FROM outbox o JOIN stores s ON o.store_id = s.id \
         WHERE s.legacy_store_id = $1 AND o.idempotency_key LIKE 'sunset-changed:%'",
    )
    .bind(STORE)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let swedish = |d: Date| switchyard::i18n::format::date(switchyard::i18n::Lang::Sv, d);
    assert!(
        body.contains(&format!(
            "stänger nu den {} i stället för den {}",
            swedish(in_days(90)),
            swedish(in_days(60))
        )),
        "{body}"
    );
    assert!(body.contains("Agencies asked for the summer."), "{body}");
    assert!(body.contains("/sunsets"), "{body}");

    // The store's pages say so, and count down to the new date.
    app.sign_in(ADMIN).await;
    let overview = app.get(&path("")).await;
    assert!(overview.has("id=\"sunset-moved\""), "{}", overview.body);

    // The partner hears of each of its stores.
    let events = TestApp::wait_for_events(&hook, 1).await;
    let moved: Vec<_> = events
        .iter()
        .filter(|(kind, _)| kind == "store.sunset_changed")
        .collect();
    assert!(!moved.is_empty(), "{events:?}");
    assert_eq!(moved[0].1["new_sunset"], new.as_str());
    assert_eq!(moved[0].1["reason"], "Agencies asked for the summer.");

    // Anyone reads every change, with its reason.
    let public = app.another_browser().get("/sunsets").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.has("Agencies asked for the summer."));
    assert!(public.has("First announced"), "the seed is listed too");
    // The operator's change is audited.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sunset.changed'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_store_with_its_own_later_date_is_told_only_what_changes_for_it() {
    let app = app().await;
    app.add_staff(OPERATOR, StaffRole::Operator, None).await;
    // Kaffebaren has until day 120, past both dates; Bergkristall until day 75, between.
    for (eid, days) in [(STORE, 120), ("20240", 75)] {
        sqlx::query("UPDATE stores SET extended_sunset = $1 WHERE legacy_store_id = $2")
            .bind(switchyard::domain::sunset::at(in_days(days)))
            .bind(eid)
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    let ops = app.another_browser();
    ops.sign_in(OPERATOR).await;
    let done = move_kpm(
        &ops,
        &in_days(90).to_string(),
        "Agencies asked for the summer.",
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let kpm = app
        .scalar("SELECT COUNT(*) FROM stores WHERE product = 'KPM'")
        .await;
    wait_for_told(&app, kpm - 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(told(&app).await, kpm - 1, "every KPM store but Kaffebaren");
    let body = |eid: &'static str| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT o.body FROM outbox o JOIN stores s ON o.store_id = s.id \
                 WHERE s.legacy_store_id = $1 AND o.idempotency_key LIKE 'sunset-changed:%'",
            )
            .bind(eid)
            .fetch_optional(&app.db.pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(body(STORE).await, None, "its own date does not move");
    // Bergkristall's admin reads German: from its own day 75 to the product's day 90.
    let german = |d: Date| switchyard::i18n::format::date(switchyard::i18n::Lang::De, d);
    let bergkristall = body("20240").await.expect("Bergkristall is told");
    assert!(
        bergkristall.contains(&german(in_days(75))) && bergkristall.contains(&german(in_days(90))),
        "{bergkristall}"
    );
    assert!(
        !bergkristall.contains(&german(in_days(60))),
        "{bergkristall}"
    );
    // Kaffebaren's pages do not say its day moved.
    app.sign_in(ADMIN).await;
    let overview = app.get(&path("")).await;
    assert!(!overview.has("id=\"sunset-moved\""), "{}", overview.body);
}

/// `switchyard sunset …` against the app's database.
async fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("sunset")
        .args(args)
        .env("SWITCHYARD_DATABASE_URL", &app.database_url)
        .env(
            "SWITCHYARD_SECRET_KEY",
            "cli-test-key-cli-test-key-0123456789",
        )
        .env("RUST_LOG", "error");
    output(command).await
}

#[tokio::test]
async fn the_command_line_moves_a_date_and_a_running_server_tells_the_stores() {
    let app = app().await;
    let new = in_days(120).to_string();
    let out = cli(&app, &["set", "KPM", &new, "--reason", "Holiday season"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another configuration in the command's environment changes nothing by itself.
    let out = cli(&app, &["list"]).await;
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(listed.contains(&format!("KPM      {new}")), "{listed}");
    assert!(listed.contains("Holiday season"), "{listed}");

    let kpm = app
        .scalar("SELECT COUNT(*) FROM stores WHERE product = 'KPM'")
        .await;
    wait_for_told(&app, kpm).await;
    assert_eq!(told(&app).await, kpm);
    // The running server applied the new date at its chores.
    app.sign_in(ADMIN).await;
    let overview = app.get(&path("")).await;
    assert!(overview.has("id=\"sunset-moved\""), "{}", overview.body);

    for (args, says) in [
        (
            vec!["set", "KP", &new, "--reason", "x"],
            "Choose a legacy product.",
        ),
        (
            vec!["set", "KPM", "2020-01-01", "--reason", "x"],
            "The new date must be after today.",
        ),
    ] {
        let out = cli(&app, &args).await;
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    }
}

/// An instance that another one beats to every period of the chores still reads a date
/// moved meanwhile: its pages show it, though the telling is left to the other.
#[tokio::test]
async fn an_instance_without_a_turn_still_shows_a_moved_date() {
    let app = app().await;
    // Another instance has the next 20 seconds of turns.
    let period = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        / 100;
    for p in period..period + 200 {
        switchyard::store::chores::claim(&app.db, Duration::from_millis(100), p, "elsewhere")
            .await
            .unwrap();
    }
    let out = cli(
        &app,
        &["set", "KPM", &in_days(120).to_string(), "--reason", "x"],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.sign_in(ADMIN).await;
    let mut shown = false;
    for _ in 0..40 {
        if app.get(&path("")).await.has("id=\"sunset-moved\"") {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(shown, "the moved date is shown");
    assert_eq!(told(&app).await, 0, "no turn ran here");
}

#[tokio::test]
async fn a_start_with_another_configured_date_is_a_change_and_the_same_one_is_not() {
    let app = app().await;
    // The same configuration again: nothing to tell.
    let _same = app
        .another_instance(|c| {
            c.sunsets = vec![("KPM".into(), in_days(60)), ("KCOv2".into(), in_days(200))];
        })
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sunset_changes WHERE product = 'KPM'")
            .await,
        1
    );
    // A new configured date is recorded as the configuration's change, and told.
    let moved = app
        .another_instance(|c| {
            c.sunsets = vec![("KPM".into(), in_days(30)), ("KCOv2".into(), in_days(200))];
        })
        .await;
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM sunset_changes WHERE product = 'KPM' AND changed_by = 'configuration' \
             AND old_date IS NOT NULL"
        )
        .await,
        1
    );
    let kpm = app
        .scalar("SELECT COUNT(*) FROM stores WHERE product = 'KPM'")
        .await;
    wait_for_told(&app, kpm).await;
    assert_eq!(told(&app).await, kpm);
    moved.sign_in(ADMIN).await;
    let overview = moved.get(&path("")).await;
    assert!(overview.has("id=\"sunset-moved\""), "{}", overview.body);
}

/// Countdown reminders follow the new date: a store reminded 30 days before the old date
/// is reminded again 30 days before the new one.
#[tokio::test]
async fn reminders_count_down_to_the_new_date() {
    let app = spawn_app_with(|c| {
        c.sunsets = vec![("KPM".into(), in_days(25)), ("KCOv2".into(), in_days(200))];
        c.maintenance_interval = Some(Duration::from_millis(100));
    })
    .await;
    let reminded = |key: String| {
        let app = &app;
        async move {
            for _ in 0..100 {
                let n = app
                    .scalar(&format!(
                        "SELECT COUNT(*) FROM outbox o JOIN stores s ON s.id = o.store_id \
                         WHERE s.legacy_store_id = '{STORE}' AND o.idempotency_key LIKE '{key}'"
                    ))
                    .await;
                if n > 0 {
                    return n;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            0
        }
    };
    assert_eq!(reminded("sunset:%:30".into()).await, 1);
    let new = in_days(28).to_string();
    let out = cli(
        &app,
        &[
            "set",
            "KPM",
            &new,
            "--reason",
            "Two more days for the holidays",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(reminded(format!("sunset:%:30@{new}")).await, 1);
}
