//! Every action says what it did on the page the person lands on; the legacy store's
//! order actions act once per click (and not again for a form sent twice), an order
//! cancelled at expiry can be restored, and a store nobody may see answers exactly like
//! one that does not exist.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, OTHER_ADMIN, STORE, TestApp, between, path, spawn_app};

const DAY: i64 = 86_400;

impl TestApp {
    /// The fields of `order`'s `action` form on the legacy page, as the page shows them.
    async fn order_form(&self, order: &str, action: &str) -> Vec<(String, String)> {
        let page = self.get(&path("/legacy")).await;
        let form = between(
            &page.body,
            &format!("/legacy/orders/{order}/{action}\""),
            "</form>",
        )
        .unwrap_or_else(|| panic!("no {action} form for {order}: {}", page.body));
        // The state the page showed goes with the form (a page without it sends none).
        let mut fields = vec![("csrf".to_owned(), page.csrf())];
        if let Some(seen) = between(&form, "name=\"seen\" value=\"", "\"") {
            fields.push(("seen".into(), seen));
        }
        fields
    }

    async fn send(&self, order: &str, action: &str, fields: &[(String, String)]) -> String {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let sent = self
            .post(&path(&format!("/legacy/orders/{order}/{action}")), &fields)
            .await;
        sent.assert_redirect_to(&path(&format!("/legacy#order-{order}")));
        self.get(&path("/legacy")).await.body
    }

    async fn expires_at(&self, order: &str) -> i64 {
        self.scalar(&format!(
            "SELECT expires_at FROM sandbox_orders WHERE order_id = '{order}'"
        ))
        .await
    }

    async fn audit_count(&self, action: &str) -> i64 {
        self.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
        ))
        .await
    }
}

/// The notice the page shows after an action, if any.
fn notice(body: &str) -> Option<String> {
    between(body, "id=\"notice\">", "<")
}

#[tokio::test]
async fn each_click_on_extend_moves_the_expiry_and_a_form_sent_twice_changes_nothing() {
    let app = spawn_app().await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    app.sign_in(ADMIN).await;
    let first = app.expires_at("leg-1").await;

    let mut fields = Vec::new();
    for click in 1..=3 {
        fields = app.order_form("leg-1", "extend").await;
        let landed = app.send("leg-1", "extend", &fields).await;
        assert_eq!(app.expires_at("leg-1").await, first + click * 28 * DAY);
        let said = notice(&landed).unwrap_or_else(|| panic!("no notice: {landed}"));
        assert!(said.contains("leg-1 is extended"), "{said}");
    }
    assert_eq!(app.audit_count("legacy_order.extend").await, 3);
    // Shown once: the next page is quiet.
    assert_eq!(notice(&app.get(&path("/legacy")).await.body), None);

    // The last form again (a double click, a resent form): the platform replays it.
    let landed = app.send("leg-1", "extend", &fields).await;
    let said = notice(&landed).unwrap_or_else(|| panic!("no notice: {landed}"));
    assert!(said.starts_with("Nothing changed"), "{said}");
    assert_eq!(app.expires_at("leg-1").await, first + 3 * 28 * DAY);
    assert_eq!(
        app.audit_count("legacy_order.extend").await,
        3,
        "nothing done, nothing audited"
    );
}

#[tokio::test]
async fn an_order_cancelled_at_expiry_is_restored_for_28_days_and_others_say_why_not() {
    let app = spawn_app().await;
    app.legacy_order("leg-expired", 20_000, 0, 30).await;
    app.legacy_order("leg-captured", 20_000, 20_000, 30).await;
    app.legacy_order("leg-open", 20_000, 0, 2).await;
    app.sign_in(ADMIN).await;

    let fields = app.order_form("leg-expired", "restore").await;
    let landed = app.send("leg-expired", "restore", &fields).await;
    let said = notice(&landed).unwrap_or_else(|| panic!("no notice: {landed}"));
    assert!(said.contains("leg-expired is restored"), "{said}");
    let expires = app.expires_at("leg-expired").await;
    let now = switchyard::store::now();
    assert!((expires - (now + 28 * DAY)).abs() < 60, "28 days from now");
    assert!(
        between(&landed, "id=\"order-leg-expired\" data-status=\"", "\"").as_deref()
            == Some("authorized"),
        "{landed}"
    );
    assert_eq!(app.audit_count("legacy_order.restore").await, 1);

    let refused = app
        .submit(&path("/legacy/orders/leg-captured/restore"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.has("was captured, so it cannot be restored"),
        "{}",
        refused.body
    );

    let cancel = app.order_form("leg-open", "cancel").await;
    let landed = app.send("leg-open", "cancel", &cancel).await;
    assert!(notice(&landed).is_some_and(|n| n.contains("leg-open is cancelled")));
    let refused = app
        .submit(&path("/legacy/orders/leg-open/restore"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.has("cancelled by hand"), "{}", refused.body);
    assert_eq!(app.audit_count("legacy_order.restore").await, 1);
}

#[tokio::test]
async fn capture_and_refund_say_what_they_did_on_the_page() {
    let app = spawn_app().await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    app.sign_in(ADMIN).await;
    let mut capture = app.order_form("leg-1", "capture").await;
    capture.push(("amount".into(), "400.00".into()));
    let landed = app.send("leg-1", "capture", &capture).await;
    let said = notice(&landed).unwrap_or_else(|| panic!("no notice: {landed}"));
    assert!(
        said.starts_with("Captured SEK\u{a0}400.00 of order leg-1"),
        "{said}"
    );

    let mut refund = app.order_form("leg-1", "refund").await;
    refund.push(("amount".into(), "100.00".into()));
    refund.push(("invoiced".into(), "yes".into()));
    let landed = app.send("leg-1", "refund", &refund).await;
    let said = notice(&landed).unwrap_or_else(|| panic!("no notice: {landed}"));
    assert!(
        said.starts_with("Refunded SEK\u{a0}100.00 of order leg-1"),
        "{said}"
    );
}

#[tokio::test]
async fn a_swedish_admin_reads_the_amount_done_the_swedish_way() {
    let app = spawn_app().await;
    app.legacy_order("leg-1", 100_000, 0, 2).await;
    let swede = app.browser_in("sv");
    swede.sign_in(ADMIN).await;
    let mut capture = swede.order_form("leg-1", "capture").await;
    capture.push(("amount".into(), "400,00".into()));
    let landed = swede.send("leg-1", "capture", &capture).await;
    let said = notice(&landed).unwrap_or_else(|| panic!("no notice: {landed}"));
    assert!(said.contains("400,00\u{a0}kr"), "{said}");
    assert!(!said.contains("SEK"), "{said}");
}

/// The page at `p`, with this request's id taken out.
async fn without_request_id(app: &TestApp, p: &str) -> (StatusCode, String) {
    let res = app.client.get(app.url(p)).send().await.unwrap();
    let status = res.status();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    (status, res.text().await.unwrap().replace(&id, "REQUEST-ID"))
}

#[tokio::test]
async fn a_store_you_cannot_see_answers_exactly_like_a_store_that_does_not_exist() {
    let app = spawn_app().await;
    app.sign_in(OTHER_ADMIN).await;
    assert_ne!(STORE, "4799");
    for page in [
        "",
        "/legacy",
        "/upgrade",
        "/users",
        "/upgrade/trouble",
        "/timeline",
    ] {
        let hidden = without_request_id(&app, &format!("/stores/{STORE}{page}")).await;
        let missing = without_request_id(&app, &format!("/stores/4799{page}")).await;
        assert_eq!(hidden.0, StatusCode::NOT_FOUND, "{page}");
        assert_eq!(hidden, missing, "{page}");
    }
}

impl TestApp {
    /// How many emails to `to` wait in (or went through) the outbox with `text` in them.
    async fn mail_with(&self, to: &str, text: &str) -> i64 {
        self.scalar(&format!(
            "SELECT COUNT(*) FROM outbox WHERE recipient = '{to}' AND body LIKE '%{text}%'"
        ))
        .await
    }
}

#[tokio::test]
async fn revoking_asks_first_warns_on_the_last_live_one_emails_the_admin_and_the_username_is_gone()
{
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/credentials")).await;
    // Live credentials are issued first, so the first revoke form is the live one.
    let id = between(&page.body, "/upgrade/credentials/", "/revoke\"").unwrap();
    let revoke = path(&format!("/upgrade/credentials/{id}/revoke"));

    let asked = app.submit(&revoke, &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked.has(&format!("Revoke {}?", shown.username)),
        "{}",
        asked.body
    );
    assert!(asked.has("id=\"last-live-credential\"") && asked.has("payments stop working"));
    assert!(asked.has("name=\"confirm\" value=\"yes\""));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM api_credentials WHERE revoked_at IS NOT NULL")
            .await,
        0,
        "asking revokes nothing"
    );

    let done = app.submit(&revoke, &[("confirm", "yes")]).await;
    done.assert_redirect_to(&path("/upgrade/credentials"));
    let landed = app.get(&path("/upgrade/credentials")).await;
    let said = notice(&landed.body).unwrap_or_else(|| panic!("no notice: {}", landed.body));
    assert!(
        said.contains(&format!("Revoked {}", shown.username)),
        "{said}"
    );
    assert_eq!(app.mail_with(ADMIN, &shown.username).await, 1);
    assert_eq!(app.mail_with(ADMIN, ADMIN).await, 1, "says who revoked it");

    let purchase = app.get(&path("/upgrade/test-purchase")).await;
    assert_eq!(purchase.status, StatusCode::OK);
    assert!(!purchase.has(&shown.username), "{}", purchase.body);
    assert!(
        purchase.has("id=\"no-active-credential\""),
        "{}",
        purchase.body
    );
    assert!(purchase.has(&format!("href=\"/stores/{STORE}/upgrade/credentials\"")));
}

#[tokio::test]
async fn support_revoking_credentials_emails_the_admin_too() {
    let app = spawn_app().await;
    let shown = app.admin_waiting_for_purchase().await;
    // The admin reads times in Tokyo: the email says when in their zone.
    app.submit("/account/time-zone", &[("time_zone", "Asia/Tokyo")])
        .await
        .assert_redirect_to("/account#time-zone");
    const AGENT: &str = "agent@support.example";
    app.add_staff(AGENT, switchyard::domain::access::StaffRole::Support, None)
        .await;
    let support = app.another_browser();
    support.sign_in(AGENT).await;
    let sent = support
        .submit(
            &path("/support/revoke-credentials"),
            &[("reason", "Password pasted in a public forum")],
        )
        .await;
    let landed = support.get(&sent.location.unwrap()).await;
    let said = notice(&landed.body).unwrap_or_else(|| panic!("no notice: {}", landed.body));
    assert!(said.contains("credentials were revoked"), "{said}");
    assert_eq!(app.mail_with(ADMIN, &shown.username).await, 1);
    // Said as the team, in the admin's words: no agent's address leaves support.
    assert_eq!(app.mail_with(ADMIN, AGENT).await, 0);
    let teams: std::collections::BTreeSet<String> = switchyard::i18n::Lang::ALL
        .into_iter()
        .map(|lang| switchyard::i18n::Tr::new(lang).t("email.credentials_revoked.by_support"))
        .collect();
    let mut by_team = 0;
    for team in &teams {
        by_team += app.mail_with(ADMIN, team).await;
    }
    assert_eq!(by_team, 1);
    assert_eq!(
        app.mail_with(ADMIN, " JST").await,
        1,
        "the time in the admin's zone"
    );
}

#[tokio::test]
async fn inviting_and_removing_a_user_say_so_on_the_users_page() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.submit(&path("/users"), &[("email", "bo@example.com")])
        .await
        .assert_redirect_to(&path("/users"));
    let landed = app.get(&path("/users")).await;
    let said = notice(&landed.body).unwrap_or_else(|| panic!("no notice: {}", landed.body));
    assert!(said.starts_with("Invited bo@example.com"), "{said}");
    let member = between(&landed.body, "/users/", "/remove\"").unwrap();
    app.submit(&path(&format!("/users/{member}/remove")), &[])
        .await
        .assert_redirect_to(&path("/users"));
    let landed = app.get(&path("/users")).await;
    let said = notice(&landed.body).unwrap_or_else(|| panic!("no notice: {}", landed.body));
    assert!(said.starts_with("Removed bo@example.com"), "{said}");
}

#[tokio::test]
async fn a_sent_support_request_says_what_was_sent() {
    use crate::support::{file, png};
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    let sent = app
        .send_request(
            "The checkout shows an error after I pay.",
            "BAD_CREDENTIALS",
            vec![file(png(), "checkout.png", "image/png")],
        )
        .await;
    assert!(sent.status.is_redirection(), "{}", sent.body);
    let landed = app.get(&sent.location.unwrap()).await;
    let said = notice(&landed.body).unwrap_or_else(|| panic!("no notice: {}", landed.body));
    for part in [
        "Support request #",
        "The checkout shows an error after I pay.",
        "BAD_CREDENTIALS",
        "checkout.png",
    ] {
        assert!(said.contains(part), "{part} missing from {said}");
    }
}

#[tokio::test]
async fn a_support_request_is_a_thread_its_store_follows_and_nobody_else_sees() {
    use crate::support::{file, png};
    const AGENT: &str = "agent@support.example";
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    app.send_request(
        "The checkout shows an error after I pay.",
        "BAD_CREDENTIALS",
        vec![file(png(), "checkout.png", "image/png")],
    )
    .await;
    let id = app.scalar("SELECT id FROM support_requests").await;
    let thread = path(&format!("/support-requests/{id}"));
    let shot = format!("{thread}/screenshots/1");
    let trouble = app.get(&path("/upgrade/trouble")).await;
    assert!(
        trouble.has(&format!("href=\"{thread}\"")),
        "{}",
        trouble.body
    );
    assert!(trouble.has("id=\"to-support-requests\""));
    assert!(app.get(&path("")).await.has("id=\"to-support-requests\""));
    let list = app.get(&path("/support-requests")).await;
    assert!(list.has(&format!("href=\"{thread}\"")), "{}", list.body);

    app.add_staff(AGENT, switchyard::domain::access::StaffRole::Support, None)
        .await;
    let support = app.another_browser();
    support.sign_in(AGENT).await;
    support
        .submit(
            &format!("/support/requests/{id}/status"),
            &[
                ("status", "in-progress"),
                ("reason", "Looking at the plugin logs"),
            ],
        )
        .await
        .assert_redirect_to(&format!("/support/requests/{id}"));

    let console = support.get(&format!("/support/requests/{id}")).await;
    assert!(
        console.has("class=\"message answer\" id=\"answer-"),
        "{}",
        console.body
    );
    let page = app.get(&thread).await;
    assert_eq!(page.status, StatusCode::OK);
    for part in [
        "The checkout shows an error after I pay.",
        "BAD_CREDENTIALS",
        "Looking at the plugin logs",
        "data-status=\"in-progress\"",
        &format!("href=\"{shot}\""),
    ] {
        assert!(page.has(part), "{part} missing from {}", page.body);
    }
    let image = app.client.get(app.url(&shot)).send().await.unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().to_vec(), png());

    // A user the admin invited reads it too.
    let store_id = app
        .scalar(&format!(
            "SELECT id FROM stores WHERE legacy_store_id = '{STORE}'"
        ))
        .await;
    switchyard::store::members::add(
        &app.db.pool,
        store_id,
        "bo@kaffebaren.example",
        ADMIN,
        false,
    )
    .await
    .unwrap();
    let member = app.another_browser();
    member.sign_in("bo@kaffebaren.example").await;
    assert_eq!(member.get(&thread).await.status, StatusCode::OK);

    // Another store's admin, and support outside its own pages, find nothing there.
    let other = app.another_browser();
    other.sign_in(OTHER_ADMIN).await;
    for who in [&other, &support] {
        for p in [path("/support-requests"), thread.clone(), shot.clone()] {
            assert_eq!(who.get(&p).await.status, StatusCode::NOT_FOUND, "{p}");
        }
    }
    let hidden = without_request_id(&other, &thread).await;
    let missing = without_request_id(&other, &format!("/stores/4799/support-requests/{id}")).await;
    assert_eq!(hidden, missing);
}
