//! Route × role: every route of the router's own list is tried by every kind of person.
//! A route missing from `class_of` fails the test, so new routes must be classified.

use reqwest::{Method, StatusCode};
use switchyard::domain::access::StaffRole;

use crate::helpers::{ADMIN, OTHER_ADMIN, Page, STORE, TestApp, spawn_app};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// Readers of the store: its admin, its users, its partner's managers, support.
    StoreRead,
    /// The store's admin and support.
    StoreAudit,
    /// The store's registered administrator only.
    StoreAdmin,
    /// The integration's work: the admin, or the technical delegate they invited.
    StoreWork,
    /// The store's own people: its admin and the users the admin invited.
    StoreMembers,
    /// Support, on a store's page (imports for the store).
    StoreSupport,
    Support,
    Operator,
    /// Partner managers (of any partner: each sees only their own partners' stores).
    Partner,
    /// Machine clients (HTTP Basic credentials or a service token); browsers' sessions
    /// do not count.
    Machine,
}

fn class_of(method: &Method, path: &str) -> Option<Class> {
    use Class::*;
    let get = method == Method::GET;
    Some(match path {
        "/healthz" | "/signin" | "/auth/confirm" | "/signout" => Public,
        // A link's token is the key: the new admin confirms without an account.
        "/admin-change" | "/api/openapi.json" | "/language" => Public,
        "/stores/{eid}/timeline" => StoreSupport,
        p if p.starts_with("/stores/{eid}/support/") => StoreSupport,
        p if p.starts_with("/partner") => Partner,
        p if p.starts_with("/api/v1/") => Machine,
        "/" | "/account" => SignedIn,
        "/account/sign-out-everywhere" | "/account/time-zone" => SignedIn,
        "/stores/{eid}/audit" => StoreAudit,
        p if p.starts_with("/stores/{eid}/support-requests") => StoreMembers,
        "/stores/{eid}/legacy/reports" if !get => StoreSupport,
        "/audit" => Support,
        p if p.starts_with("/support/") => Support,
        "/staff" | "/staff/disable" | "/staff/sunsets" => Operator,
        p if p.starts_with("/staff/brownouts") => Operator,
        "/sunsets" => Public,
        // A feed's token is the key: calendar apps fetch it without a session.
        "/calendar/{kind}/{id}/{file}" => Public,
        "/sandbox/v1/orders" | "/sandbox/v1/settlements" => Machine,
        "/platform/v1/credentials/verify" | "/platform/v1/events" => Machine,
        p if p.starts_with("/ordermanagement/v1/") => Machine,
        // The sandbox's legacy store and its switch-off windows.
        p if p.starts_with("/legacy/v1/") => Machine,
        p if p.starts_with("/merchants/") => Machine,
        "/stores/{eid}/upgrade/integration"
        | "/stores/{eid}/upgrade/integration/setup-check"
        | "/stores/{eid}/upgrade/integration/health-check"
        | "/stores/{eid}/upgrade/test-purchase/sandbox-order"
        | "/stores/{eid}/upgrade/trouble"
            if !get =>
        {
            StoreWork
        }
        // The link's token picks the delegate it was sent to; a made-up one is nothing.
        "/stores/{eid}/handoff/{token}" => StoreMembers,
        p if p.starts_with("/stores/{eid}") && get => StoreRead,
        p if p.starts_with("/stores/{eid}") => StoreAdmin,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    StoreUser,
    Delegate,
    OtherAdmin,
    OtherPartner,
    OwnPartner,
    Support,
    Operator,
}

fn allowed(class: Class, who: Who) -> bool {
    use Who::*;
    match class {
        Class::Public => true,
        Class::SignedIn => who != Anonymous,
        Class::StoreRead => matches!(who, Admin | StoreUser | Delegate | OwnPartner | Support),
        Class::StoreAudit => matches!(who, Admin | Support),
        Class::StoreAdmin => who == Admin,
        Class::StoreWork => matches!(who, Admin | Delegate),
        Class::StoreMembers => matches!(who, Admin | StoreUser | Delegate),
        Class::StoreSupport => who == Support,
        Class::Support => who == Support,
        Class::Operator => who == Operator,
        Class::Partner => matches!(who, OwnPartner | OtherPartner),
        Class::Machine => false,
    }
}

/// Whether `who` was refused. Another's store answers exactly like a missing one, so a
/// 404 is a refusal for whoever may not see the route; for whoever may, it is only a
/// missing record (the table's ids do not exist).
fn denied(who: Who, path: &str, page: &Page, expected: bool) -> bool {
    let refused = matches!(
        page.status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) || (page.status == StatusCode::NOT_FOUND && !expected);
    // Signing out ends at the sign-in page when it works, so only a refusal counts there;
    // an anonymous caller sent to sign in before signing out everywhere was refused.
    let sign_out =
        path == "/signout" || (path == "/account/sign-out-everywhere" && who != Who::Anonymous);
    refused || (!sign_out && page.location.as_deref() == Some("/signin"))
}

fn concrete(path: &str) -> String {
    path.replace("{eid}", STORE)
        .replace("{legacy_store_id}", STORE)
        .replace("{member}", "999999")
        .replace("{credential}", "999999")
        .replace("{id}", "999999")
        .replace("{n}", "1")
        .replace("{report}", "999999")
        .replace("{order}", "leg-999999")
        .replace("{delivery}", "999999")
        .replace("{mid}", "M999999")
}

async fn browser_for(app: &TestApp, who: Who) -> TestApp {
    let b = app.another_browser();
    let email = match who {
        Who::Anonymous => return b,
        Who::Admin => ADMIN,
        Who::StoreUser => "accountant@kaffebaren.example",
        Who::Delegate => "dev@agency.example",
        Who::OtherAdmin => OTHER_ADMIN,
        Who::OtherPartner => "pm@other-partner.example",
        Who::OwnPartner => "pm@nordic.example",
        Who::Support => "agent@support.example",
        Who::Operator => "ops@platform.example",
    };
    b.sign_in(email).await;
    b
}

#[tokio::test]
async fn every_route_is_classified_and_enforced_for_every_role() {
    let app = spawn_app().await;
    // The cast: a store user invited by the admin, partner managers of this store's
    // partner and of another, support and an operator.
    let store_id = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '4711'")
        .await;
    switchyard::store::members::add(
        &app.db.pool,
        store_id,
        "accountant@kaffebaren.example",
        ADMIN,
        false,
    )
    .await
    .unwrap();
    // The technical delegate the admin invited (an agency's developer).
    switchyard::store::members::add(&app.db.pool, store_id, "dev@agency.example", ADMIN, true)
        .await
        .unwrap();
    sqlx::query("INSERT INTO partners (name) VALUES ('Other Partner')")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.add_staff(
        "pm@other-partner.example",
        StaffRole::PartnerManager,
        Some("Other Partner"),
    )
    .await;
    app.add_staff(
        "pm@nordic.example",
        StaffRole::PartnerManager,
        Some("Nordic Commerce Partners"),
    )
    .await;
    app.add_staff("agent@support.example", StaffRole::Support, None)
        .await;
    app.add_staff("ops@platform.example", StaffRole::Operator, None)
        .await;

    let routes = switchyard::web::route_table(true);
    let unclassified: Vec<String> = routes
        .iter()
        .filter(|(m, p)| class_of(m, p).is_none())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        unclassified.is_empty(),
        "classify these routes in tests/api/access.rs: {unclassified:?}"
    );
    // Signing out ends the session, so those go last.
    let (last, first): (Vec<_>, Vec<_>) = routes
        .into_iter()
        .partition(|(_, p)| matches!(*p, "/signout" | "/account/sign-out-everywhere"));

    let cast = [
        Who::Anonymous,
        Who::Admin,
        Who::StoreUser,
        Who::Delegate,
        Who::OtherAdmin,
        Who::OtherPartner,
        Who::OwnPartner,
        Who::Support,
        Who::Operator,
    ];
    let mut failures = Vec::new();
    let mut tried = 0;
    for who in cast {
        let browser = browser_for(&app, who).await;
        for (method, path) in first.iter().chain(last.iter()) {
            let class = class_of(method, path).unwrap();
            let url = concrete(path);
            let page = if path.ends_with("/live") {
                // A live stream never ends: its status and headers are the answer.
                browser.get_headers(&url).await
            } else if *method == Method::GET {
                browser.get(&url).await
            } else if *method == Method::DELETE {
                browser.delete(&url).await
            } else if *method == Method::PUT {
                browser.put(&url).await
            } else {
                let csrf = browser.csrf().await;
                browser.post(&url, &[("csrf", csrf.as_str())]).await
            };
            tried += 1;
            let expected = allowed(class, who);
            if expected == denied(who, path, &page, expected) || page.status.is_server_error() {
                failures.push(format!(
                    "{who:?} {method} {url} ({class:?}): {} {:?}",
                    page.status, page.location
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let refused = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'authorization.refused'")
        .await;
    assert!(refused > 10, "refusals are audited ({refused})");
}

/// A stored role that names no role is a fault to report, not a merchant: the person's
/// pages fail with an id instead of quietly losing their staff rights.
#[tokio::test]
async fn an_unknown_stored_role_fails_loudly_instead_of_making_a_plain_user() {
    let app = spawn_app().await;
    let agent = "agent@support.example";
    app.add_staff(agent, StaffRole::Support, None).await;
    app.sign_in(agent).await;
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    sqlx::query("UPDATE users SET role = 'superuser' WHERE email = $1")
        .bind(agent)
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.assert_internal_error("/").await;
}

/// Every address `app::paths` makes for links, redirects and emails is one the router
/// serves, with the method the page or form uses.
#[test]
fn every_store_address_the_app_links_to_is_a_route() {
    use switchyard::{app::paths, domain::Step};
    let routes = switchyard::web::route_table(true);
    let p = paths::store("123456");
    let get = Method::GET;
    let post = Method::POST;
    let mut addresses = vec![
        (get.clone(), p.overview()),
        (get.clone(), p.upgrade()),
        (get.clone(), p.what_changes()),
        (get.clone(), p.terms_pdf()),
        (get.clone(), p.accepted_terms_pdf()),
        (post.clone(), p.rotate_credentials()),
        (post.clone(), p.revoke_credential(7)),
        (post.clone(), p.setup_check()),
        (post.clone(), p.health_check()),
        (get.clone(), p.live()),
        (get.clone(), p.trouble()),
        (post.clone(), p.trouble()),
        (post.clone(), p.cancel_test_order()),
        (post.clone(), p.refund_test_order()),
        (get.clone(), p.legacy()),
        (get.clone(), p.report(7)),
        (post.clone(), p.reports()),
        (get.clone(), p.transactions()),
        (get.clone(), p.archive()),
        (get.clone(), p.users()),
        (post.clone(), p.users()),
        (post.clone(), p.remove_user(7)),
        (get.clone(), p.audit()),
        (get.clone(), p.timeline()),
        (get.clone(), p.support_requests()),
        (get.clone(), p.support_request(7)),
        (get.clone(), p.support_screenshot(7, 1)),
        (get.clone(), paths::partner::REHEARSALS.to_owned()),
        (get.clone(), paths::partner::CUTOVER.to_owned()),
        (get.clone(), paths::partner::CALENDAR.to_owned()),
    ];
    for format in ["csv", "json", "pdf"] {
        addresses.push((get.clone(), p.report_as(7, format)));
    }
    for action in ["capture", "cancel", "refund", "extend", "restore"] {
        addresses.push((post.clone(), p.legacy_order("ord_1", action)));
    }
    for action in [
        "resend-link",
        "remind",
        "change-admin",
        "revoke-credentials",
        "verify-purchase",
    ] {
        addresses.push((post.clone(), p.support_action(action)));
    }
    for step in Step::WIZARD {
        addresses.push((get.clone(), p.step(step)));
        if step != Step::TestPurchase {
            addresses.push((post.clone(), p.step(step)));
        }
    }
    let matches = |pattern: &str, path: &str| {
        let (a, b): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), path.split('/').collect());
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(x, y)| x == y || (x.starts_with('{') && x.ends_with('}') && !y.is_empty()))
    };
    for (method, address) in addresses {
        assert!(
            routes
                .iter()
                .any(|(m, pattern)| *m == method && matches(pattern, &address)),
            "{method} {address} is linked to but no route serves it"
        );
    }
}
