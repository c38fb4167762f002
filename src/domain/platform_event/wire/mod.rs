//! A platform event's body as types: the shapes [`super::parse`] accepts, written once.
//! utoipa derives the OpenAPI request body of `POST /platform/v1/events` from them; the
//! tests build every shape and parse it back, and the API fuzzer sends what the
//! document allows and checks the parser takes exactly that.
//!
//! Each rule across fields is a shape of its own, since a schema can only say "one of
//! these": an order names its environment, which matches a merchant ID (`K…` live,
//! `PK…` test); an event names a merchant ID or a legacy store, never both.

mod calls;
mod errors;
mod orders;

pub use calls::{
    ApiCallData, ApiCallEvent, ApiCallType, CallFields, LegacyApiCall, LiveApiCall, TestApiCall,
};
pub use errors::{
    ApiErrorData, ApiErrorEvent, ApiErrorType, ErrorFields, LegacyApiError, LiveApiError,
    TestApiError,
};
pub use orders::{
    LegacyOrder, LiveOrder, OrderCancelledEvent, OrderCancelledType, OrderCreatedEvent,
    OrderCreatedType, OrderData, OrderFields, TestOrder,
};

use serde::Serialize;
use utoipa::{
    ToSchema,
    openapi::{RefOr, Schema, Type, schema::ObjectBuilder},
};

/// A platform event. Strings are at most 200 characters long (`user_agent` 1,000), never
/// empty, and hold no control character; a body that breaks a rule is refused with 400
/// naming the field. `id` is unique per event: a repeat is answered `duplicate`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(discriminator(property_name = "type", mapping(
    ("order.created" = "#/components/schemas/OrderCreatedEvent"),
    ("order.cancelled" = "#/components/schemas/OrderCancelledEvent"),
    ("api.error" = "#/components/schemas/ApiErrorEvent"),
    ("api.call" = "#/components/schemas/ApiCallEvent"),
)))]
pub enum EventBody {
    OrderCreated(OrderCreatedEvent),
    OrderCancelled(OrderCancelledEvent),
    ApiError(ApiErrorEvent),
    ApiCall(ApiCallEvent),
}

/// Where an event came from, when the platform knows.
#[derive(Serialize, ToSchema, Default)]
pub struct Context {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub correlation_id: Option<String>,
}

/// The platform's services.
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum ServiceName {
    Checkout,
    OrderManagement,
    Settlement,
}

/// A live merchant ID's environment.
#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum LiveEnvironment {
    #[serde(rename = "live")]
    Live,
}

/// A test merchant ID's environment.
#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum TestEnvironment {
    #[serde(rename = "test")]
    Test,
}

/// A field the shape leaves out: absent, or null.
fn absent() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Null).into()
}

/// An officially assigned ISO 3166-1 alpha-2 code: exactly the codes accepted.
fn country() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::domain::countries::ISO_3166_ALPHA2))
        .into()
}

#[cfg(test)]
mod tests;
