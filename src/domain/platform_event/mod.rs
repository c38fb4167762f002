//! Platform events as they arrive: the signature header and the JSON body. Pure, so the
//! parsers can be fuzzed; every refusal names what is wrong.

mod body;
mod signature;
pub mod wire;

pub use body::{FieldError, parse};
pub use signature::{SIGNATURE_HEADER, SignatureError, TOLERANCE_SECONDS, sign, verify_signature};

use super::{Environment, LegacyStoreId, MerchantId, traffic::Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    OrderCreated,
    OrderCancelled,
    ApiError,
    /// A call to the platform's API, successful or not, naming its service.
    ApiCall,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        Self::OrderCreated,
        Self::OrderCancelled,
        Self::ApiError,
        Self::ApiCall,
    ];

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

#[cfg(test)]
mod tests;
