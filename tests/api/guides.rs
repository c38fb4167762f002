//! The integration guide per product path, the rollback guide per store, and the error
//! summary at the top of every form page that shows field errors.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, Page, STORE, TestApp, between, path, spawn_app};
use crate::upgrade::Shown;

impl TestApp {
    async fn set_store(&self, column: &str, value: &str) {
        sqlx::query(&format!(
            "UPDATE stores SET {column} = $1 WHERE legacy_store_id = $2"
        ))
        .bind(value)
        .bind(STORE)
        .execute(&self.db.pool)
        .await
        .unwrap();
    }

    /// Signs in as the admin of a store on `product` and walks along `path_id` to the
    /// integration step.
    async fn admin_at_integration_on(&self, product: &str, path_id: &str) -> Shown {
        self.set_store("product", product).await;
        self.sign_in(ADMIN).await;
        let terms = self
            .get(&format!("{}?path={path_id}", path("/upgrade/terms")))
            .await;
        let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
        self.submit(
            &path("/upgrade/terms"),
            &[("path", path_id), ("sha256", &sha), ("accept", "yes")],
        )
        .await
        .assert_redirect_to(&path("/upgrade/account"));
        self.confirm_account().await;
        self.generate_credentials().await
    }
}

const PLATFORMS: [&str; 6] = [
    "woocommerce",
    "magento2",
    "prestashop",
    "shopify",
    "bigcommerce",
    "custom",
];

#[tokio::test]
async fn each_product_path_gets_its_own_guide_on_every_platform() {
    for (path_id, legacy, kind) in [
        ("kpm-kp", "KPM", "payment_method"),
        ("kpm-kco3", "KPM", "checkout"),
        ("kco2-kco3", "KCOv2", "checkout"),
    ] {
        let app = spawn_app().await;
        app.admin_at_integration_on(legacy, path_id).await;
        for platform in PLATFORMS {
            app.set_store("platform", platform).await;
            let page = app.get(&path("/upgrade/integration")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                page.has(&format!("data-integration=\"{kind}\"")),
                "{path_id} on {platform}"
            );
            let checkout_guide = page.has("Checkout v3 for WooCommerce")
                || page.has("Checkout v3 module for")
                || page.has("Checkout v3 app for")
                || page.has("with the Checkout v3 snippet");
            assert_eq!(
                checkout_guide,
                kind == "checkout",
                "{path_id} on {platform}"
            );
            if kind == "checkout" {
                assert!(
                    page.has("is a whole checkout, not a payment method"),
                    "{path_id}"
                );
                assert!(page.has("snippet"), "{path_id} on {platform}");
            } else {
                assert!(page.has("KP (Payments) is a payment method"), "{path_id}");
            }
        }
    }
    // The guide in another language.
    let app = spawn_app().await;
    app.admin_at_integration_on("KCOv2", "kco2-kco3").await;
    let sv = app
        .get_asking_for("sv", &path("/upgrade/integration"))
        .await;
    assert!(sv.has("Checkout v3 för WooCommerce"), "{}", sv.body);
}

fn rollback(page: &Page) -> String {
    let start = page.body.find("id=\"rollback\"").unwrap();
    let end = page.body.find("id=\"support-request\"").unwrap();
    page.body[start..end].to_owned()
}

#[tokio::test]
async fn the_rollback_guide_names_the_stores_own_legacy_product() {
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    let kpm = rollback(&app.get(&path("/upgrade/trouble")).await);
    assert!(
        kpm.contains("Re-enable your old KPM (Payment Method) plugin"),
        "{kpm}"
    );
    assert!(!kpm.contains("KPM or Checkout v2") && !kpm.contains("Checkout v2"));

    let app = spawn_app().await;
    app.admin_at_integration_on("KCOv2", "kco2-kco3").await;
    let kco = rollback(&app.get(&path("/upgrade/trouble")).await);
    assert!(
        kco.contains("Re-enable your old KCO v2 (Checkout v2) plugin"),
        "{kco}"
    );
    assert!(
        kco.contains("Checkout v3 for WooCommerce"),
        "the new checkout to disable: {kco}"
    );
    assert!(!kco.contains("KPM"));
}

#[tokio::test]
async fn a_custom_integration_rolls_back_its_api_credentials_not_a_plugin() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    app.set_store("platform", "custom").await;
    let page = app.get(&path("/upgrade/trouble")).await;
    let steps = rollback(&page);
    assert!(steps.contains("data-integration=\"custom\""));
    assert!(steps.contains("switch the API credentials back"), "{steps}");
    assert!(steps.contains(&format!("legacy store {STORE}")));
    assert!(steps.contains(&shown.mid));
    assert!(!steps.to_lowercase().contains("plugin"), "{steps}");
    for lang in ["sv", "de"] {
        let page = app.get_asking_for(lang, &path("/upgrade/trouble")).await;
        assert!(rollback(&page).contains(&shown.mid), "{lang}");
    }
}

/// The error summary comes before `form_action`'s form, and every link in it leads to
/// an element of the page.
fn assert_summary_first(page: &Page, form_action: &str) {
    let summary = page
        .body
        .find("id=\"error-summary\"")
        .unwrap_or_else(|| panic!("no error summary: {}", page.body));
    let form = page
        .body
        .find(&format!("action=\"{form_action}"))
        .unwrap_or_else(|| panic!("no form {form_action}"));
    assert!(summary < form, "the summary comes before the form");
    // Before every card but the navigation: at the top.
    let first_card = page.body.find("class=\"card").unwrap();
    assert!(summary < first_card, "the summary is at the top");
    let summary_html = &page.body[page.body[..summary].rfind("<div").unwrap()..];
    let summary_html = &summary_html[..summary_html.find("</div>").unwrap()];
    assert!(summary_html.contains("tabindex=\"-1\""), "{summary_html}");
    let mut links = 0;
    for part in summary_html.split("href=\"#").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        assert!(page.has(&format!("id=\"{id}\"")), "#{id} is in the page");
        links += 1;
    }
    assert!(links > 0, "{summary_html}");
}

#[tokio::test]
async fn refused_forms_show_their_errors_in_a_summary_at_the_top() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    app.confirm_account().await;
    app.generate_credentials().await;

    let partial = app
        .submit(&path("/upgrade/integration"), &[("old_disabled", "yes")])
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_summary_first(&partial, &path("/upgrade/integration\""));
    for unticked in ["new_enabled", "live_fields", "test_mode_off"] {
        assert!(partial.has(&format!("href=\"#{unticked}\"")), "{unticked}");
    }
    assert!(!partial.has("href=\"#old_disabled\""));

    let invite = app
        .submit(&path("/users"), &[("email", "not an email")])
        .await;
    assert_summary_first(&invite, &path("/users\""));

    let short = reqwest::multipart::Form::new()
        .text("csrf", app.csrf().await)
        .text("explanation", "short")
        .text("error_code", "");
    let trouble = app.multipart(&path("/upgrade/trouble"), short).await;
    assert_eq!(trouble.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_summary_first(&trouble, &path("/upgrade/trouble\""));
    assert!(trouble.has("href=\"#explanation\""));

    let signin = app.browser_in("en");
    let form = signin.get("/signin").await;
    let refused = signin
        .post("/signin", &[("csrf", &form.csrf()), ("email", "nope")])
        .await;
    assert!(refused.has("id=\"error-summary\""), "{}", refused.body);
    assert!(refused.has("href=\"#email\""));
}
