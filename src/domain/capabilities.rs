//! What a store can take: recurring payments (subscriptions), business customers (B2B)
//! and its payment methods. The legacy store's are what the import said of it; the new
//! merchant ID's are what the platform reports. Before the test purchase, what the legacy
//! store had and the new ID lacks is listed: each would fail once the shop switches.

use serde::{Deserialize, Serialize};

/// The payment methods a store may offer, as the import and the platform write them.
pub const METHODS: [&str; 5] = [
    "invoice",
    "part_payment",
    "card",
    "direct_debit",
    "bank_transfer",
];

/// What the platform reports of a merchant ID (`GET /merchants/{mid}/capabilities`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    pub recurring: bool,
    pub b2b: bool,
    /// Codes of [`METHODS`]; a code Switchyard does not know is kept and shown as is.
    pub payment_methods: Vec<String>,
}

/// What the import said of the legacy store: `None` where it said nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Legacy {
    pub recurring: Option<bool>,
    pub b2b: Option<bool>,
    pub payment_methods: Option<Vec<String>>,
}

/// One thing the legacy store had that the new ID lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    Recurring,
    B2b,
    /// A payment method's code.
    Method(String),
}

impl Legacy {
    /// Whether the import said anything at all.
    pub fn is_known(&self) -> bool {
        self.recurring.is_some() || self.b2b.is_some() || self.payment_methods.is_some()
    }

    /// What the legacy store had and `new` lacks, in a fixed order.
    pub fn gaps(&self, new: &Capabilities) -> Vec<Gap> {
        let mut gaps = Vec::new();
        if self.recurring == Some(true) && !new.recurring {
            gaps.push(Gap::Recurring);
        }
        if self.b2b == Some(true) && !new.b2b {
            gaps.push(Gap::B2b);
        }
        for m in self.payment_methods.iter().flatten() {
            if !new.payment_methods.contains(m) {
                gaps.push(Gap::Method(m.clone()));
            }
        }
        gaps
    }

    /// `new` where it says something, else what is already known: an import that leaves
    /// a capability out (or empty) never forgets it.
    pub fn updated_by(&self, new: &Legacy) -> Legacy {
        Legacy {
            recurring: new.recurring.or(self.recurring),
            b2b: new.b2b.or(self.b2b),
            payment_methods: new
                .payment_methods
                .clone()
                .or_else(|| self.payment_methods.clone()),
        }
    }

    /// The payment methods as stored: codes separated by `;`.
    pub fn methods_field(&self) -> Option<String> {
        self.payment_methods.as_ref().map(|m| m.join(";"))
    }

    /// The legacy store's capabilities as stored (flags as 0/1, methods `;`-separated).
    pub fn from_fields(recurring: Option<i64>, b2b: Option<i64>, methods: Option<&str>) -> Self {
        Legacy {
            recurring: recurring.map(|v| v != 0),
            b2b: b2b.map(|v| v != 0),
            payment_methods: methods.map(|m| {
                m.split(';')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
        }
    }
}

/// A yes/no cell: `yes`, `no`, `true`, `false`, `1`, `0` (any case); empty says nothing.
pub fn parse_flag(column: &str, raw: &str) -> Result<Option<bool>, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "true" | "1" => Ok(Some(true)),
        "no" | "false" | "0" => Ok(Some(false)),
        _ => Err(format!(
            "{column} {raw:?} must be yes or no (or left empty)"
        )),
    }
}

/// Payment methods separated by `;` (`invoice;card`), each of [`METHODS`]; empty says
/// nothing.
pub fn parse_methods(raw: &str) -> Result<Option<Vec<String>>, String> {
    let mut list: Vec<String> = Vec::new();
    for m in raw.split(';').map(str::trim).filter(|m| !m.is_empty()) {
        let code = m.to_ascii_lowercase().replace(['-', ' '], "_");
        if !METHODS.contains(&code.as_str()) {
            return Err(format!(
                "payment_methods: {m:?} is unknown; use {} separated by ;",
                METHODS.join(", ")
            ));
        }
        if !list.contains(&code) {
            list.push(code);
        }
    }
    Ok((!list.is_empty()).then_some(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_id(recurring: bool, methods: &[&str]) -> Capabilities {
        Capabilities {
            recurring,
            b2b: false,
            payment_methods: methods.iter().map(|m| (*m).to_owned()).collect(),
        }
    }

    #[test]
    fn a_gap_is_what_the_legacy_store_had_and_the_new_id_lacks() {
        let legacy = Legacy {
            recurring: Some(true),
            b2b: Some(false),
            payment_methods: Some(vec!["invoice".into(), "direct_debit".into()]),
        };
        assert_eq!(
            legacy.gaps(&new_id(false, &["invoice", "card"])),
            [Gap::Recurring, Gap::Method("direct_debit".into())]
        );
        assert!(
            legacy
                .gaps(&new_id(true, &["invoice", "direct_debit"]))
                .is_empty()
        );
        // Nothing said, nothing missing.
        assert!(Legacy::default().gaps(&new_id(false, &[])).is_empty());
        // B2B on the legacy store: missing on a new ID without it, and only then.
        let b2b = Legacy {
            b2b: Some(true),
            ..Legacy::default()
        };
        assert_eq!(b2b.gaps(&new_id(false, &[])), [Gap::B2b]);
        let with_b2b = Capabilities {
            b2b: true,
            ..new_id(false, &[])
        };
        assert!(b2b.gaps(&with_b2b).is_empty());
    }

    #[test]
    fn cells_are_read_as_people_write_them() {
        assert_eq!(parse_flag("b2b", "Yes"), Ok(Some(true)));
        assert_eq!(parse_flag("b2b", "0"), Ok(Some(false)));
        assert_eq!(parse_flag("b2b", " "), Ok(None));
        assert!(
            parse_flag("b2b", "maybe")
                .unwrap_err()
                .contains("yes or no")
        );
        assert_eq!(
            parse_methods("Invoice; direct-debit;invoice"),
            Ok(Some(vec!["invoice".into(), "direct_debit".into()]))
        );
        assert_eq!(parse_methods(""), Ok(None));
        assert!(
            parse_methods("cash")
                .unwrap_err()
                .contains("\"cash\" is unknown")
        );
    }

    #[test]
    fn an_import_that_says_nothing_forgets_nothing() {
        let stored = Legacy::from_fields(Some(1), None, Some("invoice;card"));
        let said = Legacy {
            b2b: Some(true),
            ..Legacy::default()
        };
        let both = stored.updated_by(&said);
        assert_eq!(both.recurring, Some(true));
        assert_eq!(both.b2b, Some(true));
        assert_eq!(both.methods_field().as_deref(), Some("invoice;card"));
    }
}
