//! What still uses the legacy store, and what real traffic proved on the new ID: `api.call`
//! events signed and sent over HTTP as the platform sends them, the sandbox reporting the
//! calls made to it, and the tables and checklist the admin reads.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, STORE, TestApp, between, path, spawn_app};

/// An `api.call` event on `subject` (`{"legacy_store_id": …}` or `{"merchant_id": …}`).
fn call(id: &str, subject: Value, service: &str, status: u16, at: i64) -> Value {
    let mut data = json!({"service": service, "endpoint": "/ordermanagement/v1/orders/o1/captures",
                          "status": status, "user_agent": "OldPlugin/1.2 (WooCommerce)"});
    data.as_object_mut()
        .unwrap()
        .extend(subject.as_object().unwrap().clone());
    json!({"id": format!("evt_{id}"), "type": "api.call",
           "created_at": switchyard::domain::rfc3339(at), "data": data})
}

impl TestApp {
    /// The `<tr>` of the traffic table for `service` and `id`, if there is one.
    pub(crate) async fn traffic_row(&self, page: &str, service: &str, id: &str) -> Option<String> {
        let body = self.get(page).await.body;
        let table = between(&body, "id=\"traffic-table\"", "</table>")?;
        table
            .split("<tr")
            .find(|row| {
                row.contains(&format!("data-service=\"{service}\""))
                    && row.contains(&format!("<code>{id}</code>"))
            })
            .map(str::to_owned)
    }

    async fn capability(&self, service: &str) -> String {
        let page = self.get(&path("/upgrade/complete")).await;
        between(
            &page.body,
            &format!("id=\"capability-{service}\" class=\""),
            "\"",
        )
        .unwrap_or_else(|| panic!("no {service} capability: {}", page.body))
    }
}

#[tokio::test]
async fn a_service_still_calling_the_legacy_store_is_shown_until_it_stops() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    let legacy = json!({"legacy_store_id": STORE});
    let (status, body) = app
        .deliver(&call("om", legacy.clone(), "order_management", 200, now))
        .await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("recorded")),
        "{body}"
    );
    // Settlement reports were last fetched with the legacy ID ten days ago.
    app.deliver(&call(
        "old",
        legacy.clone(),
        "settlement",
        200,
        now - 10 * 86_400,
    ))
    .await;

    app.sign_in(ADMIN).await;
    let om = app
        .traffic_row(&path(""), "order_management", STORE)
        .await
        .expect("order management on the legacy ID is listed");
    assert!(om.contains("Action required"), "{om}");
    assert!(om.contains("OldPlugin/1.2"), "what still calls it: {om}");
    let settlement = app
        .traffic_row(&path(""), "settlement", STORE)
        .await
        .expect("settlement on the legacy ID is listed");
    assert!(
        settlement.contains("No calls in the last 7 days"),
        "{settlement}"
    );
    // The legacy page shows the same, and so does support's timeline of the store.
    assert!(
        app.traffic_row(&path("/legacy"), "order_management", STORE)
            .await
            .is_some_and(|r| r.contains("Action required"))
    );
    let agent = app.agent().await;
    assert!(
        agent
            .traffic_row(&path("/timeline"), "order_management", STORE)
            .await
            .is_some_and(|r| r.contains("Action required"))
    );

    // A replay changes nothing; the same id with another status is refused.
    let (_, again) = app
        .deliver(&call("om", legacy.clone(), "order_management", 200, now))
        .await;
    assert_eq!(again["status"], "duplicate");
    let (status, _) = app
        .deliver(&call("om", legacy.clone(), "order_management", 500, now))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    switchyard::store::traffic::fold(&app.db).await.unwrap();
    assert_eq!(
        app.scalar("SELECT CAST(SUM(calls) AS BIGINT) FROM store_traffic WHERE service = 'order_management'")
            .await,
        1,
        "counted once"
    );
}

/// The `recent` calls, successes and user agent of `service` on the legacy ID, as the
/// store's table is read.
async fn legacy_use(app: &TestApp, service: &str) -> (i64, i64, Option<String>) {
    let id = app
        .scalar(&format!(
            "SELECT id FROM stores WHERE legacy_store_id = '{STORE}'"
        ))
        .await;
    let uses = switchyard::store::traffic::of_store(&app.db.pool, id, switchyard::store::now())
        .await
        .unwrap();
    let u = uses
        .iter()
        .find(|u| u.service.as_str() == service && u.subject == STORE)
        .unwrap_or_else(|| panic!("no {service} on the legacy ID: {uses:?}"));
    (u.recent, u.succeeded, u.user_agent.clone())
}

#[tokio::test]
async fn each_call_counts_once_whether_folded_or_not_and_none_is_lost_while_folding() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    let legacy = json!({"legacy_store_id": STORE});
    // Four calls today, one of them refused; the latest, from a newer plugin, is not
    // the last to arrive.
    let mut latest = call("c4", legacy.clone(), "checkout", 200, now - 30);
    latest["data"]["user_agent"] = json!("NewPlugin/2.0");
    app.deliver(&latest).await;
    for (n, status, at) in [(1, 200, now - 120), (2, 500, now - 60), (3, 200, now - 90)] {
        let (status, _) = app
            .deliver(&call(
                &format!("c{n}"),
                legacy.clone(),
                "checkout",
                status,
                at,
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let before = legacy_use(&app, "checkout").await;
    assert_eq!(before, (4, 3, Some("NewPlugin/2.0".into())));
    switchyard::store::traffic::fold(&app.db).await.unwrap();
    assert_eq!(
        legacy_use(&app, "checkout").await,
        before,
        "the same after folding"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM store_traffic_news").await,
        0
    );

    // A call older than the folded day's latest does not take its user agent.
    let mut older = call("c5", legacy.clone(), "checkout", 200, now - 600);
    older["data"]["user_agent"] = json!("OldPlugin/1.0");
    app.deliver(&older).await;
    switchyard::store::traffic::fold(&app.db).await.unwrap();
    assert_eq!(
        legacy_use(&app, "checkout").await,
        (5, 4, Some("NewPlugin/2.0".into()))
    );

    // Calls sent while folds run: each is counted once, folded or not.
    let sends = (0..60).map(|n| {
        let app = &app;
        let event = call(
            &format!("f{n}"),
            json!({"legacy_store_id": STORE}),
            "settlement",
            200,
            now,
        );
        async move { app.deliver(&event).await.0 }
    });
    let folds = async {
        for _ in 0..10 {
            switchyard::store::traffic::fold(&app.db).await.unwrap();
        }
    };
    let (statuses, ()) = tokio::join!(futures_util::future::join_all(sends), folds);
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(legacy_use(&app, "settlement").await.0, 60);
    switchyard::store::traffic::fold(&app.db).await.unwrap();
    assert_eq!(legacy_use(&app, "settlement").await.0, 60);
}

#[tokio::test]
async fn a_call_without_its_service_endpoint_or_a_real_status_is_refused_by_name() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    let legacy = json!({"legacy_store_id": STORE});
    let mut no_service = call("a", legacy.clone(), "order_management", 200, now);
    no_service["data"]
        .as_object_mut()
        .unwrap()
        .remove("service");
    let cases = [
        (no_service, "data.service"),
        (
            call("b", legacy.clone(), "payments", 200, now),
            "data.service",
        ),
        (
            call("c", legacy.clone(), "checkout", 700, now),
            "data.status",
        ),
        (
            {
                let mut c = call("d", legacy.clone(), "checkout", 200, now);
                c["data"]["endpoint"] = json!("orders");
                c
            },
            "data.endpoint",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app.deliver(&body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["field"], field, "{answer}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM order_events").await, 0);
}

#[tokio::test]
async fn real_traffic_on_the_new_id_proves_each_capability_and_the_missing_one_is_flagged() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let placed = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let order: Value = placed.json().await.unwrap();
    let order = order["order_id"].as_str().unwrap().to_owned();
    // Checkout works (the test purchase); order management and settlements never ran.
    assert_eq!(app.capability("checkout").await, "ok");
    assert_eq!(app.capability("order_management").await, "pending");
    assert_eq!(app.capability("settlement").await, "pending");
    let page = app.get(&path("/upgrade/complete")).await;
    assert!(page.has("id=\"order-management-missing\""), "{}", page.body);
    assert!(
        app.get(&path(""))
            .await
            .has("id=\"order-management-missing\"")
    );
    let agent = app.agent().await;
    let flagged = || async {
        agent
            .get(&path("/timeline"))
            .await
            .has("id=\"order-management-missing\"")
    };
    assert!(
        flagged().await,
        "support sees the flag on the store's timeline"
    );

    // A refused capture on the new ID proves nothing.
    let mid = shown.mid.clone();
    let now = switchyard::store::now();
    app.deliver(&call(
        "refused",
        json!({"merchant_id": mid}),
        "order_management",
        403,
        now,
    ))
    .await;
    assert_eq!(app.capability("order_management").await, "pending");

    // The one-click cancel of the test order goes through the platform's order
    // management on the new ID: the sandbox reports that call, as the platform does.
    app.submit(&path("/upgrade/complete/cancel-order"), &[])
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    assert_eq!(app.capability("order_management").await, "ok");
    let page = app.get(&path("/upgrade/complete")).await;
    assert!(
        !page.has("id=\"order-management-missing\""),
        "{}",
        page.body
    );
    assert!(page.has(&order));
    assert!(!flagged().await, "and no longer once it is proven");

    // Fetching settlement reports with the new credentials proves the last one; a
    // refused fetch does not.
    let fetch = |password: &str| {
        app.client
            .get(app.url("/sandbox/v1/settlements"))
            .basic_auth(&shown.username, Some(password.to_owned()))
            .send()
    };
    assert_eq!(
        fetch("not the password").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.capability("settlement").await, "pending");
    assert_eq!(
        fetch(&shown.password).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(app.capability("settlement").await, "ok");
    let row = app
        .traffic_row(&path(""), "settlement", &shown.mid)
        .await
        .expect("settlements on the new ID are listed");
    assert!(row.contains("In use"), "{row}");
}

/// The partner manager sees which stores still call their legacy store: a column, a
/// filter (also in the API and the CSV), and each store's last use in the API.
#[tokio::test]
async fn the_dashboard_lists_and_filters_the_stores_still_calling_the_legacy_store() {
    let app = spawn_app().await;
    app.partners().await;
    let now = switchyard::store::now();
    // Kaffebaren captured through its old plugin today; Bergkristall last fetched a
    // report with its legacy ID ten days ago.
    app.deliver(&call(
        "kb",
        json!({"legacy_store_id": STORE}),
        "order_management",
        201,
        now,
    ))
    .await;
    app.deliver(&call(
        "bk",
        json!({"legacy_store_id": "20240"}),
        "settlement",
        200,
        now - 10 * 86_400,
    ))
    .await;

    let pm = app.as_partner(crate::partner::PM).await;
    let all = pm.get("/partner").await;
    let row = between(&all.body, "id=\"store-4711\"", "</tr>").unwrap();
    assert!(row.contains("legacy attention"), "{row}");
    let row = between(&all.body, "id=\"store-20240\"", "</tr>").unwrap();
    assert!(
        row.contains("class=\"legacy\"") && row.contains("<time"),
        "{row}"
    );
    let calling = pm.get("/partner?legacy=calling").await;
    assert!(calling.has("id=\"store-4711\"") && !calling.has("id=\"store-20240\""));
    assert!(
        calling.has("Stores matching: 1"),
        "the count follows the filter"
    );

    let csv = pm.get("/partner/export.csv?legacy=calling").await.body;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains(",legacy_last_used,"), "{}", lines[0]);
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("4711,"));

    let token = pm.create_token("sync").await;
    let (status, list) = pm.api(&token, "/api/v1/stores?legacy=calling").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(crate::partner::eids(&list), ["4711"]);
    assert_eq!(
        list["stores"][0]["legacy_last_used"],
        switchyard::domain::rfc3339(now)
    );
    let (status, _) = pm.api(&token, "/api/v1/stores?legacy=sometimes").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Each store's own table, as its pages show it.
    let (_, kb) = pm.api(&token, "/api/v1/stores/4711").await;
    assert_eq!(
        kb["traffic"],
        json!([{"service": "order_management", "id": STORE,
                "last_seen": switchyard::domain::rfc3339(now), "calls_last_7_days": 1,
                "user_agent": "OldPlugin/1.2 (WooCommerce)", "action": "move"}]),
        "{kb}"
    );
    let (_, bk) = pm.api(&token, "/api/v1/stores/20240").await;
    assert_eq!(bk["traffic"][0]["action"], "stopped", "{bk}");
    assert_eq!(bk["traffic"][0]["calls_last_7_days"], 0, "{bk}");
}

/// A completed store whose checkout works but whose order management was never seen on
/// the new ID is flagged to its partner: on the dashboard, as a filter, in the API.
#[tokio::test]
async fn the_partner_sees_completed_stores_that_never_used_order_management_on_the_new_id() {
    let app = spawn_app().await;
    app.partners().await;
    let shown = app.admin_waiting_for_purchase().await;
    let placed = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(placed.status(), StatusCode::CREATED);

    let pm = app.as_partner(crate::partner::PM).await;
    let all = pm.get("/partner").await;
    let row = between(&all.body, "id=\"store-4711\"", "</tr>").unwrap();
    assert!(row.contains("id=\"om-missing-4711\""), "{row}");
    let missing = pm.get("/partner?order_management=missing").await;
    assert!(missing.has("id=\"store-4711\""), "{}", missing.body);
    assert!(missing.has("Stores matching: 1"));
    let token = pm.create_token("sync").await;
    let (status, list) = pm
        .api(&token, "/api/v1/stores?order_management=missing")
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(crate::partner::eids(&list), ["4711"]);
    assert_eq!(list["stores"][0]["order_management_missing"], true);
    let (status, _) = pm.api(&token, "/api/v1/stores?order_management=no").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, one) = pm.api(&token, "/api/v1/stores/4711").await;
    assert_eq!(
        one["proven"],
        json!({"checkout": true, "order_management": false, "settlement": false})
    );
    let not_seen = |one: &Value| {
        one["traffic"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "not_seen")
            .map(|r| r["service"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(not_seen(&one), ["order_management", "settlement"], "{one}");

    // Cancelling the test order goes through order management on the new ID.
    app.submit(&path("/upgrade/complete/cancel-order"), &[])
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    let row = between(&pm.get("/partner").await.body, "id=\"store-4711\"", "</tr>").unwrap();
    assert!(!row.contains("om-missing"), "{row}");
    assert!(
        pm.get("/partner?order_management=missing")
            .await
            .has("Stores matching: 0")
    );
    let (_, one) = pm.api(&token, "/api/v1/stores/4711").await;
    assert_eq!(one["order_management_missing"], false, "{one}");
    assert!(one["order_management_first_used"].is_string(), "{one}");
    assert_eq!(one["proven"]["order_management"], true, "{one}");
    assert_eq!(not_seen(&one), ["settlement"], "{one}");
    let used = one["traffic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == "order_management")
        .unwrap();
    assert_eq!(
        (&used["id"], &used["action"]),
        (&json!(shown.mid), &json!("in_use"))
    );
    let csv = pm.get("/partner/export.csv").await.body;
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",order_management_first_used"), "{header}");
}

impl TestApp {
    /// The partner's webhook events received so far: (type, data).
    pub(crate) fn received(hook: &crate::partner::Receiver) -> Vec<(String, Value)> {
        hook.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| {
                let v: Value = serde_json::from_str(body).unwrap();
                (v["type"].as_str().unwrap().to_owned(), v["data"].clone())
            })
            .collect()
    }

    pub(crate) async fn wait_for_events(
        hook: &crate::partner::Receiver,
        n: usize,
    ) -> Vec<(String, Value)> {
        for _ in 0..200 {
            if hook.calls.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Self::received(hook)
    }
}

/// The partner's webhook hears once when a store's legacy ID has gone quiet for the days
/// that count as lately, and once when it is called again after that, with what called.
#[tokio::test]
async fn partners_hear_when_the_legacy_store_goes_quiet_and_when_it_is_called_again() {
    use switchyard::app::traffic::tell_partners;
    let app = crate::helpers::spawn_app_with(|c| c.health_check.allow_private = true).await;
    app.partners().await;
    let hook = crate::partner::receiver(0).await;
    app.as_partner(crate::partner::PM)
        .await
        .add_webhook(&hook.url)
        .await;
    let now = switchyard::store::now();
    let legacy = json!({"legacy_store_id": STORE});
    app.deliver(&call(
        "a",
        legacy.clone(),
        "order_management",
        200,
        now - 8 * 86_400,
    ))
    .await;

    // Two days later the call was six days old: still lately, no news.
    assert_eq!(tell_partners(&app.db, now - 2 * 86_400).await.unwrap(), 0);
    // Today it has gone quiet: told once, by whichever instance looks first.
    let (a, b) = tokio::join!(tell_partners(&app.db, now), tell_partners(&app.db, now));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(tell_partners(&app.db, now).await.unwrap(), 0);
    let events = TestApp::wait_for_events(&hook, 1).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "store.legacy_traffic_stopped");
    assert_eq!(events[0].1["legacy_store_id"], STORE);
    assert_eq!(
        events[0].1["legacy_last_used"],
        switchyard::domain::rfc3339(now - 8 * 86_400)
    );

    // The old plugin calls again: resumed, naming the service and what called.
    app.deliver(&call("b", legacy.clone(), "settlement", 200, now))
        .await;
    assert_eq!(tell_partners(&app.db, now).await.unwrap(), 1);
    assert_eq!(tell_partners(&app.db, now).await.unwrap(), 0);
    let events = TestApp::wait_for_events(&hook, 2).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let (kind, data) = &events[1];
    assert_eq!(kind, "store.legacy_traffic_resumed");
    let settlement = data["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "settlement")
        .unwrap_or_else(|| panic!("{data}"));
    assert_eq!(settlement["calls_last_7_days"], 1);
    assert_eq!(settlement["user_agent"], "OldPlugin/1.2 (WooCommerce)");
    // Every delivery is signed.
    assert!(
        hook.calls
            .lock()
            .unwrap()
            .iter()
            .all(|(sig, _)| sig.is_some())
    );
    // The other partner's store never called its legacy ID: nothing to tell.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stores WHERE legacy_told IS NOT NULL")
            .await,
        1
    );
}

/// Sunset reminders are targeted by what the store really does: one whose legacy store
/// was called lately gets the loud one, naming each service still calling and what called.
#[tokio::test]
async fn the_sunset_reminder_of_a_store_still_using_its_legacy_store_is_loud_and_names_what_calls()
{
    let today = time::OffsetDateTime::now_utc().date();
    let sunsets = move |c: &mut switchyard::config::Config| {
        c.sunsets = vec![
            ("KPM".into(), today + time::Duration::days(30)),
            ("KCOv2".into(), today + time::Duration::days(200)),
        ];
    };
    let app = crate::helpers::spawn_app_with(sunsets).await;
    let now = switchyard::store::now();
    app.deliver(&call(
        "om",
        json!({"legacy_store_id": STORE}),
        "order_management",
        200,
        now,
    ))
    .await;
    let _chores = app
        .another_instance(move |c| {
            sunsets(c);
            c.maintenance_interval = Some(std::time::Duration::from_millis(100));
        })
        .await;
    let app = &app;
    let reminder = |eid: &'static str| async move {
        for _ in 0..100 {
            let found: Option<(String, String)> = sqlx::query_as(
                "SELECT o.subject, o.body FROM outbox o JOIN stores s ON o.store_id = s.id \
                 WHERE s.legacy_store_id = $1 AND o.idempotency_key LIKE 'sunset:%'",
            )
            .bind(eid)
            .fetch_optional(&app.db.pool)
            .await
            .unwrap();
            if let Some(found) = found {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no sunset reminder for {eid}");
    };
    // Kaffebaren's admin reads Swedish.
    let (subject, body) = reminder(STORE).await;
    assert!(subject.contains("används fortfarande"), "{subject}");
    assert!(
        body.contains("- Orderhantering: 1 anrop, senast av OldPlugin/1.2 (WooCommerce)"),
        "{body}"
    );
    // Bergkristall's legacy store is quiet: the plain reminder.
    let (subject, body) = reminder("20240").await;
    assert!(!subject.contains("noch in Gebrauch"), "{subject}");
    assert!(!body.contains("noch in Gebrauch"), "{body}");
    assert!(subject.contains("20240"), "{subject}");
}

#[tokio::test]
async fn an_instance_running_the_chores_folds_the_calls_by_itself() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    for n in 0..3 {
        app.deliver(&call(
            &format!("s{n}"),
            json!({"legacy_store_id": STORE}),
            "settlement",
            200,
            now,
        ))
        .await;
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM store_traffic_news").await,
        3
    );
    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(std::time::Duration::from_millis(100)))
        .await;
    for _ in 0..100 {
        if app.scalar("SELECT COUNT(*) FROM store_traffic_news").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM store_traffic_news").await,
        0,
        "folded"
    );
    assert_eq!(legacy_use(&app, "settlement").await.0, 3);
}
