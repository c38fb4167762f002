//! When the test purchase fails: the safe rollback, and a support request with the
//! error code and screenshots. Support gets an email (through the outbox); the admin
//! sees each request's status here.

mod form;

use axum::{
    extract::{Multipart, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use form::{Sent, check_files, check_text, read};

use super::audit_in;
use crate::{
    app::{AppState, capabilities::Parity, emails, paths},
    domain::{
        screenshot::{self, ImageKind, MAX_FILES},
        text,
    },
    i18n::Msg,
    store::{self, outbox::Lane, support::NewRequest},
    web::{
        access::{StoreReader, StoreWorker},
        error::AppError,
        notice,
        pages::{self, steps::trouble::Draft},
        session::{ClientIp, csrf_matches},
    },
};

/// The largest request body: every screenshot at its limit, and the text fields.
pub const BODY_LIMIT: usize = MAX_FILES * screenshot::MAX_BYTES + 64 * 1024;

/// What the page's address may ask to have written in the request.
#[derive(serde::Deserialize)]
pub struct TroubleQuery {
    /// `capabilities`: ask for what the new ID lacks of the legacy store's.
    #[serde(default)]
    about: String,
}

pub async fn show(
    State(state): State<AppState>,
    reader: StoreReader,
    Query(query): Query<TroubleQuery>,
) -> Result<Response, AppError> {
    let prefill = store::events::latest_error_code(&state.db.pool, reader.store.id)
        .await?
        .unwrap_or_default();
    let mut draft = Draft {
        error_code: prefill,
        ..Draft::default()
    };
    if query.about == "capabilities" {
        let mid = reader
            .upgrade
            .as_ref()
            .and_then(|u| u.merchant_id.as_deref());
        if let (Some(mid), Parity::Missing(gaps)) = (
            mid,
            crate::app::capabilities::parity(&state, &reader.store, mid).await,
        ) {
            draft.explanation =
                crate::app::capabilities::request_text(&reader.ctx().tr, mid, &gaps);
            draft.error_code = String::new();
        }
    }
    render(&state, &reader, &draft, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    reader: &StoreReader,
    draft: &Draft,
    status: StatusCode,
) -> Result<Response, AppError> {
    let requests = store::support::for_store(&state.db.pool, reader.store.id).await?;
    let page = pages::steps::trouble::page(&state.catalog, reader, &requests, draft);
    Ok((status, pages::render(page)).into_response())
}

pub async fn send(
    State(state): State<AppState>,
    admin: StoreWorker,
    ClientIp(ip): ClientIp,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let tr = admin.ctx().tr;
    let mut sent = Sent::default();
    let read = read(multipart, &mut sent, &tr).await;
    if !csrf_matches(&admin.user.session, &sent.csrf) {
        return Err(AppError::FormExpired);
    }
    if let Err((status, problem)) = read {
        return again(&state, &admin, sent, ("screenshots", problem), status).await;
    }
    if let Err(problem) = check_text(&sent.draft, &tr) {
        return again(
            &state,
            &admin,
            sent,
            problem,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let screenshots = match check_files(std::mem::take(&mut sent.files), &tr) {
        Ok(s) => s,
        Err(problem) => {
            let problem = ("screenshots", problem);
            return again(
                &state,
                &admin,
                sent,
                problem,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // Each request lands in support's queue and inbox: a few per store per day is plenty.
    let bucket = format!("support-request:{}", admin.store.id);
    if let Some(retry_at) = store::rate_limit::hit(
        &state.db,
        &bucket,
        state.config.rate_limits.support_requests_per_store,
    )
    .await?
    {
        sent.draft.problem = Some(tr.f(
            "trouble.error.rate_limited",
            &[("time", &pages::format_time(retry_at))],
        ));
        return render(&state, &admin, &sent.draft, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let id = file(&state, &admin, &ip, &sent.draft, &screenshots).await?;
    let to = format!("{}#request-{id}", paths::store(admin.eid()).trouble());
    Ok(notice::redirect(&state, &to, &sent_notice(id, &sent)))
}

/// The form again, with what was sent and the problem with `field`.
async fn again(
    state: &AppState,
    admin: &StoreReader,
    mut sent: Sent,
    (field, problem): (&'static str, String),
    status: StatusCode,
) -> Result<Response, AppError> {
    sent.draft.problem = Some(problem);
    sent.draft.field = Some(field);
    render(state, admin, &sent.draft, status).await
}

/// Files the request in one transaction: stored, support's email queued, audited. Its id.
async fn file(
    state: &AppState,
    admin: &StoreReader,
    ip: &str,
    draft: &Draft,
    screenshots: &[(ImageKind, Vec<u8>)],
) -> Result<i64, AppError> {
    let error_code = Some(draft.error_code.trim()).filter(|c| !c.is_empty());
    let mut tx = state.db.begin().await?;
    let id = store::support::insert(
        &mut tx,
        &NewRequest {
            store_id: admin.store.id,
            author_email: admin.user.email(),
            explanation: draft.explanation.trim(),
            error_code,
            screenshots,
        },
    )
    .await?;
    let to = &state.config.support_email;
    let email = emails::support_request(
        emails::lang_of(&mut *tx, to, None).await?,
        to,
        &emails::SupportRequest {
            id,
            store: &admin.store,
            from: admin.user.email(),
            code: error_code,
            explanation: draft.explanation.trim(),
            screenshots: screenshots.len(),
        },
        &state.config.base_url,
    );
    let key = format!("support-request:{id}");
    store::outbox::enqueue(
        &mut tx,
        Lane::Transactional,
        &key,
        &email,
        Some(admin.store.id),
    )
    .await?;
    let request = id.to_string();
    audit_in(
        &mut tx,
        admin,
        "support_request.sent",
        &[("request", &request)],
        ip,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(id)
}

/// What the request said, to confirm it: its text (the start of it), code and files.
fn sent_notice(id: i64, sent: &Sent) -> Msg {
    let excerpt = text::excerpt(sent.draft.explanation.trim(), 200);
    let none = || Msg::new("trouble.notice.none");
    let code = sent.draft.error_code.trim();
    let code = match code {
        "" => none(),
        c => Msg::new("trouble.notice.text").arg("text", c),
    };
    let names: Vec<&str> = sent
        .names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let files = match (names.is_empty(), sent.names.len()) {
        (_, 0) => none(),
        (true, n) => Msg::new("trouble.notice.files").arg("n", n.to_string()),
        (false, _) => Msg::new("trouble.notice.text").arg("text", names.join(", ")),
    };
    Msg::new("trouble.notice.sent")
        .arg("id", id.to_string())
        .arg("text", excerpt)
        .arg_msg("code", code)
        .arg_msg("files", files)
}
