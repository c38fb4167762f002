//! The narrower callers: staff by role (support, operators, partner managers), and a
//! store's own people or support on one store's pages.

use axum::{
    extract::{FromRef, FromRequestParts},
    http::request::Parts,
};

use super::{StoreReader, refused};
use crate::{
    app::AppState,
    domain::access::{Relation, StaffRole},
    web::{error::AppError, session::SignedIn},
};

/// Support staff (every store, read; support actions).
pub struct Support(pub SignedIn);

/// Operators (staff accounts).
pub struct Operator(pub SignedIn);

/// Support, on one store's pages (its timeline and the actions taken for it).
pub struct StoreSupport(pub StoreReader);

/// The store's own people: its admin and the users the admin invited. Anyone else who
/// may read the store is answered as if there were nothing there.
pub struct StoreMember(pub StoreReader);

impl<S> FromRequestParts<S> for StoreMember
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let reader = StoreReader::from_request_parts(parts, state).await?;
        if !reader.relation.is_member() {
            let app = AppState::from_ref(state);
            refused(&app, &reader.user, Some(reader.store.id), parts).await;
            return Err(AppError::NotFound);
        }
        Ok(StoreMember(reader))
    }
}

impl<S> FromRequestParts<S> for StoreSupport
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let reader = StoreReader::from_request_parts(parts, state).await?;
        if reader.relation != Relation::Support {
            refused(
                &AppState::from_ref(state),
                &reader.user,
                Some(reader.store.id),
                parts,
            )
            .await;
            return Err(AppError::forbidden("access.staff_only"));
        }
        Ok(StoreSupport(reader))
    }
}

/// Partner managers (their partners' stores are in `principal.partner_ids`).
pub struct PartnerManager(pub SignedIn);

impl<S> FromRequestParts<S> for PartnerManager
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        require_role(parts, state, StaffRole::PartnerManager)
            .await
            .map(PartnerManager)
    }
}

async fn require_role<S>(
    parts: &mut Parts,
    state: &S,
    role: StaffRole,
) -> Result<SignedIn, AppError>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    let user = SignedIn::from_request_parts(parts, state).await?;
    if user.principal.role == Some(role) {
        return Ok(user);
    }
    refused(&AppState::from_ref(state), &user, None, parts).await;
    Err(AppError::forbidden("access.staff_only"))
}

impl<S> FromRequestParts<S> for Support
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        require_role(parts, state, StaffRole::Support)
            .await
            .map(Support)
    }
}

impl<S> FromRequestParts<S> for Operator
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        require_role(parts, state, StaffRole::Operator)
            .await
            .map(Operator)
    }
}
