//! Upgrades: the aggregate's row, its lock, the steps it moved (with their history and
//! partners' webhooks) and the fields its rules change. What an upgrade may do is decided
//! by [`Upgrade`] in the domain; this only stores it.

use sqlx::{Any, Executor, FromRow, Row, any::AnyRow};

use super::{Tx, columns, now};
use crate::domain::{
    MerchantId,
    order::TestOrder,
    upgrade::{Move, Step, Upgrade},
};

impl<'r> FromRow<'r, AnyRow> for Upgrade {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(Upgrade {
            id: row.try_get("id")?,
            store_id: row.try_get("store_id")?,
            path_id: row.try_get("path_id")?,
            step: row.try_get("step")?,
            global_enabled: columns::flag(row, "global_enabled")?,
            merchant_id: row.try_get("merchant_id")?,
            test_merchant_id: row.try_get("test_merchant_id")?,
            checklist: row.try_get("checklist")?,
            legacy_warned_at: row.try_get("legacy_warned_at")?,
            test_order_id: row.try_get("test_order_id")?,
            test_order_status: row.try_get("test_order_status")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            completed_at: row.try_get("completed_at")?,
            progressed_at: row.try_get("progressed_at")?,
        })
    }
}

const COLUMNS: &str = "id, store_id, path_id, step, global_enabled, merchant_id, test_merchant_id, checklist, legacy_warned_at, test_order_id, test_order_status, created_at, updated_at, completed_at, progressed_at";

/// The store's upgrade; `None` while nobody has started it.
pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Option<Upgrade>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM upgrades WHERE store_id = $1"
    ))
    .bind(store_id)
    .fetch_optional(ex)
    .await
}

/// The upgrade that owns `mid`, live or test.
pub async fn by_merchant_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    mid: &str,
) -> sqlx::Result<Option<Upgrade>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM upgrades WHERE merchant_id = $1 OR test_merchant_id = $1"
    ))
    .bind(mid)
    .fetch_optional(ex)
    .await
}

/// The store's upgrade, started on `default_path` if there is none yet.
pub async fn get_or_start(
    db: &super::Db,
    store_id: i64,
    default_path: &str,
) -> sqlx::Result<Upgrade> {
    if let Some(u) = for_store(&db.pool, store_id).await? {
        return Ok(u);
    }
    let at = now();
    let inserted = sqlx::query(
        "INSERT INTO upgrades (store_id, path_id, step, global_enabled, created_at, updated_at, progressed_at) \
         VALUES ($1, $2, $3, 1, $4, $4, $4)",
    )
    .bind(store_id)
    .bind(default_path)
    .bind(Step::FIRST)
    .bind(at)
    .execute(&db.pool)
    .await;
    match inserted {
        Ok(_) => {}
        // Two tabs started it at once: the other insert won, use that one.
        Err(e) if super::is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    for_store(&db.pool, store_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Locks the upgrade row for the rest of the transaction (PostgreSQL; SQLite's single
/// writer gives the same guarantee once the transaction writes).
pub async fn lock(tx: &mut Tx, id: i64, backend: super::Backend) -> sqlx::Result<Upgrade> {
    let sql = match backend {
        super::Backend::Postgres => {
            format!("SELECT {COLUMNS} FROM upgrades WHERE id = $1 FOR UPDATE")
        }
        super::Backend::Sqlite => {
            // Take SQLite's write lock now, so the read below cannot go stale.
            sqlx::query("UPDATE upgrades SET updated_at = updated_at WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            format!("SELECT {COLUMNS} FROM upgrades WHERE id = $1")
        }
    };
    sqlx::query_as(&sql).bind(id).fetch_one(&mut **tx).await
}

/// Records, inside `tx` (the row locked by the caller), the step `upgrade` just moved:
/// the step, its history, and the event for the partner's webhooks.
pub async fn record_move(
    tx: &mut Tx,
    upgrade: &Upgrade,
    moved: Move,
    actor: &str,
) -> sqlx::Result<()> {
    let Move { from, to } = moved;
    let at = now();
    let completed_at = (to == Step::Complete).then_some(at);
    sqlx::query("UPDATE upgrades SET step = $1, updated_at = $2, progressed_at = $2, completed_at = COALESCE(completed_at, $3) WHERE id = $4")
        .bind(to)
        .bind(at)
        .bind(completed_at)
        .bind(upgrade.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO upgrade_history (upgrade_id, from_step, to_step, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(upgrade.id)
        .bind(from)
        .bind(to)
        .bind(actor)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    super::webhooks::enqueue_step(tx, upgrade, moved, actor, at).await
}

/// Stores the upgrade path it settled on.
pub async fn set_path(tx: &mut Tx, upgrade: &Upgrade) -> sqlx::Result<()> {
    sqlx::query("UPDATE upgrades SET path_id = $1, updated_at = $2 WHERE id = $3")
        .bind(&upgrade.path_id)
        .bind(now())
        .bind(upgrade.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores its global-payments choice.
pub async fn set_global(tx: &mut Tx, upgrade: &Upgrade) -> sqlx::Result<()> {
    sqlx::query("UPDATE upgrades SET global_enabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(upgrade.global_enabled))
        .bind(now())
        .bind(upgrade.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores its integration checklist.
pub async fn set_checklist(tx: &mut Tx, upgrade: &Upgrade) -> sqlx::Result<()> {
    sqlx::query("UPDATE upgrades SET checklist = $1, updated_at = $2 WHERE id = $3")
        .bind(upgrade.checklist)
        .bind(now())
        .bind(upgrade.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets the upgrade's live or test merchant ID.
pub async fn set_merchant_id(tx: &mut Tx, upgrade_id: i64, mid: &MerchantId) -> sqlx::Result<()> {
    let column = match mid.environment() {
        crate::domain::Environment::Live => "merchant_id",
        crate::domain::Environment::Test => "test_merchant_id",
    };
    sqlx::query(&format!(
        "UPDATE upgrades SET {column} = $1, updated_at = $2 WHERE id = $3"
    ))
    .bind(mid.as_str())
    .bind(now())
    .bind(upgrade_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks that the admin was warned about legacy orders; false if they already were.
pub async fn mark_legacy_warned(tx: &mut Tx, upgrade_id: i64) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE upgrades SET legacy_warned_at = $1 WHERE id = $2 AND legacy_warned_at IS NULL",
    )
    .bind(now())
    .bind(upgrade_id)
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Stores the order that completed the upgrade, and where it stands.
pub async fn set_test_order(tx: &mut Tx, upgrade: &Upgrade) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE upgrades SET test_order_id = $1, test_order_status = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(&upgrade.test_order_id)
    .bind(upgrade.test_order_status)
    .bind(now())
    .bind(upgrade.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves the test order's status from `from` to `to`; false if it was no longer `from`.
pub async fn move_test_order(
    tx: &mut Tx,
    upgrade_id: i64,
    from: TestOrder,
    to: TestOrder,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE upgrades SET test_order_status = $1, updated_at = $2 WHERE id = $3 AND test_order_status = $4",
    )
    .bind(to)
    .bind(now())
    .bind(upgrade_id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// One step change of an upgrade, for support's view of its history.
#[derive(Debug, Clone, FromRow)]
pub struct StepChange {
    pub from_step: Step,
    pub to_step: Step,
    pub actor: String,
    pub at: i64,
}

pub async fn step_history<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<StepChange>> {
    sqlx::query_as(
        "SELECT h.from_step, h.to_step, h.actor, h.at FROM upgrade_history h \
         JOIN upgrades u ON u.id = h.upgrade_id WHERE u.store_id = $1 ORDER BY h.id",
    )
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// Revokes every live credential of the upgrade at once; how many.
pub async fn revoke_all_credentials(tx: &mut Tx, upgrade_id: i64) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "UPDATE api_credentials SET revoked_at = $1 WHERE upgrade_id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(upgrade_id)
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected())
}
