//! "What changes for me": the store's own path from the catalog, linked from the overview
//! and the terms step, in every language.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, between, path, spawn_app};

/// The items' ids on a "what changes" page, in order.
fn items(body: &str) -> Vec<String> {
    body.split("<li id=\"change-")
        .skip(1)
        .filter_map(|li| between(li, "", "\""))
        .collect()
}

const COMMON: [&str; 9] = [
    "new_store_id",
    "order_expiry",
    "settlement_reports",
    "custom_report",
    "legacy_refunds",
    "payment_instructions",
    "payment_status",
    "apps",
    "global",
];

#[tokio::test]
async fn the_admin_reads_what_changes_on_their_path_with_the_catalogs_data() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let overview = app.get(&path("")).await;
    let link = between(&overview.body, "id=\"what-changes\" href=\"", "\"").expect("linked");
    let page = app.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("What changes for you: KPM (Payment Method) → KP (Payments)"));
    assert_eq!(items(&page.body), COMMON);
    for fact in [
        "beside the legacy store ID 4711",
        "within 28 days of its creation",
        "extend it by 28 days, up to 180 days after the order",
        "come as CSV, JSON, PDF",
        "2.79% + €0.35 per transaction inside the EEA and 4.99% + €0.35 outside",
        "about 190 markets",
    ] {
        assert!(page.has(fact), "{fact}\n{}", page.body);
    }

    // From the terms step, on the other path open to a KPM store: a new agreement and a
    // checkout that replaces the payment method come first.
    let terms = app.get(&path("/upgrade/terms?path=kpm-kco3")).await;
    let link = between(&terms.body, "id=\"what-changes\"><a href=\"", "\"")
        .unwrap()
        .replace("&amp;", "&");
    assert!(link.ends_with("?path=kpm-kco3"), "{link}");
    let page = app.get(&link).await;
    let mut expected = vec!["new_agreement", "checkout_replaces"];
    expected.extend(COMMON);
    assert_eq!(items(&page.body), expected);
    assert!(page.has("KCO v3 (Checkout v3) replaces your shop"));
    // A path that is not the store's is no page.
    assert_eq!(
        app.get(&path("/what-changes?path=kco2-kco3")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_language_says_every_change_in_its_own_words() {
    let app = spawn_app().await;
    let admin = app.browser_in("en");
    admin.sign_in(ADMIN).await;
    admin.submit("/language", &[("lang", "en")]).await;
    let en = admin.get(&path("/what-changes?path=kpm-kco3")).await.body;
    let titles: Vec<String> = en
        .split("<h2>")
        .skip(1)
        .filter_map(|h| between(h, "", "</h2>"))
        .collect();
    assert_eq!(titles.len(), 11);
    for lang in ["sv", "nb", "da", "fi", "de", "es"] {
        // The admin chooses the language (a stored choice wins).
        let b = &admin;
        b.submit("/language", &[("lang", lang)]).await;
        let page = b.get(&path("/what-changes?path=kpm-kco3")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(items(&page.body).len(), 11, "{lang}");
        for t in &titles {
            assert!(
                !page.has(t),
                "{lang} shows the English {t:?}: {}",
                between(&page.body, "<h1>", "</h1>").unwrap_or_default()
            );
        }
        assert!(page.has("28"), "{lang}: the catalog's days");
    }
}
