//! The admin hands new live credentials to their technical delegate: a one-time link,
//! good for 24 hours, that shows them to the delegate alone, once.

use axum::{
    extract::State,
    http::header::CACHE_CONTROL,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    audit_in,
    credentials::{commit_and_show, issue},
};
use crate::{
    app::AppState,
    domain::{Environment, Refusal, credentials::GRACE_CHOICES},
    i18n::Msg,
    store,
    web::{
        access::{StoreAdmin, StoreReader},
        error::AppError,
        notice, pages,
        session::{ClientIp, CsrfForm, NoFields},
    },
};

/// How long a handoff link works.
const HANDOFF_SECONDS: i64 = 24 * 60 * 60;

#[derive(Deserialize)]
pub struct HandoffForm {
    #[serde(default)]
    grace: String,
}

/// The admin sends their technical delegate `member` a one-time link: opened by the
/// delegate, signed in, within 24 hours, it shows newly generated live credentials once.
/// The current ones stop after the grace the admin picked. Audited; only the link's hash
/// is kept.
pub async fn send_handoff(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    axum::extract::Path((_, member)): axum::extract::Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<HandoffForm>,
) -> Result<Response, AppError> {
    let member: i64 = member.parse().map_err(|_| AppError::NotFound)?;
    let delegate = store::members::list(&state.db.pool, admin.store.id)
        .await?
        .into_iter()
        .find(|m| m.id == member && m.delegate != 0)
        .ok_or(AppError::NotFound)?;
    let grace: i64 = form
        .grace
        .parse()
        .ok()
        .filter(|g| GRACE_CHOICES.contains(g))
        .ok_or_else(|| AppError::bad_request("credentials.error.grace"))?;
    match &admin.upgrade {
        Some(upgrade) => upgrade.may_rotate_credentials()?,
        None => return Err(Refusal::NoCredentialsYet.into()),
    }
    let token = crate::domain::credentials::random_token(32);
    let now = store::now();
    let mut tx = state.db.begin().await?;
    let handoff = store::credentials::Handoff {
        id: 0,
        store_id: admin.store.id,
        member_id: delegate.id,
        email: delegate.email.clone(),
        grace,
        created_by: admin.user.email().to_owned(),
        created_at: now,
        expires_at: now + HANDOFF_SECONDS,
        used_at: None,
    };
    let handoff_id =
        store::credentials::insert_handoff(&mut tx, &handoff, &crate::domain::sha256_hex(&token))
            .await?;
    audit_in(
        &mut tx,
        &admin,
        "credentials.handoff_sent",
        &[("email", delegate.email.as_str())],
        &ip,
    )
    .await?;
    queue_handoff_email(&mut tx, &state, &admin, &delegate.email, handoff_id, &token).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(notice::redirect(
        &state,
        &crate::app::paths::store(admin.eid()).users(),
        &Msg::new("handoff.sent").arg("email", delegate.email.as_str()),
    ))
}

/// The email with the delegate's link, queued in the transaction that stores it.
async fn queue_handoff_email(
    tx: &mut store::Tx,
    state: &AppState,
    admin: &StoreAdmin,
    to: &str,
    handoff_id: i64,
    token: &str,
) -> Result<(), AppError> {
    let tr = crate::app::emails::lang_of(&mut **tx, to, Some(&admin.store)).await?;
    let link = format!(
        "{}{}",
        state.config.base_url,
        crate::app::paths::store(admin.eid()).handoff_link(token)
    );
    let email = crate::app::emails::handoff(&tr, to, &admin.store, admin.user.email(), &link);
    let key = format!("handoff:{handoff_id}");
    store::outbox::enqueue(
        tx,
        store::outbox::Lane::Transactional,
        &key,
        &email,
        Some(admin.store.id),
    )
    .await?;
    Ok(())
}

/// The link `token` of the reader's store, if the reader is the delegate it was sent to.
async fn handoff_of(
    state: &AppState,
    reader: &StoreReader,
    token: &str,
) -> Result<store::credentials::Handoff, AppError> {
    let h = store::credentials::handoff(
        &state.db.pool,
        reader.store.id,
        &crate::domain::sha256_hex(token),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    if reader.relation != crate::domain::access::Relation::Delegate
        || h.email != reader.user.email()
    {
        return Err(AppError::NotFound);
    }
    Ok(h)
}

/// The delegate opens the link: what it does, and a button (a mail scanner following the
/// link spends nothing).
pub async fn show_handoff(
    State(state): State<AppState>,
    reader: StoreReader,
    axum::extract::Path((_, token)): axum::extract::Path<(String, String)>,
) -> Result<Response, AppError> {
    let h = handoff_of(&state, &reader, &token).await?;
    let open = h.used_at.is_none() && h.expires_at > store::now();
    let page = pages::steps::credentials::handoff(&reader, &h, open);
    let status = if open {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    Ok((status, [(CACHE_CONTROL, "no-store")], pages::render(page)).into_response())
}

/// The delegate takes the credentials: new live ones are issued and shown this once.
pub async fn take_handoff(
    State(state): State<AppState>,
    reader: StoreReader,
    ClientIp(ip): ClientIp,
    axum::extract::Path((_, token)): axum::extract::Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let h = handoff_of(&state, &reader, &token).await?;
    let id = reader.upgrade.as_ref().ok_or(AppError::NotFound)?.id;
    let mut tx = state.db.begin().await?;
    if !store::credentials::spend_handoff(&mut tx, h.id, store::now()).await? {
        tx.rollback().await?;
        let page = pages::steps::credentials::handoff(&reader, &h, false);
        return Ok((axum::http::StatusCode::GONE, pages::render(page)).into_response());
    }
    let upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    upgrade.may_rotate_credentials()?;
    let retired =
        store::credentials::retire_active(&mut tx, upgrade.id, Environment::Live, h.grace).await?;
    let fresh = issue(&mut tx, &upgrade, Environment::Live).await?;
    let retired = retired.to_string();
    let args = [
        ("username", fresh.username.as_str()),
        ("retired", retired.as_str()),
    ];
    audit_in(&mut tx, &reader, "credentials.handed_over", &args, &ip).await?;
    commit_and_show(tx, &reader, upgrade.id, &[fresh]).await
}
