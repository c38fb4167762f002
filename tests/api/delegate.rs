//! The technical delegate: invited by the admin, does the integration's work (the guide
//! with the store's IDs, the checklist, the test purchase), never the terms, the account,
//! the credentials or the store's people; and takes new live credentials through a
//! one-time link.

use reqwest::StatusCode;

use crate::{
    helpers::{ADMIN, TestApp, between, path, spawn_app},
    upgrade::Shown,
};

const DELEGATE: &str = "dev@agency.example";

/// The admin invites the delegate on the users page; the delegate signs in.
async fn with_delegate(app: &TestApp) -> TestApp {
    let invited = app
        .submit(
            &path("/users"),
            &[("email", DELEGATE), ("role", "delegate")],
        )
        .await;
    assert!(invited.status.is_redirection(), "{}", invited.body);
    let users = app.get(&path("/users")).await;
    assert!(users.has("Technical delegate"), "{}", users.body);
    let dev = app.another_browser();
    dev.sign_in(DELEGATE).await;
    dev
}

#[tokio::test]
async fn the_delegate_does_the_integration_but_never_the_admins_part() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let dev = with_delegate(&app).await;

    // Not the terms, nor the account: those stay with the admin.
    let terms = dev.get(&path("/upgrade/terms")).await;
    assert!(!terms.has("name=\"accept\""), "no accept for the delegate");
    let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap_or_default();
    let refused = dev
        .submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", &sha), ("accept", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.accept_terms().await;
    assert_eq!(
        dev.submit(&path("/upgrade/account"), &[("global", "on")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.confirm_account().await;
    // Not the credentials: generating, rotating, revoking.
    assert_eq!(
        dev.submit(&path("/upgrade/credentials"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let shown = app.generate_credentials().await;
    assert_eq!(
        dev.submit(
            &path("/upgrade/credentials/rotate"),
            &[("grace", "0"), ("environment", "live")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Not the store's people.
    assert_eq!(
        dev.submit(&path("/users"), &[("email", "other@agency.example")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The guide with the store's IDs, and the checklist: the delegate's work.
    let guide = dev.get(&path("/upgrade/integration")).await;
    assert!(guide.has(&shown.mid), "the guide names the new ID");
    assert!(guide.has("id=\"delegate-note\""), "{}", guide.body);
    dev.confirm_integration().await;
    assert!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE actor = 'dev@agency.example'")
            .await
            > 0,
        "the delegate's steps are audited as theirs"
    );
}

#[tokio::test]
async fn the_admin_passes_live_credentials_to_the_delegate_once_through_a_link() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let dev = with_delegate(&app).await;
    let users = app.get(&path("/users")).await;
    let member = between(&users.body, "id=\"handoff-", "\"").expect("a handoff form");
    // The invitation and the sign-in link have arrived.
    let before = 2;
    app.wait_for_new_link(DELEGATE, before - 1).await;
    let sent = app
        .submit(
            &path(&format!("/users/{member}/handoff")),
            &[("grace", "86400")],
        )
        .await;
    assert!(sent.status.is_redirection(), "{}", sent.body);
    let link = app.wait_for_new_link(DELEGATE, before).await;
    let link = link.strip_prefix(&app.address).unwrap().to_owned();

    // Only the delegate it was sent to opens it; opening it spends nothing.
    assert_eq!(app.get(&link).await.status, StatusCode::NOT_FOUND);
    let page = dev.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.has("id=\"take-handoff\""));
    let taken = dev.submit(&link, &[]).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    let new = Shown::from_page(&taken.body);
    assert!(!new.password.is_empty(), "the password is shown once");
    assert_ne!(new.username, shown.username);
    // Once only.
    assert_eq!(dev.submit(&link, &[]).await.status, StatusCode::GONE);
    assert_eq!(dev.get(&link).await.status, StatusCode::GONE);

    // The delegate places the test purchase with them: the upgrade completes.
    let placed = app.sandbox_purchase(&new.username, &new.password).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let done = app.get(&path("/upgrade/complete")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    for action in ["credentials.handoff_sent", "credentials.handed_over"] {
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await,
            1,
            "{action}"
        );
    }
    // A link past its 24 hours works no more.
    let again = app
        .submit(
            &path(&format!("/users/{member}/handoff")),
            &[("grace", "0")],
        )
        .await;
    assert!(again.status.is_redirection());
    let link = app.wait_for_new_link(DELEGATE, before + 1).await;
    let link = link.strip_prefix(&app.address).unwrap().to_owned();
    sqlx::query("UPDATE credential_handoffs SET expires_at = 0 WHERE used_at IS NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(dev.submit(&link, &[]).await.status, StatusCode::GONE);
}
