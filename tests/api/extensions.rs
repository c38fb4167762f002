//! A later sunset for one store: its admin asks, support approves (perhaps another day)
//! or declines, with reasons; the decision is audited and emailed, and an approved day is
//! the store's sunset everywhere: its pages, the partner's dashboard and API, webhooks,
//! reminders and calendar.

use std::time::Duration;

use reqwest::StatusCode;
use switchyard::domain::access::StaffRole;
use time::{Date, OffsetDateTime};

use crate::helpers::{ADMIN, STORE, SUPPORT_DESK, TestApp, between, path, spawn_app_with};

fn in_days(days: i64) -> Date {
    OffsetDateTime::now_utc().date() + time::Duration::days(days)
}

/// KPM closes in 25 days (it takes extensions up to 90 days after), KCO v2 in 200; chores
/// every 100 ms.
async fn app() -> TestApp {
    spawn_app_with(|c| {
        c.sunsets = vec![("KPM".into(), in_days(25)), ("KCOv2".into(), in_days(200))];
        c.maintenance_interval = Some(Duration::from_millis(100));
        c.health_check.allow_private = true;
    })
    .await
}

async fn ask(app: &TestApp, date: &str, reason: &str) -> crate::helpers::Page {
    app.submit(&path("/extension"), &[("date", date), ("reason", reason)])
        .await
}

/// The id of the store's open request.
async fn open_request(app: &TestApp) -> i64 {
    app.scalar(&format!(
        "SELECT e.id FROM sunset_extensions e JOIN stores s ON s.id = e.store_id \
         WHERE s.legacy_store_id = '{STORE}' AND e.status = 'open'"
    ))
    .await
}

/// "Stores matching: N" on a dashboard page.
fn matching(page: &crate::helpers::Page) -> i64 {
    between(&page.body, "Stores matching: ", "<")
        .and_then(|n| n.trim().replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no count: {}", page.body))
}

#[tokio::test]
async fn support_approves_another_day_and_it_is_the_stores_sunset_everywhere() {
    let app = app().await;
    app.partners().await;
    let hook = crate::partner::receiver(0).await;
    let pm = app.as_partner(crate::partner::PM).await;
    pm.add_webhook(&hook.url).await;
    app.add_staff(SUPPORT_DESK, StaffRole::Support, None).await;
    let at_risk_before = matching(&pm.get("/partner?risk=at-risk").await);
    assert!(
        pm.get("/partner?risk=at-risk")
            .await
            .has("id=\"store-4711\"")
    );

    app.sign_in(ADMIN).await;
    let page = app.get(&path("/extension")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("id=\"request-extension\""), "{}", page.body);
    assert!(app.get(&path("")).await.has("id=\"extension-link\""));

    // Refused in words, keeping what was typed.
    let latest = in_days(25 + 90);
    for (date, reason, says) in [
        (in_days(20).to_string(), "x", "current sunset."),
        (
            in_days(25 + 91).to_string(),
            "x",
            "after the latest one allowed",
        ),
        ("soon".to_owned(), "x", "Give the date as a day"),
        (in_days(60).to_string(), "  ", "Say why you need more time."),
    ] {
        let page = ask(&app, &date, reason).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(page.has(says), "{says}: {}", page.body);
        assert!(page.has(&format!("value=\"{date}\"")), "{date} is kept");
    }
    let sent = ask(&app, &latest.to_string(), "Our agency starts in March.").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = app.get(&path("/extension")).await;
    assert!(page.has("id=\"extension-waiting\""), "{}", page.body);
    // One open at a time.
    let again = ask(&app, &in_days(60).to_string(), "And another.").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.has("has a request waiting already"));

    // Support sees it, and grants another day than asked for.
    let support = app.another_browser();
    support.sign_in(SUPPORT_DESK).await;
    let id = open_request(&app).await;
    let queue = support.get("/support/extensions").await;
    assert!(queue.has(&format!("id=\"request-{id}\"")), "{}", queue.body);
    assert!(queue.has("Our agency starts in March."));
    let granted = in_days(110);
    let refused = support
        .submit(
            &format!("/support/extensions/{id}"),
            &[
                ("decision", "approve"),
                ("date", &granted.to_string()),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = support
        .submit(
            &format!("/support/extensions/{id}"),
            &[
                ("decision", "approve"),
                ("date", &granted.to_string()),
                ("reason", "Until the end of the agency's sprint."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let twice = support
        .submit(
            &format!("/support/extensions/{id}"),
            &[("decision", "decline"), ("reason", "No.")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "decided once only");

    // The admin reads it by email, in Swedish, with the new day and support's reason.
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key = $1")
        .bind(format!("extension:{id}"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let swedish = switchyard::i18n::format::date(switchyard::i18n::Lang::Sv, granted);
    assert!(
        body.contains(&format!("den stänger nu den {swedish}")),
        "{body}"
    );
    assert!(
        body.contains("Until the end of the agency's sprint."),
        "{body}"
    );

    // The store's pages count down to its own day.
    let english = switchyard::i18n::format::date(switchyard::i18n::Lang::En, granted);
    let overview = app.get(&path("")).await;
    let sunset = between(&overview.body, "id=\"store-sunset\"", "</p>").unwrap();
    assert!(sunset.contains(&english), "{sunset}");
    assert!(
        app.get(&path("/extension"))
            .await
            .has("id=\"extension-granted\"")
    );

    // The partner: no longer at risk (110 days away, not started), the "extended"
    // filter, the API and a webhook.
    let at_risk = pm.get("/partner?risk=at-risk").await;
    assert!(!at_risk.has("id=\"store-4711\""), "{}", at_risk.body);
    assert_eq!(
        matching(&at_risk),
        at_risk_before - 1,
        "the tallied count too"
    );
    let extended = pm.get("/partner?sunset=extended").await;
    assert!(extended.has("id=\"extended-4711\""), "{}", extended.body);
    assert_eq!(matching(&extended), 1);
    let token = pm.create_token("CRM").await;
    let (status, list) = pm.api(&token, "/api/v1/stores?sunset=extended").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(crate::partner::eids(&list), vec![STORE.to_owned()]);
    assert_eq!(list["stores"][0]["sunset_extended_to"], granted.to_string());
    let (_, one) = pm.api(&token, &format!("/api/v1/stores/{STORE}")).await;
    assert_eq!(one["sunset"], granted.to_string());
    let events = TestApp::wait_for_events(&hook, 1).await;
    let news: Vec<_> = events
        .iter()
        .filter(|(kind, _)| kind == "store.sunset_extended")
        .collect();
    assert_eq!(news.len(), 1, "{events:?}");
    assert_eq!(news[0].1["sunset"], granted.to_string());
    assert_eq!(news[0].1["product_sunset"], in_days(25).to_string());

    // Audited, both sides.
    for action in ["extension.requested", "extension.approved"] {
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await,
            1,
            "{action}"
        );
    }
    let audit = app.get(&path("/audit")).await;
    assert!(
        audit.has(&format!(
            "Approved a later sunset for this store: {english}."
        )),
        "the day as the reader writes dates: {}",
        audit.body
    );
}

/// Approves store 4711's request for `date` as support; returns the request's id.
async fn approved(app: &TestApp, date: Date) -> i64 {
    app.add_staff(SUPPORT_DESK, StaffRole::Support, None).await;
    app.sign_in(ADMIN).await;
    let sent = ask(app, &date.to_string(), "Plugin release in May.").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let id = open_request(app).await;
    let support = app.another_browser();
    support.sign_in(SUPPORT_DESK).await;
    let done = support
        .submit(
            &format!("/support/extensions/{id}"),
            &[("decision", "approve"), ("date", ""), ("reason", "Fine.")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    id
}

/// The sunset reminders follow the store's own day: 85 days away, it is due the 90-day
/// reminder of its own date, which no store on KPM's date (25 days away) gets.
#[tokio::test]
async fn reminders_follow_the_stores_own_day() {
    let app = app().await;
    let granted = in_days(85);
    approved(&app, granted).await;
    let own = |eid: &'static str| {
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT COUNT(*) FROM outbox o JOIN stores s ON s.id = o.store_id \
                 WHERE s.legacy_store_id = '{eid}' AND o.idempotency_key LIKE 'sunset:%:90@{granted}'"
            ))
            .await
        }
    };
    for _ in 0..100 {
        if own(STORE).await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(own(STORE).await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(own(STORE).await, 1, "once, however often the chores run");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'sunset:%:90@{granted}'"
        ))
        .await,
        1,
        "only the extended store"
    );
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key LIKE $1")
        .bind(format!("sunset:%:90@{granted}"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let swedish = switchyard::i18n::format::date(switchyard::i18n::Lang::Sv, granted);
    assert!(
        body.contains(&swedish),
        "the email names the store's own day: {body}"
    );
}

#[tokio::test]
async fn support_declines_with_a_reason_and_the_admin_may_ask_again() {
    let app = app().await;
    app.add_staff(SUPPORT_DESK, StaffRole::Support, None).await;
    app.sign_in(ADMIN).await;
    let sent = ask(&app, &in_days(40).to_string(), "Summer holidays.").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let id = open_request(&app).await;
    let support = app.another_browser();
    support.sign_in(SUPPORT_DESK).await;
    let done = support
        .submit(
            &format!("/support/extensions/{id}"),
            &[
                ("decision", "decline"),
                ("reason", "The platform cannot wait."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key = $1")
        .bind(format!("extension:{id}"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(body.contains("The platform cannot wait."), "{body}");
    assert!(body.contains("avvecklingsdatumet är oförändrat"), "{body}");
    // Nothing moved.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stores WHERE extended_sunset IS NOT NULL")
            .await,
        0
    );
    let page = app.get(&path("/extension")).await;
    assert!(page.has("The platform cannot wait."), "{}", page.body);
    assert!(page.has("Declined"));
    assert!(!page.has("id=\"extension-granted\""));
    assert!(
        support
            .get("/support/extensions")
            .await
            .has("id=\"no-extensions\"")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'extension.declined'")
            .await,
        1
    );
    // Decided, so the admin may ask again.
    let again = ask(&app, &in_days(30).to_string(), "Only a week, then.").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
}

/// The store's calendar moves its sunset event to the extension's end, and the partner's
/// feed lists it.
#[tokio::test]
async fn the_calendars_carry_the_extensions_end() {
    let app = app().await;
    app.partners().await;
    let granted = in_days(100);
    approved(&app, granted).await;
    let day = granted.to_string().replace('-', "");
    let ics = |feed: String| {
        let app = &app;
        async move {
            reqwest::get(app.url(&feed))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let overview = app.get(&path("")).await;
    let store_feed = ics(crate::calendar::feed_path(
        &app,
        &overview.body,
        "calendar-url",
    ))
    .await;
    assert!(
        store_feed.contains(&format!("DTSTART;VALUE=DATE:{day}")),
        "{store_feed}"
    );
    assert!(
        store_feed.contains("Extension ends") || store_feed.contains("Förlängningen slutar"),
        "{store_feed}"
    );

    let pm = app.as_partner(crate::partner::PM).await;
    let page = pm.get("/partner/calendar").await;
    let id = between(&page.body, "id=\"calendar-partner-", "\"").unwrap();
    let partner_feed = ics(crate::calendar::feed_path(
        &app,
        &page.body,
        &format!("calendar-{id}-url"),
    ))
    .await;
    assert!(
        partner_feed.contains(&format!("DTSTART;VALUE=DATE:{day}")),
        "{partner_feed}"
    );
    assert!(partner_feed.contains("Extension ends"), "{partner_feed}");
}

/// The partners' cutover meter runs to the latest sunset of their stores, an extension's
/// too.
#[tokio::test]
async fn the_partners_meter_runs_to_the_latest_extension() {
    let app = app().await;
    app.partners().await;
    let event = serde_json::json!({"id": "evt_meter1", "type": "order.created",
        "created_at": "2026-11-23T10:00:00Z",
        "data": {"legacy_store_id": STORE, "order_id": "ord_meter1", "environment": "live",
                 "amount": 1000, "currency": "SEK", "country": "SE"}});
    let (status, body) = app.deliver(&event).await;
    assert!(status.is_success(), "{status} {body}");
    let partner = app
        .scalar(&format!(
            "SELECT partner_id FROM stores WHERE legacy_store_id = '{STORE}'"
        ))
        .await;
    let catalog =
        switchyard::domain::Catalog::parse(switchyard::domain::catalog::DEFAULT_CATALOG).unwrap();
    let latest_product = catalog
        .products
        .iter()
        .filter_map(|p| p.sunset_date())
        .max()
        .unwrap();
    let day = |d: Date| i64::from(d.to_julian_day()) - 2_440_588;
    let now = switchyard::store::now();
    let meter = |app: &TestApp| {
        let (db, catalog) = (app.db.clone(), catalog.clone());
        async move {
            switchyard::app::traffic::partner_meter(&db, &catalog, &[partner], now)
                .await
                .unwrap()
                .expect("a live order was recorded")
        }
    };
    assert_eq!(meter(&app).await.to, day(latest_product));
    let own = latest_product + time::Duration::days(40);
    sqlx::query("UPDATE stores SET extended_sunset = $1 WHERE legacy_store_id = $2")
        .bind(switchyard::domain::sunset::at(own))
        .bind(STORE)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(meter(&app).await.to, day(own));
}
