//! The platform's order-management API, over HTTP: read orders, list a merchant's
//! orders (for polling), cancel, capture, refund, extend, restore; a merchant ID's
//! capabilities; the legacy stores' switch-off windows. Every call has a timeout, every
//! change an idempotency key, and every failure says what kind it was so callers can
//! tell "try again" from "not allowed".

mod brownouts;

use std::time::Duration;

use reqwest::{StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::config::PlatformConfig;

pub use crate::domain::{capabilities::Capabilities, order::RemoteOrder};

/// The body of every error the platform answers with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiError {
    pub error_code: String,
    pub error_message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("no platform order-management API is configured")]
    NotConfigured,
    #[error("the platform did not answer in time")]
    Timeout,
    #[error("the platform could not be reached: {0}")]
    Unreachable(String),
    /// The platform understood and said no (4xx): not worth retrying as is.
    #[error("the platform refused ({code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// The platform failed (5xx): worth retrying later.
    #[error("the platform failed with HTTP {0}")]
    Server(u16),
    #[error("the platform answered something that is not its API: {0}")]
    Garbage(String),
    /// An order id that cannot be one URL path segment; never sent.
    #[error("{0:?} is not an order id")]
    InvalidOrderId(String),
}

impl PlatformError {
    /// Whether trying again later may work.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::Unreachable(_) | Self::Server(_) | Self::Garbage(_)
        )
    }

    /// The platform's error code, when it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct PlatformClient {
    http: reqwest::Client,
    base_url: Option<String>,
    token: Option<SecretString>,
}

#[derive(Deserialize)]
struct OrderList {
    orders: Vec<RemoteOrder>,
}

impl PlatformClient {
    /// A client for the API at `base_url` (None: not configured).
    pub fn new(base_url: Option<String>, token: Option<SecretString>, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("switchyard/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with a timeout and no proxy settings builds");
        Self {
            http,
            base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
            token,
        }
    }

    /// The client for `config`, falling back to this instance's sandbox at `self_url`.
    pub fn from_config(config: &PlatformConfig, sandbox: bool, self_url: &str) -> Self {
        let url = config
            .url
            .clone()
            .or_else(|| sandbox.then(|| self_url.to_owned()));
        Self::new(url, config.token.clone(), config.timeout)
    }

    pub fn is_configured(&self) -> bool {
        self.base_url.is_some()
    }

    pub async fn order(&self, order_id: &str) -> Result<RemoteOrder, PlatformError> {
        let path = format!("/ordermanagement/v1/orders/{}", segment(order_id)?);
        self.read(self.request(reqwest::Method::GET, &path)?).await
    }

    /// The merchant's orders created at or after `since` (unix seconds).
    pub async fn orders(
        &self,
        merchant_id: &str,
        since: i64,
    ) -> Result<Vec<RemoteOrder>, PlatformError> {
        let since = crate::domain::rfc3339(since);
        let req = self
            .request(reqwest::Method::GET, "/ordermanagement/v1/orders")?
            .query(&[("merchant_id", merchant_id), ("created_after", &since)]);
        let list: OrderList = self.read(req).await?;
        Ok(list.orders)
    }

    pub async fn cancel(&self, order_id: &str, key: &str) -> Result<(), PlatformError> {
        self.change(order_id, "cancel", key, None).await
    }

    pub async fn capture(
        &self,
        order_id: &str,
        amount: i64,
        key: &str,
    ) -> Result<(), PlatformError> {
        let body = serde_json::json!({ "captured_amount": amount });
        self.change(order_id, "captures", key, Some(body)).await
    }

    pub async fn refund(
        &self,
        order_id: &str,
        amount: i64,
        key: &str,
    ) -> Result<(), PlatformError> {
        let body = serde_json::json!({ "refunded_amount": amount });
        self.change(order_id, "refunds", key, Some(body)).await
    }

    pub async fn extend(&self, order_id: &str, key: &str) -> Result<(), PlatformError> {
        self.change(order_id, "extend-authorization-time", key, None)
            .await
    }

    /// Authorizes again an order the platform cancelled at expiry.
    pub async fn restore(&self, order_id: &str, key: &str) -> Result<(), PlatformError> {
        self.change(order_id, "restore-authorization", key, None)
            .await
    }

    /// What merchant ID `mid` can do: recurring payments, B2B, payment methods.
    pub async fn capabilities(&self, mid: &str) -> Result<Capabilities, PlatformError> {
        let path = format!("/merchants/{}/capabilities", segment(mid)?);
        self.read(self.request(reqwest::Method::GET, &path)?).await
    }

    async fn delete(&self, path: &str) -> Result<(), PlatformError> {
        let res = self
            .request(reqwest::Method::DELETE, path)?
            .send()
            .await
            .map_err(transport)?;
        if res.status().is_success() {
            return Ok(());
        }
        Err(failure(res).await)
    }

    async fn change(
        &self,
        order_id: &str,
        action: &str,
        key: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(), PlatformError> {
        let path = format!("/ordermanagement/v1/orders/{}/{action}", segment(order_id)?);
        let mut req = self
            .request(reqwest::Method::POST, &path)?
            .header("Idempotency-Key", key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.map_err(transport)?;
        if res.status().is_success() {
            return Ok(());
        }
        Err(failure(res).await)
    }

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, PlatformError> {
        let base = self.base_url.as_ref().ok_or(PlatformError::NotConfigured)?;
        let mut req = self
            .http
            .request(method, format!("{base}{path}"))
            .header(header::ACCEPT, "application/json");
        if let Some(token) = &self.token {
            req = req.bearer_auth(token.expose_secret());
        }
        Ok(req)
    }

    async fn read<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, PlatformError> {
        let res = req.send().await.map_err(transport)?;
        if !res.status().is_success() {
            return Err(failure(res).await);
        }
        let bytes = res.bytes().await.map_err(transport)?;
        serde_json::from_slice(&bytes).map_err(|e| PlatformError::Garbage(e.to_string()))
    }
}

/// An order id as one URL path segment. Ids come from outside, so nothing in them may
/// change the path: everything but unreserved characters is percent-encoded, and the
/// dot segments are refused.
fn segment(id: &str) -> Result<String, PlatformError> {
    if id.is_empty() || id == "." || id == ".." || id.len() > 200 {
        return Err(PlatformError::InvalidOrderId(id.to_owned()));
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

fn transport(e: reqwest::Error) -> PlatformError {
    if e.is_timeout() {
        PlatformError::Timeout
    } else if e.is_decode() || e.is_body() {
        PlatformError::Garbage(e.to_string())
    } else {
        PlatformError::Unreachable(e.without_url().to_string())
    }
}

async fn failure(res: reqwest::Response) -> PlatformError {
    let status = res.status();
    if status.is_server_error() {
        return PlatformError::Server(status.as_u16());
    }
    if !status.is_client_error() {
        // Redirects are not followed: an API that redirects is misconfigured.
        return PlatformError::Garbage(format!("unexpected HTTP {status}"));
    }
    let error = res.json::<ApiError>().await.ok();
    PlatformError::Refused {
        status: status.as_u16(),
        code: error
            .as_ref()
            .map(|e| e.error_code.clone())
            .unwrap_or_else(|| default_code(status)),
        message: error
            .map(|e| e.error_message)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("refused").to_owned()),
    }
}

fn default_code(status: StatusCode) -> String {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "UNAUTHORIZED".into(),
        StatusCode::NOT_FOUND => "NO_SUCH_ORDER".into(),
        s => format!("HTTP_{}", s.as_u16()),
    }
}
