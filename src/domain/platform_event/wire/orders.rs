//! The order events' shapes: created and cancelled, on a live or test merchant ID or a
//! legacy store.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Context, LiveEnvironment, TestEnvironment, absent, country};
use crate::domain::Environment;

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
