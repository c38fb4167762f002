//! The partner and support consoles at the size of a real cohort: search that folds
//! case and accents the same on every database, webhooks for every partner a manager
//! has, and lists that say how many there are and page through all of them.

use reqwest::StatusCode;
use switchyard::store::stores::NewStore;

use crate::helpers::{TestApp, between, spawn_app, spawn_app_with};
use crate::partner::{PM, eids, receiver};

const NORDIC: &str = "Nordic Commerce Partners";

impl TestApp {
    /// Stores of `partner`, named `names`, from EID `first` on.
    async fn stores_named(&self, partner: &str, first: u32, names: &[&str]) {
        let stores: Vec<NewStore> = names
            .iter()
            .enumerate()
            .map(|(i, name)| NewStore {
                legacy_store_id: (first + i as u32).to_string(),
                name: (*name).into(),
                product: "KPM".into(),
                admin_email: format!("admin{}@shop.example", first + i as u32),
                countries: vec!["SE".into()],
                platform: "woocommerce".into(),
                store_url: "https://shop.example".into(),
                partner: Some(partner.into()),
                capabilities: Default::default(),
            })
            .collect();
        let mut tx = self.db.begin().await.unwrap();
        switchyard::store::stores::insert_all(&mut tx, &stores)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// The two partners, PM looking after Nordic and Other Partner both.
    pub(crate) async fn manager_of_two(&self) {
        self.partners().await;
        self.add_staff(
            PM,
            switchyard::domain::access::StaffRole::PartnerManager,
            Some("Other Partner"),
        )
        .await;
    }

    /// A support agent, signed in, in another browser.
    async fn support_agent(&self) -> TestApp {
        let agent = "agent@support.example";
        self.add_staff(agent, switchyard::domain::access::StaffRole::Support, None)
            .await;
        self.as_partner(agent).await
    }
}

#[tokio::test]
async fn search_ignores_case_and_accents_on_the_dashboard_the_api_and_in_support() {
    let app = spawn_app().await;
    app.partners().await;
    app.stores_named(
        NORDIC,
        880001,
        &[
            "Älvsjö Blommor",
            "alvik kaffe",
            "ØRESUND ÆBLER",
            "Ödegård  Bröd",
            "Kaffe \"Svart\" & Co*",
        ],
    )
    .await;
    let pm = app.as_partner(PM).await;
    for (q, found, not) in [
        ("Älv", &["880001", "880002"][..], "880003"),
        ("ÄLV", &["880001", "880002"], "880003"),
        ("alvsjo", &["880001"], "880002"),
        ("øresund", &["880003"], "880001"),
        ("Oresund aebler", &["880003"], "880001"),
        ("ödegård bröd", &["880004"], "880001"),
        // Part of the legacy ID, and text that means something to a search syntax.
        ("0003", &["880003"], "880001"),
        ("\"svart\" & co*", &["880005"], "880001"),
        ("NEAR(svart", &[], "880005"),
        ("{name_folded}: kaffe", &[], "880005"),
    ] {
        let page = pm.get(&format!("/partner?q={}", urlencode(q))).await;
        assert_eq!(page.status, StatusCode::OK);
        for eid in found {
            assert!(page.has(&format!("id=\"store-{eid}\"")), "{q} finds {eid}");
        }
        assert!(!page.has(&format!("id=\"store-{not}\"")), "{q} not {not}");
    }
    let token = pm.create_token("CRM sync").await;
    let (status, list) = app
        .api(&token, &format!("/api/v1/stores?q={}", urlencode("ÄLV")))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut found = eids(&list);
    found.sort();
    assert_eq!(found, ["880001", "880002"]);

    let agent = app.support_agent().await;
    for (q, eid) in [
        ("ÄLVSJÖ", "880001"),
        ("alvsjo", "880001"),
        ("øre", "880003"),
        ("\"svart\" & co*", "880005"),
        ("0004", "880004"),
    ] {
        let page = agent.get(&format!("/?q={}", urlencode(q))).await;
        assert!(page.has(eid), "support's {q} finds {eid}: {}", page.body);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_manager_of_two_partners_gets_webhooks_for_the_second_partners_stores() {
    let app = spawn_app_with(|c| c.health_check.allow_private = true).await;
    app.manager_of_two().await;
    let other = app
        .scalar("SELECT id FROM partners WHERE name = 'Other Partner'")
        .await;
    let pm = app.as_partner(PM).await;
    let keys = pm.get("/partner/api").await;
    assert!(
        keys.has(&format!("id=\"webhooks-partner-{other}\""))
            && keys.has("Webhooks of Other Partner")
            && keys.has("Webhooks of Nordic Commerce Partners"),
        "a section per partner: {}",
        keys.body
    );
    assert!(keys.has("every partner you manage (Nordic Commerce Partners, Other Partner)"));
    let hook = receiver(0).await;
    let created = pm
        .submit(
            "/partner/api/webhooks",
            &[("url", &hook.url), ("partner", &other.to_string())],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(between(&created.body, "id=\"new-webhook-secret\">", "<").is_some());
    // Without saying whose, a manager of two partners is asked to choose.
    let unsaid = pm
        .submit("/partner/api/webhooks", &[("url", &hook.url)])
        .await;
    assert_eq!(unsaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unsaid.has("Choose the partner"));

    // The second partner's store completes a step: its webhook hears of it.
    let chef = app.another_browser();
    chef.sign_in("chef@andere.example").await;
    let terms = chef.get("/stores/990001/upgrade/terms").await;
    assert_eq!(terms.status, StatusCode::OK, "{}", terms.body);
    let sha = between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
    chef.submit(
        "/stores/990001/upgrade/terms",
        &[("path", "kpm-kp"), ("sha256", &sha), ("accept", "yes")],
    )
    .await
    .assert_redirect_to("/stores/990001/upgrade/account");
    let calls = || hook.calls.lock().unwrap().clone();
    for _ in 0..100 {
        if !calls().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let calls = calls();
    assert_eq!(calls.len(), 1, "the second partner's webhook got the event");
    let event: serde_json::Value = serde_json::from_str(&calls[0].1).unwrap();
    assert_eq!(event["data"]["legacy_store_id"], "990001");
}

#[tokio::test]
async fn the_stalled_list_counts_pages_filters_and_exports_every_stalled_upgrade() {
    let app = spawn_app().await;
    let names: Vec<String> = (0..520)
        .map(|i| {
            if i == 0 {
                "=HYPERLINK(\"http://evil.example\")".to_owned()
            } else {
                format!("Stalled shop {i}")
            }
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    app.stores_named("Bulk Partner", 770000, &names).await;
    sqlx::query(
        "UPDATE stores SET platform = 'shopware' WHERE legacy_store_id LIKE '77%' AND id % 2 = 0",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let long_ago = switchyard::store::now() - 30 * 86_400;
    sqlx::query(
        "INSERT INTO upgrades (store_id, path_id, step, created_at, updated_at, progressed_at) \
         SELECT id, 'kpm-kp', 'account', $1, $1, $1 FROM stores WHERE legacy_store_id LIKE '77%'",
    )
    .bind(long_ago)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let shopware = app
        .scalar("SELECT COUNT(*) FROM stores WHERE legacy_store_id LIKE '77%' AND platform = 'shopware'")
        .await;
    let agent = app.support_agent().await;

    let first = agent.get("/support/stalled").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.has("520 stalled upgrades, 50 on this page"),
        "{}",
        first.body
    );
    // Every page in turn: each stalled store once, none left out.
    let mut seen = std::collections::BTreeSet::new();
    for page in 1..=11 {
        let p = agent.get(&format!("/support/stalled?page={page}")).await;
        let rows: Vec<String> = p
            .body
            .split("id=\"stalled-")
            .skip(1)
            .filter_map(|r| r.split('"').next().map(str::to_owned))
            .filter(|eid| eid.starts_with("77"))
            .collect();
        assert_eq!(rows.len(), if page == 11 { 20 } else { 50 }, "page {page}");
        for r in rows {
            assert!(seen.insert(r.clone()), "{r} on two pages");
        }
    }
    assert_eq!(seen.len(), 520);

    // The dashboard's filters narrow it, and the count says by how much.
    let p = agent.get("/support/stalled?platform=shopware").await;
    assert!(p.has(&format!("{shopware} stalled upgrades")), "{}", p.body);
    let p = agent.get("/support/stalled?q=stalled+shop+51").await;
    assert!(p.has("11 stalled upgrades, 11 on this page"), "{}", p.body);

    // The export has every row (not a page), formula-safe.
    let csv = agent.get("/support/stalled.csv?platform=&days=7").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count(), 521, "a header and 520 rows");
    assert!(csv.body.contains("'=HYPERLINK"), "{}", &csv.body[..300]);
    let csv = agent.get("/support/stalled.csv?platform=shopware").await;
    assert_eq!(csv.body.lines().count() as i64, shopware + 1);
}

#[tokio::test]
async fn my_stores_counts_and_pages_a_managers_stores_of_every_partner() {
    let app = spawn_app().await;
    app.manager_of_two().await;
    let names: Vec<String> = (0..230).map(|i| format!("Butik {i:03}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    app.stores_named(NORDIC, 660000, &names).await;
    let total = app
        .scalar(
            "SELECT COUNT(*) FROM stores s JOIN partners p ON p.id = s.partner_id \
             WHERE p.name IN ('Nordic Commerce Partners', 'Other Partner')",
        )
        .await;
    assert!(total > 230);
    let pm = app.as_partner(PM).await;
    let first = pm.get("/").await;
    assert!(
        first.has(&format!("{total} stores, 200 on this page")),
        "{}",
        first.body
    );
    let second = pm.get("/?page=2").await;
    assert!(
        second.has(&format!("{total} stores, {} on this page", total - 200)),
        "{}",
        second.body
    );
    let links = |body: &str| -> Vec<String> {
        body.split("href=\"/stores/")
            .skip(1)
            .filter_map(|r| r.split('"').next().map(str::to_owned))
            .collect()
    };
    let mut all: Vec<String> = links(&first.body);
    all.extend(links(&second.body));
    all.sort();
    all.dedup();
    assert_eq!(
        all.len() as i64,
        total,
        "every store once, on one page or the other"
    );
    assert!(
        all.contains(&"990001".to_owned()),
        "the second partner's store"
    );

    // `switchyard user list` names both of the manager's partners.
    let out = app.cli(&["user", "list"]).await;
    let list = String::from_utf8(out.stdout).unwrap();
    let line = list
        .lines()
        .find(|l| l.contains(PM))
        .expect("the manager is listed");
    assert!(
        line.contains("Nordic Commerce Partners") && line.contains("Other Partner"),
        "{list}"
    );
}

#[tokio::test]
async fn support_finds_the_store_with_exactly_the_eid_they_were_given_first() {
    let app = spawn_app().await;
    app.partners().await;
    // Names that sort before the exact match, and EIDs that contain it.
    app.stores_named(NORDIC, 4470, &["Aaa Bageri", "Abc Cykel"])
        .await;
    app.stores_named(NORDIC, 47, &["Zebra Zoo"]).await;
    let agent = app.support_agent().await;
    let page = agent.get("/?q=47").await;
    let first = page
        .body
        .find("Zebra Zoo")
        .expect("the exact match is listed");
    for other in ["Aaa Bageri", "Abc Cykel", "Kaffebaren"] {
        let at = page
            .body
            .find(other)
            .unwrap_or_else(|| panic!("{other}: {}", page.body));
        assert!(first < at, "47 is listed before {other}");
    }
}

/// Every legacy store ID the API lists for `token` under `params` (a query string),
/// following `next_cursor` from the first page, with `between` run after the first.
async fn walk_cursor(
    app: &TestApp,
    token: &str,
    params: &str,
    between: impl std::future::Future<Output = ()>,
) -> (Vec<String>, i64) {
    let (status, page) = app
        .api(token, &format!("/api/v1/sync/stores?{params}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let total = page["total"].as_i64().unwrap();
    let mut seen = eids(&page);
    let mut next = page["next_cursor"].as_str().map(str::to_owned);
    between.await;
    while let Some(cursor) = next {
        let (status, page) = app
            .api(
                token,
                &format!("/api/v1/sync/stores?{params}&cursor={cursor}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(eids(&page));
        next = page["next_cursor"].as_str().map(str::to_owned);
    }
    (seen, total)
}

#[tokio::test]
async fn cursor_pages_list_each_store_once_while_the_list_changes_under_them() {
    let app = spawn_app().await;
    app.partners().await;
    let names: Vec<String> = (0..23).map(|i| format!("Butik {i:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    app.stores_named(NORDIC, 900_000, &names).await;
    let pm = app.as_partner(PM).await;
    let token = pm.create_token("CRM sync").await;
    // Between the first page and the rest, a store is imported whose name sorts first:
    // offset pages in name order would list the first page's last store twice.
    let (seen, total) = walk_cursor(
        &app,
        &token,
        "per_page=10",
        app.stores_named(NORDIC, 900_100, &["Aaa Nyinflyttad"]),
    )
    .await;
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no store twice: {seen:?}");
    assert!(seen.len() as i64 >= total && seen.contains(&"900022".to_owned()));
    assert!(
        seen.contains(&"900100".to_owned()),
        "a store imported meanwhile comes last"
    );

    // The sync is in import order; another order or a made-up cursor is refused, and the
    // list, whose pages are numbered, sends a cursor to the sync.
    for bad in [
        "sync/stores?sort=name",
        "sync/stores?page=2",
        "sync/stores?cursor=",
        "sync/stores?cursor=abc",
        "sync/stores?cursor=s99999999999999999999",
        "sync/stores?updated_since=yesterday",
        "stores?cursor=s1",
        "stores?updated_since=2026-12-01T00:00:00Z",
        "stores?partner=0",
        "sync/stores?partner=-1",
    ] {
        let (status, body) = app.api(&token, &format!("/api/v1/{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    // Every time RFC 3339 can write is read, leap second and far offsets included.
    for time in [
        "9999-12-31T23:59:59.999999-23:59",
        "0001-01-01T00:00:00+23:59",
        "2016-12-31T23:59:60Z",
    ] {
        let (status, body) = app
            .api(
                &token,
                &format!("/api/v1/sync/stores?updated_since={}", urlencode(time)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{time}: {body}");
    }
}

#[tokio::test]
async fn updated_since_lists_only_the_stores_that_changed() {
    let app = spawn_app().await;
    app.partners().await;
    app.stores_named(NORDIC, 910_000, &["Gammal Butik"]).await;
    let pm = app.as_partner(PM).await;
    let token = pm.create_token("CRM sync").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let since = switchyard::domain::rfc3339(switchyard::store::now());
    // The admin moves Kaffebaren on; a store is imported.
    let admin = app.another_browser();
    admin.sign_in(crate::helpers::ADMIN).await;
    admin.accept_terms().await;
    app.stores_named(NORDIC, 910_001, &["Ny Butik"]).await;
    let (seen, total) = walk_cursor(
        &app,
        &token,
        &format!("per_page=1&updated_since={}", urlencode(&since)),
        async {},
    )
    .await;
    let mut seen = seen;
    seen.sort();
    assert_eq!(seen, [crate::helpers::STORE, "910001"], "since {since}");
    assert_eq!(total, 2);
}
