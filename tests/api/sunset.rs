//! The sunset where merchants look: the countdown on My stores, the store overview, every
//! step's banner and the completion page, louder as the day comes; the store after the
//! sunset; and one rule for the legacy store's reports on both sides of the date.

use reqwest::StatusCode;
use switchyard::i18n::{Lang, format};

use crate::helpers::{ADMIN, STORE, TestApp, between, decode_body, path, spawn_app_with};
use crate::legacy::FIXTURE;

/// The app with KPM's sunset (store 4711's product) `days` from today, and that day.
async fn sunset_in(days: i64) -> (TestApp, String) {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    let app = spawn_app_with(|c| c.sunsets = vec![("KPM".into(), day)]).await;
    (app, format::date(Lang::En, day))
}

/// The part of `body` inside the element with `id`, up to its first closing `tag`.
fn part(body: &str, id: &str, tag: &str) -> String {
    between(body, &format!("id=\"{id}\""), &format!("</{tag}>"))
        .unwrap_or_else(|| panic!("no #{id} in {body}"))
}

#[tokio::test]
async fn my_stores_the_overview_and_every_step_count_down_louder_near_the_sunset() {
    for (days, level, label, words) in [
        (
            120,
            "normal",
            "Sunset",
            "legacy store 4711 closes in 120 days",
        ),
        (
            60,
            "notice",
            "Notice",
            "legacy store 4711 closes in 60 days",
        ),
        (
            20,
            "warning",
            "Warning",
            "legacy store 4711 closes in 20 days",
        ),
        (7, "urgent", "Urgent", "legacy store 4711 closes in 7 days"),
        (1, "final", "Last day", "legacy store 4711 closes tomorrow"),
    ] {
        let (app, date) = sunset_in(days).await;
        app.sign_in(ADMIN).await;
        // The level is in the class and in words, never in colour alone.
        let shown = format!("level-{level}\" data-level=\"{level}\"><strong>{label}: </strong>");
        let said = format!("{shown}{words} — {date}");

        let home = app.get("/").await;
        assert!(home.has(&shown) && home.has(&said), "{days}: {}", home.body);
        let overview = part(&app.get(&path("")).await.body, "store-sunset", "p");
        assert!(
            overview.contains(&shown) && overview.contains(&said),
            "{overview}"
        );
        let terms = app.get(&path("/upgrade/terms")).await;
        let banner = part(&terms.body, "step-banner", "div");
        assert!(
            banner.contains(&shown) && banner.contains(&said),
            "{banner}"
        );
        if days == 7 {
            app.accept_terms().await;
            let account = app.get(&path("/upgrade/account")).await;
            let banner = part(&account.body, "step-banner", "div");
            assert!(banner.contains(&said), "every step: {banner}");
        }
    }
}

#[tokio::test]
async fn after_the_sunset_a_store_never_upgraded_reads_as_closed_and_can_still_upgrade() {
    let (app, date) = sunset_in(-1).await;
    app.sign_in(ADMIN).await;
    let closed = format!("Closed: </strong>legacy store 4711 closed on {date}");

    let home = app.get("/").await;
    let row = between(&home.body, "href=\"/stores/4711\"", "</li>").unwrap();
    assert!(!row.contains("Not started"), "{row}");
    assert!(row.contains("Legacy store closed, not upgraded") && row.contains(&closed));

    let overview = app.get(&path("")).await;
    assert!(!overview.has("about 15 minutes"), "{}", overview.body);
    let notice = part(&overview.body, "legacy-closed", "div");
    assert!(notice.contains(&format!("The legacy store 4711 closed on {date}.")));
    assert!(notice.contains("takes no more payments"));
    assert!(notice.contains("You can still upgrade to KP (Payments)"));
    assert!(notice.contains(&format!("href=\"{}\"", path("/upgrade/trouble"))));
    assert!(overview.has("id=\"start-upgrade\""));

    // The upgrade is still allowed after the sunset, and its banner says the store closed.
    let terms = app.get(&path("/upgrade/terms")).await;
    assert_eq!(terms.status, StatusCode::OK);
    assert!(part(&terms.body, "step-banner", "div").contains(&closed));
    app.accept_terms().await;
}

#[tokio::test]
async fn reports_download_until_the_sunset_and_after_it_only_support_has_them() {
    let downloads = |id: i64| {
        [
            format!("/legacy/reports/{id}"),
            format!("/legacy/reports/{id}/csv"),
            format!("/legacy/reports/{id}/json"),
            format!("/legacy/reports/{id}/pdf"),
            "/legacy/transactions?from=2026-01-01&to=2026-12-31".to_owned(),
            "/legacy/archive".to_owned(),
        ]
    };
    for (days, open) in [(1, true), (0, false), (-1, false)] {
        let (app, date) = sunset_in(days).await;
        let support = app.support().await;
        let uploaded = support.upload_report(FIXTURE.as_bytes()).await;
        assert!(uploaded.status.is_redirection(), "{}", uploaded.body);
        let id = app.scalar("SELECT MAX(id) FROM settlement_reports").await;
        app.sign_in(ADMIN).await;
        let page = app.get(&path("/legacy")).await;
        assert_eq!(page.has("id=\"settlement-reports\""), open, "{}", page.body);
        for p in downloads(id) {
            let (status, _, body) = app.bytes(&path(&p)).await;
            if open {
                assert_eq!(status, StatusCode::OK, "{p} the day before the sunset");
            } else {
                assert_eq!(
                    status,
                    StatusCode::CONFLICT,
                    "{p} {days} days from the sunset"
                );
                let said = String::from_utf8(body).unwrap();
                assert!(
                    said.contains(&format!("The legacy store closed on {date}: its settlement reports could be read and downloaded until then")),
                    "{said}"
                );
            }
            // Support keeps them, to send a merchant a copy.
            assert_eq!(support.bytes(&path(&p)).await.0, StatusCode::OK, "{p}");
        }
        if !open {
            // The countdown every page shows, and what the closing means here.
            assert!(
                page.has(&format!("legacy store {STORE} closed on {date}"))
                    && page.has("Its orders and settlement reports are no longer available here."),
                "{}",
                page.body
            );
            assert!(page.has("id=\"legacy-ask-support\""));
        }
    }
}

#[tokio::test]
async fn the_completion_page_cancels_the_test_order_first_then_lists_the_next_steps() {
    let (app, date) = sunset_in(40).await;
    let shown = app.admin_waiting_for_purchase().await;
    let account = app.get(&path("/upgrade/account")).await;
    assert!(
        account
            .has("Adding countries or the global solution after the upgrade goes through sales."),
        "{}",
        account.body
    );
    app.sandbox_purchase(&shown.username, &shown.password)
        .await
        .error_for_status()
        .unwrap();

    let done = app.get(&path("/upgrade/complete")).await;
    let at = |needle: &str| {
        done.body
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle} in {}", done.body))
    };
    assert!(done.has(&format!("legacy store 4711 closes in 40 days — {date}")));
    assert!(at("id=\"cancel-order\"") < at("id=\"next-steps\""));
    assert!(at("id=\"cancel-order\"") < at("Back to the store"));
    let next = part(&done.body, "next-steps", "section");
    assert!(next.contains(&format!(
        "Download the settlement reports of your legacy store 4711 before it closes on {date}."
    )));
    assert!(next.contains(&format!("href=\"{}\"", path("/legacy"))));
    assert!(next.contains("Keep the old plugin disabled"));
    assert!(next.contains("To add countries or the global solution later, contact sales"));
    assert!(next.contains("Refunds on legacy orders are invoiced to you"));

    // The store now runs on the new product and merchant ID; the legacy store is history.
    let overview = app.get(&path("")).await;
    assert!(!overview.has("Current product"), "{}", overview.body);
    assert!(overview.has("id=\"store-product\">KP (Payments)<"));
    assert!(overview.has(&format!("id=\"store-mid\">{}<", shown.mid)));
    assert!(overview.has(&format!("legacy store 4711 closes in 40 days — {date}")));
    let home = app.get("/").await;
    assert!(
        home.has(&format!("KP (Payments) · merchant ID {}", shown.mid)),
        "{}",
        home.body
    );
    assert!(!home.has("Legacy store ID 4711 · KPM"));
    assert!(home.has(&format!("legacy store 4711 closes in 40 days — {date}")));
}

/// Kaffebaren sells in Sweden, so its admin's email is in Swedish.
#[tokio::test]
async fn a_reminder_after_the_sunset_says_the_legacy_store_closed_not_that_it_stops() {
    let day = time::OffsetDateTime::now_utc().date() - time::Duration::days(3);
    let app = spawn_app_with(|c| c.sunsets = vec![("KPM".into(), day)]).await;
    let support = app.support().await;
    support
        .submit(
            &path("/support/remind"),
            &[("reason", "The sunset passed without an upgrade")],
        )
        .await
        .assert_redirect_to(&path("/timeline"));
    let mut reminder = None;
    for _ in 0..100 {
        reminder = std::fs::read_dir(&app.mail_dir)
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .filter(|raw| raw.contains(&format!("To: {ADMIN}")))
            .map(|raw| decode_body(&raw))
            .find(|text| text.contains("Kaffebaren"));
        if reminder.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let text = reminder.expect("the reminder is sent");
    let date = format::date(Lang::Sv, day);
    assert!(
        text.contains(&format!(
            "Den gamla butiken 4711 för Kaffebaren stängde den {date}"
        )),
        "{text}"
    );
    assert!(!text.contains("som stängs av den") && !text.contains("15 minuter"));
}

#[tokio::test]
async fn an_upgrade_finished_after_the_sunset_does_not_send_the_admin_to_closed_reports() {
    let (app, date) = sunset_in(-2).await;
    let shown = app.admin_waiting_for_purchase().await;
    app.sandbox_purchase(&shown.username, &shown.password)
        .await
        .error_for_status()
        .unwrap();
    let done = app.get(&path("/upgrade/complete")).await;
    let next = part(&done.body, "next-steps", "section");
    assert!(
        next.contains(&format!("Your legacy store 4711 closed on {date}, so its settlement reports are no longer available here")),
        "{next}"
    );
    assert!(!next.contains(&format!("href=\"{}\"", path("/legacy"))));
    assert!(next.contains(&format!("href=\"{}\"", path("/upgrade/trouble"))));
}
