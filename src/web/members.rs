//! A store's users: the admin invites people (an accountant, a developer) who may follow
//! the store read-only, and removes them again.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::{StoreAdmin, StoreReader},
    error::AppError,
    notice, pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields},
};
use crate::app::paths;
use crate::app::{AppState, emails};
use crate::store::outbox::Lane;
use crate::{
    domain::EmailAddress,
    i18n::Msg,
    store::{self, audit::Record},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/stores/{eid}/users", list)
        .post("/stores/{eid}/users", invite)
        .post("/stores/{eid}/users/{member}/remove", remove)
}

async fn list(State(state): State<AppState>, reader: StoreReader) -> Result<Response, AppError> {
    let members = store::members::list(&state.db.pool, reader.store.id).await?;
    Ok(pages::render(pages::members::page(&reader, &members, "", None)).into_response())
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    /// `delegate` for the technical delegate; anything else a user who reads.
    #[serde(default)]
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    let tr = admin.ctx().tr;
    let email = match EmailAddress::parse(&form.email) {
        Ok(e) => e,
        Err(why) => {
            let message = tr.t(why.key());
            return refuse(&state, &admin, &form.email, message).await;
        }
    };
    if email.as_str() == admin.store.admin_email {
        return refuse(&state, &admin, &form.email, tr.t("users.error.admin")).await;
    }
    let delegate = form.role == "delegate";
    let mut tx = state.db.begin().await?;
    if !store::members::add(
        &mut *tx,
        admin.store.id,
        email.as_str(),
        admin.user.email(),
        delegate,
    )
    .await?
    {
        tx.rollback().await?;
        return refuse(
            &state,
            &admin,
            &form.email,
            tr.f("users.error.already", &[("email", email.as_str())]),
        )
        .await;
    }
    let record = Record {
        actor: admin.user.email(),
        action: if delegate {
            "member.invited_delegate"
        } else {
            "member.invited"
        },
        store_id: Some(admin.store.id),
        args: &[("email", email.as_str())],
        ip: &ip,
    };
    store::audit::record(&mut *tx, &record).await?;
    queue_invitation(&mut tx, &state, &admin, &email).await?;
    tx.commit().await?;
    state.outbox.wake();
    let done = Msg::new("users.notice.invited").arg("email", email.as_str());
    Ok(notice::redirect(
        &state,
        &paths::store(admin.eid()).users(),
        &done,
    ))
}

/// The invitation email, queued in the transaction that adds the member.
async fn queue_invitation(
    tx: &mut store::Tx,
    state: &AppState,
    admin: &StoreAdmin,
    email: &EmailAddress,
) -> Result<(), AppError> {
    // The invitee's own language if they have chosen one, else the store's.
    let tr = emails::lang_of(&mut **tx, email.as_str(), Some(&admin.store)).await?;
    let mail = emails::invitation(
        tr,
        email.as_str(),
        &admin.store,
        admin.user.email(),
        &state.config.base_url,
    );
    let key = format!(
        "invite:{}:{}:{}",
        admin.store.id,
        email.as_str(),
        store::now()
    );
    store::outbox::enqueue(tx, Lane::Transactional, &key, &mail, Some(admin.store.id)).await?;
    Ok(())
}

/// The users page again, with the invitation form showing what was wrong.
async fn refuse(
    state: &AppState,
    admin: &StoreAdmin,
    email: &str,
    message: String,
) -> Result<Response, AppError> {
    let members = store::members::list(&state.db.pool, admin.store.id).await?;
    let page = pages::members::page(admin, &members, email, Some(&message));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(page)).into_response())
}

async fn remove(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    Path((_, member)): Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await?;
    let member: i64 = member.parse().map_err(|_| AppError::NotFound)?;
    let Some(email) = store::members::remove(&mut tx, admin.store.id, member).await? else {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    };
    let record = Record {
        actor: admin.user.email(),
        action: "member.removed",
        store_id: Some(admin.store.id),
        args: &[("email", &email)],
        ip: &ip,
    };
    store::audit::record(&mut *tx, &record).await?;
    tx.commit().await?;
    let done = Msg::new("users.notice.removed").arg("email", email);
    Ok(notice::redirect(
        &state,
        &paths::store(admin.eid()).users(),
        &done,
    ))
}
