//! Legacy orders: capture (full or partial), cancel, refund (invoiced to the merchant,
//! said before), extend. The order's state is checked here first so a refusal names its
//! reason; the platform then decides, with an idempotency key derived from the order's
//! state, so a retried click never acts twice. Nothing changes after the sunset.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Problem, page};
use crate::app::AppState;
use crate::app::legacy::{self as app_legacy, sunset_of};
use crate::app::paths;
use crate::{
    domain::{money::AmountError, order::OrderAction},
    i18n::Msg,
    platform::client::PlatformError,
    store::{self, audit::Record},
    web::{
        access::StoreAdmin,
        error::{AppError, platform_problem},
        pages::{format_date, legacy::Typed},
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
    match decide_and_do(&state, &admin, &ip, &order_id, &form, kind).await? {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}#order-{order_id}",
            paths::store(admin.eid()).legacy()
        ))
        .into_response()),
        // Refused: the legacy page again, saying why, with what was typed still there.
        Err((status, message)) => {
            let typed = Typed::Order {
                order_id,
                action: kind.as_str(),
                amount: form.amount,
                invoiced: form.invoiced.as_deref().is_some_and(|v| !v.is_empty()),
            };
            let problem = Problem {
                message,
                typed: Some(typed),
            };
            page(&state, &admin.0, Some(problem), status).await
        }
    }
}

/// Asks the order's state, then the platform; a refusal is a status and its reason.
async fn decide_and_do(
    state: &AppState,
    admin: &StoreAdmin,
    ip: &str,
    order_id: &str,
    form: &ActionForm,
    kind: Kind,
) -> Result<Result<(), (StatusCode, Msg)>, AppError> {
    if let Some((date, phase)) = sunset_of(state, &admin.store)
        && phase.is_closed()
    {
        let why = Msg::new("legacy.error.closed").arg("date", format_date(date));
        return Ok(Err((StatusCode::CONFLICT, why)));
    }
    let remote = match state.platform.order(order_id).await {
        Ok(o) if o.merchant_id == admin.eid() => o,
        Ok(_) | Err(PlatformError::Refused { status: 404, .. }) => return Err(AppError::NotFound),
        Err(e) => return Ok(Err(failed(e))),
    };
    let currency = crate::domain::money::Currency::parse(&remote.currency).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the platform sent currency {:?}",
            remote.currency
        ))
    })?;
    let amount = || -> Result<i64, (StatusCode, Msg)> {
        let lang = crate::i18n::request_lang();
        let why = |key: &str| {
            let example = crate::i18n::input::amount_value(lang, currency, 123_450);
            let msg = Msg::new(format!("locale.amount.{key}"))
                .arg("typed", form.amount.trim())
                .arg("example", example)
                .arg("currency", currency.code());
            (StatusCode::BAD_REQUEST, msg)
        };
        match crate::i18n::input::amount(lang, currency, &form.amount) {
            Ok(a) if a > 0 => Ok(a),
            Ok(_) => Err(why("positive")),
            Err(AmountError::Ambiguous) => Err(why("ambiguous")),
            Err(AmountError::TooPrecise) => Err(why("too_precise")),
            Err(_) => Err(why("invalid")),
        }
    };
    let action = match kind {
        Kind::Capture => match amount() {
            Ok(a) => OrderAction::Capture(a),
            Err(refused) => return Ok(Err(refused)),
        },
        Kind::Cancel => OrderAction::Cancel,
        Kind::Refund => {
            if form.invoiced.as_deref().is_none_or(str::is_empty) {
                let why = Msg::new("legacy.error.invoiced");
                return Ok(Err((StatusCode::BAD_REQUEST, why)));
            }
            match amount() {
                Ok(a) => OrderAction::Refund(a),
                Err(refused) => return Ok(Err(refused)),
            }
        }
        Kind::Extend => OrderAction::Extend,
    };
    // The order's own state says no before the platform is asked.
    let now = store::now();
    if let Err(refusal) = app_legacy::as_order(&remote).apply(action, now) {
        return Ok(Err((StatusCode::CONFLICT, Msg::new(refusal.key()))));
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
        OrderAction::Capture(a) => p.capture(order_id, a, &key).await,
        OrderAction::Cancel => p.cancel(order_id, &key).await,
        OrderAction::Refund(a) => p.refund(order_id, a, &key).await,
        OrderAction::Extend => p.extend(order_id, &key).await,
    };
    if let Err(e) = done {
        return Ok(Err(failed(e)));
    }
    if let Ok(after) = p.order(order_id).await {
        store::legacy_orders::upsert(&state.db.pool, admin.store.id, &after).await?;
    }
    let amount = match action {
        OrderAction::Capture(a) | OrderAction::Refund(a) => {
            format!("{} {}", currency.format_amount(a), currency.code())
        }
        _ => String::new(),
    };
    let record = Record {
        actor: admin.user.email(),
        action: &format!("legacy_order.{}", kind.as_str()),
        store_id: Some(admin.store.id),
        args: &[("order", order_id), ("amount", &amount)],
        ip,
    };
    store::audit::record(&state.db.pool, &record).await?;
    Ok(Ok(()))
}

/// A failed call to the platform, as a refusal.
fn failed(e: PlatformError) -> (StatusCode, Msg) {
    tracing::warn!(error = %e, "legacy order action failed");
    platform_problem(&e)
}
