//! The durable jobs: reminders after days without progress, the weekly partner digest,
//! and two instances sharing one queue without delivering anything twice.

use std::time::Duration;

use switchyard::{domain::access::StaffRole, mail::Email};

use crate::helpers::{ADMIN, STORE, TestApp, spawn_app, spawn_app_with};

const DAY: i64 = 86_400;

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..150 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    panic!("{what} did not happen");
}

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
        switchyard::store::outbox::enqueue(&mut tx, &format!("bulk:{i}"), &email, None)
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
