//! Staff accounts: their roles, adding and disabling them, and who manages partners.

use sqlx::{Any, Executor, FromRow};

use super::{by_email, upsert};
use crate::{
    domain::access::StaffRole,
    store::{Tx, now},
};

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
