//! What is acknowledged is stored. On a full disk (SQLite on a small tmpfs; PostgreSQL with
//! the events table in a tablespace on one) and on a read-only PostgreSQL database, events
//! are refused with 503 and `Retry-After`, never answered "recorded" and then lost; forms
//! show the error page with its id; `/healthz` says so and recovers, without a restart,
//! once writes are possible again.

use std::{
    collections::HashSet,
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use futures_util::{StreamExt, stream};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::Connection;
use switchyard::domain::platform_event::{SIGNATURE_HEADER, sign};

use crate::helpers::{
    ADMIN, PG_VAR, Page, STORE, TestApp, WEBHOOK_SECRET, spawn_app, spawn_app_with,
};

/// A small tmpfs mounted for one test, unmounted when dropped. Mounting needs root: without
/// it the test is skipped with a note, except under `CI=true`, where it must run.
struct SmallDisk {
    dir: PathBuf,
    _parent: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts `megabytes` of tmpfs, owned by `owner` (a user name) if given.
    fn mount(megabytes: u32, owner: Option<&str>) -> Option<Self> {
        let parent = tempfile::tempdir().unwrap();
        // The PostgreSQL server's user must reach a tablespace inside.
        std::fs::set_permissions(
            parent.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let dir = parent.path().join("disk");
        std::fs::create_dir(&dir).unwrap();
        let mut options = format!("size={megabytes}m,mode=0700");
        if let Some(user) = owner {
            let id = |flag: &str| {
                let out = Command::new("id").args([flag, user]).output().ok()?;
                out.status
                    .success()
                    .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            };
            let (Some(uid), Some(gid)) = (id("-u"), id("-g")) else {
                return skip(&format!("there is no local user {user}"));
            };
            options.push_str(&format!(",uid={uid},gid={gid}"));
        }
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &options, "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            return skip("a tmpfs cannot be mounted here (root is needed)");
        }
        Some(SmallDisk {
            dir,
            _parent: parent,
        })
    }

    /// Takes every free byte with a filler file.
    fn fill(&self) {
        let mut filler = std::fs::File::create(self.filler()).unwrap();
        let chunk = vec![0u8; 16 * 1024];
        while filler.write_all(&chunk).is_ok() {}
        // A last write of smaller pieces leaves not even a page.
        while filler.write_all(&chunk[..512]).is_ok() {}
        let _ = filler.sync_all();
    }

    /// Gives the space back.
    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }

    fn filler(&self) -> PathBuf {
        self.dir.join("filler")
    }

    fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: the app under test may still hold its files open.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

fn skip<T>(why: &str) -> Option<T> {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "under CI=true this test must run, but {why}"
    );
    eprintln!("skipped: {why}");
    None
}

/// What became of one delivery.
struct Answer {
    id: String,
    status: StatusCode,
    retry_after: Option<String>,
    body: Value,
}

impl TestApp {
    /// Delivers `count` signed `api.error` events named `evt_{prefix}_{n}`, eight at a time.
    async fn deliver_errors(&self, prefix: &str, count: usize) -> Vec<Answer> {
        stream::iter(0..count)
            .map(|n| async move {
                let id = format!("evt_{prefix}_{n}");
                let body = json!({"id": id, "type": "api.error", "created_at": "2026-11-23T10:00:00Z",
                    "data": {"legacy_store_id": STORE, "error_code": "BAD_VALUE", "correlation_id": format!("c-{n}"),
                             "user_agent": "WooCommerce/9.4 legacy-plugin/1.0"}})
                .to_string();
                let signature = sign(
                    WEBHOOK_SECRET.as_bytes(),
                    switchyard::store::now(),
                    body.as_bytes(),
                );
                let res = self
                    .client
                    .post(self.url("/platform/v1/events"))
                    .header(SIGNATURE_HEADER, signature)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                Answer {
                    id,
                    status: res.status(),
                    retry_after: res
                        .headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap().to_owned()),
                    body: res.json().await.unwrap_or(Value::Null),
                }
            })
            .buffer_unordered(8)
            .collect()
            .await
    }

    async fn stored_event_ids(&self, prefix: &str) -> HashSet<String> {
        sqlx::query_scalar::<_, String>("SELECT event_id FROM order_events WHERE event_id LIKE $1")
            .bind(format!("evt_{prefix}_%"))
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
            .into_iter()
            .collect()
    }

    async fn healthz_status(&self) -> StatusCode {
        // The probe's verdict is reused for a second.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        self.client
            .get(self.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Waits up to 15 s for `/healthz` to answer `want`.
    async fn health_becomes(&self, want: StatusCode) -> bool {
        for _ in 0..12 {
            if self.healthz_status().await == want {
                return true;
            }
        }
        false
    }
}

/// Every acknowledged event is stored; the rest were refused with 503 and Retry-After.
async fn acknowledged_are_stored(app: &TestApp, prefix: &str, answers: &[Answer]) -> usize {
    let stored = app.stored_event_ids(prefix).await;
    let mut refused = 0;
    for a in answers {
        if a.status == StatusCode::OK {
            assert_eq!(a.body["status"], "recorded", "{}", a.body);
            assert!(
                stored.contains(&a.id),
                "{} was acknowledged as recorded but is not stored",
                a.id
            );
        } else {
            assert_eq!(
                a.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{}: {}",
                a.id,
                a.body
            );
            assert!(a.retry_after.is_some(), "a 503 without Retry-After");
            refused += 1;
        }
    }
    refused
}

/// The form's answer is the error page that says nothing was saved, with 503.
fn shows_the_unavailable_page(page: &Page) {
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(
        page.has("We cannot save changes right now"),
        "{}",
        page.body
    );
}

/// The disk under the events fills up while they stream in, then space returns. With
/// `whole_database`, the database as a whole is on that disk, so `/healthz` must notice;
/// otherwise only the events table is (a PostgreSQL tablespace), and the database still
/// takes other writes.
async fn full_disk_then_space(app: &TestApp, disk: &SmallDisk, whole_database: bool) {
    disk.fill();
    let answers = app.deliver_errors("full", 3000).await;
    let refused = acknowledged_are_stored(app, "full", &answers).await;
    assert!(
        refused > 0,
        "the disk was full, yet all 3,000 events were taken"
    );
    if whole_database {
        assert!(
            app.health_becomes(StatusCode::SERVICE_UNAVAILABLE).await,
            "/healthz kept saying ok on a full disk"
        );
    }

    disk.free();
    assert!(
        app.health_becomes(StatusCode::OK).await,
        "/healthz did not recover once space returned"
    );
    let after = app.deliver_errors("after", 20).await;
    assert_eq!(acknowledged_are_stored(app, "after", &after).await, 0);
}

#[tokio::test]
async fn on_a_full_disk_no_event_is_acknowledged_without_being_stored() {
    match std::env::var(PG_VAR) {
        Err(_) => {
            let Some(disk) = SmallDisk::mount(8, None) else {
                return;
            };
            let url = format!("sqlite://{}", disk.path().join("switchyard.db").display());
            let app = spawn_app_with(|c| c.database_url = SecretString::from(url)).await;
            full_disk_then_space(&app, &disk, true).await;
        }
        Ok(_) => {
            let Some(disk) = SmallDisk::mount(2, Some("postgres")) else {
                return;
            };
            let app = spawn_app().await;
            let tablespace = format!(
                "sy_full_{}",
                switchyard::domain::credentials::random_token(4)
            );
            let mut su = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::raw_sql(&format!(
                "CREATE TABLESPACE {tablespace} LOCATION '{}'",
                disk.path().display()
            ))
            .execute(&mut su)
            .await
            .expect("the PostgreSQL server is local and the test's user is a superuser");
            sqlx::raw_sql(&format!(
                "ALTER TABLE order_events SET TABLESPACE {tablespace}"
            ))
            .execute(&mut su)
            .await
            .unwrap();
            full_disk_then_space(&app, &disk, false).await;
            for sql in [
                "ALTER TABLE order_events SET TABLESPACE pg_default".to_owned(),
                format!("DROP TABLESPACE {tablespace}"),
            ] {
                sqlx::raw_sql(&sql).execute(&mut su).await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn a_form_on_a_full_disk_shows_the_error_page_with_its_id() {
    if std::env::var(PG_VAR).is_ok() {
        // PostgreSQL's read-only database below covers forms there.
        return;
    }
    let Some(disk) = SmallDisk::mount(8, None) else {
        return;
    };
    let url = format!("sqlite://{}", disk.path().join("switchyard.db").display());
    let app = spawn_app_with(|c| c.database_url = SecretString::from(url)).await;
    let form = app.get("/signin").await;
    disk.fill();
    // Enough requests that the write-ahead log must grow.
    let mut refused = None;
    for _ in 0..200 {
        let page = app
            .post("/signin", &[("csrf", &form.csrf()), ("email", ADMIN)])
            .await;
        if page.status != StatusCode::OK && page.status != StatusCode::TOO_MANY_REQUESTS {
            refused = Some(page);
            break;
        }
    }
    let page = refused.expect("a full disk refused no form");
    shows_the_unavailable_page(&page);
    disk.free();
}

#[tokio::test]
async fn a_read_only_postgres_database_refuses_events_and_forms_with_503_and_recovers() {
    if std::env::var(PG_VAR).is_err() {
        return;
    }
    let app = spawn_app().await;
    let form = app.get("/signin").await;
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let mut su = sqlx::PgConnection::connect(&app.database_url)
        .await
        .unwrap();
    let set_read_only = |on: bool| {
        format!(
            "ALTER DATABASE {name} SET default_transaction_read_only = {}; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()",
            if on { "on" } else { "off" }
        )
    };
    sqlx::raw_sql(&set_read_only(true))
        .execute(&mut su)
        .await
        .unwrap();
    // A connection the pool was opening as the setting changed may have read the old one
    // and not yet been listed among the database's, so not cut: cut again once it is.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sqlx::raw_sql(&set_read_only(true))
        .execute(&mut su)
        .await
        .unwrap();

    // The first requests may meet a connection the server just cut: refused, not lost.
    let answers = app.deliver_errors("ro", 50).await;
    let refused = acknowledged_are_stored(&app, "ro", &answers).await;
    assert_eq!(refused, 50, "a read-only database took events");
    assert!(app.health_becomes(StatusCode::SERVICE_UNAVAILABLE).await);
    let page = app
        .post("/signin", &[("csrf", &form.csrf()), ("email", ADMIN)])
        .await;
    shows_the_unavailable_page(&page);

    sqlx::raw_sql(&set_read_only(false))
        .execute(&mut su)
        .await
        .unwrap();
    assert!(app.health_becomes(StatusCode::OK).await);
    let after = app.deliver_errors("ro_after", 10).await;
    assert_eq!(acknowledged_are_stored(&app, "ro_after", &after).await, 0);
}
