//! Sign-in and session hardening, CSRF and headers, as a security reviewer would probe them.

use reqwest::StatusCode;
use switchyard::domain::access::StaffRole;

use crate::helpers::{ADMIN, between, eventually, path, spawn_app, spawn_app_with};

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let app = spawn_app().await;
    app.request_sign_in(ADMIN).await;
    let link = app.wait_for_new_link(ADMIN, 0).await;
    sqlx::query("UPDATE sign_in_tokens SET expires_at = expires_at - 601")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let page = app.get(link.strip_prefix(&app.address).unwrap()).await;
    assert_eq!(page.status, StatusCode::GONE);
    let confirm = app
        .post(
            "/auth/confirm",
            &[("csrf", &app.csrf().await), ("token", &token_of(&link))],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::GONE);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.failed'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_link_only_works_in_the_browser_that_asked_for_it() {
    let app = spawn_app().await;
    app.request_sign_in(ADMIN).await;
    let link = app.wait_for_new_link(ADMIN, 0).await;
    let elsewhere = app.another_browser();
    let page = elsewhere
        .get(link.strip_prefix(&app.address).unwrap())
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.has("only works in the browser that requested it"));
    let forced = elsewhere
        .post(
            "/auth/confirm",
            &[
                ("csrf", &elsewhere.csrf().await),
                ("token", &token_of(&link)),
            ],
        )
        .await;
    assert_eq!(forced.status, StatusCode::GONE);
    // The right browser can still use it.
    let page = app.get(link.strip_prefix(&app.address).unwrap()).await;
    app.post(
        "/auth/confirm",
        &[("csrf", &page.csrf()), ("token", &token_of(&link))],
    )
    .await
    .assert_redirect_to("/");
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_cookies_are_hardened() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/signin")).send().await.unwrap();
    let before = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        before.contains("HttpOnly") && before.contains("SameSite=Lax") && before.contains("Path=/"),
        "{before}"
    );
    let csrf = between(&res.text().await.unwrap(), "name=\"csrf\" value=\"", "\"").unwrap();
    app.post("/signin", &[("csrf", &csrf), ("email", ADMIN)])
        .await;
    let link = app.wait_for_new_link(ADMIN, 0).await;
    let confirm = app.get(link.strip_prefix(&app.address).unwrap()).await;
    let res = app
        .client
        .post(app.url("/auth/confirm"))
        .form(&[("csrf", confirm.csrf()), ("token", token_of(&link))])
        .send()
        .await
        .unwrap();
    let after = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let value = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(value(&before), value(&after), "a new session id at sign-in");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions").await,
        1,
        "the anonymous session is gone"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_with_the_host_prefix() {
    let app = spawn_app_with(|c| c.base_url = "https://upgrade.example.com".into()).await;
    let res = app.client.get(app.url("/signin")).send().await.unwrap();
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-sy_session=") && cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(res.headers().get("strict-transport-security").is_some());
    // The language choice's cookie is Secure too.
    let session = cookie.split(';').next().unwrap().to_owned();
    let page = res.text().await.unwrap();
    let csrf = crate::helpers::between(&page, "name=\"csrf\" value=\"", "\"").unwrap();
    let switched = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/language"))
        .header("Cookie", session)
        .form(&[("csrf", csrf.as_str()), ("lang", "sv")])
        .send()
        .await
        .unwrap();
    let lang = switched
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        lang.starts_with("sy_lang=sv") && lang.contains("Secure"),
        "{lang}"
    );
}

#[tokio::test]
async fn cross_origin_posts_are_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let csrf = app.csrf().await;
    let sha = "x";
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = app
            .client
            .post(app.url(&path("/upgrade/terms")))
            .header(header, value)
            .form(&[
                ("csrf", csrf.as_str()),
                ("path", "kpm-kp"),
                ("sha256", sha),
                ("accept", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    // The same form from our own origin gets past the guard (and is judged on its merits).
    let res = app
        .client
        .post(app.url(&path("/upgrade/terms")))
        .header("origin", &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("csrf", csrf.as_str()),
            ("path", "kpm-kp"),
            ("sha256", sha),
            ("accept", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM terms_acceptances").await,
        0
    );
}

#[tokio::test]
async fn a_csrf_token_of_another_session_is_refused() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let other = app.another_browser();
    let foreign = other.csrf().await;
    let page = app
        .post(
            &path("/upgrade/account"),
            &[("csrf", &foreign), ("global", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.has("This form has expired"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for p in ["/signin", "/healthz", "/assets/app.css", "/no/such/page"] {
        let res = app.client.get(app.url(p)).send().await.unwrap();
        let h = res.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{p}: {csp}"
        );
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{p}");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{p}");
    }
    let page = app.client.get(app.url("/signin")).send().await.unwrap();
    assert_eq!(page.headers().get("cache-control").unwrap(), "no-store");
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_at_once_and_gets_no_more_links() {
    let app = spawn_app().await;
    app.add_staff("agent@support.example", StaffRole::Support, None)
        .await;
    app.sign_in("agent@support.example").await;
    assert_eq!(app.get(&path("")).await.status, StatusCode::OK);
    let mut tx = app.db.begin().await.unwrap();
    switchyard::store::users::disable(&mut tx, "agent@support.example")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.get(&path("")).await.assert_redirect_to("/signin");
    let before = app.emails_sent();
    app.request_sign_in("agent@support.example").await;
    app.settle().await;
    assert_eq!(app.emails_sent(), before);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let phone = app.another_browser();
    app.sign_in(ADMIN).await;
    phone.sign_in(ADMIN).await;
    let csrf = app.csrf().await;
    app.post("/account/sign-out-everywhere", &[("csrf", &csrf)])
        .await
        .assert_redirect_to("/signin");
    phone.get("/").await.assert_redirect_to("/signin");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn sign_in_requests_are_rate_limited_per_email_with_a_clear_page() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(app.request_sign_in(ADMIN).await.status, StatusCode::OK);
    }
    let limited = app.request_sign_in(ADMIN).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.has("Too many sign-in requests") && limited.has("Please wait until"),
        "{}",
        limited.body
    );
    // Another address from the same place is still fine.
    assert_eq!(
        app.request_sign_in("ola@nordlys.example").await.status,
        StatusCode::OK
    );
    // Hammering on stores nothing more: the refusal is audited once per window.
    for _ in 0..20 {
        assert_eq!(
            app.request_sign_in(ADMIN).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.rate_limited'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rate_limit_events WHERE bucket LIKE 'audited:%'")
            .await,
        1
    );
}

#[tokio::test]
async fn sign_in_requests_are_rate_limited_per_ip() {
    let app = spawn_app_with(|c| c.rate_limits.sign_in_per_ip.max = 3).await;
    for i in 0..3 {
        assert_eq!(
            app.request_sign_in(&format!("person{i}@example.com"))
                .await
                .status,
            StatusCode::OK
        );
    }
    let res = app
        .client
        .post(app.url("/signin"))
        .form(&[
            ("csrf", app.csrf().await.as_str()),
            ("email", "x@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn known_and_unknown_addresses_get_identical_answers() {
    let app = spawn_app().await;
    let normalise = |body: &str, email: &str| {
        let body = match between(body, "name=\"csrf\" value=\"", "\"") {
            Some(csrf) => body.replace(&csrf, "CSRF"),
            None => body.to_owned(),
        };
        body.replace(email, "EMAIL")
    };
    let known = app.request_sign_in(ADMIN).await;
    let unknown = app.request_sign_in("nobody@kaffebaren.example").await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        normalise(&known.body, ADMIN),
        normalise(&unknown.body, "nobody@kaffebaren.example")
    );
}

#[tokio::test]
async fn sign_ins_and_admin_actions_are_audited() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    app.accept_terms().await;
    let log = app.get(&path("/audit")).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(
        log.has("terms.accepted") && log.has(ADMIN) && log.has("127.0.0.1"),
        "{}",
        log.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in'")
            .await,
        1
    );
}

/// A stranger's first look at the sign-in form: its cookie (`name=value`) and token.
async fn anonymous_form(app: &crate::helpers::TestApp) -> (String, String) {
    let res = reqwest::get(app.url("/signin")).await.unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("a stranger gets a cookie to bind its forms to")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = between(&res.text().await.unwrap(), "name=\"csrf\" value=\"", "\"").unwrap();
    (cookie, csrf)
}

async fn post_sign_in(
    app: &crate::helpers::TestApp,
    cookie: Option<&str>,
    csrf: &str,
) -> (StatusCode, String) {
    let mut req = reqwest::Client::new()
        .post(app.url("/signin"))
        .form(&[("csrf", csrf), ("email", ADMIN)]);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_forged_foreign_or_expired_anonymous_form_token_is_refused() {
    use switchyard::web::{session::sha256_hex, visitor::form_token};
    let app = spawn_app().await;
    let (cookie, csrf) = anonymous_form(&app).await;
    let (_, other_csrf) = anonymous_form(&app).await;
    let browser = sha256_hex(cookie.split_once('=').unwrap().1);
    let key = b"test-secret-key-test-secret-key-0123456789";
    let now = switchyard::store::now();
    let (expiry, signature) = csrf.split_once('.').unwrap();
    let later: i64 = expiry.parse::<i64>().unwrap() + 60;
    let refused = [
        ("another browser's token", Some(cookie.as_str()), other_csrf),
        ("no cookie", None, csrf.clone()),
        (
            "a later expiry",
            Some(cookie.as_str()),
            format!("{later}.{signature}"),
        ),
        (
            "an expired token",
            Some(cookie.as_str()),
            form_token(key, &browser, now - 1),
        ),
        (
            "another key",
            Some(cookie.as_str()),
            form_token(b"not-the-server-key-not-the-server-key", &browser, now + 60),
        ),
        ("no token", Some(cookie.as_str()), String::new()),
    ];
    for (what, cookie, token) in &refused {
        let (status, body) = post_sign_in(&app, *cookie, token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
        assert!(body.contains("This form has expired"), "{what}: {body}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rate_limit_events").await,
        0,
        "a refused form counts for nothing"
    );
    // The page's own token, and one the server signed for this browser, are accepted.
    for token in [csrf, form_token(key, &browser, now + 60)] {
        let (status, body) = post_sign_in(&app, Some(&cookie), &token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn one_address_is_limited_however_many_places_ask_for_it() {
    let app = spawn_app_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.rate_limits.sign_in_per_email.max = 3;
    })
    .await;
    let from = async |ip: &str, email: &str| {
        let browser = app.another_browser();
        let form = browser
            .client
            .get(app.url("/signin"))
            .header("x-forwarded-for", ip)
            .send()
            .await
            .unwrap();
        let csrf = between(&form.text().await.unwrap(), "name=\"csrf\" value=\"", "\"").unwrap();
        browser
            .client
            .post(app.url("/signin"))
            .header("x-forwarded-for", ip)
            .form(&[("csrf", csrf.as_str()), ("email", email)])
            .send()
            .await
            .unwrap()
            .status()
    };
    for i in 1..=3 {
        assert_eq!(
            from(&format!("198.51.100.{i}"), ADMIN).await,
            StatusCode::OK
        );
    }
    for i in 4..=8 {
        assert_eq!(
            from(&format!("198.51.100.{i}"), ADMIN).await,
            StatusCode::TOO_MANY_REQUESTS,
            "from a new address"
        );
    }
    // The places themselves are not used up: another address may still ask from there.
    assert_eq!(
        from("198.51.100.8", "ola@nordlys.example").await,
        StatusCode::OK
    );
    // The three links go out after their answers; then nothing more comes.
    eventually("the three links", async || app.emails_to(ADMIN) >= 3).await;
    app.settle().await;
    assert_eq!(app.emails_to(ADMIN), 3);
}
