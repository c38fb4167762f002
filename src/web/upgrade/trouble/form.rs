//! The support request's form as it arrives: multipart text and screenshots, read within
//! their limits and checked, so what was typed is kept even when a file is refused.

use axum::{
    extract::{Multipart, multipart::Field},
    http::StatusCode,
};

use crate::{
    domain::{
        screenshot::{self, ImageKind, MAX_FILES},
        text::{self, Lines, TextProblem},
    },
    i18n::Tr,
    web::pages::steps::trouble::Draft,
};

const MAX_EXPLANATION: usize = 5000;
const MAX_ERROR_CODE: usize = 100;

/// The form as sent: text kept for showing it again, screenshots not yet checked.
#[derive(Default)]
pub(super) struct Sent {
    pub(super) csrf: String,
    pub(super) draft: Draft,
    pub(super) files: Vec<Vec<u8>>,
    /// The screenshots' file names as the browser sent them, to say what was sent.
    pub(super) names: Vec<String>,
}

/// Reads every part. The text fields come first in the form, so they are kept even when
/// a screenshot is refused; the rest of the body is still read (within the route's
/// limit) so the browser gets the answer instead of a reset connection.
pub(super) async fn read(
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
pub(super) fn check_text(draft: &Draft, tr: &Tr) -> Result<(), (&'static str, String)> {
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
pub(super) fn check_files(
    files: Vec<Vec<u8>>,
    tr: &Tr,
) -> Result<Vec<(ImageKind, Vec<u8>)>, String> {
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
