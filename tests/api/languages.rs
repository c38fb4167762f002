//! Which language a page is in: the person's stored choice, else the switcher's cookie,
//! else Accept-Language, else English; and formats follow it.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, TestApp, path, spawn_app};

impl TestApp {
    async fn get_in(&self, p: &str, accept_language: &str) -> String {
        self.client
            .get(self.url(p))
            .header("Accept-Language", accept_language)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn pages_follow_accept_language_then_the_switcher_then_the_stored_choice() {
    let app = spawn_app().await;
    let signin = app.get_in("/signin", "fi-FI,fi;q=0.9,en;q=0.5").await;
    assert!(signin.contains("<html lang=\"fi\""), "{signin}");
    assert!(signin.contains("Kirjaudu sisään"));
    // A language nobody offers: English.
    assert!(
        app.get_in("/signin", "fr-FR,ja")
            .await
            .contains("<html lang=\"en\"")
    );

    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    // Swedish for a Swedish browser, with Swedish formats: "2,79 % + 0,35 €".
    let account = app.get_in(&path("/upgrade/account"), "sv").await;
    assert!(account.contains("<html lang=\"sv\""));
    assert!(account.contains("2,79\u{a0}% + 0,35\u{a0}€"), "{account}");

    // The switcher: unknown languages are refused, a known one is stored.
    let csrf = app.csrf().await;
    let refused = app
        .post("/language", &[("csrf", &csrf), ("lang", "tlh")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let switched = app
        .post("/language", &[("csrf", &csrf), ("lang", "de")])
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM users WHERE email = 'anna@kaffebaren.example' AND lang = 'de'"
        )
        .await,
        1
    );
    // Stored: it outranks what the browser asks for, in another browser too.
    let elsewhere = app.another_browser();
    elsewhere.sign_in(ADMIN).await;
    let page = elsewhere.get_in("/", "sv").await;
    assert!(page.contains("<html lang=\"de\""), "{page}");
    // Without the form's token nothing changes.
    let forged = app.post("/language", &[("lang", "es")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// The keys a page builds from a code (an event's kind, a service, a step, a role, a
/// risk, a request's status, a settlement line's kind, an environment, why a shop could
/// not be reached) exist for every value of it; the catalogue test gives each the same keys
/// in every language. A key spelled out in the source is checked by the library's own
/// test; these are not spelled out anywhere.
#[test]
fn every_key_built_from_a_code_has_its_words() {
    use switchyard::{
        domain::{
            access::StaffRole, platform_event::EventKind, risk::Risk, settlement::Kind,
            traffic::Service, upgrade::Step,
        },
        i18n::Tr,
        shop::Unreachable,
        store::support::RequestStatus,
    };
    let tr = Tr::default();
    let mut keys: Vec<String> = EventKind::ALL
        .iter()
        .map(|k| format!("console.event.{}", k.as_str().replace('.', "_")))
        .collect();
    let mut family = |prefix: &str, codes: &[&str]| {
        keys.extend(codes.iter().map(|c| format!("{prefix}.{c}")));
    };
    family("traffic.service", &Service::ALL.map(Service::as_str));
    family("step", &Step::ALL.map(Step::as_str));
    family("role", &StaffRole::ALL.map(StaffRole::as_str));
    family("risk", &Risk::ALL.map(Risk::as_str));
    family(
        "support.status",
        &RequestStatus::ALL.map(RequestStatus::as_str),
    );
    family("settlement.kind", &Kind::ALL.map(Kind::as_str));
    family("env", &["live", "test"]);
    keys.extend(Unreachable::ALL.iter().map(|u| u.key().to_owned()));
    let missing: Vec<&String> = keys.iter().filter(|k| !tr.has(k)).collect();
    assert!(missing.is_empty(), "no words for {missing:?}");
}

/// The sandbox's curl example names the password to type in the reader's words.
#[tokio::test]
async fn the_curl_example_asks_for_the_password_in_the_readers_words() {
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    let chosen = app.submit("/language", &[("lang", "sv")]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    let page = app.get(&path("/upgrade/test-purchase")).await;
    assert!(page.has("curl -u"), "{}", page.body);
    assert!(page.has(":DITT_LÖSENORD&#39;"), "{}", page.body);
    assert!(page.has("Ersätt DITT_LÖSENORD med"), "{}", page.body);
    assert!(!page.has("YOUR_PASSWORD"));
}
