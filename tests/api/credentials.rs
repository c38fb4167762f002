//! Rotating and revoking credentials, and what the platform (the sandbox) makes of it.

use reqwest::StatusCode;

use crate::{
    helpers::{TestApp, between, path, spawn_app},
    upgrade::Shown,
};

impl TestApp {
    /// What the sandbox answers to a purchase with these credentials.
    async fn purchase_status(&self, shown: &Shown) -> StatusCode {
        self.sandbox_purchase(&shown.username, &shown.password)
            .await
            .status()
    }
}

async fn rotate(app: &TestApp, grace: &str) -> Shown {
    let page = app
        .submit(&path("/upgrade/credentials/rotate"), &[("grace", grace)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    Shown::from_page(&page.body)
}

#[tokio::test]
async fn rotating_at_once_stops_the_old_password_and_a_lost_password_is_no_dead_end() {
    let app = spawn_app().await;
    let old = app.admin_waiting_for_purchase().await;
    let new = rotate(&app, "0").await;
    assert_eq!(new.mid, old.mid, "the merchant ID stays");
    assert_ne!(new.username, old.username);
    assert_eq!(app.purchase_status(&old).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.purchase_status(&new).await, StatusCode::CREATED);
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    let page = app.get(&path("/upgrade/credentials")).await;
    assert!(page.has("Revoked") && page.has("Active") && !page.has(&new.password));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.rotated'")
            .await,
        1
    );
}

#[tokio::test]
async fn with_a_grace_period_both_work_until_it_ends() {
    let app = spawn_app().await;
    let old = app.admin_waiting_for_purchase().await;
    let new = rotate(&app, "3600").await;
    assert!(
        app.get(&path("/upgrade/credentials"))
            .await
            .has("Stops working")
    );
    sqlx::query("UPDATE upgrades SET step = 'integration'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(app.purchase_status(&old).await, StatusCode::CREATED);
    assert_eq!(app.purchase_status(&new).await, StatusCode::CREATED);
    // The grace period ends.
    sqlx::query("UPDATE api_credentials SET expires_at = 1 WHERE expires_at IS NOT NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(app.purchase_status(&old).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.purchase_status(&new).await, StatusCode::CREATED);
}

#[tokio::test]
async fn revoking_stops_a_credential_at_once() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/credentials")).await;
    let id = between(&page.body, "/upgrade/credentials/", "/revoke\"").unwrap();
    let revoke = path(&format!("/upgrade/credentials/{id}/revoke"));
    // The first post only asks; the credential still works.
    let asked = app.submit(&revoke, &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.has("id=\"confirm-revoke\""), "{}", asked.body);
    app.submit(&revoke, &[("confirm", "yes")])
        .await
        .assert_redirect_to(&path("/upgrade/credentials"));
    assert_eq!(app.purchase_status(&shown).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.submit(&revoke, &[("confirm", "yes")]).await.status,
        StatusCode::NOT_FOUND,
        "already revoked"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.revoked'")
            .await,
        1
    );
}

#[tokio::test]
async fn rotation_needs_credentials_and_a_known_grace_period() {
    let app = spawn_app().await;
    app.sign_in(crate::helpers::ADMIN).await;
    app.accept_terms().await;
    let early = app
        .submit(&path("/upgrade/credentials/rotate"), &[("grace", "0")])
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    app.confirm_account().await;
    app.generate_credentials().await;
    let odd = app
        .submit(&path("/upgrade/credentials/rotate"), &[("grace", "5")])
        .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    assert!(odd.has("Choose when the current credentials stop working"));
}

#[tokio::test]
async fn test_credentials_are_a_separate_pair_on_a_test_merchant_id() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    assert!(
        shown.test_mid.len() == 7
            && shown.test_mid.starts_with("PK")
            && shown.test_mid[2..].bytes().all(|b| b.is_ascii_digit()),
        "{}",
        shown.test_mid
    );
    assert!(
        shown
            .test_username
            .starts_with(&format!("{}_", shown.test_mid))
    );
    assert_ne!(shown.test_password, shown.password);
    assert!(shown.test_password.len() >= 32);

    // A test order lands in the test environment and does not complete the upgrade.
    let order = app
        .sandbox_purchase(&shown.test_username, &shown.test_password)
        .await;
    assert_eq!(order.status(), StatusCode::CREATED);
    let order: serde_json::Value = order.json().await.unwrap();
    assert_eq!(order["environment"], "test");
    assert_eq!(order["merchant_id"], shown.test_mid.as_str());
    assert_eq!(
        app.get(&path("/upgrade/test-purchase")).await.status,
        StatusCode::OK,
        "still waiting for a live order"
    );

    // Rotating the test pair leaves the live pair alone.
    let page = app
        .submit(
            &path("/upgrade/credentials/rotate"),
            &[("grace", "0"), ("environment", "test")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rotated = Shown::from_page(&page.body);
    assert_eq!(rotated.test_mid, shown.test_mid);
    assert!(rotated.username.is_empty(), "only the test pair is shown");
    assert_eq!(
        app.sandbox_purchase(&shown.test_username, &shown.test_password)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let new_test = Shown {
        username: rotated.test_username.clone(),
        password: rotated.test_password.clone(),
        ..rotated
    };
    assert_eq!(app.purchase_status(&new_test).await, StatusCode::CREATED);
    assert_eq!(app.purchase_status(&shown).await, StatusCode::CREATED);
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    let odd = app
        .submit(
            &path("/upgrade/credentials/rotate"),
            &[("grace", "0"), ("environment", "staging")],
        )
        .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn times_on_the_credentials_and_terms_pages_have_utc_on_hover() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    // Used once, so "last used" has a time; revoked, so the status has one too.
    app.purchase_status(&shown).await;
    let page = app.get(&path("/upgrade/credentials")).await;
    let id = between(&page.body, "/upgrade/credentials/", "/revoke\"").unwrap();
    app.submit(
        &path(&format!("/upgrade/credentials/{id}/revoke")),
        &[("confirm", "yes")],
    )
    .await;
    let page = app.get(&path("/upgrade/credentials")).await;
    let row = between(&page.body, "id=\"credentials\"", "</table>").unwrap();
    for label in ["Last used", "Status"] {
        let cell = between(&row, &format!("data-label=\"{label}\">"), "</td>")
            .unwrap_or_else(|| panic!("no {label} cell: {row}"));
        assert!(
            cell.contains("<time datetime=\"") && cell.contains("UTC\""),
            "{label}: {cell}"
        );
    }
    let terms = app.get(&path("/upgrade/terms")).await;
    let accepted = between(&terms.body, "id=\"terms-accepted\"", "</p>").unwrap();
    assert!(accepted.contains("<time datetime=\""), "{accepted}");
}
