//! Sunset readiness: what a store must have done before its legacy store closes. Its
//! legacy ID is no longer used (no call or order for [`QUIET_DAYS`] days), no legacy
//! authorization is still open (it would be lost), and its reports were archived.

/// Days without a legacy call or order before the legacy store counts as unused.
pub const QUIET_DAYS: i64 = 14;

/// What readiness is judged from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// When the legacy ID was last used (a call or an order on it).
    pub legacy_called_at: Option<i64>,
    /// The latest expiry of a legacy authorization still open.
    pub legacy_open_until: Option<i64>,
    /// When the legacy store's archive was downloaded.
    pub archived_at: Option<i64>,
}

/// Something a store still lacks for the sunset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The legacy ID was used within [`QUIET_DAYS`] days.
    LegacyInUse,
    /// A legacy authorization is still open: capture or cancel it before the sunset.
    OpenAuthorizations,
    /// The reports were never archived.
    NotArchived,
}

impl Missing {
    pub fn key(self) -> &'static str {
        match self {
            Missing::LegacyInUse => "readiness.missing.legacy_in_use",
            Missing::OpenAuthorizations => "readiness.missing.open_authorizations",
            Missing::NotArchived => "readiness.missing.not_archived",
        }
    }

    /// As the partner API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::LegacyInUse => "legacy_in_use",
            Missing::OpenAuthorizations => "open_authorizations",
            Missing::NotArchived => "reports_not_archived",
        }
    }
}

/// A store's readiness at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub missing: Vec<Missing>,
}

impl Readiness {
    pub fn at(f: Facts, now: i64) -> Readiness {
        let mut missing = Vec::new();
        if f.legacy_called_at.is_some_and(|at| at > quiet_since(now)) {
            missing.push(Missing::LegacyInUse);
        }
        if f.legacy_open_until.is_some_and(|until| until > now) {
            missing.push(Missing::OpenAuthorizations);
        }
        if f.archived_at.is_none() {
            missing.push(Missing::NotArchived);
        }
        Readiness { missing }
    }

    pub fn is_ready(&self) -> bool {
        self.missing.is_empty()
    }
}

/// A legacy use at or before this time no longer keeps a store from being ready.
pub fn quiet_since(now: i64) -> i64 {
    now - QUIET_DAYS * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 100 * 86_400;

    #[test]
    fn a_store_is_ready_when_quiet_for_two_weeks_with_nothing_open_and_its_reports_archived() {
        let ready = Facts {
            legacy_called_at: Some(NOW - 15 * 86_400),
            legacy_open_until: Some(NOW - 1),
            archived_at: Some(NOW - 86_400),
        };
        assert!(Readiness::at(ready, NOW).is_ready());
        // A store whose legacy ID was never seen used is quiet too.
        let never = Facts {
            legacy_called_at: None,
            legacy_open_until: None,
            ..ready
        };
        assert!(Readiness::at(never, NOW).is_ready());
    }

    #[test]
    fn each_thing_missing_is_named() {
        let f = Facts {
            legacy_called_at: Some(NOW - 13 * 86_400),
            legacy_open_until: Some(NOW + 3_600),
            archived_at: None,
        };
        assert_eq!(
            Readiness::at(f, NOW).missing,
            [
                Missing::LegacyInUse,
                Missing::OpenAuthorizations,
                Missing::NotArchived
            ]
        );
    }
}
