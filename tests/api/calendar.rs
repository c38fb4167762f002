//! Calendar feeds: each store's and partner's dates as iCalendar behind an unguessable
//! address, read by a real parser (Python's `icalendar`), and rotated by their owners.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{ADMIN, TestApp, between, path, spawn_app};

/// The feed's address on `page` (element `id`), without the host.
pub(crate) fn feed_path(app: &TestApp, body: &str, id: &str) -> String {
    let url = between(body, &format!("id=\"{id}\">"), "<").expect("the address is shown");
    url.replace("&amp;", "&")
        .strip_prefix(&app.address)
        .expect("an address of this server")
        .to_owned()
}

/// The feed at `path` as a calendar parser reads it: its name and events (uid, summary,
/// start, end, status, alarms in seconds before the start).
async fn parsed(app: &TestApp, path: &str) -> Value {
    // A calendar app has no session.
    let res = reqwest::get(app.url(path)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let text = res.text().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, &text).unwrap();
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = []
for e in cal.walk('VEVENT'):
    events.append({
        'uid': str(e.get('uid')),
        'summary': str(e.get('summary')),
        'start': e.decoded('dtstart').isoformat(),
        'end': e.decoded('dtend').isoformat(),
        'status': str(e.get('status')),
        'alarms': sorted(-int(a.decoded('trigger').total_seconds()) for a in e.walk('VALARM')),
    })
print(json.dumps({'name': str(cal.get('x-wr-calname')), 'events': events}))
"#;
    let out = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3 with icalendar (apt install python3-icalendar)");
    assert!(
        out.status.success(),
        "the parser refused the feed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether Python's `icalendar` is there to read the feeds; in CI (CI=true) it must be.
fn parser_available() -> bool {
    let there = Command::new("/usr/bin/python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !there {
        assert!(
            std::env::var("CI").is_err(),
            "CI requires python3-icalendar for the calendar tests"
        );
        eprintln!(
            "SKIPPED: /usr/bin/python3 cannot import icalendar (apt-get install python3-icalendar)"
        );
    }
    there
}

fn events_with<'a>(feed: &'a Value, uid_prefix: &str) -> Vec<&'a Value> {
    feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["uid"].as_str().unwrap().starts_with(uid_prefix))
        .collect()
}

#[tokio::test]
async fn a_stores_feed_has_its_sunset_and_rehearsals_and_its_admin_can_renew_the_address() {
    if !parser_available() {
        return;
    }
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let overview = app.get(&path("")).await;
    let feed = feed_path(&app, &overview.body, "calendar-url");
    assert!(overview.has("id=\"calendar-webcal\" href=\"webcal://"));

    let now = switchyard::store::now();
    let scheduled = app.schedule_rehearsal(now + 2 * 86_400, "30").await;
    assert!(scheduled.status.is_redirection(), "{}", scheduled.body);

    let cal = parsed(&app, &feed).await;
    let sunset = events_with(&cal, "sunset-store-");
    assert_eq!(sunset.len(), 1, "{cal}");
    let kpm: String = sqlx::query_scalar(
        "SELECT new_date FROM sunset_changes WHERE product = 'KPM' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(sunset[0]["start"], kpm.as_str());
    assert!(sunset[0]["summary"].as_str().unwrap().contains("4711"));
    assert_eq!(
        sunset[0]["alarms"],
        serde_json::json!([86_400, 604_800, 2_592_000])
    );
    let rehearsal = events_with(&cal, "rehearsal-");
    assert_eq!(rehearsal.len(), 1, "{cal}");
    assert_eq!(rehearsal[0]["status"], "CONFIRMED");
    assert_eq!(rehearsal[0]["alarms"], serde_json::json!([3_600]));

    // A made-up token, another store's path with this token, or an id that is no
    // number, is nothing.
    let other = feed.replacen("/store/", "/partner/", 1);
    let not_a_number = {
        let (kind, rest) = feed.split_at(feed.find("/store/").unwrap() + "/store/".len());
        format!("{kind}x{}", &rest[rest.find('/').unwrap()..])
    };
    for wrong in [feed.replace(".ics", "0.ics"), other, not_a_number] {
        assert_eq!(
            reqwest::get(app.url(&wrong)).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{wrong}"
        );
    }

    // The admin renews the address: the old one stops working, the new one works.
    let renewed = app.submit(&path("/calendar/rotate"), &[]).await;
    assert!(renewed.status.is_redirection(), "{}", renewed.body);
    assert_eq!(
        reqwest::get(app.url(&feed)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let overview = app.get(&path("")).await;
    let new_feed = feed_path(&app, &overview.body, "calendar-url");
    assert_ne!(new_feed, feed);
    parsed(&app, &new_feed).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.rotated'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_partners_feed_has_each_products_sunset_and_only_its_own_stores_rehearsals() {
    if !parser_available() {
        return;
    }
    let app = spawn_app().await;
    app.partners().await;
    app.sign_in(ADMIN).await;
    let now = switchyard::store::now();
    app.schedule_rehearsal(now + 2 * 86_400, "15").await;

    let pm = app.as_partner(crate::partner::PM).await;
    assert!(pm.get("/partner").await.has("id=\"to-calendar\""));
    let page = pm.get("/partner/calendar").await;
    assert_eq!(page.status, StatusCode::OK);
    let id = between(&page.body, "id=\"calendar-partner-", "\"").unwrap();
    let feed = feed_path(&app, &page.body, &format!("calendar-{id}-url"));
    let cal = parsed(&app, &feed).await;
    assert_eq!(events_with(&cal, "sunset-KPM").len(), 1, "{cal}");
    assert_eq!(events_with(&cal, "sunset-KCOv2").len(), 1, "{cal}");
    assert_eq!(events_with(&cal, "rehearsal-").len(), 1, "{cal}");

    let other = app.as_partner(crate::partner::OTHER_PM).await;
    let page = other.get("/partner/calendar").await;
    let id = between(&page.body, "id=\"calendar-partner-", "\"").unwrap();
    let cal = parsed(
        &app,
        &feed_path(&app, &page.body, &format!("calendar-{id}-url")),
    )
    .await;
    assert!(events_with(&cal, "rehearsal-").is_empty(), "{cal}");
    // A manager renews only their own partners' addresses.
    let own = pm.get("/partner/calendar").await;
    let own_id = between(&own.body, "id=\"calendar-partner-", "\"").unwrap();
    let refused = other
        .submit("/partner/calendar/rotate", &[("partner", own_id.as_str())])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    parsed(&app, &feed).await;
}
