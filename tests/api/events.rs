//! Signed platform events: signatures, stale times, replays, bad bodies, what each event
//! means for the upgrade, and the live push to open pages (across two instances on
//! PostgreSQL).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchyard::domain::platform_event::{SIGNATURE_HEADER, sign};

use crate::helpers::{ADMIN, PG_VAR, STORE, TestApp, WEBHOOK_SECRET, path, spawn_app};

fn now() -> i64 {
    switchyard::store::now()
}

fn order(id: &str, subject: Value, env: &str) -> Value {
    let mut data = json!({"order_id": format!("ord_{id}"), "environment": env, "amount": 1000,
                          "currency": "SEK", "user_agent": "WooCommerce/9.4 payments-plugin/2.1"});
    data.as_object_mut()
        .unwrap()
        .extend(subject.as_object().unwrap().clone());
    json!({"id": format!("evt_{id}"), "type": "order.created", "created_at": "2026-11-23T10:00:00Z", "data": data})
}

impl TestApp {
    /// Posts `body` signed at `t` with `secret`, as the platform does.
    async fn deliver_signed(&self, body: &Value, secret: &str, t: i64) -> (StatusCode, Value) {
        let raw = body.to_string();
        let res = self
            .client
            .post(self.url("/platform/v1/events"))
            .header(SIGNATURE_HEADER, sign(secret.as_bytes(), t, raw.as_bytes()))
            .body(raw)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn deliver(&self, body: &Value) -> (StatusCode, Value) {
        self.deliver_signed(body, WEBHOOK_SECRET, now()).await
    }

    /// An order's event row alone, as a delivery cut off after recording it leaves it
    /// (on the new merchant ID, or on the legacy store).
    async fn leave_order_row(&self, id: &str, mid: Option<&str>, legacy: Option<&str>) {
        sqlx::query(
            "INSERT INTO order_events (event_id, kind, merchant_id, legacy_store_id, order_id, environment, \
             amount, currency, received_at, store_id) \
             VALUES ($1, 'order.created', $2, $3, $4, 'live', 1000, 'SEK', $5, \
             (SELECT id FROM stores WHERE legacy_store_id = $6))",
        )
        .bind(format!("evt_{id}"))
        .bind(mid)
        .bind(legacy)
        .bind(format!("ord_{id}"))
        .bind(now())
        .bind(STORE)
        .execute(&self.db.pool)
        .await
        .unwrap();
    }

    async fn events_stored(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM order_events").await
    }

    /// Waits (up to 5 s) for the outbox to have delivered emails to `to` whose subject
    /// contains `subject_part` (in whatever language); how many.
    pub async fn wait_for_email(&self, to: &str, subject_part: &str) -> usize {
        for _ in 0..100 {
            let n = self.emails_with(to, subject_part).await;
            if n > 0 {
                return n;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        0
    }

    async fn emails_with(&self, to: &str, subject_part: &str) -> usize {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND recipient = $1 AND subject LIKE $2 AND sent_at IS NOT NULL",
        )
        .bind(to)
        .bind(format!("%{subject_part}%"))
        .fetch_one(&self.db.pool)
        .await
        .unwrap();
        n as usize
    }
}

#[tokio::test]
async fn unsigned_badly_signed_and_stale_events_are_refused_before_anything_is_written() {
    let app = spawn_app().await;
    let event = order("1", json!({"merchant_id": "K123456"}), "live");
    let raw = event.to_string();
    let unsigned = app
        .client
        .post(app.url("/platform/v1/events"))
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = app
        .deliver_signed(&event, "whsec_somebody_else", now())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("does not match"));
    for t in [now() - 301, now() + 301] {
        let (status, body) = app.deliver_signed(&event, WEBHOOK_SECRET, t).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["error"].as_str().unwrap().contains("5 minutes"));
    }
    // A signature over another body does not carry over.
    let res = app
        .client
        .post(app.url("/platform/v1/events"))
        .header(
            SIGNATURE_HEADER,
            sign(WEBHOOK_SECRET.as_bytes(), now(), b"{}"),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.events_stored().await, 0);
}

#[tokio::test]
async fn a_replay_changes_nothing_and_bad_bodies_name_the_field() {
    let app = spawn_app().await;
    let event = order("2", json!({"legacy_store_id": STORE}), "live");
    assert_eq!(app.deliver(&event).await.0, StatusCode::OK);
    let (status, body) = app.deliver(&event).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("duplicate"))
    );
    assert_eq!(app.events_stored().await, 1);

    let mut bad = order("3", json!({"merchant_id": "K12"}), "live");
    let (status, body) = app.deliver(&bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "data.merchant_id");
    bad = order("4", json!({"merchant_id": "K123456"}), "live");
    bad["data"]["amount"] = json!("ten");
    let (status, body) = app.deliver(&bad).await;
    assert_eq!(
        (status, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("data.amount"))
    );
    let raw = "{not json";
    let res = app
        .client
        .post(app.url("/platform/v1/events"))
        .header(
            SIGNATURE_HEADER,
            sign(WEBHOOK_SECRET.as_bytes(), now(), raw.as_bytes()),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.events_stored().await, 1);
}

#[tokio::test]
async fn the_admins_emails_are_in_the_language_they_read_switchyard_in() {
    let app = spawn_app().await;
    // Kaffebaren sells in Sweden, but Anna's browser asks for English, and she has never
    // touched the language switcher.
    let anna = app.browser_in("en-GB,en;q=0.9");
    let shown = anna.admin_waiting_for_purchase().await;
    anna.deliver(&order("l1", json!({"legacy_store_id": STORE}), "live"))
        .await;
    assert_eq!(
        app.wait_for_email(ADMIN, "your old plugin still takes orders")
            .await,
        1
    );
    // The purchase that completes the upgrade: its email is in English too.
    anna.deliver(&order("p1", json!({"merchant_id": shown.mid}), "live"))
        .await;
    assert_eq!(
        app.wait_for_email(ADMIN, "your upgrade is complete").await,
        1,
        "the completion email is in English"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%your upgrade is complete' AND body LIKE '%until it closes on 15 Feb 2027%'")
            .await,
        1,
        "it names the day the legacy store closes"
    );
}

#[tokio::test]
async fn each_event_means_what_it_should_for_the_upgrade() {
    let app = spawn_app().await;
    // Before new credentials exist, a legacy order is just business as usual.
    let (_, early) = app
        .deliver(&order("early", json!({"legacy_store_id": STORE}), "live"))
        .await;
    assert_eq!(early["outcome"], "recorded");
    let shown = app.admin_waiting_for_purchase().await;

    // A test order: the test setup works; not complete.
    let (_, test) = app
        .deliver(&order("t1", json!({"merchant_id": shown.test_mid}), "test"))
        .await;
    assert_eq!(test["outcome"], "test_order");
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Your test setup works") && page.has("ord_t1"));
    assert!(!page.has("id=\"legacy-still-active\""));

    // An order on the legacy store now: the old plugin is still active. One email only.
    let mut legacy_outcome = Value::Null;
    for id in ["l1", "l2"] {
        let (_, legacy) = app
            .deliver(&order(id, json!({"legacy_store_id": STORE}), "live"))
            .await;
        assert_eq!(legacy["outcome"], "legacy_still_active");
        legacy_outcome = legacy["outcome"].clone();
    }
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("id=\"legacy-still-active\"") && page.has("Your old plugin is still active"));
    assert_eq!(
        // Kaffebaren sells in Sweden and Anna chose no language: Swedish.
        app.wait_for_email(ADMIN, "ditt gamla plugin tar fortfarande emot ordrar")
            .await,
        1
    );

    // An API error shows in the log with what support needs.
    let error = json!({"id": "evt_e1", "type": "api.error", "created_at": "2026-11-23T10:01:00Z",
        "data": {"merchant_id": shown.mid, "error_code": "BAD_VALUE", "correlation_id": "corr-42",
                 "user_agent": "Magento/2.4"}});
    assert_eq!(app.deliver(&error).await.0, StatusCode::OK);
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("BAD_VALUE") && page.has("corr-42") && page.has("Magento/2.4"));
    // Support's timeline names the code and the correlation ID the platform's team asks for.
    let timeline = app.agent().await.get(&path("/timeline")).await;
    assert!(
        timeline.has("An API call failed: BAD_VALUE, correlation ID corr-42"),
        "{}",
        timeline.body
    );

    // The same id again with another body is no replay: refused, and it changes nothing,
    // even when the new body is the very order that would complete the upgrade.
    let mut forged = order("e1", json!({"merchant_id": shown.mid}), "live");
    forged["id"] = json!("evt_e1");
    let (status, body) = app.deliver(&forged).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM order_events WHERE event_id = 'evt_e1' AND kind = 'api.error'"
        )
        .await,
        1
    );
    assert_eq!(
        app.get(&path("/upgrade/test-purchase")).await.status,
        StatusCode::OK
    );
    // The true replay of it is still a plain duplicate.
    assert_eq!(app.deliver(&error).await.1["status"], "duplicate");

    // An order on another MID does nothing to this upgrade.
    let (_, other) = app
        .deliver(&order("x", json!({"merchant_id": "K000001"}), "live"))
        .await;
    assert_eq!(other["outcome"], "recorded");

    // The live order on the new MID completes it, and the admin is told once.
    let (_, live) = app
        .deliver(&order("live1", json!({"merchant_id": shown.mid}), "live"))
        .await;
    assert_eq!(live["outcome"], "completed_upgrade");
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    assert_eq!(
        app.wait_for_email(ADMIN, "din uppgradering är klar").await,
        1
    );
    let (_, again) = app
        .deliver(&order("live2", json!({"merchant_id": shown.mid}), "live"))
        .await;
    assert_eq!(again["outcome"], "recorded");
    app.settle().await;
    assert_eq!(app.emails_with(ADMIN, "din uppgradering är klar").await, 1);

    // Every outcome an event can get was seen, and each is a value the OpenAPI document
    // lists for `outcome`.
    let doc = app.openapi().await;
    let schemas = &doc["components"]["schemas"];
    let outcome = &schemas["Received"]["properties"]["outcome"];
    assert!(
        outcome
            .to_string()
            .contains("#/components/schemas/EventOutcome")
    );
    let mut documented = schemas["EventOutcome"]["enum"].as_array().unwrap().clone();
    let mut seen = vec![
        early["outcome"].clone(),
        test["outcome"].clone(),
        legacy_outcome,
        live["outcome"].clone(),
    ];
    documented.sort_by_key(Value::to_string);
    seen.sort_by_key(Value::to_string);
    assert_eq!(seen, documented);
}

/// An order is recorded first, then acted on. If the server dies between the two, the
/// platform got no answer and sends the event again: the replay is still a duplicate, but
/// it finishes what the first delivery could not, once.
#[tokio::test]
async fn a_replay_finishes_what_a_cut_off_delivery_left_undone() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let purchase = order("cut", json!({"merchant_id": shown.mid}), "live");
    // What the first delivery left: the event row alone.
    app.leave_order_row("cut", Some(&shown.mid), None).await;

    for _ in 0..2 {
        let (status, body) = app.deliver(&purchase).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("duplicate"))
        );
    }
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    assert_eq!(
        app.wait_for_email(ADMIN, "din uppgradering är klar").await,
        1
    );
    app.settle().await;
    assert_eq!(app.emails_with(ADMIN, "din uppgradering är klar").await, 1);
    assert_eq!(app.events_stored().await, 1);
}

/// An order recorded but never weighed, whose event never comes again (the platform gave
/// up, or the order was polled), still takes effect: the periodic chores finish it, once,
/// however often they run.
#[tokio::test]
async fn the_chores_give_recorded_orders_the_effect_they_never_had() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    app.leave_order_row("old-plugin", None, Some(STORE)).await;
    app.leave_order_row("purchase", Some(&shown.mid), None)
        .await;

    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(Duration::from_millis(100)))
        .await;
    assert_eq!(
        app.wait_for_email(ADMIN, "din uppgradering är klar").await,
        1
    );
    assert_eq!(
        app.wait_for_email(ADMIN, "ditt gamla plugin tar fortfarande emot ordrar")
            .await,
        1
    );
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    // The chores ran many times more: nothing twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.emails_with(ADMIN, "din uppgradering är klar").await, 1);
    assert_eq!(
        app.emails_with(ADMIN, "ditt gamla plugin tar fortfarande emot ordrar")
            .await,
        1
    );
}

/// Opens the live stream of the store's upgrade page as `viewer` and returns a future
/// that resolves when a `changed` event arrives.
async fn watch(viewer: &TestApp) -> reqwest::Response {
    let page = viewer.get(&path("/upgrade/test-purchase")).await;
    let live = crate::helpers::between(&page.body, "data-live=\"", "\"")
        .unwrap()
        .replace("&amp;", "&");
    let res = viewer.client.get(viewer.url(&live)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    res
}

/// The stream's next `changed` event. Up to 15 s: a page on a second instance hears of
/// it only after that instance listens again, which can take seconds on a loaded machine;
/// how soon a page hears is timed where it matters.
async fn next_change(mut stream: reqwest::Response) -> Result<String, String> {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !seen.contains("event: changed") {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            other => return Err(format!("no change event: {other:?}; got {seen:?}")),
        }
    }
    Ok(seen)
}

#[tokio::test]
async fn an_open_page_hears_about_the_purchase_at_once() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let stream = watch(&app).await;
    let waiting = tokio::spawn(next_change(stream));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let res = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    waiting.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    let complete = app.get(&path("/upgrade/complete")).await;
    assert!(complete.has("We detected your test purchase"));
}

fn api_error(id: &str, mid: &str) -> Value {
    json!({"id": format!("evt_{id}"), "type": "api.error", "created_at": "2026-11-23T10:01:00Z",
           "data": {"merchant_id": mid, "error_code": "BAD_VALUE", "correlation_id": format!("corr-{id}")}})
}

/// An API error asks nothing of the upgrade and is recorded by a single insert, but an
/// open page still hears of it, from this instance (and, on PostgreSQL, from another).
#[tokio::test]
async fn an_open_page_hears_about_an_api_error() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let mut viewers = vec![&app];
    let second;
    if std::env::var(PG_VAR).is_ok() {
        second = app.another_instance(|_| {}).await;
        second.sign_in(ADMIN).await;
        viewers.push(&second);
    }
    for (n, viewer) in viewers.into_iter().enumerate() {
        let waiting = tokio::spawn(next_change(watch(viewer).await));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (status, body) = app.deliver(&api_error(&format!("e{n}"), &shown.mid)).await;
        assert_eq!(
            (status, body["outcome"].as_str()),
            (StatusCode::OK, Some("recorded"))
        );
        waiting
            .await
            .unwrap()
            .expect("the page hears of the API error");
    }
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("BAD_VALUE") && page.has("corr-e0"));
}

#[tokio::test]
async fn a_page_that_connects_after_the_event_still_hears_of_it() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/test-purchase")).await;
    let live = crate::helpers::between(&page.body, "data-live=\"", "\"")
        .unwrap()
        .replace("&amp;", "&");
    // The purchase lands between the page's render and its stream connecting.
    app.sandbox_purchase(&shown.username, &shown.password).await;
    let stream = app.client.get(app.url(&live)).send().await.unwrap();
    next_change(stream).await.unwrap();
}

/// On PostgreSQL: the admin waits for the purchase on one instance and watches the page
/// on a second one; what the page will hear, and the first instance's merchant ID.
async fn a_page_on_a_second_instance() -> Option<(
    TestApp,
    String,
    TestApp,
    tokio::task::JoinHandle<Result<String, String>>,
)> {
    if std::env::var(PG_VAR).is_err() {
        eprintln!("SKIPPED: two instances share a database only on PostgreSQL ({PG_VAR})");
        return None;
    }
    let first = spawn_app().await;
    let shown = first.admin_waiting_for_purchase().await;
    let second = first.another_instance(|_| {}).await;
    second.sign_in(ADMIN).await;
    let waiting = tokio::spawn(next_change(watch(&second).await));
    tokio::time::sleep(Duration::from_millis(300)).await;
    Some((first, shown.mid, second, waiting))
}

#[tokio::test]
async fn an_event_received_by_one_instance_reaches_a_page_served_by_another() {
    let Some((first, mid, _second, waiting)) = a_page_on_a_second_instance().await else {
        return;
    };
    let (status, body) = first
        .deliver(&order("pg1", json!({"merchant_id": mid}), "live"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["outcome"], "completed_upgrade");
    waiting
        .await
        .unwrap()
        .expect("the second instance pushes the first one's event");
}

/// An instance's connection listening for other instances' changes is cut (a database
/// restart, a proxy's idle timeout): an event recorded before it listens again is not
/// lost to the pages it serves.
#[tokio::test]
async fn a_page_hears_of_an_event_recorded_while_its_instance_was_not_listening() {
    let Some((first, mid, _second, waiting)) = a_page_on_a_second_instance().await else {
        return;
    };
    // The database takes no new connection for a while (told from another database),
    // and every listening one on it is cut, the second instance's among them; the
    // connections open already go on.
    let database: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
        .fetch_one(&first.db.pool)
        .await
        .unwrap();
    let doors = |open: bool| format!("ALTER DATABASE {database} ALLOW_CONNECTIONS {open}");
    let server = std::env::var(PG_VAR).unwrap();
    let mut outside = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
        .await
        .unwrap();
    sqlx::query(&doors(false))
        .execute(&mut outside)
        .await
        .unwrap();
    let cut = first
        .scalar(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await;
    assert!(cut >= 2, "both instances listen: {cut}");
    let (status, body) = first
        .deliver(&order("gap", json!({"merchant_id": mid}), "live"))
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (StatusCode::OK, Some("completed_upgrade"))
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    sqlx::query(&doors(true))
        .execute(&mut outside)
        .await
        .unwrap();
    waiting
        .await
        .unwrap()
        .expect("the second instance's page hears of the event once it listens again");
}

/// Events arriving together are written together (group commit); one the database
/// refuses fails only itself: every other is acknowledged, stored once, and a second
/// delivery of each is a duplicate.
#[tokio::test]
async fn one_refused_event_among_many_at_once_fails_only_itself() {
    let app = spawn_app().await;
    // The database refuses one order, as a broken row would.
    app.refuse_inserts("order_events", "NEW.order_id = 'ord_poison'")
        .await;
    let mut bodies: Vec<Value> = (0..80)
        .map(|i| {
            order(
                &format!("burst{i}"),
                json!({"legacy_store_id": STORE}),
                "live",
            )
        })
        .collect();
    bodies.insert(
        40,
        order("poison", json!({"legacy_store_id": STORE}), "live"),
    );
    for round in 0..2 {
        let answers = futures_util::future::join_all(bodies.iter().map(|b| app.deliver(b))).await;
        for (body, (status, answer)) in bodies.iter().zip(&answers) {
            if body["id"] == "evt_poison" {
                assert!(status.is_server_error(), "{status} {answer}");
            } else {
                assert!(status.is_success(), "round {round}: {status} {answer}");
            }
        }
        assert_eq!(app.events_stored().await, 80, "round {round}");
    }
}

/// A batch is written in one statement, and each event in it is answered as it would be
/// alone: an order of a store being upgraded brings back the upgrade, an event of an
/// unknown merchant is stored without a store, and an id seen before (earlier, or twice
/// in the batch) is not recorded again. The events keep their order.
#[tokio::test]
async fn a_batch_in_one_statement_answers_each_event_as_alone() {
    use switchyard::{domain::platform_event::parse, store};
    let app = spawn_app().await;
    let store_id = store::stores::find_by_legacy_id(&app.db.pool, STORE)
        .await
        .unwrap()
        .unwrap()
        .id;
    let upgrade = store::upgrades::get_or_start(&app.db, store_id, "kpm-kp")
        .await
        .unwrap();
    let event = |body: Value| parse(body.to_string().as_bytes()).unwrap();
    let earlier = event(order("earlier", json!({"legacy_store_id": STORE}), "live"));
    store::events::insert(&app.db.pool, &earlier).await.unwrap();

    let mut again = order("first", json!({"legacy_store_id": STORE}), "live");
    again["data"]["amount"] = json!(2000);
    let batch = [
        event(order("first", json!({"legacy_store_id": STORE}), "live")),
        event(api_error("stranger", "K999999")),
        event(again),
        earlier,
        event(api_error("last", "K999999")),
    ];
    let answers = store::events::insert_all(&app.db.pool, &batch.iter().collect::<Vec<_>>())
        .await
        .unwrap();

    let order = answers[0].as_ref().expect("a new order is recorded");
    assert_eq!(order.store_id, Some(store_id));
    let weighed = order
        .upgrade
        .as_ref()
        .expect("its store's upgrade comes back");
    assert_eq!((weighed.id, weighed.step), (upgrade.id, upgrade.step));
    let stranger = answers[1]
        .as_ref()
        .expect("an unknown merchant's error is recorded");
    assert_eq!((stranger.store_id, &stranger.upgrade), (None, &None));
    assert_eq!(
        answers[2], None,
        "the same id twice in a batch is recorded once"
    );
    assert_eq!(
        answers[3], None,
        "an id recorded earlier is not recorded again"
    );
    assert!(answers[4].is_some());
    let stored: Vec<String> = sqlx::query_scalar("SELECT event_id FROM order_events ORDER BY id")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        stored,
        ["evt_earlier", "evt_first", "evt_stranger", "evt_last"]
    );
}
