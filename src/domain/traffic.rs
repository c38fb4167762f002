//! What a store's integrations still call, per service: which ID each uses (the legacy
//! store's or a new merchant ID), when it was last seen, how often lately, and what that
//! asks of the merchant. One detected order proves one checkout path; this shows whether
//! the store has moved: an order management never set up on the new ID, or a storefront
//! still on the old plugin, shows here as a service still calling the legacy store.
//!
//! The figures come from the platform's events: orders (`order.created`, the checkout
//! service) and API calls (`api.call`, naming their service).

/// Days that count as "lately": a legacy ID called within them still needs moving.
pub const RECENT_DAYS: i64 = 7;

/// A service of the platform's API, as `api.call` events name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    Checkout,
    OrderManagement,
    Settlement,
}

impl Service {
    pub const ALL: [Service; 3] = [
        Service::Checkout,
        Service::OrderManagement,
        Service::Settlement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Checkout => "checkout",
            Service::OrderManagement => "order_management",
            Service::Settlement => "settlement",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The message key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Service::Checkout => "traffic.service.checkout",
            Service::OrderManagement => "traffic.service.order_management",
            Service::Settlement => "traffic.service.settlement",
        }
    }
}

/// One service's use of one ID, summed from the platform's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub service: Service,
    /// The ID the calls were made with: a legacy store ID (digits) or a merchant ID.
    pub subject: String,
    /// Unix seconds of the latest call.
    pub last_at: i64,
    /// Calls (and orders) in the last [`RECENT_DAYS`] days, today included.
    pub recent: i64,
    /// Calls that succeeded (and orders), ever.
    pub succeeded: i64,
    /// The user agent of the latest call, when the platform said.
    pub user_agent: Option<String>,
}

impl Use {
    /// Whether the calls were made with the legacy store's ID (digits only; a merchant ID
    /// starts with letters).
    pub fn is_legacy(&self) -> bool {
        self.subject.bytes().all(|b| b.is_ascii_digit())
    }
}

/// What a row of the table asks of the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Still calling the legacy store lately: move this service to the new ID.
    Move,
    /// Called the legacy store once, not lately.
    Stopped,
    /// In use on the new ID.
    InUse,
    /// Never seen on the new ID: set it up with the new credentials.
    NotSeen,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Move => "traffic.verdict.move",
            Verdict::Stopped => "traffic.verdict.stopped",
            Verdict::InUse => "traffic.verdict.in_use",
            Verdict::NotSeen => "traffic.verdict.not_seen",
        }
    }

    /// Its name in the partner API.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Move => "move",
            Verdict::Stopped => "stopped",
            Verdict::InUse => "in_use",
            Verdict::NotSeen => "not_seen",
        }
    }

    /// Whether the merchant has something to do.
    pub fn needs_action(self) -> bool {
        matches!(self, Verdict::Move | Verdict::NotSeen)
    }
}

/// A row of the per-store table: service | ID it uses | last seen | calls lately | action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub service: Service,
    /// `None` on a "not seen on the new ID" row.
    pub subject: Option<String>,
    pub last_at: Option<i64>,
    pub recent: i64,
    pub user_agent: Option<String>,
    pub verdict: Verdict,
}

/// The table for a store, service by service: the legacy ID's use, if it was ever used,
/// then each new ID's. A store that has a new ID gets a "not seen" row for each service
/// no new ID has been used for, as long as the legacy store was used for it or the
/// upgrade is complete (every store needs all three afterwards).
pub fn table(uses: &[Use], has_new_id: bool, complete: bool) -> Vec<Row> {
    let mut rows = Vec::new();
    for service in Service::ALL {
        let mine: Vec<&Use> = uses.iter().filter(|u| u.service == service).collect();
        let (legacy, new): (Vec<&Use>, Vec<&Use>) = mine.iter().partition(|u| u.is_legacy());
        for u in legacy.iter().chain(new.iter()) {
            let verdict = match (u.is_legacy(), u.recent > 0) {
                (true, true) => Verdict::Move,
                (true, false) => Verdict::Stopped,
                (false, _) => Verdict::InUse,
            };
            rows.push(Row {
                service,
                subject: Some(u.subject.clone()),
                last_at: Some(u.last_at),
                recent: u.recent,
                user_agent: u.user_agent.clone(),
                verdict,
            });
        }
        if has_new_id && new.is_empty() && (!legacy.is_empty() || complete) {
            rows.push(Row {
                service,
                subject: None,
                last_at: None,
                recent: 0,
                user_agent: None,
                verdict: Verdict::NotSeen,
            });
        }
    }
    rows
}

/// Whether a legacy ID was called lately, for any service.
pub fn legacy_in_use(uses: &[Use]) -> bool {
    uses.iter().any(|u| u.is_legacy() && u.recent > 0)
}

/// What a store's partner is told of its legacy ID's use, by webhook: it stopped (no call
/// for [`RECENT_DAYS`] days) or, after that, it resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyNews {
    Stopped,
    Resumed,
}

impl LegacyNews {
    /// As stored in `stores.legacy_told`.
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyNews::Stopped => "stopped",
            LegacyNews::Resumed => "resumed",
        }
    }

    /// The webhook event's type.
    pub fn event_type(self) -> &'static str {
        match self {
            LegacyNews::Stopped => "store.legacy_traffic_stopped",
            LegacyNews::Resumed => "store.legacy_traffic_resumed",
        }
    }
}

/// The time before which a legacy call no longer counts as lately, at `now`: the start
/// of the oldest day of the [`RECENT_DAYS`] days counted (today included).
pub fn recent_since(now: i64) -> i64 {
    (now.div_euclid(86_400) - (RECENT_DAYS - 1)) * 86_400
}

/// What real traffic has proven works on the new IDs: each service counts once a call
/// with a new ID succeeded (an order is a successful checkout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub checkout: bool,
    pub order_management: bool,
    pub settlement: bool,
}

impl Capabilities {
    pub fn of(uses: &[Use]) -> Capabilities {
        let proven = |service: Service| {
            uses.iter()
                .any(|u| u.service == service && !u.is_legacy() && u.succeeded > 0)
        };
        Capabilities {
            checkout: proven(Service::Checkout),
            order_management: proven(Service::OrderManagement),
            settlement: proven(Service::Settlement),
        }
    }

    /// Each service and whether it is proven, in the table's order.
    pub fn each(self) -> [(Service, bool); 3] {
        [
            (Service::Checkout, self.checkout),
            (Service::OrderManagement, self.order_management),
            (Service::Settlement, self.settlement),
        ]
    }

    /// Checkout works on the new ID but order management was never seen there: captures
    /// and refunds will fail while checkout works, the commonest silent failure.
    pub fn order_management_missing(self) -> bool {
        self.checkout && !self.order_management
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(service: Service, subject: &str, recent: i64, succeeded: i64) -> Use {
        Use {
            service,
            subject: subject.into(),
            last_at: 1_000,
            recent,
            succeeded,
            user_agent: None,
        }
    }

    #[test]
    fn a_legacy_id_called_lately_must_move_and_one_called_long_ago_has_stopped() {
        let uses = [
            used(Service::Checkout, "4711", 3, 3),
            used(Service::OrderManagement, "4711", 0, 5),
        ];
        let rows = table(&uses, false, false);
        let verdicts: Vec<_> = rows.iter().map(|r| (r.service, r.verdict)).collect();
        assert_eq!(
            verdicts,
            [
                (Service::Checkout, Verdict::Move),
                (Service::OrderManagement, Verdict::Stopped)
            ]
        );
        assert!(legacy_in_use(&uses));
        assert!(!legacy_in_use(&uses[1..]));
    }

    #[test]
    fn with_a_new_id_a_service_used_on_the_legacy_store_but_not_on_it_is_not_seen() {
        let uses = [
            used(Service::Checkout, "4711", 1, 1),
            used(Service::Checkout, "K123456", 2, 2),
            used(Service::Settlement, "4711", 0, 1),
        ];
        let rows = table(&uses, true, false);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.service, r.subject.as_deref(), r.verdict))
            .collect();
        assert_eq!(
            got,
            [
                (Service::Checkout, Some("4711"), Verdict::Move),
                (Service::Checkout, Some("K123456"), Verdict::InUse),
                (Service::Settlement, Some("4711"), Verdict::Stopped),
                (Service::Settlement, None, Verdict::NotSeen),
            ]
        );
        // Once complete, every service is expected on the new ID.
        let rows = table(&uses, true, true);
        assert!(
            rows.iter()
                .any(|r| r.service == Service::OrderManagement && r.verdict == Verdict::NotSeen)
        );
        // Without a new ID there is nothing to say about one.
        assert!(
            table(&uses, false, true)
                .iter()
                .all(|r| r.subject.is_some())
        );
    }

    #[test]
    fn only_successful_traffic_on_a_new_id_proves_a_capability() {
        let uses = [
            used(Service::Checkout, "K123456", 1, 1),
            used(Service::OrderManagement, "K123456", 2, 0),
            used(Service::OrderManagement, "4711", 2, 2),
            used(Service::Settlement, "PK12345", 0, 1),
        ];
        let c = Capabilities::of(&uses);
        assert_eq!(
            c,
            Capabilities {
                checkout: true,
                order_management: false,
                settlement: true
            }
        );
        assert!(c.order_management_missing());
        assert!(!Capabilities::default().order_management_missing());
    }

    #[test]
    fn services_parse_back() {
        for s in Service::ALL {
            assert_eq!(Service::parse(s.as_str()), Some(s));
        }
        assert_eq!(Service::parse("payments"), None);
    }
}
