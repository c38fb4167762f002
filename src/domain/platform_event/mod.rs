//! Platform events as they arrive: the signature header and the JSON body. Pure, so the
//! parsers can be fuzzed; every refusal names what is wrong.

use serde_json::{Map, Value};

use super::{Environment, LegacyStoreId, MerchantId, traffic::Service};

mod signature;
pub mod wire;

pub use signature::{SIGNATURE_HEADER, SignatureError, TOLERANCE_SECONDS, sign, verify_signature};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    OrderCreated,
    OrderCancelled,
    ApiError,
    /// A call to the platform's API, successful or not, naming its service.
    ApiCall,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCreated => "order.created",
            Self::OrderCancelled => "order.cancelled",
            Self::ApiError => "api.error",
            Self::ApiCall => "api.call",
        }
    }
}

/// Whose event it is: a new MID or a legacy store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Merchant(MerchantId),
    Legacy(LegacyStoreId),
}

/// A checked platform event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformEvent {
    pub id: String,
    pub kind: EventKind,
    /// Unix seconds.
    pub created_at: i64,
    pub subject: Subject,
    /// Empty for an `api.error` without an order.
    pub order_id: String,
    pub environment: Environment,
    /// Minor units; 0 when not given (errors).
    pub amount: i64,
    pub currency: String,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub correlation_id: Option<String>,
    /// What an `api.call` called; `None` for every other kind.
    pub call: Option<Call>,
    /// The country an order was placed from (ISO 3166-1 alpha-2), when the platform said.
    pub country: Option<String>,
}

/// An API call as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub service: Service,
    /// The path called, such as `/ordermanagement/v1/orders/o1/captures`.
    pub endpoint: String,
    /// The HTTP status the platform answered.
    pub status: u16,
}

impl PlatformEvent {
    /// A SHA-256 over everything the event says, each field length-prefixed so no two
    /// events share one: what tells a replay (the same event again) from a different body
    /// sent under a known id.
    pub fn fingerprint(&self) -> String {
        let (subject_kind, subject) = match &self.subject {
            Subject::Merchant(mid) => ("merchant", mid.as_str()),
            Subject::Legacy(eid) => ("legacy", eid.as_str()),
        };
        let created_at = self.created_at.to_string();
        let amount = self.amount.to_string();
        let fields = [
            Some(self.id.as_str()),
            Some(self.kind.as_str()),
            Some(created_at.as_str()),
            Some(subject_kind),
            Some(subject),
            Some(self.order_id.as_str()),
            Some(self.environment.as_str()),
            Some(amount.as_str()),
            Some(self.currency.as_str()),
            self.user_agent.as_deref(),
            self.error_code.as_deref(),
            self.correlation_id.as_deref(),
        ];
        let mut canonical = String::new();
        let mut push = |field: Option<&str>| match field {
            Some(v) => canonical.push_str(&format!("{}:{v};", v.len())),
            None => canonical.push_str("-;"),
        };
        for field in fields {
            push(field);
        }
        // Only a call has these, so every other event keeps the fingerprint it was
        // recorded with.
        if let Some(call) = &self.call {
            push(Some(call.service.as_str()));
            push(Some(&call.endpoint));
            push(Some(&call.status.to_string()));
        }
        // Likewise only an order that names its country.
        if let Some(country) = &self.country {
            push(Some(country));
        }
        super::sha256_hex(canonical)
    }
}

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

/// Parses and checks an event body.
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
    let kind = match text(top, "type", "type")? {
        Some("order.created") => EventKind::OrderCreated,
        Some("order.cancelled") => EventKind::OrderCancelled,
        Some("api.error") => EventKind::ApiError,
        Some("api.call") => EventKind::ApiCall,
        Some(_) => {
            return Err(bad(
                "type",
                "must be order.created, order.cancelled, api.error or api.call",
            ));
        }
        None => return Err(bad("type", "is required")),
    };
    let created_at =
        text(top, "created_at", "created_at")?.ok_or_else(|| bad("created_at", "is required"))?;
    let created_at =
        time::OffsetDateTime::parse(created_at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                bad(
                    "created_at",
                    "must be an RFC 3339 time such as 2026-11-23T10:00:00Z",
                )
            })?
            .unix_timestamp();
    let data = match top.get("data") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err(bad("data", "must be an object")),
        None => return Err(bad("data", "is required")),
    };
    let subject = match (
        text(data, "data.merchant_id", "merchant_id")?,
        text(data, "data.legacy_store_id", "legacy_store_id")?,
    ) {
        (Some(mid), None) => Subject::Merchant(MerchantId::parse(mid).map_err(|_| {
            bad(
                "data.merchant_id",
                "must be K and 6 digits (live) or PK and 5 digits (test)",
            )
        })?),
        (None, Some(eid)) => Subject::Legacy(
            LegacyStoreId::parse(eid)
                .map_err(|_| bad("data.legacy_store_id", "must be digits only"))?,
        ),
        (Some(_), Some(_)) => {
            return Err(bad(
                "data.merchant_id",
                "give either merchant_id or legacy_store_id, not both",
            ));
        }
        (None, None) => {
            return Err(bad(
                "data.merchant_id",
                "merchant_id or legacy_store_id is required",
            ));
        }
    };
    let is_order = matches!(kind, EventKind::OrderCreated | EventKind::OrderCancelled);
    let environment = match text(data, "data.environment", "environment")? {
        Some("live") => Environment::Live,
        Some("test") => Environment::Test,
        Some(_) => return Err(bad("data.environment", "must be live or test")),
        None if is_order => return Err(bad("data.environment", "is required")),
        None => match &subject {
            Subject::Merchant(mid) => mid.environment(),
            Subject::Legacy(_) => Environment::Live,
        },
    };
    if let Subject::Merchant(mid) = &subject
        && mid.environment() != environment
    {
        return Err(bad(
            "data.environment",
            "does not match the merchant ID (PK… is test, K… is live)",
        ));
    }
    let order_id = text(data, "data.order_id", "order_id")?;
    if is_order && order_id.is_none() {
        return Err(bad("data.order_id", "is required"));
    }
    let amount = match data.get("amount") {
        None | Some(Value::Null) if !is_order => 0,
        None | Some(Value::Null) => return Err(bad("data.amount", "is required")),
        Some(v) => whole_number(v).filter(|a| *a >= 0).ok_or_else(|| {
            bad(
                "data.amount",
                "must be a whole number of minor units, 0 or more",
            )
        })?,
    };
    let currency = match text(data, "data.currency", "currency")? {
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => c.to_owned(),
        Some(_) => {
            return Err(bad(
                "data.currency",
                "must be a three-letter ISO code such as SEK",
            ));
        }
        None if is_order => return Err(bad("data.currency", "is required")),
        None => String::new(),
    };
    let error_code = text(data, "data.error_code", "error_code")?;
    if kind == EventKind::ApiError && error_code.is_none() {
        return Err(bad("data.error_code", "is required for api.error"));
    }
    let call = match kind {
        EventKind::ApiCall => Some(call(data)?),
        _ => None,
    };
    let country = match text(data, "data.country", "country")? {
        Some(c) if is_order && crate::domain::countries::is_assigned(c) => Some(c.to_owned()),
        Some(_) if is_order => {
            return Err(bad(
                "data.country",
                "must be an ISO 3166-1 two-letter code such as SE",
            ));
        }
        Some(_) => return Err(bad("data.country", "is only for orders")),
        None => None,
    };
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

#[cfg(test)]
mod tests;
