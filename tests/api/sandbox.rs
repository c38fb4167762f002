//! The sandbox platform: only valid live credentials place an order, and only such an
//! order completes the upgrade.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, path, spawn_app};

#[tokio::test]
async fn wrong_credentials_are_refused_and_nothing_is_detected() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;

    let wrong_password = app
        .sandbox_purchase(&shown.username, "sy_not-the-password")
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong_password.headers().contains_key("www-authenticate"));
    let wrong_user = app
        .sandbox_purchase("K000000_000000000000", &shown.password)
        .await;
    assert_eq!(wrong_user.status(), StatusCode::UNAUTHORIZED);
    let anonymous = app
        .client
        .post(app.url("/sandbox/v1/orders"))
        .json(&serde_json::json!({"amount": 1000, "currency": "SEK", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // No order; the refused calls with a known username are in the store's API log.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'order.created'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'api.error'")
            .await,
        1,
        "the wrong password, not the unknown username"
    );
    app.get(&path("/upgrade/test-purchase")).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM upgrades WHERE step = 'test-purchase'")
            .await,
        1
    );
}

#[tokio::test]
async fn revoked_credentials_are_refused() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    sqlx::query("UPDATE api_credentials SET revoked_at = 1")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let res = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'order.created'")
            .await,
        0
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM order_events WHERE error_code = '401 credentials_revoked'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn bad_order_bodies_get_a_400_naming_the_field() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    for (body, field) in [
        (
            serde_json::json!({"amount": -5, "currency": "SEK", "country": "SE"}),
            "amount",
        ),
        (
            serde_json::json!({"amount": 100, "currency": "kronor", "country": "SE"}),
            "currency",
        ),
        (
            serde_json::json!({"amount": 100, "currency": "SEK", "country": "Sweden"}),
            "country",
        ),
    ] {
        let res = app
            .client
            .post(app.url("/sandbox/v1/orders"))
            .basic_auth(&shown.username, Some(&shown.password))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let error: serde_json::Value = res.json().await.unwrap();
        assert!(
            error["error"].as_str().unwrap().starts_with(field),
            "{error}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'order.created'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_purchase_placed_before_the_checklist_counts_once_the_admin_arrives() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    app.confirm_account().await;
    let shown = app.generate_credentials().await;
    assert_eq!(
        app.sandbox_purchase(&shown.username, &shown.password)
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM upgrades WHERE step = 'integration'")
            .await,
        1
    );
    app.confirm_integration().await;
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
}

#[tokio::test]
async fn only_a_hash_of_the_password_is_stored() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let hash: String = sqlx::query_scalar("SELECT secret_hash FROM api_credentials")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_ne!(hash, shown.password);
    assert_eq!(
        hash,
        switchyard::domain::credentials::hash_secret(&shown.password)
    );
    if let Some(file) = app.database_url.strip_prefix("sqlite://") {
        // Not in the database file nor its write-ahead log.
        for f in [file.to_owned(), format!("{file}-wal")] {
            let bytes = std::fs::read(&f).unwrap_or_default();
            assert!(
                !bytes
                    .windows(shown.password.len())
                    .any(|w| w == shown.password.as_bytes()),
                "{f}"
            );
        }
    }
}

#[tokio::test]
async fn health_check_answers_ok() {
    let app = spawn_app().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::OK);
}
