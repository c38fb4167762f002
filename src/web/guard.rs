//! Request-level protections: browsers may only change state from our own pages
//! (Origin / Sec-Fetch-Site, on top of the session-bound CSRF token), every response
//! carries the browser's protections, and pages are never cached.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::error::AppError;
use crate::app::AppState;

/// Machine-to-machine APIs authenticate each request themselves (Basic auth,
/// signatures, tokens) and are not called from browsers' forms.
const API_PREFIXES: [&str; 3] = ["/sandbox/", "/platform/", "/api/"];

/// Whether `path` is one of the machine-to-machine APIs (answered in JSON).
pub fn is_api(path: &str) -> bool {
    API_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// Refuses a browser's state-changing request from another site; passes the rest on.
pub async fn same_origin(state: &AppState, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let api = is_api(req.uri().path());
    if !safe && !api && !is_same_origin(req.headers(), &state.config.base_url) {
        tracing::warn!(path = %req.uri().path(), "cross-origin form post refused");
        return AppError::FormExpired.into_response();
    }
    next.run(req).await
}

/// A browser tells where a request comes from; anything but our own pages is refused.
/// Clients that send neither header (curl, tests) still need the CSRF token.
pub fn is_same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match text("origin") {
        None => true,
        Some(origin) => {
            let host = text("host").unwrap_or_default();
            origin == base_url
                || origin
                    .split_once("://")
                    .is_some_and(|(_, authority)| !host.is_empty() && authority == host)
        }
    }
}

/// What every response tells the browser, replacing anything a handler set.
const PROTECTIONS: [(HeaderName, HeaderValue); 8] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    // Ignored by current browsers (the CSP does the work); set because scanners and
    // older browsers look for it.
    (
        HeaderName::from_static("x-xss-protection"),
        HeaderValue::from_static("1; mode=block"),
    ),
    // Browsers ignore HSTS over plain http, so sending it always is harmless and
    // protects every https deployment, whatever its base URL says.
    (
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    ),
];

/// The browser's protections on every response, and no caching of pages.
pub fn protect(headers: &mut HeaderMap) {
    headers.reserve(PROTECTIONS.len() + 1);
    for (name, value) in PROTECTIONS {
        headers.insert(name, value);
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const BASE: &str = "http://127.0.0.1:8080";

    #[test]
    fn own_pages_and_plain_clients_pass() {
        assert!(is_same_origin(&headers(&[]), BASE));
        assert!(is_same_origin(
            &headers(&[("origin", "http://127.0.0.1:8080")]),
            BASE
        ));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "http://localhost:8080"),
                ("host", "localhost:8080")
            ]),
            BASE
        ));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            BASE
        ));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(!is_same_origin(
            &headers(&[("origin", "https://evil.example")]),
            BASE
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080")
            ]),
            BASE
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            BASE
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            BASE
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), BASE));
    }
}
