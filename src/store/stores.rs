//! Stores (one per legacy EID) and partners.

use sqlx::{Any, Executor, FromRow};

use crate::domain::{access::Membership, capabilities::Legacy};

use super::now;
use crate::domain::text::fold;

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

/// Folds the names of stores that have no folded name yet (rows from before migration
/// 0021, or written by hand), a batch at a time; how many. Safe on every start.
pub async fn fold_names(pool: &sqlx::Pool<Any>) -> sqlx::Result<u64> {
    let mut done = 0;
    loop {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM stores WHERE name_folded IS NULL LIMIT 1000")
                .fetch_all(pool)
                .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut tx = pool.begin().await?;
        for (id, name) in &rows {
            sqlx::query("UPDATE stores SET name_folded = $1 WHERE id = $2")
                .bind(fold(name))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        done += rows.len() as u64;
    }
}

/// `needle` as a `LIKE` pattern that finds it anywhere, its wildcards escaped.
pub fn contains_pattern(needle: &str) -> String {
    format!(
        "%{}%",
        needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

async fn partner_id(tx: &mut super::Tx, name: &str) -> sqlx::Result<i64> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM partners WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar("INSERT INTO partners (name) VALUES ($1) RETURNING id")
                .bind(name)
                .fetch_one(&mut **tx)
                .await
        }
    }
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

/// The names of the given partners, by name: (id, name).
pub async fn partner_names<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, name FROM partners WHERE id IN ({}) ORDER BY name",
        super::placeholders(1, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}

/// The stores of the given partners, by name (ties by id, so pages never overlap): at
/// most `limit`, after skipping `offset`.
pub async fn of_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Store>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM stores WHERE partner_id IN ({}) ORDER BY name, id LIMIT $1 OFFSET $2",
        super::placeholders(3, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql).bind(limit).bind(offset.max(0));
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}

/// How many stores the given partners have.
pub async fn count_of_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
) -> sqlx::Result<i64> {
    if partner_ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM stores WHERE partner_id IN ({})",
        super::placeholders(1, partner_ids.len())
    );
    let mut q = sqlx::query_scalar(&sql);
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_one(ex).await
}

/// Stores where `needle` is part of the legacy ID, name, admin or user email, new
/// merchant ID or API username; at most `limit`: the store whose legacy ID is exactly
/// `needle` first (support is most often given one), then by name.
pub async fn search(db: &super::Db, needle: &str, limit: i64) -> sqlx::Result<Vec<Store>> {
    let lower = needle.to_lowercase();
    let folded = fold(needle);
    let like = contains_pattern(&lower);
    // On SQLite, a needle of three characters or more goes through the trigram indexes
    // (migrations 0026, 0027); PostgreSQL's trigram indexes serve the `LIKE`s themselves.
    let trigrams = db.backend == super::Backend::Sqlite
        && folded.chars().count() >= 3
        && lower.chars().count() >= 3;
    // Each way a store can match is its own indexed lookup, and their ids are united: an
    // `OR` of them would make the database read every store.
    let sql = if trigrams {
        format!(
            "SELECT {COLUMNS} FROM stores WHERE id IN (\
             SELECT rowid FROM stores_search WHERE stores_search MATCH $3 \
             UNION SELECT store_id FROM store_members WHERE id IN \
                 (SELECT rowid FROM members_search WHERE members_search MATCH $5) \
             UNION SELECT store_id FROM upgrades WHERE id IN \
                 (SELECT rowid FROM upgrades_search WHERE upgrades_search MATCH $5) \
             UNION SELECT u.store_id FROM upgrades u JOIN api_credentials c ON c.upgrade_id = u.id \
                 WHERE c.id IN (SELECT rowid FROM credentials_search WHERE credentials_search MATCH $5)) \
             ORDER BY CASE WHEN legacy_store_id = $4 THEN 0 ELSE 1 END, name LIMIT $2"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM stores WHERE id IN (\
             SELECT id FROM stores WHERE legacy_store_id LIKE $1 ESCAPE '\\' \
             UNION SELECT id FROM stores WHERE name_folded LIKE $3 ESCAPE '\\' \
             UNION SELECT id FROM stores WHERE admin_email LIKE $1 ESCAPE '\\' \
             UNION SELECT store_id FROM store_members WHERE email LIKE $1 ESCAPE '\\' \
             UNION SELECT store_id FROM upgrades WHERE LOWER(merchant_id) LIKE $1 ESCAPE '\\' \
             UNION SELECT u.store_id FROM upgrades u JOIN api_credentials c ON c.upgrade_id = u.id \
                 WHERE LOWER(c.username) LIKE $1 ESCAPE '\\') \
             ORDER BY CASE WHEN legacy_store_id = $4 THEN 0 ELSE 1 END, name LIMIT $2"
        )
    };
    // A quoted phrase is a substring match with trigrams.
    let phrase = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    // $3: the name's pattern, or the trigram query over the store's own fields.
    let name = if trigrams {
        format!(
            "name_folded : {} OR {{legacy_store_id admin_email}} : {}",
            phrase(&folded),
            phrase(&lower)
        )
    } else {
        contains_pattern(&folded)
    };
    let query = sqlx::query_as(&sql)
        .bind(like)
        .bind(limit)
        .bind(name)
        .bind(needle.trim());
    // $5: the trigram query over the MID, API usernames and members' emails.
    let query = if trigrams {
        query.bind(phrase(&lower))
    } else {
        query
    };
    query.fetch_all(&db.pool).await
}

/// Which stores on `product` ($1) are due the outbox email `{$2}{id}{$3}` at unix time
/// $4: not sent yet, and not held back by their import (`remind_from`). A store with a
/// sunset of its own is reminded on its own date instead (`extended`). The sunset
/// reminders and an import's dry run both select with it, so a preview counts exactly
/// what the chores would send.
const DUE_EMAIL: &str = "product = $1 AND extended_sunset IS NULL AND (remind_from IS NULL OR remind_from <= $4) AND NOT EXISTS \
     (SELECT 1 FROM outbox o WHERE o.idempotency_key = $2 || CAST(s.id AS TEXT) || $3)";

/// Stores on `product` that are due the outbox email `{key_prefix}{id}{key_suffix}` at
/// `now` (the sunset reminders: one per store per point), at most `limit`, oldest first.
pub async fn without_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    (product, key_prefix, key_suffix): (&str, &str, &str),
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<Store>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stores s WHERE {DUE_EMAIL} ORDER BY id LIMIT $5"
    ))
    .bind(product)
    .bind(key_prefix)
    .bind(key_suffix)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How many stores [`without_email`] would return, without a limit.
pub async fn count_without_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    (product, key_prefix, key_suffix): (&str, &str, &str),
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM stores s WHERE {DUE_EMAIL}"))
        .bind(product)
        .bind(key_prefix)
        .bind(key_suffix)
        .bind(now)
        .fetch_one(ex)
        .await
}

/// The stores with a sunset of their own (an approved extension), in pages of `limit`
/// after `after_id`.
pub async fn extended<'c>(
    ex: impl Executor<'c, Database = Any>,
    after_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Store>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stores WHERE extended_sunset IS NOT NULL AND id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Every store on a legacy product in `products`, in pages of `limit` after `after_id`.
pub async fn on_products<'c>(
    ex: impl Executor<'c, Database = Any>,
    products: &[&str],
    after_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Store>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM stores WHERE id > $1 AND product IN ({}) ORDER BY id LIMIT $2",
        super::placeholders(3, products.len())
    );
    let mut q = sqlx::query_as(&sql).bind(after_id).bind(limit);
    for p in products {
        q = q.bind(*p);
    }
    q.fetch_all(ex).await
}

/// Every partner (id, name), by name: support's choice of partner in its lists.
pub async fn all_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM partners ORDER BY name, id")
        .fetch_all(ex)
        .await
}

/// Records that the legacy store's archive of everything was downloaded (a sunset
/// readiness condition).
pub async fn record_archived<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE stores SET legacy_archived_at = $1 WHERE id = $2")
        .bind(now())
        .bind(store_id)
        .execute(ex)
        .await?;
    Ok(())
}
