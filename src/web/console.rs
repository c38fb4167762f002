//! The support console: stalled upgrades, a store's whole timeline, and the actions
//! support takes to unstick one. Every action needs a reason and is audited with it.
//! Changing the registered admin waits for the new address to confirm by a link.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{
    access::{StoreReader, StoreSupport, Support},
    error::AppError,
    notice,
    pages::{self, layout::Ctx},
    routes::Routes,
    session::{ClientIp, CsrfForm},
    visitor::{Browser, OpenForm},
};
use crate::app::paths;
use crate::{
    app::{AppState, export, partner::ListQuery, support},
    domain::EmailAddress,
    i18n::{Msg, Tr},
    store,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/support/stalled", stalled)
        .get("/support/stalled.csv", stalled_csv)
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
    /// `1` for the CSV export to start with a UTF-8 byte order mark.
    #[serde(default)]
    bom: String,
    /// The dashboard's filters, sort and page.
    #[serde(flatten)]
    list: ListQuery,
}

impl StalledQuery {
    /// Days without a step moving (the configured stall days unless given).
    fn days(&self, state: &AppState) -> i64 {
        self.days
            .parse::<i64>()
            .unwrap_or(state.config.stall_days)
            .clamp(1, 365)
    }
}

async fn stalled(
    State(state): State<AppState>,
    Support(user): Support,
    Query(q): Query<StalledQuery>,
) -> Result<Response, AppError> {
    let days = q.days(&state);
    let found = support::stalled(&state, days, &q.list).await?;
    Ok(pages::render(pages::console::stalled(
        &user.ctx(),
        &state.catalog,
        days,
        &q.list,
        &found,
    ))
    .into_response())
}

/// Every stalled upgrade under the filter, as CSV, in the list's order.
async fn stalled_csv(
    State(state): State<AppState>,
    Support(_): Support,
    Query(q): Query<StalledQuery>,
) -> Response {
    let rows = export::stalled(&state, q.days(&state), &q.list);
    super::partner::csv_download(&state, rows, "switchyard-stalled.csv", q.bom == "1")
}

async fn timeline(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
) -> Result<Response, AppError> {
    page(&state, &reader, None, StatusCode::OK).await
}

/// The timeline with the action forms and the casework, and `problem` when an action
/// was refused.
pub(super) async fn page(
    state: &AppState,
    reader: &StoreReader,
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
        casework: store::casework::get(pool, id).await?,
        notes: store::casework::notes(pool, id).await?,
        agents: crate::app::casework::agents(state).await?,
        traffic: store::traffic::of_store(&state.db.pool, id, store::now()).await?,
        rehearsals: store::rehearsals::of_store(pool, id).await?,
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

/// Support's action on `reader`'s store, from `ip`, for `reason`.
pub(super) fn act<'a>(reader: &'a StoreReader, ip: &'a str, reason: &'a str) -> support::Act<'a> {
    support::Act {
        actor: reader.user.email(),
        store: &reader.store,
        ip,
        reason,
    }
}

/// The timeline again, saying why the action was not taken.
async fn refused(
    state: &AppState,
    reader: &StoreReader,
    refusal: support::Refusal,
    status: StatusCode,
) -> Result<Response, AppError> {
    let msg = reader.ctx().tr.t(refusal.key());
    page(state, reader, Some(msg), status).await
}

/// Back to the timeline, saying what was done (`what` names it in the catalogue too).
fn done(state: &AppState, reader: &StoreReader, what: &str) -> Response {
    let to = paths::store(reader.eid()).timeline();
    notice::redirect(state, &to, &Msg::new(format!("console.notice.{what}")))
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
    support::resend_link(&state, &act(&reader, &ip, &why)).await?;
    Ok(done(&state, &reader, "link"))
}

async fn remind(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let step = reader.upgrade.as_ref().map(|u| u.step);
    support::remind(&state, &act(&reader, &ip, &why), step).await?;
    Ok(done(&state, &reader, "remind"))
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
            let msg = tr.t(e.key());
            return page(&state, &reader, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match support::request_admin_change(&state, &act(&reader, &ip, &why), &new).await? {
        Ok(()) => Ok(done(&state, &reader, "admin")),
        Err(refusal) => refused(&state, &reader, refusal, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn revoke_credentials(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let upgrade = reader.upgrade.as_ref().map(|u| u.id);
    let live = support::revoke_credentials(&state, &act(&reader, &ip, &why), upgrade).await?;
    // Only credentials still in use are news to the administrator: say whether any were.
    Ok(done(
        &state,
        &reader,
        if live > 0 { "revoke" } else { "nothing.revoke" },
    ))
}

/// The test purchase, confirmed by hand (the platform's event never came).
async fn verify_purchase(
    State(state): State<AppState>,
    StoreSupport(reader): StoreSupport,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let why = reason_or_refuse!(state, reader, form);
    let reference = form.reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        let msg = reader.ctx().tr.t("console.error.reference");
        return page(&state, &reader, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let upgrade = reader.upgrade.as_ref().map(|u| u.id);
    match support::verify_purchase(&state, &act(&reader, &ip, &why), upgrade, reference).await? {
        Ok(()) => Ok(done(&state, &reader, "verified")),
        Err(refusal) => refused(&state, &reader, refusal, StatusCode::CONFLICT).await,
    }
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
    let (csrf, jar) = browser.form_token(&state, jar);
    let ctx = Ctx {
        csrf: Some(csrf),
        ..Ctx::default()
    };
    let Some((store, new_email)) = support::pending_admin_change(&state, &q.token).await? else {
        return Ok((
            StatusCode::GONE,
            jar,
            pages::render(pages::console::admin_change_invalid(&ctx)),
        )
            .into_response());
    };
    let view = pages::console::admin_change(&ctx, &store, &new_email, &q.token);
    Ok((jar, pages::render(view)).into_response())
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
    match support::confirm_admin_change(&state, &form.token, &ip).await? {
        Some(old) => {
            Ok(pages::render(pages::console::admin_changed(&ctx, &old.name)).into_response())
        }
        None => Ok((
            StatusCode::GONE,
            pages::render(pages::console::admin_change_invalid(&ctx)),
        )
            .into_response()),
    }
}
