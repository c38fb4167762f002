//! Terms documents: the PDF to keep, the exact bytes accepted, re-acceptance when the
//! document changes before the upgrade completes.

use reqwest::StatusCode;
use switchyard::domain::{catalog::DEFAULT_CATALOG, pdf};

use crate::helpers::{ADMIN, TestApp, between, path, spawn_app, spawn_app_with};

async fn download(app: &TestApp, p: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app.client.get(app.url(p)).send().await.unwrap();
    let status = res.status();
    let disposition = res
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, disposition, res.bytes().await.unwrap().to_vec())
}

fn sha(bytes: &[u8]) -> String {
    switchyard::domain::sha256_hex(bytes)
}

#[tokio::test]
async fn the_accepted_pdf_is_byte_for_byte_what_was_shown_and_hashed() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let (status, disposition, shown) = download(&app, &path("/upgrade/terms.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        disposition.contains("kaffebaren-kpm-kp-2026-09-01-sv.pdf"),
        "{disposition}"
    );
    assert!(shown.starts_with(b"%PDF-1.4"));
    let page = app.get(&path("/upgrade/terms")).await;
    assert_eq!(
        between(&page.body, "name=\"sha256\" value=\"", "\"").unwrap(),
        sha(&shown),
        "the form carries the PDF's hash"
    );
    assert_eq!(
        download(&app, &path("/upgrade/terms/accepted.pdf")).await.0,
        StatusCode::NOT_FOUND
    );

    app.accept_terms().await;
    let (status, disposition, accepted) =
        download(&app, &path("/upgrade/terms/accepted.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        disposition.contains("accepted-kaffebaren-kpm-kp-2026-09-01-sv.pdf"),
        "{disposition}"
    );
    assert_eq!(accepted, shown);
    let recorded: String = sqlx::query_scalar("SELECT document_sha256 FROM terms_acceptances")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(recorded, sha(&accepted));
    let ip: String = sqlx::query_scalar("SELECT ip FROM terms_acceptances")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(ip, "127.0.0.1");
}

#[tokio::test]
async fn the_pdf_keeps_nordic_and_german_letters() {
    let app = spawn_app().await;
    sqlx::query(
        "UPDATE stores SET name = 'Blåbär & Ærø Straße Niño' WHERE legacy_store_id = '4711'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.sign_in(ADMIN).await;
    let (_, disposition, bytes) = download(&app, &path("/upgrade/terms.pdf?path=kpm-kco3")).await;
    assert!(
        disposition.contains("blabar-aro-strase-nino-kpm-kco3-2026-09-01-sv.pdf"),
        "{disposition}"
    );
    let name = pdf::encode("Blåbär & Ærø Straße Niño");
    assert!(
        bytes.windows(name.len()).any(|w| w == name.as_slice()),
        "the name is in the PDF in WinAnsi bytes"
    );
    let price = pdf::encode("Kort och Betala nu");
    assert!(
        bytes.windows(price.len()).any(|w| w == price.as_slice()),
        "a new agreement carries its price list"
    );
}

#[tokio::test]
async fn a_changed_document_must_be_accepted_again_before_the_upgrade_goes_on() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    let (_, _, first) = download(&app, &path("/upgrade/terms/accepted.pdf")).await;

    // The platform publishes a new version; the next server start reads the new catalog.
    let updated = DEFAULT_CATALOG.replacen("version = \"2026-09-01\"", "version = \"2026-12-01\"", 1).replacen(
        "2. Price. The prices and fees of the existing agreement stay unchanged.",
        "2. Price. The prices and fees of the existing agreement stay unchanged, for at least 24 months.",
        1,
    );
    let catalog = app.temp_file("catalog-v2.toml", &updated);
    let app = app
        .another_instance(|c| c.catalog_path = Some(catalog))
        .await;
    app.sign_in(ADMIN).await;

    app.get(&path("/upgrade/account"))
        .await
        .assert_redirect_to(&path("/upgrade/terms"));
    let terms = app.get(&path("/upgrade/terms")).await;
    assert!(
        terms.has("id=\"terms-updated\"")
            && terms.has("Version 2026-12-01")
            && terms.has("id=\"accept-terms\"")
    );
    let blocked = app
        .submit(&path("/upgrade/account"), &[("global", "on")])
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert!(blocked.has("accept the new version"));

    let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
    app.submit(
        &path("/upgrade/terms"),
        &[("path", "kpm-kp"), ("sha256", &sha), ("accept", "yes")],
    )
    .await
    .assert_redirect_to(&path("/upgrade/account"));
    let versions: Vec<String> =
        sqlx::query_scalar("SELECT document_version FROM terms_acceptances ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(versions, ["2026-09-01", "2026-12-01"]);
    let (_, _, second) = download(&app, &path("/upgrade/terms/accepted.pdf")).await;
    assert_ne!(first, second);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM upgrades WHERE step = 'account'")
            .await,
        1,
        "re-accepting does not move the step"
    );
    app.confirm_account().await;
}

#[tokio::test]
async fn store_users_may_download_the_terms_but_not_accept_them() {
    let app = spawn_app().await;
    let store_id = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '4711'")
        .await;
    switchyard::store::members::add(
        &app.db.pool,
        store_id,
        "dev@kaffebaren.example",
        ADMIN,
        false,
    )
    .await
    .unwrap();
    app.sign_in("dev@kaffebaren.example").await;
    assert_eq!(
        download(&app, &path("/upgrade/terms.pdf")).await.0,
        StatusCode::OK
    );
    assert!(
        !app.get(&path("/upgrade/terms"))
            .await
            .has("name=\"sha256\"")
    );
}

/// Terms come in the store's language where the catalog has it, else in English, and
/// what was shown is what is accepted.
#[tokio::test]
async fn terms_are_in_the_stores_language_where_a_translation_exists() {
    let app = spawn_app().await;
    for (eid, admin, title, lang) in [
        ("20240", "jonas@bergkristall.example", "Nachtrag", "de"),
        (
            "31337",
            "sanne@tulpen.example",
            "Addendum: moving from KPM to KP",
            "en",
        ),
    ] {
        let b = app.another_browser();
        b.sign_in(admin).await;
        let page = b.get(&format!("/stores/{eid}/upgrade/terms")).await;
        assert!(
            page.has(title) && page.has(&format!("lang=\"{lang}\"")),
            "{eid}: {}",
            page.body
        );
        let (_, disposition, _) = download(&b, &format!("/stores/{eid}/upgrade/terms.pdf")).await;
        assert!(
            disposition.contains(&format!("-{lang}.pdf")),
            "{disposition}"
        );
        let sha = crate::helpers::between(&page.body, "name=\"sha256\" value=\"", "\"").unwrap();
        b.submit(
            &format!("/stores/{eid}/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", &sha), ("accept", "yes")],
        )
        .await
        .assert_redirect_to(&format!("/stores/{eid}/upgrade/account"));
        let accepted: String = sqlx::query_scalar(
            "SELECT a.document_title FROM terms_acceptances a JOIN upgrades u ON u.id = a.upgrade_id \
             JOIN stores s ON s.id = u.store_id WHERE s.legacy_store_id = $1",
        )
        .bind(eid)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert!(accepted.starts_with(title), "{eid} accepted {accepted}");
        // A later visit does not call a translated acceptance outdated.
        let again = b.get(&format!("/stores/{eid}/upgrade/terms")).await;
        assert!(
            again.has("id=\"terms-accepted\"") && !again.has("id=\"terms-updated\""),
            "{}",
            again.body
        );
    }
}

/// Behind a load balancer the acceptance is evidence of who accepted from where: the
/// admin's own address, as the balancer forwards it, not the balancer's.
#[tokio::test]
async fn an_acceptance_behind_a_load_balancer_records_the_admins_address() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let admin = app.browser_at("198.51.100.7");
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;

    let log = admin.get(&path("/audit")).await;
    assert_eq!(log.status, StatusCode::OK);
    let row = between(&log.body, "terms.accepted", "</tr>")
        .or_else(|| between(&log.body, "accepted the terms", "</tr>"))
        .unwrap_or_else(|| panic!("no acceptance in the log:\n{}", log.body));
    assert!(row.contains("198.51.100.7"), "{row}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM terms_acceptances WHERE ip = '198.51.100.7'")
            .await,
        1,
        "the acceptance record names the admin's address"
    );
}
