//! A partner manager's daily work on the dashboard: the partner column and filter, saved
//! views, "remind all matching" with its preview, the last-reminded column, EIDs in
//! number order, the country list, the table inside its card, the projection to the
//! sunset, and the CSV export's columns and byte order mark.

use reqwest::StatusCode;
use switchyard::store::stores::NewStore;

use crate::helpers::{ADMIN, TestApp, between, spawn_app, spawn_app_with};
use crate::partner::{OTHER_PM, PM};

impl TestApp {
    /// The two partners, with PM looking after both.
    async fn pm_of_two(&self) -> TestApp {
        self.manager_of_two().await;
        self.as_partner(PM).await
    }

    /// A store of Nordic's with these name and admin, in Sweden.
    async fn nordic_store(&self, eid: &str, name: &str, admin: &str) {
        let store = NewStore {
            legacy_store_id: eid.into(),
            name: name.into(),
            product: "KPM".into(),
            admin_email: admin.into(),
            countries: vec!["SE".into()],
            platform: "woocommerce".into(),
            store_url: "https://shop.example".into(),
            partner: Some("Nordic Commerce Partners".into()),
            capabilities: Default::default(),
        };
        let mut tx = self.db.begin().await.unwrap();
        switchyard::store::stores::insert_all(&mut tx, &[store])
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    async fn partner_id(&self, name: &str) -> i64 {
        self.scalar(&format!("SELECT id FROM partners WHERE name = '{name}'"))
            .await
    }
}

/// The stores of the dashboard's table, top to bottom.
fn rows(body: &str) -> Vec<String> {
    body.split("<tr id=\"store-")
        .skip(1)
        .filter_map(|r| r.split('"').next().map(str::to_owned))
        .collect()
}

/// The row of store `eid`.
fn row(body: &str, eid: &str) -> String {
    between(body, &format!("<tr id=\"store-{eid}\""), "</tr>").expect("the store's row")
}

#[tokio::test]
async fn a_manager_of_two_partners_sees_each_stores_partner_and_filters_by_it() {
    let app = spawn_app().await;
    let pm = app.pm_of_two().await;
    let other = app.partner_id("Other Partner").await;
    let nordic = app.partner_id("Nordic Commerce Partners").await;

    let all = pm.get("/partner").await;
    assert!(all.has("Stores matching: 6"), "{}", all.body);
    assert!(row(&all.body, "990001").contains(">Other Partner<"));
    assert!(row(&all.body, "4711").contains(">Nordic Commerce Partners<"));
    assert!(all.has(&format!("<option value=\"{other}\">Other Partner</option>")));

    let only = pm.get(&format!("/partner?partner={other}")).await;
    assert!(only.has("Stores matching: 1"), "{}", only.body);
    assert_eq!(rows(&only.body), ["990001"]);
    assert!(only.has(&format!("<option value=\"{other}\" selected")));

    // A manager of one partner has no choice to make, and cannot reach another's
    // stores through the filter.
    let one = app.as_partner(OTHER_PM).await;
    assert!(!one.get("/partner").await.has("id=\"f-partner\""));
    let escape = one.get(&format!("/partner?partner={nordic}")).await;
    assert!(escape.has("Stores matching: 0"), "{}", escape.body);
    assert!(!escape.has("id=\"store-4711\""));
}

#[tokio::test]
async fn legacy_store_ids_sort_as_numbers() {
    let app = spawn_app().await;
    app.partners().await;
    app.nordic_store("10000", "Tiotusen", "tio@shop.example")
        .await;
    let pm = app.as_partner(PM).await;
    let asc = pm.get("/partner?sort=eid").await;
    assert_eq!(
        rows(&asc.body),
        ["4711", "10000", "20240", "31337", "123456", "880011"]
    );
    let desc = pm.get("/partner?sort=eid&dir=desc").await;
    assert_eq!(
        rows(&desc.body),
        ["880011", "123456", "31337", "20240", "10000", "4711"]
    );
    let csv = pm.get("/partner/export.csv?sort=eid").await;
    let first: Vec<&str> = csv.body.lines().skip(1).take(2).collect();
    assert!(first[0].starts_with("4711,") && first[1].starts_with("10000,"));
}

#[tokio::test]
async fn the_country_filter_lists_the_countries_of_the_managers_stores() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let page = pm.get("/partner?country=de").await;
    let select = between(&page.body, "<select id=\"f-country\"", "</select>")
        .expect("the country filter is a list");
    // Listed by name in the reader's language; compared here by code.
    let mut offered: Vec<String> = select
        .split("<option value=\"")
        .skip(2)
        .filter_map(|o| o.split('"').next().map(str::to_owned))
        .collect();
    offered.sort();
    assert_eq!(offered, ["AT", "DE", "DK", "FI", "NL", "NO", "SE"]);
    assert!(select.contains("<option value=\"DE\" selected"));
    assert_eq!(rows(&page.body), ["20240"]);
    // Another partner's countries are not offered.
    let other = app.as_partner(OTHER_PM).await;
    let theirs = other.get("/partner").await;
    let select = between(&theirs.body, "<select id=\"f-country\"", "</select>").unwrap();
    assert!(select.contains("\"DE\"") && !select.contains("\"SE\""));
}

#[tokio::test]
async fn saved_views_are_each_persons_own_and_can_be_deleted() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let fields = [("name", "German shops"), ("country", "DE"), ("sort", "eid")];
    let saved = pm.submit("/partner/views", &fields).await;
    saved.assert_redirect_to("/partner?country=DE&sort=eid");
    let page = pm.get("/partner").await;
    assert!(page.has("View saved: German shops"), "{}", page.body);
    let id = between(&page.body, "<li id=\"view-", "\"").expect("the view is listed");
    let link = between(&page.body, "<li id=\"view-", "</a>").unwrap();
    assert!(
        link.contains("href=\"/partner?country=DE&#38;sort=eid\">German shops"),
        "{link}"
    );
    // Saving under the same name replaces it; a name is needed.
    pm.submit(
        "/partner/views",
        &[("name", "German shops"), ("country", "AT")],
    )
    .await;
    let page = pm.get("/partner").await;
    assert!(page.has("href=\"/partner?country=AT\">German shops</a>"));
    assert_eq!(page.body.matches("<li id=\"view-").count(), 1);
    pm.submit("/partner/views", &[("name", "  "), ("country", "NO")])
        .await;
    assert!(pm.get("/partner").await.has("Give the view a name"));

    // Another manager neither sees nor deletes it; a form without its token does nothing.
    let other = app.as_partner(OTHER_PM).await;
    assert!(!other.get("/partner").await.has("German shops"));
    let path = format!("/partner/views/{id}/delete");
    assert_eq!(other.submit(&path, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(pm.post(&path, &[]).await.status, StatusCode::FORBIDDEN);
    assert!(
        pm.post("/partner/views", &[("name", "Forged")])
            .await
            .status
            == StatusCode::FORBIDDEN
    );
    pm.submit(&path, &[]).await.assert_redirect_to("/partner");
    let page = pm.get("/partner").await;
    assert!(page.has("View deleted.") && !page.has("German shops"));
}

#[tokio::test]
async fn remind_all_matching_previews_then_queues_each_store_once_a_day() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    // Kaffebaren (KPM) was reminded today already.
    pm.submit("/partner/nudge", &[("store", "4711")]).await;

    let preview = pm.get("/partner/remind?product=KPM").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.has("3 stores match the filter."),
        "{}",
        preview.body
    );
    assert!(preview.has("2 reminders will be sent."));
    assert!(preview.has("1 store is skipped: already reminded today"));
    assert!(preview.has("To 2 administrators"));
    let to = between(&preview.body, "id=\"remind-recipients\">", "</ul>").unwrap();
    assert!(to.contains("jonas@bergkristall.example") && to.contains("sanne@tulpen.example"));
    assert!(!to.contains(ADMIN), "already reminded today");
    assert!(
        preview.has("name=\"product\" value=\"KPM\""),
        "the filter is kept"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'nudge:%'")
            .await,
        1,
        "a preview sends nothing"
    );

    let forged = pm.post("/partner/remind", &[("product", "KPM")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = remind_all(&pm, &[("product", "KPM")]).await;
    assert!(done.has("Reminders queued: 2."), "{}", done.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'nudge:%'")
            .await,
        3
    );
    let again = pm.get("/partner/remind?product=KPM").await;
    assert!(again.has("No store to remind"), "{}", again.body);
    let done = remind_all(&pm, &[("product", "KPM")]).await;
    assert!(done.has("Reminders queued: 0."), "{}", done.body);
    // A run is its starter's to watch.
    let run = between(&done.body, "/partner/remind/runs/", "\"");
    let other = app.as_partner(OTHER_PM).await;
    let id = app.scalar("SELECT MAX(id) FROM remind_runs").await;
    assert_eq!(
        other
            .get(&format!("/partner/remind/runs/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "{run:?}"
    );
    // An address that is no run at all is the same framed "Page not found".
    let nonsense = pm.get("/partner/remind/runs/latest").await;
    assert_eq!(nonsense.status, StatusCode::NOT_FOUND);
    assert!(nonsense.has("Page not found"), "{}", nonsense.body);
}

/// A cohort with more administrators than the preview counts: it says "more than" and
/// still counts the stores exactly; a reminder of yesterday skips nobody today.
#[tokio::test]
async fn a_preview_of_more_admins_than_it_counts_says_more_than() {
    let app = spawn_app().await;
    app.partners().await;
    let partner = app
        .scalar("SELECT id FROM partners WHERE name = 'Nordic Commerce Partners'")
        .await;
    let before = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM stores WHERE partner_id = {partner} AND upgrade_step <> 'complete'"
        ))
        .await;
    let now = switchyard::store::now();
    sqlx::query(&format!(
        "INSERT INTO stores (legacy_store_id, name, product, admin_email, countries, platform, store_url, partner_id, created_at, name_folded) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1050) \
         SELECT CAST(800000 + i AS TEXT), 'Many ' || CAST(i AS TEXT), 'KPM', 'many' || CAST(i AS TEXT) || '@x.example', \
         'SE', 'shopify', 'https://x.example', {partner}, {now}, 'many ' || CAST(i AS TEXT) FROM n"
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Reminded yesterday: due again today.
    let first = app
        .scalar("SELECT id FROM stores WHERE legacy_store_id = '800001'")
        .await;
    let yesterday = switchyard::domain::sunset::today().previous_day().unwrap();
    sqlx::query(&format!(
        "INSERT INTO outbox (idempotency_key, kind, recipient, subject, body, store_id, redact, created_at, next_attempt_at, lane) \
         VALUES ('nudge:{first}:{yesterday}', 'email', 'many1@x.example', 'Reminder', 'Reminder', {first}, 0, {}, {now}, 'bulk')",
        now - 86_400
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();

    let pm = app.as_partner(PM).await;
    let preview = pm.get("/partner/remind").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let to_send = before + 1_050;
    assert!(
        preview.has(&format!("{to_send} reminders will be sent.")),
        "{}",
        preview.body
    );
    assert!(
        preview.has("To more than 1000 administrators"),
        "{}",
        preview.body
    );
    assert!(
        !preview.has("id=\"remind-more\""),
        "no remainder beyond the count"
    );
    assert!(preview.has("0 stores are skipped: already reminded today"));
    let to = between(&preview.body, "id=\"remind-recipients\">", "</ul>").unwrap();
    assert_eq!(to.matches("<li>").count(), 20, "{to}");
}

/// Confirms "remind all" under `fields` and follows the run's page until it is done,
/// as the manager's browser does (the page reloads itself while the run goes on).
async fn remind_all(pm: &TestApp, fields: &[(&str, &str)]) -> crate::helpers::Page {
    let started = pm.submit("/partner/remind", fields).await;
    assert!(started.status.is_redirection(), "{}", started.body);
    let run = started.location.expect("the run's page");
    assert!(run.starts_with("/partner/remind/runs/"), "{run}");
    for _ in 0..300 {
        let page = pm.get(&run).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if !page.has("data-reload") {
            return page;
        }
        assert!(page.has("Check again"), "without JavaScript: {}", page.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not finish");
}

/// More stores than a batch: the run goes through all of them, batch after batch, and
/// each unfinished store gets its one reminder.
#[tokio::test]
async fn remind_all_reminds_a_cohort_larger_than_a_batch() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    crate::partner::many_stores(&app, now).await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let unfinished = app
        .scalar(
            "SELECT COUNT(*) FROM stores s JOIN partners p ON p.id = s.partner_id \
             WHERE p.name = 'Nordic Commerce Partners' AND s.upgrade_step <> 'complete'",
        )
        .await;
    assert!(unfinished > 1_000, "{unfinished}");
    let preview = pm.get("/partner/remind").await;
    assert!(
        preview.has(&format!("{unfinished} reminders will be sent.")),
        "{}",
        preview.body
    );
    let done = remind_all(&pm, &[]).await;
    assert!(
        done.has(&format!("Reminders queued: {unfinished}.")),
        "{}",
        done.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'nudge:%'")
            .await,
        unfinished
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'store.nudged'")
            .await,
        unfinished
    );
}

/// A run whose instance stopped half-way is taken up by the chores of another instance,
/// from where it stood, and nobody is reminded twice.
#[tokio::test]
async fn a_stopped_remind_all_is_taken_up_again_by_another_instance() {
    let app = spawn_app().await;
    let now = switchyard::store::now();
    crate::partner::many_stores(&app, now).await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    // The first 600 stores were reminded before the instance stopped; its claim ran out.
    let user = app
        .scalar(&format!("SELECT id FROM users WHERE email = '{PM}'"))
        .await;
    let partner = app
        .scalar("SELECT id FROM partners WHERE name = 'Nordic Commerce Partners'")
        .await;
    let cut = app
        .scalar(&format!(
            "SELECT MAX(id) FROM (SELECT id FROM stores WHERE partner_id = {partner} ORDER BY id LIMIT 600) s"
        ))
        .await;
    pm.submit("/partner/nudge", &[("store", "700001")]).await;
    sqlx::query(&format!(
        "INSERT INTO remind_runs (user_id, actor, ip, partners, query, expected, sent, skipped, after_id, claimed_by, claimed_until, started_at) \
         VALUES ({user}, '{PM}', '127.0.0.1', '{partner}', 'sort=', 0, 0, 0, {cut}, 'stopped', 0, {now})"
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();
    let _chores = app
        .another_instance(|c| c.maintenance_interval = Some(std::time::Duration::from_millis(100)))
        .await;
    let mut finished = 0;
    for _ in 0..200 {
        finished = app
            .scalar("SELECT COUNT(*) FROM remind_runs WHERE finished_at IS NOT NULL")
            .await;
        if finished == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(finished, 1, "taken up and finished");
    let after_cut = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM stores WHERE partner_id = {partner} AND id > {cut} AND upgrade_step <> 'complete'"
        ))
        .await;
    let reminded = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM outbox o JOIN stores s ON o.store_id = s.id \
             WHERE o.idempotency_key LIKE 'nudge:%' AND s.id > {cut}"
        ))
        .await;
    assert_eq!(reminded, after_cut, "every store after where it stood");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM outbox o WHERE o.idempotency_key LIKE 'nudge:%' AND o.store_id <= {cut}"
        ))
        .await,
        app.scalar("SELECT COUNT(*) FROM stores WHERE legacy_store_id = '700001' AND upgrade_step <> 'complete'")
            .await,
        "none before it, but the one reminded by hand"
    );
}

#[tokio::test]
async fn the_last_reminded_column_shows_when_the_admin_was_last_reminded() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let before = pm.get("/partner").await;
    assert!(row(&before.body, "20240").contains("class=\"reminded\""));
    assert!(!row(&before.body, "20240").contains("<time"));
    pm.submit("/partner/nudge", &[("store", "20240")]).await;
    let after = pm.get("/partner").await;
    let reminded = between(&row(&after.body, "20240"), "class=\"reminded\"", "</td>").unwrap();
    assert!(reminded.contains("<time datetime=\""), "{reminded}");
    assert!(!row(&after.body, "4711").contains("<time datetime"));
}

#[tokio::test]
async fn the_table_stays_in_its_card_and_every_cell_is_labelled_for_phones() {
    let app = spawn_app().await;
    app.partners().await;
    let pm = app.as_partner(PM).await;
    let page = pm.get("/partner").await;
    assert!(page.has("<div class=\"table-wrap\"><table class=\"list\" id=\"cohort\""));
    let body = between(&page.body, "<tbody>", "</tbody>").unwrap();
    let cells = body.matches("<td").count();
    assert!(cells >= 5 * 10, "{body}");
    assert_eq!(
        body.matches("<td data-label=").count()
            + body.matches("<td class=\"num\" data-label=").count()
            + body.matches("<td class=\"reminded\" data-label=").count()
            + body.matches("<td class=\"legacy\" data-label=").count()
            + body
                .matches("<td class=\"legacy attention\" data-label=")
                .count(),
        cells,
        "{body}"
    );
    let css = pm.get("/assets/app.css").await.body;
    assert!(css.contains(".table-wrap { max-width: 100%; overflow-x: auto; }"));
    assert!(css.contains("svg.chart { display: block; width: 100%;"));
}

#[tokio::test]
async fn the_weekly_chart_projects_the_pace_and_says_who_will_not_finish() {
    let app = spawn_app_with(|c| {
        let today = time::OffsetDateTime::now_utc().date();
        c.sunsets = vec![
            ("KPM".into(), today + time::Duration::days(20)),
            ("KCOv2".into(), today + time::Duration::days(200)),
        ];
    })
    .await;
    app.partners().await;
    // Two of the five finished eight days ago: half a store a week over four weeks.
    let done = switchyard::store::now() - 8 * 86_400;
    sqlx::query(
        "UPDATE stores SET upgrade_step = 'complete', upgrade_completed_at = $1, \
         upgrade_progressed_at = $1, upgrade_updated_at = $1 \
         WHERE legacy_store_id IN ('4711', '20240')",
    )
    .bind(done)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let pm = app.as_partner(PM).await;
    let page = pm.get("/partner").await;
    // 0.5 a week for 20 days finishes 1 of the 3 left.
    let said = between(&page.body, "id=\"projection\">", "</p>").expect("the projection");
    assert!(
        said.starts_with("At the pace of the last 4 weeks (0.5 completed a week), 2 stores will not have finished by the sunset on"),
        "{said}"
    );
    let chart = between(&page.body, "id=\"chart-weekly\"", "</figure>").unwrap();
    assert!(
        chart.contains("class=\"projection\"") && chart.contains("Projected at the current pace")
    );
    assert!(chart.contains("viewBox=\"0 0 400 "));
}

#[tokio::test]
async fn the_csv_has_admin_platform_countries_mid_and_partner_a_bom_option_and_no_formulas() {
    let app = spawn_app().await;
    app.partners().await;
    app.nordic_store(
        "777001",
        "=HYPERLINK(\"http://evil.example\")",
        "+cmd@evil.example",
    )
    .await;
    let admin = app.another_browser();
    admin.sign_in(ADMIN).await;
    admin.accept_terms().await;
    admin.confirm_account().await;
    admin.generate_credentials().await;
    let mid: String =
        sqlx::query_scalar("SELECT merchant_id FROM upgrades WHERE merchant_id IS NOT NULL")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let pm = app.as_partner(PM).await;

    let csv = pm.get("/partner/export.csv?sort=eid").await;
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "legacy_store_id,name,product,path,step,last_activity,days_without_progress,risk,admin_email,platform,countries,new_mid,partner,legacy_last_used,order_management_first_used"
    );
    let kaffe = lines.next().unwrap();
    assert!(
        kaffe.ends_with(&format!(
            ",anna@kaffebaren.example,woocommerce,SE;NO;FI,{mid},Nordic Commerce Partners,,"
        )),
        "{kaffe}"
    );
    let evil = csv.body.lines().find(|l| l.starts_with("777001,")).unwrap();
    assert!(
        evil.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\","),
        "{evil}"
    );
    assert!(evil.contains(",'+cmd@evil.example,"), "{evil}");

    let raw = |path: &str| {
        let (client, url) = (pm.client.clone(), pm.url(path));
        async move { client.get(url).send().await.unwrap().bytes().await.unwrap() }
    };
    let plain = raw("/partner/export.csv").await;
    assert!(plain.starts_with(b"legacy_store_id,"));
    let bom = raw("/partner/export.csv?bom=1").await;
    assert!(bom.starts_with(b"\xEF\xBB\xBFlegacy_store_id,"));
    assert!(
        pm.get("/partner")
            .await
            .has("id=\"export-csv-bom\" href=\"/partner/export.csv?bom=1\"")
    );
}

#[tokio::test]
async fn support_sees_every_partner_in_the_stalled_list_and_filters_by_one() {
    let app = spawn_app().await;
    app.partners().await;
    let long_ago = switchyard::store::now() - 30 * 86_400;
    sqlx::query(
        "UPDATE stores SET upgrade_step = 'account', upgrade_progressed_at = $1, \
         upgrade_updated_at = $1 WHERE legacy_store_id IN ('4711', '990001')",
    )
    .bind(long_ago)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let agent = "agent@support.example";
    app.add_staff(agent, switchyard::domain::access::StaffRole::Support, None)
        .await;
    let support = app.as_partner(agent).await;
    let other = app.partner_id("Other Partner").await;

    let all = support.get("/support/stalled").await;
    assert!(all.has("2 stalled upgrades"), "{}", all.body);
    let row = between(&all.body, "id=\"stalled-990001\"", "</tr>").unwrap();
    assert!(row.contains(">Other Partner<"), "{row}");
    let row = between(&all.body, "id=\"stalled-4711\"", "</tr>").unwrap();
    assert!(row.contains(">Nordic Commerce Partners<"), "{row}");
    let one = support
        .get(&format!("/support/stalled?partner={other}"))
        .await;
    assert!(one.has("1 stalled upgrade,"), "{}", one.body);
    assert!(one.has("id=\"stalled-990001\"") && !one.has("id=\"stalled-4711\""));
}

/// One runner at a time: a run held by another cannot be taken; one taken over records
/// nothing more from its old runner, nor from a runner whose view of it is stale.
#[tokio::test]
async fn a_remind_run_counts_the_batches_of_its_one_runner_only() {
    use switchyard::store::remind_runs::{self, NewRun};
    let app = spawn_app().await;
    app.partners().await;
    let user = app
        .scalar(&format!("SELECT id FROM users WHERE email = '{PM}'"))
        .await;
    let now = switchyard::store::now();
    let new = NewRun {
        user_id: user,
        actor: PM,
        ip: "127.0.0.1",
        partners: &[1],
        query: "",
        expected: 10,
    };
    let id = remind_runs::create(&app.db, &new, now, ("a", now + 120))
        .await
        .unwrap();
    assert!(
        !remind_runs::claim(&app.db, id, now, ("b", now + 120))
            .await
            .unwrap(),
        "held by a"
    );
    let seen_by_a = remind_runs::get(&app.db, id).await.unwrap().unwrap();
    assert!(
        remind_runs::advance(&app.db, &seen_by_a, "a", (5, 1, 100), now + 120)
            .await
            .unwrap()
    );
    // a stops answering; its claim runs out and b takes the run up.
    remind_runs::release(&app.db, id, "a").await.unwrap();
    assert!(
        remind_runs::claim(&app.db, id, now, ("b", now + 120))
            .await
            .unwrap()
    );
    let seen_by_b = remind_runs::get(&app.db, id).await.unwrap().unwrap();
    assert!(
        !remind_runs::advance(&app.db, &seen_by_b, "a", (5, 0, 200), now + 120)
            .await
            .unwrap(),
        "a lost it"
    );
    assert!(
        remind_runs::advance(&app.db, &seen_by_b, "b", (4, 0, 200), now + 120)
            .await
            .unwrap()
    );
    assert!(
        !remind_runs::advance(&app.db, &seen_by_b, "b", (4, 0, 300), now + 120)
            .await
            .unwrap(),
        "a stale view: the run moved on"
    );
    remind_runs::finish(&app.db, id, "a", now).await.unwrap();
    let run = remind_runs::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!((run.sent, run.skipped, run.after_id), (9, 1, 200));
    assert!(run.finished_at.is_none(), "only its runner finishes it");
}
