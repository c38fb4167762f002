//! Text from outside is checked once, at the edge, the same on SQLite and PostgreSQL;
//! downloads are safe to open in a spreadsheet; addresses that lead inside are refused
//! when saved; another's store looks like no store; the secret key outlives a restart.

use std::{io::Read, process::Command};

use reqwest::{
    StatusCode,
    multipart::{Form, Part},
};
use serde_json::{Value, json};
use switchyard::domain::access::StaffRole;

use crate::helpers::{
    ADMIN, GATEWAY_TOKEN, OTHER_ADMIN, Page, STORE, TestApp, output, path, spawn_app,
    spawn_app_with,
};

const PM: &str = "pm@nordic.example";
const AGENT: &str = "agent@support.example";

impl TestApp {
    /// A partner manager of the demo stores' partner, signed in, in another browser.
    async fn partner_manager(&self) -> TestApp {
        self.add_staff(
            PM,
            StaffRole::PartnerManager,
            Some("Nordic Commerce Partners"),
        )
        .await;
        let b = self.another_browser();
        b.sign_in(PM).await;
        b
    }

    /// A page fetched with the browser asking for `lang`.
    pub async fn get_asking_for(&self, lang: &str, p: &str) -> Page {
        let res = self
            .client
            .get(self.url(p))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        Page {
            status: res.status(),
            location: None,
            body: res.text().await.unwrap(),
        }
    }

    /// Support imports a settlement file for the demo store; the answer.
    async fn import_report(&self, csv: &str) -> Page {
        let csrf = self.get(&path("/legacy")).await.csrf();
        let form = Form::new().text("csrf", csrf).part(
            "report",
            Part::bytes(csv.as_bytes().to_vec()).file_name("report.csv"),
        );
        self.multipart(&path("/legacy/reports"), form).await
    }

    async fn download(&self, p: &str) -> Vec<u8> {
        let res = self.client.get(self.url(p)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{p}");
        res.bytes().await.unwrap().to_vec()
    }
}

/// A settlement file for the demo store with a reference and a merchant reference to fill.
const REPORT: &str = "merchant_id;payment_reference;payout_date;currency_code;total_sale_amount;total_fee_amount;total_return_amount;total_reversal_amount;total_commission_amount;total_holdback_amount;total_release_amount;total_repay_amount;total_settlement_amount;note\n\
4711;{ref};2026-11-20;SEK;100.00;0.00;0.00;0.00;0.00;0.00;0.00;0.00;100.00;@SUM(1+1)\n\
\n\
type;order_id;short_order_id;capture_id;merchant_reference1;merchant_reference2;amount;vat_amount;sale_date;capture_date;currency_code;terminal\n\
sale;-ord-1;K1;cap-1;{who};+46 70 123;100.00;20.00;2026-11-09;2026-11-10;SEK;=1+1\n";

async fn support(app: &TestApp) -> TestApp {
    app.add_staff(AGENT, StaffRole::Support, None).await;
    let b = app.another_browser();
    b.sign_in(AGENT).await;
    b
}

async fn switchyard(
    dir: &std::path::Path,
    database_url: &str,
    base_url: &str,
) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(["user", "list"])
        .env("SWITCHYARD_DATABASE_URL", database_url)
        .env("SWITCHYARD_BASE_URL", base_url)
        .env_remove("SWITCHYARD_SECRET_KEY")
        .env("RUST_LOG", "warn")
        .current_dir(dir);
    output(command).await
}

#[tokio::test]
async fn a_control_character_in_a_form_query_or_path_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let pm = app.partner_manager().await;
    let tokens = || app.scalar("SELECT COUNT(*) FROM api_tokens");
    for name in ["Shop\0sync", "Shop\u{1b}[31m", "two\nlines"] {
        let refused = pm.submit("/partner/api/tokens", &[("name", name)]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name:?}");
        assert!(
            refused.has("The field “name” contains a control character"),
            "{}",
            refused.body
        );
    }
    // However the body says it is typed: the form is read all the same, so it is checked.
    let csrf = pm.csrf().await;
    let body = format!("csrf={csrf}&name=Shop%00sync");
    for content_type in [
        Some("text/plain"),
        Some("APPLICATION/X-WWW-FORM-URLENCODED"),
        None,
    ] {
        let mut req = pm
            .client
            .post(pm.url("/partner/api/tokens"))
            .body(body.clone());
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let refused = req.send().await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::BAD_REQUEST,
            "{content_type:?}"
        );
    }
    assert_eq!(tokens().await, 0, "nothing was stored");
    // The same field, clean, is fine, and its length is counted in characters.
    let created = pm
        .submit("/partner/api/tokens", &[("name", &"å".repeat(80))])
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = crate::helpers::between(&created.body, "id=\"new-token\">", "<").unwrap();

    // Searches and filters: the dashboard, its CSV export, the store list, the API.
    for p in ["/partner?q=%00", "/partner/export.csv?q=a%00b", "/?q=%00"] {
        let page = pm.get(p).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{p}: {}", page.body);
        assert!(page.has("“q”"), "{p}: {}", page.body);
    }
    let res = app
        .client
        .get(app.url("/api/v1/stores?q=%00"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(body["error"]["message"], "q contains a control character");
    let in_path = app
        .client
        .get(app.url("/api/v1/stores/47%0011"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(in_path.status(), StatusCode::BAD_REQUEST);

    // In the person's language.
    let swedish = app.get_asking_for("sv", "/signin?next=%07").await;
    assert_eq!(swedish.status, StatusCode::BAD_REQUEST);
    assert!(
        swedish.has("Fältet ”next” innehåller ett styrtecken"),
        "{}",
        swedish.body
    );
}

#[tokio::test]
async fn a_signed_event_with_a_control_character_is_refused_naming_the_field_not_retried_forever() {
    let app = spawn_app().await;
    let order = |id: &str| {
        json!({"id": format!("evt_nul_{id}"), "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
               "data": {"legacy_store_id": STORE, "order_id": format!("ord_{id}"), "environment": "live",
                        "amount": 1000, "currency": "SEK", "user_agent": "WooCommerce/9.4",
                        "correlation_id": format!("corr-{id}")}})
    };
    let api_error = json!({"id": "evt_nul_err", "type": "api.error", "created_at": "2026-11-23T10:01:00Z",
                           "data": {"legacy_store_id": STORE, "error_code": "BAD_VALUE"}});
    let cases = [
        (order("ua"), "user_agent"),
        (order("oid"), "order_id"),
        (order("corr"), "correlation_id"),
        (api_error, "error_code"),
    ];
    for (clean, field) in cases {
        let mut poisoned = clean.clone();
        let value = poisoned["data"][field].as_str().unwrap().to_owned();
        poisoned["data"][field] = json!(format!("{value}\u{0}x"));
        let (status, body) = app.deliver(&poisoned).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
        assert_eq!(body["field"], format!("data.{field}"), "{body}");
        // Nothing was kept of it: the clean event is news, not a duplicate.
        let (status, body) = app.deliver(&clean).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("recorded")),
            "{field}: {body}"
        );
    }
}

#[tokio::test]
async fn the_credential_check_refuses_a_control_character_in_the_username() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/platform/v1/credentials/verify"))
        .bearer_auth(GATEWAY_TOKEN)
        .json(&json!({"username": "K123456_\u{0}", "password": "secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["error"], "username contains a control character",
        "{body}"
    );
}

#[tokio::test]
async fn a_support_request_keeps_its_line_breaks_but_not_a_nul() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let admin = &app;
    let send = |explanation: &'static str| async move {
        let csrf = admin.get(&path("/upgrade/trouble")).await.csrf();
        let form = Form::new()
            .text("csrf", csrf)
            .text("explanation", explanation)
            .text("error_code", "BAD_VALUE");
        admin.multipart(&path("/upgrade/trouble"), form).await
    };
    let refused = send("The payment\0 fails at checkout.").await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert!(
        refused.has("contains a control character"),
        "{}",
        refused.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_requests").await, 0);
    let sent = send("The payment fails at checkout.\r\n\tSecond line.").await;
    assert!(
        sent.status.is_redirection(),
        "{}: {}",
        sent.status,
        sent.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_requests").await, 1);
}

#[tokio::test]
async fn an_import_with_a_control_character_names_its_line_and_imports_nothing() {
    let app = spawn_app().await;
    let before = app.scalar("SELECT COUNT(*) FROM stores").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stores.csv");
    std::fs::write(
        &file,
        "legacy_store_id,name,product,admin_email,countries,platform,store_url,partner\n\
         9001,Good,KPM,good@shop.example,SE,shopify,https://good.example,\n\
         9002,Bad\0Shop,KPM,bad@shop.example,SE,shopify,https://bad.example,\n",
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("import-stores")
        .arg(&file)
        .env("SWITCHYARD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "error")
        .current_dir(dir.path());
    let out = output(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 3: name contains a control character"),
        "{stderr}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stores").await, before);
}

#[tokio::test]
async fn a_settlement_file_with_a_control_character_names_its_line_and_is_not_kept() {
    let app = spawn_app().await;
    let support = support(&app).await;
    let reports = app.scalar("SELECT COUNT(*) FROM settlement_reports").await;
    let csv = REPORT
        .replace("{ref}", "PR-1")
        .replace("{who}", "Åsa\u{0}Öberg");
    let refused = support.import_report(&csv).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.has("Line 5") && refused.has("control character"),
        "{}",
        refused.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM settlement_reports").await,
        reports
    );
}

#[tokio::test]
async fn settlement_downloads_are_safe_to_open_in_a_spreadsheet_and_the_json_stays_exact() {
    let app = spawn_app().await;
    let support = support(&app).await;
    let formula = "=HYPERLINK(\"https://evil.example\",\"Refund\")";
    let mut imported = Vec::new();
    for reference in ["PR/1", "PR_1"] {
        let csv = REPORT.replace("{ref}", reference).replace("{who}", formula);
        let sent = support.import_report(&csv).await;
        assert!(
            sent.status.is_redirection(),
            "{}: {}",
            sent.status,
            sent.body
        );
        imported.push(sent.location.unwrap());
    }
    app.sign_in(ADMIN).await;
    let report_path = &imported[0];

    let csv = String::from_utf8(app.download(&format!("{report_path}/csv")).await).unwrap();
    for cell in [
        "'=HYPERLINK(",
        ";'-ord-1;",
        ";'+46 70 123;",
        ";'=1+1",
        ";'@SUM(1+1)",
    ] {
        assert!(csv.contains(cell), "{cell} in {csv}");
    }
    assert!(!csv.contains("'100.00"), "amounts stay numbers: {csv}");
    let range = String::from_utf8(
        app.download(&path("/legacy/transactions?from=2026-11-01&to=2026-11-30"))
            .await,
    )
    .unwrap();
    assert!(
        range.contains("'=HYPERLINK(") && range.contains(";'-ord-1;"),
        "{range}"
    );
    assert!(!range.contains(";=HYPERLINK("), "{range}");
    // The JSON stays exact.
    let json: Value =
        serde_json::from_slice(&app.download(&format!("{report_path}/json")).await).unwrap();
    assert_eq!(json["transactions"][0]["merchant_reference1"], formula);
    assert_eq!(json["transactions"][0]["order_id"], "-ord-1");
}

#[tokio::test]
async fn download_everything_keeps_reports_whose_references_clean_alike() {
    let app = spawn_app().await;
    let support = support(&app).await;
    for reference in ["PR/1", "PR_1"] {
        let csv = REPORT
            .replace("{ref}", reference)
            .replace("{who}", "=HYPERLINK(\"https://evil.example\")");
        let sent = support.import_report(&csv).await;
        assert!(
            sent.status.is_redirection(),
            "{}: {}",
            sent.status,
            sent.body
        );
    }
    app.sign_in(ADMIN).await;
    // Both references clean to the same file name; each report is in the archive once.
    let zip = app.download(&path("/legacy/archive")).await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .filter(|n| n.starts_with("reports/PR_1"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "reports/PR_1-2.csv",
            "reports/PR_1-2.pdf",
            "reports/PR_1.csv",
            "reports/PR_1.pdf"
        ]
    );
    let mut inside = String::new();
    archive
        .by_name("reports/PR_1.csv")
        .unwrap()
        .read_to_string(&mut inside)
        .unwrap();
    assert!(inside.contains("'=HYPERLINK("), "{inside}");
}

#[tokio::test]
async fn a_webhook_address_that_leads_inside_is_refused_when_it_is_saved() {
    let app = spawn_app().await;
    let pm = app.partner_manager().await;
    for url in [
        "https://localhost/hooks",
        "https://[64:ff9b::a00:1]/hooks",
        "https://[64:ff9b::a9fe:a9fe]/hooks",
        "https://[2002:7f00:1::]/hooks",
        "https://[::7f00:1]/hooks",
        "https://[::ffff:a00:1]/hooks",
        "https://[fec0::1]/hooks",
    ] {
        let refused = pm.submit("/partner/api/webhooks", &[("url", url)]).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            refused.body
        );
        assert!(refused.has("private or local network"), "{url}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhooks").await, 0);
}

#[tokio::test]
async fn another_stores_pages_answer_exactly_like_a_missing_store() {
    let app = spawn_app().await;
    app.sign_in(OTHER_ADMIN).await;
    let refusals =
        || app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'authorization.refused'");
    let before = refusals().await;
    for p in ["", "/upgrade/terms", "/legacy", "/audit"] {
        let theirs = app.get(&format!("/stores/{STORE}{p}")).await;
        let missing = app.get(&format!("/stores/999999{p}")).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(
            (theirs.status, &theirs.body),
            (missing.status, &missing.body),
            "{p}"
        );
        assert!(!theirs.has("Kaffebaren"), "{p}");
    }
    assert!(
        refusals().await >= before + 4,
        "the refusals are still audited"
    );
}

#[tokio::test]
async fn an_https_deployment_needs_a_secret_key_and_a_demo_keeps_the_one_it_made() {
    let app = spawn_app_with(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let out = switchyard(dir.path(), &app.database_url, "https://upgrade.example.com").await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("SWITCHYARD_SECRET_KEY is required"),
        "{stderr}"
    );

    let first = switchyard(dir.path(), &app.database_url, "http://127.0.0.1:8080").await;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Beside the SQLite file, or in the working directory for PostgreSQL.
    let kept = match app.database_url.strip_prefix("sqlite://") {
        Some(db) => std::path::Path::new(db)
            .parent()
            .unwrap()
            .join("switchyard-secret.key"),
        None => dir.path().join("switchyard-secret.key"),
    };
    let key = std::fs::read_to_string(&kept).expect("the key is kept in a file");
    assert!(key.trim().len() >= 32);
    let warned = String::from_utf8_lossy(&first.stdout).to_string()
        + &String::from_utf8_lossy(&first.stderr);
    assert!(
        warned.contains("SWITCHYARD_SECRET_KEY is not set"),
        "{warned}"
    );
    let second = switchyard(dir.path(), &app.database_url, "http://127.0.0.1:8080").await;
    assert!(second.status.success());
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        key,
        "a restart keeps the key"
    );
}
