//! "Place the test purchase for me": the sandbox order a shop would place, sent over
//! HTTP with the store's own live credentials, so intake detects it like any order.

use secrecy::SecretString;

use super::AppState;
use crate::{
    domain::{Environment, Upgrade, credentials, currency},
    platform::sandbox_shop::{self, Placed, ShopOrder},
    store::{self, stores::Store},
};

/// What the attempt came to, for the page to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The sandbox took the order; its event completes the upgrade.
    Placed,
    /// The sandbox refused (the status; its API log row explains why).
    Refused(u16),
    /// The store has no active live credential to buy with.
    NoCredential,
    /// The sandbox could not be reached.
    Unreachable,
}

impl Attempt {
    /// The short form the page's address carries after the redirect.
    pub fn as_query(&self) -> String {
        match self {
            Self::Placed => "placed".into(),
            Self::Refused(status) => status.to_string(),
            Self::NoCredential => "no-credential".into(),
            Self::Unreachable => "unreachable".into(),
        }
    }
}

/// What the test order is for, in minor units of the store's currency: 10.00 in most,
/// 1 000 in a currency without decimals (ISK, JPY). The page says the same amount.
pub const AMOUNT: i64 = 1000;

/// One test order of [`AMOUNT`] in the store's currency, from the country it pays in.
pub async fn place(
    state: &AppState,
    store: &Store,
    upgrade: &Upgrade,
    password: &SecretString,
) -> anyhow::Result<Attempt> {
    let now = store::now();
    let issued = store::credentials::for_upgrade(&state.db.pool, upgrade.id).await?;
    let Some(credential) = credentials::in_use(&issued, Environment::Live, now) else {
        return Ok(Attempt::NoCredential);
    };
    let (country, currency) = currency::of_store(store.country_list())
        .ok_or_else(|| anyhow::anyhow!("no currency for the store's countries"))?;
    let order = ShopOrder {
        username: &credential.username,
        password,
        amount: AMOUNT,
        currency: currency.code(),
        country,
    };
    let url = format!("{}/sandbox/v1/orders", state.self_url);
    Ok(match sandbox_shop::place(&url, &order).await {
        Ok(Placed::Created { order_id }) => {
            tracing::info!(order = %order_id, store = store.id, "test purchase placed at the sandbox");
            Attempt::Placed
        }
        Ok(Placed::Refused { status, message }) => {
            tracing::info!(status, %message, store = store.id, "the sandbox refused the test purchase");
            Attempt::Refused(status)
        }
        Err(e) => {
            tracing::warn!(error = ?e, "the sandbox could not be reached");
            Attempt::Unreachable
        }
    })
}
