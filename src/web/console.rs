//! The support console: stalled upgrades, a store's whole timeline, and the actions
//! support takes to unstick one. Every action needs a reason and is audited with it.
//! Changing the registered admin waits for the new address to confirm by a link.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{
    access::{StoreSupport, Support},
    error::AppError,
    pages::{self, layout::Ctx},
    routes::Routes,
    session::{ClientIp, CsrfForm, sha256_hex},
    visitor::{Browser, OpenForm},
};
use crate::app::{AppState, emails};
use crate::domain::credentials::random_token;
use crate::store::outbox::Lane;
use crate::{
    domain::{EmailAddress, Refusal},
    i18n::Tr,
    store::{self, audit::Record},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/support/stalled", stalled)
        .get("/stores/{eid}/timeline", timeline)
        .post("/stores/{eid}/support/resend-link", resend_link)
        .post("/stores/{eid}/support/remind", remind)
        .post("/stores/{eid}/support/change-admin", change_admin)
        .post(
            "/stores/{eid}/support/revoke-credentials",
            revoke_credentials,
        )
        .post("/stores/{eid}/support/verify-purchase", verify_purchase)
        .get("/admin-change", admin_change_page)
        .post("/admin-change", admin_change_confirm)
}

#[derive(Deserialize)]
struct StalledQuery {
    #[serde(default)]
    days: String,
}

async fn stalled(
    State(state): State<AppState>,
    Support(user): Support,
    Query(q): Query<StalledQuery>,
) -> Result<Response, AppError> {
    let days = q
        .days
        .parse::<i64>()
        .unwrap_or(state.config.stall_days)
        .clamp(1, 365);
    let rows = store::waiting::stalled(&state.db.pool, store::now() - days * 86_400, 500).await?;
    Ok(pages::render(pages::console::stalled(
        &user.ctx(),
        days,
        &rows,
        store::now(),
    ))
    .into_response())
}

async fn timeline(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
) -> Result<Response, AppError> {
    page(&state, &reader, None, StatusCode::OK).await
}

/// The timeline with the action forms, and `problem` when an action was refused.
async fn page(
    state: &AppState,
    reader: &super::access::StoreReader,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let pool = &state.db.pool;
    let id = reader.store.id;
    let entries = pages::console::Timeline {
        audit: store::audit::for_store(pool, id, 300).await?,
        events: store::events::for_store_since(pool, id, 0).await?,
        sent: store::outbox::for_store(pool, id, 300).await?,
        requests: store::support::for_store(pool, id).await?,
    };
    let view = pages::console::timeline(reader, &entries, problem.as_deref());
    Ok((status, pages::render(view)).into_response())
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    reference: String,
}

/// The reason, trimmed, when it says something (5 to 500 characters).
fn reason(tr: &Tr, form: &ActionForm) -> Result<String, String> {
    let r = form.reason.trim();
    match r.chars().count() {
        0..5 => Err(tr.t("console.error.reason")),
        501.. => Err(tr.t("console.error.reason_long")),
        _ => Ok(r.to_owned()),
    }
}

async fn audited(
    tx: &mut store::Tx,
    reader: &super::access::StoreReader,
    ip: &str,
    action: &str,
    detail: &str,
) -> sqlx::Result<()> {
    store::audit::record(
        &mut **tx,
        &Record {
            actor: reader.user.email(),
            action,
            store_id: Some(reader.store.id),
            detail,
            ip,
        },
    )
    .await
}

/// The language to write to a store's admin in.
async fn admin_lang(state: &AppState, s: &store::stores::Store) -> sqlx::Result<crate::i18n::Lang> {
    Ok(emails::lang_of(&state.db.pool, &s.admin_email, Some(s))
        .await?
        .lang)
}

fn done(reader: &super::access::StoreReader, what: &str) -> Response {
    Redirect::to(&format!("/stores/{}/timeline?done={what}", reader.eid())).into_response()
}

macro_rules! reason_or_refuse {
    ($state:expr, $reader:expr, $form:expr) => {
        match reason(&$reader.ctx().tr, &$form) {
            Ok(r) => r,
            Err(msg) => {
                return page(
                    &$state,
                    &$reader,
                    Some(msg),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    };
}

async fn resend_link(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let lang = admin_lang(&state, &reader.store).await?;
    let mut tx = state.db.begin().await?;
    super::auth::queue_link(&mut tx, &state, &reader.store.admin_email, "support", lang)
        .await
        .map_err(AppError::Internal)?;
    audited(&mut tx, &reader, &ip, "support.sign_in_link_resent", &why).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(done(&reader, "link"))
}

async fn remind(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let step = reader.upgrade.as_ref().map(|u| u.step);
    let lang = admin_lang(&state, &reader.store).await?;
    let email = emails::reminder(&state, &reader.store, step, lang);
    let mut tx = state.db.begin().await?;
    let key = format!("support-remind:{}:{}", reader.store.id, random_token(6));
    store::outbox::enqueue(
        &mut tx,
        Lane::Transactional,
        &key,
        &email,
        Some(reader.store.id),
    )
    .await?;
    audited(&mut tx, &reader, &ip, "support.reminder_sent", &why).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(done(&reader, "remind"))
}

async fn change_admin(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let tr = reader.ctx().tr;
    let new = match EmailAddress::parse(&form.new_email) {
        Ok(e) => e,
        Err(e) => {
            let msg = super::error::email_problem(&tr, &e);
            return page(&state, &reader, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    if new.as_str() == reader.store.admin_email {
        let msg = tr.t("console.error.same_admin");
        return page(&state, &reader, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let token = random_token(32);
    let hash = sha256_hex(&token);
    let to_new = emails::lang_of(&state.db.pool, new.as_str(), Some(&reader.store)).await?;
    let mut tx = state.db.begin().await?;
    store::admin_changes::insert(
        &mut tx,
        &hash,
        reader.store.id,
        &reader.store.admin_email,
        new.as_str(),
        reader.user.email(),
        &why,
    )
    .await?;
    let link = format!("{}/admin-change?token={token}", state.config.base_url);
    let email = emails::admin_change_request(to_new, new.as_str(), &reader.store, &link);
    store::outbox::push(
        &mut *tx,
        &store::outbox::Job {
            lane: Lane::Urgent,
            key: &format!("admin-change:{hash}"),
            kind: "email",
            recipient: new.as_str(),
            subject: &email.subject,
            body: &email.text,
            store_id: Some(reader.store.id),
            redact: true,
        },
    )
    .await?;
    let detail = format!("{why} (new admin {new}, waiting for confirmation)");
    audited(
        &mut tx,
        &reader,
        &ip,
        "support.admin_change_requested",
        &detail,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(done(&reader, "admin"))
}

async fn revoke_credentials(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let mut tx = state.db.begin().await?;
    let n = match &reader.upgrade {
        Some(upgrade) => store::upgrades::revoke_all_credentials(&mut tx, upgrade.id).await?,
        None => 0,
    };
    let detail = format!("{why} ({n} revoked)");
    audited(
        &mut tx,
        &reader,
        &ip,
        "support.credentials_revoked",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(done(&reader, "revoke"))
}

/// The test purchase, confirmed by hand (the platform's event never came): the upgrade
/// completes, with the reference support checked.
async fn verify_purchase(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let tr = reader.ctx().tr;
    let reference = form.reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        let msg = tr.t("console.error.reference");
        return page(&state, &reader, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let refused = |r: Refusal| Some(super::error::refusal(&tr, r));
    let Some(id) = reader.upgrade.as_ref().map(|u| u.id) else {
        let msg = refused(Refusal::NotAtTestPurchase);
        return page(&state, &reader, msg, StatusCode::CONFLICT).await;
    };
    let mut tx = state.db.begin().await?;
    let mut upgrade = store::upgrades::lock(&mut tx, id, state.db.backend).await?;
    let moved = match upgrade.confirm_purchase_by_hand() {
        Ok(moved) => moved,
        Err(r) => {
            tx.rollback().await?;
            return page(&state, &reader, refused(r), StatusCode::CONFLICT).await;
        }
    };
    let actor = format!("support:{}", reader.user.email());
    store::upgrades::record_move(&mut tx, &upgrade, moved, &actor).await?;
    let detail = format!("{why} (reference {reference})");
    audited(&mut tx, &reader, &ip, "support.purchase_verified", &detail).await?;
    state.hub.notify_in(&mut tx, reader.store.id).await?;
    tx.commit().await?;
    state.hub.committed(reader.store.id);
    state.outbox.wake();
    Ok(done(&reader, "verified"))
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn admin_change_page(
    State(state): State<AppState>,
    browser: Browser,
    jar: CookieJar,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let change = store::admin_changes::get(&state.db.pool, &sha256_hex(&q.token)).await?;
    let (csrf, jar) = browser.form_token(&state, jar);
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    let live = change.filter(|c| c.used_at.is_none() && c.expires_at > store::now());
    let Some(change) = live else {
        return Ok((
            StatusCode::GONE,
            jar,
            pages::render(pages::console::admin_change_invalid(&ctx)),
        )
            .into_response());
    };
    let store = store::stores::find_by_id(&state.db.pool, change.store_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        jar,
        pages::render(pages::console::admin_change(
            &ctx,
            &store,
            &change.new_email,
            &q.token,
        )),
    )
        .into_response())
}

async fn admin_change_confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OpenForm { form, csrf, .. }: OpenForm<TokenQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    let hash = sha256_hex(&form.token);
    let mut tx = state.db.begin().await?;
    let change = store::admin_changes::get(&mut *tx, &hash).await?;
    let Some(change) = change else {
        tx.rollback().await?;
        return Ok((
            StatusCode::GONE,
            pages::render(pages::console::admin_change_invalid(&ctx)),
        )
            .into_response());
    };
    if !store::admin_changes::consume(&mut tx, &hash).await? {
        tx.rollback().await?;
        return Ok((
            StatusCode::GONE,
            pages::render(pages::console::admin_change_invalid(&ctx)),
        )
            .into_response());
    }
    let old = store::stores::find_by_id(&mut *tx, change.store_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::admin_changes::set_admin(&mut tx, change.store_id, &change.new_email).await?;
    let detail = format!(
        "{} → {} (requested by {}: {})",
        old.admin_email, change.new_email, change.requested_by, change.reason
    );
    store::audit::record(
        &mut *tx,
        &Record {
            actor: &change.new_email,
            action: "store.admin_changed",
            store_id: Some(change.store_id),
            detail: &detail,
            ip: &ip,
        },
    )
    .await?;
    // The previous admin hears of it, in case it was not their wish.
    let tr = emails::lang_of(&mut *tx, &old.admin_email, Some(&old)).await?;
    let email = emails::admin_changed(tr, &old, &change.new_email);
    store::outbox::enqueue(
        &mut tx,
        Lane::Transactional,
        &format!("admin-changed:{hash}"),
        &email,
        Some(old.id),
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(pages::render(pages::console::admin_changed(&ctx, &old.name)).into_response())
}
