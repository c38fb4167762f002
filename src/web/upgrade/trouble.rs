//! When the test purchase fails: the safe rollback, and a support request with the
//! error code and screenshots. Support gets an email (through the outbox); the admin
//! sees each request's status here.

use axum::{
    extract::{Multipart, Query, State, multipart::Field},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::audit_in;
use crate::app::paths;
use crate::app::{AppState, capabilities::Parity, emails};
use crate::store::outbox::Lane;
use crate::{
    domain::{
        screenshot::{self, ImageKind, MAX_FILES},
        text::{self, Lines, TextProblem},
    },
    i18n::{Msg, Tr},
    store::{self, support::NewRequest},
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
const MAX_EXPLANATION: usize = 5000;
const MAX_ERROR_CODE: usize = 100;

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

/// The form as sent: text kept for showing it again, screenshots not yet checked.
#[derive(Default)]
struct Sent {
    csrf: String,
    draft: Draft,
    files: Vec<Vec<u8>>,
    /// The screenshots' file names as the browser sent them, to say what was sent.
    names: Vec<String>,
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
        sent.draft.problem = Some(problem);
        sent.draft.field = Some("screenshots");
        return render(&state, &admin, &sent.draft, status).await;
    }
    if let Err((field, problem)) = check_text(&sent.draft, &tr) {
        sent.draft.problem = Some(problem);
        sent.draft.field = Some(field);
        return render(
            &state,
            &admin,
            &sent.draft,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let screenshots = match check_files(std::mem::take(&mut sent.files), &tr) {
        Ok(s) => s,
        Err(problem) => {
            sent.draft.problem = Some(problem);
            sent.draft.field = Some("screenshots");
            return render(
                &state,
                &admin,
                &sent.draft,
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
    let error_code = Some(sent.draft.error_code.trim()).filter(|c| !c.is_empty());
    let mut tx = state.db.begin().await?;
    let id = store::support::insert(
        &mut tx,
        &NewRequest {
            store_id: admin.store.id,
            author_email: admin.user.email(),
            explanation: sent.draft.explanation.trim(),
            error_code,
            screenshots: &screenshots,
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
            explanation: sent.draft.explanation.trim(),
            screenshots: screenshots.len(),
        },
        &state.config.base_url,
    );
    store::outbox::enqueue(
        &mut tx,
        Lane::Transactional,
        &format!("support-request:{id}"),
        &email,
        Some(admin.store.id),
    )
    .await?;
    audit_in(
        &mut tx,
        &admin,
        "support_request.sent",
        &[("request", &id.to_string())],
        &ip,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    let to = format!("{}#request-{id}", paths::store(admin.eid()).trouble());
    Ok(notice::redirect(&state, &to, &sent_notice(id, &sent)))
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

/// Reads every part. The text fields come first in the form, so they are kept even when
/// a screenshot is refused; the rest of the body is still read (within the route's
/// limit) so the browser gets the answer instead of a reset connection.
async fn read(
    mut multipart: Multipart,
    sent: &mut Sent,
    tr: &Tr,
) -> Result<(), (StatusCode, String)> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        let problem = if status == StatusCode::PAYLOAD_TOO_LARGE {
            tr.t("trouble.error.too_large_total")
        } else {
            tr.t("trouble.error.unreadable")
        };
        (status, problem)
    };
    let mut refused = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" => sent.csrf = text(field, 200).await.map_err(unreadable)?,
            "explanation" => {
                sent.draft.explanation =
                    text(field, MAX_EXPLANATION * 4).await.map_err(unreadable)?
            }
            "error_code" => {
                sent.draft.error_code = text(field, MAX_ERROR_CODE * 4).await.map_err(unreadable)?
            }
            "screenshots" => {
                let n = sent.files.len() + 1;
                let name = field.file_name().unwrap_or_default().to_owned();
                let file = bytes(field, screenshot::MAX_BYTES)
                    .await
                    .map_err(unreadable)?;
                match file {
                    // A file input left empty still sends an empty part.
                    Some(b) if b.is_empty() => {}
                    _ if refused.is_some() => {}
                    None => {
                        let why = tr.t(screenshot::ScreenshotError::TooLarge.key());
                        refused = Some((
                            StatusCode::PAYLOAD_TOO_LARGE,
                            tr.f(
                                "trouble.error.screenshot",
                                &[("n", &n.to_string()), ("why", &why)],
                            ),
                        ));
                    }
                    Some(_) if n > MAX_FILES => {
                        refused = Some((
                            StatusCode::UNPROCESSABLE_ENTITY,
                            tr.f("trouble.error.too_many", &[("max", &MAX_FILES.to_string())]),
                        ));
                    }
                    Some(b) => {
                        sent.files.push(b);
                        sent.names.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    refused.map_or(Ok(()), Err)
}

/// A text field, cut off after `max` bytes (so an over-long one is shown again, cut,
/// with the reason, instead of lost).
async fn text(
    mut field: Field<'_>,
    max: usize,
) -> Result<String, axum::extract::multipart::MultipartError> {
    let mut raw = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        let room = max.saturating_sub(raw.len());
        raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

/// A field's bytes, or `None` if it has more than `max` (the rest is read and dropped).
async fn bytes(
    mut field: Field<'_>,
    max: usize,
) -> Result<Option<Vec<u8>>, axum::extract::multipart::MultipartError> {
    let mut out = Some(Vec::new());
    while let Some(chunk) = field.chunk().await? {
        if let Some(buf) = &mut out {
            if buf.len() + chunk.len() > max {
                out = None;
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
    }
    Ok(out)
}

/// The explanation and the error code, checked.
fn check_text(draft: &Draft, tr: &Tr) -> Result<(), (&'static str, String)> {
    // A line break belongs in the explanation; no other control character does.
    if draft
        .explanation
        .chars()
        .any(|c| text::refused(c, Lines::Many))
    {
        let field = tr.t("trouble.request.explanation");
        let problem = crate::web::text::message(&field, TextProblem::Control).render(tr);
        return Err(("explanation", problem));
    }
    let explanation = draft.explanation.trim().chars().count();
    if explanation < 10 {
        return Err(("explanation", tr.t("trouble.error.explanation_short")));
    }
    if explanation > MAX_EXPLANATION {
        return Err(("explanation", tr.t("trouble.error.explanation_long")));
    }
    let code = draft.error_code.trim();
    if code.chars().count() > MAX_ERROR_CODE || code.chars().any(char::is_control) {
        return Err(("error-code", tr.t("trouble.error.code")));
    }
    Ok(())
}

/// Every screenshot's type, told by its bytes.
fn check_files(files: Vec<Vec<u8>>, tr: &Tr) -> Result<Vec<(ImageKind, Vec<u8>)>, String> {
    files
        .into_iter()
        .enumerate()
        .map(|(i, b)| match screenshot::check(&b) {
            Ok(kind) => Ok((kind, b)),
            Err(e) => Err(tr.f(
                "trouble.error.screenshot",
                &[("n", &(i + 1).to_string()), ("why", &tr.t(e.key()))],
            )),
        })
        .collect()
}
