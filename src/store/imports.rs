//! What an import of stores reads and writes: every partner (to match names as people
//! write them), stores by legacy ID a batch at a time, and the rows it creates or changes.

use sqlx::{Any, Executor};

use super::stores::{COLUMNS, NewStore, Store};
use crate::domain::text::fold;

/// Every partner: (id, name). Partners are few (agencies and platforms), so an import
/// holds them all to match the names in its file.
pub async fn partners<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM partners ORDER BY id")
        .fetch_all(ex)
        .await
}

/// Creates the partner `name`; its id.
pub async fn create_partner(tx: &mut super::Tx, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO partners (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(&mut **tx)
        .await
}

/// The stores among `eids` that exist (a batch: a few hundred at most).
pub async fn by_legacy_ids<'c>(
    ex: impl Executor<'c, Database = Any>,
    eids: &[&str],
) -> sqlx::Result<Vec<Store>> {
    if eids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM stores WHERE legacy_store_id IN ({})",
        super::placeholders(1, eids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for eid in eids {
        q = q.bind(*eid);
    }
    q.fetch_all(ex).await
}

/// Creates an imported store, with no reminder before `remind_from` (unix seconds); its id.
pub async fn insert(
    tx: &mut super::Tx,
    s: &NewStore,
    partner_id: Option<i64>,
    (created_at, remind_from): (i64, i64),
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO stores (legacy_store_id, name, product, admin_email, countries, platform, store_url, \
         partner_id, created_at, name_folded, remind_from, legacy_recurring, legacy_b2b, legacy_payment_methods) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&s.legacy_store_id)
    .bind(&s.name)
    .bind(&s.product)
    .bind(&s.admin_email)
    .bind(s.countries.join(";"))
    .bind(&s.platform)
    .bind(&s.store_url)
    .bind(partner_id)
    .bind(created_at)
    .bind(fold(&s.name))
    .bind(remind_from)
    .bind(s.capabilities.recurring.map(i64::from))
    .bind(s.capabilities.b2b.map(i64::from))
    .bind(s.capabilities.methods_field())
    .fetch_one(&mut **tx)
    .await
}

/// Gives store `id` what an import with `--update` says of it (not its product, nor
/// anything the upgrade has recorded; a capability the file leaves empty is kept).
pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    s: &NewStore,
    partner_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE stores SET name = $1, name_folded = $2, admin_email = $3, countries = $4, platform = $5, \
         store_url = $6, partner_id = $7, legacy_recurring = COALESCE($9, legacy_recurring), \
         legacy_b2b = COALESCE($10, legacy_b2b), legacy_payment_methods = COALESCE($11, legacy_payment_methods) \
         WHERE id = $8",
    )
    .bind(&s.name)
    .bind(fold(&s.name))
    .bind(&s.admin_email)
    .bind(s.countries.join(";"))
    .bind(&s.platform)
    .bind(&s.store_url)
    .bind(partner_id)
    .bind(id)
    .bind(s.capabilities.recurring.map(i64::from))
    .bind(s.capabilities.b2b.map(i64::from))
    .bind(s.capabilities.methods_field())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
