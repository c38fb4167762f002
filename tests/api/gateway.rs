//! The gateway's credential verification endpoint: service token, verdicts, and that it
//! agrees with the sandbox.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{GATEWAY_TOKEN, TestApp, path, spawn_app, spawn_app_with};

impl TestApp {
    async fn verify(&self, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(self.url("/platform/v1/credentials/verify"))
            .json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn the_gateway_learns_mid_environment_and_revocation() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let token = Some(GATEWAY_TOKEN);

    let (status, live) = app
        .verify(
            token,
            json!({"username": shown.username, "password": shown.password}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        live,
        json!({"valid": true, "reason": "ok", "merchant_id": shown.mid, "environment": "live", "revoked": false})
    );
    let (_, test) = app
        .verify(
            token,
            json!({"username": shown.test_username, "password": shown.test_password}),
        )
        .await;
    assert_eq!(test["merchant_id"], shown.test_mid.as_str());
    assert_eq!(test["environment"], "test");

    let (_, wrong) = app
        .verify(
            token,
            json!({"username": shown.username, "password": "sy_guess"}),
        )
        .await;
    assert_eq!(
        (&wrong["valid"], &wrong["reason"], &wrong["merchant_id"]),
        (&json!(false), &json!("wrong_password"), &Value::Null),
        "a wrong password learns nothing about the credential"
    );
    let (_, unknown) = app
        .verify(
            token,
            json!({"username": "K000000_000000000000", "password": "x"}),
        )
        .await;
    assert_eq!(unknown["reason"], "unknown_username");

    // After revocation the gateway and the sandbox both refuse.
    let page = app.get(&path("/upgrade/credentials")).await;
    let id = crate::helpers::between(&page.body, "/upgrade/credentials/", "/revoke\"").unwrap();
    app.submit(
        &path(&format!("/upgrade/credentials/{id}/revoke")),
        &[("confirm", "yes")],
    )
    .await;
    let (_, revoked) = app
        .verify(
            token,
            json!({"username": shown.username, "password": shown.password}),
        )
        .await;
    assert_eq!(
        revoked,
        json!({"valid": false, "reason": "revoked", "merchant_id": shown.mid, "environment": "live", "revoked": true})
    );
    assert_eq!(
        app.sandbox_purchase(&shown.username, &shown.password)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn only_the_service_token_may_ask_and_bad_bodies_are_named() {
    let app = spawn_app().await;
    let body = json!({"username": "a", "password": "b"});
    for token in [
        None,
        Some(""),
        Some("not-the-token"),
        Some(&GATEWAY_TOKEN[1..]),
    ] {
        let (status, answer) = app.verify(token, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(answer["error"].as_str().unwrap().contains("service token"));
    }
    let res = app
        .client
        .post(app.url("/platform/v1/credentials/verify"))
        .bearer_auth(GATEWAY_TOKEN)
        .body("{\"username\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let answer: Value = res.json().await.unwrap();
    assert!(answer["error"].as_str().unwrap().contains("username"));

    let unconfigured = spawn_app_with(|c| c.gateway_token = None).await;
    let (status, answer) = unconfigured.verify(Some(GATEWAY_TOKEN), body).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("SWITCHYARD_GATEWAY_TOKEN")
    );
}

#[tokio::test]
async fn a_call_the_gateway_refuses_for_a_known_credential_shows_in_the_stores_api_log() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let refused = |code: &str| {
        format!(
            "SELECT COUNT(*) FROM order_events WHERE kind = 'api.error' AND error_code = '{code}'"
        )
    };
    // The platform asks, Switchyard answers "wrong password": the store's log says so,
    // as the platform's own Logs app would. An unknown username belongs to no store.
    let (_, wrong) = app
        .verify(
            Some(GATEWAY_TOKEN),
            json!({"username": shown.username, "password": "sy_typo"}),
        )
        .await;
    assert_eq!(wrong["reason"], "wrong_password");
    app.verify(
        Some(GATEWAY_TOKEN),
        json!({"username": "K000000_000000000000", "password": "x"}),
    )
    .await;
    assert_eq!(app.scalar(&refused("401 wrong_password")).await, 1);
    let page = app.get(&path("/upgrade/test-purchase")).await;
    let log = &page.body[page.body.find("id=\"api-log\"").unwrap()..];
    assert!(log.contains("401 wrong_password"), "{log}");
    assert!(page.has("id=\"api-error-alert\""));
}
