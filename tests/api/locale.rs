//! Each person's own formats and time zone: amounts typed the local way, times in the
//! person's zone with UTC on hover, and pages in one language only.

use reqwest::StatusCode;
use switchyard::i18n::{Lang, format};

use crate::helpers::{ADMIN, STORE, TestApp, path, spawn_app};

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

/// The admin, signed in, having chosen `lang`.
async fn admin_in(app: &TestApp, lang: &str) -> TestApp {
    let browser = app.browser_in(lang);
    browser.sign_in(ADMIN).await;
    let chosen = browser.submit("/language", &[("lang", lang)]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    browser
}

#[tokio::test]
async fn amounts_are_typed_and_shown_the_local_way_and_ambiguity_is_refused() {
    let app = spawn_app().await;
    open_order(&app, "loc-1", 123_450).await;
    let swede = admin_in(&app, "sv").await;
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
    let german = admin_in(&app, "de").await;
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
