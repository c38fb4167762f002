//! The API call event's shapes: a call to one of the platform's services, successful or
//! not, by a live or test merchant ID or a legacy store.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Context, LiveEnvironment, ServiceName, TestEnvironment, absent};
use crate::domain::Environment;

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
