//! The `Switchyard-Signature` header: an HMAC-SHA256 over the signing time and the raw
//! body, checked in constant time and within a tolerance of our clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far an event's signing time may be from ours, either way.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

pub const SIGNATURE_HEADER: &str = "Switchyard-Signature";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Switchyard-Signature header is missing")]
    Missing,
    #[error("the Switchyard-Signature header must look like t=<unix seconds>,v1=<hex>")]
    Malformed,
    #[error("the signature timestamp is more than 5 minutes away from now")]
    Stale,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// The header value for `body` signed at `t` (what the platform, and the sandbox, send).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, body)))
}

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// Checks a `t=…,v1=…` header against the raw body, in constant time. Several `v1`
/// entries are allowed (a secret being rolled over); one must match.
pub fn verify_signature(
    header: Option<&str>,
    body: &[u8],
    secret: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => {
                candidates.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?)
            }
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // `abs_diff` cannot overflow: `now - t` wraps for a `t` near `i64::MIN`, and a wrapped
    // difference passed as fresh.
    if now.abs_diff(t) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, t, body);
    let matched = candidates
        .iter()
        .fold(subtle::Choice::from(0), |acc, c| acc | c.ct_eq(&expected));
    if bool::from(matched) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}
