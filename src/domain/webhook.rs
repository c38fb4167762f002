//! Outbound partner webhooks: what a partner registers and how its events are signed.
//! The signing secret is derived from the server's key and a per-webhook nonce, so it
//! is shown once at registration and never stored; signatures use the same scheme as
//! inbound platform events (`Switchyard-Signature: t=…,v1=…`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const STEP_COMPLETED: &str = "upgrade.step_completed";
pub const COMPLETED: &str = "upgrade.completed";
/// Sent on request from the webhook's page, to try the endpoint.
pub const TEST: &str = "webhook.test";

/// The secret a partner verifies our signatures with.
pub fn secret(server_key: &[u8], nonce: &str) -> String {
    let mut m =
        <Hmac<Sha256> as Mac>::new_from_slice(server_key).expect("HMAC takes any key length");
    m.update(b"partner-webhook:");
    m.update(nonce.as_bytes());
    format!("whsec_{}", hex::encode(m.finalize().into_bytes()))
}

/// Why a webhook address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error(
        "the address must be a full https:// URL, such as https://partner.example/hooks/switchyard"
    )]
    NotHttps,
    #[error("the address must not contain a user name, password or #fragment")]
    Unclean,
    #[error("the address is longer than 500 characters")]
    TooLong,
}

/// Vets a webhook address: https (plain http only where `allow_http`, for local
/// development and tests), no credentials or fragment. Private addresses are refused
/// when the hook is delivered, where names are resolved.
pub fn parse_url(raw: &str, allow_http: bool) -> Result<url::Url, UrlRefusal> {
    let raw = raw.trim();
    if raw.len() > 500 {
        return Err(UrlRefusal::TooLong);
    }
    let url = url::Url::parse(raw).map_err(|_| UrlRefusal::NotHttps)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        _ => return Err(UrlRefusal::NotHttps),
    }
    if url.host().is_none() {
        return Err(UrlRefusal::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(UrlRefusal::Unclean);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_depends_on_key_and_nonce() {
        let a = secret(b"key-one", "n1");
        assert!(a.starts_with("whsec_") && a.len() == 6 + 64);
        assert_eq!(a, secret(b"key-one", "n1"));
        assert_ne!(a, secret(b"key-two", "n1"));
        assert_ne!(a, secret(b"key-one", "n2"));
    }

    #[test]
    fn only_clean_https_addresses_are_accepted() {
        assert!(parse_url("https://partner.example/hooks", false).is_ok());
        assert_eq!(
            parse_url("http://partner.example/hooks", false),
            Err(UrlRefusal::NotHttps)
        );
        assert!(parse_url("http://127.0.0.1:9/hooks", true).is_ok());
        assert_eq!(
            parse_url("ftp://partner.example", true),
            Err(UrlRefusal::NotHttps)
        );
        assert_eq!(
            parse_url("https://u:p@partner.example", false),
            Err(UrlRefusal::Unclean)
        );
        assert_eq!(
            parse_url("https://partner.example/#x", false),
            Err(UrlRefusal::Unclean)
        );
        assert_eq!(parse_url("not a url", false), Err(UrlRefusal::NotHttps));
        let long = format!("https://partner.example/{}", "a".repeat(500));
        assert_eq!(parse_url(&long, false), Err(UrlRefusal::TooLong));
    }
}
