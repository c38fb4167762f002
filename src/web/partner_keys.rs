//! A partner manager's API tokens and their partners' webhooks: created here (the
//! token or signing secret is shown once, never stored in the clear), revoked here.
//! Every change is audited. A token is the manager's and reads the stores of all their
//! partners; a webhook is one partner's and hears of that partner's stores, so a
//! manager of several partners has a webhook section for each.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::pages::partner_keys::Created;
use super::{
    access::PartnerManager,
    error::AppError,
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields, SignedIn, sha256_hex},
};
use crate::app::AppState;
use crate::domain::credentials::random_token;
use crate::{
    domain::webhook,
    store::{self, audit::Record},
};

pub fn routes(r: Routes) -> Routes {
    r.get("/partner/api", show)
        .post("/partner/api/tokens", create_token)
        .post("/partner/api/tokens/{id}/revoke", revoke_token)
        .post("/partner/api/webhooks", create_webhook)
        .post("/partner/api/webhooks/{id}/disable", disable_webhook)
}

async fn show(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
) -> Result<Response, AppError> {
    page(&state, &user, None, None, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    created: Option<Created>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tokens = store::api_tokens::of_user(&state.db.pool, user.principal.user_id).await?;
    let hooks = store::webhooks::of_partners(&state.db.pool, &user.principal.partner_ids).await?;
    let partners =
        store::stores::partner_names(&state.db.pool, &user.principal.partner_ids).await?;
    let view = pages::partner_keys::keys(
        &user.ctx(),
        &tokens,
        &partners,
        &hooks,
        created.as_ref(),
        problem.as_deref(),
    );
    Ok((status, pages::render(view)).into_response())
}

/// Records `action` by the manager `user`, with no store.
pub(super) async fn audited(
    tx: &mut store::Tx,
    user: &SignedIn,
    ip: &str,
    action: &str,
    args: &[(&str, &str)],
) -> sqlx::Result<()> {
    store::audit::record(
        &mut **tx,
        &Record {
            actor: user.email(),
            action,
            store_id: None,
            args,
            ip,
        },
    )
    .await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<TokenForm>,
) -> Result<Response, AppError> {
    let tr = user.ctx().tr;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return page(
            &state,
            &user,
            None,
            Some(tr.t("keys.error.name")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let token = format!("{}{}", store::api_tokens::TOKEN_PREFIX, random_token(32));
    let prefix: String = token
        .chars()
        .take(store::api_tokens::TOKEN_PREFIX.len() + 6)
        .collect();
    let mut tx = state.db.begin().await?;
    let id = store::api_tokens::insert(
        &mut tx,
        user.principal.user_id,
        name,
        &sha256_hex(&token),
        &prefix,
    )
    .await?;
    audited(
        &mut tx,
        &user,
        &ip,
        "api_token.created",
        &[
            ("token", &id.to_string()),
            ("name", name),
            ("prefix", &prefix),
        ],
    )
    .await?;
    tx.commit().await?;
    page(
        &state,
        &user,
        Some(Created::Token(token)),
        None,
        StatusCode::CREATED,
    )
    .await
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn revoke_token(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut tx = state.db.begin().await?;
    if !store::api_tokens::revoke(&mut tx, user.principal.user_id, id).await? {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    }
    audited(
        &mut tx,
        &user,
        &ip,
        "api_token.revoked",
        &[("token", &id.to_string())],
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/partner/api").into_response())
}

#[derive(Deserialize)]
struct WebhookForm {
    #[serde(default)]
    url: String,
    /// Whose webhook: one of the manager's partners (may be left out by a manager of one).
    #[serde(default)]
    partner: Option<i64>,
}

async fn create_webhook(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<WebhookForm>,
) -> Result<Response, AppError> {
    let (partner, url) = match webhook_target(&state, &user, &form).await? {
        Ok(target) => target,
        Err((status, problem)) => return page(&state, &user, None, Some(problem), status).await,
    };
    let nonce = random_token(16);
    let mut tx = state.db.begin().await?;
    let id = store::webhooks::insert(&mut tx, partner, url.as_str(), &nonce, user.email()).await?;
    audited(
        &mut tx,
        &user,
        &ip,
        "webhook.created",
        &[
            ("webhook", &id.to_string()),
            ("url", url.as_str()),
            ("partner", &partner.to_string()),
        ],
    )
    .await?;
    tx.commit().await?;
    let secret = webhook::secret(
        secrecy::ExposeSecret::expose_secret(&state.config.secret_key).as_bytes(),
        &nonce,
    );
    let created = Created::Webhook {
        url: url.to_string(),
        secret,
    };
    page(&state, &user, Some(created), None, StatusCode::CREATED).await
}

/// The partner and address a new webhook is for, or why not: the status and what the
/// manager reads.
async fn webhook_target(
    state: &AppState,
    user: &SignedIn,
    form: &WebhookForm,
) -> Result<Result<(i64, url::Url), (StatusCode, String)>, AppError> {
    let tr = user.ctx().tr;
    let refused = |status, key| Ok(Err((status, tr.t(key))));
    let ids = &user.principal.partner_ids;
    let partner = match (form.partner, ids.as_slice()) {
        (Some(p), _) if ids.contains(&p) => p,
        (Some(_), _) => return Err(AppError::NotFound),
        (None, []) => return refused(StatusCode::CONFLICT, "keys.error.no_partner"),
        (None, [only]) => *only,
        (None, _) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "consoles.keys.pick_partner",
            );
        }
    };
    let Ok(url) = webhook::parse_url(&form.url, state.config.health_check.allow_private) else {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "input.webhook_url");
    };
    // Checked now, literal addresses and names alike, so the partner learns at once;
    // the delivery's resolver checks again.
    if let Err(refusal) = crate::shop::vet_resolved(&url, &state.config.health_check).await {
        tracing::info!(%url, %refusal, "webhook address refused");
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "input.webhook_private");
    }
    Ok(Ok((partner, url)))
}

async fn disable_webhook(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut tx = state.db.begin().await?;
    if !store::webhooks::disable(&mut tx, id, &user.principal.partner_ids).await? {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    }
    audited(
        &mut tx,
        &user,
        &ip,
        "webhook.disabled",
        &[("webhook", &id.to_string())],
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/partner/api").into_response())
}
