//! Sunset readiness: a store is ready once its legacy ID has been quiet for 14 days, no
//! legacy authorization is open and its reports are archived; the store, support, the
//! partner's dashboard and the API say so, or what is missing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN, STORE, TestApp, between, path, spawn_app};

/// What the readiness card of `page` lists as missing; empty when it says "ready".
async fn missing(app: &TestApp, page: &str) -> Vec<String> {
    let body = app.get(page).await.body;
    let card = between(&body, "id=\"sunset-readiness\"", "</section>")
        .unwrap_or_else(|| panic!("no readiness card on {page}: {body}"));
    if card.contains("id=\"sunset-ready\"") {
        return Vec::new();
    }
    card.split("data-missing=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

fn legacy_call(id: &str, days_ago: i64) -> serde_json::Value {
    let at = switchyard::store::now() - days_ago * 86_400;
    json!({"id": format!("evt_{id}"), "type": "api.call", "created_at": switchyard::domain::rfc3339(at),
           "data": {"legacy_store_id": STORE, "service": "settlement",
                    "endpoint": "/settlements/v1/reports", "status": 200}})
}

#[tokio::test]
async fn a_store_is_ready_for_the_sunset_once_quiet_with_nothing_open_and_its_reports_archived() {
    let app = spawn_app().await;
    app.partners().await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    app.deliver(&legacy_call("old", 15)).await;
    app.sign_in(ADMIN).await;
    // Opening the legacy page reads its orders from the platform: one is still open.
    assert_eq!(
        missing(&app, &path("/legacy")).await,
        ["open_authorizations", "reports_not_archived"]
    );
    let pm = app.as_partner(crate::partner::PM).await;
    let token = pm.create_token("sync").await;
    let (_, one) = pm.api(&token, "/api/v1/stores/4711").await;
    assert_eq!(one["sunset_ready"], false, "{one}");
    assert_eq!(
        one["sunset_missing"],
        json!(["open_authorizations", "reports_not_archived"])
    );

    // Support and the partner manager may download the archive, but that gives the
    // merchant no copy: the reports are still not archived.
    let agent = app.agent().await;
    for staff in [&agent, &pm] {
        assert_eq!(
            staff.get(&path("/legacy/archive")).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        missing(&app, &path("")).await,
        ["open_authorizations", "reports_not_archived"]
    );

    // The admin archives the reports and cancels the open authorization.
    let archive = app.get(&path("/legacy/archive")).await;
    assert_eq!(archive.status, StatusCode::OK);
    assert_eq!(missing(&app, &path("")).await, ["open_authorizations"]);
    app.submit(&path("/legacy/orders/leg-1/cancel"), &[]).await;
    assert!(missing(&app, &path("")).await.is_empty());

    // Ready: the dashboard's filter finds it and marks it; support sees it too.
    let ready = pm.get("/partner?sunset=ready").await;
    assert!(ready.has("id=\"sunset-ready-4711\""), "{}", ready.body);
    assert!(ready.has("Stores matching: 1"));
    let not_ready = pm.get("/partner?sunset=not-ready").await;
    assert!(!not_ready.has("id=\"store-4711\""));
    // Counted as every store less the ready ones.
    let nordic = app
        .scalar(
            "SELECT COUNT(*) FROM stores s JOIN partners p ON p.id = s.partner_id \
             WHERE p.name = 'Nordic Commerce Partners'",
        )
        .await;
    assert!(
        not_ready.has(&format!("Stores matching: {}", nordic - 1)),
        "{}",
        not_ready.body
    );
    let (status, list) = pm.api(&token, "/api/v1/stores?sunset=ready").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(crate::partner::eids(&list), ["4711"]);
    assert_eq!(list["stores"][0]["sunset_ready"], true);
    assert!(missing(&agent, &path("/timeline")).await.is_empty());

    // The old plugin fetches a report again: not ready until it has been quiet 14 days.
    app.deliver(&legacy_call("again", 2)).await;
    assert_eq!(missing(&app, &path("")).await, ["legacy_in_use"]);
    assert!(
        pm.get("/partner?sunset=not-ready")
            .await
            .has("id=\"store-4711\"")
    );
    let (status, _) = pm.api(&token, "/api/v1/stores?sunset=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// An order on the legacy store counts as its use as a call does: one placed lately keeps
/// the store from being ready, one placed over 14 days ago does not.
#[tokio::test]
async fn a_recent_order_on_the_legacy_store_keeps_it_from_being_ready() {
    let app = spawn_app().await;
    let legacy_order = |id: &str, days_ago: i64| {
        let at = switchyard::store::now() - days_ago * 86_400;
        json!({"id": format!("evt_{id}"), "type": "order.created",
               "created_at": switchyard::domain::rfc3339(at),
               "data": {"order_id": format!("ord_{id}"), "environment": "live", "amount": 1000,
                        "currency": "SEK", "legacy_store_id": STORE}})
    };
    app.sign_in(ADMIN).await;
    let (status, _) = app.deliver(&legacy_order("long-ago", 20)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(missing(&app, &path("")).await, ["reports_not_archived"]);
    app.deliver(&legacy_order("lately", 3)).await;
    assert_eq!(
        missing(&app, &path("")).await,
        ["legacy_in_use", "reports_not_archived"]
    );
}
