//! The CSV exports at a size larger than one batch of rows: streamed as they are read,
//! every store once, in the list's order, and a failed read ends the download in an
//! error rather than a file that looks complete.

use reqwest::{StatusCode, header::HeaderMap};
use switchyard::{domain::access::StaffRole, store::stores::NewStore};

use crate::helpers::{TestApp, spawn_app};
use crate::partner::PM;

/// More stores than one batch of the export (1,000 rows).
const MANY: usize = 2_300;
const NORDIC: &str = "Nordic Commerce Partners";

/// `MANY` stores of Nordic's, inserted in an order unlike their EIDs' (so neither the
/// import order nor text order passes for number order): EIDs of one to six digits, one
/// in four outside Sweden.
async fn many_stores(app: &TestApp) {
    let stores: Vec<NewStore> = (0..MANY)
        .map(|i| (i * 7) % MANY)
        .map(|k| NewStore {
            legacy_store_id: (1 + k * k / 5 + k).to_string(),
            name: format!("Export shop {k}"),
            product: "KPM".into(),
            admin_email: format!("admin{k}@export.example"),
            countries: vec![if k % 4 == 0 { "NO" } else { "SE" }.into()],
            platform: "woocommerce".into(),
            store_url: "https://shop.example".into(),
            partner: Some(NORDIC.into()),
            capabilities: Default::default(),
        })
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    switchyard::store::stores::insert_all(&mut tx, &stores)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A download's status and headers, its body's bytes as they came, and whether the
/// body ended cleanly.
struct Download {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    complete: bool,
}

async fn download(browser: &TestApp, path: &str) -> Download {
    let mut res = browser.client.get(browser.url(path)).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let mut body = Vec::new();
    let complete = loop {
        match res.chunk().await {
            Ok(Some(c)) => body.extend_from_slice(&c),
            Ok(None) => break true,
            Err(_) => break false,
        }
    };
    Download {
        status,
        headers,
        body,
        complete,
    }
}

/// The first column of each record after the header.
fn eids(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

/// The EIDs of one dashboard page, in its order.
async fn page_eids(browser: &TestApp, path: &str) -> Vec<String> {
    let page = browser.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    page.body
        .split("name=\"store\" value=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_large_export_streams_every_store_once_in_the_dashboards_order() {
    let app = spawn_app().await;
    app.partners().await;
    many_stores(&app).await;
    let pm = app.as_partner(PM).await;
    let mut swedish: Vec<String> = sqlx::query_scalar(
        "SELECT s.legacy_store_id FROM stores s JOIN partners p ON p.id = s.partner_id \
         WHERE p.name = $1 AND (';' || s.countries || ';') LIKE '%;SE;%'",
    )
    .bind(NORDIC)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(swedish.len() > 1_500, "{}", swedish.len());
    swedish.sort_by_key(|eid| std::cmp::Reverse(eid.parse::<u64>().unwrap()));

    let query = "country=SE&sort=eid&dir=desc";
    let plain = download(&pm, &format!("/partner/export.csv?{query}")).await;
    assert!(plain.complete);
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        plain.headers["content-disposition"],
        "attachment; filename=\"switchyard-stores.csv\""
    );
    // Sent as it is read: the length is not known before the last row.
    assert!(plain.headers.get("content-length").is_none());
    assert_eq!(plain.headers["transfer-encoding"], "chunked");
    let csv = String::from_utf8(plain.body).unwrap();
    assert!(csv.starts_with("legacy_store_id,name,product,path,step,"));
    let exported = eids(&csv);
    assert_eq!(
        exported, swedish,
        "every Swedish store once, largest EID first"
    );

    // The dashboard's first and last pages show the same stores in the same order.
    let last = swedish.len().div_ceil(50);
    let first_page = page_eids(&pm, &format!("/partner?{query}")).await;
    assert_eq!(first_page, exported[..50]);
    let last_page = page_eids(&pm, &format!("/partner?{query}&page={last}")).await;
    assert_eq!(last_page, exported[(last - 1) * 50..]);

    // The same, after a byte order mark, when asked for one.
    let bom = download(&pm, &format!("/partner/export.csv?{query}&bom=1")).await;
    assert!(bom.complete);
    assert!(bom.body.starts_with(b"\xEF\xBB\xBFlegacy_store_id,"));
    assert_eq!(bom.body[3..], *csv.as_bytes());
}

#[tokio::test]
async fn a_large_stalled_export_streams_every_stalled_upgrade_once_oldest_first() {
    let app = spawn_app().await;
    app.partners().await;
    many_stores(&app).await;
    // Each stalled for 8 to 60 days, many on the same day (ties go by store).
    let now = switchyard::store::now();
    sqlx::query(
        "UPDATE stores SET upgrade_step = 'account', \
         upgrade_progressed_at = $1 - (8 + id % 53) * 86400 WHERE name LIKE 'Export shop %'",
    )
    .bind(now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let mut stalled: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT upgrade_progressed_at, id, legacy_store_id FROM stores \
         WHERE upgrade_progressed_at <= $1 AND upgrade_step <> 'complete'",
    )
    .bind(now - 7 * 86_400)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(stalled.len(), MANY);
    stalled.sort();
    let expected: Vec<String> = stalled.into_iter().map(|(_, _, eid)| eid).collect();
    app.add_staff("agent@support.example", StaffRole::Support, None)
        .await;
    let agent = app.as_partner("agent@support.example").await;

    let csv = download(&agent, "/support/stalled.csv?days=7&bom=1").await;
    assert!(csv.complete);
    assert_eq!(
        csv.headers["content-disposition"],
        "attachment; filename=\"switchyard-stalled.csv\""
    );
    assert!(csv.headers.get("content-length").is_none());
    assert!(csv.body.starts_with(b"\xEF\xBB\xBFlegacy_store_id,"));
    assert_eq!(eids(&String::from_utf8(csv.body).unwrap()), expected);
}

#[tokio::test]
async fn a_row_that_cannot_be_read_fails_the_download_rather_than_end_it_early() {
    let app = spawn_app().await;
    app.partners().await;
    many_stores(&app).await;
    // The store last in EID order holds a step no version of Switchyard wrote.
    sqlx::query(
        "UPDATE stores SET upgrade_step = 'no-such-step' WHERE id = \
         (SELECT id FROM stores ORDER BY LENGTH(legacy_store_id) DESC, legacy_store_id DESC LIMIT 1)",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let pm = app.as_partner(PM).await;

    // However much of it arrives (the server need not flush what it had), the download
    // ends in an error, never in the ordinary end of a shorter file.
    let sent = pm
        .client
        .get(pm.url("/partner/export.csv?sort=eid"))
        .send()
        .await;
    if let Ok(mut res) = sent {
        assert_eq!(res.status(), StatusCode::OK, "the rows were on their way");
        let ended = loop {
            match res.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) => break "complete",
                Err(_) => break "failed",
            }
        };
        assert_eq!(ended, "failed", "the browser says the download failed");
    }
}
