//! Switch-off rehearsals: the admin schedules one on the store's page, the platform (the
//! sandbox) refuses the legacy store's calls in its window with 410, and afterwards the
//! report names what called; cancelling before the start (admin or support), the rules a
//! window must keep, reminders, and the partner's view.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{ADMIN, STORE, TestApp, between, decode_body, path, spawn_app};

const ACCOUNTANT: &str = "accountant@kaffebaren.example";

/// The date and time fields for `at` (UTC: the test browser names no time zone).
fn when(at: i64) -> (String, String) {
    let t = time::OffsetDateTime::from_unix_timestamp(at).unwrap();
    (
        format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        format!("{:02}:{:02}", t.hour(), t.minute()),
    )
}

impl TestApp {
    pub(crate) async fn schedule_rehearsal(&self, at: i64, minutes: &str) -> crate::helpers::Page {
        let (date, time) = when(at);
        self.submit(
            &path("/rehearsals"),
            &[("date", &date), ("time", &time), ("minutes", minutes)],
        )
        .await
    }

    /// A call of the old plugin to the sandbox's legacy API; its status.
    pub(crate) async fn old_plugin_calls(&self, method: reqwest::Method, what: &str) -> StatusCode {
        self.client
            .request(
                method,
                self.url(&format!("/legacy/v1/stores/{STORE}/{what}")),
            )
            .basic_auth(STORE, Some("legacy-secret"))
            .header("user-agent", "OldPlugin/1.2 (WooCommerce)")
            .send()
            .await
            .unwrap()
            .status()
    }
}

fn rehearsal_id(location: &str) -> i64 {
    location.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_sandbox_refuses_legacy_calls_during_the_switch_off_and_the_report_names_them() {
    let app = spawn_app().await;
    app.partners().await;
    app.sign_in(ADMIN).await;
    let now = switchyard::store::now();
    // Outside any window the old plugin's calls are answered, and reported: the store's
    // table lists the legacy settlement fetch.
    assert_eq!(
        app.old_plugin_calls(reqwest::Method::GET, "settlements")
            .await,
        StatusCode::OK
    );
    let row = app
        .traffic_row(&path(""), "settlement", STORE)
        .await
        .expect("the legacy call is in the store's table");
    assert!(row.contains("OldPlugin/1.2 (WooCommerce)"), "{row}");

    let page = app.schedule_rehearsal(now + 2 * 3_600, "30").await;
    let location = page.location.clone().expect("redirected to the rehearsal");
    let id = rehearsal_id(&location);
    let shown = app.get(&location).await;
    assert!(
        shown.has("The switch-off rehearsal is scheduled."),
        "{}",
        shown.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_brownouts WHERE cancelled_at IS NULL")
            .await,
        1,
        "the platform was asked"
    );
    let pm = app.as_partner(crate::partner::PM).await;
    let listed = pm.get("/partner/rehearsals").await;
    let row = between(&listed.body, &format!("id=\"rehearsal-{id}\""), "</tr>")
        .unwrap_or_else(|| panic!("the partner sees the scheduled rehearsal: {}", listed.body));
    assert!(row.contains("Scheduled"), "{row}");
    let again = app.schedule_rehearsal(now + 5 * 3_600, "15").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.has("A rehearsal is already scheduled for this store"));

    // The window comes: the old plugin's calls are refused with 410.
    let start = switchyard::store::now();
    app.move_rehearsal(id, start - 60, start + 60).await;
    assert_eq!(
        app.old_plugin_calls(reqwest::Method::GET, "settlements")
            .await,
        StatusCode::GONE
    );
    assert_eq!(
        app.old_plugin_calls(reqwest::Method::POST, "orders").await,
        StatusCode::GONE
    );
    assert_eq!(
        app.old_plugin_calls(reqwest::Method::GET, "settlements")
            .await,
        StatusCode::GONE
    );
    // Started: it can no longer be cancelled.
    let late = app
        .submit(&path(&format!("/rehearsals/{id}/cancel")), &[])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.has("it can no longer be cancelled"));

    // It ends by itself (brought forward to the next second, so that however long the
    // calls above took, they fell inside it); the chores write the report.
    app.end_rehearsal(id, start - 60).await;
    assert_eq!(
        app.old_plugin_calls(reqwest::Method::GET, "settlements")
            .await,
        StatusCode::OK,
        "answered again after the window"
    );
    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(Duration::from_millis(100)))
        .await;
    app.wait_for_report(id).await;
    let report = app.get(&location).await;
    let verdict = between(&report.body, "id=\"verdict\"", "</p>").unwrap();
    assert!(verdict.contains("data-verdict=\"used\""), "{verdict}");
    assert!(verdict.contains("OldPlugin/1.2 (WooCommerce)"), "{verdict}");
    assert!(verdict.contains("3 calls were refused"), "{verdict}");
    let table = between(&report.body, "id=\"refused-calls\"", "</table>").unwrap();
    let settlement = between(&table, "data-service=\"settlement\"", "</tr>").unwrap();
    assert!(
        settlement.contains(">2<"),
        "two refused report fetches: {settlement}"
    );
    assert!(
        settlement.contains("/legacy/v1/stores/4711/settlements"),
        "the endpoint: {settlement}"
    );
    assert!(table.contains("data-service=\"checkout\""), "{table}");

    // The admin is told, in Swedish (the store's first country); everything is audited;
    // the partner sees it.
    let report_email = || {
        std::fs::read_dir(&app.mail_dir)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .filter(|t| t.contains(&format!("To: {ADMIN}")))
            .map(|t| decode_body(&t))
            .find(|t| t.contains("Avstängningsövningen för den gamla butiken 4711"))
    };
    let mut email = None;
    for _ in 0..100 {
        email = report_email();
        if email.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let email = email.expect("the admin gets the report by email");
    assert!(
        email.contains("3 anrop till den gamla butiken nekades") && email.contains(&location),
        "{email}"
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'rehearsal.%' ORDER BY id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, ["rehearsal.scheduled", "rehearsal.reported"]);
    let audit = app.get(&path("/audit")).await;
    assert!(
        audit.has("Switch-off rehearsal scheduled from"),
        "{}",
        audit.body
    );
    let listed = pm.get("/partner/rehearsals").await;
    let row = between(&listed.body, &format!("id=\"rehearsal-{id}\""), "</tr>").unwrap();
    assert!(
        row.contains("3 calls refused") && row.contains("Ended"),
        "{row}"
    );
}

#[tokio::test]
async fn a_window_keeps_the_rules_and_is_cancelled_before_it_starts_by_the_admin_or_support() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let now = switchyard::store::now();
    for (at, minutes, says) in [
        (now + 600, "30", "at least an hour from now"),
        (now + 7_200, "45", "Choose 15, 30 or 60 minutes."),
        // KPM's sunset in the tests' catalog is far ahead; a year and more is past it.
        (
            now + 5 * 365 * 86_400,
            "15",
            "more than 7 days before the sunset",
        ),
    ] {
        let page = app.schedule_rehearsal(at, minutes).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(page.has(says), "{says}: {}", page.body);
    }
    let page = app
        .submit(
            &path("/rehearsals"),
            &[("date", "tomorrow"), ("time", "noon"), ("minutes", "15")],
        )
        .await;
    assert!(page.has("Give the date and the start time."));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rehearsals").await, 0);

    // The admin cancels one; the platform's window goes with it.
    let id = rehearsal_id(
        &app.schedule_rehearsal(now + 3 * 3_600, "15")
            .await
            .location
            .unwrap(),
    );
    app.submit(&path(&format!("/rehearsals/{id}/cancel")), &[])
        .await
        .assert_redirect_to(&path("/rehearsals"));
    assert!(
        app.get(&path("/rehearsals"))
            .await
            .has("data-state=\"cancelled\"")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_brownouts WHERE cancelled_at IS NOT NULL")
            .await,
        1
    );
    // The same window scheduled again is a new one at the platform, not the cancelled one.
    let id = rehearsal_id(
        &app.schedule_rehearsal(now + 3 * 3_600, "15")
            .await
            .location
            .unwrap(),
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_brownouts WHERE cancelled_at IS NULL")
            .await,
        1,
        "the platform switches the store off again"
    );
    app.submit(&path(&format!("/rehearsals/{id}/cancel")), &[])
        .await
        .assert_redirect_to(&path("/rehearsals"));

    // Support cancels another from the store's timeline.
    let id = rehearsal_id(
        &app.schedule_rehearsal(now + 4 * 3_600, "60")
            .await
            .location
            .unwrap(),
    );
    let agent = app.agent().await;
    let timeline = agent.get(&path("/timeline")).await;
    assert!(
        timeline.has(&format!("id=\"cancel-rehearsal-{id}\"")),
        "{}",
        timeline.body
    );
    agent
        .submit(
            &format!("/support/stores/{STORE}/rehearsals/{id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM rehearsals WHERE id = {id} AND cancelled_by = '{}'",
            crate::console::AGENT
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'rehearsal.cancelled'")
            .await,
        3
    );
    // A store user who is not the admin may look but not schedule or cancel.
    app.submit(&path("/users"), &[("email", ACCOUNTANT)])
        .await
        .assert_redirect_to(&path("/users"));
    let id = rehearsal_id(
        &app.schedule_rehearsal(now + 5 * 3_600, "15")
            .await
            .location
            .unwrap(),
    );
    let accountant = app.another_browser();
    accountant.sign_in(ACCOUNTANT).await;
    let list = accountant.get(&path("/rehearsals")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has(&format!("/rehearsals/{id}")), "{}", list.body);
    let refused = accountant.schedule_rehearsal(now + 6 * 3_600, "15").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let refused = accountant
        .submit(&path(&format!("/rehearsals/{id}/cancel")), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rehearsals WHERE cancelled_at IS NULL")
            .await,
        1,
        "only the admin's own is scheduled, and it stands"
    );
    // Another store's admin does not even find it.
    let other = app.another_browser();
    other.sign_in(crate::helpers::OTHER_ADMIN).await;
    let refused = other.schedule_rehearsal(now + 3 * 3_600, "15").await;
    assert_eq!(
        refused.status,
        StatusCode::NOT_FOUND,
        "another store's admin"
    );
}

#[tokio::test]
async fn the_admin_is_reminded_before_the_start_and_told_when_nothing_used_the_legacy_store() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let now = switchyard::store::now();
    let id = rehearsal_id(
        &app.schedule_rehearsal(now + 2 * 3_600, "15")
            .await
            .location
            .unwrap(),
    );
    // Scheduled an hour ago for half an hour from now: the day-ahead point had passed
    // when it was scheduled, the hour-ahead one has come.
    sqlx::query("UPDATE rehearsals SET scheduled_at = $1, starts_at = $2, ends_at = $3")
        .bind(now - 3_600)
        .bind(now + 1_800)
        .bind(now + 2_700)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(Duration::from_millis(100)))
        .await;
    let reminders =
        || app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'rehearsal:%:1h'");
    for _ in 0..100 {
        if reminders().await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(reminders().await, 1, "once, however often the chores look");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'rehearsal:%:24h'")
            .await,
        0
    );

    // The window passes with no legacy call.
    let start = switchyard::store::now();
    app.move_rehearsal(id, start - 900, start - 1).await;
    app.wait_for_report(id).await;
    let report = app.get(&path(&format!("/rehearsals/{id}"))).await;
    let verdict = between(&report.body, "id=\"verdict\"", "</p>").unwrap();
    assert!(verdict.contains("data-verdict=\"unused\""), "{verdict}");
    assert!(!report.has("id=\"refused-calls\""));
}

/// A platform that cannot be reached: the admin is told in their language, and nothing is
/// scheduled or audited (a rehearsal the platform never heard of would not happen).
#[tokio::test]
async fn a_platform_that_cannot_be_reached_schedules_nothing_and_says_so_in_the_readers_words() {
    // Nothing listens on the discard port.
    let app =
        crate::helpers::spawn_app_with(|c| c.platform.url = Some("http://127.0.0.1:9".into()))
            .await;
    let swedish = app.browser_in("sv");
    swedish.sign_in(ADMIN).await;
    let now = switchyard::store::now();
    let page = swedish.schedule_rehearsal(now + 2 * 3_600, "30").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.has("Plattformen kunde inte ombes stänga av den gamla butiken."),
        "{}",
        page.body
    );
    assert!(
        !page.has("could not be reached"),
        "no English from the client: {}",
        page.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rehearsals").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'rehearsal.%'")
            .await,
        0
    );
}

/// A window the platform booked but Switchyard could not record would switch the store
/// off unannounced: it is cancelled at the platform again.
#[tokio::test]
async fn a_window_that_cannot_be_recorded_is_not_left_booked_at_the_platform() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    // The database refuses the rehearsal's audit entry, as a full disk would.
    app.refuse_inserts("audit_log", "NEW.action = 'rehearsal.scheduled'")
        .await;
    let now = switchyard::store::now();
    let page = app.schedule_rehearsal(now + 3 * 3_600, "15").await;
    assert_eq!(
        page.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        page.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rehearsals").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_brownouts WHERE cancelled_at IS NULL")
            .await,
        0,
        "the platform does not switch the store off"
    );
    // Once the database takes it, the same form again schedules it for real: a new
    // window at the platform, not the cancelled one.
    app.allow_inserts("audit_log").await;
    let page = app.schedule_rehearsal(now + 3 * 3_600, "15").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rehearsals").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sandbox_brownouts WHERE cancelled_at IS NULL")
            .await,
        1,
        "the platform switches the store off in the recorded window"
    );
}
