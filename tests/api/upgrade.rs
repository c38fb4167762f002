//! The store admin's whole path through the wizard, and what must be refused on it.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, OTHER_ADMIN, TestApp, between, path, spawn_app};

/// The credentials shown once on the credentials page (test ones empty if not shown).
pub struct Shown {
    pub mid: String,
    pub username: String,
    pub password: String,
    pub test_mid: String,
    pub test_username: String,
    pub test_password: String,
}

impl Shown {
    pub fn from_page(body: &str) -> Shown {
        let code = |id: &str| between(body, &format!("id=\"{id}\">"), "<").unwrap_or_default();
        Shown {
            mid: code("merchant-id"),
            username: code("api-username"),
            password: code("api-password"),
            test_mid: code("test-merchant-id"),
            test_username: code("test-username"),
            test_password: code("test-password"),
        }
    }
}

impl TestApp {
    pub async fn accept_terms(&self) {
        let terms = self.get(&path("/upgrade/terms")).await;
        let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
        self.submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", &sha), ("accept", "yes")],
        )
        .await
        .assert_redirect_to(&path("/upgrade/account"));
    }

    pub async fn confirm_account(&self) {
        self.submit(&path("/upgrade/account"), &[("global", "on")])
            .await
            .assert_redirect_to(&path("/upgrade/credentials"));
    }

    pub async fn generate_credentials(&self) -> Shown {
        let page = self.submit(&path("/upgrade/credentials"), &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        Shown::from_page(&page.body)
    }

    pub async fn confirm_integration(&self) {
        let all = [
            ("old_disabled", "yes"),
            ("new_enabled", "yes"),
            ("live_fields", "yes"),
            ("test_mode_off", "yes"),
        ];
        self.submit(&path("/upgrade/integration"), &all)
            .await
            .assert_redirect_to(&path("/upgrade/test-purchase"));
    }

    pub async fn sandbox_purchase(&self, user: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/sandbox/v1/orders"))
            .basic_auth(user, Some(password))
            .json(&serde_json::json!({"amount": 1000, "currency": "SEK", "country": "SE"}))
            .send()
            .await
            .unwrap()
    }

    /// Signs in as the admin and walks up to the test-purchase step.
    pub async fn admin_waiting_for_purchase(&self) -> Shown {
        self.sign_in(ADMIN).await;
        self.accept_terms().await;
        self.confirm_account().await;
        let shown = self.generate_credentials().await;
        self.confirm_integration().await;
        shown
    }
}

#[tokio::test]
async fn a_store_admin_completes_the_upgrade_end_to_end() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;

    let store = app.get(&path("")).await;
    assert!(
        store.has("id=\"step-banner\"") && store.has("data-step=\"terms\""),
        "banner shows step 1"
    );
    app.get(&path("/upgrade"))
        .await
        .assert_redirect_to(&path("/upgrade/terms"));

    let terms = app.get(&path("/upgrade/terms")).await;
    assert!(
        // Kaffebaren sells in Sweden: its terms are the Swedish translation.
        terms.has("Tilläggsavtal: övergång från KPM till KP")
            && terms.has("lang=\"sv\"")
            && terms.has("prices stay exactly the same")
    );
    let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
    let unticked = app
        .submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", &sha)],
        )
        .await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unticked.has("Tick the box"));
    app.accept_terms().await;
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM terms_acceptances WHERE user_email = 'anna@kaffebaren.example'"
        )
        .await,
        1
    );
    app.get(&path("/upgrade"))
        .await
        .assert_redirect_to(&path("/upgrade/account"));

    let account = app.get(&path("/upgrade/account")).await;
    assert!(account.has("data-step=\"account\""));
    assert!(
        account.has("2.79% + €0.35") && account.has("4.99% + €0.35"),
        "fees shown"
    );
    assert!(
        account.has("id=\"global\" checked"),
        "global is on by default: {}",
        account.body
    );
    app.confirm_account().await;

    let shown = app.generate_credentials().await;
    assert!(
        shown.mid.starts_with('K') && shown.mid.len() == 7,
        "{}",
        shown.mid
    );
    assert!(shown.username.starts_with(&format!("{}_", shown.mid)));
    assert!(shown.password.len() >= 32);
    let again = app.get(&path("/upgrade/credentials")).await;
    assert!(
        !again.has(&shown.password),
        "the password is shown exactly once"
    );
    assert!(again.has(&shown.username));

    let integration = app.get(&path("/upgrade/integration")).await;
    assert!(integration.has("WooCommerce") && integration.has(&shown.username));
    let partial = app
        .submit(&path("/upgrade/integration"), &[("old_disabled", "yes")])
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.has("check missing"));
    app.confirm_integration().await;

    let waiting = app.get(&path("/upgrade/test-purchase")).await;
    assert!(waiting.has(&format!(
        "Waiting for an order on merchant ID {}",
        shown.mid
    )));

    let order = app.sandbox_purchase(&shown.username, &shown.password).await;
    assert_eq!(order.status(), StatusCode::CREATED);
    let order: serde_json::Value = order.json().await.unwrap();
    assert_eq!(order["merchant_id"], shown.mid.as_str());

    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
    let complete = app.get(&path("/upgrade/complete")).await;
    assert!(complete.has("Your upgrade is complete"));
    assert!(complete.has(order["order_id"].as_str().unwrap()));
    let store = app.get(&path("")).await;
    assert!(
        !store.has("step-banner"),
        "the banner is gone once the upgrade is complete"
    );
    assert!(store.has("Upgraded to KP (Payments)"));
}

#[tokio::test]
async fn coming_back_resumes_on_the_current_step() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    app.confirm_account().await;
    // A future step sends the admin back to where they are.
    app.get(&path("/upgrade/integration"))
        .await
        .assert_redirect_to(&path("/upgrade/credentials"));
    app.get(&path("/upgrade"))
        .await
        .assert_redirect_to(&path("/upgrade/credentials"));
    let home = app.get("/").await;
    assert!(home.has("In progress: API credentials"));
}

#[tokio::test]
async fn skipping_or_repeating_a_step_is_refused_with_a_reason() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let skip = app.submit(&path("/upgrade/credentials"), &[]).await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert!(
        skip.has("The Terms step must be finished before the API credentials step"),
        "{}",
        skip.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_credentials").await, 0);
    // The refusal is a message in the person's language, naming the steps as the
    // wizard does.
    let csrf = app.csrf().await;
    app.post("/language", &[("csrf", &csrf), ("lang", "de")])
        .await;
    let skip = app.submit(&path("/upgrade/credentials"), &[]).await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert!(
        skip.has(
            "Der Schritt „Bedingungen“ muss vor dem Schritt „API-Zugangsdaten“ abgeschlossen sein"
        ),
        "{}",
        skip.body
    );
    let csrf = app.csrf().await;
    app.post("/language", &[("csrf", &csrf), ("lang", "en")])
        .await;

    app.accept_terms().await;
    let terms = app.get(&path("/upgrade/terms")).await;
    assert!(terms.has("id=\"terms-accepted\""));
    let repeat = app
        .submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", "stale"), ("accept", "yes")],
        )
        .await;
    // A stale fingerprint is caught first; with the right one the state machine refuses.
    assert_eq!(repeat.status, StatusCode::UNPROCESSABLE_ENTITY);
    let right = between(&terms.body, "Document fingerprint (SHA-256): ", "<").unwrap();
    let repeat = app
        .submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", &right), ("accept", "yes")],
        )
        .await;
    assert_eq!(repeat.status, StatusCode::CONFLICT);
    assert!(
        repeat.has("The Terms step is already done"),
        "{}",
        repeat.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM terms_acceptances").await,
        1
    );
}

#[tokio::test]
async fn only_the_registered_admin_may_see_or_act_on_the_upgrade() {
    let app = spawn_app().await;
    app.sign_in(OTHER_ADMIN).await;
    let view = app.get(&path("")).await;
    assert_eq!(view.status, StatusCode::NOT_FOUND);
    assert!(!view.has("Kaffebaren"), "{}", view.body);
    assert!(!view.has(ADMIN), "the admin's address is masked");
    let act = app
        .submit(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", "x"), ("accept", "yes")],
        )
        .await;
    assert_eq!(act.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM terms_acceptances").await,
        0
    );
    // Their own store is fine.
    assert_eq!(app.get("/stores/123456").await.status, StatusCode::OK);
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_and_forms_need_a_csrf_token() {
    let app = spawn_app().await;
    app.get(&path("/upgrade/terms"))
        .await
        .assert_redirect_to("/signin");
    app.sign_in(ADMIN).await;
    let forged = app
        .post(
            &path("/upgrade/terms"),
            &[("path", "kpm-kp"), ("accept", "yes")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.has("This form has expired"));
    let wrong = app
        .post(
            &path("/upgrade/terms"),
            &[("csrf", "0000"), ("path", "kpm-kp"), ("accept", "yes")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM terms_acceptances").await,
        0
    );
}

#[tokio::test]
async fn unknown_stores_and_pages_get_a_404_page() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    for p in ["/stores/999999", "/stores/K123456", "/no/such/page"] {
        let page = app.get(p).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{p}");
        assert!(page.has("Page not found"), "{p}");
    }
}

#[tokio::test]
async fn the_new_agreement_path_shows_its_price_list_and_is_recorded() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let bad = app.get(&path("/upgrade/terms?path=kco2-kco3")).await;
    assert_eq!(
        bad.status,
        StatusCode::BAD_REQUEST,
        "a path of another product is refused"
    );
    let terms = app.get(&path("/upgrade/terms?path=kpm-kco3")).await;
    assert!(terms.has("Handlaravtal: KCO v3") && terms.has("Kort och Betala nu"));
    let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
    app.submit(
        &path("/upgrade/terms"),
        &[("path", "kpm-kco3"), ("sha256", &sha), ("accept", "yes")],
    )
    .await
    .assert_redirect_to(&path("/upgrade/account"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM upgrades WHERE path_id = 'kpm-kco3'")
            .await,
        1
    );
    // Once accepted, the path is fixed: asking for another shows the accepted one.
    let fixed = app.get(&path("/upgrade/terms?path=kpm-kp")).await;
    assert!(
        fixed.has("Handlaravtal: KCO v3") && !fixed.has("Tilläggsavtal: övergång från KPM till KP")
    );
}

#[tokio::test]
async fn turning_global_payments_off_is_kept() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    app.submit(&path("/upgrade/account"), &[])
        .await
        .assert_redirect_to(&path("/upgrade/credentials"));
    assert_eq!(app.scalar("SELECT global_enabled FROM upgrades").await, 0);
    let account = app.get(&path("/upgrade/account")).await;
    assert!(!account.has("id=\"global\" checked"), "{}", account.body);
}

/// A column holding what no upgrade can hold (a step, flag, checklist item or test-order
/// status nothing writes) is a fault to report, not something to guess: the page fails
/// with the id of its log line instead of showing the upgrade at its first step.
#[tokio::test]
async fn an_unknown_value_in_an_upgrade_row_fails_loudly_instead_of_being_guessed() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    for (bad, good) in [
        ("step = 'done'", "step = 'account'"),
        ("global_enabled = 2", "global_enabled = 1"),
        ("checklist = 'old_disabled,kettle_on'", "checklist = ''"),
        ("test_order_status = 'lost'", "test_order_status = NULL"),
    ] {
        app.set_upgrade(bad).await;
        app.assert_internal_error(&path("/upgrade")).await;
        app.set_upgrade(good).await;
        app.get(&path("/upgrade"))
            .await
            .assert_redirect_to(&path("/upgrade/account"));
    }
}

impl TestApp {
    async fn set_upgrade(&self, assignment: &str) {
        sqlx::query(&format!("UPDATE upgrades SET {assignment}"))
            .execute(&self.db.pool)
            .await
            .unwrap();
    }
}
