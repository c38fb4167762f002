//! Demo data, so `cargo run` shows a portal with stores to upgrade.

use anyhow::Context;

use super::{import, store_import};
use crate::{
    domain::{
        Catalog,
        order::{Order, OrderAction},
    },
    store::{self, Db},
};

pub const DEMO_STORES: &str = include_str!("../../assets/demo/stores.csv");
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
    let stores: Vec<_> = store_import::parse_stores(DEMO_STORES, &catalog)
        .map_err(|e| anyhow::anyhow!("demo data is invalid: {e:?}"))?
        .into_iter()
        .filter(|s| !existing.contains(&s.legacy_store_id))
        .collect();
    let mut tx = db.begin().await?;
    store::stores::insert_all(&mut tx, &stores)
        .await
        .context("cannot insert demo stores")?;
    tx.commit().await?;
    if stores
        .iter()
        .any(|s| s.legacy_store_id == LEGACY_DEMO_STORE)
    {
        seed_legacy(db).await?;
    }
    Ok(stores.len())
}

/// The demo store whose legacy side has a settlement report and open orders.
pub const LEGACY_DEMO_STORE: &str = "555001";
const DEMO_REPORT: &[u8] = include_bytes!("../../assets/demo/settlement-555001.csv");

/// A settlement report, and orders on the legacy store at the sandbox platform: one
/// authorization about to expire, one part-captured, one captured, one fresh.
async fn seed_legacy(db: &Db) -> anyhow::Result<()> {
    import::import_settlement(db, DEMO_REPORT, Some(LEGACY_DEMO_STORE), "demo", "-")
        .await
        .context("cannot import the demo settlement report")?;
    const DAY: i64 = 86_400;
    let now = store::now();
    let orders = [
        ("demo-legacy-1", 89_500, 0, 24),
        ("demo-legacy-2", 148_000, 60_000, 9),
        ("demo-legacy-3", 34_900, 34_900, 20),
        ("demo-legacy-4", 215_000, 0, 2),
    ];
    for (id, amount, captured, age_days) in orders {
        let created = now - age_days * DAY;
        let mut order = Order::authorize(amount, created);
        if captured > 0 {
            order = order
                .apply(OrderAction::Capture(captured), created)
                .map_err(|e| anyhow::anyhow!("demo order {id}: {e:?}"))?;
        }
        store::sandbox::insert_order(
            db,
            &store::sandbox::SandboxOrder {
                order_id: id,
                merchant_id: LEGACY_DEMO_STORE,
                environment: "live",
                currency: "SEK",
                order: &order,
            },
        )
        .await
        .with_context(|| format!("cannot place the demo order {id}"))?;
    }
    Ok(())
}
