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
    ADMIN, GATEWAY_TOKEN, OTHER_ADMIN, Page, STORE, TestApp, path, spawn_app, spawn_app_with,
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
    async fn get_asking_for(&self, lang: &str, p: &str) -> Page {
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

    async fn multipart(&self, p: &str, form: Form) -> Page {
        let res = self
            .client
            .post(self.url(p))
            .multipart(form)
            .send()
            .await
            .unwrap();
        Page {
            status: res.status(),
            location: res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned()),
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

fn switchyard(dir: &std::path::Path, database_url: &str, base_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["user", "list"])
        .env("SWITCHYARD_DATABASE_URL", database_url)
        .env("SWITCHYARD_BASE_URL", base_url)
        .env_remove("SWITCHYARD_SECRET_KEY")
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .output()
        .unwrap()
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
    let out = switchyard(dir.path(), &app.database_url, "https://upgrade.example.com");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("SWITCHYARD_SECRET_KEY is required"),
        "{stderr}"
    );

    let first = switchyard(dir.path(), &app.database_url, "http://127.0.0.1:8080");
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
    let second = switchyard(dir.path(), &app.database_url, "http://127.0.0.1:8080");
    assert!(second.status.success());
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        key,
        "a restart keeps the key"
    );
}
