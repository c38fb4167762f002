//! After detection: the admin cancels the test order with one click, through the
//! platform's order-management API. A captured order cannot be cancelled: the page then
//! says a refund is needed and offers it. Idempotency keys are derived from the order
//! (and the amount), so a retry after a timeout never cancels or refunds twice.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};

use super::{audit_in, step_url};
use crate::app::AppState;
use crate::{
    domain::{
        Step,
        order::{OrderRefusal, OrderStatus, TestOrder},
    },
    platform::client::PlatformError,
    store,
    web::{
        access::StoreAdmin,
        error::{AppError, platform_problem},
        session::{ClientIp, CsrfForm, NoFields},
    },
};

/// The test order, if its recorded status is `wanted`.
fn order_for(admin: &StoreAdmin, wanted: TestOrder) -> Result<String, AppError> {
    if admin.upgrade.step() != Step::Complete {
        return Err(AppError::conflict("test_order.error.not_complete"));
    }
    let status = admin
        .upgrade
        .test_order_status
        .as_deref()
        .and_then(TestOrder::parse);
    match (&admin.upgrade.test_order_id, status) {
        (Some(id), Some(status)) if status == wanted => Ok(id.clone()),
        _ => Err(AppError::conflict("test_order.error.nothing_to_do")),
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let order_id = order_for(&admin, TestOrder::Open)?;
    let key = format!("switchyard:cancel:{order_id}");
    let outcome = match state.platform.cancel(&order_id, &key).await {
        Ok(()) => confirm(&state, &order_id, OrderStatus::Cancelled).await,
        Err(e) => Err(e),
    };
    let status = match outcome {
        Ok(()) => TestOrder::Cancelled,
        Err(e) if e.code() == Some(OrderRefusal::Captured.code()) => TestOrder::Captured,
        Err(e) if e.code() == Some(OrderRefusal::Expired.code()) => TestOrder::Expired,
        Err(e) => return failed(&state, admin, &order_id, e).await,
    };
    record(&state, &admin, &order_id, TestOrder::Open, status, &ip).await?;
    Ok(Redirect::to(&step_url(admin.eid(), Step::Complete)).into_response())
}

pub async fn refund(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    _form: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let order_id = order_for(&admin, TestOrder::Captured)?;
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
        return failed(&state, admin, &order_id, e).await;
    }
    record(
        &state,
        &admin,
        &order_id,
        TestOrder::Captured,
        TestOrder::Refunded,
        &ip,
    )
    .await?;
    Ok(Redirect::to(&step_url(admin.eid(), Step::Complete)).into_response())
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
    order_id: &str,
    from: TestOrder,
    to: TestOrder,
    ip: &str,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    if store::upgrades::move_test_order(&mut tx, admin.upgrade.id, from, to).await? {
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
    admin: StoreAdmin,
    order_id: &str,
    e: PlatformError,
) -> Result<Response, AppError> {
    tracing::warn!(error = %e, order = order_id, "test order action failed");
    let (status, problem) = platform_problem(&e);
    let problem = problem.render(&admin.ctx().tr);
    let page = super::purchase::complete_page(state, &admin.0, Some(&problem)).await?;
    Ok((status, page).into_response())
}
