//! End to end in a real browser: headless Chromium (Debian's chromium + chromedriver)
//! clicks through the whole upgrade as a person would. A failure saves a screenshot to
//! target/screenshots/. Skipped with a note when chromedriver is missing, except in CI
//! (CI=true), where a missing browser is a failure.

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::{net::TcpListener, path::PathBuf, process::Stdio, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::{ADMIN, TestApp};
use switchyard::i18n::{Lang, Tr};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Driver {
    process: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    let candidates = [
        std::env::var("CHROMEDRIVER").ok(),
        Some("/usr/bin/chromedriver".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn start_driver(binary: PathBuf) -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = std::process::Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    Driver { process, port }
}

/// A browser session of its own: its own profile, so nothing (cookies, language
/// preferences) carries over from the session before.
async fn connect(
    driver: &Driver,
    profile: &std::path::Path,
    js: Js,
    downloads: &std::path::Path,
    accept: &str,
) -> Client {
    // 2 = blocked: Chromium's own switch for "JavaScript off".
    let js_setting = if js == Js::On { 1 } else { 2 };
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "profile.managed_default_content_settings.javascript": js_setting,
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
                "intl.accept_languages": accept,
            }
        }
    });
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..50 {
        let builder = ClientBuilder::rustls();
        let mut builder = match builder {
            Ok(b) => b,
            Err(e) => panic!("cannot create the WebDriver client: {e}"),
        };
        if let Ok(client) = builder
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&url)
            .await
        {
            return client;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not accept a session on {url}");
}

/// A shop for the health check: the old integration's markers are still on its front
/// page (the KPM script and the Checkout v2 snippet).
async fn legacy_shop() -> String {
    use axum::{Router, routing::get};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shop = Router::new().route(
        "/",
        get(|| async {
            "<html><script src=\"/kpm-checkout.js\"></script><div class=\"kco-v2-snippet\"></div></html>"
        }),
    );
    tokio::spawn(async move { axum::serve(listener, shop).await });
    format!("http://{addr}/")
}

/// One of the three product paths, on the demo store whose legacy product leads to it.
#[derive(Debug, Clone, Copy)]
struct ProductPath {
    id: &'static str,
    eid: &'static str,
    admin: &'static str,
    store: &'static str,
    currency: &'static str,
    country: &'static str,
}

const KPM_KP: ProductPath = ProductPath {
    id: "kpm-kp",
    eid: "4711",
    admin: ADMIN,
    store: "Kaffebaren",
    currency: "SEK",
    country: "SE",
};
const KCO2_KCO3: ProductPath = ProductPath {
    id: "kco2-kco3",
    eid: "123456",
    admin: "ola@nordlys.example",
    store: "Nordlys Sport",
    currency: "NOK",
    country: "NO",
};
const KPM_KCO3: ProductPath = ProductPath {
    id: "kpm-kco3",
    eid: "20240",
    admin: "jonas@bergkristall.example",
    store: "Bergkristall Schmuck",
    currency: "EUR",
    country: "DE",
};

/// The three product paths, each through the failure path, the legacy store and a store
/// user, at 1280 and 390 px, with axe on every page where JavaScript runs. Each path runs
/// in English and two other languages, chosen by the browser's language or the switcher;
/// KPM → KCO v3 also in Finnish without JavaScript, by keyboard. One driver for all.
#[tokio::test]
async fn the_three_product_paths_in_a_real_browser() {
    let Some(binary) = chromedriver() else {
        if std::env::var("CI").is_ok() {
            panic!("CI requires chromedriver (apt-get install chromium chromium-driver)");
        }
        eprintln!(
            "SKIPPED: chromedriver not found; install chromium and chromium-driver to run the browser test"
        );
        return;
    };
    if !axe_path().exists() {
        if std::env::var("CI").is_ok() {
            panic!("CI requires axe-core (npm ci --prefix tests/axe)");
        }
        eprintln!("SKIPPED: axe-core not installed; run `npm ci --prefix tests/axe`");
        return;
    }
    let driver = start_driver(binary);
    // Each path in English and two other languages; every language at least once.
    let runs = [
        (KPM_KP, Lang::En, Js::On, Choice::Browser),
        (KPM_KP, Lang::Sv, Js::On, Choice::Browser),
        (KPM_KP, Lang::Da, Js::On, Choice::Switcher),
        (KCO2_KCO3, Lang::En, Js::On, Choice::Browser),
        (KCO2_KCO3, Lang::De, Js::On, Choice::Switcher),
        (KCO2_KCO3, Lang::Nb, Js::On, Choice::Browser),
        (KPM_KCO3, Lang::En, Js::On, Choice::Browser),
        (KPM_KCO3, Lang::Fi, Js::Off, Choice::Switcher),
        (KPM_KCO3, Lang::Es, Js::On, Choice::Switcher),
    ];
    for (path, lang, js, via) in runs {
        run_in_browser(
            &driver,
            Run {
                path,
                js,
                lang,
                via,
            },
        )
        .await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Js {
    On,
    Off,
}

/// How the person ends up in their language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// The browser's Accept-Language.
    Browser,
    /// The language switcher, once signed in (so it is stored).
    Switcher,
}

#[derive(Debug, Clone, Copy)]
struct Run {
    path: ProductPath,
    js: Js,
    lang: Lang,
    via: Choice,
}

impl Run {
    /// `target/screenshots/<path>-<lang>-<width>-<page>.png`, without the extension.
    fn shot(&self, width: u32, page: &str) -> String {
        format!("{}-{}-{width}-{page}", self.path.id, self.lang.code())
    }

    fn store(&self, p: &str) -> String {
        format!("/stores/{}{p}", self.path.eid)
    }
}

const WIDE: u32 = 1280;
const NARROW: u32 = 390;
/// The most of a phone's 844 px the step banner may take.
const MAX_BANNER_PX: f64 = 160.0;

async fn run_in_browser(driver: &Driver, run: Run) {
    let app = helpers::spawn_app_with(|c| c.health_check.allow_private = true).await;
    let accept = match run.via {
        Choice::Browser => format!("{}-SE,{}", run.lang.code(), run.lang.code()),
        Choice::Switcher => "en-GB,en".to_owned(),
    };
    let profile = tempfile::tempdir().unwrap();
    let browser = connect(driver, profile.path(), run.js, &downloads(&app), &accept).await;

    let outcome = walk_through(&app, &browser, run).await;
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    if let Err(e) = &outcome {
        let shot = format!("browser-failure-{}-{}.png", run.path.id, run.lang.code());
        if let Ok(png) = browser.screenshot().await {
            std::fs::write(shots.join(&shot), png).unwrap();
        }
        let _ = browser.close().await;
        panic!("browser flow failed ({run:?}): {e} (screenshot in target/screenshots/{shot})");
    }
    browser.close().await.unwrap();
}

/// Saves what the browser shows, for people reviewing the pages (target/screenshots/).
async fn snap(b: &Client, name: &str) -> Result {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), b.screenshot().await?)?;
    Ok(())
}

/// Waits (up to 5 s, as a person would) for an element to appear.
async fn find(b: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    let wait = b.wait().at_most(Duration::from_secs(5));
    Ok(wait
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?)
}

async fn click(b: &Client, css: &str) -> Result {
    find(b, css).await?.click().await?;
    Ok(())
}

async fn text(b: &Client, css: &str) -> Result<String> {
    Ok(find(b, css).await?.text().await?)
}

/// Waits for the browser to arrive on `path` after a click.
async fn expect_path(b: &Client, path: &str) -> Result {
    for _ in 0..50 {
        if b.current_url().await?.path() == path {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "expected to be on {path}, but on {}",
        b.current_url().await?
    )
    .into())
}

/// Types into a field, replacing what was there.
async fn fill(b: &Client, css: &str, value: &str) -> Result {
    let field = find(b, css).await?;
    field.clear().await?;
    field.send_keys(value).await?;
    Ok(())
}

async fn walk_through(app: &TestApp, b: &Client, run: Run) -> Result {
    let js = run.js;
    let tr = Tr::new(run.lang);
    let p = run.path;
    // Every page is seen at 1280 and at 390 px, saved as screenshots and checked with
    // axe where JavaScript runs; the run without JavaScript presses keys instead of
    // clicking.
    let check = async |name: &str| both_widths(b, run, name).await;
    let press = async |css: &str| -> Result {
        if js == Js::Off {
            keyboard(b, css).await
        } else {
            click(b, css).await
        }
    };
    sign_in(app, b, run, p.admin).await?;
    check("my-stores").await?;
    if run.via == Choice::Switcher {
        // Chosen once, signed in: stored, and it outranks what the browser asks for.
        b.find(Locator::Css("#lang"))
            .await?
            .select_by_value(run.lang.code())
            .await?;
        press("#change-language").await?;
    }
    in_language(b, run.lang).await?;

    press(&format!("a[href='{}']", run.store(""))).await?;
    expect_path(b, &run.store("")).await?;
    // The banner speaks the language: "Step 1 of 5: Terms" in it.
    let banner = text(b, "#step-banner").await?;
    let step_of = tr.f("banner.step_of", &[("n", "1"), ("total", "5")]);
    if !banner.contains(&step_of) || !banner.contains(&tr.t("step.terms")) {
        return Err(format!("the banner is not in {:?}: {banner}", run.lang).into());
    }
    find(b, "#step-banner ol li[aria-current='step']").await?;
    check("store").await?;
    press("#start-upgrade").await?;
    expect_path(b, &run.store("/upgrade/terms")).await?;
    // A legacy product with more than one way forward: the path is chosen on its tab.
    if b.find(Locator::Css(&format!("a.tab[href$='path={}']", p.id)))
        .await
        .is_ok()
    {
        press(&format!("a.tab[href$='path={}']", p.id)).await?;
        find(b, &format!("input[name=path][value='{}']", p.id)).await?;
    }
    check("terms").await?;
    // Submitting without the tick is refused with a summary linking to the box.
    press("#accept-terms").await?;
    find(b, "#error-summary a[href='#accept']").await?;
    check("terms-refused").await?;
    press("#accept").await?;
    press("#accept-terms").await?;

    expect_path(b, &run.store("/upgrade/account")).await?;
    check("account").await?;
    press("#save-account").await?;

    expect_path(b, &run.store("/upgrade/credentials")).await?;
    press("#generate-credentials").await?;
    let username = text(b, "#api-username").await?;
    let password = text(b, "#api-password").await?;
    let test_mid = text(b, "#test-merchant-id").await?;
    if !test_mid.starts_with("PK") {
        return Err(format!("no test merchant ID shown: {test_mid:?}").into());
    }
    // The copy buttons exist only where JavaScript can make them work.
    let copy = find(b, "button[data-copy='api-password']").await?;
    if copy.is_displayed().await? != (js == Js::On) {
        return Err(format!("copy button visibility wrong with JavaScript {js:?}").into());
    }
    check("credentials-shown").await?;
    // In one run the admin hands the integration to a technical delegate (an agency's
    // developer), who does the checks and completes the step in the same language.
    let delegate =
        (p.id == KPM_KP.id && run.lang == Lang::Sv).then(|| format!("dev@{}.example", p.eid));
    if let Some(dev) = &delegate {
        b.goto(&app.url(&run.store("/users"))).await?;
        fill(b, "#invite-email", dev).await?;
        press("#role-delegate").await?;
        press("#invite").await?;
        check("users-delegate").await?;
        app.wait_for_new_link(dev, 0).await;
        b.delete_all_cookies().await?;
        sign_in(app, b, run, dev).await?;
        b.goto(&app.url(&run.store("/upgrade/integration"))).await?;
        find(b, "#delegate-note").await?;
    } else {
        press("#to-integration").await?;
    }
    expect_path(b, &run.store("/upgrade/integration")).await?;

    // The setup checker, fed what the admin typed into the plugin.
    fill(b, "#check-username", &username).await?;
    fill(b, "#check-password", &password).await?;
    press("#run-setup-check").await?;
    let verdict = text(b, "#setup-check-result").await?;
    if !verdict.contains(&tr.t("setup_check.finding.right")) {
        return Err(format!("setup checker said: {verdict}").into());
    }
    // The health check, against a shop that still has the old integration.
    fill(b, "#shop-url", &legacy_shop().await).await?;
    press("#run-health-check").await?;
    let health = text(b, "#health-result").await?;
    if !health.contains(&tr.t("health.verdict.legacy")) {
        return Err(format!("health check said: {health}").into());
    }
    check("integration-checks").await?;
    // Ticks are kept across a visit elsewhere.
    press("#old_disabled").await?;
    press("#new_enabled").await?;
    press("#confirm-integration").await?;
    // The answer names the items still open, linked from the summary; then come back.
    find(b, "label.check.missing").await?;
    find(b, "#error-summary a[href='#live_fields']").await?;
    check("integration-refused").await?;
    b.goto(&app.url(&run.store("/upgrade/integration"))).await?;
    if !find(b, "#new_enabled").await?.is_selected().await? {
        return Err("a ticked checklist item was forgotten".into());
    }
    for item in ["live_fields", "test_mode_off"] {
        press(&format!("#{item}")).await?;
    }
    check("integration").await?;
    press("#confirm-integration").await?;
    expect_path(b, &run.store("/upgrade/test-purchase")).await?;
    if delegate.is_some() {
        // The step is done by the delegate; the admin carries on.
        b.delete_all_cookies().await?;
        sign_in(app, b, run, p.admin).await?;
        b.goto(&app.url(&run.store("/upgrade/test-purchase")))
            .await?;
    }

    check("test-purchase").await?;
    // The failure path: rollback advice and a support request with a screenshot.
    b.goto(&app.url(&run.store("/upgrade/trouble"))).await?;
    fill(
        b,
        "#explanation",
        "The checkout shows an error after paying.",
    )
    .await?;
    let shot_file = std::env::temp_dir().join(format!("switchyard-shot-{js:?}-{}.png", p.id));
    std::fs::write(&shot_file, b.screenshot().await?)?;
    find(b, "#screenshots")
        .await?
        .send_keys(&shot_file.display().to_string())
        .await?;
    check("trouble").await?;
    press("#send-request").await?;
    expect_path(b, &run.store("/upgrade/trouble")).await?;
    let sent = text(b, "#support-requests li[data-status='open']").await?;
    let one = tr.n("trouble.requests.detail", 1, &[("code", "–"), ("n", "1")]);
    let one = one.rsplit(" · ").next().unwrap_or_default().to_owned();
    if !sent.contains(&one) {
        return Err(format!("the request list says: {sent}").into());
    }
    check("trouble-sent").await?;
    b.goto(&app.url(&run.store("/upgrade/test-purchase")))
        .await?;
    let order = reqwest::Client::new()
        .post(app.url("/sandbox/v1/orders"))
        .basic_auth(&username, Some(&password))
        .json(&serde_json::json!({"amount": 1000, "currency": p.currency, "country": p.country}))
        .send()
        .await?;
    if order.status() != 201 {
        return Err(format!("sandbox order failed: {}", order.status()).into());
    }
    if js == Js::Off {
        // Without JavaScript the person refreshes.
        press("#check-again").await?;
    }
    // With JavaScript the open page turns complete on its own (Server-Sent Events).
    expect_path(b, &run.store("/upgrade/complete")).await?;
    text(b, "#upgrade-complete").await?;

    check("complete").await?;
    // One click cancels the test order at the platform.
    press("#cancel-order").await?;
    expect_path(b, &run.store("/upgrade/complete")).await?;
    find(b, "#test-order[data-status='cancelled']").await?;
    b.goto(&app.url(&run.store(""))).await?;
    if b.find(Locator::Css("#step-banner")).await.is_ok() {
        return Err("the banner is still shown after completion".into());
    }
    text(b, "#upgrade-done").await?;
    check("store-done").await?;
    // The emails speak the person's language too: the sign-in link (the language of
    // the page it was asked from) and the completion (the language they asked for).
    let completion = Tr::new(run.lang);
    let expected = completion.f("email.complete.subject", &[("store", p.store)]);
    // The completion email goes out after the page that completed the upgrade.
    let mut subjects = subjects_to(app, p.admin).await;
    for _ in 0..100 {
        if subjects.contains(&expected) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        subjects = subjects_to(app, p.admin).await;
    }
    if !subjects.contains(&expected) {
        return Err(format!("no completion email {expected:?} in {subjects:?}").into());
    }
    if run.via == Choice::Browser && !subjects.contains(&tr.t("email.sign_in.subject")) {
        return Err(format!("the sign-in email is not in {:?}: {subjects:?}", run.lang).into());
    }
    b.goto(&app.url(&run.store("/legacy"))).await?;
    find(b, "#sunset-banner").await?;
    check("legacy").await?;
    b.goto(&app.url(&run.store("/users"))).await?;
    check("users").await?;
    b.goto(&app.url(&run.store("/upgrade/credentials"))).await?;
    find(b, "#credentials").await?;
    check("credentials").await?;
    if p.eid == KPM_KP.eid {
        legacy_store(app, b, run).await?;
        rehearsal(app, b, run).await?;
    }
    if p.id == KPM_KP.id && run.lang == Lang::En {
        extension(app, b, run).await?;
    }
    store_user(app, b, run).await
}

/// Waits for the page to be in `lang` (the switcher reloads the page it was used on).
async fn in_language(b: &Client, lang: Lang) -> Result {
    let mut shown = String::new();
    for _ in 0..50 {
        // Asked of the document each time: an element found before the reload is gone.
        if let Ok(v) = b
            .execute("return document.documentElement.lang;", vec![])
            .await
        {
            shown = v.as_str().unwrap_or_default().to_owned();
            if shown == lang.code() && b.current_url().await?.path() == "/" {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the page is in {shown:?}, not {:?}", lang.code()).into())
}

/// Signs `email` in through the emailed sign-in link. Other mail that reaches them
/// meanwhile (an approval, an invitation) is not taken for it.
async fn sign_in(app: &TestApp, b: &Client, run: Run, email: &str) -> Result {
    let before = app.sign_in_links(email);
    b.goto(&app.url("/signin")).await?;
    both_widths(b, run, "signin").await?;
    find(b, "#email").await?.send_keys(email).await?;
    let submit = "form[action='/signin'] button[type=submit]";
    match run.js {
        Js::Off => keyboard(b, submit).await?,
        Js::On => click(b, submit).await?,
    }
    text(b, "#check-email").await?;
    let link = app.wait_for_new_sign_in_link(email, &before).await;
    b.goto(&link).await?;
    match run.js {
        Js::Off => keyboard(b, "#confirm-sign-in").await?,
        Js::On => click(b, "#confirm-sign-in").await?,
    }
    expect_path(b, "/").await
}

/// A store user (read-only) sees the store, the upgrade and the legacy side, and is
/// told they cannot change anything.
async fn store_user(app: &TestApp, b: &Client, run: Run) -> Result {
    let reader = format!("reader@{}.example", run.path.eid);
    let store_id = app
        .scalar(&format!(
            "SELECT id FROM stores WHERE legacy_store_id = '{}'",
            run.path.eid
        ))
        .await;
    switchyard::store::members::add(&app.db.pool, store_id, &reader, run.path.admin, false).await?;
    b.delete_all_cookies().await?;
    sign_in(app, b, run, &reader).await?;
    if run.via == Choice::Switcher {
        b.find(Locator::Css("#lang"))
            .await?
            .select_by_value(run.lang.code())
            .await?;
        match run.js {
            Js::Off => keyboard(b, "#change-language").await?,
            Js::On => click(b, "#change-language").await?,
        }
        in_language(b, run.lang).await?;
    }
    for (name, page, read_only) in [
        ("reader-store", "", false),
        ("reader-credentials", "/upgrade/credentials", true),
        ("reader-legacy", "/legacy", false),
    ] {
        b.goto(&app.url(&run.store(page))).await?;
        if read_only {
            find(b, "#read-only").await?;
        }
        both_widths(b, run, name).await?;
    }
    Ok(())
}

/// Saves the page as `target/screenshots/<path>-<lang>-<width>-<page>.png`, checks it
/// with axe where JavaScript runs, and, on a phone, that it does not scroll sideways.
async fn look(b: &Client, run: Run, width: u32, page: &str) -> Result {
    snap(b, &run.shot(width, page)).await?;
    if width == NARROW {
        let wide = b
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth;",
                vec![],
            )
            .await?;
        if wide.as_bool() != Some(false) {
            return Err(format!("{page} scrolls sideways at {width} px").into());
        }
        // The banner leaves the phone's screen to the step, and no ID in a list is
        // broken over lines (each would read as several values).
        let found = b
            .execute(
                "const banner = document.getElementById('step-banner');
                 const broken = [...document.querySelectorAll('table.list code')]
                     .filter(c => c.getClientRects().length > 1).map(c => c.textContent);
                 return { banner: banner ? banner.getBoundingClientRect().height : 0, broken };",
                vec![],
            )
            .await?;
        let banner = found["banner"].as_f64().unwrap_or(0.0);
        if banner > MAX_BANNER_PX {
            return Err(
                format!("{page}: the step banner is {banner} px tall at {width} px").into(),
            );
        }
        if found["broken"].as_array().is_some_and(|b| !b.is_empty()) {
            return Err(format!(
                "{page}: IDs broken over lines at {width} px: {}",
                found["broken"]
            )
            .into());
        }
    }
    if run.js == Js::On {
        axe(b, &run.shot(width, page)).await?;
    }
    Ok(())
}

/// The page as it is now at 1280 px, then on a phone (390 px).
async fn both_widths(b: &Client, run: Run, page: &str) -> Result {
    look(b, run, WIDE, page).await?;
    b.set_window_size(NARROW, 844).await?;
    let narrow = look(b, run, NARROW, page).await;
    b.set_window_size(WIDE, 1000).await?;
    narrow
}

/// The subjects of the emails delivered to `to`, oldest first.
async fn subjects_to(app: &TestApp, to: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT subject FROM outbox WHERE recipient = $1 AND sent_at IS NOT NULL ORDER BY id",
    )
    .bind(to)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Runs axe-core (WCAG 2.1 A and AA rules) on the page; any violation fails the walk.
async fn axe(b: &Client, page: &str) -> Result {
    let source = std::fs::read_to_string(axe_path())?;
    b.execute(&source, vec![]).await?;
    let found = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done({ passes: r.passes.length, violations: r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', ')) }))
                .catch(e => done({ passes: 0, violations: ['axe failed: ' + e] }));",
            vec![],
        )
        .await?;
    let passes = found["passes"].as_u64().unwrap_or(0);
    let violations: Vec<String> = serde_json::from_value(found["violations"].clone())?;
    if passes == 0 {
        return Err(format!("axe checked nothing on {page}").into());
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(format!("axe on {page}: {}", violations.join("; ")).into())
    }
}

fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js")
}

/// Reaches `css` with the Tab key alone, then presses it (Space for a checkbox, Enter
/// otherwise): everything in the walk works without a mouse.
async fn keyboard(b: &Client, css: &str) -> Result {
    use fantoccini::{
        actions::{InputSource, KeyAction, KeyActions},
        key::Key,
    };
    // Keys go to whatever has the focus, as on a real keyboard.
    let press = async |key: char| {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        b.perform_actions(keys).await
    };
    let target = find(b, css).await?;
    for _ in 0..80 {
        let active = b.active_element().await?;
        if active.element_id() == target.element_id() {
            let checkbox = target.attr("type").await?.as_deref() == Some("checkbox");
            press(if checkbox {
                ' '
            } else {
                char::from(Key::Enter)
            })
            .await?;
            return Ok(());
        }
        press(char::from(Key::Tab)).await?;
    }
    Err(format!("{css} cannot be reached with the Tab key").into())
}

/// The demo's second store has a legacy side: a settlement report to download, and an
/// authorization about to expire that the start page warns of.
async fn legacy_store(app: &TestApp, b: &Client, run: Run) -> Result {
    let visit = async |name: &str| both_widths(b, run, name).await;
    b.goto(&app.url("/stores/555001/legacy")).await?;
    find(b, "#sunset-banner").await?;
    find(b, "#order-demo-legacy-1[data-status='authorized']").await?;
    visit("legacy-555001").await?;
    // The orders, further down: stacked cards on a phone, actions in reach.
    b.execute(
        "document.getElementById('legacy-orders').scrollIntoView();",
        vec![],
    )
    .await?;
    visit("legacy-orders").await?;
    click(b, "#settlement-reports tbody td:nth-child(2) a").await?;
    text(b, "#settlement-report").await?;
    visit("legacy-report").await?;
    click(b, "#download-csv").await?;
    let file = downloaded(app, "settlement-555001-").await?;
    let got = switchyard::domain::settlement::parse(&std::fs::read(&file)?)
        .map_err(|e| format!("the downloaded report does not parse: {e:?}"))?;
    let shipped = switchyard::domain::settlement::parse(include_bytes!(
        "../assets/demo/settlement-555001.csv"
    ))
    .map_err(|e| format!("{e:?}"))?;
    if got != shipped {
        return Err("the downloaded report differs from the imported one".into());
    }
    b.goto(&app.url("/")).await?;
    find(b, "a.expiring[href='/stores/555001/legacy#legacy-orders']").await?;
    visit("my-stores-expiring").await?;
    b.goto(&app.url("/stores/555001")).await?;
    text(b, "#expiring-orders").await?;
    visit("store-expiring").await?;
    Ok(())
}

/// The admin asks for a later sunset for the store, support approves it, and the admin
/// finds the store counting down to its own day.
async fn extension(app: &TestApp, b: &Client, run: Run) -> Result {
    let visit = async |name: &str| both_widths(b, run, name).await;
    b.goto(&app.url(&run.store(""))).await?;
    click(b, "#extension-link").await?;
    expect_path(b, &run.store("/extension")).await?;
    visit("extension").await?;
    // The latest day allowed, as the form offers it.
    let latest = find(b, "#extension-date")
        .await?
        .attr("max")
        .await?
        .ok_or("the date field names no latest day")?;
    b.execute(
        "document.getElementById('extension-date').value = arguments[0];",
        vec![latest.clone().into()],
    )
    .await?;
    fill(
        b,
        "#extension-reason",
        "The agency ships the new plugin in spring.",
    )
    .await?;
    click(b, "#send-extension").await?;
    find(b, "#extension-waiting").await?;
    visit("extension-sent").await?;

    app.add_staff(
        helpers::SUPPORT_DESK,
        switchyard::domain::access::StaffRole::Support,
        None,
    )
    .await;
    b.delete_all_cookies().await?;
    sign_in(app, b, run, helpers::SUPPORT_DESK).await?;
    b.goto(&app.url("/support/extensions")).await?;
    fill(
        b,
        "form.decide textarea",
        "Approved until the plugin ships.",
    )
    .await?;
    visit("extension-support").await?;
    click(b, "form.decide button[value=approve]").await?;
    find(b, "#no-extensions").await?;

    b.delete_all_cookies().await?;
    sign_in(app, b, run, run.path.admin).await?;
    b.goto(&app.url(&run.store("/extension"))).await?;
    find(b, "#extension-granted").await?;
    let day = time::Date::parse(
        &latest,
        time::macros::format_description!("[year]-[month]-[day]"),
    )?;
    let shown = text(b, "#store-sunset").await?;
    let expected = switchyard::i18n::format::date(run.lang, day);
    if !shown.contains(&expected) {
        return Err(format!("the countdown says {shown:?}, not {expected}").into());
    }
    visit("extension-granted").await
}

/// The admin schedules a switch-off rehearsal on the form; its window comes (the clock
/// is moved to it), the old plugin's call is refused, the window passes, and the admin
/// reads the report naming what called.
async fn rehearsal(app: &TestApp, b: &Client, run: Run) -> Result {
    let visit = async |name: &str| both_widths(b, run, name).await;
    b.goto(&app.url(&run.store("/rehearsals"))).await?;
    visit("rehearsals").await?;
    // A day and more ahead, so whatever time zone the browser is in it is ahead enough.
    let at = time::OffsetDateTime::now_utc() + time::Duration::hours(26);
    let (date, hm) = (
        format!(
            "{:04}-{:02}-{:02}",
            at.year(),
            u8::from(at.month()),
            at.day()
        ),
        format!("{:02}:{:02}", at.hour(), at.minute()),
    );
    // Date and time inputs take their value in the page's own format whatever the
    // browser's locale shows.
    b.execute(
        "document.getElementById('rehearsal-date').value = arguments[0];\
         document.getElementById('rehearsal-time').value = arguments[1];",
        vec![date.into(), hm.into()],
    )
    .await?;
    b.find(Locator::Css("#rehearsal-minutes"))
        .await?
        .select_by_value("15")
        .await?;
    click(b, "#schedule").await?;
    // The rehearsal's page, once the form's answer has loaded.
    find(b, "#rehearsal-state").await?;
    let id: i64 = b
        .current_url()
        .await?
        .path()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("not on the rehearsal's page after scheduling")?;
    visit("rehearsal-scheduled").await?;

    // The window comes: the old plugin fetches its settlement reports and is refused.
    let now = switchyard::store::now();
    app.move_rehearsal(id, now - 60, now + 60).await;
    let refused = reqwest::Client::new()
        .get(app.url(&format!("/legacy/v1/stores/{}/settlements", run.path.eid)))
        .basic_auth(run.path.eid, Some("legacy-secret"))
        .header("user-agent", "OldReports/0.9")
        .send()
        .await?
        .status();
    if refused != reqwest::StatusCode::GONE {
        return Err(format!("a legacy call in the window was answered {refused}").into());
    }
    // The window passes (brought forward to the next second, so that however long the
    // call took, it fell inside it); the chores write the report.
    app.end_rehearsal(id, now - 60).await;
    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(Duration::from_millis(100)))
        .await;
    app.wait_for_report(id).await;
    b.refresh().await?;
    find(b, "#verdict[data-verdict='used']").await?;
    let table = text(b, "#refused-calls").await?;
    if !table.contains("OldReports/0.9") {
        return Err(format!("the report does not name what called: {table}").into());
    }
    visit("rehearsal-report").await?;
    Ok(())
}

/// Waits for a finished download whose name starts with `prefix`. Chromium reserves the
/// final name with an empty file while it writes to a `.crdownload` beside it, so a
/// download is finished only once no `.crdownload` is left and its file has bytes.
async fn downloaded(app: &TestApp, prefix: &str) -> Result<PathBuf> {
    let dir = downloads(app);
    for _ in 0..100 {
        let mut done = None;
        let mut partial = false;
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".crdownload") {
                partial = true;
            } else if name.starts_with(prefix) && entry.metadata()?.len() > 0 {
                done = Some(entry.path());
            }
        }
        if let (Some(path), false) = (done, partial) {
            return Ok(path);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "no download starting with {prefix} arrived in {}",
        dir.display()
    )
    .into())
}

/// Where the browser saves downloads: a folder in the test's temporary directory.
fn downloads(app: &TestApp) -> PathBuf {
    let marker = app.temp_file("browser-downloads", "");
    let dir = marker.with_extension("d");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The partner dashboard on a phone (360 px) and a middling screen (900 px): nothing
/// scrolls the page sideways, the table stays inside its card (labelled cards on the
/// phone, scrolling inside the card in between), and the charts' text is at least 10 px.
#[tokio::test]
async fn the_partner_dashboard_fits_a_phone_and_its_charts_stay_legible() {
    let Some(binary) = chromedriver() else {
        if std::env::var("CI").is_ok() {
            panic!("CI requires chromedriver (apt-get install chromium chromium-driver)");
        }
        eprintln!("SKIPPED: chromedriver not found");
        return;
    };
    let driver = start_driver(binary);
    let app = helpers::spawn_app().await;
    let pm = "pm@nordic.example";
    app.add_staff(
        pm,
        switchyard::domain::access::StaffRole::PartnerManager,
        Some("Nordic Commerce Partners"),
    )
    .await;
    // Two finished ten days ago, so the weekly chart has columns and a projection.
    let done = switchyard::store::now() - 10 * 86_400;
    sqlx::query(
        "UPDATE stores SET upgrade_step = 'complete', upgrade_completed_at = $1, \
         upgrade_progressed_at = $1, upgrade_updated_at = $1 \
         WHERE legacy_store_id IN ('4711', '20240')",
    )
    .bind(done)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let b = connect(&driver, profile.path(), Js::On, &downloads(&app), "en").await;
    let outcome = dashboard_at_widths(&app, &b, pm).await;
    if let Err(e) = &outcome {
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        if let Ok(png) = b.screenshot().await {
            std::fs::write(shots.join("browser-failure-partner-dashboard.png"), png).unwrap();
        }
        let _ = b.close().await;
        panic!("partner dashboard: {e}");
    }
    b.close().await.unwrap();
}

async fn dashboard_at_widths(app: &TestApp, b: &Client, pm: &str) -> Result {
    let before = app.sign_in_links(pm);
    b.goto(&app.url("/signin")).await?;
    find(b, "#email").await?.send_keys(pm).await?;
    click(b, "form[action='/signin'] button[type=submit]").await?;
    text(b, "#check-email").await?;
    b.goto(&app.wait_for_new_sign_in_link(pm, &before).await)
        .await?;
    click(b, "#confirm-sign-in").await?;
    expect_path(b, "/").await?;
    b.goto(&app.url("/partner")).await?;
    find(b, "#cohort").await?;
    for width in [360, 900] {
        b.set_window_size(width, 900).await?;
        snap(b, &format!("partner-dashboard-{width}")).await?;
        b.execute(
            "document.querySelector('#cohort').scrollIntoView();",
            vec![],
        )
        .await?;
        snap(b, &format!("partner-dashboard-{width}-table")).await?;
        let found = b
            .execute(
                "const card = document.querySelector('#cohort').closest('.card').getBoundingClientRect();
                 const wrap = document.querySelector('.table-wrap');
                 // Where the box scrolls, its clipped cells stay inside it; else each must.
                 const clips = getComputedStyle(wrap).overflowX !== 'visible';
                 const out = clips ? [] : [...document.querySelectorAll('#cohort td')]
                     .filter(e => e.getBoundingClientRect().right > card.right + 0.5);
                 const svg = document.querySelector('#chart-weekly svg');
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 const text = scale * parseFloat(svg.getAttribute('font-size'));
                 return [document.documentElement.scrollWidth > window.innerWidth, out.length,
                         wrap.getBoundingClientRect().right <= card.right + 0.5,
                         text];",
                vec![],
            )
            .await?;
        let sideways = found[0].as_bool() != Some(false);
        let outside = found[1].as_i64().unwrap_or(-1);
        let wrap_inside = found[2].as_bool() == Some(true);
        let text_px = found[3].as_f64().unwrap_or(0.0);
        if sideways || outside != 0 || !wrap_inside {
            return Err(format!(
                "at {width} px: page scrolls sideways {sideways}, cells outside the card {outside}, table box inside {wrap_inside}"
            )
            .into());
        }
        if text_px < 10.0 {
            return Err(format!("at {width} px the chart text is {text_px:.1} px").into());
        }
    }
    Ok(())
}
