//! Legacy orders: capture (full or partial), cancel, refund (invoiced to the merchant,
//! said before), extend. The order's state is checked here first so a refusal names its
//! reason; the platform then decides, with an idempotency key derived from the order's
//! state, so a retried click never acts twice. Nothing changes after the sunset.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::page;
use crate::app::AppState;
use crate::app::legacy::{self as app_legacy, sunset_of};
use crate::app::paths;
use crate::{
    domain::order::OrderAction,
    platform::client::PlatformError,
    store::{self, audit::Record},
    web::{
        access::StoreAdmin,
        error::{AppError, platform_problem},
        session::{ClientIp, CsrfForm},
    },
};

#[derive(Deserialize)]
pub struct ActionForm {
    /// In the major unit, as typed ("123.45"); for capture and refund.
    #[serde(default)]
    amount: String,
    /// The refund notice was read: refunds on the legacy store are invoiced.
    #[serde(default)]
    invoiced: Option<String>,
}

pub async fn capture(
    state: State<AppState>,
    admin: StoreAdmin,
    ip: ClientIp,
    Path((_, order)): Path<(String, String)>,
    form: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, admin, ip, order, form, Kind::Capture).await
}

pub async fn cancel(
    state: State<AppState>,
    admin: StoreAdmin,
    ip: ClientIp,
    Path((_, order)): Path<(String, String)>,
    form: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, admin, ip, order, form, Kind::Cancel).await
}

pub async fn refund(
    state: State<AppState>,
    admin: StoreAdmin,
    ip: ClientIp,
    Path((_, order)): Path<(String, String)>,
    form: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, admin, ip, order, form, Kind::Refund).await
}

pub async fn extend(
    state: State<AppState>,
    admin: StoreAdmin,
    ip: ClientIp,
    Path((_, order)): Path<(String, String)>,
    form: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, admin, ip, order, form, Kind::Extend).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Capture,
    Cancel,
    Refund,
    Extend,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Capture => "capture",
            Kind::Cancel => "cancel",
            Kind::Refund => "refund",
            Kind::Extend => "extend",
        }
    }
}

async fn act(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    order_id: String,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
    kind: Kind,
) -> Result<Response, AppError> {
    let tr = admin.ctx().tr;
    if let Some((date, phase)) = sunset_of(&state, &admin.store)
        && phase.is_closed()
    {
        return Err(AppError::Conflict(
            tr.f("legacy.error.closed", &[("date", &date.to_string())]),
        ));
    }
    let remote = match state.platform.order(&order_id).await {
        Ok(o) if o.merchant_id == admin.eid() => o,
        Ok(_) | Err(PlatformError::Refused { status: 404, .. }) => return Err(AppError::NotFound),
        Err(e) => return failed(&state, &admin, e).await,
    };
    let currency = crate::domain::money::Currency::parse(&remote.currency).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the platform sent currency {:?}",
            remote.currency
        ))
    })?;
    let amount = || -> Result<i64, AppError> {
        let text = form.amount.trim();
        currency
            .parse_typed_amount(text)
            .ok()
            .filter(|a| *a > 0)
            .ok_or_else(|| {
                AppError::BadRequest(tr.f("legacy.error.amount", &[("currency", currency.code())]))
            })
    };
    let action = match kind {
        Kind::Capture => OrderAction::Capture(amount()?),
        Kind::Cancel => OrderAction::Cancel,
        Kind::Refund => {
            if form.invoiced.as_deref().is_none_or(str::is_empty) {
                return Err(AppError::BadRequest(tr.t("legacy.error.invoiced")));
            }
            OrderAction::Refund(amount()?)
        }
        Kind::Extend => OrderAction::Extend,
    };
    // The order's own state says no before the platform is asked.
    let now = store::now();
    if let Err(refusal) = app_legacy::as_order(&remote).apply(action, now) {
        return Err(AppError::Conflict(tr.t(refusal.key())));
    }
    // The same action on the same state is the same request: a retry replays it.
    let key = format!(
        "switchyard:legacy:{order_id}:{}:{}:{}:{}",
        kind.as_str(),
        remote.captured_amount,
        remote.refunded_amount,
        form.amount.trim()
    );
    let p = &state.platform;
    let done = match action {
        OrderAction::Capture(a) => p.capture(&order_id, a, &key).await,
        OrderAction::Cancel => p.cancel(&order_id, &key).await,
        OrderAction::Refund(a) => p.refund(&order_id, a, &key).await,
        OrderAction::Extend => p.extend(&order_id, &key).await,
    };
    if let Err(e) = done {
        return failed(&state, &admin, e).await;
    }
    if let Ok(after) = p.order(&order_id).await {
        store::legacy_orders::upsert(&state.db.pool, admin.store.id, &after).await?;
    }
    let detail = match action {
        OrderAction::Capture(a) | OrderAction::Refund(a) => {
            format!(
                "order {order_id}: {} {}",
                currency.format_amount(a),
                currency.code()
            )
        }
        _ => format!("order {order_id}"),
    };
    let record = Record {
        actor: admin.user.email(),
        action: &format!("legacy_order.{}", kind.as_str()),
        store_id: Some(admin.store.id),
        detail: &detail,
        ip: &ip,
    };
    store::audit::record(&state.db.pool, &record).await?;
    Ok(Redirect::to(&format!(
        "{}#order-{order_id}",
        paths::store(admin.eid()).legacy()
    ))
    .into_response())
}

async fn failed(
    state: &AppState,
    admin: &StoreAdmin,
    e: PlatformError,
) -> Result<Response, AppError> {
    tracing::warn!(error = %e, "legacy order action failed");
    let (status, problem) = platform_problem(&admin.ctx().tr, &e);
    page(state, &admin.0, Some(problem), status).await
}
