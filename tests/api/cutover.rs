//! The cutover meter: live orders per day and country on the legacy store against the new
//! ID, on the store's pages; the admin told once when legacy orders still arrive a week
//! after the upgrade, and the partner shown it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, STORE, TestApp, between, path, spawn_app};

/// A live `order.created` on `subject`, placed from `country`, `age` seconds ago.
fn order(id: &str, subject: Value, env: &str, country: Option<&str>) -> Value {
    let mut data = json!({"order_id": format!("ord_{id}"), "environment": env, "amount": 1000,
                          "currency": "SEK", "user_agent": "OldPlugin/1.2 (WooCommerce)"});
    let d = data.as_object_mut().unwrap();
    d.extend(subject.as_object().unwrap().clone());
    if let Some(c) = country {
        d.insert("country".into(), json!(c));
    }
    json!({"id": format!("evt_{id}"), "type": "order.created",
           "created_at": switchyard::domain::rfc3339(switchyard::store::now()), "data": data})
}

impl TestApp {
    /// The meter's row for `country` on `page`: its five cells' text.
    async fn meter_row(&self, page: &str, country: &str) -> Option<Vec<String>> {
        let body = self.get(page).await.body;
        meter_rows(&body)
            .into_iter()
            .find(|(code, _)| code == country)
            .map(|(_, cells)| cells)
    }
}

/// The rows of the meter's table on a page: (country code, its five cells' text).
fn meter_rows(body: &str) -> Vec<(String, Vec<String>)> {
    let Some(table) = between(body, "id=\"cutover-countries\"", "</table>") else {
        return Vec::new();
    };
    table
        .split("<tr")
        .filter_map(|r| {
            let code = between(r, "data-country=\"", "\"")?;
            let cells = r
                .split("<td")
                .skip(1)
                .map(|td| between(td, ">", "</td>").unwrap_or_default())
                .collect();
            Some((code, cells))
        })
        .collect()
}

#[tokio::test]
async fn the_meter_counts_live_orders_per_day_and_country_on_each_side() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let legacy = json!({"legacy_store_id": STORE});
    for (id, country) in [
        ("l1", Some("SE")),
        ("l2", Some("SE")),
        ("l3", Some("DE")),
        ("l4", None),
    ] {
        let (status, body) = app
            .deliver(&order(id, legacy.clone(), "live", country))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A test order is no real traffic; a live one on the new ID is.
    app.deliver(&order(
        "t1",
        json!({"merchant_id": shown.test_mid}),
        "test",
        Some("SE"),
    ))
    .await;
    app.deliver(&order(
        "n1",
        json!({"merchant_id": shown.mid}),
        "live",
        Some("SE"),
    ))
    .await;

    let overview = app.get(&path("")).await;
    let chart = between(&overview.body, "id=\"chart-cutover\"", "</figure>").expect("a chart");
    assert!(
        chart.contains("class=\"legacy\"") && chart.contains("class=\"new\""),
        "{chart}"
    );
    assert!(
        chart.contains("4 orders on the legacy store and 1 on the new ID"),
        "{chart}"
    );
    // Country | legacy, last 7 days | new, last 7 days | legacy total | new total.
    assert_eq!(
        app.meter_row(&path(""), "SE").await.unwrap(),
        ["Sweden", "2", "1", "2", "1"]
    );
    assert_eq!(
        app.meter_row(&path(""), "DE").await.unwrap(),
        ["Germany", "1", "0", "1", "0"]
    );
    assert_eq!(
        app.meter_row(&path(""), "").await.unwrap(),
        ["Country not given", "1", "0", "1", "0"]
    );
    // The legacy page shows the same meter.
    assert!(app.meter_row(&path("/legacy"), "DE").await.is_some());
    // The upgrade completed a moment ago: no warning yet.
    assert!(!overview.has("id=\"cutover-late\""));

    // A country that is no ISO 3166-1 code, or a country on a call, is refused by name.
    let (status, body) = app
        .deliver(&order("bad", legacy.clone(), "live", Some("XX")))
        .await;
    assert_eq!(
        (status, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("data.country"))
    );
    let mut call = json!({"id": "evt_call", "type": "api.call",
        "created_at": switchyard::domain::rfc3339(switchyard::store::now()),
        "data": {"legacy_store_id": STORE, "service": "settlement", "endpoint": "/settlements/v1/reports",
                 "status": 200, "country": "SE"}});
    let (status, body) = app.deliver(&call).await;
    assert_eq!(
        (status, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("data.country"))
    );
    call["data"].as_object_mut().unwrap().remove("country");
    assert_eq!(app.deliver(&call).await.0, StatusCode::OK);
}

/// Moves the store's completion `days` into the past, as if the upgrade had completed
/// then.
async fn completed_days_ago(app: &TestApp, days: i64) {
    let at = switchyard::store::now() - days * 86_400;
    for sql in [
        "UPDATE upgrades SET completed_at = $1",
        "UPDATE stores SET upgrade_completed_at = $1 WHERE upgrade_completed_at IS NOT NULL",
    ] {
        sqlx::query(sql)
            .bind(at)
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
}

/// The admin's emails saying orders still arrive on the legacy store.
fn late_emails(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(&app.mail_dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|t| t.contains(&format!("To: {ADMIN}")))
        .map(|t| crate::helpers::decode_body(&t))
        // In the admin's language: Swedish, from the store's first country.
        .filter(|t| t.contains("liveordrar kommer fortfarande till den gamla butiken"))
        .collect()
}

#[tokio::test]
async fn the_admin_is_told_once_when_legacy_orders_still_arrive_a_week_after_the_upgrade() {
    let app = spawn_app().await;
    app.partners().await;
    let shown = app.admin_waiting_for_purchase().await;
    let placed = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(Duration::from_millis(100)))
        .await;
    let legacy = json!({"legacy_store_id": STORE});

    // Three days after completion a legacy order may still be one placed before.
    completed_days_ago(&app, 3).await;
    app.deliver(&order("early", legacy.clone(), "live", Some("SE")))
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.settle().await;
    assert!(late_emails(&app).is_empty());
    assert!(!app.get(&path("")).await.has("id=\"cutover-late\""));

    // Orders from Germany still come through the old plugin; ten days after, the chores
    // tell of them. (The order first: a turn between the two would rightly tell of
    // Sweden alone.)
    app.deliver(&order("late", legacy.clone(), "live", Some("DE")))
        .await;
    completed_days_ago(&app, 10).await;
    let mut emails = Vec::new();
    for _ in 0..100 {
        app.settle().await;
        emails = late_emails(&app);
        if !emails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(emails.len(), 1, "{emails:?}");
    let email = &emails[0];
    assert!(email.contains("Tyskland: 1"), "{email}");
    assert!(email.contains("Sverige: 1"), "{email}");
    assert!(email.contains("OldPlugin/1.2 (WooCommerce)"), "{email}");
    assert!(email.contains(&path("")), "links the store: {email}");

    // More legacy orders, more chores: still one email.
    app.deliver(&order("later", legacy.clone(), "live", Some("DE")))
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.settle().await;
    assert_eq!(late_emails(&app).len(), 1);

    let overview = app.get(&path("")).await;
    let warning = between(&overview.body, "id=\"cutover-late\"", "</p>").unwrap();
    assert!(warning.contains("Germany"), "{warning}");
    // The partner sees it on the dashboard.
    let pm = app.as_partner(crate::partner::PM).await;
    let row = between(&pm.get("/partner").await.body, "id=\"store-4711\"", "</tr>").unwrap();
    assert!(row.contains("id=\"late-legacy-4711\""), "{row}");
}

/// The meter's rows on a partner's cutover page.
async fn partner_rows(pm: &TestApp) -> Vec<(String, Vec<String>)> {
    let page = pm.get("/partner/cutover").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    meter_rows(&page.body)
}

#[tokio::test]
async fn partners_see_the_meter_summed_over_their_own_stores() {
    let app = spawn_app().await;
    app.partners().await;
    let shown = app.admin_waiting_for_purchase().await;
    let pm = app.as_partner(crate::partner::PM).await;
    let other = app.as_partner(crate::partner::OTHER_PM).await;
    let dashboard = pm.get("/partner").await;
    assert!(
        dashboard.has("id=\"to-cutover\""),
        "linked from the dashboard"
    );
    assert!(pm.get("/partner/cutover").await.has("id=\"no-orders\""));

    let legacy = json!({"legacy_store_id": STORE});
    for (id, country) in [("l1", "SE"), ("l2", "SE"), ("l3", "DE")] {
        let (status, body) = app
            .deliver(&order(id, legacy.clone(), "live", Some(country)))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    app.deliver(&order(
        "n1",
        json!({"merchant_id": shown.mid}),
        "live",
        Some("SE"),
    ))
    .await;
    // The other partner's store, and a test order, count for nobody here.
    app.deliver(&order(
        "o1",
        json!({"legacy_store_id": "990001"}),
        "live",
        Some("FI"),
    ))
    .await;
    app.deliver(&order(
        "t1",
        json!({"merchant_id": shown.test_mid}),
        "test",
        Some("SE"),
    ))
    .await;

    let expected = vec![
        ("SE".to_owned(), strings(&["Sweden", "2", "1", "2", "1"])),
        ("DE".to_owned(), strings(&["Germany", "1", "0", "1", "0"])),
    ];
    assert_eq!(partner_rows(&pm).await, expected);
    assert_eq!(
        partner_rows(&other).await,
        vec![("FI".to_owned(), strings(&["Finland", "1", "0", "1", "0"]))]
    );
    // The chores fold the single orders into one row per day: the sums stay.
    switchyard::store::tallies::fold(&app.db).await.unwrap();
    assert_eq!(partner_rows(&pm).await, expected);
    app.deliver(&order("l4", legacy.clone(), "live", Some("SE")))
        .await;
    switchyard::store::tallies::fold(&app.db).await.unwrap();
    assert_eq!(
        partner_rows(&pm).await[0],
        ("SE".to_owned(), strings(&["Sweden", "3", "1", "3", "1"]))
    );
    let chart = between(
        &pm.get("/partner/cutover").await.body,
        "id=\"chart-cutover\"",
        "</figure>",
    )
    .expect("a chart");
    assert!(
        chart.contains("4 orders on the legacy store and 1 on the new ID"),
        "{chart}"
    );
    // A store admin has no partner page.
    assert_ne!(app.get("/partner/cutover").await.status, StatusCode::OK);
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}
