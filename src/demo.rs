//! Demo data, so `cargo run` shows a portal with stores to upgrade.

use anyhow::Context;

use crate::{
    domain::Catalog,
    import,
    store::{self, Db},
};

pub const DEMO_STORES: &str = include_str!("../assets/demo/stores.csv");
/// The demo store administrator to sign in as.
pub const DEMO_ADMIN: &str = "anna@kaffebaren.example";

/// Seeds the demo stores into an empty database; leaves a database with stores alone.
pub async fn seed_if_empty(db: &Db) -> anyhow::Result<bool> {
    if store::stores::count(&db.pool).await? > 0 {
        return Ok(false);
    }
    seed(db).await?;
    Ok(true)
}

/// Adds the demo stores that are not there yet.
pub async fn seed(db: &Db) -> anyhow::Result<usize> {
    let catalog = Catalog::parse(crate::domain::catalog::DEFAULT_CATALOG)?;
    let existing: std::collections::HashSet<String> = store::stores::existing_legacy_ids(&db.pool)
        .await?
        .into_iter()
        .collect();
    let stores: Vec<_> = import::parse_stores(DEMO_STORES, &catalog)
        .map_err(|e| anyhow::anyhow!("demo data is invalid: {e:?}"))?
        .into_iter()
        .filter(|s| !existing.contains(&s.legacy_store_id))
        .collect();
    let mut tx = db.begin().await?;
    store::stores::insert_all(&mut tx, &stores)
        .await
        .context("cannot insert demo stores")?;
    tx.commit().await?;
    Ok(stores.len())
}
