//! Capability parity before the test purchase: what the legacy store could do (from the
//! import's optional columns) against what the platform says the new merchant ID can
//! (`GET /merchants/{mid}/capabilities`, served by the sandbox), with a support request
//! written for the admin.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{PLATFORM_TOKEN, TestApp, between, path, spawn_app, spawn_app_with},
    import::{HEADER, import_bytes, stderr, stdout},
};

const WAITING: &str = "/upgrade/test-purchase";

impl TestApp {
    /// Sets what merchant ID `mid` can do at the sandbox platform, as its support would.
    async fn enable_at_platform(&self, mid: &str, body: serde_json::Value) {
        let res = self
            .client
            .put(self.url(&format!("/merchants/{mid}/capabilities")))
            .bearer_auth(PLATFORM_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }

    /// The gaps the waiting page lists, each as its text.
    async fn gaps(&self) -> Vec<String> {
        let page = self.get(&path(WAITING)).await;
        assert_eq!(page.status, StatusCode::OK);
        let Some(list) = between(&page.body, "id=\"capabilities-missing\"", "</ul>") else {
            return Vec::new();
        };
        list.split("<li>")
            .skip(1)
            .map(|li| between(li, "", "</li>").unwrap_or_default())
            .collect()
    }
}

#[tokio::test]
async fn what_the_new_id_lacks_is_listed_before_the_test_purchase_with_a_request_written_for_it() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    // The demo's Kaffebaren took recurring payments, invoice and part payment; the new
    // ID has invoice, part payment and card, no recurring.
    assert_eq!(
        app.gaps().await,
        [
            "Recurring payments are not enabled on the new ID: subscription renewals would fail after the switch."
        ]
    );

    // The platform reports the same through its API, to the platform token only.
    let url = app.url(&format!("/merchants/{}/capabilities", shown.mid));
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = app
        .client
        .get(&url)
        .bearer_auth(PLATFORM_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!({"recurring": false, "b2b": false, "payment_methods": ["invoice", "part_payment", "card"]})
    );

    // The request to support is written: the new ID and what to enable.
    let page = app.get(&path(WAITING)).await;
    let ask = between(&page.body, "id=\"ask-capabilities\"", ">").unwrap();
    let href = between(&ask, "href=\"", "\"")
        .unwrap()
        .replace("&amp;", "&");
    let form = app.get(&href).await;
    let text = between(&form.body, "id=\"explanation\"", "</textarea>").unwrap();
    assert!(
        text.contains(&format!("merchant ID {}", shown.mid)),
        "{text}"
    );
    assert!(
        text.contains("- Recurring payments are not enabled"),
        "{text}"
    );

    // A file says the store also sold by direct debit: the import changes it, audited.
    let csv = format!(
        "{}4711,Kaffebaren,KPM,anna@kaffebaren.example,SE;NO;FI,woocommerce,https://kaffebaren.example,Nordic Commerce Partners,invoice;direct_debit\n",
        HEADER.replace('\n', ",payment_methods\n")
    );
    let out = import_bytes(&app, csv.as_bytes(), &["--update"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("4711: payment_methods invoice;part_payment → invoice;direct_debit"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        app.gaps().await.len(),
        2,
        "recurring kept, direct debit added"
    );
    assert!(app.gaps().await[1].starts_with("Direct debit is not enabled"));

    // Support enables both at the platform: the page says the new ID has it all.
    app.enable_at_platform(
        &shown.mid,
        json!({"recurring": true, "b2b": false, "payment_methods": ["invoice", "direct_debit"]}),
    )
    .await;
    let page = app.get(&path(WAITING)).await;
    assert!(app.gaps().await.is_empty());
    assert!(page.has("id=\"capabilities-matched\""), "{}", page.body);
}

#[tokio::test]
async fn a_file_without_the_columns_keeps_them_and_a_flag_reads_in_the_readers_words() {
    let app = spawn_app().await;
    // Without the optional columns, nothing is said and nothing forgotten.
    let plain = format!(
        "{HEADER}4711,Kaffebaren,KPM,anna@kaffebaren.example,SE;NO;FI,woocommerce,https://kaffebaren.example,Nordic Commerce Partners\n"
    );
    let out = import_bytes(&app, plain.as_bytes(), &["--update"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("updated 0, 1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM stores WHERE legacy_store_id = '4711' AND legacy_recurring = 1"
        )
        .await,
        1
    );
    // A bad cell names its line and column.
    let bad = format!(
        "{}4711,Kaffebaren,KPM,anna@kaffebaren.example,SE,woocommerce,https://kaffebaren.example,,maybe\n",
        HEADER.replace('\n', ",recurring\n")
    );
    let out = import_bytes(&app, bad.as_bytes(), &["--update"], &[]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("line 2: recurring \"maybe\" must be yes or no"),
        "{}",
        stderr(&out)
    );
    // "no" is written, and the admin's Swedish audit log says it in Swedish.
    let no = bad.replace(",maybe", ",no");
    let out = import_bytes(&app, no.as_bytes(), &["--update"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let swedish = app.browser_in("sv");
    swedish.sign_in(crate::helpers::ADMIN).await;
    let log = swedish.get(&path("/audit")).await;
    assert!(
        log.has("återkommande betalningar: ja → nej"),
        "{}",
        log.body
    );
}

#[tokio::test]
async fn a_platform_that_does_not_answer_costs_the_page_a_moment_not_the_page() {
    // A listener that never accepts: the request waits for an answer that never comes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let app = spawn_app_with(move |c| c.platform.url = Some(url.clone())).await;
    app.admin_waiting_for_purchase().await;
    let started = std::time::Instant::now();
    let page = app.get(&path(WAITING)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("id=\"capabilities-unchecked\""), "{}", page.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    drop(silent);
}
