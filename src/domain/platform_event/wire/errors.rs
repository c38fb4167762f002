//! The API error event's shapes: a failed call of a live or test merchant ID or a
//! legacy store.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Context, LiveEnvironment, TestEnvironment, absent};
use crate::domain::Environment;

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
