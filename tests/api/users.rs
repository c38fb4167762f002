//! Store users invited by the admin, and staff managed by operators.

use reqwest::StatusCode;
use switchyard::domain::access::StaffRole;

use crate::helpers::{ADMIN, between, path, spawn_app};

const ACCOUNTANT: &str = "accountant@kaffebaren.example";

#[tokio::test]
async fn an_invited_store_user_follows_the_upgrade_read_only_until_removed() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.submit(&path("/users"), &[("email", ACCOUNTANT)])
        .await
        .assert_redirect_to(&path("/users"));
    assert!(app.get(&path("/users")).await.has(ACCOUNTANT));

    let accountant = app.another_browser();
    accountant.sign_in(ACCOUNTANT).await;
    assert!(accountant.get("/").await.has("Kaffebaren"));
    let terms = accountant.get(&path("/upgrade/terms")).await;
    assert_eq!(terms.status, StatusCode::OK);
    assert!(
        terms.has("id=\"read-only\"") && !terms.has("id=\"accept-terms\""),
        "no accept button for a store user"
    );
    let attempt = accountant
        .submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", "x"), ("accept", "yes")],
        )
        .await;
    assert_eq!(attempt.status, StatusCode::FORBIDDEN);
    assert!(attempt.has("Only the registered administrator of Kaffebaren"));
    assert_eq!(
        accountant.get(&path("/audit")).await.status,
        StatusCode::FORBIDDEN,
        "the audit log is for the admin"
    );

    let users = app.get(&path("/users")).await;
    let remove = between(&users.body, "action=\"/stores/4711/users/", "/remove\"").unwrap();
    app.submit(&path(&format!("/users/{remove}/remove")), &[])
        .await
        .assert_redirect_to(&path("/users"));
    assert_eq!(
        accountant.get(&path("")).await.status,
        StatusCode::NOT_FOUND,
        "a removed user is answered as if the store did not exist"
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'member.%' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(actions, ["member.invited", "member.removed"]);
}

#[tokio::test]
async fn bad_invitations_are_explained() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let bad = app
        .submit(&path("/users"), &[("email", "accountant")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("needs an @"));
    let own = app.submit(&path("/users"), &[("email", ADMIN)]).await;
    assert!(
        own.has("administrator&#39;s own address") || own.has("administrator's own address"),
        "{}",
        own.body
    );
    app.submit(&path("/users"), &[("email", ACCOUNTANT)]).await;
    let twice = app.submit(&path("/users"), &[("email", ACCOUNTANT)]).await;
    assert!(twice.has("is already a user"));
}

#[tokio::test]
async fn partner_managers_see_only_their_partners_stores() {
    let app = spawn_app().await;
    app.add_staff(
        "pm@nordic.example",
        StaffRole::PartnerManager,
        Some("Nordic Commerce Partners"),
    )
    .await;
    app.sign_in("pm@nordic.example").await;
    let home = app.get("/").await;
    assert!(home.has("Kaffebaren") && home.has("Nordlys Sport"));
    assert!(
        !home.has("Custom Crafts"),
        "a store without a partner is not theirs"
    );
    assert_eq!(
        app.get("/stores/555001").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.get(&path("")).await.has("id=\"read-only\""));
}

#[tokio::test]
async fn support_finds_any_store_and_reads_the_whole_audit_log() {
    let app = spawn_app().await;
    app.add_staff("agent@support.example", StaffRole::Support, None)
        .await;
    app.sign_in("agent@support.example").await;
    let found = app.get("/?q=nordlys").await;
    assert!(found.has("Nordlys Sport") && !found.has("Kaffebaren"));
    assert!(app.get("/?q=4711").await.has("Kaffebaren"));
    sqlx::query("INSERT INTO upgrades (store_id, path_id, step, global_enabled, merchant_id, created_at, updated_at) SELECT id, 'kco2-kco3', 'integration', 1, 'K765432', 0, 0 FROM stores WHERE legacy_store_id = '123456'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let by_mid = app.get("/?q=k765432").await;
    assert!(
        by_mid.has("Nordlys Sport") && !by_mid.has("Kaffebaren"),
        "found by the new merchant ID"
    );
    // By part of the MID, an API username or a store member's email: each is found
    // through its own index, and a needle of three characters or more takes the same
    // way as one of nine.
    sqlx::query("INSERT INTO api_credentials (upgrade_id, merchant_id, environment, username, secret_hash, created_at) SELECT id, 'K765432', 'live', 'K765432_0a1b2c3d4e5f', 'x', 0 FROM upgrades WHERE merchant_id = 'K765432'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO store_members (store_id, email, invited_by, created_at) SELECT id, 'dev@agency-nord.example', 'x', 0 FROM stores WHERE legacy_store_id = '4711'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    for (needle, store, other) in [
        ("65432", "Nordlys Sport", "Kaffebaren"),
        ("1B2C3D", "Nordlys Sport", "Kaffebaren"),
        ("agency-nord", "Kaffebaren", "Nordlys Sport"),
        ("dev@agency-nord.example", "Kaffebaren", "Nordlys Sport"),
    ] {
        let found = app.get(&format!("/?q={needle}")).await;
        assert!(found.has(store) && !found.has(other), "{needle}");
    }
    assert!(app.get("/audit").await.has("sign_in"));
}

#[tokio::test]
async fn operators_manage_staff_and_disabling_ends_sessions() {
    let app = spawn_app().await;
    app.add_staff("ops@platform.example", StaffRole::Operator, None)
        .await;
    app.sign_in("ops@platform.example").await;
    app.submit(
        "/staff",
        &[
            ("email", "agent@support.example"),
            ("role", "support"),
            ("partner", ""),
        ],
    )
    .await
    .assert_redirect_to("/staff");
    let missing_partner = app
        .submit(
            "/staff",
            &[
                ("email", "pm@x.example"),
                ("role", "partner"),
                ("partner", ""),
            ],
        )
        .await;
    assert_eq!(missing_partner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing_partner.has("A partner manager needs a partner: enter the partner’s name."),
        "{}",
        missing_partner.body
    );

    let agent = app.another_browser();
    agent.sign_in("agent@support.example").await;
    assert_eq!(agent.get("/audit").await.status, StatusCode::OK);
    app.submit("/staff/disable", &[("email", "agent@support.example")])
        .await
        .assert_redirect_to("/staff");
    agent.get("/audit").await.assert_redirect_to("/signin");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('staff.added', 'staff.disabled')"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn the_cli_manages_staff_accounts() {
    let app = spawn_app().await;
    let out = app
        .cli(&[
            "user",
            "add",
            "--role",
            "partner",
            "--partner",
            "Nordic Commerce Partners",
            "pm@nordic.example",
        ])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = app
        .cli(&["user", "add", "--role", "partner", "pm2@nordic.example"])
        .await;
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--partner"));
    let out = app
        .cli(&["user", "add", "--role", "wizard", "x@example.com"])
        .await;
    assert!(!out.status.success());
    let list = String::from_utf8(app.cli(&["user", "list"]).await.stdout).unwrap();
    assert!(
        list.contains("pm@nordic.example")
            && list.contains("partner")
            && list.contains("Nordic Commerce Partners"),
        "{list}"
    );
    assert!(
        app.cli(&["user", "disable", "pm@nordic.example"])
            .await
            .status
            .success()
    );
    assert!(
        String::from_utf8(app.cli(&["user", "list"]).await.stdout)
            .unwrap()
            .contains("disabled")
    );
    assert!(
        !app.cli(&["user", "disable", "nobody@example.com"])
            .await
            .status
            .success()
    );
}
