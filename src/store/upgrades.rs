//! Upgrades, their step history and terms acceptances.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now};
use crate::domain::{Action, Refusal, Step, upgrade};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct UpgradeRow {
    pub id: i64,
    pub store_id: i64,
    pub path_id: String,
    pub step: String,
    pub global_enabled: i64,
    pub merchant_id: Option<String>,
    pub test_merchant_id: Option<String>,
    /// Ticked integration checklist items, comma-separated.
    pub checklist: String,
    /// When the admin was told the old plugin still takes orders.
    pub legacy_warned_at: Option<i64>,
    /// The order whose arrival completed the upgrade, which the admin is asked to cancel.
    pub test_order_id: Option<String>,
    /// What became of it: open, cancelled, captured (a refund is needed), refunded.
    pub test_order_status: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    /// When the upgrade last moved a step (progress); any other change is `updated_at`.
    pub progressed_at: Option<i64>,
}

impl UpgradeRow {
    pub fn step(&self) -> Step {
        stored_step(&self.step)
    }

    pub fn global_enabled(&self) -> bool {
        self.global_enabled != 0
    }

    /// Whether the admin has ticked this integration checklist item.
    pub fn checked(&self, item: &str) -> bool {
        self.checklist.split(',').any(|i| i == item)
    }
}

impl UpgradeRow {
    /// The upgrade as it stands before anyone starts it; not stored.
    pub fn not_started(store_id: i64, path_id: String) -> Self {
        UpgradeRow {
            id: 0,
            store_id,
            path_id,
            step: Step::Terms.as_str().to_owned(),
            global_enabled: 1,
            merchant_id: None,
            test_merchant_id: None,
            checklist: String::new(),
            legacy_warned_at: None,
            test_order_id: None,
            test_order_status: None,
            created_at: 0,
            updated_at: 0,
            progressed_at: None,
            completed_at: None,
        }
    }
}

const COLUMNS: &str = "id, store_id, path_id, step, global_enabled, merchant_id, test_merchant_id, checklist, legacy_warned_at, test_order_id, test_order_status, created_at, updated_at, completed_at, progressed_at";

pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Option<UpgradeRow>> {
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
) -> sqlx::Result<Option<UpgradeRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM upgrades WHERE merchant_id = $1 OR test_merchant_id = $1"
    ))
    .bind(mid)
    .fetch_optional(ex)
    .await
}

/// The step an `upgrades.step` column holds; it is only ever written from `Step::as_str`.
pub fn stored_step(column: &str) -> Step {
    Step::parse(column).unwrap_or(Step::Terms)
}

/// Upgrades still waiting for their test purchase although a live order on their new
/// merchant ID is recorded: the order's effect was never written (`intake::catch_up`).
pub async fn awaiting_a_recorded_purchase<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT u.id FROM upgrades u WHERE u.step = $1 AND u.merchant_id IS NOT NULL AND EXISTS \
         (SELECT 1 FROM order_events e WHERE e.merchant_id = u.merchant_id AND e.kind = 'order.created' \
          AND e.environment = 'live')",
    )
    .bind(Step::TestPurchase.as_str())
    .fetch_all(ex)
    .await
}

/// Upgrades whose legacy store took an order after their new credentials were issued, and
/// whose admin was never told the old plugin is still active (`intake::catch_up`): each
/// upgrade's id and its store's.
pub async fn unwarned_with_legacy_orders<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT u.id, u.store_id FROM upgrades u WHERE u.merchant_id IS NOT NULL AND u.legacy_warned_at IS NULL AND EXISTS \
         (SELECT 1 FROM order_events e WHERE e.store_id = u.store_id AND e.legacy_store_id IS NOT NULL \
          AND e.kind = 'order.created' \
          AND e.received_at >= (SELECT MIN(c.created_at) FROM api_credentials c WHERE c.upgrade_id = u.id))",
    )
    .fetch_all(ex)
    .await
}

/// The store's upgrade, started on `default_path` if there is none yet.
pub async fn get_or_start(
    db: &super::Db,
    store_id: i64,
    default_path: &str,
) -> sqlx::Result<UpgradeRow> {
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
    .bind(Step::Terms.as_str())
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
pub async fn lock(tx: &mut Tx, id: i64, backend: super::Backend) -> sqlx::Result<UpgradeRow> {
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

/// Why an upgrade could not advance: the state machine said no, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum AdvanceError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Applies `action` inside `tx` (the row must be locked by the caller) and records it.
pub async fn advance(
    tx: &mut Tx,
    upgrade: &UpgradeRow,
    action: Action,
    actor: &str,
) -> Result<Step, AdvanceError> {
    let from = upgrade.step();
    let to = upgrade::transition(from, action)?;
    let at = now();
    let completed_at = (to == Step::Complete).then_some(at);
    sqlx::query("UPDATE upgrades SET step = $1, updated_at = $2, progressed_at = $2, completed_at = COALESCE(completed_at, $3) WHERE id = $4")
        .bind(to.as_str())
        .bind(at)
        .bind(completed_at)
        .bind(upgrade.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO upgrade_history (upgrade_id, from_step, to_step, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(upgrade.id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(actor)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    super::webhooks::enqueue_step(tx, upgrade, from, to, actor, at).await?;
    Ok(to)
}

pub async fn set_path(tx: &mut Tx, upgrade_id: i64, path_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE upgrades SET path_id = $1, updated_at = $2 WHERE id = $3")
        .bind(path_id)
        .bind(now())
        .bind(upgrade_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_global(tx: &mut Tx, upgrade_id: i64, enabled: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE upgrades SET global_enabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(enabled))
        .bind(now())
        .bind(upgrade_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets the upgrade's live or test merchant ID.
pub async fn set_merchant_id(
    tx: &mut Tx,
    upgrade_id: i64,
    mid: &crate::domain::MerchantId,
) -> sqlx::Result<()> {
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

/// What was accepted, by whom, when and from where.
#[derive(Debug, Clone)]
pub struct Acceptance<'a> {
    pub path_id: &'a str,
    pub user_email: &'a str,
    pub title: &'a str,
    pub version: &'a str,
    pub sha256: &'a str,
    pub body: &'a str,
    pub pdf: &'a [u8],
    pub file_name: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn record_acceptance(
    tx: &mut Tx,
    upgrade_id: i64,
    a: &Acceptance<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO terms_acceptances (upgrade_id, path_id, user_email, document_title, document_version, document_sha256, \
         document_body, document_pdf, document_file_name, ip, user_agent, accepted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(upgrade_id)
    .bind(a.path_id)
    .bind(a.user_email)
    .bind(a.title)
    .bind(a.version)
    .bind(a.sha256)
    .bind(a.body)
    .bind(a.pdf)
    .bind(a.file_name)
    .bind(a.ip)
    .bind(a.user_agent)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The PDF of the latest acceptance, exactly as accepted, with its file name.
pub async fn accepted_pdf<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Option<(Vec<u8>, String)>> {
    let row: Option<(Option<Vec<u8>>, Option<String>)> = sqlx::query_as(
        "SELECT document_pdf, document_file_name FROM terms_acceptances WHERE upgrade_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(upgrade_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.and_then(|(pdf, name)| Some((pdf?, name.unwrap_or_else(|| "terms.pdf".into())))))
}

#[derive(Debug, Clone, FromRow)]
pub struct AcceptanceRow {
    pub path_id: String,
    pub document_body: String,
    pub user_email: String,
    pub document_title: String,
    pub document_version: String,
    pub document_sha256: String,
    pub accepted_at: i64,
}

pub async fn latest_acceptance<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Option<AcceptanceRow>> {
    sqlx::query_as(
        "SELECT path_id, document_body, user_email, document_title, document_version, document_sha256, accepted_at FROM terms_acceptances \
         WHERE upgrade_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(upgrade_id)
    .fetch_optional(ex)
    .await
}

pub async fn set_checklist(tx: &mut Tx, upgrade_id: i64, ticked: &[&str]) -> sqlx::Result<()> {
    sqlx::query("UPDATE upgrades SET checklist = $1, updated_at = $2 WHERE id = $3")
        .bind(ticked.join(","))
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

/// Remembers the order that completed the upgrade, to be cancelled.
pub async fn set_test_order(
    tx: &mut Tx,
    upgrade_id: i64,
    order_id: &str,
    status: crate::domain::order::TestOrder,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE upgrades SET test_order_id = $1, test_order_status = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(order_id)
    .bind(status.as_str())
    .bind(now())
    .bind(upgrade_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves the test order's status from `from` to `to`; false if it was no longer `from`.
pub async fn move_test_order(
    tx: &mut Tx,
    upgrade_id: i64,
    from: crate::domain::order::TestOrder,
    to: crate::domain::order::TestOrder,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE upgrades SET test_order_status = $1, updated_at = $2 WHERE id = $3 AND test_order_status = $4",
    )
    .bind(to.as_str())
    .bind(now())
    .bind(upgrade_id)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// An upgrade with credentials that has not seen its purchase yet: what polling asks
/// the platform about.
#[derive(Debug, Clone, FromRow)]
pub struct AwaitingOrders {
    pub upgrade_id: i64,
    pub merchant_id: Option<String>,
    pub test_merchant_id: Option<String>,
    /// When its first credentials were issued; earlier orders do not count.
    pub since: Option<i64>,
}

pub async fn awaiting_orders<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<AwaitingOrders>> {
    sqlx::query_as(
        "SELECT u.id AS upgrade_id, u.merchant_id, u.test_merchant_id, \
         (SELECT MIN(c.created_at) FROM api_credentials c WHERE c.upgrade_id = u.id) AS since \
         FROM upgrades u WHERE u.completed_at IS NULL AND (u.merchant_id IS NOT NULL OR u.test_merchant_id IS NOT NULL) \
         ORDER BY u.id",
    )
    .fetch_all(ex)
    .await
}

/// One step change of an upgrade, for support's view of its history.
#[derive(Debug, Clone, FromRow)]
pub struct StepChange {
    pub from_step: String,
    pub to_step: String,
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

/// An upgrade no step has moved in for a while.
#[derive(Debug, Clone, FromRow)]
pub struct Stalled {
    pub legacy_store_id: String,
    pub name: String,
    pub admin_email: String,
    pub step: String,
    pub progressed_at: i64,
}

/// Unfinished upgrades whose last step moved before `before`, oldest first.
pub async fn stalled<'c>(
    ex: impl Executor<'c, Database = Any>,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<Stalled>> {
    sqlx::query_as(
        "SELECT s.legacy_store_id, s.name, s.admin_email, u.step, u.progressed_at FROM upgrades u \
         JOIN stores s ON s.id = u.store_id WHERE u.step <> 'complete' AND u.progressed_at <= $1 \
         ORDER BY u.progressed_at, u.id LIMIT $2",
    )
    .bind(before)
    .bind(limit)
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

/// An upgrade due a "no progress" reminder.
#[derive(Debug, Clone, FromRow)]
pub struct DueReminder {
    pub upgrade_id: i64,
    pub store_id: i64,
    pub step: String,
    pub progressed_at: i64,
}

/// Unfinished upgrades whose last step moved within `(after, before]` and that have not
/// had the reminder `stall:{upgrade}:{progressed_at}:{days}` (so progress starts the
/// count again).
pub async fn due_stall_reminders<'c>(
    ex: impl Executor<'c, Database = Any>,
    (after, before): (i64, i64),
    days: i64,
    limit: i64,
) -> sqlx::Result<Vec<DueReminder>> {
    sqlx::query_as(
        "SELECT u.id AS upgrade_id, u.store_id, u.step, u.progressed_at FROM upgrades u \
         WHERE u.step <> 'complete' AND u.progressed_at <= $1 AND u.progressed_at > $2 AND NOT EXISTS (SELECT 1 FROM outbox o \
         WHERE o.idempotency_key = 'stall:' || CAST(u.id AS TEXT) || ':' || CAST(u.progressed_at AS TEXT) || ':' || $3) \
         ORDER BY u.id LIMIT $4",
    )
    .bind(before)
    .bind(after)
    .bind(days.to_string())
    .bind(limit)
    .fetch_all(ex)
    .await
}
