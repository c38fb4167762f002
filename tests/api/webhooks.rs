//! What a partner's webhook endpoint receives as stores move (the current merchant ID,
//! each store's events in order), and the webhook's page: its delivery log, a test
//! event and redelivering one.

use reqwest::StatusCode;
use switchyard::domain::platform_event;

use crate::helpers::{between, eventually, spawn_app_with};
use crate::partner::{OTHER_PM, PM, receiver};

#[tokio::test]
async fn the_event_for_the_credentials_step_names_the_new_merchant_id() {
    let app = spawn_app_with(|c| c.health_check.allow_private = true).await;
    app.partners().await;
    let hook = receiver(0).await;
    let pm = app.as_partner(PM).await;
    let created = pm
        .submit("/partner/api/webhooks", &[("url", &hook.url)])
        .await;
    assert_eq!(
        created.status,
        reqwest::StatusCode::CREATED,
        "{}",
        created.body
    );

    let admin = app.another_browser();
    let shown = admin.admin_waiting_for_purchase().await;
    let events = || -> Vec<serde_json::Value> {
        hook.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| serde_json::from_str(body).unwrap())
            .collect()
    };
    for _ in 0..200 {
        if events()
            .iter()
            .any(|e| e["data"]["completed_step"] == "integration")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let events = events();
    let step = |name: &str| {
        events
            .iter()
            .find(|e| e["data"]["completed_step"] == name)
            .unwrap_or_else(|| panic!("no event for {name}: {events:?}"))
            .clone()
    };
    assert_eq!(
        step("account")["data"]["merchant_id"],
        serde_json::Value::Null
    );
    assert_eq!(
        step("credentials")["data"]["merchant_id"],
        shown.mid.as_str()
    );
    assert_eq!(
        step("integration")["data"]["merchant_id"],
        shown.mid.as_str()
    );
}

/// The steps the events delivered to `hook` completed, in the order they arrived.
fn arrived(hook: &crate::partner::Receiver) -> Vec<String> {
    hook.calls
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| {
            let e: serde_json::Value = serde_json::from_str(body).unwrap();
            e["data"]["completed_step"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_retried_event_is_not_overtaken_by_the_stores_next_one() {
    // A backoff far longer than the test waits, so the retry cannot come on its own.
    let app = spawn_app_with(|c| {
        c.health_check.allow_private = true;
        c.outbox.retry_base = std::time::Duration::from_secs(60);
    })
    .await;
    app.partners().await;
    let hook = receiver(1).await;
    let pm = app.as_partner(PM).await;
    pm.submit("/partner/api/webhooks", &[("url", &hook.url)])
        .await;

    // The first event fails (503) and waits for its retry.
    let admin = app.another_browser();
    admin.sign_in(crate::helpers::ADMIN).await;
    admin.accept_terms().await;
    for _ in 0..100 {
        let failed = app
            .scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND last_error IS NOT NULL AND claimed_until IS NULL")
            .await;
        if failed == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The store's next step happens meanwhile: its event must wait behind the first.
    admin.confirm_account().await;
    // Longer than the outbox worker's idle poll (2 s), so it has looked at the new event.
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    assert_eq!(
        arrived(&hook),
        ["terms"],
        "nothing overtook the waiting event"
    );

    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE kind = 'webhook' AND sent_at IS NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    for _ in 0..100 {
        if arrived(&hook).len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.settle().await;
    assert_eq!(
        arrived(&hook),
        ["terms", "terms", "account"],
        "in the order they happened"
    );
}

/// Waits until `hook` has received `n` calls.
async fn calls_reach(hook: &crate::partner::Receiver, n: usize) {
    for _ in 0..200 {
        if hook.calls.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{n} calls never arrived");
}

#[tokio::test]
async fn a_manager_tests_the_endpoint_reads_every_attempt_and_sends_an_event_again() {
    let app = spawn_app_with(|c| c.health_check.allow_private = true).await;
    app.partners().await;
    let hook = receiver(1).await;
    let pm = app.as_partner(PM).await;
    let created = pm
        .submit("/partner/api/webhooks", &[("url", &hook.url)])
        .await;
    let secret = between(&created.body, "id=\"new-webhook-secret\">", "<").unwrap();
    let id = app.scalar("SELECT MAX(id) FROM webhooks").await;
    let log = format!("/partner/api/webhooks/{id}");
    assert!(pm.get("/partner/api").await.has(&format!("href=\"{log}\"")));
    assert!(pm.get(&log).await.has("id=\"no-deliveries\""));

    pm.submit(&format!("{log}/test"), &[])
        .await
        .assert_redirect_to(&log);
    // The attempt is logged once the worker has read the endpoint's answer.
    eventually("the failed attempt is logged", async || {
        pm.get(&log).await.has("data-outcome=\"status:503\"")
    })
    .await;
    let page = pm.get(&log).await;
    assert!(page.has("your endpoint answered HTTP 503"), "{}", page.body);
    // Its retry, brought forward, is delivered, and logged with its status and time. The
    // worker may still be deferring the endpoint's rows after the failure, so the retry
    // is brought forward until it is taken.
    eventually("the retry is delivered", async || {
        sqlx::query(
            "UPDATE outbox SET next_attempt_at = 0 WHERE kind = 'webhook' AND sent_at IS NULL",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        app.jobs.wake();
        hook.calls.lock().unwrap().len() >= 2
    })
    .await;
    eventually("the delivery is logged", async || {
        pm.get(&log).await.has("Delivered (HTTP 204)")
    })
    .await;
    let page = pm.get(&log).await;
    assert!(page.has(" ms"), "{}", page.body);
    let (signature, body) = hook.calls.lock().unwrap()[1].clone();
    platform_event::verify_signature(
        signature.as_deref(),
        body.as_bytes(),
        secret.as_bytes(),
        switchyard::store::now(),
    )
    .expect("the test event is signed like every event");
    let event: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["type"], "webhook.test");

    // Sent again from the log: the same event, id and all.
    let again = between(&page.body, &format!("action=\"{log}/redeliver/"), "\"").unwrap();
    pm.submit(&format!("{log}/redeliver/{again}"), &[])
        .await
        .assert_redirect_to(&log);
    calls_reach(&hook, 3).await;
    let third: serde_json::Value = serde_json::from_str(&hook.calls.lock().unwrap()[2].1).unwrap();
    assert_eq!(third["id"], event["id"]);

    // Another partner's manager finds no such webhook.
    let other = app.as_partner(OTHER_PM).await;
    assert_eq!(other.get(&log).await.status, StatusCode::NOT_FOUND);
    let refused = other.submit(&format!("{log}/test"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let refused = other.submit(&format!("{log}/redeliver/{again}"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    app.settle().await;
    assert_eq!(hook.calls.lock().unwrap().len(), 3, "nothing more was sent");
}

#[tokio::test]
async fn the_log_says_when_an_endpoint_never_answers_or_cannot_be_reached() {
    let app = spawn_app_with(|c| {
        c.health_check.allow_private = true;
        c.outbox.webhook_deadline = std::time::Duration::from_secs(1);
        c.outbox.failing_webhook_deadline = std::time::Duration::from_secs(1);
    })
    .await;
    app.partners().await;
    // One endpoint takes the connection and never answers; the other's port is closed.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/hooks", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}/hooks", closed.local_addr().unwrap());
    drop(closed);

    let pm = app.as_partner(PM).await;
    for (url, outcome, words) in [
        (
            silent_url,
            "timeout",
            "your endpoint did not answer in time",
        ),
        (
            closed_url,
            "connect",
            "we could not connect to your endpoint",
        ),
    ] {
        let created = pm.submit("/partner/api/webhooks", &[("url", &url)]).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = app.scalar("SELECT MAX(id) FROM webhooks").await;
        let log = format!("/partner/api/webhooks/{id}");
        pm.submit(&format!("{log}/test"), &[])
            .await
            .assert_redirect_to(&log);
        let mut page = pm.get(&log).await;
        for _ in 0..100 {
            if !page.has("id=\"no-deliveries\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            page = pm.get(&log).await;
        }
        assert!(
            page.has(&format!("data-outcome=\"{outcome}\"")) && page.has(words),
            "{url}: {}",
            page.body
        );
    }
    held.abort();
}
