//! Retention: what outlives its use is purged by the periodic chores, and nothing that is
//! still needed goes with it.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{ADMIN, STORE, TestApp, eventually, spawn_app, spawn_app_with};

const DAY: i64 = 86_400;

impl TestApp {
    async fn exec(&self, sql: &str, binds: &[i64]) {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(&self.db.pool).await.expect(sql);
    }

    async fn count(&self, table: &str, filter: &str) -> i64 {
        self.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {filter}"))
            .await
    }
}

#[tokio::test]
async fn the_purge_removes_what_is_past_its_retention_and_keeps_the_rest() {
    let app = spawn_app_with(|c| {
        c.maintenance_interval = Some(Duration::from_millis(100));
        c.screenshot_retention_days = 30;
    })
    .await;
    // A person who is signed in now keeps their session.
    app.sign_in(ADMIN).await;
    let now = switchyard::store::now();
    for (id, last_seen, expires) in [
        ("idle", now - 3 * 3600, now + 3600),
        ("ended", now - 60, now - 1),
        ("live-anonymous", now - 60, now + 3600),
    ] {
        app.exec(
            &format!(
                "INSERT INTO sessions (id_hash, csrf_token, created_at, last_seen_at, expires_at) \
                 VALUES ('{id}', 'x', $1, $2, $3)"
            ),
            &[last_seen, last_seen, expires],
        )
        .await;
    }
    for (hash, used, expires) in [
        ("used", Some(now - 10), now + 300),
        ("expired", None, now - 1),
        ("pending", None, now + 300),
    ] {
        app.exec(
            &format!(
                "INSERT INTO sign_in_tokens (token_hash, email, created_at, expires_at, used_at) \
                 VALUES ('{hash}', 'x@example.com', $1, $2, {})",
                used.map_or("NULL".to_owned(), |u| u.to_string())
            ),
            &[now - 600, expires],
        )
        .await;
    }
    // A support request two hours ago still counts for the limit of ten a day.
    for (bucket, at) in [
        ("old", now - 25 * 3600),
        ("support:4711", now - 2 * 3600),
        ("recent", now - 60),
    ] {
        app.exec(
            &format!("INSERT INTO rate_limit_events (bucket, at) VALUES ('{bucket}', $1)"),
            &[at],
        )
        .await;
    }
    for (id, kind, at) in [
        ("err-old", "api.error", now - 8 * DAY),
        ("err-new", "api.error", now - 6 * DAY),
        ("order-old", "order.created", now - 400 * DAY),
        ("cancel-old", "order.cancelled", now - 400 * DAY),
    ] {
        app.exec(
            &format!(
                "INSERT INTO order_events (event_id, kind, order_id, environment, amount, currency, received_at) \
                 VALUES ('{id}', '{kind}', 'o-{id}', 'live', 100, 'SEK', $1)"
            ),
            &[at],
        )
        .await;
    }
    app.exec(
        "INSERT INTO support_requests (store_id, author_email, explanation, status, created_at, updated_at) \
         SELECT id, 'a@example.com', 'help', 'open', $1, $1 FROM stores WHERE legacy_store_id = '4711'",
        &[now - 40 * DAY],
    )
    .await;
    for (sha, at) in [("old-shot", now - 31 * DAY), ("new-shot", now - 29 * DAY)] {
        sqlx::query(
            "INSERT INTO support_attachments (request_id, content_type, size, sha256, bytes, created_at) \
             SELECT MAX(id), 'image/png', 3, $1, $2, $3 FROM support_requests",
        )
        .bind(sha)
        .bind(vec![1u8, 2, 3])
        .bind(at)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }

    let gone = [
        ("sessions", "id_hash IN ('idle', 'ended')"),
        ("sign_in_tokens", "token_hash IN ('used', 'expired')"),
        ("rate_limit_events", "bucket = 'old'"),
        ("order_events", "event_id = 'err-old'"),
        ("support_attachments", "sha256 = 'old-shot'"),
    ];
    // The purge runs its deletes one after another, every 100 ms, while the rows above
    // went in: everything is gone only after a pass that began once all were in.
    eventually("the purge", async || {
        for (table, filter) in gone {
            if app.count(table, filter).await != 0 {
                return false;
            }
        }
        true
    })
    .await;
    let kept = [
        ("sessions", "id_hash = 'live-anonymous'", 1),
        ("sessions", "user_id IS NOT NULL", 1),
        ("sign_in_tokens", "token_hash = 'pending'", 1),
        (
            "rate_limit_events",
            "bucket IN ('recent', 'support:4711')",
            2,
        ),
        (
            "order_events",
            "event_id IN ('err-new', 'order-old', 'cancel-old')",
            3,
        ),
        ("support_attachments", "sha256 = 'new-shot'", 1),
        ("support_requests", "explanation = 'help'", 1),
    ];
    for (table, filter, n) in kept {
        assert_eq!(app.count(table, filter).await, n, "{table}: {filter}");
    }
    // The signed-in person did not notice.
    let home = app.get(&format!("/stores/{STORE}")).await;
    assert_eq!(home.status, StatusCode::OK);
}

#[tokio::test]
async fn the_purge_command_runs_on_its_own() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    app.exec(
        "INSERT INTO sign_in_tokens (token_hash, email, created_at, expires_at) \
         VALUES ('spent', 'x@example.com', $1, $2)",
        &[now - 900, now - 300],
    )
    .await;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("purge")
        .env("SWITCHYARD_DATABASE_URL", &app.database_url)
        .env("SWITCHYARD_SEED_DEMO", "false");
    let out = crate::helpers::output(command).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("1 sign-in links"), "{said}");
    assert_eq!(app.count("sign_in_tokens", "token_hash = 'spent'").await, 0);
}
