//! People who sign in: staff accounts with roles, and merchants' people (no role).

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

/// Why a staff change was refused.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("a partner manager needs --partner NAME")]
    PartnerRequired,
    #[error("only partner managers have a partner")]
    PartnerNotAllowed,
    #[error("there is no partner named {0:?}")]
    UnknownPartner(String),
    #[error("{0} already has the role {1}")]
    AlreadyStaff(String, String),
    #[error("no user with the email {0}")]
    UnknownUser(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The emails of the active (not disabled) staff accounts with `role`, by email.
pub async fn active_with_role<'c>(
    ex: impl Executor<'c, Database = Any>,
    role: StaffRole,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT email FROM users WHERE role = $1 AND disabled_at IS NULL ORDER BY email",
    )
    .bind(role)
    .fetch_all(ex)
    .await
}

/// Grants a staff role (re-enabling a disabled account), in one transaction.
pub async fn add_staff(
    tx: &mut Tx,
    email: &str,
    role: StaffRole,
    partner: Option<&str>,
) -> Result<i64, StaffError> {
    let partner_id = match (role, partner) {
        (StaffRole::PartnerManager, None) => return Err(StaffError::PartnerRequired),
        (StaffRole::PartnerManager, Some(name)) => Some(
            sqlx::query_scalar::<_, i64>("SELECT id FROM partners WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| StaffError::UnknownPartner(name.to_owned()))?,
        ),
        (_, Some(_)) => return Err(StaffError::PartnerNotAllowed),
        (_, None) => None,
    };
    if let Some(existing) = by_email(&mut **tx, email).await?
        && existing.disabled_at.is_none()
        && let Some(r) = existing
            .role
            .filter(|r| *r == role && role != StaffRole::PartnerManager)
    {
        return Err(StaffError::AlreadyStaff(email.to_owned(), r.to_string()));
    }
    let id = upsert(tx, email).await?;
    sqlx::query("UPDATE users SET role = $1, disabled_at = NULL WHERE id = $2")
        .bind(role)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if let Some(pid) = partner_id {
        let linked: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM partner_managers WHERE user_id = $1 AND partner_id = $2",
        )
        .bind(id)
        .bind(pid)
        .fetch_one(&mut **tx)
        .await?;
        if linked == 0 {
            sqlx::query("INSERT INTO partner_managers (user_id, partner_id) VALUES ($1, $2)")
                .bind(id)
                .bind(pid)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(id)
}

/// Disables an account and ends all its sessions at once.
pub async fn disable(tx: &mut Tx, email: &str) -> Result<(), StaffError> {
    let user = by_email(&mut **tx, email)
        .await?
        .ok_or_else(|| StaffError::UnknownUser(email.to_owned()))?;
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(now())
        .bind(user.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffRow {
    pub email: String,
    pub role: StaffRole,
    pub disabled_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub partners: Option<String>,
}

/// Every staff account, by email, with all its partners (by name, `, `-separated).
pub async fn list_staff(pool: &sqlx::Pool<Any>) -> sqlx::Result<Vec<StaffRow>> {
    let mut staff: Vec<StaffRow> = sqlx::query_as(
        "SELECT u.email, u.role, u.disabled_at, u.last_sign_in_at, CAST(NULL AS TEXT) AS partners \
         FROM users u WHERE u.role IS NOT NULL ORDER BY u.email",
    )
    .fetch_all(pool)
    .await?;
    let managed: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, p.name FROM partner_managers pm JOIN users u ON u.id = pm.user_id \
         JOIN partners p ON p.id = pm.partner_id ORDER BY p.name",
    )
    .fetch_all(pool)
    .await?;
    for row in &mut staff {
        let names: Vec<&str> = managed
            .iter()
            .filter(|(email, _)| *email == row.email)
            .map(|(_, name)| name.as_str())
            .collect();
        row.partners = (!names.is_empty()).then(|| names.join(", "));
    }
    Ok(staff)
}

/// Active partner managers: id and email.
pub async fn partner_managers<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, email FROM users WHERE role = $1 AND disabled_at IS NULL ORDER BY id",
    )
    .bind(StaffRole::PartnerManager)
    .fetch_all(ex)
    .await
}

/// Remembers the time zone a person chose (an IANA name), or forgets it (`None`: their
/// browser's zone, else UTC).
pub async fn set_time_zone<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    zone: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
        .bind(zone)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The time zone to write times to `email` in: their choice, if they made one.
pub async fn time_zone_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<String>> {
    let zone: Option<Option<String>> =
        sqlx::query_scalar("SELECT time_zone FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(ex)
            .await?;
    Ok(zone.flatten())
}

/// Remembers the language `email` chose (when they have an account).
pub async fn set_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    lang: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
        .bind(lang)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Remembers `lang` for a person who has not chosen one yet.
pub async fn adopt_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    lang: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET lang = $1 WHERE id = $2 AND lang IS NULL")
        .bind(lang)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The language to write to `email` in: their choice if they made one, else the
/// language of `store`'s first country, else English.
pub async fn email_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    store: Option<&super::stores::Store>,
) -> sqlx::Result<crate::i18n::Lang> {
    let country = store.and_then(|s| s.country_list().first().copied());
    use crate::i18n::Lang;
    let chosen: Option<Option<String>> =
        sqlx::query_scalar("SELECT lang FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(ex)
            .await?;
    Ok(chosen
        .flatten()
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| country.map(Lang::for_country))
        .unwrap_or_default())
}
