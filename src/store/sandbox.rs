//! The sandbox platform's orders (the built-in stand-in for the platform's order API).

use serde_json::{Value, json};
use sqlx::FromRow;

use super::{Db, Tx, now};
use crate::domain::{
    capabilities::Capabilities,
    order::{Order, OrderAction, OrderRefusal, RemoteOrder},
    rfc3339,
};

/// An order as the sandbox platform keeps it.
pub struct SandboxOrder<'a> {
    pub order_id: &'a str,
    /// The new merchant ID, or a legacy store ID for an order on the legacy store.
    pub merchant_id: &'a str,
    pub environment: &'a str,
    pub currency: &'a str,
    pub order: &'a Order,
}

/// Places `o` at the sandbox (the shop's order API, and the demo's legacy orders).
pub async fn insert_order(db: &Db, o: &SandboxOrder<'_>) -> sqlx::Result<()> {
    let order = o.order;
    sqlx::query(
        "INSERT INTO sandbox_orders (order_id, merchant_id, environment, amount, currency, status, created_at, \
         captured_amount, refunded_amount, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(o.order_id)
    .bind(o.merchant_id)
    .bind(o.environment)
    .bind(order.amount)
    .bind(o.currency)
    .bind(order.status(now()).as_str())
    .bind(order.created_at)
    .bind(order.captured)
    .bind(order.refunded)
    .bind(order.expires_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct Row {
    order_id: String,
    merchant_id: String,
    environment: String,
    amount: i64,
    currency: String,
    created_at: i64,
    captured_amount: i64,
    refunded_amount: i64,
    cancelled: i64,
    expires_at: i64,
}

const COLUMNS: &str = "order_id, merchant_id, environment, amount, currency, created_at, captured_amount, \
                       refunded_amount, cancelled, expires_at";

impl Row {
    fn order(&self) -> Order {
        Order {
            amount: self.amount,
            captured: self.captured_amount,
            refunded: self.refunded_amount,
            cancelled: self.cancelled != 0,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }

    fn remote(&self, now: i64) -> RemoteOrder {
        RemoteOrder {
            order_id: self.order_id.clone(),
            merchant_id: self.merchant_id.clone(),
            environment: self.environment.clone(),
            status: self.order().status(now).as_str().to_owned(),
            order_amount: self.amount,
            captured_amount: self.captured_amount,
            refunded_amount: self.refunded_amount,
            currency: self.currency.clone(),
            created_at: rfc3339(self.created_at),
            expires_at: rfc3339(self.expires_at),
        }
    }
}

/// The orders on `merchant_id` created at or after `since`, oldest first (100 at most).
pub async fn orders_of(db: &Db, merchant_id: &str, since: i64) -> sqlx::Result<Vec<RemoteOrder>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE merchant_id = $1 AND created_at >= $2 \
         ORDER BY created_at, order_id LIMIT 100"
    ))
    .bind(merchant_id)
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    let now = now();
    Ok(rows.iter().map(|r| r.remote(now)).collect())
}

/// One order, as the platform reports it.
pub async fn order(db: &Db, order_id: &str) -> sqlx::Result<Option<RemoteOrder>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| r.remote(now())))
}

/// The answer (status, body, whether this call changed the order), stored under `key`
/// in the transaction that made the change.
pub async fn apply(
    db: &Db,
    key: &str,
    order_id: &str,
    action: OrderAction,
) -> anyhow::Result<(u16, Value, bool)> {
    let mut tx = db.begin().await?;
    // Claiming the key first is also the first write, which on SQLite takes the lock
    // before anything is read.
    let claimed = sqlx::query(
        "INSERT INTO sandbox_idempotency (idempotency_key, status, body, created_at) VALUES ($1, 0, '', $2) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(key)
    .bind(now())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        let (status, body): (i64, String) = sqlx::query_as(
            "SELECT status, body FROM sandbox_idempotency WHERE idempotency_key = $1",
        )
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        tx.rollback().await?;
        let body = serde_json::from_str(&body).unwrap_or(Value::Null);
        return Ok((u16::try_from(status).unwrap_or(500), body, false));
    }
    let (status, body, changed) = decide(&mut tx, order_id, action).await?;
    sqlx::query("UPDATE sandbox_idempotency SET status = $1, body = $2 WHERE idempotency_key = $3")
        .bind(i64::from(status))
        .bind(body.to_string())
        .bind(key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((status, body, changed))
}

async fn decide(
    tx: &mut Tx,
    order_id: &str,
    action: OrderAction,
) -> sqlx::Result<(u16, Value, bool)> {
    // Touching the row locks it (on both databases) before it is read.
    sqlx::query("UPDATE sandbox_orders SET status = status WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_orders WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok((404, refusal_body("NO_SUCH_ORDER", "no such order"), false));
    };
    let now = now();
    let before = row.order();
    let after = match before.apply(action, now) {
        Ok(after) => after,
        Err(refusal) => {
            let status = if refusal == OrderRefusal::InvalidAmount {
                400
            } else {
                409
            };
            return Ok((
                status,
                refusal_body(refusal.code(), &refusal.to_string()),
                false,
            ));
        }
    };
    sqlx::query(
        "UPDATE sandbox_orders SET captured_amount = $1, refunded_amount = $2, cancelled = $3, expires_at = $4, status = $5 \
         WHERE order_id = $6",
    )
    .bind(after.captured)
    .bind(after.refunded)
    .bind(i64::from(after.cancelled))
    .bind(after.expires_at)
    .bind(after.status(now).as_str())
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    let (status, body) = match action {
        OrderAction::Cancel | OrderAction::Extend | OrderAction::Restore => (204, Value::Null),
        OrderAction::Capture(amount) => (201, json!({ "captured_amount": amount })),
        OrderAction::Refund(amount) => (201, json!({ "refunded_amount": amount })),
    };
    Ok((status, body, after != before))
}

fn refusal_body(code: &str, message: &str) -> Value {
    json!({ "error_code": code, "error_message": message })
}

/// Records the sandbox platform's window `id` refusing legacy store `eid`'s calls; the
/// same id again (a retried request) changes nothing.
pub async fn insert_brownout(
    db: &Db,
    id: &str,
    eid: &str,
    starts_at: i64,
    ends_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sandbox_brownouts (id, legacy_store_id, starts_at, ends_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(eid)
    .bind(starts_at)
    .bind(ends_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Cancels window `id` of `eid` if it has not started; `None` if there is no such window,
/// else whether it was cancelled (it may have started).
pub async fn cancel_brownout(db: &Db, id: &str, eid: &str) -> sqlx::Result<Option<bool>> {
    cancel_window(db, "sandbox_brownouts", "legacy_store_id", id, eid).await
}

/// Cancels window `id` of `table` held by `owner` (in column `owned_by`) unless it has
/// started; `None` if there is no such window.
async fn cancel_window(
    db: &Db,
    table: &str,
    owned_by: &str,
    id: &str,
    owner: &str,
) -> sqlx::Result<Option<bool>> {
    let known: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT starts_at FROM {table} WHERE id = $1 AND {owned_by} = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(&db.pool)
    .await?;
    if known.is_none() {
        return Ok(None);
    }
    // Whether it started is decided by the update itself, not by the read before it.
    let done = sqlx::query(&format!(
        "UPDATE {table} SET cancelled_at = COALESCE(cancelled_at, $1) \
         WHERE id = $2 AND {owned_by} = $3 AND starts_at > $1"
    ))
    .bind(now())
    .bind(id)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(Some(done.rows_affected() == 1))
}

/// Records the sandbox platform's window `id` refusing every legacy call of `product`;
/// the same id again changes nothing.
pub async fn insert_product_brownout(
    db: &Db,
    id: &str,
    product: &str,
    (starts_at, ends_at): (i64, i64),
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sandbox_product_brownouts (id, product, starts_at, ends_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(product)
    .bind(starts_at)
    .bind(ends_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Cancels product window `id` if it has not started, as [`cancel_brownout`].
pub async fn cancel_product_brownout(
    db: &Db,
    id: &str,
    product: &str,
) -> sqlx::Result<Option<bool>> {
    cancel_window(db, "sandbox_product_brownouts", "product", id, product).await
}

/// Whether legacy store `eid`'s calls are refused at `at`: a window of its own, or one
/// of its product.
pub async fn switched_off(db: &Db, eid: &str, at: i64) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM sandbox_brownouts WHERE legacy_store_id = $1 AND ends_at > $2 \
         AND starts_at <= $2 AND cancelled_at IS NULL) + (SELECT COUNT(*) FROM sandbox_product_brownouts b \
         JOIN stores s ON s.product = b.product WHERE s.legacy_store_id = $1 AND b.ends_at > $2 \
         AND b.starts_at <= $2 AND b.cancelled_at IS NULL)",
    )
    .bind(eid)
    .bind(at)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// What the sandbox platform says merchant ID `mid` can do: what a test or the demo set,
/// else its default (no recurring, no B2B; invoice, part payment and card).
pub async fn capabilities(db: &Db, mid: &str) -> sqlx::Result<Capabilities> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT recurring, b2b, payment_methods FROM sandbox_capabilities WHERE merchant_id = $1",
    )
    .bind(mid)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        Some((recurring, b2b, methods)) => Capabilities {
            recurring: recurring != 0,
            b2b: b2b != 0,
            payment_methods: methods
                .split(';')
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        None => Capabilities {
            recurring: false,
            b2b: false,
            payment_methods: ["invoice", "part_payment", "card"]
                .map(str::to_owned)
                .to_vec(),
        },
    })
}

/// Gives merchant ID `mid` the capabilities `c` at the sandbox platform.
pub async fn set_capabilities(db: &Db, mid: &str, c: &Capabilities) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sandbox_capabilities (merchant_id, recurring, b2b, payment_methods) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (merchant_id) DO UPDATE SET recurring = excluded.recurring, b2b = excluded.b2b, \
         payment_methods = excluded.payment_methods",
    )
    .bind(mid)
    .bind(i64::from(c.recurring))
    .bind(i64::from(c.b2b))
    .bind(c.payment_methods.join(";"))
    .execute(&db.pool)
    .await?;
    Ok(())
}
