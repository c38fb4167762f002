//! Calls the sandbox refused, logged as the real platform logs them: an `api.error`
//! event for the credential's merchant, so the store's API log shows the call.

use axum::http::HeaderMap;
use serde_json::json;

use crate::{
    app::AppState, domain::credentials::random_token, store, store::credentials::CredentialRow,
};

/// Why a call with a known credential was refused.
#[derive(Debug, Clone, Copy)]
pub enum FailedCall {
    WrongPassword,
    Revoked,
    TestOnLive,
    LiveOnTest,
    UnknownCurrency,
    CurrencyNotOfStore,
}

impl FailedCall {
    /// The error code the platform reports: the HTTP status, then the reason. The pages
    /// explain each one (`apierror.*` in the message catalogue).
    pub fn code(self) -> &'static str {
        match self {
            Self::WrongPassword => "401 wrong_password",
            Self::Revoked => "401 credentials_revoked",
            Self::TestOnLive => "401 test_credentials_on_live",
            Self::LiveOnTest => "401 live_credentials_on_test",
            Self::UnknownCurrency => "400 unknown_currency",
            Self::CurrencyNotOfStore => "400 currency_not_of_store",
        }
    }
}

/// Sends the `api.error` event; the refusal stands whether or not it arrives.
pub async fn log(state: &AppState, headers: &HeaderMap, cred: &CredentialRow, call: FailedCall) {
    if !state.config.platform.sandbox_push {
        return;
    }
    let event = json!({
        "id": format!("evt_{}", random_token(12)),
        "type": "api.error",
        "created_at": crate::domain::rfc3339(store::now()),
        "data": {
            "merchant_id": cred.merchant_id, "environment": cred.environment.as_str(),
            "error_code": call.code(), "user_agent": super::user_agent(headers),
        }
    });
    if let Err(e) = super::emit(state, &event).await {
        tracing::warn!(error = ?e, code = call.code(), "the sandbox could not log a failed call");
    }
}
