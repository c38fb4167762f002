//! One webhook's page: its delivery log (every attempt, its status and latency), a test
//! event on request, and redelivering one event. Only the managers of the webhook's
//! partner see it; to anyone else it does not exist.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{
    access::PartnerManager,
    error::AppError,
    notice, pages,
    partner_keys::audited,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields, SignedIn},
};
use crate::app::AppState;
use crate::domain::{credentials::random_token, rfc3339, webhook};
use crate::i18n::Msg;
use crate::store::{self, webhooks::Webhook};

/// Attempts the page lists.
const LOG_LENGTH: i64 = 50;

pub fn routes(r: Routes) -> Routes {
    r.get("/partner/api/webhooks/{id}", show)
        .post("/partner/api/webhooks/{id}/test", send_test)
        .post("/partner/api/webhooks/{id}/redeliver/{delivery}", redeliver)
}

/// The webhook `raw_id`, if it is one of `user`'s partners'.
async fn own(state: &AppState, user: &SignedIn, raw_id: &str) -> Result<Webhook, AppError> {
    let id: i64 = raw_id.parse().map_err(|_| AppError::NotFound)?;
    store::webhooks::get(&state.db.pool, id)
        .await?
        .filter(|h| user.principal.partner_ids.contains(&h.partner_id))
        .ok_or(AppError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let hook = own(&state, &user, &id).await?;
    let attempts = store::webhook_log::recent(&state.db.pool, hook.id, LOG_LENGTH).await?;
    let view = pages::webhook_log::page(&user.ctx(), &hook, &attempts);
    Ok(pages::render(view).into_response())
}

/// Queues a `webhook.test` event for the endpoint, delivered like any other.
async fn send_test(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let hook = own(&state, &user, &id).await?;
    let event_id = format!("evt_test_{}", random_token(12));
    let body = json!({
        "id": event_id,
        "type": webhook::TEST,
        "created_at": rfc3339(store::now()),
        "data": { "webhook": hook.id },
    })
    .to_string();
    let key = format!("webhook:{}:{event_id}", hook.id);
    let mut tx = state.db.begin().await?;
    store::webhook_log::queue(&mut tx, hook.id, &key, webhook::TEST, &body, None).await?;
    let hook_id = hook.id.to_string();
    audited(
        &mut tx,
        &user,
        &ip,
        "webhook.test_sent",
        &[("webhook", &hook_id)],
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(back(&state, hook.id, Msg::new("deliveries.notice.test")))
}

/// Queues the event of one logged delivery again, the same body under a new key: the
/// receiver sees the same event id and can tell it is the same event.
async fn redeliver(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    Path((id, delivery)): Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let hook = own(&state, &user, &id).await?;
    let outbox_id: i64 = delivery.parse().map_err(|_| AppError::NotFound)?;
    let (event_type, body, store_id) =
        store::webhook_log::event(&state.db.pool, hook.id, outbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let key = format!("webhook:{}:again:{outbox_id}:{}", hook.id, random_token(8));
    let mut tx = state.db.begin().await?;
    store::webhook_log::queue(&mut tx, hook.id, &key, &event_type, &body, store_id).await?;
    let (hook_id, delivery) = (hook.id.to_string(), outbox_id.to_string());
    let args = [
        ("webhook", hook_id.as_str()),
        ("delivery", delivery.as_str()),
        ("event", event_type.as_str()),
    ];
    audited(&mut tx, &user, &ip, "webhook.redelivered", &args).await?;
    tx.commit().await?;
    state.outbox.wake();
    let msg = Msg::new("deliveries.notice.redelivered").arg("event", event_type);
    Ok(back(&state, hook.id, msg))
}

fn back(state: &AppState, hook: i64, msg: Msg) -> Response {
    notice::redirect(state, &format!("/partner/api/webhooks/{hook}"), &msg)
}
