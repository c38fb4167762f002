//! Each person's own formats and time zone: amounts typed the local way, times in the
//! person's zone with UTC on hover, and pages in one language only.

use reqwest::{
    StatusCode,
    multipart::{Form, Part},
};
use switchyard::domain::access::StaffRole;
use switchyard::i18n::{Lang, Tr, format};

use crate::{
    english,
    helpers::{ADMIN, STORE, TestApp, path, spawn_app},
};

/// An authorised order of `amount` öre on the legacy store, as the sandbox platform has it.
async fn open_order(app: &TestApp, id: &str, amount: i64) {
    let now = switchyard::store::now();
    sqlx::query(
        "INSERT INTO sandbox_orders (order_id, merchant_id, environment, amount, currency, status, created_at, \
         captured_amount, refunded_amount, cancelled, expires_at) VALUES ($1, $2, 'live', $3, 'SEK', 'authorized', $4, 0, 0, 0, $5)",
    )
    .bind(id)
    .bind(STORE)
    .bind(amount)
    .bind(now)
    .bind(now + 28 * 86_400)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn captured(app: &TestApp, id: &str) -> i64 {
    app.scalar(&format!(
        "SELECT captured_amount FROM sandbox_orders WHERE order_id = '{id}'"
    ))
    .await
}

/// `admin`, signed in, having chosen `lang`.
async fn admin_in(app: &TestApp, lang: &str, admin: &str) -> TestApp {
    let browser = app.browser_in(lang);
    browser.sign_in(admin).await;
    let chosen = browser.submit("/language", &[("lang", lang)]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    browser
}

#[tokio::test]
async fn amounts_are_typed_and_shown_the_local_way_and_ambiguity_is_refused() {
    let app = spawn_app().await;
    open_order(&app, "loc-1", 123_450).await;
    let swede = admin_in(&app, "sv", ADMIN).await;
    let capture = path("/legacy/orders/loc-1/capture");

    let page = swede.get(&path("/legacy")).await;
    assert!(page.has("value=\"1234,50\""), "the input in Swedish form");

    for (typed, why) in [
        ("1.500", "kan läsas som två olika belopp"),
        ("12,345", "har fler decimaler än SEK"),
        ("12 kr", "är inget belopp"),
        ("0,00", "större än noll"),
    ] {
        let refused = swede.submit(&capture, &[("amount", typed)]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{typed}");
        assert!(refused.has(why), "{typed}: {}", refused.body);
        assert!(refused.has("1234,50"), "the example in Swedish form");
        assert!(refused.has(&format!("value=\"{typed}\"")), "kept as typed");
    }
    assert_eq!(captured(&app, "loc-1").await, 0, "nothing was guessed");

    swede
        .submit(&capture, &[("amount", "12,50")])
        .await
        .assert_redirect_to(&path("/legacy#order-loc-1"));
    assert_eq!(captured(&app, "loc-1").await, 1250, "exact to the öre");

    // German: a dot groups thousands, and the dot form still works for cents.
    let german = admin_in(&app, "de", ADMIN).await;
    german
        .submit(&capture, &[("amount", "1.000,25")])
        .await
        .assert_redirect_to(&path("/legacy#order-loc-1"));
    assert_eq!(captured(&app, "loc-1").await, 101_275);
    german
        .submit(&capture, &[("amount", "0.25")])
        .await
        .assert_redirect_to(&path("/legacy#order-loc-1"));
    assert_eq!(captured(&app, "loc-1").await, 101_300);
}

/// A browser whose script reported `zone` (the `tz` cookie `app.js` sets).
fn browser_in_zone(app: &TestApp, zone: &str) -> TestApp {
    let jar = reqwest::cookie::Jar::default();
    let url = app.address.parse().unwrap();
    jar.add_cookie_str(&format!("tz={zone}; Path=/"), &url);
    let mut browser = app.another_browser();
    browser.client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(std::sync::Arc::new(jar))
        .build()
        .unwrap();
    browser
}

/// How the legacy page shows `unix` in `zone`: local text, UTC on hover and for machines.
fn time_tag(unix: i64, zone: &str) -> String {
    let zone = jiff::tz::TimeZone::get(zone).unwrap();
    format!(
        "<time datetime=\"{}\" title=\"{}\">{}</time>",
        format::iso_utc(unix),
        format::datetime(Lang::En, unix),
        format::datetime_in(Lang::En, unix, &zone)
    )
}

#[tokio::test]
async fn times_are_in_the_browsers_zone_or_the_chosen_one_with_utc_on_hover() {
    let app = spawn_app().await;
    open_order(&app, "loc-2", 10_000).await;
    let created = app
        .scalar("SELECT created_at FROM sandbox_orders WHERE order_id = 'loc-2'")
        .await;
    let browser = browser_in_zone(&app, "Europe/Stockholm");
    browser.sign_in(ADMIN).await;

    let page = browser.get(&path("/legacy")).await;
    assert!(
        page.has(&time_tag(created, "Europe/Stockholm")),
        "{}",
        page.body
    );
    let account = browser.get("/account").await;
    assert!(account.has("Times are shown in Europe/Stockholm"));

    // The zone chosen on the account page wins over the browser's.
    browser
        .submit("/account/time-zone", &[("time_zone", "Asia/Tokyo")])
        .await
        .assert_redirect_to("/account#time-zone");
    let page = browser.get(&path("/legacy")).await;
    assert!(page.has(&time_tag(created, "Asia/Tokyo")), "{}", page.body);
    assert!(page.has(" JST</time>"));
    // Emails that show a time use the chosen zone too (an email has no browser).
    let emailed =
        switchyard::app::emails::time_for(&app.db.pool, ADMIN, Tr::new(Lang::De), created)
            .await
            .unwrap();
    let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
    assert_eq!(emailed, format::datetime_in(Lang::De, created, &tokyo));
    // So does a time inside an audit entry (a rehearsal's start).
    let store_id = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '4711'")
        .await;
    // A week ahead, so no other time on the page falls in the same minute.
    let starts = created + 7 * 86_400;
    let start = switchyard::domain::rfc3339(starts);
    let entry = switchyard::store::audit::Record {
        actor: ADMIN,
        action: "rehearsal.scheduled",
        store_id: Some(store_id),
        args: &[("start", &start), ("minutes", "15")],
        ip: "203.0.113.1",
    };
    switchyard::store::audit::record(&app.db.pool, &entry)
        .await
        .unwrap();
    let log = browser.get(&path("/audit")).await;
    let local = format::datetime_in(Lang::En, starts, &tokyo);
    assert!(log.has(&local), "{local} not in {}", log.body);
    let refused = browser
        .submit("/account/time-zone", &[("time_zone", "Mars/Olympus_Mons")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.has("not a time zone we know"));

    // Back to the browser's; and a browser without script reads UTC.
    browser
        .submit("/account/time-zone", &[("time_zone", "")])
        .await
        .assert_redirect_to("/account#time-zone");
    assert!(
        browser
            .get(&path("/legacy"))
            .await
            .has(&time_tag(created, "Europe/Stockholm"))
    );
    let no_script = app.another_browser();
    no_script.sign_in(ADMIN).await;
    let page = no_script.get(&path("/legacy")).await;
    assert!(page.has(&time_tag(created, "UTC")), "{}", page.body);
}

/// The names of payment methods and fees in the shop catalogue's English price lists
/// ("Card", "Pay now", "Monthly fee"): data, so no interface catalogue vouches for them.
fn catalogue_names() -> Vec<Vec<String>> {
    let catalog: toml::Value = toml::from_str(include_str!("../../assets/catalog.toml")).unwrap();
    let mut names = Vec::new();
    for path in catalog["paths"].as_array().unwrap() {
        for line in path
            .get("price_list")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
        {
            let label = line.as_str().unwrap().split(':').next().unwrap();
            names.extend(label.split(" and ").map(english::words));
        }
    }
    assert!(names.len() >= 4, "{names:?}");
    names
}

/// English that leaked into a page meant for `lang`: interface words only English has,
/// and the catalogue's English names, word for word.
fn english_on(lang: &str, page: &str) -> Vec<String> {
    let detector = english::Detector::for_lang(lang);
    let names = catalogue_names();
    let mut found = Vec::new();
    for piece in english::visible_text(page) {
        let words = english::words(&piece);
        let leaked = detector.english_in(&piece);
        if !leaked.is_empty() {
            found.push(format!("{leaked:?} in «{piece}»"));
        }
        for name in names
            .iter()
            .filter(|n| words.windows(n.len()).any(|w| w == *n))
        {
            found.push(format!("{name:?} in «{piece}»"));
        }
    }
    found
}

#[tokio::test]
async fn the_terms_and_the_account_step_speak_the_pages_language_only() {
    let app = spawn_app().await;
    for (lang, admin, eid) in [
        ("sv", ADMIN, STORE),
        ("de", "jonas@bergkristall.example", "20240"),
    ] {
        let browser = admin_in(&app, lang, admin).await;
        let store = |p: &str| format!("/stores/{eid}{p}");
        let terms = browser.get(&store("/upgrade/terms?path=kpm-kco3")).await;
        assert_eq!(terms.status, StatusCode::OK);
        assert_eq!(
            english_on(lang, &terms.body),
            Vec::<String>::new(),
            "{lang} terms"
        );
        assert!(
            !terms.has("id=\"terms-language\""),
            "in the page's language"
        );
        let sha = crate::helpers::between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
        browser
            .submit(
                &store("/upgrade/terms"),
                &[("path", "kpm-kco3"), ("sha256", &sha), ("accept", "yes")],
            )
            .await
            .assert_redirect_to(&store("/upgrade/account"));
        let account = browser.get(&store("/upgrade/account")).await;
        assert_eq!(account.status, StatusCode::OK);
        assert_eq!(
            english_on(lang, &account.body),
            Vec::<String>::new(),
            "{lang} account"
        );
        // Countries by their names in the page's language, not their codes.
        let (kept, primary) = match lang {
            "sv" => (
                "Norge",
                "Sverige, Norge, Finland, Danmark, Tyskland, Österrike, Nederländerna, Storbritannien",
            ),
            _ => (
                "Österreich",
                "Schweden, Norwegen, Finnland, Dänemark, Deutschland, Österreich, Niederlande, Vereinigtes Königreich",
            ),
        };
        assert!(
            account.has(kept) && account.has(primary),
            "{lang}: {}",
            account.body
        );
    }

    // A German reading the Swedish store's agreement is told it is Swedish, and binding.
    let german = admin_in(&app, "de", ADMIN).await;
    let terms = german.get(&path("/upgrade/terms")).await;
    assert!(
        terms.has("id=\"terms-language\"") && terms.has("auf Schwedisch"),
        "{}",
        terms.body
    );
    assert!(terms.has("lang=\"sv\""));
}

#[tokio::test]
async fn reports_read_in_local_formats_while_the_csv_stays_the_platforms() {
    let app = spawn_app().await;
    let agent = "agent@support.example";
    app.add_staff(agent, StaffRole::Support, None).await;
    let support = app.another_browser();
    support.sign_in(agent).await;
    let csrf = support.get(&path("/legacy")).await.csrf();
    let report = include_str!("../fixtures/settlement-4711.csv");
    let form = Form::new()
        .text("csrf", csrf)
        .part("report", Part::bytes(report.as_bytes()).file_name("r.csv"));
    let sent = support.multipart(&path("/legacy/reports"), form).await;
    let report_path = sent.location.expect("imported");

    let swede = admin_in(&app, "sv", ADMIN).await;
    let page = swede.get(&report_path).await;
    assert!(
        page.has("-868,92\u{a0}kr") && page.has("1\u{202f}748,00\u{a0}kr"),
        "{}",
        page.body
    );
    let german = admin_in(&app, "de", ADMIN).await;
    let page = german.get(&report_path).await;
    assert!(
        page.has("20.11.2026") && page.has(">10.11.2026</td>"),
        "{}",
        page.body
    );
    assert!(!page.has("2026-11-20"));

    let pdf = german.get_bytes(&format!("{report_path}/pdf")).await;
    for text in ["20.11.2026", "-868,92\u{a0}SEK", "1.748,00\u{a0}SEK"] {
        let bytes = switchyard::domain::pdf::encode(text);
        assert!(
            pdf.windows(bytes.len()).any(|w| w == bytes),
            "{text} in the PDF"
        );
    }
    let csv = german.get(&format!("{report_path}/csv")).await;
    assert!(csv.body.contains(";2026-11-20;SEK;1748.00;") && csv.body.contains("-868.92"));
}

impl TestApp {
    async fn get_bytes(&self, p: &str) -> Vec<u8> {
        let res = self.client.get(self.url(p)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{p}");
        res.bytes().await.unwrap().to_vec()
    }
}
