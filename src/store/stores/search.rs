//! Finding stores by a few letters: support's search, and the folded names it reads.

use sqlx::Any;

use super::{COLUMNS, Store};
use crate::{
    domain::text::fold,
    store::{Backend, Db},
};

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

/// Stores where `needle` is part of the legacy ID, name, admin or user email, new
/// merchant ID or API username; at most `limit`: the store whose legacy ID is exactly
/// `needle` first (support is most often given one), then by name.
pub async fn search(db: &Db, needle: &str, limit: i64) -> sqlx::Result<Vec<Store>> {
    let lower = needle.to_lowercase();
    let folded = fold(needle);
    let like = contains_pattern(&lower);
    // On SQLite, a needle of three characters or more goes through the trigram indexes
    // (migrations 0026, 0027); PostgreSQL's trigram indexes serve the `LIKE`s themselves.
    let trigrams =
        db.backend == Backend::Sqlite && folded.chars().count() >= 3 && lower.chars().count() >= 3;
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
