//! Request-level protections: browsers may only change state from our own pages
//! (Origin / Sec-Fetch-Site, on top of the session-bound CSRF token), and pages are
//! never cached.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{AppState, error::AppError};

/// Machine-to-machine APIs authenticate each request themselves (Basic auth,
/// signatures, tokens) and are not called from browsers' forms.
const API_PREFIXES: [&str; 3] = ["/sandbox/", "/platform/", "/api/"];

pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let api = API_PREFIXES.iter().any(|p| req.uri().path().starts_with(p));
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

pub async fn no_store_for_pages(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    res
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
