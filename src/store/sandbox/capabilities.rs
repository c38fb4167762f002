//! What the sandbox platform says a merchant ID can do (recurring, B2B, payment methods).

use crate::{domain::capabilities::Capabilities, store::Db};

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
