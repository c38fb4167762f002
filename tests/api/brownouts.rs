//! Announced brownouts: an operator schedules a platform-wide window for a legacy
//! product; the platform refuses its legacy calls in it; affected stores and their
//! partners' managers are told at the due notice, once; completed stores whose legacy
//! store is quiet are left alone; the store's pages and calendar show it; it can be
//! cancelled before it starts.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use switchyard::domain::access::StaffRole;

use crate::helpers::{ADMIN, Page, TestApp, path, spawn_app_with};

const OPERATOR: &str = "ops@platform.example";

/// An operator schedules a 30-minute brownout of KPM starting at `at`, for `reason`.
async fn schedule(ops: &TestApp, at: i64, reason: &str) -> Page {
    let t = time::OffsetDateTime::from_unix_timestamp(at).unwrap();
    let (date, time) = (
        t.date().to_string(),
        format!("{:02}:{:02}", t.hour(), t.minute()),
    );
    ops.submit(
        "/staff/brownouts",
        &[
            ("product", "KPM"),
            ("date", &date),
            ("time", &time),
            ("minutes", "30"),
            ("reason", reason),
        ],
    )
    .await
}

async fn notices(app: &TestApp, like: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE '{like}'"
    ))
    .await
}

#[tokio::test]
async fn a_brownout_is_announced_to_the_stores_it_bothers_and_refuses_legacy_calls() {
    let app = spawn_app_with(|c| c.maintenance_interval = Some(Duration::from_millis(100))).await;
    app.partners().await;
    app.add_staff(OPERATOR, StaffRole::Operator, None).await;
    // Bergkristall (KPM) completed its upgrade and its legacy store is quiet.
    sqlx::query(
        "UPDATE stores SET upgrade_step = 'complete', legacy_called_at = NULL WHERE legacy_store_id = '20240'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Kaffebaren's admin reads times in Tokyo; the partner's manager has chosen no zone.
    app.sign_in(ADMIN).await;
    app.submit("/account/time-zone", &[("time_zone", "Asia/Tokyo")])
        .await
        .assert_redirect_to("/account#time-zone");
    let ops = app.another_browser();
    ops.sign_in(OPERATOR).await;
    let now = switchyard::store::now();

    // Refused in words: a time gone by, a length not offered.
    let page = schedule(&ops, now - 3_600, "x").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.has("Choose a date and start time to come"),
        "{}",
        page.body
    );

    // Two days ahead: the 3-day notice is due at once, the 14-day one is past.
    let starts = now + 2 * 86_400;
    let done = schedule(&ops, starts, "A rehearsal of the sunset for every store.").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    for _ in 0..100 {
        if notices(&app, "brownout:%:3:pm:%").await > 0
            && notices(&app, "brownout:%:3:%").await >= 3
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Kaffebaren and Tulpen (KPM, not upgraded) are told, once; Bergkristall is not.
    let kaffebaren = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '4711'")
        .await;
    let bergkristall = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '20240'")
        .await;
    assert_eq!(
        notices(&app, &format!("brownout:%:3:{kaffebaren}")).await,
        1
    );
    assert_eq!(
        notices(&app, &format!("brownout:%:3:{bergkristall}")).await,
        0
    );
    assert_eq!(
        notices(&app, "brownout:%:14:%").await,
        0,
        "the 14-day notice is past"
    );
    // The partner's manager hears once, of the stores it bothers.
    assert_eq!(
        notices(&app, &format!("brownout:%:3:pm:{}", crate::partner::PM)).await,
        1
    );
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key LIKE $1")
        .bind(format!("brownout:%:3:pm:{}", crate::partner::PM))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(body.contains("2 of your stores"), "{body}");
    // The product as people know it, not its code.
    assert!(body.contains("switches KPM (Payment Method) off"), "{body}");
    assert!(body.contains(" UTC") && !body.contains(" JST"), "{body}");
    // Each reader's times in their own zone.
    let admins: String =
        sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key LIKE $1")
            .bind(format!("brownout:%:3:{kaffebaren}"))
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(
        admins.contains(" JST") && !admins.contains(" UTC"),
        "{admins}"
    );
    // The other partner's manager hears of theirs.
    assert_eq!(
        notices(
            &app,
            &format!("brownout:%:3:pm:{}", crate::partner::OTHER_PM)
        )
        .await,
        1
    );

    // The store's pages and calendar show it.
    let overview = app.get(&path("")).await;
    assert!(overview.has("id=\"brownout-coming\""), "{}", overview.body);
    // Its start and end in the admin's zone, UTC on hover.
    let banner = crate::helpers::between(&overview.body, "id=\"brownout-coming\"", "</p>").unwrap();
    assert_eq!(banner.matches(" JST</time>").count(), 2, "{banner}");
    let feed = crate::helpers::between(&overview.body, "id=\"calendar-url\">", "<").unwrap();
    let feed = feed.replace("&amp;", "&");
    let ics = reqwest::get(&feed).await.unwrap().text().await.unwrap();
    assert!(ics.contains("UID:brownout-"), "{ics}");

    // In the window the platform refuses the store's legacy calls.
    sqlx::query("UPDATE sandbox_product_brownouts SET starts_at = $1, ends_at = $2")
        .bind(now - 60)
        .bind(now + 600)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        app.old_plugin_calls(Method::POST, "orders").await,
        StatusCode::GONE
    );
    sqlx::query("UPDATE sandbox_product_brownouts SET starts_at = $1, ends_at = $2")
        .bind(starts)
        .bind(starts + 1_800)
        .execute(&app.db.pool)
        .await
        .unwrap();

    // Cancelled before it starts: the platform's window too, and the pages say no more.
    let id = app.scalar("SELECT MAX(id) FROM brownouts").await;
    let cancelled = ops
        .submit(&format!("/staff/brownouts/{id}/cancel"), &[])
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_product_brownouts WHERE cancelled_at IS NOT NULL")
            .await,
        1
    );
    assert!(!app.get(&path("")).await.has("id=\"brownout-coming\""));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'brownout.%'")
            .await,
        2
    );

    // The same window scheduled again is a new one at the platform, not the cancelled one.
    let again = schedule(&ops, starts, "A rehearsal of the sunset for every store.").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_product_brownouts WHERE cancelled_at IS NULL")
            .await,
        1,
        "the platform switches the product off again"
    );
}

/// A platform that cannot be reached schedules nothing: the operator reads why, in their
/// language, and nothing is recorded, audited or announced.
#[tokio::test]
async fn a_platform_that_cannot_be_reached_schedules_no_brownout() {
    // Nothing listens on the discard port.
    let app = spawn_app_with(|c| c.platform.url = Some("http://127.0.0.1:9".into())).await;
    app.add_staff(OPERATOR, StaffRole::Operator, None).await;
    let ops = app.browser_in("sv");
    ops.sign_in(OPERATOR).await;
    let page = schedule(&ops, switchyard::store::now() + 5 * 86_400, "Test").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.has("Plattformen kunde inte tillfrågas just nu; inget ändrades."),
        "{}",
        page.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM brownouts").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'brownout.%'")
            .await,
        0
    );
}
