//! Support's casework: an agent takes a store, sets the day to look again, leaves a note
//! for the next agent, and finds their stores in their own queue.

use reqwest::StatusCode;
use switchyard::domain::access::StaffRole;

use crate::helpers::{ADMIN, STORE, path, spawn_app};

const AGENT: &str = "agent@support.example";
const COLLEAGUE: &str = "colleague@support.example";

#[tokio::test]
async fn an_agent_takes_a_store_notes_it_and_finds_it_due_in_their_queue() {
    let app = spawn_app().await;
    let agent = app.agent().await;
    app.add_staff(COLLEAGUE, StaffRole::Support, None).await;
    let timeline = agent.get(&path("/timeline")).await;
    assert!(timeline.has("id=\"casework\"") && timeline.has("id=\"no-notes\""));
    // Both agents can be picked; the one looking is named as "me".
    assert!(timeline.has(&format!("value=\"{COLLEAGUE}\"")));
    assert!(timeline.has(&format!("Me ({AGENT})")), "{}", timeline.body);

    agent
        .submit(
            &path("/support/casework"),
            &[("assignee", AGENT), ("follow_up_on", "2026-01-15")],
        )
        .await
        .assert_redirect_to(&path("/timeline#casework"));
    agent
        .submit(
            &path("/support/notes"),
            &[(
                "note",
                "Called Anna: the agency installs the plugin on Monday.\nCheck the API log then.",
            )],
        )
        .await
        .assert_redirect_to(&path("/timeline#casework"));

    let timeline = agent.get(&path("/timeline")).await;
    assert!(
        timeline.has("the agency installs the plugin on Monday"),
        "{}",
        timeline.body
    );
    assert!(timeline.has("value=\"2026-01-15\""));
    assert!(
        timeline.has(&format!("value=\"{AGENT}\" selected")),
        "{}",
        timeline.body
    );
    // Both changes are in the store's audit log, in words.
    assert!(timeline.has(&format!(
        "Support set the assignee to {AGENT} and the follow-up day to 15 Jan 2026."
    )));
    assert!(timeline.has("Support left a note."));

    // The day has passed: it is due, first in the agent's queue.
    let queue = agent.get("/support/queue").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.has(&format!("id=\"queued-{STORE}\"")),
        "{}",
        queue.body
    );
    assert!(queue.has("Due 2026-01-15") && queue.has("1 store is assigned to you."));

    // The colleague reads the note (that is what it is for), and has an empty queue.
    let colleague = app.another_browser();
    colleague.sign_in(COLLEAGUE).await;
    assert!(
        colleague
            .get(&path("/timeline"))
            .await
            .has("Check the API log then.")
    );
    let theirs = colleague.get("/support/queue").await;
    assert!(theirs.has("id=\"queue-empty\"") && !theirs.has(&format!("queued-{STORE}")));

    // Handing the store to nobody takes it off the queue.
    agent
        .submit(
            &path("/support/casework"),
            &[("assignee", ""), ("follow_up_on", "")],
        )
        .await
        .assert_redirect_to(&path("/timeline#casework"));
    assert!(agent.get("/support/queue").await.has("id=\"queue-empty\""));
}

#[tokio::test]
async fn casework_refuses_what_it_cannot_keep_and_keeps_nothing_of_it() {
    let app = spawn_app().await;
    let agent = app.agent().await;
    for (fields, says) in [
        (
            vec![("assignee", ADMIN), ("follow_up_on", "")],
            "Only an active support agent",
        ),
        (
            vec![("assignee", "nobody@nowhere.example"), ("follow_up_on", "")],
            "Only an active support agent",
        ),
        (
            vec![("assignee", AGENT), ("follow_up_on", "next tuesday")],
            "is not a date",
        ),
    ] {
        let page = agent.submit(&path("/support/casework"), &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(page.has(says), "{fields:?}: {}", page.body);
    }
    let page = agent
        .submit(&path("/support/notes"), &[("note", "   ")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has("Write a note of at most 4,000 characters"));
    let long = "x".repeat(4001);
    let page = agent
        .submit(&path("/support/notes"), &[("note", &long)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM store_casework").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM store_notes").await, 0);
}
