//! Partners' webhooks, and the events queued for them when an upgrade moves a step.

use serde_json::json;
use sqlx::{Any, Executor, FromRow};

use super::{Tx, now, outbox};
use crate::domain::{
    delivery,
    upgrade::{Move, Step, Upgrade},
    webhook,
};

#[derive(Debug, Clone, FromRow)]
pub struct Webhook {
    pub id: i64,
    pub partner_id: i64,
    pub url: String,
    pub nonce: String,
    pub created_by: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    /// Failed deliveries since the last one accepted.
    pub failures: i64,
    /// Set once `failures` reached the configured limit; cleared by the next success.
    pub failing_since: Option<i64>,
    /// Why the last delivery failed, as a [`delivery::Failure`] code.
    pub last_error: Option<String>,
}

const COLUMNS: &str = "id, partner_id, url, nonce, created_by, created_at, disabled_at, failures, failing_since, last_error";

pub async fn insert(
    tx: &mut Tx,
    partner_id: i64,
    url: &str,
    nonce: &str,
    created_by: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO webhooks (partner_id, url, nonce, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(partner_id)
    .bind(url)
    .bind(nonce)
    .bind(created_by)
    .bind(now())
    .fetch_one(&mut **tx)
    .await
}

/// The active webhooks of the given partners.
pub async fn of_partners<'c>(
    ex: impl Executor<'c, Database = Any>,
    partner_ids: &[i64],
) -> sqlx::Result<Vec<Webhook>> {
    if partner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM webhooks WHERE disabled_at IS NULL AND partner_id IN ({}) ORDER BY id",
        super::placeholders(1, partner_ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for id in partner_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await
}

pub async fn get<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<Option<Webhook>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Counts a failed delivery; after `failing_after` in a row the webhook is failing.
pub async fn record_failure<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
    why: &delivery::Failure,
    failing_after: u32,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhooks SET failures = failures + 1, last_error = $1, \
         failing_since = CASE WHEN failing_since IS NULL AND failures + 1 >= $2 THEN $3 ELSE failing_since END \
         WHERE id = $4",
    )
    .bind(why.code())
    .bind(i64::from(failing_after))
    .bind(now())
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// A delivery was accepted: the webhook is healthy again.
pub async fn record_success<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhooks SET failures = 0, failing_since = NULL, last_error = NULL \
         WHERE id = $1 AND failures > 0",
    )
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Turns webhook `id` off, if it belongs to one of `partner_ids`; false if not.
pub async fn disable(tx: &mut Tx, id: i64, partner_ids: &[i64]) -> sqlx::Result<bool> {
    let Some(hook) = get(&mut **tx, id).await? else {
        return Ok(false);
    };
    if !partner_ids.contains(&hook.partner_id) || hook.disabled_at.is_some() {
        return Ok(false);
    }
    sqlx::query("UPDATE webhooks SET disabled_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Queues, in the transaction that moved the upgrade, `upgrade.step_completed` (and
/// `upgrade.completed` at the end) for every active webhook of the store's partner.
pub async fn enqueue_step(
    tx: &mut Tx,
    upgrade: &Upgrade,
    Move { from, to }: Move,
    actor: &str,
    at: i64,
) -> sqlx::Result<()> {
    // The merchant ID as stored now, in this transaction: the caller's copy of the
    // upgrade may predate the MID it just allocated.
    let Some((eid, name, merchant_id)): Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT s.legacy_store_id, s.name, u.merchant_id FROM stores s \
             JOIN upgrades u ON u.store_id = s.id WHERE s.id = $1 AND u.id = $2",
    )
    .bind(upgrade.store_id)
    .bind(upgrade.id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(());
    };
    let mut events = vec![webhook::STEP_COMPLETED];
    if to == Step::Complete {
        events.push(webhook::COMPLETED);
    }
    // People are not named to the partner: only what kind of actor moved it.
    let by = if actor == "platform" {
        "platform"
    } else {
        "person"
    };
    let data = json!({
        "legacy_store_id": eid,
        "store_name": name,
        "path": upgrade.path_id,
        "completed_step": from.as_str(),
        "current_step": to.as_str(),
        "merchant_id": merchant_id,
        "by": by,
    });
    for kind in events {
        let event_id = format!(
            "evt_{}_{}_{}",
            upgrade.id,
            to.as_str(),
            kind.rsplit('.').next().unwrap_or(kind)
        );
        enqueue(tx, upgrade.store_id, &event_id, kind, at, &data).await?;
    }
    Ok(())
}

/// Queues event `event_id` of type `kind` about store `store_id` for every active
/// webhook of the store's partner, in the caller's transaction; queuing it again is a
/// no-op (the outbox key names the webhook and the event).
pub async fn enqueue(
    tx: &mut Tx,
    store_id: i64,
    event_id: &str,
    kind: &str,
    at: i64,
    data: &serde_json::Value,
) -> sqlx::Result<()> {
    let hooks: Vec<i64> = sqlx::query_scalar(
        "SELECT w.id FROM webhooks w JOIN stores s ON s.partner_id = w.partner_id \
         WHERE s.id = $1 AND w.disabled_at IS NULL",
    )
    .bind(store_id)
    .fetch_all(&mut **tx)
    .await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let body = json!({
        "id": event_id,
        "type": kind,
        "created_at": crate::domain::rfc3339(at),
        "data": data,
    })
    .to_string();
    for hook in hooks {
        outbox::push(
            &mut **tx,
            &outbox::Job {
                lane: outbox::Lane::Webhook,
                key: &format!("webhook:{hook}:{event_id}"),
                kind: "webhook",
                recipient: &hook.to_string(),
                subject: kind,
                body: &body,
                store_id: Some(store_id),
                redact: false,
            },
        )
        .await?;
    }
    Ok(())
}
