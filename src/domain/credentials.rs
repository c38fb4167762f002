//! API credentials: a username (`MID_` + 12 hex) and a high-entropy password that is
//! shown once; only its SHA-256 is kept. SHA-256 suffices because the secret is random
//! (256 bits), not a human password, so it cannot be guessed from its hash.

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use super::ids::MerchantId;

/// Freshly generated credentials; the password exists in clear only in this value.
pub struct NewCredentials {
    pub merchant_id: MerchantId,
    pub username: String,
    pub password: SecretString,
    pub secret_hash: String,
}

impl std::fmt::Debug for NewCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCredentials")
            .field("merchant_id", &self.merchant_id)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Prefix that makes leaked passwords easy to recognise by secret scanners.
const PASSWORD_PREFIX: &str = "sy_";

pub fn generate(mid: &MerchantId) -> NewCredentials {
    let mut rng = rand::thread_rng();
    let mut user_suffix = [0u8; 6];
    rng.fill_bytes(&mut user_suffix);
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    let password = format!("{PASSWORD_PREFIX}{}", hex::encode(secret));
    NewCredentials {
        merchant_id: mid.clone(),
        username: format!("{}_{}", mid.as_str(), hex::encode(user_suffix)),
        secret_hash: hash_secret(&password),
        password: SecretString::from(password),
    }
}

pub fn hash_secret(password: &str) -> String {
    super::sha256_hex(password)
}

/// Compares a presented password with a stored hash in constant time.
pub fn verify(presented: &SecretString, stored_hash: &str) -> bool {
    let presented = hash_secret(presented.expose_secret());
    presented.as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// Grace periods an admin may pick when rotating, in seconds.
pub const GRACE_CHOICES: [i64; 3] = [0, 60 * 60, 24 * 60 * 60];

/// A random URL-safe token of `bytes` bytes of entropy, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// An issued credential as far as choosing one goes.
pub trait Issued {
    fn environment(&self) -> super::Environment;
    /// When it was issued, and its id to order two issued in the same second.
    fn issued(&self) -> (i64, i64);
    /// Whether the platform accepts it at `now`.
    fn is_active(&self, now: i64) -> bool;
}

/// The credential a store uses in `environment` now: the newest one the platform
/// accepts. Every page and action that names or uses "the" credential picks it here, so
/// they never disagree after a rotation or a revocation.
pub fn in_use<C: Issued>(issued: &[C], environment: super::Environment, now: i64) -> Option<&C> {
    issued
        .iter()
        .filter(|c| c.environment() == environment && c.is_active(now))
        .max_by_key(|c| c.issued())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::Environment;

    #[test]
    fn usernames_carry_the_mid_and_twelve_hex_digits() {
        let mid = MerchantId::from_number(Environment::Live, 123_456);
        let c = generate(&mid);
        let (prefix, suffix) = c.username.split_once('_').unwrap();
        assert_eq!(prefix, "K123456");
        assert_eq!(suffix.len(), 12);
        assert!(suffix.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn only_the_right_password_verifies_and_debug_hides_it() {
        let c = generate(&MerchantId::from_number(Environment::Live, 1));
        assert!(verify(&c.password, &c.secret_hash));
        assert!(!verify(&SecretString::from("sy_wrong"), &c.secret_hash));
        assert!(c.password.expose_secret().len() >= 32 + PASSWORD_PREFIX.len());
        assert!(!format!("{c:?}").contains(c.password.expose_secret()));
        let other = generate(&MerchantId::from_number(Environment::Live, 1));
        assert_ne!(c.password.expose_secret(), other.password.expose_secret());
    }
}
