//! The partner and support consoles at the size of a real cohort: search that folds
//! case and accents the same on every database, webhooks for every partner a manager
//! has, and lists that say how many there are and page through all of them.

use reqwest::StatusCode;
use switchyard::store::stores::NewStore;

use crate::helpers::{TestApp, spawn_app};
use crate::partner::{PM, eids};

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
            })
            .collect();
        let mut tx = self.db.begin().await.unwrap();
        switchyard::store::stores::insert_all(&mut tx, &stores)
            .await
            .unwrap();
        tx.commit().await.unwrap();
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

    app.add_staff(
        "agent@support.example",
        switchyard::domain::access::StaffRole::Support,
        None,
    )
    .await;
    let agent = app.as_partner("agent@support.example").await;
    for (q, eid) in [
        ("ÄLVSJÖ", "880001"),
        ("alvsjo", "880001"),
        ("øre", "880003"),
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
