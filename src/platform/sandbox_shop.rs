//! A shop's checkout against the sandbox platform, over HTTP: exactly the call the
//! printed curl makes, so the order is detected as a real one would be.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// An order as a shop places it.
pub struct ShopOrder<'a> {
    pub username: &'a str,
    pub password: &'a SecretString,
    /// Minor units.
    pub amount: i64,
    pub currency: &'a str,
    pub country: &'a str,
}

/// What the sandbox answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    Created {
        order_id: String,
    },
    /// The sandbox said no: the HTTP status and its message.
    Refused {
        status: u16,
        message: String,
    },
}

#[derive(Deserialize)]
struct Created {
    order_id: String,
}

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    error: String,
}

/// Places `order` at the sandbox's order endpoint `url`, in the live environment.
pub async fn place(url: &str, order: &ShopOrder<'_>) -> anyhow::Result<Placed> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let res = CLIENT
        .get_or_init(reqwest::Client::new)
        .post(url)
        .basic_auth(order.username, Some(order.password.expose_secret()))
        .header(reqwest::header::USER_AGENT, "Switchyard test purchase")
        .json(&serde_json::json!({
            "amount": order.amount, "currency": order.currency,
            "country": order.country, "environment": "live",
        }))
        .timeout(Duration::from_secs(15))
        .send()
        .await?;
    let status = res.status();
    if status.is_success() {
        let created: Created = res.json().await?;
        return Ok(Placed::Created {
            order_id: created.order_id,
        });
    }
    let message = res
        .json::<Problem>()
        .await
        .map(|p| p.error)
        .unwrap_or_default();
    Ok(Placed::Refused {
        status: status.as_u16(),
        message,
    })
}
