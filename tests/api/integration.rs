//! The integration step: guidance filled in for the store, the setup checker, the store
//! health check against real local shops, and the stored checklist.

use std::time::Duration;

use axum::{Router, response::Redirect, routing::get};
use reqwest::StatusCode;

use crate::helpers::{ADMIN, TestApp, path, spawn_app, spawn_app_with};

/// Serves `router` on a free loopback port; returns its base URL.
async fn shop(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

async fn lenient_app() -> TestApp {
    spawn_app_with(|c| {
        c.health_check.allow_private = true;
        c.health_check.timeout = Duration::from_secs(1);
    })
    .await
}

impl TestApp {
    async fn check_setup(
        &self,
        field: &str,
        username: &str,
        password: &str,
    ) -> crate::helpers::Page {
        self.submit(
            &path("/upgrade/integration/setup-check"),
            &[
                ("field", field),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    async fn health(&self, url: &str) -> crate::helpers::Page {
        let page = self
            .submit(&path("/upgrade/integration/health-check"), &[("url", url)])
            .await;
        assert!(!page.status.is_server_error(), "{}", page.body);
        page
    }
}

#[tokio::test]
async fn the_guidance_names_the_stores_own_ids_and_the_checklist_is_kept() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    app.confirm_account().await;
    let shown = app.generate_credentials().await;
    let page = app.get(&path("/upgrade/integration")).await;
    for expected in [
        &shown.mid,
        &shown.username,
        &shown.test_username,
        &"Payments for WooCommerce".to_owned(),
    ] {
        assert!(page.has(expected), "{expected} missing");
    }
    assert!(!page.has(&shown.password) && !page.has(&shown.test_password));

    let partial = app
        .submit(
            &path("/upgrade/integration"),
            &[("old_disabled", "yes"), ("test_mode_off", "yes")],
        )
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.has("check missing"));
    assert!(partial.has("id=\"error-summary\"") && partial.has("href=\"#new_enabled\""));
    let again = app.get(&path("/upgrade/integration")).await;
    let ticked = |id: &str| {
        crate::helpers::between(&again.body, &format!("id=\"{id}\""), ">")
            .is_some_and(|rest| rest.contains("checked"))
    };
    assert!(ticked("old_disabled") && ticked("test_mode_off"));
    assert!(!ticked("new_enabled"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM upgrades WHERE checklist = 'old_disabled,test_mode_off'")
            .await,
        1,
        "ticked items are stored"
    );
    app.confirm_integration().await;
    let done = app.get(&path("/upgrade/integration")).await;
    assert!(
        crate::helpers::between(&done.body, "id=\"new_enabled\"", ">")
            .is_some_and(|rest| rest.contains("checked"))
    );
}

#[tokio::test]
async fn the_setup_checker_names_each_mistake() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;

    let right = app
        .check_setup("live", &shown.username, &shown.password)
        .await;
    assert_eq!(right.status, StatusCode::OK);
    assert!(
        right.has("Username and password are right"),
        "{}",
        right.body
    );
    assert!(!right.has(&shown.password), "the password is never echoed");

    let cases: [(&str, String, &str, &str); 6] = [
        (
            "live",
            shown.test_username.clone(),
            "",
            "test credentials in the live fields",
        ),
        (
            "test",
            shown.username.clone(),
            "",
            "live credentials in the test fields",
        ),
        ("live", "4711".into(), "", "legacy store ID (digits only)"),
        (
            "live",
            shown.mid.clone(),
            "",
            "is a merchant ID, not a username",
        ),
        (
            "live",
            format!("{} ", shown.username),
            "",
            "contains spaces or line breaks",
        ),
        (
            "live",
            shown.username.clone(),
            "sy_wrong",
            "The password does not match",
        ),
    ];
    for (field, username, password, expected) in cases {
        let page = app.check_setup(field, &username, password).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
        assert!(page.has(expected), "{expected}: {}", page.body);
    }

    // A username issued to another store.
    sqlx::query(
        "INSERT INTO upgrades (store_id, path_id, step, created_at, updated_at) \
         SELECT id, 'kco2-kco3', 'integration', 0, 0 FROM stores WHERE legacy_store_id = '123456'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO api_credentials (upgrade_id, merchant_id, environment, username, secret_hash, created_at) \
         SELECT u.id, 'K999999', 'live', 'K999999_0123456789ab', 'x', 0 FROM upgrades u \
         JOIN stores s ON s.id = u.store_id WHERE s.legacy_store_id = '123456'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let other = app.check_setup("live", "K999999_0123456789ab", "").await;
    assert!(other.has("belongs to another store"), "{}", other.body);
    let unknown = app.check_setup("live", "K999999_ffffffffffff", "").await;
    assert!(unknown.has("never issued this username"));

    // Rotated with a grace period: still works, but the checker says until when; revoked
    // at once: it says so.
    app.submit(&path("/upgrade/credentials/rotate"), &[("grace", "3600")])
        .await;
    let grace = app
        .check_setup("live", &shown.username, &shown.password)
        .await;
    assert_eq!(grace.status, StatusCode::OK);
    assert!(grace.has("stop working on"), "{}", grace.body);
    app.submit(&path("/upgrade/credentials/rotate"), &[("grace", "0")])
        .await;
    let revoked = app
        .check_setup("live", &shown.username, &shown.password)
        .await;
    assert!(revoked.has("were revoked on"), "{}", revoked.body);

    let no_field = app.check_setup("production", &shown.username, "").await;
    assert_eq!(no_field.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_health_check_finds_the_old_and_the_new_plugin() {
    let legacy_shop = shop(
        Router::new()
            .route(
                "/",
                get(|| async {
                    "<html><script src=\"/wp-content/plugins/kpm/KPM-Checkout.js\"></script></html>"
                }),
            )
            .route(
                "/checkout/",
                get(|| async { "<script src=\"/payments-library.js\"></script>" }),
            ),
    )
    .await;
    let clean_shop = shop(Router::new().route(
        "/checkout/",
        get(|| async { "<div class=\"kco-v3-snippet\"></div>" }),
    ))
    .await;
    let app = lenient_app().await;
    app.admin_waiting_for_purchase().await;

    let page = app.health(&format!("{legacy_shop}/")).await;
    assert!(
        page.has("data-verdict=\"LegacyStillThere\""),
        "{}",
        page.body
    );
    assert!(page.has(&format!(
        "the old KPM checkout script is still on {legacy_shop}/."
    )));
    assert!(page.has(&format!(
        "the new payments library is on {legacy_shop}/checkout/."
    )));

    let page = app.health(&clean_shop).await;
    assert!(page.has("data-verdict=\"NewOnly\""), "{}", page.body);
    assert!(page.has(&format!("{clean_shop}/ answered with HTTP status 404")));
}

#[tokio::test]
async fn the_health_check_survives_slow_huge_and_looping_shops() {
    let slow = shop(Router::new().route(
        "/",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "too late"
        }),
    ))
    .await;
    let huge = shop(Router::new().route(
        "/",
        get(|| async {
            // 20 MB with the marker at the very end, past the 2 MB that is read.
            let mut body = vec![b'a'; 20 * 1024 * 1024];
            body.extend_from_slice(b"kpm-checkout.js");
            body
        }),
    ))
    .await;
    let looping = shop(Router::new().route("/", get(|| async { Redirect::to("/") }))).await;
    let app = lenient_app().await;
    app.admin_waiting_for_purchase().await;

    let started = std::time::Instant::now();
    let page = app.health(&slow).await;
    assert!(page.has("did not answer in time"), "{}", page.body);
    assert!(page.has("data-verdict=\"Unreadable\""));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the timeout holds"
    );

    let page = app.health(&huge).await;
    assert!(
        page.has("is very large; only its beginning was checked"),
        "{}",
        page.body
    );
    assert!(page.has("data-verdict=\"NothingSeen\""));

    let page = app.health(&looping).await;
    assert!(page.has("redirected too many times"), "{}", page.body);
}

#[tokio::test]
async fn the_health_check_refuses_private_addresses_and_other_schemes() {
    let local = shop(Router::new().route("/", get(|| async { "kpm-checkout.js" }))).await;
    let port = local.rsplit(':').next().unwrap().to_owned();
    // The production default: no private addresses, by literal IP or by name.
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    for url in [
        local.clone(),
        format!("http://localhost:{port}/"),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[::1]/".into(),
    ] {
        let page = app.health(&url).await;
        assert!(
            page.has("in a private or local network"),
            "{url}: {}",
            page.body
        );
        assert!(!page.has("still on"), "{url} was fetched");
    }
    let page = app.health("ftp://shop.example.com/").await;
    assert!(page.has("Only http:// and https:// addresses"));
    let page = app.health("not a url at all").await;
    assert!(page.has("That is not a web address"), "{}", page.body);
}

/// A shop that cannot be reached is explained in the admin's language: a name that does
/// not resolve, nothing listening, or no TLS where https was asked for.
#[tokio::test]
async fn an_unreachable_shop_is_explained_in_the_admins_language() {
    let plain = shop(Router::new().route("/", get(|| async { "kpm-checkout.js" }))).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", listener.local_addr().unwrap())
    };
    let app = lenient_app().await;
    app.admin_waiting_for_purchase().await;
    let chosen = app.submit("/language", &[("lang", "sv")]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    let detector = crate::english::Detector::for_lang("sv");
    for (url, why) in [
        (
            "http://shop.invalid/".to_owned(),
            "namnet kunde inte slås upp",
        ),
        (closed, "anslutningen nekades"),
        (
            plain.replace("http://", "https://"),
            "den säkra anslutningen (TLS) misslyckades",
        ),
    ] {
        let page = app.health(&url).await;
        let result = crate::helpers::between(&page.body, "id=\"health-result\"", "</div>")
            .unwrap_or_else(|| panic!("{url}: no result: {}", page.body));
        assert!(result.contains(why), "{url}: {result}");
        for text in crate::english::visible_text(&page.body) {
            let english = detector.english_in(&text);
            assert!(english.is_empty(), "{url}: {english:?} in «{text}»");
        }
    }
}
