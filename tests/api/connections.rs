//! What a client may hold of the server: a request head must arrive within the header
//! timeout, a kept-alive connection without requests is closed after the idle timeout,
//! over the connection cap a newcomer is refused while those in keep working, live
//! streams send heartbeats, operators read `/metrics` on an address of its own, and a
//! shutdown lets requests in flight finish.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;
use switchyard::{
    domain::platform_event::{SIGNATURE_HEADER, sign},
    store::rate_limit::Limit,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::{
    ADMIN, STORE, TestApp, WEBHOOK_SECRET, build_app_with, path, spawn_app, spawn_app_with,
};

/// Longer than any timeout these tests configure, shorter than the server's defaults.
const PATIENCE: Duration = Duration::from_secs(5);

impl TestApp {
    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.address.trim_start_matches("http://"))
            .await
            .unwrap()
    }
}

/// Waits for the server to close `stream`; what was read before, or why it is not closed.
async fn closed_by_server(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
) -> Result<String, String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(String::from_utf8_lossy(&seen).into_owned()),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => {
                return Err(format!(
                    "still open after {PATIENCE:?}; read {:?}",
                    String::from_utf8_lossy(&seen)
                ));
            }
        }
    }
}

/// Sends a keep-alive GET of `/healthz` and reads its whole answer.
async fn health_over(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    read_response(stream).await
}

/// One response with a Content-Length body, read from `stream`.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&seen).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if seen.len() >= end + 4 + length {
                return text;
            }
        }
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "closed before a whole answer: {text:?}");
        seen.extend_from_slice(&buf[..n]);
    }
}

/// A server whose header timeout is 1 s (and idle timeout a minute).
async fn with_a_header_timeout_of_one_second() -> TestApp {
    spawn_app_with(|c| {
        c.server.header_timeout = Duration::from_secs(1);
        c.server.idle_timeout = Duration::from_secs(60);
    })
    .await
}

/// Sends a slowloris head on `stream` (a header line now and then, never the blank line
/// that ends it) and asserts the server cuts it off within a few header timeouts of 1 s.
async fn send_a_head_slowly_until_cut_off(stream: &mut TcpStream) {
    let started = std::time::Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut cut_off = false;
    for n in 0..20 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let line = format!("X-Slow-{n}: 1\r\n");
        if stream.write_all(line.as_bytes()).await.is_err() {
            cut_off = true;
            break;
        }
    }
    if !cut_off {
        closed_by_server(stream).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "cut off after {:?}, with a header timeout of 1 s",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_client_that_sends_its_header_slowly_is_cut_off_after_the_header_timeout() {
    let app = with_a_header_timeout_of_one_second().await;
    send_a_head_slowly_until_cut_off(&mut app.connect().await).await;
    // Anyone else is served meanwhile.
    assert!(health_over(&mut app.connect().await).await.ends_with("ok"));
}

/// The watchdog is not woken for each request of a busy kept-alive connection, only when
/// a deadline comes sooner than it looks: a head that trickles in after answered
/// requests is still cut off on time.
#[tokio::test]
async fn a_kept_alive_connection_that_then_sends_its_header_slowly_is_cut_off() {
    let app = with_a_header_timeout_of_one_second().await;
    let mut kept = app.connect().await;
    for _ in 0..3 {
        assert!(health_over(&mut kept).await.ends_with("ok"));
    }
    // Longer than the header timeout: the watchdog has looked and waits out the idle one.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    send_a_head_slowly_until_cut_off(&mut kept).await;
}

#[tokio::test]
async fn a_connection_without_requests_is_closed_after_the_idle_timeout() {
    let app = spawn_app_with(|c| {
        c.server.header_timeout = Duration::from_secs(30);
        c.server.idle_timeout = Duration::from_secs(1);
    })
    .await;
    // Kept alive after an answer, then nothing more.
    let mut kept = app.connect().await;
    let answer = health_over(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Opened, and nothing ever sent.
    let mut silent = app.connect().await;
    assert_eq!(closed_by_server(&mut kept).await.unwrap(), "");
    assert_eq!(closed_by_server(&mut silent).await.unwrap(), "");
}

#[tokio::test]
async fn over_the_cap_a_new_connection_is_refused_and_those_in_keep_working() {
    // The silent second connection is not cut off for its missing head meanwhile, which
    // would free a place however slowly the first one's close were noticed.
    let app = spawn_app_with(|c| {
        c.server.max_connections = 2;
        c.server.header_timeout = Duration::from_secs(60);
    })
    .await;
    let mut first = app.connect().await;
    assert!(health_over(&mut first).await.ends_with("ok"));
    let _second = app.connect().await;
    let mut third = app.connect().await;
    let refusal = closed_by_server(&mut third).await.unwrap();
    assert!(
        refusal.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{refusal:?}"
    );
    assert!(refusal.contains("Retry-After: "), "{refusal:?}");
    // A connection already in is still served.
    let answer = health_over(&mut first).await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"),
        "{answer}"
    );
    // And once one leaves (and the server has seen it close), a newcomer gets in.
    drop(first);
    a_newcomer_gets_in(&app, "the place that was left").await;
}

/// The live stream of the store's upgrade page, opened as the admin waiting for a purchase.
async fn open_live_stream(app: &TestApp) -> reqwest::Response {
    app.admin_waiting_for_purchase().await;
    let page = app.get(&path("/upgrade/test-purchase")).await;
    let live = crate::helpers::between(&page.body, "data-live=\"", "\"")
        .unwrap()
        .replace("&amp;", "&");
    let stream = app.client.get(app.url(&live)).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    stream
}

/// A live stream is written by the server itself once its head is out (not by the HTTP
/// library, which would keep its buffers for it): it still holds its place under the
/// connection cap, and gives it back as soon as the browser closes the page, long before
/// a heartbeat would find it gone.
#[tokio::test]
async fn a_live_stream_holds_its_place_under_the_cap_until_the_browser_leaves() {
    let app = spawn_app_with(|c| {
        c.server.max_connections = 2;
        c.server.sse_heartbeat = Duration::from_secs(60);
        c.server.header_timeout = Duration::from_secs(60);
    })
    .await;
    let stream = open_live_stream(&app).await;
    let _other = app.connect().await;
    let refusal = closed_by_server(&mut app.connect().await).await.unwrap();
    assert!(refusal.starts_with("HTTP/1.1 503"), "{refusal:?}");
    drop(stream);
    a_newcomer_gets_in(&app, "the stream's place").await;
}

/// A new connection is served once the server has seen a place under the cap freed
/// (`what`): retried for a while, as noticing a closed socket takes a moment.
async fn a_newcomer_gets_in(app: &TestApp, what: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let answer = health_over(&mut app.connect().await).await;
        if answer.ends_with("ok") {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} was not given to a newcomer: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asking a live stream for its head alone (`HEAD`) leaves the connection an ordinary
/// one: its next response is all it carries, with nothing of a stream after it.
#[tokio::test]
async fn the_head_of_a_live_stream_leaves_its_connection_ordinary() {
    let app = spawn_app().await;
    app.admin_waiting_for_purchase().await;
    // The admin's session, made as sign-in makes one, for a connection of our own.
    let token = "head-request-session-token-0123456789";
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(ADMIN)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    switchyard::store::sessions::create(
        &app.db.pool,
        &switchyard::domain::sha256_hex(token),
        Some(admin),
        "csrf",
    )
    .await
    .unwrap();
    let mut conn = app.connect().await;
    // A page on another step: a stream would say "changed" at once.
    let head = format!(
        "HEAD {} HTTP/1.1\r\nHost: localhost\r\nCookie: sy_session={token}\r\n\r\n\
         GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        path("/upgrade/live?after=0&step=terms")
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let said = closed_by_server(&mut conn).await.unwrap();
    assert!(said.starts_with("HTTP/1.0 200"), "{said:?}");
    assert!(said.trim_end().ends_with("ok"), "{said:?}");
    assert!(!said.contains("event: "), "{said:?}");
}

#[tokio::test]
async fn a_live_stream_sends_heartbeats() {
    let app = spawn_app_with(|c| c.server.sse_heartbeat = Duration::from_secs(1)).await;
    let mut stream = open_live_stream(&app).await;
    let mut heartbeats = 0;
    while heartbeats < 2 {
        let chunk = tokio::time::timeout(PATIENCE, stream.chunk())
            .await
            .expect("a heartbeat in time")
            .unwrap()
            .expect("the stream stays open");
        let text = String::from_utf8_lossy(&chunk).into_owned();
        // A comment line: ignored by the browser, but written to the socket.
        assert!(text.starts_with(':'), "{text:?}");
        heartbeats += 1;
    }
}

#[tokio::test]
async fn metrics_are_served_on_their_own_address_per_route() {
    let (app, test) = build_app_with(|c| {
        c.server.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
        // Every sign-in request is refused.
        c.rate_limits.sign_in_per_ip = Limit {
            max: 0,
            window: 900,
        };
    })
    .await;
    let metrics_url = format!("http://{}/metrics", app.metrics_addr().unwrap());
    tokio::spawn(app.run());
    assert_eq!(test.get("/healthz").await.status, StatusCode::OK);
    test.get(&format!("/stores/{STORE}")).await;
    test.request_sign_in(ADMIN).await;
    // Not on the application's address.
    assert_eq!(test.get("/metrics").await.status, StatusCode::NOT_FOUND);

    let res = reqwest::get(&metrics_url).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    let series = |name: &str, labels: &[&str]| {
        text.lines().any(|l| {
            l.starts_with(&format!("{name}{{")) && labels.iter().all(|label| l.contains(label))
        })
    };
    assert!(
        series(
            "switchyard_http_requests_total",
            &[r#"method="GET""#, r#"route="/healthz""#, r#"status="200""#]
        ),
        "{text}"
    );
    // The route's template, not the path asked for.
    assert!(
        series(
            "switchyard_http_request_duration_seconds_bucket",
            &[r#"route="/stores/{eid}""#]
        ),
        "{text}"
    );
    assert!(!text.contains(&format!("/stores/{STORE}")), "{text}");
    assert!(text.contains("switchyard_connections_open"), "{text}");
    assert!(
        series(
            "switchyard_rate_limit_refusals_total",
            &[r#"limit="signin:ip""#]
        ),
        "{text}"
    );

    // Events by what became of them; the outbox per lane.
    let event = serde_json::json!({"id": "evt_metrics_1", "type": "api.error",
        "created_at": "2026-11-23T10:00:00Z",
        "data": {"legacy_store_id": STORE, "error_code": "BAD_VALUE"}});
    assert_eq!(test.deliver(&event).await.0, StatusCode::OK);
    let text = reqwest::get(&metrics_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = |name: &str, labels: &[&str]| {
        text.lines().any(|l| {
            l.starts_with(&format!("{name}{{")) && labels.iter().all(|label| l.contains(label))
        })
    };
    assert!(
        series("switchyard_events_total", &[r#"outcome="accepted""#]),
        "{text}"
    );
    for lane in ["urgent", "transactional", "bulk", "webhook"] {
        let lane = format!(r#"lane="{lane}""#);
        assert!(series("switchyard_outbox_depth", &[&lane]), "{text}");
        assert!(
            series("switchyard_outbox_oldest_age_seconds", &[&lane]),
            "{text}"
        );
    }

    // The pool is looked at once a second.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let text = reqwest::get(&metrics_url)
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains(r#"switchyard_db_pool_connections{state="in_use"}"#)
            && text.contains("switchyard_db_pool_acquire_seconds_count")
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_shutdown_lets_a_request_in_flight_finish_and_tells_live_pages_when_to_return() {
    let (app, test) = build_app_with(|_| {}).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let mut live = open_live_stream(&test).await;

    // A signed event whose body is still on its way when the shutdown begins.
    let body =
        json!({"id": "evt_shutdown", "type": "api.error", "created_at": "2026-11-23T10:00:00Z",
                      "data": {"legacy_store_id": STORE, "error_code": "BAD_VALUE",
                               "correlation_id": "corr-shutdown"}})
        .to_string();
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        switchyard::store::now(),
        body.as_bytes(),
    );
    let mut posting = test.connect().await;
    let head = format!(
        "POST /platform/v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         {SIGNATURE_HEADER}: {signature}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (first_half, second_half) = body.as_bytes().split_at(body.len() / 2);
    posting.write_all(head.as_bytes()).await.unwrap();
    posting.write_all(first_half).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    stop.send(()).unwrap();
    // The live page is told to come back in a while, and its stream ends.
    let mut said = String::new();
    loop {
        match tokio::time::timeout(PATIENCE, live.chunk()).await {
            Ok(Ok(Some(chunk))) => said.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None)) => break,
            other => panic!("the live stream did not end: {other:?} after {said:?}"),
        }
    }
    assert!(said.contains("retry: "), "{said:?}");
    // No new connection is taken.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        TcpStream::connect(test.address.trim_start_matches("http://"))
            .await
            .is_err()
    );

    // The request in flight is answered in full.
    posting.write_all(second_half).await.unwrap();
    let answer = read_response(&mut posting).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("recorded"), "{answer}");
    // Then the server is done, well within its grace period.
    tokio::time::timeout(PATIENCE, server)
        .await
        .expect("the server stops once the request is answered")
        .unwrap()
        .unwrap();
}

/// The id a person reads on the error page is the request id of its log lines (and of the
/// `X-Request-Id` header), so an operator can find what went wrong.
#[tokio::test]
async fn the_error_page_shows_the_request_id() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    let ids: Vec<String> = request_ids_of_two_answers(&app).await;
    assert_ne!(ids[0], ids[1], "every request has its own id");

    // Break the store's log, so its page fails inside.
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_away")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.assert_internal_error(&path("/audit")).await;
}

/// The request ids of two answers to the same question.
async fn request_ids_of_two_answers(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let res = app.client.get(app.url("/healthz")).send().await.unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 12, "{id}");
        ids.push(id);
    }
    ids
}

/// A request whose head arrived but whose body trickles in (here a byte every 250 ms of
/// a promised megabyte; in the wild one every 9 s) is answered 408 once the body timeout
/// is over, and its connection closed: it holds nothing for long.
#[tokio::test]
async fn a_request_body_that_trickles_in_is_answered_408_and_closed() {
    let app = spawn_app_with(|c| {
        c.server.header_timeout = Duration::from_secs(1);
        c.server.idle_timeout = Duration::from_secs(60);
        c.server.body_timeout = Duration::from_secs(1);
    })
    .await;
    let (mut reading, mut writing) = app.connect().await.into_split();
    writing
        .write_all(
            b"POST /signin HTTP/1.1\r\nHost: localhost\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\ne",
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if writing.write_all(b"m").await.is_err() {
                return;
            }
        }
    });
    let answer = closed_by_server(&mut reading).await;
    trickle.abort();
    let answer = answer.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "closed after {:?}, with a body timeout of 1 s",
        started.elapsed()
    );
    // Anyone else is served meanwhile.
    assert!(health_over(&mut app.connect().await).await.ends_with("ok"));
}

/// "Check your email" is a promise: a shutdown right after it still queues the link
/// before the database closes, even when the lookup behind the answer is slow.
#[tokio::test]
async fn a_sign_in_link_promised_just_before_a_shutdown_is_queued() {
    let (app, test) = build_app_with(|_| {}).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let form = test.get("/signin").await;
    // On PostgreSQL the address lookup after the answer is held up by a lock on the
    // stores, so the shutdown begins while the link is still to be queued. (SQLite's
    // readers cannot be held up; there the test only checks the ordinary case.)
    let mut blocker = if test.database_url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(&test.database_url)
            .await
            .unwrap();
        sqlx::raw_sql("BEGIN; LOCK TABLE stores IN ACCESS EXCLUSIVE MODE")
            .execute(&mut conn)
            .await
            .unwrap();
        Some(conn)
    } else {
        None
    };
    let page = tokio::time::timeout(
        PATIENCE,
        test.post("/signin", &[("csrf", &form.csrf()), ("email", ADMIN)]),
    )
    .await
    .expect("answered before the link is queued");
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    stop.send(()).unwrap();
    if let Some(conn) = blocker.as_mut() {
        tokio::time::sleep(Duration::from_millis(500)).await;
        sqlx::raw_sql("COMMIT").execute(conn).await.unwrap();
    }
    tokio::time::timeout(PATIENCE, server)
        .await
        .expect("the server stops within its grace period")
        .unwrap()
        .unwrap();
    // The server's pool is closed: look with a connection of our own.
    let db =
        switchyard::store::Db::connect(&secrecy::SecretString::from(test.database_url.clone()))
            .await
            .unwrap();
    let queued: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'sign-in:%' AND recipient = $1",
    )
    .bind(ADMIN)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(queued, 1, "the link promised was not queued");
}

/// Methods are a label of the request metrics; one a client makes up must not become a
/// series of its own (or a client could add series without end).
#[tokio::test]
async fn an_invented_method_is_counted_as_other() {
    let (app, test) = build_app_with(|c| {
        c.server.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let metrics_url = format!("http://{}/metrics", app.metrics_addr().unwrap());
    tokio::spawn(app.run());
    let mut stream = test.connect().await;
    stream
        .write_all(b"XYZZYINVENTED /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let answer = read_response(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    let text = reqwest::get(&metrics_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("XYZZYINVENTED"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("switchyard_http_requests_total{")
                && l.contains(r#"method="other""#)
                && l.contains(r#"route="/healthz""#)),
        "{text}"
    );
}

/// When the database cannot be reached, the 503 page's id is the request id too, so the
/// operator finds its log lines.
#[tokio::test]
async fn the_unavailable_page_shows_the_request_id() {
    let app = spawn_app().await;
    app.sign_in(ADMIN).await;
    // The database goes away under the running server.
    app.db.pool.close().await;
    let res = app
        .client
        .get(app.url(&path("/audit")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = res.text().await.unwrap();
    assert!(body.contains(&id), "the page shows {id}: {body}");
}
