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
