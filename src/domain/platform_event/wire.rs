//! A platform event's body as types: the shapes [`super::parse`] accepts, written once.
//! utoipa derives the OpenAPI request body of `POST /platform/v1/events` from them; the
//! tests build every shape and parse it back, and the API fuzzer sends what the
//! document allows and checks the parser takes exactly that.
//!
//! Each rule across fields is a shape of its own, since a schema can only say "one of
//! these": an order names its environment, which matches a merchant ID (`K…` live,
//! `PK…` test); an event names a merchant ID or a legacy store, never both.

use serde::Serialize;
use utoipa::{
    ToSchema,
    openapi::{RefOr, Schema, Type, schema::ObjectBuilder},
};

use super::super::Environment;

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

/// An order was created.
#[derive(Serialize, ToSchema)]
pub struct OrderCreatedEvent {
    #[schema(pattern = r"^evt_[^\u0000-\u001F\u007F-\u009F]*$", max_length = 200)]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: OrderCreatedType,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    pub data: OrderData,
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum OrderCreatedType {
    #[serde(rename = "order.created")]
    OrderCreated,
}

/// An order was cancelled. The same fields as a created order's: each type is a shape
/// of its own, so that the shape a type names accepts that type alone.
#[derive(Serialize, ToSchema)]
pub struct OrderCancelledEvent {
    #[schema(pattern = r"^evt_[^\u0000-\u001F\u007F-\u009F]*$", max_length = 200)]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: OrderCancelledType,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    pub data: OrderData,
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum OrderCancelledType {
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
}

/// A call to the platform's API failed.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorEvent {
    #[schema(pattern = r"^evt_[^\u0000-\u001F\u007F-\u009F]*$", max_length = 200)]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ApiErrorType,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    pub data: ApiErrorData,
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum ApiErrorType {
    #[serde(rename = "api.error")]
    ApiError,
}

/// Whose order: a live merchant ID, a test merchant ID or a legacy store.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum OrderData {
    Live(LiveOrder),
    Test(TestOrder),
    Legacy(LegacyOrder),
}

/// An order on a live merchant ID.
#[derive(Serialize, ToSchema)]
pub struct LiveOrder {
    /// `K` and 6 digits.
    #[schema(pattern = r"^K[0-9]{6}$")]
    pub merchant_id: String,
    pub environment: LiveEnvironment,
    #[serde(flatten)]
    pub order: OrderFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub legacy_store_id: Option<()>,
}

/// An order on a test merchant ID.
#[derive(Serialize, ToSchema)]
pub struct TestOrder {
    /// `PK` and 5 digits.
    #[schema(pattern = r"^PK[0-9]{5}$")]
    pub merchant_id: String,
    pub environment: TestEnvironment,
    #[serde(flatten)]
    pub order: OrderFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub legacy_store_id: Option<()>,
}

/// An order on a legacy store (its old plugin is still at work).
#[derive(Serialize, ToSchema)]
pub struct LegacyOrder {
    #[schema(pattern = r"^[0-9]{1,12}$")]
    pub legacy_store_id: String,
    pub environment: Environment,
    #[serde(flatten)]
    pub order: OrderFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub merchant_id: Option<()>,
}

/// What every order event says about the order.
#[derive(Serialize, ToSchema)]
pub struct OrderFields {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub order_id: String,
    /// Minor units.
    #[schema(minimum = 0)]
    pub amount: i64,
    /// Three-letter ISO code such as `SEK`.
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: String,
    #[serde(flatten)]
    pub context: Context,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub error_code: Option<String>,
    /// ISO 3166-1 alpha-2: the country the order was placed from. The store's cutover
    /// meter counts orders per country.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = country)]
    pub country: Option<String>,
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

/// Whose call failed: a live merchant ID, a test merchant ID or a legacy store. The
/// environment may be left out: it follows from the merchant ID (a legacy store's is live).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ApiErrorData {
    Live(LiveApiError),
    Test(TestApiError),
    Legacy(LegacyApiError),
}

/// A failed call with a live merchant ID.
#[derive(Serialize, ToSchema)]
pub struct LiveApiError {
    #[schema(pattern = r"^K[0-9]{6}$")]
    pub merchant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<LiveEnvironment>,
    #[serde(flatten)]
    pub error: ErrorFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub legacy_store_id: Option<()>,
}

/// A failed call with a test merchant ID.
#[derive(Serialize, ToSchema)]
pub struct TestApiError {
    #[schema(pattern = r"^PK[0-9]{5}$")]
    pub merchant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<TestEnvironment>,
    #[serde(flatten)]
    pub error: ErrorFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub legacy_store_id: Option<()>,
}

/// A failed call with a legacy store's credentials.
#[derive(Serialize, ToSchema)]
pub struct LegacyApiError {
    #[schema(pattern = r"^[0-9]{1,12}$")]
    pub legacy_store_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    #[serde(flatten)]
    pub error: ErrorFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub merchant_id: Option<()>,
}

/// What an API error event says: the error, and the order when there was one.
#[derive(Serialize, ToSchema)]
pub struct ErrorFields {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub error_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub order_id: Option<String>,
    /// Minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: Option<String>,
    #[serde(flatten)]
    pub context: Context,
}

/// A call to the platform's API, successful or not: which service, which endpoint, and
/// the status the platform answered. Orders already say the checkout service was used;
/// calls say the rest (order management, settlement reports), and show an integration
/// that still calls the legacy store.
#[derive(Serialize, ToSchema)]
pub struct ApiCallEvent {
    #[schema(pattern = r"^evt_[^\u0000-\u001F\u007F-\u009F]*$", max_length = 200)]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ApiCallType,
    /// RFC 3339: when the call was made.
    #[schema(format = DateTime)]
    pub created_at: String,
    pub data: ApiCallData,
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum ApiCallType {
    #[serde(rename = "api.call")]
    ApiCall,
}

/// Whose call: a live merchant ID, a test merchant ID or a legacy store. The environment
/// may be left out, as for an API error.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ApiCallData {
    Live(LiveApiCall),
    Test(TestApiCall),
    Legacy(LegacyApiCall),
}

/// A call with a live merchant ID.
#[derive(Serialize, ToSchema)]
pub struct LiveApiCall {
    #[schema(pattern = r"^K[0-9]{6}$")]
    pub merchant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<LiveEnvironment>,
    #[serde(flatten)]
    pub call: CallFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub legacy_store_id: Option<()>,
}

/// A call with a test merchant ID.
#[derive(Serialize, ToSchema)]
pub struct TestApiCall {
    #[schema(pattern = r"^PK[0-9]{5}$")]
    pub merchant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<TestEnvironment>,
    #[serde(flatten)]
    pub call: CallFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub legacy_store_id: Option<()>,
}

/// A call with a legacy store's credentials.
#[derive(Serialize, ToSchema)]
pub struct LegacyApiCall {
    #[schema(pattern = r"^[0-9]{1,12}$")]
    pub legacy_store_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    #[serde(flatten)]
    pub call: CallFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = absent)]
    pub merchant_id: Option<()>,
}

/// What a call event says about the call.
#[derive(Serialize, ToSchema)]
pub struct CallFields {
    pub service: ServiceName,
    /// The path called, such as `/ordermanagement/v1/orders/o1/captures`.
    #[schema(max_length = 200, pattern = r"^/[^\u0000-\u001F\u007F-\u009F]*$")]
    pub endpoint: String,
    /// The HTTP status the platform answered.
    #[schema(minimum = 100, maximum = 599)]
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub order_id: Option<String>,
    /// The platform's error code, when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub error_code: Option<String>,
    /// Minor units, when the call was about an amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: Option<String>,
    #[serde(flatten)]
    pub context: Context,
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

impl OrderData {
    /// An order of `subject` (a merchant ID, or a legacy store's digits) in `environment`.
    pub fn new(subject: &str, environment: Environment, order: OrderFields) -> Self {
        let merchant = !subject.bytes().all(|b| b.is_ascii_digit());
        match (merchant, environment) {
            (true, Environment::Live) => OrderData::Live(LiveOrder {
                merchant_id: subject.to_owned(),
                environment: LiveEnvironment::Live,
                order,
                legacy_store_id: None,
            }),
            (true, Environment::Test) => OrderData::Test(TestOrder {
                merchant_id: subject.to_owned(),
                environment: TestEnvironment::Test,
                order,
                legacy_store_id: None,
            }),
            (false, environment) => OrderData::Legacy(LegacyOrder {
                legacy_store_id: subject.to_owned(),
                environment,
                order,
                merchant_id: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
