//! Capability parity before the test purchase: what the legacy store could do (as
//! imported) against what the platform says the new merchant ID can.

use std::time::Duration;

use super::AppState;
use crate::{
    domain::capabilities::{Capabilities, Gap},
    i18n::Tr,
    platform::client::PlatformError,
    store::stores::Store,
};

/// How long the test-purchase page waits for the platform's answer.
const WAIT: Duration = Duration::from_secs(2);

/// How the new ID compares with the legacy store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parity {
    /// The import said nothing of the legacy store: nothing to compare.
    Unknown,
    /// The platform could not be asked just now.
    Unchecked,
    /// The new ID has all the legacy store had.
    Matched(Capabilities),
    /// What the legacy store had and the new ID lacks.
    Missing(Vec<Gap>),
}

/// Store `store`'s parity with its new merchant ID `mid`.
pub async fn parity(state: &AppState, store: &Store, mid: Option<&str>) -> Parity {
    let legacy = store.legacy_capabilities();
    let Some(mid) = mid.filter(|_| legacy.is_known()) else {
        return Parity::Unknown;
    };
    // The page waits for the answer: a slow platform costs it a moment, not the page.
    match tokio::time::timeout(WAIT, state.platform.capabilities(mid))
        .await
        .unwrap_or(Err(PlatformError::Timeout))
    {
        Ok(new) => {
            let gaps = legacy.gaps(&new);
            if gaps.is_empty() {
                Parity::Matched(new)
            } else {
                Parity::Missing(gaps)
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, store = store.id, "reading the new ID's capabilities");
            Parity::Unchecked
        }
    }
}

/// A gap as the reader reads it: what is missing, and what would fail.
pub fn said(tr: &Tr, gap: &Gap) -> String {
    match gap {
        Gap::Recurring => tr.t("parity.gap.recurring"),
        Gap::B2b => tr.t("parity.gap.b2b"),
        Gap::Method(m) => tr.f("parity.gap.method", &[("method", &method(tr, m))]),
    }
}

/// A payment method's name in the reader's language (an unknown code as is).
pub fn method(tr: &Tr, code: &str) -> String {
    let key = format!("parity.method.{code}");
    if tr.has(&key) {
        tr.t(&key)
    } else {
        code.to_owned()
    }
}

/// The support request's text asking for `gaps` on merchant ID `mid`.
pub fn request_text(tr: &Tr, mid: &str, gaps: &[Gap]) -> String {
    let lines: Vec<String> = gaps.iter().map(|g| format!("- {}", said(tr, g))).collect();
    tr.f(
        "parity.request",
        &[("mid", mid), ("gaps", &lines.join("\n"))],
    )
}
