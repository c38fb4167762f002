//! The platform's order-management API over real HTTP: the client against a local mock
//! platform (200, 4xx, 5xx, timeout, garbage), cancelling and refunding the test order
//! against the sandbox, and the poll fallback for platforms that cannot push.

use std::time::Duration;

use axum::{Json, Router, http::StatusCode as AxumStatus, response::IntoResponse, routing::any};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use switchyard::{
    app::intake::Sinks,
    jobs::poll,
    platform::client::{PlatformClient, PlatformError},
};

use crate::helpers::{PLATFORM_TOKEN, STORE, TestApp, path, spawn_app, spawn_app_with};

/// How a mock platform answers every request.
#[derive(Clone)]
enum Mock {
    /// 200 with these orders (for any merchant).
    Orders(serde_json::Value),
    Status(u16, serde_json::Value),
    Slow(Duration),
    Garbage,
}

/// A local platform on port 0 that answers as told; returns its base URL.
async fn mock_platform(mock: Mock) -> String {
    let app = Router::new().fallback(any(move || {
        let mock = mock.clone();
        async move {
            match mock {
                Mock::Orders(orders) => Json(json!({ "orders": orders })).into_response(),
                Mock::Status(code, body) => {
                    (AxumStatus::from_u16(code).unwrap(), Json(body)).into_response()
                }
                Mock::Slow(d) => {
                    tokio::time::sleep(d).await;
                    Json(json!({ "orders": [] })).into_response()
                }
                Mock::Garbage => (AxumStatus::OK, "<html>maintenance</html>").into_response(),
            }
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A client with time to spare on a loaded machine: only the slow mock should time out.
fn client(base: &str) -> PlatformClient {
    client_waiting(base, Duration::from_secs(10))
}

/// A client that gives up after `patience`: the slow mock takes 3 s.
fn client_waiting(base: &str, patience: Duration) -> PlatformClient {
    PlatformClient::new(
        Some(base.to_owned()),
        Some(SecretString::from(PLATFORM_TOKEN)),
        patience,
    )
}

const IMPATIENT: Duration = Duration::from_millis(500);

fn remote(order_id: &str, mid: &str, env: &str) -> serde_json::Value {
    json!({"order_id": order_id, "merchant_id": mid, "environment": env, "status": "authorized",
           "order_amount": 1000, "captured_amount": 0, "refunded_amount": 0, "currency": "SEK",
           "created_at": "2026-11-23T10:00:00Z", "expires_at": "2026-12-21T10:00:00Z"})
}

#[tokio::test]
async fn the_client_tells_every_kind_of_answer_apart() {
    let ok = client(&mock_platform(Mock::Orders(json!([remote("o1", "K123456", "live")]))).await);
    let orders = ok.orders("K123456", 0).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].order_id, "o1");

    let refused = mock_platform(Mock::Status(
        409,
        json!({"error_code": "CAPTURED", "error_message": "already captured"}),
    ))
    .await;
    let e = client(&refused).cancel("o1", "key-1").await.unwrap_err();
    assert_eq!(e.code(), Some("CAPTURED"));
    assert!(!e.is_transient(), "a refusal is final: {e}");

    let unauthorized = mock_platform(Mock::Status(401, json!("nope"))).await;
    let e = client(&unauthorized)
        .orders("K123456", 0)
        .await
        .unwrap_err();
    assert!(
        matches!(e, PlatformError::Refused { status: 401, ref code, .. } if code == "UNAUTHORIZED"),
        "{e:?}"
    );

    let failing = mock_platform(Mock::Status(503, json!({}))).await;
    let e = client(&failing).orders("K123456", 0).await.unwrap_err();
    assert_eq!(e, PlatformError::Server(503));
    assert!(e.is_transient());

    let slow = mock_platform(Mock::Slow(Duration::from_secs(3))).await;
    let e = client_waiting(&slow, IMPATIENT)
        .orders("K123456", 0)
        .await
        .unwrap_err();
    assert_eq!(e, PlatformError::Timeout);

    let garbage = mock_platform(Mock::Garbage).await;
    let e = client(&garbage).orders("K123456", 0).await.unwrap_err();
    assert!(matches!(e, PlatformError::Garbage(_)), "{e:?}");

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let e = client(&closed).orders("K123456", 0).await.unwrap_err();
    assert!(matches!(e, PlatformError::Unreachable(_)), "{e:?}");

    // An id from outside never changes the path it is sent to.
    for id in ["..", ".", ""] {
        let e = ok.cancel(id, "k").await.unwrap_err();
        assert_eq!(e, PlatformError::InvalidOrderId(id.to_owned()));
    }

    let none = PlatformClient::new(None, None, Duration::from_secs(1));
    assert_eq!(
        none.cancel("o1", "k").await.unwrap_err(),
        PlatformError::NotConfigured
    );
}

impl TestApp {
    async fn upgrade_step(&self) -> String {
        sqlx::query_scalar("SELECT step FROM upgrades")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    async fn test_order_status(&self) -> Option<String> {
        sqlx::query_scalar("SELECT test_order_status FROM upgrades")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Walks to the test purchase and buys live through the sandbox; returns the order id.
    async fn complete_with_sandbox_order(&self, captured: bool) -> String {
        let shown = self.admin_waiting_for_purchase().await;
        let res = self
            .client
            .post(self.url("/sandbox/v1/orders"))
            .basic_auth(&shown.username, Some(&shown.password))
            .json(
                &json!({"amount": 1000, "currency": "SEK", "country": "SE", "captured": captured}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let order: serde_json::Value = res.json().await.unwrap();
        assert_eq!(self.upgrade_step().await, "complete");
        order["order_id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn one_click_cancels_the_test_order_and_reads_it_back_cancelled() {
    let app = spawn_app().await;
    let order_id = app.complete_with_sandbox_order(false).await;
    let page = app.get(&path("/upgrade/complete")).await;
    assert!(
        page.has("id=\"cancel-order\"") && page.has(&order_id),
        "{}",
        page.body
    );

    app.submit(&path("/upgrade/complete/cancel-order"), &[])
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    let said = notice(&app.get(&path("/upgrade/complete")).await.body);
    assert_eq!(
        said.as_deref(),
        Some(format!("Order {order_id} is cancelled. Nobody is charged.").as_str()),
        "the click says what it did"
    );
    assert_eq!(app.test_order_status().await.as_deref(), Some("cancelled"));
    assert_eq!(
        app.scalar("SELECT cancelled FROM sandbox_orders WHERE order_id NOT LIKE 'demo-%'")
            .await,
        1,
        "the platform's order is cancelled"
    );
    let page = app.get(&path("/upgrade/complete")).await;
    assert!(page.has("data-status=\"cancelled\"") && !page.has("id=\"cancel-order\""));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'test_order.cancelled'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'order.cancelled'")
            .await,
        1,
        "the sandbox announced the cancellation like the platform"
    );

    let again = app
        .submit(&path("/upgrade/complete/cancel-order"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_captured_test_order_needs_a_refund_and_the_page_offers_it() {
    let app = spawn_app().await;
    app.complete_with_sandbox_order(true).await;

    app.submit(&path("/upgrade/complete/cancel-order"), &[])
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    assert_eq!(app.test_order_status().await.as_deref(), Some("captured"));
    let page = app.get(&path("/upgrade/complete")).await;
    assert!(
        notice(&page.body).is_some_and(|n| n.contains("already captured")),
        "{}",
        page.body
    );
    assert!(
        page.has("id=\"refund-needed\"") && page.has("a refund is needed"),
        "{}",
        page.body
    );
    assert!(page.has("id=\"refund-order\""));

    app.submit(&path("/upgrade/complete/refund-order"), &[])
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    let said = notice(&app.get(&path("/upgrade/complete")).await.body);
    assert!(
        said.as_deref()
            .is_some_and(|n| n.ends_with("is refunded in full.")),
        "{said:?}"
    );
    assert_eq!(app.test_order_status().await.as_deref(), Some("refunded"));
    assert_eq!(
        app.scalar("SELECT refunded_amount FROM sandbox_orders WHERE order_id NOT LIKE 'demo-%'")
            .await,
        1000
    );
    // Only the admin acts: another browser's POST is refused before the platform is asked.
    let other = app.another_browser();
    other.sign_in(crate::helpers::OTHER_ADMIN).await;
    let refused = other
        .submit(&path("/upgrade/complete/refund-order"), &[])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::NOT_FOUND,
        "as if there were no store"
    );
}

#[tokio::test]
async fn a_platform_that_does_not_answer_leaves_the_order_as_it_was() {
    let slow = mock_platform(Mock::Slow(Duration::from_secs(5))).await;
    let app = spawn_app_with(|c| {
        c.platform.url = Some(slow);
        c.platform.timeout = Duration::from_secs(1);
    })
    .await;
    app.complete_with_sandbox_order(false).await;
    let page = app
        .submit(&path("/upgrade/complete/cancel-order"), &[])
        .await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(
        page.has("id=\"test-order-problem\"") && page.has("Trying again is safe"),
        "{}",
        page.body
    );
    assert_eq!(app.test_order_status().await.as_deref(), Some("open"));
    assert!(page.has("id=\"cancel-order\""), "the admin can try again");
}

#[tokio::test]
async fn the_sandbox_refuses_what_an_order_state_does_not_allow_and_replays_keys() {
    let app = spawn_app().await;
    let order_id = app.complete_with_sandbox_order(false).await;
    let api = client(&app.address);
    api.capture(&order_id, 400, "cap-1").await.unwrap();
    // The same key again is the same capture, not a second one.
    api.capture(&order_id, 400, "cap-1").await.unwrap();
    let order = api.order(&order_id).await.unwrap();
    assert_eq!(
        (order.status.as_str(), order.captured_amount),
        ("part-captured", 400)
    );
    let e = api.cancel(&order_id, "cancel-1").await.unwrap_err();
    assert_eq!(e.code(), Some("CAPTURED"));
    let e = api.refund(&order_id, 401, "ref-1").await.unwrap_err();
    assert_eq!(e.code(), Some("REFUND_NOT_ALLOWED"));
    let e = api.order("sbx_missing").await.unwrap_err();
    assert_eq!(e.code(), Some("NO_SUCH_ORDER"));

    let wrong_token = PlatformClient::new(
        Some(app.address.clone()),
        Some(SecretString::from("not-the-token")),
        Duration::from_secs(2),
    );
    let e = wrong_token.order(&order_id).await.unwrap_err();
    assert_eq!(e.code(), Some("UNAUTHORIZED"));
}

/// What `poll_once` needs besides the database.
struct PollSinks {
    hub: switchyard::live::Hub,
    outbox: switchyard::store::outbox::Wake,
    catalog: switchyard::domain::Catalog,
}

impl PollSinks {
    fn new(app: &TestApp) -> Self {
        PollSinks {
            hub: switchyard::live::Hub::new(app.db.backend),
            outbox: Default::default(),
            catalog: switchyard::domain::Catalog::parse(
                switchyard::domain::catalog::DEFAULT_CATALOG,
            )
            .unwrap(),
        }
    }

    fn sinks(&self) -> Sinks<'_> {
        Sinks {
            hub: &self.hub,
            outbox: &self.outbox,
            base_url: "http://switchyard.test",
            catalog: &self.catalog,
        }
    }
}

#[tokio::test]
async fn polling_survives_a_failing_platform_and_records_each_order_once() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let sinks = PollSinks::new(&app);
    for mock in [
        Mock::Status(
            401,
            json!({"error_code": "UNAUTHORIZED", "error_message": "bad token"}),
        ),
        Mock::Status(500, json!({})),
        Mock::Slow(Duration::from_secs(3)),
        Mock::Garbage,
    ] {
        let platform = client_waiting(&mock_platform(mock).await, IMPATIENT);
        let e = poll::poll_once(&app.db, sinks.sinks(), &platform)
            .await
            .unwrap_err();
        assert!(matches!(e, poll::PollError::Platform(_)), "{e:?}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM order_events").await, 0);

    // A test order does not complete the upgrade, so the next rounds ask again.
    let test_order = json!([remote("ord_test", &shown.test_mid, "test")]);
    let platform = client(&mock_platform(Mock::Orders(test_order)).await);
    let first = poll::poll_once(&app.db, sinks.sinks(), &platform)
        .await
        .unwrap();
    assert_eq!((first.merchants, first.recorded), (2, 1), "{first:?}");
    let (again, racing) = tokio::join!(
        poll::poll_once(&app.db, sinks.sinks(), &platform),
        poll::poll_once(&app.db, sinks.sinks(), &platform)
    );
    let (again, racing) = (again.unwrap(), racing.unwrap());
    assert_eq!(again.merchants, 2, "asked again");
    assert_eq!(
        again.recorded + racing.recorded,
        0,
        "a known order is not recorded twice"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM order_events").await, 1);
    assert_eq!(app.upgrade_step().await, "test-purchase");

    // A live order completes it.
    let live_order = json!([remote("ord_live", &shown.mid, "live")]);
    let platform = client(&mock_platform(Mock::Orders(live_order)).await);
    poll::poll_once(&app.db, sinks.sinks(), &platform)
        .await
        .unwrap();
    assert_eq!(app.upgrade_step().await, "complete");
}

#[tokio::test]
async fn a_platform_that_cannot_push_is_polled_and_the_purchase_still_completes() {
    let app = spawn_app_with(|c| {
        c.platform.sandbox_push = false;
        c.platform.poll_interval = Some(Duration::from_millis(200));
    })
    .await;
    let shown = app.admin_waiting_for_purchase().await;
    let res = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for _ in 0..50 {
        if app.upgrade_step().await == "complete" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.upgrade_step().await, "complete");
    let event: String = sqlx::query_scalar("SELECT event_id FROM order_events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(event.starts_with("evt_poll_"), "{event}");
    let page = app.get(&format!("/stores/{STORE}/upgrade/complete")).await;
    assert_eq!(page.status, StatusCode::OK);
}

/// The notice the page shows after an action, if any.
fn notice(body: &str) -> Option<String> {
    crate::helpers::between(body, "id=\"notice\">", "<")
}
