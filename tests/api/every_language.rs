//! Every page, email and PDF in every language. One walk through the real app per
//! language, signed in as each kind of person, each of whom has chosen that language:
//! the store admin through the whole upgrade and the legacy store (with the refusals on
//! the way), a store user, a partner manager, support and an operator, then every page
//! of the router's own list for each of them. Every text shown is read, and a word that
//! only the English catalogue has (see `english`) fails the walk.

use reqwest::{Method, StatusCode};
use switchyard::domain::access::StaffRole;

use crate::{
    english::{Detector, emails, pdf_text, visible_text},
    helpers::{ADMIN, Page, STORE, SUPPORT_DESK, TestApp, spawn_app},
    upgrade::Shown,
};

const ACCOUNTANT: &str = "accountant@kaffebaren.example";
const PARTNER: &str = "pm@nordic.example";
const SUPPORT: &str = "agent@support.example";
const OPERATOR: &str = "ops@platform.example";
/// The demo store with a legacy side: a settlement report and open orders.
const LEGACY: &str = "555001";

/// What one walk read, and the English it found.
struct Walk {
    detector: Detector,
    found: Vec<String>,
    read: usize,
}

impl Walk {
    fn check(&mut self, place: &str, pieces: Vec<String>) {
        self.read += 1;
        for piece in pieces {
            let english = self.detector.english_in(&piece);
            if !english.is_empty() {
                self.found
                    .push(format!("{place}: {english:?} in «{piece}»"));
            }
        }
    }

    /// Reads a page that was answered (HTML only; redirects and downloads are not pages).
    fn page(&mut self, who: &str, what: &str, page: &Page) {
        if page.body.starts_with("<!DOCTYPE html>") {
            let place = format!("{who} {what} ({})", page.status.as_u16());
            self.check(&place, visible_text(&page.body));
        }
    }

    async fn get(&mut self, who: &str, browser: &TestApp, path: &str) -> Page {
        let page = browser.get(path).await;
        self.page(who, &format!("GET {path}"), &page);
        page
    }

    async fn submit(
        &mut self,
        who: &str,
        browser: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let page = browser.submit(path, fields).await;
        self.page(who, &format!("POST {path}"), &page);
        page
    }

    async fn pdf(&mut self, browser: &TestApp, path: &str) {
        let res = browser.client.get(browser.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let bytes = res.bytes().await.unwrap();
        self.check(&format!("PDF {path}"), pdf_text(&bytes));
    }
}

/// Someone signed in in a browser that asks for `lang`, who then chooses it for good.
async fn person(app: &TestApp, lang: &str, email: &str) -> TestApp {
    let browser = app.browser_in(lang);
    browser.sign_in(email).await;
    let chosen = browser.submit("/language", &[("lang", lang)]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    browser
}

async fn cast(app: &TestApp, lang: &str) {
    let store_id = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '4711'")
        .await;
    switchyard::store::members::add(&app.db.pool, store_id, ACCOUNTANT, ADMIN, false)
        .await
        .unwrap();
    let partner = Some("Nordic Commerce Partners");
    app.add_staff(PARTNER, StaffRole::PartnerManager, partner)
        .await;
    app.add_staff(SUPPORT, StaffRole::Support, None).await;
    app.add_staff(OPERATOR, StaffRole::Operator, None).await;
    // The support desk's mailbox reads the language too (its emails are quoted on the
    // store's timeline).
    let mut tx = app.db.begin().await.unwrap();
    let desk = switchyard::store::users::upsert(&mut tx, SUPPORT_DESK)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    switchyard::store::users::set_lang(&app.db.pool, desk, lang)
        .await
        .unwrap();
}

fn store(eid: &str, p: &str) -> String {
    format!("/stores/{eid}{p}")
}

/// Every page of the router's own list that `who` can be shown (not the machines' routes,
/// streams, downloads or links with a token), with the ids of what the walk made.
async fn every_page(w: &mut Walk, app: &TestApp, who: &str, browser: &TestApp) {
    let report = app
        .scalar("SELECT MAX(id) FROM settlement_reports")
        .await
        .to_string();
    let request = app
        .scalar("SELECT COALESCE(MAX(id), 0) FROM support_requests")
        .await
        .to_string();
    for (method, route) in switchyard::web::route_table(true) {
        let skipped = [
            "/api/",
            "/sandbox/",
            "/platform/",
            "/ordermanagement/",
            "/healthz",
        ]
        .iter()
        .any(|p| route.starts_with(p))
            || [
                "/live",
                "/csv",
                "/json",
                "/pdf",
                "/archive",
                "/screenshots/{n}",
                ".pdf",
                "/export.csv",
                "/transactions",
            ]
            .iter()
            .any(|s| route.ends_with(s))
            || matches!(route, "/admin-change" | "/auth/confirm");
        if method != Method::GET || skipped {
            continue;
        }
        for eid in [STORE, LEGACY] {
            let path = route
                .replace("{eid}", eid)
                .replace("{report}", &report)
                .replace("{id}", &request);
            w.get(who, browser, &path).await;
            if !route.contains("{eid}") {
                break;
            }
        }
    }
}

/// The admin's way through the upgrade of store 4711, reading every page at every step
/// and the refusals on the way.
async fn upgrade(w: &mut Walk, app: &TestApp, admin: &TestApp) {
    let s = |p: &str| store(STORE, p);
    every_page(w, app, "admin (not started)", admin).await;
    w.submit("admin", admin, &s("/upgrade/terms"), &[("path", "kpm-kp")])
        .await;
    w.pdf(admin, &s("/upgrade/terms.pdf")).await;
    admin.accept_terms().await;
    w.pdf(admin, &s("/upgrade/terms/accepted.pdf")).await;
    // Accepting again is refused by the upgrade itself.
    let again = [("path", "kpm-kp"), ("sha256", "x"), ("accept", "yes")];
    w.submit("admin", admin, &s("/upgrade/terms"), &again).await;
    w.get("admin", admin, &s("/upgrade/account")).await;
    admin.confirm_account().await;
    w.get("admin", admin, &s("/upgrade/credentials")).await;
    let shown = w
        .submit("admin", admin, &s("/upgrade/credentials"), &[])
        .await;
    let shown = Shown::from_page(&shown.body);
    w.get("admin", admin, &s("/upgrade/integration")).await;
    for fields in [
        vec![("field", "live"), ("username", "nobody"), ("password", "x")],
        vec![
            ("field", "live"),
            ("username", &shown.test_username),
            ("password", "x"),
        ],
    ] {
        let check = s("/upgrade/integration/setup-check");
        w.submit("admin", admin, &check, &fields).await;
    }
    let health = s("/upgrade/integration/health-check");
    w.submit("admin", admin, &health, &[("url", "ftp://nowhere")])
        .await;
    // A missing tick keeps the admin on the checklist.
    let three = [
        ("old_disabled", "yes"),
        ("new_enabled", "yes"),
        ("live_fields", "yes"),
    ];
    w.submit("admin", admin, &s("/upgrade/integration"), &three)
        .await;
    admin.confirm_integration().await;
    every_page(w, app, "admin (test purchase)", admin).await;
    for explanation in ["short", "Kaffebaren: E42, E42, E42."] {
        let sent = trouble(admin, explanation).await;
        w.page("admin", "a support request", &sent);
    }
    let bought = admin
        .sandbox_purchase(&shown.username, &shown.password)
        .await;
    assert_eq!(bought.status(), StatusCode::CREATED);
    every_page(w, app, "admin (complete)", admin).await;
    w.submit("admin", admin, &s("/upgrade/complete/cancel-order"), &[])
        .await;
    w.submit("admin", admin, &s("/upgrade/complete/cancel-order"), &[])
        .await;
    // Inviting: a bad address, the admin themself.
    for email in ["not an address", ADMIN] {
        w.submit("admin", admin, &s("/users"), &[("email", email)])
            .await;
    }
}

/// Sends the support request form as a browser does (multipart, with its token).
async fn trouble(admin: &TestApp, explanation: &str) -> Page {
    let p = store(STORE, "/upgrade/trouble");
    let csrf = admin.get(&p).await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("explanation", explanation.to_owned())
        .text("error_code", "E42");
    admin.multipart(&p, form).await
}

/// The legacy store: its report (and PDF), and the refusals that must stay on its page.
async fn legacy(w: &mut Walk, app: &TestApp, admin: &TestApp) {
    let s = |p: &str| store(LEGACY, p);
    let report = app.scalar("SELECT MAX(id) FROM settlement_reports").await;
    w.pdf(admin, &s(&format!("/legacy/reports/{report}/pdf")))
        .await;
    let reversed = s("/legacy/transactions?from=2026-12-01&to=2026-11-01");
    w.get("admin", admin, &reversed).await;
    let order = |o: &str, a: &str| s(&format!("/legacy/orders/{o}/{a}"));
    let capture = order("demo-legacy-2", "capture");
    w.submit("admin", admin, &capture, &[("amount", "99999")])
        .await;
    w.submit("admin", admin, &capture, &[("amount", "lots")])
        .await;
    let refund = order("demo-legacy-3", "refund");
    w.submit("admin", admin, &refund, &[("amount", "10")]).await;
    let cancel = order("demo-legacy-3", "cancel");
    w.submit("admin", admin, &cancel, &[]).await;
    // A later sunset: refused, then asked for (support's pages then show it).
    let extension = store(STORE, "/extension");
    w.submit(
        "admin",
        admin,
        &extension,
        &[("date", "2099-01-01"), ("reason", "")],
    )
    .await;
    w.submit(
        "admin",
        admin,
        &extension,
        &[("date", "2027-03-01"), ("reason", "#2026-42-44")],
    )
    .await;
    w.get("admin", admin, &extension).await;
}

/// Support: answers a request, imports a broken report, acts without a reason.
async fn support(w: &mut Walk, app: &TestApp, agent: &TestApp) {
    let request = app
        .scalar("SELECT COALESCE(MAX(id), 0) FROM support_requests")
        .await;
    if request > 0 {
        let status = format!("/support/requests/{request}/status");
        let answer = [("status", "closed"), ("reason", "OK: 42-42-42.")];
        w.submit("support", agent, &status, &answer).await;
        w.submit("support", agent, &status, &[("status", "closed")])
            .await;
    }
    let extension = app
        .scalar("SELECT COALESCE(MAX(id), 0) FROM sunset_extensions")
        .await;
    let decide = format!("/support/extensions/{extension}");
    w.submit(
        "support",
        agent,
        &decide,
        &[("decision", "approve"), ("reason", "")],
    )
    .await;
    let console = |p: &str| store(STORE, &format!("/support/{p}"));
    w.submit("support", agent, &console("remind"), &[]).await;
    let reason = [("reason", "#2026-42-42")];
    w.submit("support", agent, &console("resend-link"), &reason)
        .await;
    let change = [("reason", "#2026-42-43"), ("new_email", "nope")];
    w.submit("support", agent, &console("change-admin"), &change)
        .await;
    let broken = "merchant_id;payment_reference\n555001;PR-1\n";
    let csrf = agent.get(&store(LEGACY, "/legacy")).await.csrf();
    let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "report",
        reqwest::multipart::Part::bytes(broken.as_bytes().to_vec()).file_name("r.csv"),
    );
    let page = agent
        .multipart(&store(LEGACY, "/legacy/reports"), form)
        .await;
    w.page("support", "a broken settlement report", &page);
}

async fn walk(lang: &str) -> Walk {
    let app = spawn_app().await;
    cast(&app, lang).await;
    let mut w = Walk {
        detector: Detector::for_lang(lang),
        found: Vec::new(),
        read: 0,
    };
    let visitor = app.browser_in(lang);
    for p in ["/signin", "/no-such-page"] {
        w.get("visitor", &visitor, p).await;
    }
    let csrf = visitor.get("/signin").await.csrf();
    let refused = visitor
        .post("/signin", &[("csrf", &csrf), ("email", "no-at-sign")])
        .await;
    w.page("visitor", "a bad email", &refused);
    let forged = visitor.post("/language", &[("lang", lang)]).await;
    w.page("visitor", "a form without its token", &forged);

    let admin = person(&app, lang, ADMIN).await;
    upgrade(&mut w, &app, &admin).await;
    legacy(&mut w, &app, &admin).await;
    let user = person(&app, lang, ACCOUNTANT).await;
    every_page(&mut w, &app, "store user", &user).await;
    let only_admin = store(STORE, "/upgrade/credentials/rotate");
    w.submit("store user", &user, &only_admin, &[]).await;
    let agent = person(&app, lang, SUPPORT).await;
    support(&mut w, &app, &agent).await;
    every_page(&mut w, &app, "support", &agent).await;
    let partner = person(&app, lang, PARTNER).await;
    every_page(&mut w, &app, "partner", &partner).await;
    w.submit("partner", &partner, "/partner/nudge", &[("store", STORE)])
        .await;
    let hook = [("url", "http://127.0.0.1/hook")];
    w.submit("partner", &partner, "/partner/api/webhooks", &hook)
        .await;
    let operator = person(&app, lang, OPERATOR).await;
    every_page(&mut w, &app, "operator", &operator).await;
    for fields in [
        [("email", "bad"), ("role", "support"), ("partner", "")],
        [
            ("email", "new@platform.example"),
            ("role", "partner"),
            ("partner", ""),
        ],
        [("email", SUPPORT), ("role", "support"), ("partner", "")],
    ] {
        w.submit("operator", &operator, "/staff", &fields).await;
    }
    w.submit(
        "operator",
        &operator,
        "/staff/disable",
        &[("email", OPERATOR)],
    )
    .await;

    // The emails the walk caused, to the people who chose the language.
    app.settle().await;
    let cast = [ADMIN, ACCOUNTANT, PARTNER, SUPPORT, OPERATOR, SUPPORT_DESK];
    let mut read = 0;
    for (to, text) in emails(&app.mail_dir) {
        if cast.iter().any(|c| to.contains(c)) {
            w.check(&format!("email to {to}"), vec![text]);
            read += 1;
        }
    }
    // At least the sign-in links for all five, the support request, its answer and the
    // completed upgrade.
    assert!(read >= 8, "the walk read only {read} emails");
    w
}

async fn assert_no_english(lang: &str) {
    let w = walk(lang).await;
    assert!(w.read > 150, "the walk read only {} texts", w.read);
    assert!(
        w.found.is_empty(),
        "English in the {lang} walk ({} places):\n{}",
        w.found.len(),
        w.found.join("\n")
    );
}

#[tokio::test]
async fn everything_a_swedish_reader_sees_is_swedish() {
    assert_no_english("sv").await;
}

#[tokio::test]
async fn everything_a_norwegian_reader_sees_is_norwegian() {
    assert_no_english("nb").await;
}

#[tokio::test]
async fn everything_a_finnish_reader_sees_is_finnish() {
    assert_no_english("fi").await;
}

#[tokio::test]
async fn everything_a_danish_reader_sees_is_danish() {
    assert_no_english("da").await;
}

#[tokio::test]
async fn everything_a_german_reader_sees_is_german() {
    assert_no_english("de").await;
}

#[tokio::test]
async fn everything_a_spanish_reader_sees_is_spanish() {
    assert_no_english("es").await;
}

/// Support's timeline of a store whose platform calls failed and whose emails could not
/// be delivered: each says so in the agent's language. The delivery errors themselves
/// (English from the relay or the HTTP library) are the operators', in the log.
#[tokio::test]
async fn failed_calls_and_deliveries_on_supports_timeline_are_in_the_agents_language() {
    use switchyard::{
        domain::delivery::Failure,
        mail::Email,
        store::{self, outbox::Lane},
    };
    let app = spawn_app().await;
    app.add_staff(SUPPORT, StaffRole::Support, None).await;
    let at = switchyard::domain::rfc3339(store::now());
    let (status, _) = app
        .deliver(&serde_json::json!({
            "id": "evt_refused_call", "type": "api.call", "created_at": at,
            "data": {"legacy_store_id": STORE, "service": "settlement",
                     "endpoint": "/settlements/v1/reports", "status": 401}
        }))
        .await;
    assert_eq!(status, StatusCode::OK);
    // One email still being tried after a refused connection, and one given up on: each
    // written as the delivery worker writes it, in the transaction that queues it.
    let store_id = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '4711'")
        .await;
    let mut tx = app.db.begin().await.unwrap();
    for (key, subject) in [("failing", "#1"), ("dropped", "#2")] {
        let email = Email {
            to: ADMIN.into(),
            subject: subject.into(),
            text: "Hello".into(),
        };
        store::outbox::enqueue(&mut tx, Lane::Transactional, key, &email, Some(store_id))
            .await
            .unwrap();
        // Claimed once, as the worker does before it tries.
        let id: i64 = sqlx::query_scalar(
            "UPDATE outbox SET attempts = 1 WHERE idempotency_key = $1 RETURNING id",
        )
        .bind(key)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        if key == "failing" {
            let error = ("Connection refused (os error 111)", &Failure::Connect);
            store::outbox::mark_failed(&mut *tx, id, error, store::now() + 86_400)
                .await
                .unwrap();
        } else {
            store::outbox::mark_dropped(&mut *tx, id, "refused for good: 550 no such user")
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();

    let agent = person(&app, "sv", SUPPORT).await;
    for lang in ["sv", "nb", "fi", "da", "de", "es"] {
        let chosen = agent.submit("/language", &[("lang", lang)]).await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
        let timeline = agent.get(&store(STORE, "/timeline")).await;
        assert_eq!(timeline.status, StatusCode::OK, "{lang}");
        let mut w = Walk {
            detector: crate::english::Detector::for_lang(lang),
            found: Vec::new(),
            read: 0,
        };
        w.page("support", "the timeline", &timeline);
        assert!(w.found.is_empty(), "{lang}: {}", w.found.join("\n"));
        let text = visible_text(&timeline.body).join(" ");
        for leak in ["console.", "Connection refused", "no such user"] {
            assert!(!text.contains(leak), "{lang}: {leak:?} in {text}");
        }
        // The failed call names its service in the reader's words, and its status.
        assert!(text.contains("401"), "{lang}: {text}");
    }
    // The email given up on is not reported sent.
    agent.submit("/language", &[("lang", "en")]).await;
    let text = visible_text(&agent.get(&store(STORE, "/timeline")).await.body).join(" ");
    assert!(text.contains("Not delivered, given up: #2"), "{text}");
    assert!(!text.contains("Sent: #2"), "{text}");
    assert!(
        text.contains("Not delivered yet (1 attempt, no connection): #1"),
        "{text}"
    );
    assert!(
        text.contains("Settlement reports /settlements/v1/reports answered 401"),
        "{text}"
    );
}
