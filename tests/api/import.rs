//! `switchyard import-stores`: the real binary against the test's database. What a file
//! may say (partners, countries, addresses, IDs), and the line each refusal names.

use std::process::{Command, Output};

use crate::helpers::{TestApp, output, spawn_app};

/// Runs `import-stores` on a file holding `csv`, with `args` before the file.
pub async fn import_bytes(
    app: &TestApp,
    csv: &[u8],
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stores.csv");
    std::fs::write(&file, csv).unwrap();
    output(command(app, &file, args, env)).await
}

/// The `import-stores` command for `file` against this app's database.
pub fn command(
    app: &TestApp,
    file: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("import-stores")
        .args(args)
        .arg(file)
        .env("SWITCHYARD_DATABASE_URL", &app.database_url)
        .env(
            "SWITCHYARD_SECRET_KEY",
            "cli-test-key-cli-test-key-0123456789",
        )
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .current_dir(file.parent().unwrap());
    command
}

async fn import(app: &TestApp, csv: &str) -> Output {
    import_bytes(app, csv.as_bytes(), &[], &[]).await
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub const HEADER: &str =
    "legacy_store_id,name,product,admin_email,countries,platform,store_url,partner\n";

#[tokio::test]
async fn a_good_file_is_imported() {
    let app = spawn_app().await;
    let before = app.scalar("SELECT COUNT(*) FROM stores").await;
    let out = import_bytes(
        &app,
        format!(
            "{HEADER}9001,Ny Butik,KPM,ny@butik.example,SE;FI,shopify,https://ny.example,Agency AB\n"
        )
        .as_bytes(),
        &["--create-partners"],
        &[],
    ).await;
    assert!(out.status.success(), "{}", stderr(&out));
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
    let out = import(&app, &csv).await;
    assert!(!out.status.success());
    let stderr = stderr(&out);
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
    )
    .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already imported"));
}

#[tokio::test]
async fn already_imported_names_the_line_an_editor_shows_even_after_blank_lines() {
    let app = spawn_app().await;
    let csv = format!(
        "{HEADER}\n9001,New,KPM,x@y.example,SE,shopify,https://x.example,\n\n\n\
         4711,Again,KPM,x@y.example,SE,shopify,https://x.example,\n"
    );
    let out = import(&app, &csv).await;
    assert!(!out.status.success());
    let stderr = stderr(&out);
    assert!(
        stderr.contains("line 6: legacy store ID 4711 is already imported"),
        "{stderr}"
    );
}

#[tokio::test]
async fn partners_are_matched_without_regard_to_case_and_spacing() {
    let app = spawn_app().await;
    let partners = app.scalar("SELECT COUNT(*) FROM partners").await;
    let csv = format!(
        "{HEADER}9001,One,KPM,one@shop.example,SE,shopify,https://one.example,nordic commerce partners\n\
         9002,Two,KPM,two@shop.example,SE,shopify,https://two.example, Nordic  Commerce   PARTNERS \n"
    );
    let out = import(&app, &csv).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM partners").await, partners);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM stores s JOIN partners p ON p.id = s.partner_id \
             WHERE p.name = 'Nordic Commerce Partners' AND s.legacy_store_id IN ('9001', '9002')"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn an_unknown_partner_is_refused_by_line_unless_partners_may_be_created() {
    let app = spawn_app().await;
    let partners = app.scalar("SELECT COUNT(*) FROM partners").await;
    let csv = format!(
        "{HEADER}9001,One,KPM,one@shop.example,SE,shopify,https://one.example,Baltic Web Agency\n\
         9002,Two,KPM,two@shop.example,SE,shopify,https://two.example,baltic  web agency\n"
    );
    let out = import(&app, &csv).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("line 2: partner \"Baltic Web Agency\" is unknown")
            && err.contains("line 3: partner \"baltic web agency\" is unknown")
            && err.contains("--create-partners"),
        "{err}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM partners").await, partners);

    let out = import_bytes(&app, csv.as_bytes(), &["--create-partners"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM partners").await,
        partners + 1
    );
    let report = stdout(&out);
    assert_eq!(
        report
            .matches("partner \"Baltic Web Agency\" created")
            .count(),
        1,
        "{report}"
    );
    assert!(report.contains("1 partners created"), "{report}");
}

#[tokio::test]
async fn countries_addresses_and_ids_are_checked_for_what_they_mean() {
    let app = spawn_app().await;
    let csv = format!(
        "{HEADER}9001,A,KPM,a@shop.example,SE;XX,shopify,https://a.example,\n\
         9002,B,KPM,b@shop.example,SE,shopify,http://b.example,\n\
         0004711,C,KPM,c@shop.example,SE,shopify,https://c.example,\n\
         9004,D,KPM,d@shop.example,UK,shopify,https://d.example,\n"
    );
    let out = import(&app, &csv).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    for expected in [
        "line 2: countries: \"XX\" is not an ISO 3166-1 country code",
        "line 3: store_url \"http://b.example\" must be a web address starting with https://",
        "line 4: legacy_store_id \"0004711\" has leading zeros: write it as 4711",
        "line 5: countries: \"UK\" is not an ISO 3166-1 country code; use GB",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
}

#[tokio::test]
async fn a_spreadsheets_semicolons_and_latin1_get_a_hint() {
    let app = spawn_app().await;
    let semicolons = format!(
        "{}9001;A;KPM;a@shop.example;SE;shopify;https://a.example;\n",
        HEADER.replace(',', ";")
    );
    let err = stderr(&import(&app, &semicolons).await);
    assert!(
        err.contains("line 1: the file seems to be separated by semicolons; use commas"),
        "{err}"
    );

    let mut latin1 =
        format!("{HEADER}9001,Kaffe,KPM,a@shop.example,SE,shopify,https://a.example,\n")
            .into_bytes();
    latin1.extend_from_slice(
        b"9002,Caf\xe9 M\xfcller,KPM,b@shop.example,DE,shopify,https://b.example,\n",
    );
    let out = import_bytes(&app, &latin1, &[], &[]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("line 3: the file is not UTF-8 (Latin-1?); save it as UTF-8"),
        "{err}"
    );
}
