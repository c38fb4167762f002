//! After detection: the admin cancels the test order with one click, through the
//! platform's order-management API. A captured order cannot be cancelled: the page then
//! says a refund is needed and offers it. Idempotency keys are derived from the order
//! (and the amount), so a retry after a timeout never cancels or refunds twice.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};

use super::{audit_in, step_url};
use crate::app::AppState;
use crate::{
    domain::{
        Refusal, Step, Upgrade,
        order::{OrderRefusal, OrderStatus, TestOrder},
    },
    i18n::Msg,
    platform::client::PlatformError,
    store,
    web::{
        access::StoreAdmin,
        error::{AppError, platform_problem},
        notice,
        session::{ClientIp, CsrfForm, NoFields},
    },
};

/// The store's upgrade and its test order, if the order's recorded status is `wanted`.
fn order_for(admin: &StoreAdmin, wanted: TestOrder) -> Result<(&Upgrade, String), AppError> {
    // Not started is no nearer complete than the first step.
    let upgrade = admin.upgrade.as_ref().ok_or(Refusal::NotComplete)?;
    let order_id = upgrade.test_order(wanted)?.to_owned();
    Ok((upgrade, order_id))
}

pub async fn cancel(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (upgrade, order_id) = order_for(&admin, TestOrder::Open)?;
    let key = format!("switchyard:cancel:{order_id}");
    let outcome = match state.platform.cancel(&order_id, &key).await {
        Ok(()) => confirm(&state, &order_id, OrderStatus::Cancelled).await,
        Err(e) => Err(e),
    };
    let status = match outcome {
        Ok(()) => TestOrder::Cancelled,
        Err(e) if e.code() == Some(OrderRefusal::Captured.code()) => TestOrder::Captured,
        Err(e) if e.code() == Some(OrderRefusal::Expired.code()) => TestOrder::Expired,
        Err(e) => return failed(&state, &admin, upgrade, &order_id, e).await,
    };
    let change = (TestOrder::Open, status);
    record(&state, &admin, upgrade.id, &order_id, change, &ip).await?;
    let said = match status {
        TestOrder::Captured => "test_order.captured.title",
        TestOrder::Expired => "test_order.expired",
        _ => "test_order.cancelled",
    };
    Ok(done(&state, &admin, said, &order_id))
}

pub async fn refund(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let (upgrade, order_id) = order_for(&admin, TestOrder::Captured)?;
    let outcome = async {
        let order = state.platform.order(&order_id).await?;
        let left = order.captured_amount - order.refunded_amount;
        if left > 0 {
            // What is left, as of the last refund: a retry of the same refund replays it.
            let key = format!("switchyard:refund:{order_id}:{}", order.refunded_amount);
            state.platform.refund(&order_id, left, &key).await?;
        }
        confirm(&state, &order_id, OrderStatus::Refunded).await
    }
    .await;
    if let Err(e) = outcome {
        return failed(&state, &admin, upgrade, &order_id, e).await;
    }
    let change = (TestOrder::Captured, TestOrder::Refunded);
    record(&state, &admin, upgrade.id, &order_id, change, &ip).await?;
    Ok(done(&state, &admin, "test_order.refunded", &order_id))
}

/// Back to the completion page, saying what the click did.
fn done(state: &AppState, admin: &StoreAdmin, key: &str, order_id: &str) -> Response {
    let to = step_url(admin.eid(), Step::Complete);
    notice::redirect(state, &to, &Msg::new(key).arg("order", order_id))
}

/// Reads the order back: the platform's word that it is now `expected`.
async fn confirm(
    state: &AppState,
    order_id: &str,
    expected: OrderStatus,
) -> Result<(), PlatformError> {
    let order = state.platform.order(order_id).await?;
    if order.status() == Some(expected) {
        Ok(())
    } else {
        Err(PlatformError::Garbage(format!(
            "the order reads {} after the change",
            order.status
        )))
    }
}

/// Records the new status once: a second click (or instance) that raced this one
/// changes nothing and audits nothing.
async fn record(
    state: &AppState,
    admin: &StoreAdmin,
    upgrade_id: i64,
    order_id: &str,
    (from, to): (TestOrder, TestOrder),
    ip: &str,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    if store::upgrades::move_test_order(&mut tx, upgrade_id, from, to).await? {
        audit_in(
            &mut tx,
            admin,
            &format!("test_order.{}", to.as_str()),
            &[("order", order_id)],
            ip,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The completion page again, saying what went wrong and that nothing changed.
async fn failed(
    state: &AppState,
    admin: &StoreAdmin,
    upgrade: &Upgrade,
    order_id: &str,
    e: PlatformError,
) -> Result<Response, AppError> {
    tracing::warn!(error = %e, order = order_id, "test order action failed");
    let (status, problem) = platform_problem(&e);
    let problem = problem.render(&admin.ctx().tr);
    let page = super::purchase::complete_page(state, admin, upgrade, Some(&problem)).await?;
    Ok((status, page).into_response())
}
