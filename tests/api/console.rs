//! The support console: stalled upgrades, the store timeline, and the actions, each of
//! which needs a reason and is audited with it.

use reqwest::StatusCode;
use switchyard::domain::access::StaffRole;

use crate::helpers::{ADMIN, STORE, TestApp, path, spawn_app};

pub(crate) const AGENT: &str = "agent@support.example";
const DAY: i64 = 86_400;

impl TestApp {
    pub(crate) async fn agent(&self) -> TestApp {
        self.add_staff(AGENT, StaffRole::Support, None).await;
        let b = self.another_browser();
        b.sign_in(AGENT).await;
        b
    }

    async fn audited(&self, action: &str) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = $1 AND actor = $2 ORDER BY id",
        )
        .bind(action)
        .bind(AGENT)
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
    }

    async fn accept_terms_of(&self, eid: &str) {
        let terms = self.get(&format!("/stores/{eid}/upgrade/terms")).await;
        let sha = crate::helpers::between(&terms.body, "name=\"sha256\" value=\"", "\"").unwrap();
        self.submit(
            &format!("/stores/{eid}/upgrade/terms"),
            &[("path", "kpm-kp"), ("sha256", &sha), ("accept", "yes")],
        )
        .await
        .assert_redirect_to(&format!("/stores/{eid}/upgrade/account"));
    }

    async fn wait_for_emails(&self, to: &str, n: usize) {
        for _ in 0..100 {
            if self.emails_to(to) >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn every_support_action_needs_a_reason_and_is_audited_with_it() {
    let app = spawn_app().await;
    let admin = app.another_browser();
    let shown = admin.admin_waiting_for_purchase().await;
    let agent = app.agent().await;
    let act = |action: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let agent = &agent;
        async move {
            agent
                .submit(&path(&format!("/support/{action}")), &fields)
                .await
        }
    };

    // No reason, no action.
    let refused = act("remind", vec![("reason", "hi")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has("Give a reason"), "{}", refused.body);
    assert!(app.audited("support.reminder_sent").await.is_empty());

    let emails = app.emails_to(ADMIN);
    act(
        "resend-link",
        vec![("reason", "Admin lost the email (ticket 4411)")],
    )
    .await
    .assert_redirect_to(&path("/timeline"));
    act(
        "remind",
        vec![("reason", "Stuck on the test purchase for a week")],
    )
    .await
    .assert_redirect_to(&path("/timeline"));
    app.wait_for_emails(ADMIN, emails + 2).await;
    assert_eq!(app.emails_to(ADMIN), emails + 2);

    // Verifying by hand needs a reference, and completes the upgrade.
    let no_reference = act(
        "verify-purchase",
        vec![("reason", "Seen in the platform's back office")],
    )
    .await;
    assert_eq!(no_reference.status, StatusCode::UNPROCESSABLE_ENTITY);
    act(
        "verify-purchase",
        vec![
            ("reason", "Seen in the platform's back office"),
            ("reference", "ORD-77-1234"),
        ],
    )
    .await
    .assert_redirect_to(&path("/timeline"));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM upgrades u JOIN stores s ON s.id = u.store_id WHERE s.legacy_store_id = '{STORE}' AND u.step = 'complete'"
        ))
        .await,
        1
    );
    let again = act(
        "verify-purchase",
        vec![("reason", "twice by mistake"), ("reference", "X")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    act(
        "revoke-credentials",
        vec![("reason", "Password pasted in a public forum")],
    )
    .await
    .assert_redirect_to(&path("/timeline"));
    let (status, _) = {
        let res = app
            .client
            .post(app.url("/sandbox/v1/orders"))
            .basic_auth(&shown.username, Some(&shown.password))
            .json(&serde_json::json!({"amount": 100, "currency": "SEK", "country": "SE"}))
            .send()
            .await
            .unwrap();
        (res.status(), ())
    };
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "revoked credentials no longer work"
    );

    for (action, reason) in [
        (
            "support.sign_in_link_resent",
            "Admin lost the email (ticket 4411)",
        ),
        (
            "support.reminder_sent",
            "Stuck on the test purchase for a week",
        ),
        (
            "support.purchase_verified",
            "Seen in the platform's back office",
        ),
        (
            "support.credentials_revoked",
            "Password pasted in a public forum",
        ),
    ] {
        let details = app.audited(action).await;
        assert_eq!(details.len(), 1, "{action} once");
        // Kept as the entry's arguments, so each reader sees it in their own language.
        let args: serde_json::Value = serde_json::from_str(&details[0]).unwrap();
        assert_eq!(args["reason"], reason, "{action}: {details:?}");
    }

    // The timeline has it all, from every source, and only support sees it.
    let timeline = agent.get(&path("/timeline")).await;
    for kind in ["audit", "email"] {
        assert!(
            timeline.has(&format!("data-kind=\"{kind}\"")),
            "{kind} in {}",
            timeline.body
        );
    }
    assert!(
        timeline.has("Support confirmed the test purchase (reference ORD-77-1234)."),
        "{}",
        timeline.body
    );
    assert_eq!(
        admin.get(&path("/timeline")).await.status,
        StatusCode::FORBIDDEN
    );
    let forged = agent
        .post(&path("/support/remind"), &[("reason", "no token at all")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_new_admin_takes_over_only_after_confirming_by_link() {
    let app = spawn_app().await;
    let agent = app.agent().await;
    const NEW: &str = "ny.chef@kaffebaren.example";
    let bad = agent
        .submit(
            &path("/support/change-admin"),
            &[
                ("reason", "Anna left the company"),
                ("new_email", "not an email"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    agent
        .submit(
            &path("/support/change-admin"),
            &[("reason", "Anna left the company"), ("new_email", NEW)],
        )
        .await
        .assert_redirect_to(&path("/timeline"));
    // Nothing changes until the new address confirms.
    let admin_now = || async {
        sqlx::query_scalar::<_, String>("SELECT admin_email FROM stores WHERE legacy_store_id = $1")
            .bind(STORE)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(admin_now().await, ADMIN);
    let link = app.wait_for_new_link(NEW, 0).await;
    assert!(link.contains("/admin-change?token="));
    // The file is written just before the row is marked sent.
    let mut kept = 1;
    for _ in 0..100 {
        kept = app
            .scalar("SELECT COUNT(*) FROM outbox WHERE body LIKE '%admin-change?token=%'")
            .await;
        if kept == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(kept, 0, "the link is wiped from the outbox once sent");
    let newcomer = app.another_browser();
    let page = newcomer.get(link.strip_prefix(&app.address).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has(NEW) && page.has("Kaffebaren"));
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let done = newcomer.submit("/admin-change", &[("token", &token)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.has("id=\"admin-changed\""));
    assert_eq!(admin_now().await, NEW);
    // Used once only.
    let reused = newcomer.submit("/admin-change", &[("token", &token)]).await;
    assert_eq!(reused.status, StatusCode::GONE);
    app.wait_for_emails(ADMIN, 1).await;
    assert_eq!(app.emails_to(ADMIN), 1, "the previous admin is told");
    assert!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'store.admin_changed' AND detail LIKE '%Anna left the company%'")
            .await
            == 1
    );
    // The new admin signs in and administers the store.
    newcomer.sign_in(NEW).await;
    assert_eq!(
        newcomer.get(&path("/upgrade/terms")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn stalled_upgrades_are_listed_oldest_first() {
    let app = spawn_app().await;
    for (eid, admin) in [(STORE, ADMIN), ("20240", "jonas@bergkristall.example")] {
        let b = app.another_browser();
        b.sign_in(admin).await;
        b.accept_terms_of(eid).await;
    }
    let now = switchyard::store::now();
    for (eid, days) in [(STORE, 9), ("20240", 20)] {
        sqlx::query("UPDATE upgrades SET progressed_at = $1 WHERE store_id = (SELECT id FROM stores WHERE legacy_store_id = $2)")
            .bind(now - days * DAY)
            .bind(eid)
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    let agent = app.agent().await;
    let page = agent.get("/support/stalled").await;
    let first = page.body.find("id=\"stalled-20240\"").expect("20 days");
    let second = page.body.find("id=\"stalled-4711\"").expect("9 days");
    assert!(first < second, "oldest first");
    let page = agent.get("/support/stalled?days=10").await;
    assert!(page.has("id=\"stalled-20240\"") && !page.has("id=\"stalled-4711\""));
    assert_eq!(
        agent.get("/support/stalled?days=abc").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoking_when_no_credential_is_in_use_says_nothing_was_revoked_or_emailed() {
    let app = spawn_app().await;
    let agent = app.agent().await;
    let emails = app.emails_to(ADMIN);
    agent
        .submit(
            &path("/support/revoke-credentials"),
            &[("reason", "Admin asked us to be sure")],
        )
        .await
        .assert_redirect_to(&path("/timeline"));
    let timeline = agent.get(&path("/timeline")).await;
    let said = crate::helpers::between(&timeline.body, "id=\"notice\">", "<");
    assert_eq!(
        said.as_deref(),
        Some(
            "The store had no credentials in use: nothing was revoked, and its administrator was not emailed."
        ),
        "{}",
        timeline.body
    );
    app.settle().await;
    assert_eq!(app.emails_to(ADMIN), emails, "no email went out");
}

#[tokio::test]
async fn a_sign_in_link_support_resends_signs_the_admin_in_from_any_browser() {
    let app = spawn_app().await;
    let agent = app.agent().await;
    let before = app.emails_to(ADMIN);
    agent
        .submit(
            &path("/support/resend-link"),
            &[("reason", "Admin lost the email (ticket 4412)")],
        )
        .await
        .assert_redirect_to(&path("/timeline"));
    let link = app.wait_for_new_link(ADMIN, before).await;
    assert!(link.contains("/auth/confirm?token="), "{link}");
    let path_of_link = link.strip_prefix(&app.address).unwrap();
    // The admin opens it in a browser that never asked for anything.
    let fresh = app.another_browser();
    let confirm = fresh.get(path_of_link).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let token = crate::helpers::between(&confirm.body, "name=\"token\" value=\"", "\"").unwrap();
    fresh
        .post(
            "/auth/confirm",
            &[("csrf", &confirm.csrf()), ("token", &token)],
        )
        .await
        .assert_redirect_to("/");
    assert!(fresh.get("/").await.has(ADMIN));
    // Once used, it is spent, in that browser and any other.
    let again = app.another_browser().get(path_of_link).await;
    assert_eq!(again.status, StatusCode::GONE);
}

/// An app whose admin waits for the test purchase, and a support agent signed in.
async fn at_purchase_with_agent() -> (TestApp, TestApp) {
    let app = spawn_app().await;
    app.another_browser().admin_waiting_for_purchase().await;
    let agent = app.agent().await;
    (app, agent)
}

/// Support marks the test purchase verified with `reference`.
async fn verify(agent: &TestApp, reference: &str) -> crate::helpers::Page {
    let fields = [
        ("reason", "Seen in the platform's back office"),
        ("reference", reference),
    ];
    agent
        .submit(&path("/support/verify-purchase"), &fields)
        .await
}

/// The decoded bodies of every email to `to` so far.
fn bodies_to(app: &TestApp, to: &str) -> Vec<String> {
    std::fs::read_dir(&app.mail_dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|t| t.contains(&format!("To: {to}")))
        .map(|t| crate::helpers::decode_body(&t))
        .collect()
}

#[tokio::test]
async fn verifying_a_purchase_by_hand_emails_the_admin_as_the_platforms_event_does() {
    let (app, agent) = at_purchase_with_agent().await;
    verify(&agent, "ORD-77-9876")
        .await
        .assert_redirect_to(&path("/timeline"));
    for _ in 0..100 {
        if bodies_to(&app, ADMIN)
            .iter()
            .any(|b| b.contains("ORD-77-9876"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let done: Vec<String> = bodies_to(&app, ADMIN)
        .into_iter()
        .filter(|b| b.contains("ORD-77-9876"))
        .collect();
    assert_eq!(done.len(), 1, "one completion email");
    // The store's language (Swedish here), with the link to the finished upgrade.
    assert!(
        done[0].contains("uppgraderingen av Kaffebaren är klar")
            && done[0].contains(
                "4711 förblir läsbar för rapporter och gamla ordrar tills den stängs den 2027-02-15"
            )
            && done[0].contains(&path("/upgrade")),
        "{}",
        done[0]
    );
}

#[tokio::test]
async fn a_purchase_is_not_verified_when_every_credential_is_revoked() {
    let (app, agent) = at_purchase_with_agent().await;
    agent
        .submit(
            &path("/support/revoke-credentials"),
            &[("reason", "Password pasted in a public forum")],
        )
        .await
        .assert_redirect_to(&path("/timeline"));
    let refused = verify(&agent, "ORD-77-1234").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.has("every API credential of this upgrade is revoked or expired"),
        "{}",
        refused.body
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM upgrades u JOIN stores s ON s.id = u.store_id WHERE s.legacy_store_id = '{STORE}' AND u.step = 'complete'"
        ))
        .await,
        0
    );
    assert!(app.audited("support.purchase_verified").await.is_empty());
}
