//! Email sign-in: who may receive a link, the link itself (10 minutes, single use, only
//! in the browser that asked for it), and signing in with it.

use super::{App, emails};
use crate::{
    domain::{credentials::random_token, sha256_hex},
    i18n::Lang,
    store::{self, audit::Record, outbox::Lane, sessions::TokenStatus},
};

/// Queues a sign-in link for `email` if that address may sign in; says nothing either
/// way (an unknown address gets the same answer as a known one).
pub async fn send_link(
    state: &App,
    email: &str,
    requested_by: &str,
    lang: Lang,
) -> anyhow::Result<()> {
    if !may_sign_in(state, email).await? {
        tracing::info!(email = %email, "sign-in requested for an unknown or disabled address; no email sent");
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    queue_link(&mut tx, state, email, Some(requested_by), lang).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// Store admins, invited store users and active staff may receive a link; a disabled
/// account may not, whatever else it is.
async fn may_sign_in(state: &App, email: &str) -> sqlx::Result<bool> {
    let pool = &state.db.pool;
    if store::users::is_disabled(pool, email).await? {
        return Ok(false);
    }
    Ok(store::stores::is_known_admin(pool, email).await?
        || store::members::is_any_member(pool, email).await?
        || store::users::is_active_staff(pool, email).await?)
}

/// Stores a new sign-in token for `email` and queues the email with its link, in `tx`.
/// The link is a secret: the outbox wipes it once delivered, only its hash stays.
/// `requested_by` is the browser that asked for it, the only one where it works; `None`
/// for a link nobody asked for in a browser (support sent it), which works in any.
pub async fn queue_link(
    tx: &mut store::Tx,
    state: &App,
    email: &str,
    requested_by: Option<&str>,
    lang: Lang,
) -> anyhow::Result<()> {
    let token = random_token(32);
    let hash = sha256_hex(&token);
    store::sessions::store_sign_in_token(&mut **tx, &hash, email, requested_by).await?;
    let link = format!("{}/auth/confirm?token={token}", state.config.base_url);
    if state.config.seed_demo {
        tracing::info!(email = %email, %link, "demo mode: sign-in link");
    }
    let message = emails::sign_in(crate::i18n::Tr::new(lang), email, &link);
    store::outbox::push(
        &mut **tx,
        &store::outbox::Job {
            lane: Lane::Urgent,
            key: &format!("sign-in:{hash}"),
            kind: "email",
            recipient: email,
            subject: &message.subject,
            body: &message.text,
            store_id: None,
            redact: true,
        },
    )
    .await?;
    Ok(())
}

/// Signs in with `token` in the browser `browser_hash`: a fresh session (its cookie
/// value), or why the link cannot be used (audited). A person who has not chosen a
/// language yet keeps `lang`, the one their browser asked for while signing in, so
/// their emails are in the language they read Switchyard in.
pub async fn sign_in(
    state: &App,
    token: &str,
    browser_hash: &str,
    ip: &str,
    lang: Option<Lang>,
) -> anyhow::Result<Result<String, TokenStatus>> {
    let mut tx = state.db.begin().await?;
    let email =
        match store::sessions::consume_sign_in_token(&mut tx, &sha256_hex(token), browser_hash)
            .await?
        {
            Ok(email) => email,
            Err(status) => {
                tx.rollback().await?;
                let why = format!("{status:?}");
                let record = Record {
                    actor: "anonymous",
                    action: "sign_in.failed",
                    store_id: None,
                    args: &[("why", &why)],
                    ip,
                };
                store::audit::record(&state.db.pool, &record).await?;
                return Ok(Err(status));
            }
        };
    let user_id = store::users::upsert(&mut tx, &email).await?;
    store::users::record_sign_in(&mut tx, user_id).await?;
    if let Some(lang) = lang {
        store::users::adopt_lang(&mut *tx, user_id, lang.code()).await?;
    }
    // A fresh session id at sign-in: whatever id the browser had before is dropped.
    store::sessions::delete(&mut *tx, browser_hash).await?;
    let value = random_token(32);
    store::sessions::create(
        &mut *tx,
        &sha256_hex(&value),
        Some(user_id),
        &random_token(32),
    )
    .await?;
    store::audit::record(
        &mut *tx,
        &Record {
            actor: &email,
            action: "sign_in",
            store_id: None,
            args: &[],
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(value))
}
