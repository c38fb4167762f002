//! The JSON body of a platform event, parsed into a [`PlatformEvent`] or refused naming
//! the field and what is wrong with it.

use serde_json::{Map, Value};

use super::{Call, EventKind, PlatformEvent, Subject};
use crate::domain::{Environment, LegacyStoreId, MerchantId, traffic::Service};

/// A body that is not a valid event: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: &'static str,
}

fn bad(field: &'static str, reason: &'static str) -> FieldError {
    FieldError { field, reason }
}

const MAX_TEXT: usize = 200;

fn text<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
    key: &str,
) -> Result<Option<&'a str>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Err(bad(field, "must not be empty")),
        // Refused here, the same on every database, rather than stored on one and a
        // poison message on the other (PostgreSQL refuses NUL in text).
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            Err(bad(field, "must not contain control characters"))
        }
        // Characters, as the messages (and the OpenAPI `maxLength`) say, not bytes.
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT && key != "user_agent" => {
            Err(bad(field, "is longer than 200 characters"))
        }
        Some(Value::String(s)) if s.chars().count() > 1000 => {
            Err(bad(field, "is longer than 1000 characters"))
        }
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(field, "must be a string")),
    }
}

/// A JSON number that is a whole number: `1000`, or `1000.0`, which JSON Schema (and so
/// the OpenAPI document's `integer`) counts as an integer too. A fraction, or a float too
/// large to hold every whole number exactly (beyond 2^53), is none.
fn whole_number(v: &Value) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= EXACT)
            .map(|f| f as i64)
    })
}

/// Parses and checks an event body. The fields are checked in a fixed order, so a body
/// with several faults is always refused for the same one.
pub fn parse(body: &[u8]) -> Result<PlatformEvent, FieldError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| bad("body", "is not valid JSON"))?;
    let top = value
        .as_object()
        .ok_or_else(|| bad("body", "must be a JSON object"))?;
    let id = text(top, "id", "id")?.ok_or_else(|| bad("id", "is required"))?;
    if !id.starts_with("evt_") {
        return Err(bad("id", "must start with evt_"));
    }
    let kind = kind(top)?;
    let created_at = created_at(top)?;
    let data = match top.get("data") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err(bad("data", "must be an object")),
        None => return Err(bad("data", "is required")),
    };
    let subject = subject(data)?;
    let is_order = matches!(kind, EventKind::OrderCreated | EventKind::OrderCancelled);
    let environment = environment(data, is_order, &subject)?;
    let order_id = text(data, "data.order_id", "order_id")?;
    if is_order && order_id.is_none() {
        return Err(bad("data.order_id", "is required"));
    }
    let amount = amount(data, is_order)?;
    let currency = currency(data, is_order)?;
    let error_code = text(data, "data.error_code", "error_code")?;
    if kind == EventKind::ApiError && error_code.is_none() {
        return Err(bad("data.error_code", "is required for api.error"));
    }
    let call = match kind {
        EventKind::ApiCall => Some(call(data)?),
        _ => None,
    };
    let country = country(data, is_order)?;
    Ok(PlatformEvent {
        id: id.to_owned(),
        kind,
        created_at,
        subject,
        order_id: order_id.unwrap_or_default().to_owned(),
        environment,
        amount,
        currency,
        user_agent: text(data, "data.user_agent", "user_agent")?.map(str::to_owned),
        error_code: error_code.map(str::to_owned),
        correlation_id: text(data, "data.correlation_id", "correlation_id")?.map(str::to_owned),
        call,
        country,
    })
}

fn kind(top: &Map<String, Value>) -> Result<EventKind, FieldError> {
    match text(top, "type", "type")? {
        Some("order.created") => Ok(EventKind::OrderCreated),
        Some("order.cancelled") => Ok(EventKind::OrderCancelled),
        Some("api.error") => Ok(EventKind::ApiError),
        Some("api.call") => Ok(EventKind::ApiCall),
        Some(_) => Err(bad(
            "type",
            "must be order.created, order.cancelled, api.error or api.call",
        )),
        None => Err(bad("type", "is required")),
    }
}

/// When the platform says the event happened, in Unix seconds.
fn created_at(top: &Map<String, Value>) -> Result<i64, FieldError> {
    let created_at =
        text(top, "created_at", "created_at")?.ok_or_else(|| bad("created_at", "is required"))?;
    let at =
        time::OffsetDateTime::parse(created_at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                bad(
                    "created_at",
                    "must be an RFC 3339 time such as 2026-11-23T10:00:00Z",
                )
            })?;
    Ok(at.unix_timestamp())
}

/// Whose event: a current merchant ID or a legacy store ID, exactly one of them.
fn subject(data: &Map<String, Value>) -> Result<Subject, FieldError> {
    match (
        text(data, "data.merchant_id", "merchant_id")?,
        text(data, "data.legacy_store_id", "legacy_store_id")?,
    ) {
        (Some(mid), None) => Ok(Subject::Merchant(MerchantId::parse(mid).map_err(|_| {
            bad(
                "data.merchant_id",
                "must be K and 6 digits (live) or PK and 5 digits (test)",
            )
        })?)),
        (None, Some(eid)) => Ok(Subject::Legacy(
            LegacyStoreId::parse(eid)
                .map_err(|_| bad("data.legacy_store_id", "must be digits only"))?,
        )),
        (Some(_), Some(_)) => Err(bad(
            "data.merchant_id",
            "give either merchant_id or legacy_store_id, not both",
        )),
        (None, None) => Err(bad(
            "data.merchant_id",
            "merchant_id or legacy_store_id is required",
        )),
    }
}

/// Live or test: required of orders; otherwise the merchant ID's, and live for a legacy
/// store. It must agree with the merchant ID.
fn environment(
    data: &Map<String, Value>,
    is_order: bool,
    subject: &Subject,
) -> Result<Environment, FieldError> {
    let environment = match text(data, "data.environment", "environment")? {
        Some("live") => Environment::Live,
        Some("test") => Environment::Test,
        Some(_) => return Err(bad("data.environment", "must be live or test")),
        None if is_order => return Err(bad("data.environment", "is required")),
        None => match subject {
            Subject::Merchant(mid) => mid.environment(),
            Subject::Legacy(_) => Environment::Live,
        },
    };
    if let Subject::Merchant(mid) = subject
        && mid.environment() != environment
    {
        return Err(bad(
            "data.environment",
            "does not match the merchant ID (PK… is test, K… is live)",
        ));
    }
    Ok(environment)
}

/// In minor units: required of orders, 0 for other events that give none.
fn amount(data: &Map<String, Value>, is_order: bool) -> Result<i64, FieldError> {
    match data.get("amount") {
        None | Some(Value::Null) if !is_order => Ok(0),
        None | Some(Value::Null) => Err(bad("data.amount", "is required")),
        Some(v) => whole_number(v).filter(|a| *a >= 0).ok_or_else(|| {
            bad(
                "data.amount",
                "must be a whole number of minor units, 0 or more",
            )
        }),
    }
}

/// An ISO 4217 code: required of orders, empty for other events that give none.
fn currency(data: &Map<String, Value>, is_order: bool) -> Result<String, FieldError> {
    match text(data, "data.currency", "currency")? {
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => Ok(c.to_owned()),
        Some(_) => Err(bad(
            "data.currency",
            "must be a three-letter ISO code such as SEK",
        )),
        None if is_order => Err(bad("data.currency", "is required")),
        None => Ok(String::new()),
    }
}

/// The buyer's country, an assigned ISO 3166-1 code, and only on orders.
fn country(data: &Map<String, Value>, is_order: bool) -> Result<Option<String>, FieldError> {
    match text(data, "data.country", "country")? {
        Some(c) if is_order && crate::domain::countries::is_assigned(c) => Ok(Some(c.to_owned())),
        Some(_) if is_order => Err(bad(
            "data.country",
            "must be an ISO 3166-1 two-letter code such as SE",
        )),
        Some(_) => Err(bad("data.country", "is only for orders")),
        None => Ok(None),
    }
}

/// The service, endpoint and status of an `api.call`.
fn call(data: &Map<String, Value>) -> Result<Call, FieldError> {
    let service = text(data, "data.service", "service")?
        .ok_or_else(|| bad("data.service", "is required for api.call"))?;
    let service = Service::parse(service).ok_or_else(|| {
        bad(
            "data.service",
            "must be checkout, order_management or settlement",
        )
    })?;
    let endpoint = text(data, "data.endpoint", "endpoint")?
        .ok_or_else(|| bad("data.endpoint", "is required for api.call"))?;
    if !endpoint.starts_with('/') {
        return Err(bad("data.endpoint", "must be a path starting with /"));
    }
    let status = match data.get("status") {
        None | Some(Value::Null) => return Err(bad("data.status", "is required for api.call")),
        Some(v) => whole_number(v)
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| bad("data.status", "must be an HTTP status from 100 to 599"))?,
    };
    Ok(Call {
        service,
        endpoint: endpoint.to_owned(),
        status: status as u16,
    })
}
