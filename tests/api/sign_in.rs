//! Email sign-in: links work once, unknown addresses learn nothing, bad input is explained.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, between, spawn_app};

#[tokio::test]
async fn a_sign_in_link_works_once() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let home = app.get("/").await;
    assert!(home.has("Kaffebaren") && home.has(ADMIN));

    let link = app.wait_for_new_link(ADMIN, 0).await;
    let token = between(&link, "token=", "&")
        .unwrap_or_else(|| link.split("token=").nth(1).unwrap().to_owned());
    let again = app
        .post(
            "/auth/confirm",
            &[("csrf", &home.csrf()), ("token", &token)],
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.has("This sign-in link cannot be used"));
}

#[tokio::test]
async fn unknown_addresses_get_the_same_answer_and_no_email() {
    let app = spawn_app().await;
    let known = app.request_sign_in(ADMIN).await;
    app.wait_for_new_link(ADMIN, 0).await;
    let before = app.emails_sent();
    let unknown = app.request_sign_in("nobody@example.com").await;
    app.settle().await;
    assert_eq!(known.status, unknown.status);
    assert!(unknown.has("Check your email"));
    assert_eq!(app.emails_sent(), before, "no email to an unknown address");
}

#[tokio::test]
async fn an_invalid_email_is_explained_and_kept_in_the_field() {
    let app = spawn_app().await;
    let page = app.request_sign_in("anna at example").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.has("needs an @") && page.has("value=\"anna at example\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_broken_or_unknown_link_explains_what_to_do() {
    let app = spawn_app().await;
    let page = app.get("/auth/confirm?token=nonsense").await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.has("Get a new link"));
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let csrf = app.get("/").await.csrf();
    app.post("/signout", &[("csrf", &csrf)])
        .await
        .assert_redirect_to("/signin");
    app.get("/").await.assert_redirect_to("/signin");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );
}

/// Rows in every table of the app's database (migration bookkeeping aside).
async fn rows_per_table(app: &crate::helpers::TestApp) -> Vec<(String, i64)> {
    let list = match app.db.backend {
        switchyard::store::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name"
        }
        switchyard::store::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(list)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(tables.len() > 20, "every table is listed: {tables:?}");
    let mut counts = Vec::new();
    for t in tables {
        let n = app.scalar(&format!("SELECT COUNT(*) FROM {t}")).await;
        counts.push((t, n));
    }
    counts
}

#[tokio::test]
async fn strangers_looking_around_add_no_row_to_any_table() {
    let app = spawn_app().await;
    let before = rows_per_table(&app).await;
    let pages = [
        "/",
        "/signin",
        "/auth/confirm?token=nonsense",
        "/auth/confirm",
        "/admin-change?token=nonsense",
        "/stores/4711",
        "/stores/4711/upgrade",
        "/account",
        "/healthz",
        "/no/such/page",
    ];
    // Browsers that keep their cookies come back with what the first answer set; ones
    // that do not (scripts, crawlers) arrive new every time.
    let keeps_cookies = app.another_browser();
    for _ in 0..3 {
        for p in pages {
            let first = keeps_cookies.get(p).await;
            assert!(first.status.as_u16() < 500, "{p}: {}", first.status);
            let res = reqwest::get(app.url(p)).await.unwrap();
            assert!(res.status().as_u16() < 500, "{p}: {}", res.status());
        }
    }
    assert_eq!(rows_per_table(&app).await, before);
}

#[tokio::test]
async fn a_fresh_browser_signs_in_with_a_session_row_only_at_the_end() {
    let app = spawn_app().await;
    let browser = app.another_browser();
    let form = browser.get("/signin").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    browser
        .post("/signin", &[("csrf", &form.csrf()), ("email", ADMIN)])
        .await;
    let link = browser.wait_for_new_link(ADMIN, 0).await;
    let path = link.strip_prefix(&app.address).unwrap();
    // Opened in another browser, the link is refused and that browser stores nothing.
    let elsewhere = app.another_browser().get(path).await;
    assert_eq!(elsewhere.status, StatusCode::GONE);
    assert!(elsewhere.has("only works in the browser that requested it"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    let confirm = browser.get(path).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let token = between(&confirm.body, "name=\"token\" value=\"", "\"").unwrap();
    browser
        .post(
            "/auth/confirm",
            &[("csrf", &confirm.csrf()), ("token", &token)],
        )
        .await
        .assert_redirect_to("/");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1);
    assert!(browser.get("/").await.has(ADMIN));
}
