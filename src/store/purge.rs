//! What is kept only for a while, and the deletes that end it. Each delete is one
//! statement that only touches rows nothing can use any more, so it is safe on every
//! instance at once and at any time.

use sqlx::{Any, Executor};

use super::sessions::SESSION_IDLE;

/// Platform error events older than this leave the API log, which shows 7 days.
pub const API_LOG_DAYS: i64 = 7;

const DAY: i64 = 24 * 3600;

/// Sessions that ended (idle too long or past their absolute end): `find_live` never
/// returns them again.
pub async fn sessions<'c>(ex: impl Executor<'c, Database = Any>, now: i64) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - SESSION_IDLE)
        .execute(ex)
        .await?;
    Ok(res.rows_affected())
}

/// Sign-in tokens used or expired: a link whose token is gone is answered exactly like
/// a used one ("this link no longer works").
pub async fn sign_in_tokens<'c>(
    ex: impl Executor<'c, Database = Any>,
    now: i64,
) -> sqlx::Result<u64> {
    let res =
        sqlx::query("DELETE FROM sign_in_tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
            .bind(now)
            .execute(ex)
            .await?;
    Ok(res.rows_affected())
}

/// Rate-limit counts older than `window` seconds (the longest window of any limit):
/// no limit looks that far back.
pub async fn rate_limit_events<'c>(
    ex: impl Executor<'c, Database = Any>,
    now: i64,
    window: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM rate_limit_events WHERE at <= $1")
        .bind(now - window)
        .execute(ex)
        .await?;
    Ok(res.rows_affected())
}

/// Platform error and call events past the API log's 7 days (a store's calls stay
/// summed per day: migration 0032). Orders and cancellations stay: the upgrade's
/// completion, the legacy-plugin warning, polling and the legacy store read them, and
/// they are not a log.
pub async fn api_log<'c>(ex: impl Executor<'c, Database = Any>, now: i64) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM order_events WHERE kind IN ('api.error', 'api.call') AND received_at < $1",
    )
    .bind(now - API_LOG_DAYS * DAY)
    .execute(ex)
    .await?;
    Ok(res.rows_affected())
}

/// Support screenshots uploaded more than `days` days ago; the request and its text stay.
pub async fn screenshots<'c>(
    ex: impl Executor<'c, Database = Any>,
    now: i64,
    days: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM support_attachments WHERE created_at < $1")
        .bind(now - days * DAY)
        .execute(ex)
        .await?;
    Ok(res.rows_affected())
}
