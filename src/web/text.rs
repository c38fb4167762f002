//! Outside text is checked here, once, before any handler reads it: the path, the query
//! string and every urlencoded form field. A control character (NUL above all, which
//! PostgreSQL refuses and SQLite stores) or an absurd length is answered 400 naming the
//! field: in the person's language on a page, as a JSON error on the machine APIs.
//! JSON bodies, multipart fields and files are checked by their parsers, which know
//! their fields (platform events, the credential check, the support form, imports).

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{api, error::AppError, guard};
use crate::{
    domain::text::{self, Lines, TextProblem},
    i18n::Msg,
};

/// Fields where tabs and line breaks belong: a textarea, and the setup checker's pasted
/// values, whose stray whitespace it points out.
const MANY_LINES: [&str; 4] = ["explanation", "username", "password", "note"];

/// No single field of any form or query is longer (each has its own, smaller limit).
pub const MAX_FIELD_CHARS: usize = 10_000;

/// axum's default body limit, which every urlencoded form is under.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The request, if its path, query and form fields are clean; the refusal otherwise.
pub async fn checked(req: Request) -> Result<Request, Response> {
    let api = guard::is_api(req.uri().path());
    if let Err(problem) = text::check(
        &percent_decoded(req.uri().path()),
        Lines::One,
        MAX_FIELD_CHARS,
    ) {
        return Err(refusal(api, "path", problem));
    }
    if let Some((field, problem)) = first_problem(req.uri().query().unwrap_or_default().as_bytes())
    {
        return Err(refusal(api, &field, problem));
    }
    if !read_as_form(api, req.headers().get(header::CONTENT_TYPE)) {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    if let Some((field, problem)) = first_problem(&bytes) {
        return Err(refusal(api, &field, problem));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Whether a body is checked as urlencoded fields. The pages' form extractors read any
/// body but a multipart one as a form, whatever its `Content-Type` says, so the check
/// must too; the machine APIs read JSON, checked by its parsers, and only a body that
/// says it is a form is a form there. Media types are case-insensitive.
fn read_as_form(api: bool, content_type: Option<&HeaderValue>) -> bool {
    let content_type = content_type
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start()
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        true
    } else {
        !api && !content_type.starts_with("multipart/")
    }
}

/// The first field of urlencoded `raw` whose name or value is not clean text.
fn first_problem(raw: &[u8]) -> Option<(String, TextProblem)> {
    url::form_urlencoded::parse(raw).find_map(|(name, value)| {
        let lines = if MANY_LINES.contains(&name.as_ref()) {
            Lines::Many
        } else {
            Lines::One
        };
        let problem = text::check(&name, Lines::One, 200)
            .and_then(|()| text::check(&value, lines, MAX_FIELD_CHARS))
            .err()?;
        Some((text::without_controls(&name), problem))
    })
}

/// A path as the router reads it: `%XX` escapes decoded (invalid UTF-8 replaced).
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refusal(api: bool, field: &str, problem: TextProblem) -> Response {
    tracing::info!(field, %problem, "request text refused");
    if api {
        return api::error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!("{field} {problem}"),
        );
    }
    AppError::BadRequest(message(field, problem)).into_response()
}

/// What is wrong with a field, as a message.
pub fn message(field: &str, problem: TextProblem) -> Msg {
    match problem {
        TextProblem::Control => Msg::new("input.control").arg("field", field),
        TextProblem::TooLong(max) => Msg::new("input.too_long")
            .arg("field", field)
            .arg("max", max.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_as_the_router_reads_them() {
        assert_eq!(percent_decoded("/stores/47%0011"), "/stores/47\u{0}11");
        assert_eq!(percent_decoded("/a%C3%A5%2"), "/aå%2");
    }

    #[test]
    fn the_first_bad_field_is_named_and_line_breaks_pass_only_where_they_belong() {
        assert_eq!(first_problem(b"q=caf%C3%A9&page=2"), None);
        assert_eq!(
            first_problem(b"q=ok&name=a%00b"),
            Some(("name".into(), TextProblem::Control))
        );
        assert_eq!(
            first_problem(b"name=two%0Alines"),
            Some(("name".into(), TextProblem::Control))
        );
        assert_eq!(
            first_problem(b"username=%20K1%0A&explanation=a%0D%0Ab"),
            None
        );
        let long = format!("q={}", "a".repeat(MAX_FIELD_CHARS + 1));
        assert_eq!(
            first_problem(long.as_bytes()),
            Some(("q".into(), TextProblem::TooLong(MAX_FIELD_CHARS)))
        );
    }
}
