//! The test-purchase step: currencies that fit the store, failed calls in the API log
//! and beside the spinner, the test environment's rules, "Place the test purchase for
//! me" and the copy buttons.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN, STORE, TestApp, path, spawn_app};

impl TestApp {
    /// An order at the sandbox with `body` as JSON.
    async fn sandbox_order(
        &self,
        user: &str,
        password: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let res = self
            .client
            .post(self.url("/sandbox/v1/orders"))
            .basic_auth(user, Some(password))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or_default())
    }

    async fn set_countries(&self, countries: &str) {
        sqlx::query("UPDATE stores SET countries = $1 WHERE legacy_store_id = $2")
            .bind(countries)
            .bind(STORE)
            .execute(&self.db.pool)
            .await
            .unwrap();
    }

    async fn is_complete(&self) -> bool {
        self.scalar("SELECT COUNT(*) FROM upgrades WHERE step = 'complete'")
            .await
            == 1
    }
}

#[tokio::test]
async fn the_sandbox_refuses_a_currency_that_is_not_iso_4217() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let (status, error) = app
        .sandbox_order(
            &shown.username,
            &shown.password,
            json!({"amount": 1000, "currency": "XXX", "country": "SE"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = error["error"].as_str().unwrap();
    assert!(
        message.starts_with("currency") && message.contains("ISO 4217"),
        "{message}"
    );
    assert!(!app.is_complete().await);
}

#[tokio::test]
async fn the_sandbox_refuses_a_currency_none_of_the_stores_countries_pays_in() {
    let app = spawn_app().await;
    // Kaffebaren sells in SE, NO and FI.
    let shown = app.admin_waiting_for_purchase().await;
    for wrong in ["DKK", "GBP"] {
        let (status, error) = app
            .sandbox_order(
                &shown.username,
                &shown.password,
                json!({"amount": 1000, "currency": wrong, "country": "SE"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong}");
        let message = error["error"].as_str().unwrap();
        assert!(
            message.starts_with("currency") && message.contains("SE, NO, FI"),
            "{message}"
        );
    }
    assert!(!app.is_complete().await);
    let (status, order) = app
        .sandbox_order(
            &shown.username,
            &shown.password,
            json!({"amount": 1000, "currency": "NOK", "country": "NO"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["currency"], "NOK");
    assert!(app.is_complete().await);
}

#[tokio::test]
async fn an_order_event_in_a_currency_that_is_not_iso_4217_completes_nothing() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let event = |id: &str, currency: &str| {
        json!({"id": format!("evt_{id}"), "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
               "data": {"merchant_id": shown.mid, "environment": "live", "order_id": format!("ord_{id}"),
                        "amount": 1000, "currency": currency}})
    };
    let (status, _) = app.deliver(&event("xxx", "XXX")).await;
    assert!(status.is_success(), "{status}");
    assert!(!app.is_complete().await, "XXX is no currency");
    let (status, _) = app.deliver(&event("sek", "SEK")).await;
    assert!(status.is_success(), "{status}");
    assert!(app.is_complete().await);
}

#[tokio::test]
async fn an_order_in_a_currency_the_store_does_not_sell_in_completes_nothing() {
    let app = spawn_app().await;
    // Kaffebaren sells in SE, NO and FI: a live order in pounds is no purchase in its shop,
    // whether it arrives before the step waits for it (weighed on entering the step) or
    // while it waits.
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    app.confirm_account().await;
    let shown = app.generate_credentials().await;
    let event = |id: &str, currency: &str| {
        json!({"id": format!("evt_{id}"), "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
               "data": {"merchant_id": shown.mid, "environment": "live", "order_id": format!("ord_{id}"),
                        "amount": 1000, "currency": currency}})
    };
    let (status, _) = app.deliver(&event("early", "GBP")).await;
    assert!(status.is_success(), "{status}");
    app.confirm_integration().await;
    assert!(
        !app.is_complete().await,
        "an earlier order in GBP must not count on entering the step"
    );
    let (status, _) = app.deliver(&event("gbp", "GBP")).await;
    assert!(status.is_success(), "{status}");
    assert!(
        !app.is_complete().await,
        "GBP is not a currency of SE, NO or FI"
    );
    let (status, _) = app.deliver(&event("eur", "EUR")).await;
    assert!(status.is_success(), "{status}");
    assert!(app.is_complete().await, "EUR is Finland's");
}

#[tokio::test]
async fn the_curl_and_the_button_use_the_stores_own_currency() {
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("&#34;currency&#34;: &#34;SEK&#34;, &#34;country&#34;: &#34;SE&#34;"));

    assert!(page.has("SEK\u{a0}10.00 from SE"), "{}", page.body);
    for (countries, currency, country, amount) in [
        ("NO;SE", "NOK", "NO", "NOK\u{a0}10.00"),
        ("NL;SE", "EUR", "NL", "€10.00"),
        ("DK", "DKK", "DK", "DKK\u{a0}10.00"),
        // No decimals: the same 1000 minor units are a thousand crowns, not ten.
        ("IS", "ISK", "IS", "ISK\u{a0}1,000"),
    ] {
        app.set_countries(countries).await;
        let page = app.get(&path("/upgrade/test-purchase")).await;
        assert!(
            page.has(&format!(
                "&#34;currency&#34;: &#34;{currency}&#34;, &#34;country&#34;: &#34;{country}&#34;"
            )),
            "{countries}: {}",
            page.body
        );
        assert!(!page.has("&#34;SEK&#34;"), "{countries}");
        assert!(
            page.has(&format!("{amount} from {country}")),
            "{countries}: {}",
            page.body
        );
    }
    // In the reader's own form.
    app.set_countries("SE").await;
    let swede = app.browser_in("sv");
    swede.sign_in(crate::helpers::ADMIN).await;
    let page = swede.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("10,00\u{a0}kr från SE"), "{}", page.body);
}

#[tokio::test]
async fn a_wrong_password_at_the_sandbox_leaves_a_401_in_the_api_log_and_an_alert() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let before = app.get(&path("/upgrade/test-purchase")).await;
    assert!(!before.has("id=\"api-error-alert\""));

    let res = app
        .sandbox_purchase(&shown.username, "sy_not-the-password")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'api.error' AND error_code = '401 wrong_password'")
            .await,
        1
    );
    let page = app.get(&path("/upgrade/test-purchase")).await;
    let log = &page.body[page.body.find("id=\"api-log\"").unwrap()..];
    assert!(log.contains("401 wrong_password"), "{log}");
    assert!(
        log.contains("The password does not match the username"),
        "{log}"
    );
    let alert = &page.body[page.body.find("id=\"api-error-alert\"").unwrap()..];
    assert!(
        page.body.find("class=\"spinner\"").unwrap()
            < page.body.find("id=\"api-error-alert\"").unwrap(),
        "beside the spinner"
    );
    assert!(alert.contains("role=\"alert\"") || page.has("role=\"alert\" id=\"api-error-alert\""));
    assert!(alert.contains("401 wrong_password") && alert.contains("The password does not match"));
    assert!(alert.contains(&format!("href=\"{}\"", path("/upgrade/trouble"))));

    // The same in another language.
    let sv = app
        .get_asking_for("sv", &path("/upgrade/test-purchase"))
        .await;
    assert!(
        sv.has("Lösenordet passar inte till användarnamnet"),
        "{}",
        sv.body
    );
}

#[tokio::test]
async fn test_credentials_used_on_live_leave_a_row_that_explains_it() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let (status, error) = app
        .sandbox_order(
            &shown.test_username,
            &shown.test_password,
            json!({"amount": 1000, "currency": "SEK", "country": "SE", "environment": "live"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("test environment")
    );
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("401 test_credentials_on_live"));
    assert!(page.has("Test credentials were used in production"));
    assert!(!app.is_complete().await);
}

#[tokio::test]
async fn the_step_says_it_updates_by_itself_and_what_the_test_environment_needs() {
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("it updates by itself"), "{}", page.body);
    assert!(!page.has("it updates when you press"));
    for words in [
        "“Pay later”",
        "“Private person – Approved” for Sweden",
        "test mode is on in the plugin",
    ] {
        assert!(page.has(words), "{words}");
    }
    let integration = app.get(&path("/upgrade/integration")).await;
    assert!(
        integration.has("id=\"test-environment\"")
            && integration.has("“Private person – Approved”")
    );
    for lang in ["sv", "nb", "fi", "da", "de", "es"] {
        let page = app
            .get_asking_for(lang, &path("/upgrade/test-purchase"))
            .await;
        assert!(page.has("Private person – Approved"), "{lang}");
        assert!(page.has("id=\"test-environment\""), "{lang}");
        // The country by its name in the reader's language.
        let sweden = match lang {
            "sv" | "da" | "nb" => "Sverige",
            "fi" => "Ruotsi",
            "de" => "Schweden",
            _ => "Suecia",
        };
        assert!(page.has(sweden), "{lang}: {}", page.body);
    }
}

#[tokio::test]
async fn place_the_test_purchase_for_me_completes_the_upgrade() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("id=\"place-order-form\""));
    let action = path("/upgrade/test-purchase/sandbox-order");
    assert!(page.has(&format!("action=\"{action}\"")));

    // Without the CSRF token nothing is placed.
    let forged = app
        .client
        .post(app.url(&action))
        .form(&[("password", shown.password.as_str())])
        .send()
        .await
        .unwrap();
    assert!(forged.status().is_client_error(), "{}", forged.status());
    assert!(!app.is_complete().await);

    // A wrong password: the sandbox says 401, and the log says why.
    let wrong = app
        .submit(&action, &[("password", "sy_not-the-password")])
        .await;
    wrong.assert_redirect_to(&format!(
        "{}?placed=401#test-purchase",
        path("/upgrade/test-purchase")
    ));
    let after = app
        .get(&format!("{}?placed=401", path("/upgrade/test-purchase")))
        .await;
    assert!(after.has("id=\"place-order-result\"") && after.has("HTTP 401"));
    assert!(after.has("id=\"api-error-alert\"") && after.has("401 wrong_password"));
    assert!(!app.is_complete().await);

    let placed = app.submit(&action, &[("password", &shown.password)]).await;
    placed.assert_redirect_to(&format!(
        "{}?placed=placed#test-purchase",
        path("/upgrade/test-purchase")
    ));
    assert!(app.is_complete().await, "detected like any order");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM order_events WHERE kind = 'order.created' AND currency = 'SEK' AND environment = 'live'")
            .await,
        1
    );
    app.get(&path("/upgrade/test-purchase"))
        .await
        .assert_redirect_to(&path("/upgrade/complete"));
}

#[tokio::test]
async fn only_the_admin_may_place_the_test_purchase_and_only_with_the_sandbox_on() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    const ACCOUNTANT: &str = "accountant@kaffebaren.example";
    app.submit(&path("/users"), &[("email", ACCOUNTANT)]).await;
    let accountant = app.another_browser();
    accountant.sign_in(ACCOUNTANT).await;
    let page = accountant.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("id=\"sandbox-curl\"") && !page.has("id=\"place-order-form\""));
    let refused = accountant
        .submit(
            &path("/upgrade/test-purchase/sandbox-order"),
            &[("password", &shown.password)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!app.is_complete().await);

    let production = crate::helpers::spawn_app_with(|c| c.sandbox = false).await;
    production.admin_waiting_for_purchase().await;
    let page = production.get(&path("/upgrade/test-purchase")).await;
    assert!(!page.has("id=\"place-order-form\""));
    let res = production
        .submit(
            &path("/upgrade/test-purchase/sandbox-order"),
            &[("password", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ids_usernames_and_the_command_have_copy_buttons_labelled_for_screen_readers() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/test-purchase")).await;
    for (id, value) in [
        ("sandbox-curl", "curl -u"),
        ("sandbox-username", shown.username.as_str()),
    ] {
        assert!(
            page.has(&format!("id=\"{id}\">{value}")),
            "{id}: {}",
            page.body
        );
        assert!(page.has(&format!("data-copy=\"{id}\"")), "{id}");
    }
    assert!(page.has("aria-label=\"Copy command\""));
    assert!(page.has("aria-label=\"Copy API username\""));
    let integration = app.get(&path("/upgrade/integration")).await;
    assert!(integration.has(&format!("id=\"field-merchant_id\">{}", shown.mid)));
    assert!(
        integration.has("data-copy=\"field-merchant_id\"")
            && integration.has("aria-label=\"Copy merchant ID\"")
    );
    assert!(integration.has("data-copy=\"field-username\""));
    // Without JavaScript the buttons stay hidden; the values stay text.
    assert!(
        integration.has("hidden=true")
            || integration.has("hidden=\"true\"")
            || integration.has(" hidden")
    );
}

#[tokio::test]
async fn the_address_cannot_put_words_on_the_purchase_page() {
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    // A link someone sends: its words must not appear as if the platform said them.
    let page = app
        .get(&path(
            "/upgrade/test-purchase?placed=Call%2046%20000%2000%20to%20verify",
        ))
        .await;
    assert!(!page.has("place-order-result") && !page.has("46 000 00"));
    let page = app.get(&path("/upgrade/test-purchase?placed=401")).await;
    assert!(page.has("id=\"place-order-result\"") && page.has("HTTP 401"));
}

/// The cells of each `table.list` that hold something to read but no `data-label`: on a
/// phone each row is a card, and such a cell would be a value without its name. A cell
/// holding only the row's buttons needs none.
fn unlabelled_cells(body: &str) -> Vec<String> {
    let mut bare = Vec::new();
    for table in body.split("<table class=\"list\"").skip(1) {
        let table = &table[..table.find("</table>").unwrap_or(table.len())];
        for cell in table.split("<td").skip(1) {
            let (open, rest) = cell.split_once('>').unwrap_or((cell, ""));
            let content = rest[..rest.find("</td>").unwrap_or(rest.len())].trim();
            let buttons_only = content.is_empty() || content.starts_with("<form");
            if !open.contains("data-label") && !buttons_only {
                bare.push(format!("<td{open}>{content}"));
            }
        }
    }
    bare
}

#[tokio::test]
async fn the_api_log_and_the_audit_log_read_as_labelled_cards_on_a_phone() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    app.sandbox_purchase(&shown.username, "sy_not-the-password")
        .await;
    for page in ["/upgrade/test-purchase", "/audit", "/upgrade/credentials"] {
        let body = app.get(&path(page)).await.body;
        assert!(body.contains("<table class=\"list\""), "{page}: {body}");
        let bare = unlabelled_cells(&body);
        assert!(bare.is_empty(), "{page}: {bare:#?}");
    }
}
