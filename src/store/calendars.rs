//! Which generation of its calendar feed's address each owner is at (migration 0043):
//! rotating moves it on, and the old address stops working.

use sqlx::{Any, Executor};

use super::Tx;
use crate::domain::ical::Owner;

/// `owner`'s generation: 0 until the address is first rotated.
pub async fn generation<'c>(
    ex: impl Executor<'c, Database = Any>,
    owner: Owner,
) -> sqlx::Result<i64> {
    let g: Option<i64> = sqlx::query_scalar(
        "SELECT generation FROM calendar_feeds WHERE kind = $1 AND owner_id = $2",
    )
    .bind(owner.kind())
    .bind(owner.id())
    .fetch_optional(ex)
    .await?;
    Ok(g.unwrap_or(0))
}

/// Moves `owner` to the next generation.
pub async fn rotate(tx: &mut Tx, owner: Owner) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO calendar_feeds (kind, owner_id, generation, rotated_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (kind, owner_id) DO UPDATE SET generation = calendar_feeds.generation + 1, \
         rotated_at = excluded.rotated_at",
    )
    .bind(owner.kind())
    .bind(owner.id())
    .bind(super::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
