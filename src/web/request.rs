//! Each request's id and its measurements. The id is on every log line written while
//! serving it (the `request` span), in the `X-Request-Id` header, and on the error page,
//! so an operator finds a person's "error id" in the logs.

use std::time::Duration;

use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderValue, Method},
    middleware::Next,
    response::Response,
};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// A new request id (12 hex digits, as error ids have always been).
pub fn new_id() -> String {
    crate::domain::credentials::random_token(6)
}

/// The id of the request being served, if this runs inside one.
pub fn current_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Runs `fut` (one request) with `id` as its request id.
pub async fn with_id<F: Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// A span for one request; `event_id` is filled in by whoever learns it (event intake).
pub fn span(id: &str, req: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        event_id = tracing::field::Empty,
    )
}

/// Names the request's event in its span, so every later log line of the request has it.
pub fn record_event_id(event_id: &str) {
    tracing::Span::current().record("event_id", event_id);
}

pub fn set_header(res: &mut Response, id: &str) {
    if let Ok(value) = HeaderValue::from_str(id) {
        res.headers_mut().insert("x-request-id", value);
    }
}

/// Runs after routing (a route layer), where the matched route is known, and hands its
/// template to the edge on the response: metrics are per route, not per raw path, or
/// every store id would be a series of its own.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(route) = route {
        res.extensions_mut().insert(route);
    }
    res
}

/// Counts the answered request and how long its response head took.
pub fn record(method: &Method, res: &Response, took: Duration) {
    let route = res
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(method);
    metrics::histogram!(
        "switchyard_http_request_duration_seconds",
        "method" => method,
        "route" => route.clone(),
    )
    .record(took.as_secs_f64());
    metrics::counter!(
        "switchyard_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => res.status().as_str().to_owned(),
    )
    .increment(1);
}

/// A method as a metric label: the standard ones by name, anything else as `other`, so a
/// client inventing methods cannot add series without end.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::CONNECT), "other");
        let invented = Method::from_bytes(b"XYZZY").unwrap_or(Method::TRACE);
        assert_eq!(method_label(&invented), "other");
    }
}
