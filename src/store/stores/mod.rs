//! Stores (one per legacy EID) and partners.

mod partners;
mod search;
mod sunset;

use sqlx::{Any, Executor, FromRow};

use partners::partner_id;
pub use partners::{all_partners, count_of_partners, of_partners, partner_names};
pub use search::{contains_pattern, fold_names, search};
pub use sunset::{count_without_email, extended, on_products, record_archived, without_email};

use super::now;
use crate::domain::{access::Membership, capabilities::Legacy, text::fold};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Store {
    pub id: i64,
    pub legacy_store_id: String,
    pub name: String,
    pub product: String,
    pub admin_email: String,
    /// `;`-separated ISO country codes.
    pub countries: String,
    pub platform: String,
    pub store_url: String,
    pub partner_id: Option<i64>,
    pub created_at: i64,
    /// When the legacy ID was last used (a call or an order on it).
    pub legacy_called_at: Option<i64>,
    /// The latest expiry of a legacy authorization still open.
    pub legacy_open_until: Option<i64>,
    /// When the legacy store's archive was last downloaded.
    pub legacy_archived_at: Option<i64>,
    /// What the legacy store could do, as imported (migration 0041).
    pub legacy_recurring: Option<i64>,
    pub legacy_b2b: Option<i64>,
    pub legacy_payment_methods: Option<String>,
    /// The store's own sunset (00:00 UTC, unix seconds) once an extension is approved
    /// (migration 0046); the later of it and the product's counts.
    pub extended_sunset: Option<i64>,
}

impl Store {
    /// The store's sunset: its product's, or its own once an extension was approved.
    pub fn sunset(&self, catalog: &crate::domain::Catalog) -> Option<time::Date> {
        let product = catalog.product(&self.product)?.sunset_date()?;
        Some(crate::domain::sunset::of_store(
            product,
            self.extended_sunset,
        ))
    }

    /// What the store still lacks for the sunset, at `now`.
    pub fn readiness(&self, now: i64) -> crate::domain::readiness::Readiness {
        crate::domain::readiness::Readiness::at(
            crate::domain::readiness::Facts {
                legacy_called_at: self.legacy_called_at,
                legacy_open_until: self.legacy_open_until,
                archived_at: self.legacy_archived_at,
            },
            now,
        )
    }

    /// What the import said the legacy store could do.
    pub fn legacy_capabilities(&self) -> Legacy {
        Legacy::from_fields(
            self.legacy_recurring,
            self.legacy_b2b,
            self.legacy_payment_methods.as_deref(),
        )
    }

    pub fn country_list(&self) -> Vec<&str> {
        self.countries
            .split(';')
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// A store as it is imported; fields are already validated.
#[derive(Debug, Clone)]
pub struct NewStore {
    pub legacy_store_id: String,
    pub name: String,
    pub product: String,
    pub admin_email: String,
    pub countries: Vec<String>,
    pub platform: String,
    pub store_url: String,
    pub partner: Option<String>,
    /// What the legacy store could do, as far as the file said.
    pub capabilities: Legacy,
}

pub(super) const COLUMNS: &str = "id, legacy_store_id, name, product, admin_email, countries, platform, store_url, partner_id, created_at, \
                                  legacy_called_at, legacy_open_until, legacy_archived_at, legacy_recurring, legacy_b2b, \
                                  legacy_payment_methods, extended_sunset";

pub async fn find_by_legacy_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    eid: &str,
) -> sqlx::Result<Option<Store>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stores WHERE legacy_store_id = $1"
    ))
    .bind(eid)
    .fetch_optional(ex)
    .await
}

/// The store with this legacy ID, and whether `email` is one of its members: what every
/// store page asks first, in one query.
pub async fn find_with_membership<'c>(
    ex: impl Executor<'c, Database = Any>,
    eid: &str,
    email: &str,
) -> sqlx::Result<Option<(Store, Membership)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        store: Store,
        /// 0: none, 1: a user, 2: the delegate.
        membership: i64,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, CAST(COALESCE((SELECT MAX(1 + m.delegate) FROM store_members m \
         WHERE m.store_id = stores.id AND m.email = $2), 0) AS BIGINT) AS membership \
         FROM stores WHERE legacy_store_id = $1"
    ))
    .bind(eid)
    .bind(email)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|r| {
        let membership = match r.membership {
            0 => Membership::None,
            1 => Membership::User,
            _ => Membership::Delegate,
        };
        (r.store, membership)
    }))
}

pub async fn find_by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Option<Store>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM stores WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The countries of the store an upgrade belongs to (`;`-separated, as stored).
pub async fn countries_of_upgrade<'c>(
    ex: impl Executor<'c, Database = Any>,
    upgrade_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT s.countries FROM stores s JOIN upgrades u ON u.store_id = s.id WHERE u.id = $1",
    )
    .bind(upgrade_id)
    .fetch_optional(ex)
    .await
}

/// The stores whose registered administrator is `email`.
pub async fn administered_by<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Vec<Store>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stores WHERE admin_email = $1 ORDER BY name"
    ))
    .bind(email)
    .fetch_all(ex)
    .await
}

pub async fn count<'c>(ex: impl Executor<'c, Database = Any>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM stores")
        .fetch_one(ex)
        .await
}

/// Whether any store lists `email` as its administrator (who may receive a sign-in link).
pub async fn is_known_admin<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stores WHERE admin_email = $1")
        .bind(email)
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}

/// Inserts stores in the caller's transaction, creating partners on first mention.
pub async fn insert_all(tx: &mut super::Tx, stores: &[NewStore]) -> sqlx::Result<()> {
    let at = now();
    for s in stores {
        let partner_id = match &s.partner {
            Some(name) => Some(partner_id(tx, name).await?),
            None => None,
        };
        sqlx::query(
            "INSERT INTO stores (legacy_store_id, name, product, admin_email, countries, platform, store_url, partner_id, created_at, \
             name_folded, legacy_recurring, legacy_b2b, legacy_payment_methods) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&s.legacy_store_id)
        .bind(&s.name)
        .bind(&s.product)
        .bind(&s.admin_email)
        .bind(s.countries.join(";"))
        .bind(&s.platform)
        .bind(&s.store_url)
        .bind(partner_id)
        .bind(at)
        .bind(fold(&s.name))
        .bind(s.capabilities.recurring.map(i64::from))
        .bind(s.capabilities.b2b.map(i64::from))
        .bind(s.capabilities.methods_field())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Every legacy store ID already imported, to report duplicates before inserting anything.
pub async fn existing_legacy_ids<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT legacy_store_id FROM stores")
        .fetch_all(ex)
        .await
}

/// Stores where `email` was invited as a store user.
pub async fn member_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Vec<Store>> {
    let cols = super::prefixed(COLUMNS, "s");
    sqlx::query_as(&format!("SELECT {cols} FROM stores s JOIN store_members m ON m.store_id = s.id WHERE m.email = $1 ORDER BY s.name"))
        .bind(email)
        .fetch_all(ex)
        .await
}
