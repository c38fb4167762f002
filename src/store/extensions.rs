//! Stores' requests for a later sunset of their own, and support's decisions on them
//! (migration 0046).

use sqlx::{Any, Executor, FromRow};

use super::Tx;

/// A request's state.
pub const OPEN: &str = "open";
pub const APPROVED: &str = "approved";
pub const DECLINED: &str = "declined";

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Extension {
    pub id: i64,
    pub store_id: i64,
    /// YYYY-MM-DD.
    pub wanted_date: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: i64,
    /// [`OPEN`], [`APPROVED`] or [`DECLINED`].
    pub status: String,
    /// YYYY-MM-DD, on an approval.
    pub granted_date: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

/// An open request with its store, for support's list.
#[derive(Debug, Clone, FromRow)]
pub struct Pending {
    #[sqlx(flatten)]
    pub request: Extension,
    pub legacy_store_id: String,
    pub store_name: String,
    pub product: String,
}

const COLUMNS: &str = "id, store_id, wanted_date, reason, requested_by, requested_at, status, \
                       granted_date, decision_reason, decided_by, decided_at";

pub struct NewRequest<'a> {
    pub store_id: i64,
    pub wanted_date: &'a str,
    pub reason: &'a str,
    pub by: &'a str,
    pub at: i64,
}

/// Records a request; `None` when the store has one open already (the database keeps
/// one open per store, so two at once cannot both be recorded).
pub async fn request(tx: &mut Tx, r: &NewRequest<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO sunset_extensions (store_id, wanted_date, reason, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (store_id) WHERE status = 'open' DO NOTHING RETURNING id",
    )
    .bind(r.store_id)
    .bind(r.wanted_date)
    .bind(r.reason)
    .bind(r.by)
    .bind(r.at)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Option<Extension>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sunset_extensions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The store's requests, newest first.
pub async fn of_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<Extension>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sunset_extensions WHERE store_id = $1 ORDER BY id DESC LIMIT 50"
    ))
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// The open requests, oldest first, with their stores.
pub async fn open<'c>(ex: impl Executor<'c, Database = Any>) -> sqlx::Result<Vec<Pending>> {
    let cols = super::prefixed(COLUMNS, "e");
    sqlx::query_as(&format!(
        "SELECT {cols}, s.legacy_store_id, s.name AS store_name, s.product \
         FROM sunset_extensions e JOIN stores s ON s.id = e.store_id \
         WHERE e.status = 'open' ORDER BY e.id LIMIT 500"
    ))
    .fetch_all(ex)
    .await
}

/// Support's answer to an open request.
pub struct Decision<'a> {
    pub id: i64,
    /// [`APPROVED`] or [`DECLINED`].
    pub status: &'a str,
    pub granted_date: Option<&'a str>,
    pub reason: &'a str,
    pub by: &'a str,
    pub at: i64,
}

/// Decides request `d.id` if it is still open; false when someone decided it first.
pub async fn decide(tx: &mut Tx, d: &Decision<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE sunset_extensions SET status = $1, granted_date = $2, decision_reason = $3, \
         decided_by = $4, decided_at = $5 WHERE id = $6 AND status = 'open'",
    )
    .bind(d.status)
    .bind(d.granted_date)
    .bind(d.reason)
    .bind(d.by)
    .bind(d.at)
    .bind(d.id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives store `store_id` its own sunset (00:00 UTC of the day, unix seconds).
pub async fn set_store_sunset(tx: &mut Tx, store_id: i64, at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE stores SET extended_sunset = $1 WHERE id = $2")
        .bind(at)
        .bind(store_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The latest sunset of its own (00:00 UTC, unix seconds) any store of partners
/// `partners` was given.
pub async fn latest<'c>(
    ex: impl Executor<'c, Database = Any>,
    partners: &[i64],
) -> sqlx::Result<Option<i64>> {
    if partners.is_empty() {
        return Ok(None);
    }
    let ids: Vec<String> = partners.iter().map(i64::to_string).collect();
    sqlx::query_scalar(&format!(
        "SELECT MAX(extended_sunset) FROM stores WHERE extended_sunset IS NOT NULL \
         AND partner_id IN ({})",
        ids.join(", ")
    ))
    .fetch_one(ex)
    .await
}

/// The stores with a sunset of their own among partners `partners` (all when `None`):
/// id, legacy ID, name and the day's start, soonest first.
pub async fn extended_stores<'c>(
    ex: impl Executor<'c, Database = Any>,
    partners: Option<&[i64]>,
) -> sqlx::Result<Vec<(i64, String, String, i64)>> {
    let which = match partners {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_owned(),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND partner_id IN ({})", ids.join(", "))
        }
    };
    sqlx::query_as(&format!(
        "SELECT id, legacy_store_id, name, extended_sunset FROM stores \
         WHERE extended_sunset IS NOT NULL{which} ORDER BY extended_sunset, id LIMIT 1000"
    ))
    .fetch_all(ex)
    .await
}
