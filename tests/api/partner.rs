//! Partner managers: the dashboard (isolation, filters, sorting, pages, CSV, charts),
//! the bulk nudge, API tokens, the REST API, webhooks and the OpenAPI document.

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::json;
use switchyard::{
    domain::{access::StaffRole, platform_event},
    store::stores::NewStore,
};

use crate::helpers::{ADMIN, STORE, TestApp, between, eventually, spawn_app, spawn_app_with};

pub const PM: &str = "pm@nordic.example";
pub const OTHER_PM: &str = "pm@other-partner.example";
const NORDIC: &str = "Nordic Commerce Partners";

impl TestApp {
    /// A store of another partner, and a manager for each partner.
    pub async fn partners(&self) {
        let other = NewStore {
            legacy_store_id: "990001".into(),
            name: "Andere Handel GmbH".into(),
            product: "KPM".into(),
            admin_email: "chef@andere.example".into(),
            countries: vec!["DE".into()],
            platform: "shopware".into(),
            store_url: "https://andere.example".into(),
            partner: Some("Other Partner".into()),
            capabilities: Default::default(),
        };
        let mut tx = self.db.begin().await.unwrap();
        switchyard::store::stores::insert_all(&mut tx, &[other])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        self.add_staff(PM, StaffRole::PartnerManager, Some(NORDIC))
            .await;
        self.add_staff(OTHER_PM, StaffRole::PartnerManager, Some("Other Partner"))
            .await;
    }

    /// A partner manager, signed in, in another browser.
    pub async fn as_partner(&self, email: &str) -> TestApp {
        let b = self.another_browser();
        b.sign_in(email).await;
        b
    }

    /// Creates an API token on the page, as the manager would; returns it.
    pub async fn create_token(&self, name: &str) -> String {
        let page = self.submit("/partner/api/tokens", &[("name", name)]).await;
        assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
        between(&page.body, "id=\"new-token\">", "<").expect("the token is shown")
    }

    pub async fn api(&self, token: &str, path: &str) -> (StatusCode, serde_json::Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or_default())
    }
}

pub fn eids(v: &serde_json::Value) -> Vec<String> {
    v["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["legacy_store_id"].as_str().unwrap().to_owned())
        .collect()
}

/// KPM's sunset 60 days from the test's today, KCO v2's 200: not-started KPM stores are
/// at risk, whatever the real date.
pub fn sunsets_from_today(c: &mut switchyard::config::Config) {
    let today = time::OffsetDateTime::now_utc().date();
    c.sunsets = vec![
        ("KPM".into(), today + time::Duration::days(60)),
        ("KCOv2".into(), today + time::Duration::days(200)),
    ];
}

#[tokio::test]
async fn a_partner_sees_only_its_own_stores_in_the_dashboard_the_csv_and_the_api() {
    let app = spawn_app_with(sunsets_from_today).await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let other = app.as_partner(OTHER_PM).await;

    let mine = pm.get("/partner").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.has("id=\"store-4711\"") && mine.has("Stores matching: 5"),
        "{}",
        mine.body
    );
    assert!(
        !mine.has("990001") && !mine.has("555001"),
        "another partner's or no partner's store"
    );
    let theirs = other.get("/partner").await;
    assert!(theirs.has("id=\"store-990001\"") && theirs.has("Stores matching: 1"));
    assert!(!theirs.has("4711"));

    let csv = pm.get("/partner/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with(
        "legacy_store_id,name,product,path,step,last_activity,days_without_progress,risk"
    ));
    assert_eq!(csv.body.lines().count(), 6, "{}", csv.body);
    assert!(!csv.body.contains("990001"));
    let csv = other.get("/partner/export.csv?q=4711").await;
    assert_eq!(
        csv.body.lines().count(),
        1,
        "a search cannot reach another partner's store"
    );

    let token = pm.create_token("CRM sync").await;
    let (status, list) = app.api(&token, "/api/v1/stores?per_page=200").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 5);
    assert!(!eids(&list).contains(&"990001".to_owned()));
    let (status, body) = app.api(&token, "/api/v1/stores/990001").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = app.api(&token, "/api/v1/stores/does-not-exist").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the same answer as another partner's store"
    );
    assert_eq!(body["error"]["code"], "not_found");
    // A session is not an API credential, and an admin has no dashboard.
    assert_eq!(
        pm.get("/api/v1/stores").await.status,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    assert_eq!(admin.get("/partner").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_dashboard_filters_sorts_pages_and_charts() {
    let app = spawn_app_with(sunsets_from_today).await;
    app.partners().await;
    // The admin of 4711 starts the upgrade: it moves to the account step.
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    let pm = app.as_partner(PM).await;

    let page = pm.get("/partner?step=account").await;
    assert!(
        page.has("Stores matching: 1") && page.has("id=\"store-4711\""),
        "{}",
        page.body
    );
    let page = pm.get("/partner?product=KCOv2").await;
    assert!(
        page.has("Stores matching: 2")
            && page.has("id=\"store-123456\"")
            && !page.has("id=\"store-4711\"")
    );
    let page = pm.get("/partner?country=de").await;
    assert!(page.has("id=\"store-20240\"") && page.has("Stores matching: 1"));
    let page = pm.get("/partner?platform=magento2").await;
    assert!(page.has("id=\"store-123456\"") && page.has("Stores matching: 1"));
    let page = pm.get("/partner?q=kaffe").await;
    assert!(page.has("Stores matching: 1"));
    // KPM's sunset is within 90 days, so its stores that have not started are at risk;
    // 4711 has just moved.
    let at_risk = pm.get("/partner?risk=at-risk").await;
    let on_track = pm.get("/partner?risk=on-track").await;
    assert!(on_track.has("id=\"store-4711\""), "{}", on_track.body);
    assert!(!at_risk.has("id=\"store-4711\""));
    let risk_of = |p: &str, eid: &str| {
        between(p, &format!("id=\"store-{eid}\""), "</tr>")
            .and_then(|row| between(&row, "data-risk=\"", "\""))
    };
    let all = pm.get("/partner").await;
    for eid in ["123456", "20240", "880011", "31337"] {
        let risk = risk_of(&all.body, eid).unwrap();
        assert!(
            at_risk.has(&format!("id=\"store-{eid}\"")) == (risk == "at-risk"),
            "the filter and the column agree for {eid}"
        );
    }

    // Sorting by name, both ways; pages keep the filter.
    let asc = pm.get("/partner?sort=name").await;
    let desc = pm.get("/partner?sort=name&dir=desc").await;
    let first = |p: &str| between(p, "<tbody><tr id=\"store-", "\"");
    assert_eq!(
        first(&asc.body).as_deref(),
        Some("20240"),
        "Bergkristall first"
    );
    assert_eq!(first(&desc.body).as_deref(), Some("31337"), "Tulpen first");
    assert!(asc.has("Page 1 of 1"));
    assert_eq!(pm.get("/partner?page=999").await.status, StatusCode::OK);
    assert_eq!(
        pm.get("/partner?page=-4&sort=nonsense&risk=%27")
            .await
            .status,
        StatusCode::OK
    );

    // The charts are SVG in the page: the funnel counts all five, one past terms.
    assert!(all.has("<svg") && all.has("id=\"chart-funnel\"") && all.has("id=\"chart-weekly\""));
    assert!(all.has("All stores: 5"), "the funnel's description");
}

#[tokio::test]
async fn a_bulk_nudge_reminds_each_store_at_most_once_a_day_and_is_audited() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let before = app.emails_to(ADMIN);
    let fields = [("store", STORE), ("store", "20240"), ("store", "990001")];
    let done = pm.submit("/partner/nudge", &fields).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.has("Reminders queued: 2. Skipped"), "{}", done.body);
    assert!(
        done.has("not yours): 1"),
        "another partner's store is skipped"
    );
    let again = pm.submit("/partner/nudge", &fields).await;
    assert!(again.has("Reminders queued: 0"), "{}", again.body);
    for _ in 0..100 {
        if app.emails_to(ADMIN) > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.settle().await;
    assert_eq!(app.emails_to(ADMIN), before + 1);
    assert_eq!(app.emails_to("chef@andere.example"), 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'store.nudged'")
            .await,
        2
    );
    // Without the form's token nothing is sent.
    let forged = pm.post("/partner/nudge", &[("store", STORE)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let token = pm.create_token("Reporting").await;
    assert!(token.starts_with("sypat_"));
    let stored: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{token}' OR prefix = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0, "only a hash and a short prefix are kept");
    let page = pm.get("/partner/api").await;
    assert!(!page.has(&token), "shown once only");

    let (status, list) = app
        .api(&token, "/api/v1/stores?sort=eid&per_page=2&page=2")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (list["page"].as_i64(), list["per_page"].as_i64()),
        (Some(2), Some(2))
    );
    // Legacy store IDs sort as numbers: 4711, 20240, 31337, 123456, 880011.
    assert_eq!(eids(&list), ["31337", "123456"]);
    let (status, detail) = app.api(&token, &format!("/api/v1/stores/{STORE}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["name"], "Kaffebaren");
    assert_eq!(detail["step"], "not-started");
    assert!(detail["history"].as_array().unwrap().is_empty());
    let (status, body) = app.api(&token, "/api/v1/stores?per_page=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // A misspelt, empty or out-of-range parameter is refused, not answered with nothing.
    for query in [
        "risk=at_risk",
        "step=started",
        "sort=size",
        "dir=down",
        "page=0",
        "country=SWE",
        "step=",
        "per_page=",
    ] {
        let (status, body) = app.api(&token, &format!("/api/v1/stores?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
    let (status, _) = app
        .api(
            &token,
            "/api/v1/stores?step=not-started&risk=on-track&dir=desc",
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let id = app
        .scalar("SELECT id FROM api_tokens ORDER BY id DESC LIMIT 1")
        .await;
    // Another manager cannot revoke it.
    let other = app.as_partner(OTHER_PM).await;
    let refused = other
        .submit(&format!("/partner/api/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    pm.submit(&format!("/partner/api/tokens/{id}/revoke"), &[])
        .await
        .assert_redirect_to("/partner/api");
    let (status, _) = app.api(&token, "/api/v1/stores").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'api_token.%'")
            .await,
        2
    );
    let (status, _) = app.api("sypat_not-a-token", "/api/v1/stores").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// What the endpoint received: the signature header and the body, per call.
pub type Calls = Arc<Mutex<Vec<(Option<String>, String)>>>;

/// A partner's endpoint on this machine that fails its first `failures` calls.
pub struct Receiver {
    pub url: String,
    pub calls: Calls,
}

pub async fn receiver(failures: usize) -> Receiver {
    use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    let app = Router::new().route(
        "/hooks",
        post(move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let mut calls = seen.lock().unwrap();
                calls.push((
                    headers
                        .get(platform_event::SIGNATURE_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    String::from_utf8_lossy(&body).into_owned(),
                ));
                if calls.len() <= failures {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, calls }
}

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_delivered_once() {
    let app = spawn_app_with(|c| c.health_check.allow_private = true).await;
    // A literal private address is refused unless private addresses are allowed (on
    // an instance of its own: instances share the queue).
    let strict = spawn_app().await;
    strict.partners().await;
    app.partners().await;
    let hook = receiver(1).await;
    let pm = app.as_partner(PM).await;
    let pm_strict = strict.as_partner(PM).await;
    let private = pm_strict
        .submit(
            "/partner/api/webhooks",
            &[("url", "https://169.254.169.254/latest")],
        )
        .await;
    assert_eq!(
        private.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        private.body
    );
    assert!(private.has("on the public internet"));
    let refused = pm
        .submit(
            "/partner/api/webhooks",
            &[("url", "ftp://partner.example/x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = pm
        .submit("/partner/api/webhooks", &[("url", &hook.url)])
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = between(&created.body, "id=\"new-webhook-secret\">", "<").unwrap();

    // A step completes: the event is queued with the change and delivered.
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    let calls = || hook.calls.lock().unwrap().clone();
    eventually("the first try", async || !calls().is_empty()).await;
    assert_eq!(calls().len(), 1, "the first try failed (503)");
    // Bring the retry forward instead of waiting out the backoff, until it is taken: the
    // worker may still be recording the failure, and deferring the endpoint's rows.
    eventually("the retry is delivered", async || {
        sqlx::query(
            "UPDATE outbox SET next_attempt_at = 0 WHERE kind = 'webhook' AND sent_at IS NULL",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        app.jobs.wake();
        calls().len() >= 2
    })
    .await;
    app.settle().await;
    let calls = calls();
    assert_eq!(
        calls.len(),
        2,
        "delivered once after one failure, never again"
    );
    let (signature, body) = &calls[1];
    assert_eq!(calls[0].1, *body, "the retry is the same event");
    platform_event::verify_signature(
        signature.as_deref(),
        body.as_bytes(),
        secret.as_bytes(),
        switchyard::store::now(),
    )
    .expect("signed with the secret shown once");
    let event: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "upgrade.step_completed");
    assert_eq!(event["data"]["legacy_store_id"], STORE);
    assert_eq!(event["data"]["completed_step"], "terms");
    assert_eq!(event["data"]["current_step"], "account");
    assert!(!body.contains(ADMIN), "people are not named to the partner");
    assert_eq!(
        app.scalar("SELECT attempts FROM outbox WHERE kind = 'webhook'")
            .await,
        2
    );
}

/// The document is derived from the handlers: it lists exactly the machine routes the
/// router serves, each with its security, from the server's own address, in OpenAPI 3.1
/// (null is a type, never 3.0's `nullable`), and it states the webhook signature scheme.
#[tokio::test]
async fn the_openapi_document_covers_every_machine_route() {
    let app = spawn_app().await;
    let doc = app.openapi().await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], app.address.as_str());
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.push(format!("{} {path}", method.to_uppercase()));
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has responses"
            );
            assert!(
                op["security"].is_array(),
                "{method} {path} states its security"
            );
        }
    }
    documented.sort();
    let mut served: Vec<String> = switchyard::web::route_table(true)
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api") || p.starts_with("/platform"))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    served.sort();
    assert_eq!(documented, served);
    // Every reference points at a schema the document has.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &r[..r.find('"').unwrap()];
        assert!(schemas.contains_key(name), "{name} is defined");
    }
    assert!(!text.contains("\"nullable\""), "3.1 says null with a type");
    assert!(schemas.contains_key("StoreList") && schemas.contains_key("VerifyResponse"));
    // The event body offers a shape per event type the parser accepts.
    let mut types: Vec<&String> = schemas["EventBody"]["discriminator"]["mapping"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["api.call", "api.error", "order.cancelled", "order.created"]
    );
    // Each type names a shape of its own, whose `type` is that value alone: a client or a
    // fuzzer that picks the shape by the type then builds a body of that type, and a body
    // of another type is refused by that shape.
    let mut shapes = Vec::new();
    for (kind, shape) in schemas["EventBody"]["discriminator"]["mapping"]
        .as_object()
        .unwrap()
    {
        let name = shape
            .as_str()
            .unwrap()
            .trim_start_matches("#/components/schemas/");
        let tag = &schemas[name]["properties"]["type"]["$ref"];
        let tag = tag
            .as_str()
            .unwrap()
            .trim_start_matches("#/components/schemas/");
        assert_eq!(
            schemas[tag]["enum"],
            json!([kind]),
            "{name} is {kind} alone"
        );
        shapes.push(name);
    }
    shapes.sort();
    shapes.dedup();
    assert_eq!(shapes.len(), types.len(), "a shape per type: {shapes:?}");
    // Every text the APIs take states the text rule, as the rule's own pattern says it
    // (an event's id is `evt_` and such text, a called endpoint `/` and such text); the
    // rest are the identifiers' patterns.
    let one_line = switchyard::domain::text::ONE_LINE_PATTERN;
    let event_id = format!("^evt_{}", &one_line[1..]);
    let endpoint = format!("^/{}", &one_line[1..]);
    let mut patterns = Vec::new();
    patterns_in(&doc, &mut patterns);
    patterns.sort();
    patterns.dedup();
    let mut known = vec![
        one_line.to_owned(),
        event_id,
        endpoint,
        "^K[0-9]{6}$".into(),
        "^PK[0-9]{5}$".into(),
        "^[0-9]{1,12}$".into(),
        "^[A-Z]{3}$".into(),
        "^s[0-9]{1,18}$".into(),
    ];
    known.sort();
    assert_eq!(patterns, known);
    // The signature scheme is documented, and said to be Stripe's.
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(description.contains("Switchyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>"));
    assert!(description.contains("`<t>.<raw body>`") && description.contains("Stripe"));
}

fn patterns_in(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, value) in fields {
                match value.as_str() {
                    Some(pattern) if key == "pattern" => found.push(pattern.to_owned()),
                    _ => patterns_in(value, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| patterns_in(v, found)),
        _ => {}
    }
}

/// The risk rule exists twice, in Rust for one store and in SQL for 100,000: they agree
/// for every kind of store at every distance from the sunset.
#[tokio::test]
async fn the_sql_risk_rule_agrees_with_the_rust_one() {
    use switchyard::{
        domain::risk::Rule,
        store::cohort::{Cohort, Filter, Sort},
    };
    let app = spawn_app().await;
    let now = switchyard::store::now();
    const DAY: i64 = 86_400;
    for (eid, step, idle_days) in [
        ("123456", "account", 2),
        ("20240", "credentials", 10),
        ("880011", "complete", 40),
        ("31337", "terms", 1),
    ] {
        sqlx::query(
            "INSERT INTO upgrades (store_id, path_id, step, global_enabled, created_at, updated_at, progressed_at, completed_at) \
             SELECT id, 'kpm-kp', $1, 1, $2, $2, $2, CASE WHEN $1 = 'complete' THEN $2 ELSE NULL END FROM stores WHERE legacy_store_id = $3",
        )
        .bind(step)
        .bind(now - idle_days * DAY)
        .bind(eid)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    // One store has a sunset of its own, 100 days away: later than KPM's at some
    // offsets, earlier at others (then KPM's counts).
    sqlx::query("UPDATE stores SET extended_sunset = $1 WHERE legacy_store_id = '20240'")
        .bind(now + 100 * DAY)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let partners: Vec<i64> = sqlx::query_scalar("SELECT id FROM partners")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    let rule = Rule::with_stall_days(7);
    let filter = Filter::default();
    let mut compared = 0;
    for offset_days in [-5, 0, 10, 29, 30, 31, 60, 89, 90, 91, 200] {
        let kpm = now + offset_days * DAY;
        let sunsets = [("KPM", kpm), ("KCOv2", kpm + 50 * DAY)];
        let cohort = Cohort {
            partners: Some(&partners),
            filter: &filter,
            rule,
            sunsets: &sunsets,
            now,
        };
        for row in cohort
            .page(&app.db, Sort::Eid, false, 100, 0)
            .await
            .unwrap()
        {
            let sunset = own_sunset(&sunsets, &row);
            let done = row.step.step() == Some(switchyard::domain::Step::Complete);
            let rust = rule.classify(row.progressed_at, done, sunset, now);
            assert_eq!(
                row.risk, rust,
                "{} at {offset_days} days",
                row.legacy_store_id
            );
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        11 * 5,
        "the five stores of the demo partner, each time"
    );
}

/// The store's sunset as the rule takes it: its product's, or its own where that is later.
fn own_sunset(sunsets: &[(&str, i64)], row: &switchyard::store::cohort::CohortRow) -> Option<i64> {
    let product = sunsets
        .iter()
        .find(|(c, _)| *c == row.product)
        .map(|(_, t)| *t)?;
    Some(row.extended_sunset.map_or(product, |own| own.max(product)))
}

/// 1,300 stores of every product, step and idleness, straight into `stores` (the copy of
/// each upgrade's progress is what the cohort reads), for one partner; its id. Every
/// seventh has a sunset of its own (an approved extension), 0 to 390 days away.
pub(crate) async fn many_stores(app: &crate::helpers::TestApp, now: i64) -> i64 {
    let partner = app
        .scalar("SELECT id FROM partners WHERE name = 'Nordic Commerce Partners'")
        .await;
    let steps = ["not-started", "terms", "account", "credentials", "complete"];
    let rows: Vec<String> = (0..1_300)
        .map(|i: i64| {
            let step = steps[(i * 7 % 5) as usize];
            let progressed = match step {
                "not-started" => "NULL".to_owned(),
                _ => (now - (i * 13 % 20) * 86_400).to_string(),
            };
            let extended = match i % 7 {
                0 => (now + (i * 29 % 40) * 10 * 86_400).to_string(),
                _ => "NULL".to_owned(),
            };
            format!(
                "('{}', 'Butik {:04}', '{}', 'a{i}@x.example', 'SE', 'shopify', 'https://x.example', {partner}, {now}, 'butik {:04}', '{step}', {progressed}, {progressed}, {extended})",
                700_000 + i,
                i * 31 % 1_300,
                if i % 3 == 0 { "KCOv2" } else { "KPM" },
                i * 31 % 1_300,
            )
        })
        .collect();
    for chunk in rows.chunks(100) {
        sqlx::query(&format!(
            "INSERT INTO stores (legacy_store_id, name, product, admin_email, countries, platform, store_url, partner_id, created_at, name_folded, upgrade_step, upgrade_progressed_at, upgrade_updated_at, extended_sunset) VALUES {}",
            chunk.join(", ")
        ))
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    partner
}

/// The risk filter is conditions an index can answer, not the rule computed per row: it
/// finds exactly the stores the Rust rule puts at each risk, whatever the sunsets.
#[tokio::test]
async fn each_risk_filter_finds_exactly_the_stores_the_rule_puts_there() {
    use switchyard::{
        domain::{
            Step,
            risk::{Risk, Rule},
        },
        store::cohort::{Cohort, Filter, Sort},
    };
    let app = spawn_app().await;
    let now = switchyard::store::now();
    let partner = many_stores(&app, now).await;
    let partners = [partner];
    let rule = Rule::with_stall_days(7);
    const DAY: i64 = 86_400;
    for (kpm, kco) in [(200, 400), (60, 200), (10, 60), (-1, 10), (400, 20)] {
        let sunsets = [("KPM", now + kpm * DAY), ("KCOv2", now + kco * DAY)];
        let everything = Filter::default();
        let all = Cohort {
            partners: Some(&partners),
            filter: &everything,
            rule,
            sunsets: &sunsets,
            now,
        };
        let rows = all.page(&app.db, Sort::Eid, false, 2_000, 0).await.unwrap();
        let mut listed = 0;
        for risk in Risk::ALL {
            let expected: Vec<&str> = rows
                .iter()
                .filter(|r| {
                    let sunset = own_sunset(&sunsets, r);
                    let done = r.step.step() == Some(Step::Complete);
                    rule.classify(r.progressed_at, done, sunset, now) == risk
                })
                .map(|r| r.legacy_store_id.as_str())
                .collect();
            let filter = Filter {
                risk: Some(risk),
                ..Filter::default()
            };
            let cohort = Cohort {
                filter: &filter,
                ..all
            };
            let found = cohort
                .page(&app.db, Sort::Eid, false, 2_000, 0)
                .await
                .unwrap();
            let found: Vec<&str> = found.iter().map(|r| r.legacy_store_id.as_str()).collect();
            assert_eq!(
                found, expected,
                "{risk:?} with sunsets in {kpm} and {kco} days"
            );
            assert_eq!(cohort.count(&app.db).await.unwrap(), expected.len() as i64);
            listed += found.len();
        }
        assert_eq!(listed, rows.len(), "every store has one risk");
    }
}

/// Every page of every sort, either way, is the same slice of the whole sorted list,
/// those read from the end (deep pages) and those read class by class (step, risk) too.
#[tokio::test]
async fn deep_pages_of_every_sort_are_slices_of_the_whole_list() {
    use switchyard::{
        domain::risk::Rule,
        store::cohort::{Cohort, Filter, Sort},
    };
    let app = spawn_app().await;
    let now = switchyard::store::now();
    let partners = [many_stores(&app, now).await];
    let sunsets = [("KPM", now + 60 * 86_400), ("KCOv2", now + 200 * 86_400)];
    for filter in [
        Filter::default(),
        Filter {
            product: "KPM".into(),
            ..Filter::default()
        },
    ] {
        let cohort = Cohort {
            partners: Some(&partners),
            filter: &filter,
            rule: Rule::with_stall_days(7),
            sunsets: &sunsets,
            now,
        };
        let total = cohort.count(&app.db).await.unwrap();
        for sort in Sort::ALL {
            for descending in [false, true] {
                let whole = cohort
                    .page(&app.db, sort, descending, 5_000, 0)
                    .await
                    .unwrap();
                let whole: Vec<i64> = whole.iter().map(|r| r.id).collect();
                assert_eq!(whole.len() as i64, total);
                // Every 61st place lands at the start, middle and end of each class
                // of the step and risk sorts too.
                let offsets = [40, 1_040, 1_250, total - 50, total - 7, total, total + 10];
                for offset in (0..total).step_by(61).chain(offsets) {
                    let page = cohort
                        .page(&app.db, sort, descending, 50, offset)
                        .await
                        .unwrap();
                    let page: Vec<i64> = page.iter().map(|r| r.id).collect();
                    let from = (offset.max(0) as usize).min(whole.len());
                    let to = (from + 50).min(whole.len());
                    assert_eq!(
                        page,
                        whole[from..to],
                        "{sort:?} desc={descending} at {offset}"
                    );
                }
            }
        }
    }
}

/// The last page is one click away, whatever the sort: the manager follows "Last" and
/// sees the stores the reversed list starts with, then "First" leads back.
#[tokio::test]
async fn the_pager_leads_to_the_last_page_and_back_to_the_first() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    many_stores(&app, now).await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    // The address of the link with this id, as a browser would read it.
    let href = |body: &str, id: &str| {
        let at = body.find(&format!("id=\"{id}\""))?;
        let tag = &body[body[..at].rfind('<')?..at];
        between(tag, "href=\"", "\"").map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
    };
    let first_row = |body: &str| between(body, "<tbody><tr id=\"store-", "\"");
    for sort in ["name", "eid", "risk"] {
        let start = pm.get(&format!("/partner?sort={sort}")).await;
        assert!(
            href(&start.body, "first-page").is_none(),
            "no First on page 1"
        );
        let last = href(&start.body, "last-page").expect("a link to the last page");
        let last = pm.get(&last).await;
        assert_eq!(last.status, StatusCode::OK);
        // 1,300 imported stores and the demo's five: 27 pages of 50.
        assert!(last.has("Page 27 of 27"), "{sort}: {}", last.body);
        assert!(href(&last.body, "last-page").is_none() && href(&last.body, "next-page").is_none());
        let reversed = pm.get(&format!("/partner?sort={sort}&dir=desc")).await;
        let last_rows: Vec<String> = last
            .body
            .split("<tr id=\"store-")
            .skip(1)
            .filter_map(|r| r.split('"').next().map(str::to_owned))
            .collect();
        assert_eq!(
            last_rows.last().map(String::as_str),
            first_row(&reversed.body).as_deref(),
            "{sort}: the last page ends where the reversed list starts"
        );
        let back = pm.get(&href(&last.body, "first-page").unwrap()).await;
        assert_eq!(first_row(&back.body), first_row(&start.body), "{sort}");
    }
}

/// A manager who adds a store to the cohort, under each way of keeping the charts.
async fn charts_after_a_new_store(charts: switchyard::config::ChartsConfig) -> (TestApp, TestApp) {
    let app = spawn_app_with(|c| c.charts = charts).await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    assert!(pm.get("/partner").await.has("All stores: 5"));
    let new = NewStore {
        legacy_store_id: "770077".into(),
        name: "Nytt Kafé AB".into(),
        product: "KPM".into(),
        admin_email: "ny@kafe.example".into(),
        countries: vec!["SE".into()],
        platform: "woocommerce".into(),
        store_url: "https://kafe.example".into(),
        partner: Some(NORDIC.into()),
        capabilities: Default::default(),
    };
    let mut tx = app.db.begin().await.unwrap();
    switchyard::store::stores::insert_all(&mut tx, &[new])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (app, pm)
}

/// The charts scan the whole cohort, so they are kept: fresh ones are shown as they are;
/// past their minute the page answers at once with the kept ones while new ones are read
/// in the background, and a later page shows those; kept too long, they are read before
/// the page answers.
#[tokio::test]
async fn kept_charts_are_shown_then_read_again_in_the_background() {
    use std::time::Duration;
    use switchyard::config::ChartsConfig;
    let minute = Duration::from_secs(60);

    let (_app, pm) = charts_after_a_new_store(ChartsConfig::default()).await;
    assert!(pm.get("/partner").await.has("All stores: 5"), "still fresh");

    let (_app, pm) = charts_after_a_new_store(ChartsConfig {
        fresh: Duration::ZERO,
        usable: 15 * minute,
    })
    .await;
    assert!(
        pm.get("/partner").await.has("All stores: 5"),
        "kept ones answer at once"
    );
    let mut shown = false;
    for _ in 0..50 {
        if pm.get("/partner").await.has("All stores: 6") {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown, "the ones read in the background are shown next");

    let (_app, pm) = charts_after_a_new_store(ChartsConfig {
        fresh: Duration::ZERO,
        usable: Duration::ZERO,
    })
    .await;
    assert!(
        pm.get("/partner").await.has("All stores: 6"),
        "too old: read again first"
    );
}

/// The dashboard counts from tallies kept by triggers (migration 0028). They follow
/// every change to the stores (an import, steps taken, a store moved to another
/// partner, a store deleted), before and after they are summed: each count equals the
/// stores listed under the same filter.
#[tokio::test]
async fn counts_from_the_tallies_follow_every_change_to_the_stores() {
    use switchyard::{
        domain::{
            risk::{Risk, Rule},
            upgrade::Progress,
        },
        store::cohort::{Cohort, Filter, Sort},
    };
    const DAY: i64 = 86_400;
    let app = spawn_app().await;
    let now = switchyard::store::now();
    let partner = many_stores(&app, now).await;
    let partners = [partner];
    let filters = [
        Filter::default(),
        Filter {
            risk: Some(Risk::AtRisk),
            ..Filter::default()
        },
        Filter {
            risk: Some(Risk::Done),
            ..Filter::default()
        },
        Filter {
            step: Progress::parse("terms"),
            ..Filter::default()
        },
        Filter {
            product: "KPM".into(),
            risk: Some(Risk::AtRisk),
            ..Filter::default()
        },
        Filter {
            partner: Some(partner),
            step: Progress::parse("not-started"),
            ..Filter::default()
        },
    ];
    let check = async |when: &str| {
        // Near only, and urgent beside near.
        for (kpm, kco) in [(60, 200), (60, 20)] {
            let sunsets = [("KPM", now + kpm * DAY), ("KCOv2", now + kco * DAY)];
            for filter in &filters {
                let cohort = Cohort {
                    partners: Some(&partners),
                    filter,
                    rule: Rule::with_stall_days(7),
                    sunsets: &sunsets,
                    now,
                };
                let listed = cohort
                    .page(&app.db, Sort::Name, false, 5_000, 0)
                    .await
                    .unwrap()
                    .len() as i64;
                assert_eq!(
                    cohort.count(&app.db).await.unwrap(),
                    listed,
                    "{when}: {filter:?}, sunsets in {kpm} and {kco} days"
                );
            }
        }
    };
    check("imported").await;
    let run = async |sql: String| {
        sqlx::query(&sql).execute(&app.db.pool).await.unwrap();
    };
    let some = |n: i64, skip: i64| {
        format!(
            "(SELECT id FROM stores WHERE partner_id = {partner} ORDER BY id LIMIT {n} OFFSET {skip})"
        )
    };
    let change = async |round: i64| {
        // Upgrades started (their progress reaches the stores by trigger), completed,
        // and moved back; stores moved away, and deleted.
        run(format!(
            "INSERT INTO upgrades (store_id, path_id, step, global_enabled, created_at, updated_at, progressed_at) \
             SELECT id, 'kpm-kp', 'terms', 1, {now}, {now}, {now} FROM stores WHERE id IN {} \
             AND NOT EXISTS (SELECT 1 FROM upgrades u WHERE u.store_id = stores.id)",
            some(60, round * 200)
        ))
        .await;
        run(format!(
            "UPDATE upgrades SET step = 'complete', completed_at = {now} WHERE store_id IN {}",
            some(20, round * 200)
        ))
        .await;
        run(format!(
            "UPDATE upgrades SET step = 'account', progressed_at = {} WHERE store_id IN {}",
            now - 30 * DAY,
            some(10, round * 200 + 30)
        ))
        .await;
        run(format!(
            "INSERT INTO partners (name) VALUES ('Elsewhere {round}')"
        ))
        .await;
        run(format!(
            "UPDATE stores SET partner_id = (SELECT MAX(id) FROM partners) WHERE id IN {}",
            some(15, round * 200 + 100)
        ))
        .await;
        run(format!(
            "DELETE FROM stores WHERE id IN {}",
            some(5, round * 200 + 150)
        ))
        .await;
    };
    change(0).await;
    check("changed").await;
    switchyard::store::tallies::fold(&app.db).await.unwrap();
    check("summed").await;
    let rows = app.scalar("SELECT COUNT(*) FROM cohort_tallies").await;
    let cells = app
        .scalar("SELECT COUNT(*) FROM (SELECT DISTINCT partner_id, product, upgrade_step FROM stores) c")
        .await;
    assert_eq!(rows, cells, "one row per cell once summed");
    change(1).await;
    check("changed after summing").await;
}

/// Summing the tallies beside writers loses and doubles nothing: stores imported and
/// upgrades moved on several connections at once, while the sums are folded again and
/// again, leave the count equal to the stores there are.
#[tokio::test]
async fn tallies_summed_beside_concurrent_writers_stay_exact() {
    use switchyard::{
        domain::risk::Rule,
        store::cohort::{Cohort, Filter},
    };
    let app = spawn_app().await;
    let partner = app
        .scalar("SELECT id FROM partners WHERE name = 'Nordic Commerce Partners'")
        .await;
    let writers = (0..4).map(|w| {
        let db = app.db.clone();
        tokio::spawn(async move {
            for batch in 0..10 {
                let stores: Vec<NewStore> = (0..20)
                    .map(|i| NewStore {
                        legacy_store_id: format!("{}", 810_000 + w * 1_000 + batch * 20 + i),
                        name: format!("Samtidig {w}-{batch}-{i}"),
                        product: "KPM".into(),
                        admin_email: format!("s{w}{batch}{i}@x.example"),
                        countries: vec!["SE".into()],
                        platform: "shopify".into(),
                        store_url: "https://x.example".into(),
                        partner: Some(NORDIC.into()),
                        capabilities: Default::default(),
                    })
                    .collect();
                let mut tx = db.begin().await.unwrap();
                switchyard::store::stores::insert_all(&mut tx, &stores)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                // Some of them start their upgrade: a second change to their cells.
                let now = switchyard::store::now();
                sqlx::query(&format!(
                    "INSERT INTO upgrades (store_id, path_id, step, global_enabled, created_at, updated_at, progressed_at) \
                     SELECT id, 'kpm-kp', 'terms', 1, {now}, {now}, {now} FROM stores \
                     WHERE name LIKE 'Samtidig {w}-{batch}-%' AND id % 2 = 0"
                ))
                .execute(&db.pool)
                .await
                .unwrap();
            }
        })
    });
    let writers: Vec<_> = writers.collect();
    let folder = {
        let db = app.db.clone();
        tokio::spawn(async move {
            for _ in 0..30 {
                switchyard::store::tallies::fold(&db).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    folder.await.unwrap();
    switchyard::store::tallies::fold(&app.db).await.unwrap();
    let partners = [partner];
    let everything = Filter::default();
    let cohort = Cohort {
        partners: Some(&partners),
        filter: &everything,
        rule: Rule::with_stall_days(7),
        sunsets: &[],
        now: switchyard::store::now(),
    };
    let stores = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM stores WHERE partner_id = {partner}"
        ))
        .await;
    let terms = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM stores WHERE partner_id = {partner} AND upgrade_step = 'terms'"
        ))
        .await;
    assert_eq!(cohort.count(&app.db).await.unwrap(), stores);
    let at_terms = Filter {
        step: switchyard::domain::upgrade::Progress::parse("terms"),
        ..Filter::default()
    };
    let cohort = Cohort {
        filter: &at_terms,
        ..cohort
    };
    assert_eq!(cohort.count(&app.db).await.unwrap(), terms);
    assert!(terms >= 400, "the upgrades were started: {terms}");
}
