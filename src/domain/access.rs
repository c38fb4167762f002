//! Who may do what with a store. Pure rules; the web layer loads the facts and asks.

use std::fmt;

/// A staff role, granted with `switchyard user add --role …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    /// Reads the stores of their partner(s).
    PartnerManager,
    /// Reads every store; support actions are audited.
    Support,
    /// Manages staff accounts.
    Operator,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [
        StaffRole::PartnerManager,
        StaffRole::Support,
        StaffRole::Operator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartnerManager => "partner",
            Self::Support => "support",
            Self::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signed-in person and what their account says about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub email: String,
    pub role: Option<StaffRole>,
    /// Partners a partner manager looks after.
    pub partner_ids: Vec<i64>,
    /// The language they chose, if they did (a code such as `sv`).
    pub lang: Option<String>,
    /// The time zone they chose for the times they read, if they did (an IANA name).
    pub time_zone: Option<String>,
}

/// The facts about one store that decide access to it.
#[derive(Debug, Clone, Copy)]
pub struct StoreFacts<'a> {
    pub admin_email: &'a str,
    pub partner_id: Option<i64>,
    /// Whether, and how, the principal was invited to this store.
    pub membership: Membership,
}

/// How a person was invited to a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    None,
    /// A user who follows the store read-only (an accountant).
    User,
    /// The technical delegate (an agency's developer): does the integration, the checks
    /// and the test purchase, but never the terms, the account, the credentials or the
    /// store's people.
    Delegate,
}

/// How a person relates to a store; `None` means no access at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    Admin,
    Delegate,
    Member,
    PartnerManager,
    Support,
}

impl Relation {
    /// Only the registered administrator changes a store's state.
    pub fn can_act(self) -> bool {
        self == Relation::Admin
    }

    /// The integration's work (the checklist, the setup and shop checks, the test
    /// purchase, support requests): the admin, or the technical delegate they invited.
    pub fn can_work(self) -> bool {
        matches!(self, Relation::Admin | Relation::Delegate)
    }

    /// Invited to the store (the admin, a user or the delegate), not staff.
    pub fn is_member(self) -> bool {
        matches!(
            self,
            Relation::Admin | Relation::Delegate | Relation::Member
        )
    }
}

/// The strongest relation `who` has to the store described by `facts`.
pub fn relation(who: &Principal, facts: StoreFacts<'_>) -> Option<Relation> {
    if who.email == facts.admin_email {
        return Some(Relation::Admin);
    }
    match facts.membership {
        Membership::Delegate => return Some(Relation::Delegate),
        Membership::User => return Some(Relation::Member),
        Membership::None => {}
    }
    match who.role {
        Some(StaffRole::Support) => Some(Relation::Support),
        Some(StaffRole::PartnerManager)
            if facts
                .partner_id
                .is_some_and(|p| who.partner_ids.contains(&p)) =>
        {
            Some(Relation::PartnerManager)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: &str, role: Option<StaffRole>, partners: &[i64]) -> Principal {
        Principal {
            lang: None,
            time_zone: None,
            user_id: 1,
            email: email.into(),
            role,
            partner_ids: partners.to_vec(),
        }
    }

    const STORE: StoreFacts<'static> = StoreFacts {
        admin_email: "admin@shop.example",
        partner_id: Some(7),
        membership: Membership::None,
    };

    #[test]
    fn each_kind_of_person_gets_the_right_relation() {
        assert_eq!(
            relation(&person("admin@shop.example", None, &[]), STORE),
            Some(Relation::Admin)
        );
        let member = StoreFacts {
            membership: Membership::User,
            ..STORE
        };
        assert_eq!(
            relation(&person("accountant@shop.example", None, &[]), member),
            Some(Relation::Member)
        );
        let delegate = StoreFacts {
            membership: Membership::Delegate,
            ..STORE
        };
        assert_eq!(
            relation(&person("dev@agency.example", None, &[]), delegate),
            Some(Relation::Delegate)
        );
        assert_eq!(
            relation(
                &person("pm@partner.example", Some(StaffRole::PartnerManager), &[7]),
                STORE
            ),
            Some(Relation::PartnerManager)
        );
        assert_eq!(
            relation(
                &person("support@platform.example", Some(StaffRole::Support), &[]),
                STORE
            ),
            Some(Relation::Support)
        );
    }

    #[test]
    fn strangers_other_partners_and_operators_get_nothing() {
        assert_eq!(
            relation(&person("someone@else.example", None, &[]), STORE),
            None
        );
        assert_eq!(
            relation(
                &person("pm@other.example", Some(StaffRole::PartnerManager), &[8]),
                STORE
            ),
            None
        );
        let no_partner = StoreFacts {
            partner_id: None,
            ..STORE
        };
        assert_eq!(
            relation(
                &person("pm@partner.example", Some(StaffRole::PartnerManager), &[7]),
                no_partner
            ),
            None
        );
        assert_eq!(
            relation(
                &person("ops@platform.example", Some(StaffRole::Operator), &[]),
                STORE
            ),
            None
        );
    }

    #[test]
    fn only_the_admin_can_act_and_the_delegate_can_work() {
        assert!(Relation::Admin.can_act());
        assert!(Relation::Admin.can_work() && Relation::Delegate.can_work());
        for r in [
            Relation::Delegate,
            Relation::Member,
            Relation::PartnerManager,
            Relation::Support,
        ] {
            assert!(!r.can_act());
        }
        for r in [
            Relation::Member,
            Relation::PartnerManager,
            Relation::Support,
        ] {
            assert!(!r.can_work());
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("admin"), None);
    }
}
