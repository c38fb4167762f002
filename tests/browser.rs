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

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Driver {
    process: std::process::Child,
    port: u16,
    _profile: tempfile::TempDir,
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
    Driver {
        process,
        port,
        _profile: tempfile::tempdir().unwrap(),
    }
}

async fn connect(driver: &Driver, js: Js, downloads: &std::path::Path) -> Client {
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
                format!("--user-data-dir={}", driver._profile.path().display()),
            ],
            "prefs": {
                "profile.managed_default_content_settings.javascript": js_setting,
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
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

/// A shop for the health check: the old plugin's script is still on its front page.
async fn legacy_shop() -> String {
    use axum::{Router, routing::get};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shop = Router::new().route(
        "/",
        get(|| async { "<html><script src=\"/kpm-checkout.js\"></script></html>" }),
    );
    tokio::spawn(async move { axum::serve(listener, shop).await });
    format!("http://{addr}/")
}

#[tokio::test]
async fn a_person_completes_the_upgrade_in_a_real_browser() {
    run_in_browser(Js::On).await;
}

/// Every page works without JavaScript: the same walk with it switched off.
#[tokio::test]
async fn the_upgrade_works_without_javascript() {
    run_in_browser(Js::Off).await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Js {
    On,
    Off,
}

async fn run_in_browser(js: Js) {
    let Some(binary) = chromedriver() else {
        if std::env::var("CI").is_ok() {
            panic!("CI requires chromedriver (apt-get install chromium chromium-driver)");
        }
        eprintln!(
            "SKIPPED: chromedriver not found; install chromium and chromium-driver to run the browser test"
        );
        return;
    };
    let app = helpers::spawn_app_with(|c| c.health_check.allow_private = true).await;
    let driver = start_driver(binary);
    let browser = connect(&driver, js, &downloads(&app)).await;

    let outcome = walk_through(&app, &browser, js).await;
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    if let Err(e) = &outcome {
        let shot = format!("browser-failure-js-{js:?}.png").to_lowercase();
        if let Ok(png) = browser.screenshot().await {
            std::fs::write(shots.join(&shot), png).unwrap();
        }
        let _ = browser.close().await;
        panic!(
            "browser flow failed (JavaScript {js:?}): {e} (screenshot in target/screenshots/{shot})"
        );
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

async fn walk_through(app: &TestApp, b: &Client, js: Js) -> Result {
    let shot = |name: &str| match js {
        Js::On => name.to_owned(),
        Js::Off => format!("{name}-no-js"),
    };
    b.goto(&app.url("/signin")).await?;
    find(b, "#email").await?.send_keys(ADMIN).await?;
    click(b, "form[action='/signin'] button[type=submit]").await?;
    text(b, "#check-email").await?;

    let link = app.wait_for_new_link(ADMIN, 0).await;
    b.goto(&link).await?;
    click(b, "#confirm-sign-in").await?;
    expect_path(b, "/").await?;

    click(b, "a[href='/stores/4711']").await?;
    expect_path(b, "/stores/4711").await?;
    if text(b, "#step-banner").await?.is_empty() {
        return Err("the step banner is missing".into());
    }
    snap(b, &shot("store")).await?;
    click(b, "#start-upgrade").await?;
    expect_path(b, "/stores/4711/upgrade/terms").await?;
    snap(b, &shot("terms")).await?;
    click(b, "#accept").await?;
    click(b, "#accept-terms").await?;

    expect_path(b, "/stores/4711/upgrade/account").await?;
    snap(b, &shot("account")).await?;
    click(b, "#save-account").await?;

    expect_path(b, "/stores/4711/upgrade/credentials").await?;
    click(b, "#generate-credentials").await?;
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
    snap(b, &shot("credentials")).await?;
    click(b, "#to-integration").await?;
    expect_path(b, "/stores/4711/upgrade/integration").await?;

    // The setup checker, fed what the admin typed into the plugin.
    fill(b, "#check-username", &username).await?;
    fill(b, "#check-password", &password).await?;
    click(b, "#run-setup-check").await?;
    let verdict = text(b, "#setup-check-result").await?;
    if !verdict.contains("Username and password are right") {
        return Err(format!("setup checker said: {verdict}").into());
    }
    // The health check, against a shop that still has the old plugin.
    fill(b, "#shop-url", &legacy_shop().await).await?;
    click(b, "#run-health-check").await?;
    let health = text(b, "#health-result").await?;
    if !health.contains("The old plugin is still active") {
        return Err(format!("health check said: {health}").into());
    }
    snap(b, &shot("integration-checks")).await?;
    // Ticks are kept across a visit elsewhere.
    click(b, "#old_disabled").await?;
    click(b, "#new_enabled").await?;
    click(b, "#confirm-integration").await?;
    // The answer names the items still open; then come back later.
    find(b, "label.check.missing").await?;
    b.goto(&app.url("/stores/4711/upgrade/integration")).await?;
    if !find(b, "#new_enabled").await?.is_selected().await? {
        return Err("a ticked checklist item was forgotten".into());
    }
    for item in ["live_fields", "test_mode_off"] {
        click(b, &format!("#{item}")).await?;
    }
    snap(b, &shot("integration")).await?;
    click(b, "#confirm-integration").await?;
    expect_path(b, "/stores/4711/upgrade/test-purchase").await?;

    snap(b, &shot("test-purchase")).await?;
    // The failure path: rollback advice and a support request with a screenshot.
    b.goto(&app.url("/stores/4711/upgrade/trouble")).await?;
    fill(
        b,
        "#explanation",
        "The checkout shows an error after paying.",
    )
    .await?;
    let shot_file = std::env::temp_dir().join(format!("switchyard-shot-{js:?}.png"));
    std::fs::write(&shot_file, b.screenshot().await?)?;
    find(b, "#screenshots")
        .await?
        .send_keys(&shot_file.display().to_string())
        .await?;
    snap(b, &shot("trouble")).await?;
    click(b, "#send-request").await?;
    expect_path(b, "/stores/4711/upgrade/trouble").await?;
    let sent = text(b, "#support-requests li[data-status='open']").await?;
    if !sent.contains("1 screenshots") {
        return Err(format!("the request list says: {sent}").into());
    }
    b.goto(&app.url("/stores/4711/upgrade/test-purchase"))
        .await?;
    let order = reqwest::Client::new()
        .post(app.url("/sandbox/v1/orders"))
        .basic_auth(&username, Some(&password))
        .json(&serde_json::json!({"amount": 1000, "currency": "SEK", "country": "SE"}))
        .send()
        .await?;
    if order.status() != 201 {
        return Err(format!("sandbox order failed: {}", order.status()).into());
    }
    if js == Js::Off {
        // Without JavaScript the person refreshes.
        click(b, "#check-again").await?;
    }
    // With JavaScript the open page turns complete on its own (Server-Sent Events).
    expect_path(b, "/stores/4711/upgrade/complete").await?;
    text(b, "#upgrade-complete").await?;

    snap(b, &shot("complete")).await?;
    // One click cancels the test order at the platform.
    click(b, "#cancel-order").await?;
    expect_path(b, "/stores/4711/upgrade/complete").await?;
    find(b, "#test-order[data-status='cancelled']").await?;
    b.goto(&app.url("/stores/4711")).await?;
    if b.find(Locator::Css("#step-banner")).await.is_ok() {
        return Err("the banner is still shown after completion".into());
    }
    text(b, "#upgrade-done").await?;
    legacy_store(app, b).await
}

/// The demo's second store has a legacy side: a settlement report to download, and an
/// authorization about to expire that the start page warns of.
async fn legacy_store(app: &TestApp, b: &Client) -> Result {
    b.goto(&app.url("/stores/555001/legacy")).await?;
    find(b, "#sunset-banner").await?;
    find(b, "#order-demo-legacy-1[data-status='authorized']").await?;
    click(b, "#settlement-reports tbody td:nth-child(2) a").await?;
    text(b, "#settlement-report").await?;
    snap(b, "legacy-report").await?;
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
    snap(b, "my-stores").await?;
    b.goto(&app.url("/stores/555001")).await?;
    text(b, "#expiring-orders").await?;
    snap(b, "store-expiring").await?;
    Ok(())
}

/// Waits for a finished download whose name starts with `prefix`.
async fn downloaded(app: &TestApp, prefix: &str) -> Result<PathBuf> {
    let dir = downloads(app);
    for _ in 0..100 {
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) && !name.ends_with(".crdownload") {
                return Ok(entry.path());
            }
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
