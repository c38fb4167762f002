//! People who sign in: staff accounts with roles, and merchants' people (no role).

mod preferences;
mod staff;

pub use preferences::{adopt_lang, email_lang, set_lang, set_time_zone, time_zone_of};
pub use staff::{
    StaffError, StaffRow, active_with_role, add_staff, disable, list_staff, partner_managers,
};

use sqlx::{Any, Executor, FromRow};

use super::{Tx, now, sessions::SessionRow};
use crate::domain::access::{Principal, StaffRole};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub role: Option<StaffRole>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// The language they chose in the switcher, if they did.
    pub lang: Option<String>,
    /// The time zone they chose (an IANA name), if they did.
    pub time_zone: Option<String>,
}

const COLUMNS: &str = "id, email, role, disabled_at, created_at, last_sign_in_at, lang, time_zone";

pub async fn by_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(ex)
        .await
}

/// The user id for `email`, creating a role-less user on first sign-in.
pub async fn upsert(tx: &mut Tx, email: &str) -> sqlx::Result<i64> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar("INSERT INTO users (email, created_at) VALUES ($1, $2) RETURNING id")
                .bind(email)
                .bind(now())
                .fetch_one(&mut **tx)
                .await
        }
    }
}

pub async fn record_sign_in(tx: &mut Tx, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Loads what a signed-in person's account says: role and partners.
pub async fn principal(pool: &sqlx::AnyPool, user_id: i64) -> sqlx::Result<Option<Principal>> {
    let Some(user) = sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL"
    ))
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let chosen = Chosen {
        lang: user.lang,
        time_zone: user.time_zone,
    };
    with_partners(pool, user_id, user.email, user.role, chosen)
        .await
        .map(Some)
}

/// The person signed in to a live session, whose account came with it (none for an
/// anonymous session).
pub async fn principal_of(
    conn: &mut sqlx::AnyConnection,
    session: &SessionRow,
) -> sqlx::Result<Option<Principal>> {
    let (Some(user_id), Some(email)) = (session.user_id, &session.email) else {
        return Ok(None);
    };
    with_partners(
        &mut *conn,
        user_id,
        email.clone(),
        session.role,
        Chosen {
            lang: session.lang.clone(),
            time_zone: session.time_zone.clone(),
        },
    )
    .await
    .map(Some)
}

/// What a person chose for how they read: language and time zone.
struct Chosen {
    lang: Option<String>,
    time_zone: Option<String>,
}

/// A principal, with the partners a partner manager looks after (asked only of them).
async fn with_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    email: String,
    role: Option<StaffRole>,
    chosen: Chosen,
) -> sqlx::Result<Principal> {
    let partner_ids = if role == Some(StaffRole::PartnerManager) {
        sqlx::query_scalar(
            "SELECT partner_id FROM partner_managers WHERE user_id = $1 ORDER BY partner_id",
        )
        .bind(user_id)
        .fetch_all(ex)
        .await?
    } else {
        Vec::new()
    };
    Ok(Principal {
        lang: chosen.lang,
        time_zone: chosen.time_zone,
        user_id,
        email,
        role,
        partner_ids,
    })
}

/// Whether `email` is an active staff member (so may receive a sign-in link).
pub async fn is_active_staff<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE email = $1 AND role IS NOT NULL AND disabled_at IS NULL",
    )
    .bind(email)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// Whether `email` has been disabled (a disabled person gets no links, whatever else).
pub async fn is_disabled<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE email = $1 AND disabled_at IS NOT NULL",
    )
    .bind(email)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}
