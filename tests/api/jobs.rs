//! The durable jobs: reminders after days without progress, the weekly partner digest,
//! two instances sharing one queue without delivering anything twice, and the outbox's
//! lanes: urgent mail never waits behind bulk mail or a partner's dead endpoint.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU16, AtomicUsize, Ordering},
    },
    time::Duration,
};

use switchyard::{
    domain::access::StaffRole,
    mail::Email,
    store::outbox::{self, Lane},
};

use crate::{
    helpers::{ADMIN, STORE, TestApp, eventually, spawn_app, spawn_app_with},
    partner::PM,
};

const DAY: i64 = 86_400;

impl TestApp {
    async fn keys_like(&self, pattern: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE $1")
            .bind(pattern)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    async fn set_progress(&self, days_ago: i64) {
        sqlx::query(
            "UPDATE upgrades SET progressed_at = $1 WHERE store_id = (SELECT id FROM stores WHERE legacy_store_id = $2)",
        )
        .bind(switchyard::store::now() - days_ago * DAY)
        .bind(STORE)
        .execute(&self.db.pool)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn no_progress_reminders_come_after_3_and_7_days_once_each_and_partners_get_a_weekly_digest()
{
    let first = spawn_app_with(crate::partner::sunsets_from_today).await;
    first
        .add_staff(
            "pm@nordic.example",
            StaffRole::PartnerManager,
            Some("Nordic Commerce Partners"),
        )
        .await;
    first.sign_in(ADMIN).await;
    first.accept_terms().await;
    // The chores run on a second instance, every 100 ms (so the sign-in above is not
    // mixed up with sunset reminders).
    let app = first
        .another_instance(|c| {
            crate::partner::sunsets_from_today(c);
            c.maintenance_interval = Some(Duration::from_millis(100));
        })
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        app.keys_like("stall:%").await,
        0,
        "fresh progress: nothing to remind"
    );

    app.set_progress(4).await;
    eventually("the 3-day reminder", async || {
        app.keys_like("stall:%:3").await == 1
    })
    .await;
    app.set_progress(8).await;
    eventually("the 7-day reminder", async || {
        app.keys_like("stall:%:7").await == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.keys_like("stall:%").await,
        2,
        "one of each, however often the chores run"
    );
    eventually("both delivered", async || {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'stall:%' AND sent_at IS NOT NULL")
            .await
            == 2
    })
    .await;

    // The digest: once a week, listing the partner's at-risk stores.
    eventually("the digest", async || app.keys_like("digest:%").await == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.keys_like("digest:%").await, 1);
    let body: String =
        sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key LIKE 'digest:%'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(body.contains("Bergkristall Schmuck (20240)"), "{body}");
    assert!(body.contains("/partner?risk=at-risk"));
}

/// Two instances on one database work through one queue: every job is delivered once.
/// (CI runs this on PostgreSQL too, where the row claim is what keeps them apart.)
#[tokio::test]
async fn two_instances_deliver_each_queued_email_exactly_once() {
    let app = spawn_app().await;
    let second = app.another_instance(|_| {}).await;
    let third = app.another_instance(|_| {}).await;
    const N: usize = 60;
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..N {
        let email = Email {
            to: format!("bulk{i}@example.com"),
            subject: format!("Bulk {i}"),
            text: "Hello".into(),
        };
        switchyard::store::outbox::enqueue(
            &mut tx,
            switchyard::store::outbox::Lane::Transactional,
            &format!("bulk:{i}"),
            &email,
            None,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    eventually("every email sent", async || {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'bulk:%' AND sent_at IS NOT NULL")
            .await
            == N as i64
    })
    .await;
    app.settle().await;
    for i in 0..N {
        assert_eq!(
            app.emails_to(&format!("bulk{i}@example.com")),
            1,
            "bulk{i} exactly once"
        );
    }
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'bulk:%' AND attempts <> 1"
        )
        .await,
        0,
        "each claimed once"
    );
    drop((second, third));
}

/// A partner endpoint on this machine that takes the connection and never answers.
pub struct HangingEndpoint {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HangingEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Listens on `port` (0: any), accepts every connection and never says a word.
pub async fn hanging_endpoint(port: u16) -> HangingEndpoint {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    HangingEndpoint { url, task }
}

/// A partner endpoint that answers every call with `status` (changeable) and counts.
pub struct Endpoint {
    pub url: String,
    pub calls: Arc<AtomicUsize>,
    pub status: Arc<AtomicU16>,
}

pub async fn endpoint(status: u16) -> Endpoint {
    use axum::{Router, http::StatusCode, routing::post};
    let calls = Arc::new(AtomicUsize::new(0));
    let status = Arc::new(AtomicU16::new(status));
    let (seen, answer) = (calls.clone(), status.clone());
    let app = Router::new().route(
        "/hooks",
        post(move || {
            let (seen, answer) = (seen.clone(), answer.clone());
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Endpoint { url, calls, status }
}

impl TestApp {
    /// Adds a webhook on the partner's API page, as the manager would; returns its id.
    pub async fn add_webhook(&self, url: &str) -> i64 {
        let page = self.submit("/partner/api/webhooks", &[("url", url)]).await;
        assert_eq!(page.status, reqwest::StatusCode::CREATED, "{}", page.body);
        self.scalar("SELECT MAX(id) FROM webhooks").await
    }

    /// Queues `n` bulk emails, as the hourly chores do after a big import.
    async fn queue_bulk(&self, n: usize) {
        let mut tx = self.db.begin().await.unwrap();
        for i in 0..n {
            let email = Email {
                to: format!("merchant{i}@example.com"),
                subject: format!("Reminder {i}"),
                text: "Your legacy store closes soon.".into(),
            };
            outbox::enqueue(&mut tx, Lane::Bulk, &format!("flood:{i}"), &email, None)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }

    /// Queues `n` events for webhook `hook`, older than anything queued after.
    async fn queue_webhook_backlog(&self, hook: i64, n: usize) {
        let mut tx = self.db.begin().await.unwrap();
        for i in 0..n {
            outbox::push(
                &mut *tx,
                &outbox::Job {
                    lane: Lane::Webhook,
                    key: &format!("backlog:{hook}:{i}"),
                    kind: "webhook",
                    recipient: &hook.to_string(),
                    subject: "upgrade.step_completed",
                    body: "{}",
                    store_id: None,
                    redact: false,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    async fn webhook_rows_in_flight(&self, hook: i64) -> i64 {
        self.scalar(&format!(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND recipient = '{hook}' \
             AND sent_at IS NULL AND claimed_until IS NOT NULL"
        ))
        .await
    }
}

/// An app whose webhooks may reach this machine, with `adjust` on top.
async fn app_with_partner_hooks(adjust: impl FnOnce(&mut switchyard::config::Config)) -> TestApp {
    let app = spawn_app_with(|c| {
        c.health_check.allow_private = true;
        adjust(c);
    })
    .await;
    app.partners().await;
    app
}

#[tokio::test]
async fn a_sign_in_link_arrives_while_thousands_of_bulk_emails_wait_and_a_webhook_endpoint_hangs() {
    let app = app_with_partner_hooks(|c| c.outbox.webhook_deadline = Duration::from_secs(60)).await;
    let dead = hanging_endpoint(0).await;
    let pm = app.as_partner(PM).await;
    let hook = pm.add_webhook(&dead.url).await;
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    eventually("the webhook delivery hangs", async || {
        app.webhook_rows_in_flight(hook).await == 1
    })
    .await;
    app.queue_bulk(3000).await;

    // Signing in waits for the new link at most 5 s.
    app.another_browser().sign_in(ADMIN).await;

    let bulk_sent = app
        .scalar("SELECT COUNT(*) FROM outbox WHERE lane = 'bulk' AND sent_at IS NOT NULL")
        .await;
    assert!(
        bulk_sent < 200,
        "bulk mail is paced, not poured out: {bulk_sent} sent"
    );
    assert_eq!(
        app.webhook_rows_in_flight(hook).await,
        1,
        "the endpoint still hangs"
    );
}

#[tokio::test]
async fn a_dead_webhook_endpoint_delays_only_its_own_deliveries() {
    let app = app_with_partner_hooks(|c| c.outbox.webhook_deadline = Duration::from_secs(60)).await;
    let dead = hanging_endpoint(0).await;
    let live = endpoint(204).await;
    let pm = app.as_partner(PM).await;
    let dead_hook = pm.add_webhook(&dead.url).await;
    let live_hook = pm.add_webhook(&live.url).await;
    // The dead endpoint has a backlog, older than anything queued after it.
    app.queue_webhook_backlog(dead_hook, 20).await;

    // Email still flows...
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    // ...and the live endpoint gets its event while the dead one hangs.
    admin.accept_terms().await;
    eventually("the live endpoint's event", async || {
        live.calls.load(Ordering::SeqCst) == 1
    })
    .await;
    // On a loaded machine the live delivery can finish before the dead endpoint's first
    // one is taken up; then that one hangs, alone.
    eventually("the dead endpoint's delivery hangs", async || {
        app.webhook_rows_in_flight(dead_hook).await > 0
    })
    .await;
    assert_eq!(
        app.webhook_rows_in_flight(dead_hook).await,
        1,
        "one delivery at a time to the dead endpoint"
    );
    // The endpoint has answered; the row is marked sent once that answer is read, which
    // a loaded machine can leave for a moment after the call was counted.
    let sent = format!(
        "SELECT COUNT(*) FROM outbox WHERE recipient = '{live_hook}' AND sent_at IS NOT NULL"
    );
    eventually("the live delivery is recorded as sent", async || {
        app.scalar(&sent).await == 1
    })
    .await;
}

#[tokio::test]
async fn a_webhook_that_keeps_failing_shows_as_failing_on_the_partners_api_page() {
    let app = app_with_partner_hooks(|c| c.outbox.webhook_failing_after = 2).await;
    let partner = endpoint(500).await;
    let pm = app.as_partner(PM).await;
    let hook = pm.add_webhook(&partner.url).await;
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    let failing = format!("id=\"webhook-{hook}-failing\"");
    assert!(!pm.get("/partner/api").await.has(&failing));

    // Bring each retry forward instead of waiting out the backoff.
    let retry_now = async || {
        sqlx::query(
            "UPDATE outbox SET next_attempt_at = 0 WHERE kind = 'webhook' AND sent_at IS NULL",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        app.jobs.wake();
    };
    eventually("the webhook counts as failing", async || {
        retry_now().await;
        app.scalar("SELECT COUNT(*) FROM webhooks WHERE failing_since IS NOT NULL")
            .await
            == 1
    })
    .await;
    let page = pm.get("/partner/api").await;
    assert!(page.has(&failing), "{}", page.body);
    assert!(page.has("your endpoint answered HTTP 500"), "{}", page.body);

    // The endpoint is fixed: the next delivery clears the warning.
    partner.status.store(204, Ordering::SeqCst);
    eventually("the webhook is healthy again", async || {
        retry_now().await;
        app.scalar("SELECT COUNT(*) FROM webhooks WHERE failing_since IS NULL AND failures = 0")
            .await
            == 1
    })
    .await;
    assert!(!pm.get("/partner/api").await.has(&failing));
}

#[tokio::test]
async fn shutdown_gives_back_a_delivery_still_running_so_another_instance_takes_it_at_once() {
    let slow = |c: &mut switchyard::config::Config| {
        c.health_check.allow_private = true;
        c.outbox.webhook_deadline = Duration::from_secs(60);
    };
    let app = app_with_partner_hooks(slow).await;
    let dead = hanging_endpoint(0).await;
    let pm = app.as_partner(PM).await;
    let hook = pm.add_webhook(&dead.url).await;
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    eventually("the webhook delivery hangs", async || {
        app.webhook_rows_in_flight(hook).await == 1
    })
    .await;

    let stopped = app.jobs.shutdown(Duration::from_millis(300)).await;
    assert_eq!(stopped.released, 1);
    assert_eq!(
        app.webhook_rows_in_flight(hook).await,
        0,
        "the claim is given back"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND sent_at IS NULL")
            .await,
        1,
        "not lost"
    );

    // Another instance takes it now, not when the claim (90 s) would have lapsed.
    let _second = app.another_instance(slow).await;
    eventually("another instance takes the row", async || {
        app.webhook_rows_in_flight(hook).await == 1
    })
    .await;
    assert_eq!(
        app.scalar("SELECT attempts FROM outbox WHERE kind = 'webhook'")
            .await,
        2
    );
}

/// The webhook lane's slots were shared by every endpoint: five dead endpoints took all
/// four, for the whole deadline each, and a healthy endpoint's event waited behind them.
/// Now an endpoint already marked failing is tried with a short deadline in slots of its
/// own, one delivery at a time per endpoint, and the healthy ones keep theirs.
#[tokio::test]
async fn many_failing_webhook_endpoints_do_not_take_the_healthy_ones_slots() {
    let app = app_with_partner_hooks(|c| {
        c.outbox.webhook_deadline = Duration::from_secs(60);
        c.outbox.failing_webhook_deadline = Duration::from_secs(1);
    })
    .await;
    let pm = app.as_partner(PM).await;
    let mut dead = Vec::new();
    let mut dead_hooks = Vec::new();
    for _ in 0..5 {
        let endpoint = hanging_endpoint(0).await;
        dead_hooks.push(pm.add_webhook(&endpoint.url).await);
        dead.push(endpoint);
    }
    let live = endpoint(204).await;
    pm.add_webhook(&live.url).await;
    // The dead endpoints have failed for a while, and each has a backlog.
    let now = switchyard::store::now();
    sqlx::query("UPDATE webhooks SET failures = 5, failing_since = $1, last_error = 'timeout' WHERE url <> $2")
        .bind(now)
        .bind(&live.url)
        .execute(&app.db.pool)
        .await
        .unwrap();
    for hook in &dead_hooks {
        app.queue_webhook_backlog(*hook, 3).await;
    }
    app.jobs.wake();
    eventually("a dead endpoint's delivery hangs", async || {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND claimed_until IS NOT NULL AND sent_at IS NULL")
            .await
            >= 1
    })
    .await;

    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    eventually("the healthy endpoint's event", async || {
        live.calls.load(Ordering::SeqCst) == 1
    })
    .await;
    for hook in &dead_hooks {
        assert!(app.webhook_rows_in_flight(*hook).await <= 1);
    }
    // A failing endpoint's attempt ends at the short deadline, not the minute.
    eventually("a failing endpoint's attempt ends", async || {
        app.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'webhook' AND sent_at IS NULL \
             AND attempts > 0 AND claimed_until IS NULL AND last_error IS NOT NULL",
        )
        .await
            >= 1
    })
    .await;
}

/// The chores run once per period across instances: each instance wakes as a period
/// begins, and only the first to claim the period runs it; the others wait for the next.
#[tokio::test]
async fn instances_take_each_period_of_chores_in_turn_and_run_it_once() {
    let app = spawn_app().await;
    let every = Duration::from_millis(200);
    let (a, b) = ("host pid 1 on 127.0.0.1:1", "host pid 2 on 127.0.0.1:2");
    let claim =
        |instance, period| switchyard::store::chores::claim(&app.db, every, period, instance);
    assert!(claim(a, 42).await.unwrap(), "the first claim of a period");
    assert!(
        !claim(b, 42).await.unwrap(),
        "another instance's claim of it"
    );
    assert!(!claim(a, 42).await.unwrap(), "the same instance again");
    assert!(claim(b, 43).await.unwrap(), "the next period is free");

    // Two instances with the same interval: every period that passes is run by one.
    let _first = app
        .another_instance(|c| c.maintenance_interval = Some(every))
        .await;
    let _second = app
        .another_instance(|c| c.maintenance_interval = Some(every))
        .await;
    let turns = |sql: &'static str| app.scalar(sql);
    let ran_sql = "SELECT COUNT(*) FROM chore_turns WHERE every_ms = 200 AND period > 43";
    // Both instances take turns for a while (on a loaded machine they may skip periods).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    eventually("three periods of chores", async || {
        turns(ran_sql).await >= 3
    })
    .await;
    // One query, as the instances go on taking turns meanwhile.
    let twice = turns(
        "SELECT COUNT(*) - COUNT(DISTINCT period) FROM chore_turns WHERE every_ms = 200 AND period > 43",
    )
    .await;
    assert_eq!(twice, 0, "no period ran twice");
    let instances = turns(
        "SELECT COUNT(DISTINCT instance) FROM chore_turns WHERE every_ms = 200 AND period > 43",
    )
    .await;
    assert!((1..=2).contains(&instances), "{instances} instances named");
}
