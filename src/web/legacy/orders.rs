//! Legacy orders: capture (full or partial), cancel, refund (invoiced to the merchant,
//! said before), extend, restore (an order cancelled at expiry). The order's state is
//! checked here first so a refusal names its reason; the platform then decides, with an
//! idempotency key derived from the order's state as the page showed it, so a resent
//! form never acts twice while each new click does. What was done, or that nothing
//! changed, is said on the page. Nothing changes after the sunset.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

use super::{Problem, page};
use crate::app::AppState;
use crate::app::legacy::{self as app_legacy, sunset_of};
use crate::app::paths;
use crate::{
    domain::{
        money::{AmountError, Currency},
        order::{Order, OrderAction, RemoteOrder},
        parse_rfc3339, sha256_hex,
    },
    i18n::Msg,
    platform::client::PlatformError,
    store::{self, audit::Record},
    web::{
        access::StoreAdmin,
        error::{AppError, platform_problem},
        pages::{format_date, format_time, legacy::Typed},
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
    /// The order's version the form was shown with (`Order::version`): the same form
    /// sent twice is one request, a click on the page after it is another.
    #[serde(default)]
    seen: String,
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

pub async fn restore(
    state: State<AppState>,
    admin: StoreAdmin,
    ip: ClientIp,
    Path((_, order)): Path<(String, String)>,
    form: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, admin, ip, order, form, Kind::Restore).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Capture,
    Cancel,
    Refund,
    Extend,
    Restore,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Capture => "capture",
            Kind::Cancel => "cancel",
            Kind::Refund => "refund",
            Kind::Extend => "extend",
            Kind::Restore => "restore",
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
        Ok(notice) => {
            let to = format!("{}#order-{order_id}", paths::store(admin.eid()).legacy());
            Ok(crate::web::notice::redirect(&state, &to, &notice))
        }
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

/// What the form asks for, or why it cannot be asked.
fn action_of(
    kind: Kind,
    form: &ActionForm,
    currency: Currency,
) -> Result<OrderAction, (StatusCode, Msg)> {
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
    Ok(match kind {
        Kind::Capture => OrderAction::Capture(amount()?),
        Kind::Cancel => OrderAction::Cancel,
        Kind::Refund => {
            if form.invoiced.as_deref().is_none_or(str::is_empty) {
                let why = Msg::new("legacy.error.invoiced");
                return Err((StatusCode::BAD_REQUEST, why));
            }
            OrderAction::Refund(amount()?)
        }
        Kind::Extend => OrderAction::Extend,
        Kind::Restore => OrderAction::Restore,
    })
}

/// Asks the order's state, then the platform; the notice of what was done, or a refusal
/// as a status and its reason.
async fn decide_and_do(
    state: &AppState,
    admin: &StoreAdmin,
    ip: &str,
    order_id: &str,
    form: &ActionForm,
    kind: Kind,
) -> Result<Result<Msg, (StatusCode, Msg)>, AppError> {
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
    let currency = Currency::parse(&remote.currency).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the platform sent currency {:?}",
            remote.currency
        ))
    })?;
    let action = match action_of(kind, form, currency) {
        Ok(a) => a,
        Err(refused) => return Ok(Err(refused)),
    };
    // The order's own state says no before the platform is asked.
    let before = app_legacy::as_order(&remote);
    let unchanged = Msg::new("legacy.notice.unchanged").arg("order", order_id);
    match before.apply(action, store::now()) {
        Err(refusal) => return Ok(Err((StatusCode::CONFLICT, Msg::new(refusal.key())))),
        Ok(next) if next == before => return Ok(Ok(unchanged)),
        Ok(_) => {}
    }
    let key = idempotency_key(order_id, kind, form, &before);
    let p = &state.platform;
    let asked = match action {
        OrderAction::Capture(a) => p.capture(order_id, a, &key).await,
        OrderAction::Cancel => p.cancel(order_id, &key).await,
        OrderAction::Refund(a) => p.refund(order_id, a, &key).await,
        OrderAction::Extend => p.extend(order_id, &key).await,
        OrderAction::Restore => p.restore(order_id, &key).await,
    };
    if let Err(e) = asked {
        return Ok(Err(failed(e)));
    }
    // The platform has acted: from here on the admin is told what it did, whatever
    // becomes of the local copy and the audit entry.
    let after = p.order(order_id).await.ok();
    if let Some(after) = &after
        && app_legacy::as_order(after) == before
    {
        // A replayed request is answered as the first was, and changes nothing.
        if let Err(e) = store::legacy_orders::upsert(&state.db.pool, admin.store.id, after).await {
            tracing::warn!(error = ?e, order = order_id, "could not refresh a legacy order's copy");
        }
        return Ok(Ok(unchanged));
    }
    let done = Done {
        order_id,
        kind,
        action,
        currency,
    };
    Ok(Ok(recorded(state, admin, ip, &done, after.as_ref()).await))
}

/// The key of a change to `order_id`: the same form sent again from the same state is
/// the same request, which the platform replays. The version is the one the page
/// showed, so a resubmitted form is a replay even after the first one changed the order.
fn idempotency_key(order_id: &str, kind: Kind, form: &ActionForm, before: &Order) -> String {
    let seen = match form.seen.trim() {
        s if !s.is_empty() && s.len() <= 100 => s.to_owned(),
        _ => before.version(),
    };
    let fingerprint = sha256_hex(format!("{seen}:{}", form.amount.trim()));
    format!(
        "switchyard:legacy:{order_id}:{}:{}",
        kind.as_str(),
        &fingerprint[..32]
    )
}

/// A change the platform made to a legacy order.
struct Done<'a> {
    order_id: &'a str,
    kind: Kind,
    action: OrderAction,
    currency: Currency,
}

/// Audits the change and says it to the admin: what was done, for how much, and until
/// when the order now runs (`after`, when the platform could say). The order's new copy
/// and its audit entry are stored together; should that fail, the change is still the
/// platform's fact, so the admin is told it, and the entry goes to the error log whole.
async fn recorded(
    state: &AppState,
    admin: &StoreAdmin,
    ip: &str,
    done: &Done<'_>,
    after: Option<&RemoteOrder>,
) -> Msg {
    let Done {
        order_id,
        kind,
        action,
        currency,
    } = *done;
    let minor = match action {
        OrderAction::Capture(a) | OrderAction::Refund(a) => Some(a),
        _ => None,
    };
    // The audit keeps the platform's form (one way to read it in every language); the
    // notice is read by the admin, in theirs.
    let amount = minor
        .map(|a| format!("{} {}", currency.format_amount(a), currency.code()))
        .unwrap_or_default();
    let shown = minor
        .map(|a| crate::i18n::format::money(crate::i18n::request_lang(), currency, a))
        .unwrap_or_default();
    let record = Record {
        actor: admin.user.email(),
        action: &format!("legacy_order.{}", kind.as_str()),
        store_id: Some(admin.store.id),
        args: &[("order", order_id), ("amount", &amount)],
        ip,
    };
    if let Err(e) = keep(state, admin.store.id, after, &record).await {
        metrics::counter!("switchyard_audit_lost_total").increment(1);
        tracing::error!(
            error = ?e,
            actor = record.actor,
            action = record.action,
            store_id = admin.store.id,
            order = order_id,
            amount,
            ip,
            "a legacy order changed on the platform, but its audit entry could not be stored"
        );
    }
    let expires = after
        .and_then(|a| parse_rfc3339(&a.expires_at))
        .map(format_time)
        .unwrap_or_default();
    Msg::new(format!("legacy.notice.{}", kind.as_str()))
        .arg("order", order_id)
        .arg("amount", shown)
        .arg("date", expires)
}

/// Store `store_id`'s copy of the order as the platform now has it, and the audit entry,
/// in one commit.
async fn keep(
    state: &AppState,
    store_id: i64,
    after: Option<&RemoteOrder>,
    record: &Record<'_>,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    if let Some(after) = after {
        store::legacy_orders::upsert(&mut *tx, store_id, after).await?;
    }
    store::audit::record(&mut *tx, record).await?;
    tx.commit().await?;
    Ok(())
}

/// A failed call to the platform, as a refusal.
fn failed(e: PlatformError) -> (StatusCode, Msg) {
    tracing::warn!(error = %e, "legacy order action failed");
    platform_problem(&e)
}
