//! The sandbox platform's own data (the built-in stand-in for the platform): its orders
//! here, its brownout windows and merchants' capabilities beside them.

mod brownouts;
mod capabilities;

pub use brownouts::{
    cancel_brownout, cancel_product_brownout, insert_brownout, insert_product_brownout,
    switched_off,
};
pub use capabilities::{capabilities, set_capabilities};

use serde_json::{Value, json};
use sqlx::FromRow;

use super::{Db, Tx, now};
use crate::domain::{
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
