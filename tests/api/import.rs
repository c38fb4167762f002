//! `switchyard import-stores`: the real binary against the test's database.

use std::process::Command;

use crate::helpers::spawn_app;

fn import(app: &crate::helpers::TestApp, csv: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stores.csv");
    std::fs::write(&file, csv).unwrap();
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("import-stores")
        .arg(&file)
        .env("SWITCHYARD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "error")
        // Without a secret key a demo keeps one in its working directory.
        .current_dir(dir.path())
        .output()
        .unwrap()
}

const HEADER: &str =
    "legacy_store_id,name,product,admin_email,countries,platform,store_url,partner\n";

#[tokio::test]
async fn a_good_file_is_imported() {
    let app = spawn_app().await;
    let before = app.scalar("SELECT COUNT(*) FROM stores").await;
    let out = import(
        &app,
        &format!(
            "{HEADER}9001,Ny Butik,KPM,ny@butik.example,SE;FI,shopify,https://ny.example,Agency AB\n"
        ),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stores").await, before + 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM partners WHERE name = 'Agency AB'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_file_with_a_bad_row_is_rejected_whole_naming_the_line() {
    let app = spawn_app().await;
    let before = app.scalar("SELECT COUNT(*) FROM stores").await;
    let csv = format!(
        "{HEADER}9001,Good,KPM,good@shop.example,SE,shopify,https://good.example,\n9002,Bad,KPM,good@shop.example,SE,shopify,https://bad.example,\n9003,Worse,KPM,not-an-email,SE,shopify,https://x.example,\n"
    );
    let out = import(&app, &csv);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 4") && stderr.contains("admin_email"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stores").await, before);
}

#[tokio::test]
async fn an_existing_store_id_is_a_bad_row() {
    let app = spawn_app().await;
    let out = import(
        &app,
        &format!("{HEADER}4711,Again,KPM,x@y.example,SE,shopify,https://x.example,\n"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already imported"));
}
