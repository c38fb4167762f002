//! The legacy store until the sunset: settlement reports imported by support (whole or
//! not at all), downloaded in three formats and re-imported the same, legacy orders
//! processed through the sandbox platform, the sunset cut-off and the archive.

use std::io::Read;

use reqwest::{
    StatusCode,
    multipart::{Form, Part},
};
use switchyard::domain::{access::StaffRole, settlement};

use crate::helpers::{ADMIN, Page, STORE, TestApp, between, path, spawn_app, spawn_app_with};

const AGENT: &str = "agent@support.example";
pub const FIXTURE: &str = include_str!("../fixtures/settlement-4711.csv");
const DAY: i64 = 86_400;

impl TestApp {
    /// Support, signed in, in another browser.
    pub async fn support(&self) -> TestApp {
        self.add_staff(AGENT, StaffRole::Support, None).await;
        let b = self.another_browser();
        b.sign_in(AGENT).await;
        b
    }

    pub async fn upload_report(&self, bytes: &[u8]) -> Page {
        let csrf = self.get(&path("/legacy")).await.csrf();
        let form = Form::new().text("csrf", csrf).part(
            "report",
            Part::bytes(bytes.to_vec()).file_name("report.csv"),
        );
        self.multipart(&path("/legacy/reports"), form).await
    }

    pub async fn bytes(&self, p: &str) -> (StatusCode, String, Vec<u8>) {
        let res = self.client.get(self.url(p)).send().await.unwrap();
        let status = res.status();
        let kind = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, kind, res.bytes().await.unwrap().to_vec())
    }

    /// An order at the sandbox platform on the legacy store, as the platform has it.
    pub(crate) async fn legacy_order(&self, id: &str, amount: i64, captured: i64, age_days: i64) {
        let created = switchyard::store::now() - age_days * DAY;
        sqlx::query(
            "INSERT INTO sandbox_orders (order_id, merchant_id, environment, amount, currency, status, created_at, \
             captured_amount, refunded_amount, cancelled, expires_at) VALUES ($1, $2, 'live', $3, 'SEK', 'authorized', $4, $5, 0, 0, $6)",
        )
        .bind(id)
        .bind(STORE)
        .bind(amount)
        .bind(created)
        .bind(captured)
        .bind(created + 28 * DAY)
        .execute(&self.db.pool)
        .await
        .unwrap();
    }

    async fn order_state(&self, id: &str) -> (i64, i64, i64) {
        sqlx::query_as(
            "SELECT captured_amount, refunded_amount, cancelled FROM sandbox_orders WHERE order_id = $1",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn support_imports_a_report_and_every_download_gives_it_back_exactly() {
    let app = spawn_app().await;
    let support = app.support().await;
    let sent = support.upload_report(FIXTURE.as_bytes()).await;
    assert!(
        sent.status.is_redirection(),
        "{}: {}",
        sent.status,
        sent.body
    );
    let report_path = sent.location.unwrap();

    app.sign_in(ADMIN).await;
    let page = app.get(&report_path).await;
    assert!(
        page.has("PR-4711-2026-47") && page.has("SEK\u{a0}-868.92") && page.has("Åsa Öberg"),
        "{}",
        page.body
    );

    let (status, kind, csv) = app.bytes(&format!("{report_path}/csv")).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8")
    );
    let original = settlement::parse(FIXTURE.as_bytes()).unwrap();
    assert_eq!(
        settlement::parse(&csv).unwrap(),
        original,
        "the download re-imports the same"
    );

    let (_, _, json) = app.bytes(&format!("{report_path}/json")).await;
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["totals"]["settlement"]["minor"], -86_892);
    assert_eq!(
        json["transactions"][1]["merchant_reference2"],
        "Ordre 1002; gave"
    );
    assert_eq!(json["transactions"][0]["extra_fields"]["terminal"], "webb");

    let (_, kind, pdf) = app.bytes(&format!("{report_path}/pdf")).await;
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));

    // The same report again is refused, and a store user cannot upload at all.
    let again = support.upload_report(FIXTURE.as_bytes()).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.has("imported before"), "{}", again.body);
    assert_eq!(
        app.upload_report(FIXTURE.as_bytes()).await.status,
        StatusCode::FORBIDDEN
    );

    let (status, _, range) = app
        .bytes(&path("/legacy/transactions?from=2026-11-12&to=2026-11-14"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let range = String::from_utf8(range).unwrap();
    assert_eq!(
        range.lines().count(),
        4,
        "header and the three captured on those days: {range}"
    );
    assert!(range.contains("-2390.00") && !range.contains("Åsa Öberg"));
}

/// A stored transaction that no longer reads as it was written (a kind nothing writes)
/// fails its report loudly; it does not vanish from what the merchant sees and downloads.
#[tokio::test]
async fn a_stored_transaction_of_an_unknown_kind_fails_its_report_instead_of_vanishing() {
    let app = spawn_app().await;
    let support = app.support().await;
    let report_path = support
        .upload_report(FIXTURE.as_bytes())
        .await
        .location
        .unwrap();
    sqlx::query("UPDATE settlement_transactions SET kind = 'bonus' WHERE position = 1")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.sign_in(ADMIN).await;
    app.assert_internal_error(&report_path).await;
    app.assert_internal_error(&format!("{report_path}/csv"))
        .await;
    app.assert_internal_error(&path("/legacy/transactions?from=2026-11-01&to=2026-11-30"))
        .await;
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_naming_the_line() {
    let app = spawn_app().await;
    let support = app.support().await;
    let bad = FIXTURE
        .replace("499.00;99.80", "499,00;99.80")
        .replace("reversal;a1f3-0004", "chargeback;a1f3-0004");
    let page = support.upload_report(bad.as_bytes()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.has("Line 5: amount is not a decimal number"),
        "{}",
        page.body
    );
    assert!(page.has("Line 8: type"));
    let other = FIXTURE.replace("\r\n4711;", "\r\n4712;");
    let page = support.upload_report(other.as_bytes()).await;
    assert!(
        page.has("legacy store 4712, not of this store"),
        "{}",
        page.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM settlement_reports WHERE merchant_id = '4711'")
            .await,
        0
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM settlement_transactions t JOIN settlement_reports r ON t.report_id = r.id \
             WHERE r.merchant_id = '4711'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn legacy_orders_allow_what_their_state_allows_and_every_action_is_audited() {
    let app = spawn_app().await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    app.legacy_order("leg-2", 50_000, 50_000, 3).await;
    app.legacy_order("leg-old", 20_000, 0, 30).await;
    app.sign_in(ADMIN).await;
    let page = app.get(&path("/legacy")).await;
    assert!(
        page.has("id=\"order-leg-1\"") && page.has("data-status=\"expired\""),
        "{}",
        page.body
    );
    assert!(page.has("invoiced to you instead of deducted from your payouts"));
    // Each order ID has its copy button, named for screen readers.
    assert!(
        page.has("data-copy=\"order-id-leg-1\"") && page.has("aria-label=\"Copy order ID\""),
        "{}",
        page.body
    );

    let act =
        |order: &'static str, action: &'static str, fields: Vec<(&'static str, &'static str)>| {
            let app = &app;
            async move {
                app.submit(&path(&format!("/legacy/orders/{order}/{action}")), &fields)
                    .await
            }
        };
    // Partial capture on a partial shipment, then cancel is no longer possible.
    act("leg-1", "capture", vec![("amount", "400.00")])
        .await
        .assert_redirect_to(&path("/legacy#order-leg-1"));
    assert_eq!(app.order_state("leg-1").await, (40_000, 0, 0));
    let cancel = act("leg-1", "cancel", vec![]).await;
    assert_eq!(cancel.status, StatusCode::CONFLICT);
    assert!(cancel.has("refund it instead"), "{}", cancel.body);
    let too_much = act("leg-1", "capture", vec![("amount", "600.01")]).await;
    assert!(too_much.has("more than what is left to capture"));
    act("leg-1", "extend", vec![])
        .await
        .assert_redirect_to(&path("/legacy#order-leg-1"));

    // A refund needs the invoicing notice acknowledged.
    let unacknowledged = act("leg-2", "refund", vec![("amount", "100.00")]).await;
    assert_eq!(unacknowledged.status, StatusCode::BAD_REQUEST);
    assert!(unacknowledged.has("invoiced to you"));
    act(
        "leg-2",
        "refund",
        vec![("amount", "100.00"), ("invoiced", "yes")],
    )
    .await
    .assert_redirect_to(&path("/legacy#order-leg-2"));
    assert_eq!(app.order_state("leg-2").await, (50_000, 10_000, 0));
    let over = act(
        "leg-2",
        "refund",
        vec![("amount", "400.01"), ("invoiced", "yes")],
    )
    .await;
    assert!(over.has("more than what is left to refund"));

    let expired = act("leg-old", "capture", vec![("amount", "200.00")]).await;
    assert!(expired.has("expired"), "{}", expired.body);
    let expired_cancel = act("leg-old", "cancel", vec![]).await;
    assert_eq!(expired_cancel.status, StatusCode::CONFLICT);

    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'legacy_order.%'")
            .await,
        3,
        "capture, extend and refund"
    );
    // Another store's admin cannot touch this store's orders.
    let other = app.another_browser();
    other.sign_in(crate::helpers::OTHER_ADMIN).await;
    let refused = other
        .submit(&path("/legacy/orders/leg-1/cancel"), &[])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::NOT_FOUND,
        "as if there were no store"
    );
}

/// Once the platform has captured, the admin is told so even when Switchyard cannot
/// store its audit entry: a 500 would have them believe nothing happened.
#[tokio::test]
async fn a_capture_the_platform_made_is_reported_even_when_its_audit_entry_cannot_be_stored() {
    let app = spawn_app().await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    app.sign_in(ADMIN).await;
    // The database refuses the audit entry, as a full disk would.
    app.refuse_inserts("audit_log", "NEW.action LIKE 'legacy_order.%'")
        .await;
    app.submit(
        &path("/legacy/orders/leg-1/capture"),
        &[("amount", "400.00")],
    )
    .await
    .assert_redirect_to(&path("/legacy#order-leg-1"));
    assert_eq!(app.order_state("leg-1").await, (40_000, 0, 0));
    let page = app.get(&path("/legacy")).await;
    let notice = between(&page.body, "id=\"notice\">", "</p>").unwrap_or_default();
    assert!(
        notice.starts_with("Captured") && notice.contains("400.00") && notice.contains("leg-1"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn after_the_sunset_orders_are_refused_and_the_archive_is_gone() {
    let yesterday = time::OffsetDateTime::now_utc().date() - time::Duration::days(1);
    let app = spawn_app_with(|c| c.sunsets = vec![("KPM".into(), yesterday)]).await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    app.sign_in(ADMIN).await;
    let page = app.get(&path("/legacy")).await;
    assert!(
        page.has("data-point=\"0\"") && page.has("closed on"),
        "{}",
        page.body
    );
    assert!(!page.has("id=\"download-everything\""));
    let refused = app
        .submit(&path("/legacy/orders/leg-1/capture"), &[("amount", "1.00")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.has("closed on"));
    assert_eq!(app.order_state("leg-1").await, (0, 0, 0));
    assert_eq!(
        app.get(&path("/legacy/archive")).await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn download_everything_holds_every_report_and_the_orders() {
    let in_five_days = time::OffsetDateTime::now_utc().date() + time::Duration::days(5);
    let app = spawn_app_with(|c| c.sunsets = vec![("KPM".into(), in_five_days)]).await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    let support = app.support().await;
    assert!(
        support
            .upload_report(FIXTURE.as_bytes())
            .await
            .status
            .is_redirection()
    );
    app.sign_in(ADMIN).await;
    let page = app.get(&path("/legacy")).await;
    assert!(
        page.has("data-point=\"7\"") && page.has("closes in 5 days"),
        "{}",
        page.body
    );

    let (status, kind, zip) = app.bytes(&path("/legacy/archive")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "orders.csv",
            "reports/PR-4711-2026-47.csv",
            "reports/PR-4711-2026-47.pdf"
        ]
    );
    let mut csv = Vec::new();
    archive
        .by_name("reports/PR-4711-2026-47.csv")
        .unwrap()
        .read_to_end(&mut csv)
        .unwrap();
    assert_eq!(
        settlement::parse(&csv).unwrap(),
        settlement::parse(FIXTURE.as_bytes()).unwrap()
    );
    let mut orders = String::new();
    archive
        .by_name("orders.csv")
        .unwrap()
        .read_to_string(&mut orders)
        .unwrap();
    assert!(
        orders.contains("leg-1;authorized;1000.00;0.00;0.00;SEK"),
        "{orders}"
    );
}

#[tokio::test]
async fn the_dashboard_warns_of_authorizations_about_to_expire_until_they_are_captured() {
    let app = spawn_app().await;
    app.legacy_order("leg-soon", 50_000, 0, 25).await;
    app.legacy_order("leg-later", 50_000, 0, 5).await;
    app.legacy_order("leg-shipped", 30_000, 30_000, 26).await;
    app.sign_in(ADMIN).await;
    let warned = format!("href=\"/stores/{STORE}/legacy#legacy-orders\"");
    // Nobody has asked the platform yet: nothing known, nothing to warn of.
    assert!(!app.get(&path("")).await.has("id=\"expiring-orders\""));
    assert!(!app.get("/").await.has(&warned));

    // The periodic chores ask the platform for the legacy stores' orders.
    let chores = app
        .another_instance(|c| c.maintenance_interval = Some(std::time::Duration::from_secs(3600)))
        .await;
    for _ in 0..100 {
        if chores
            .scalar("SELECT COUNT(*) FROM legacy_orders WHERE order_id LIKE 'leg-%'")
            .await
            == 3
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let overview = app.get(&path("")).await;
    assert!(overview.has("id=\"expiring-orders\""), "{}", overview.body);
    assert!(overview.has("leg-soon"));
    assert!(!overview.has("leg-later") && !overview.has("leg-shipped"));
    assert!(overview.has("Legacy authorizations expiring within 7 days: 1"));
    let home = app.get("/").await;
    assert!(home.has(&warned), "{}", home.body);

    // Captured, the money is safe and the warning goes.
    app.submit(
        &path("/legacy/orders/leg-soon/capture"),
        &[("amount", "500.00")],
    )
    .await
    .assert_redirect_to(&path("/legacy#order-leg-soon"));
    assert!(!app.get(&path("")).await.has("id=\"expiring-orders\""));
    assert!(!app.get("/").await.has(&warned));
}

/// Sunset reminders as the periodic chores send them: one per store and point, however
/// often the chores run and on however many instances.
#[tokio::test]
async fn sunset_reminders_go_out_once_per_store_and_point() {
    let today = time::OffsetDateTime::now_utc().date();
    let at = |kpm_days: i64| {
        move |c: &mut switchyard::config::Config| {
            c.sunsets = vec![
                ("KPM".into(), today + time::Duration::days(kpm_days)),
                ("KCOv2".into(), today + time::Duration::days(200)),
            ];
            c.maintenance_interval = Some(std::time::Duration::from_millis(100));
        }
    };
    let app = spawn_app_with(at(30)).await;
    let kpm_stores = app
        .scalar("SELECT COUNT(*) FROM stores WHERE product = 'KPM'")
        .await;
    assert!(kpm_stores >= 3);
    for _ in 0..100 {
        if reminders_sent(&app, "30").await == kpm_stores {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The chores ran many times over, and on a second instance too.
    let second = app.another_instance(at(30)).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(reminders_sent(&app, "30").await, kpm_stores);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'sunset:%'")
            .await,
        kpm_stores,
        "one reminder per KPM store, none for KCO v2 (200 days away)"
    );
    assert_eq!(app.emails_to(ADMIN), 1);
    assert_eq!(
        app.last_link_sent_to(ADMIN).as_deref(),
        Some(format!("{}/stores/{STORE}/upgrade", app.address).as_str()),
        "an admin who has not upgraded is sent to the upgrade first"
    );
    let body: String = sqlx::query_scalar(
        "SELECT o.body FROM outbox o JOIN stores s ON o.store_id = s.id \
         WHERE s.legacy_store_id = $1 AND o.idempotency_key LIKE 'sunset:%'",
    )
    .bind(STORE)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    // Kaffebaren sells in Sweden and its admin chose no language: Swedish.
    assert!(body.contains("om 30 dagar"), "{body}");
    assert!(body.contains(&format!("/stores/{STORE}/legacy")));

    // A week before, the next point: one more each, the 30-day one not again.
    let later = second.another_instance(at(7)).await;
    for _ in 0..100 {
        if reminders_sent(&later, "7").await == kpm_stores {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(reminders_sent(&later, "7").await, kpm_stores);
    assert_eq!(reminders_sent(&later, "30").await, kpm_stores);
    // The 30-day reminder, the notice that the date moved (the new configuration is a
    // change of the date), and the 7-day one.
    for _ in 0..100 {
        if later.emails_to(ADMIN) >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(later.emails_to(ADMIN), 3);
}

/// The reminders of `point` days sent: their keys name the point, and once the date has
/// moved, the date (`:7@2026-12-11`).
async fn reminders_sent(app: &TestApp, point: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM outbox WHERE (idempotency_key LIKE 'sunset:%:{point}' \
         OR idempotency_key LIKE 'sunset:%:{point}@%') AND sent_at IS NOT NULL"
    ))
    .await
}
