//! An order at the platform, as its order-management API sees it: what each action
//! (capture, cancel, refund, extend, restore) may do in each state. Pure, so the sandbox serves
//! it and the pages can say in advance what is allowed.

/// Orders expire this long after creation unless captured.
pub const EXPIRY_SECONDS: i64 = 28 * 86_400;
/// One extension adds this much time.
pub const EXTENSION_SECONDS: i64 = 28 * 86_400;
/// No authorization lives longer than this after creation, however often extended.
pub const MAX_LIFETIME_SECONDS: i64 = 180 * 86_400;
/// Authorizations this close to expiring are pointed out on the dashboards.
pub const EXPIRY_WARNING_SECONDS: i64 = 7 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Authorized,
    PartCaptured,
    Captured,
    Cancelled,
    Expired,
    Refunded,
}

/// What became of the order that completed an upgrade (Switchyard's record of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestOrder {
    /// Detected; the admin is asked to cancel it.
    Open,
    Cancelled,
    /// The authorization lapsed before it was cancelled: nobody is charged.
    Expired,
    /// It was captured, so it cannot be cancelled: a refund is needed.
    Captured,
    Refunded,
}

impl TestOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Captured => "captured",
            Self::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Open,
            Self::Cancelled,
            Self::Expired,
            Self::Captured,
            Self::Refunded,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorized => "authorized",
            Self::PartCaptured => "part-captured",
            Self::Captured => "captured",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "authorized" => Self::Authorized,
            "part-captured" => Self::PartCaptured,
            "captured" => Self::Captured,
            "cancelled" => Self::Cancelled,
            "expired" => Self::Expired,
            "refunded" => Self::Refunded,
            _ => return None,
        })
    }
}

/// The money of an order, in minor units, and its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub amount: i64,
    pub captured: i64,
    pub refunded: i64,
    pub cancelled: bool,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Capture(i64),
    Cancel,
    Refund(i64),
    Extend,
    /// An uncaptured order the platform cancelled at expiry, authorized again.
    Restore,
}

/// Why an action is not allowed; `code` is what the platform's API answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderRefusal {
    #[error("the order was captured, so it cannot be cancelled; refund it instead")]
    Captured,
    #[error("the order is cancelled")]
    Cancelled,
    #[error("the authorization has expired")]
    Expired,
    #[error("nothing has been captured, so there is nothing to refund")]
    NotCaptured,
    #[error("the amount must be a positive number of minor units")]
    InvalidAmount,
    #[error("the amount is more than what is left to capture")]
    CaptureExceedsRemaining,
    #[error("the amount is more than what is left to refund")]
    RefundExceedsCaptured,
    #[error("the order is fully captured; there is nothing left to keep authorized")]
    FullyCaptured,
    #[error("the authorization cannot be extended beyond 180 days after the order")]
    ExtensionLimit,
    #[error("the order has not expired, so there is nothing to restore; extend it instead")]
    NotExpired,
    #[error("the order was captured, so it cannot be restored")]
    RestoreCaptured,
    #[error("the order was cancelled by hand, so it cannot be restored")]
    RestoreCancelled,
}

impl OrderRefusal {
    /// The key of the reason in the interface's languages.
    pub fn key(self) -> &'static str {
        match self {
            Self::Captured => "order_refusal.captured",
            Self::Cancelled => "order_refusal.cancelled",
            Self::Expired => "order_refusal.expired",
            Self::NotCaptured => "order_refusal.not_captured",
            Self::InvalidAmount => "order_refusal.invalid_amount",
            Self::CaptureExceedsRemaining => "order_refusal.capture_exceeds",
            Self::RefundExceedsCaptured => "order_refusal.refund_exceeds",
            Self::FullyCaptured => "order_refusal.fully_captured",
            Self::ExtensionLimit => "order_refusal.extension_limit",
            Self::NotExpired => "order_refusal.restore.not_expired",
            Self::RestoreCaptured => "order_refusal.restore.captured",
            Self::RestoreCancelled => "order_refusal.restore.cancelled",
        }
    }

    /// The refusal the platform's API names with `code`, if it is one of ours.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Captured,
            Self::Cancelled,
            Self::Expired,
            Self::NotCaptured,
            Self::InvalidAmount,
            Self::CaptureExceedsRemaining,
            Self::RefundExceedsCaptured,
            Self::FullyCaptured,
            Self::ExtensionLimit,
            Self::NotExpired,
            Self::RestoreCaptured,
            Self::RestoreCancelled,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Captured => "CAPTURED",
            Self::Cancelled => "CANCELLED",
            Self::Expired => "EXPIRED",
            Self::NotCaptured => "NOT_CAPTURED",
            Self::InvalidAmount => "INVALID_AMOUNT",
            Self::CaptureExceedsRemaining => "CAPTURE_NOT_ALLOWED",
            Self::RefundExceedsCaptured => "REFUND_NOT_ALLOWED",
            Self::FullyCaptured => "FULLY_CAPTURED",
            Self::ExtensionLimit => "EXTENSION_LIMIT",
            Self::NotExpired => "NOT_EXPIRED",
            Self::RestoreCaptured => "RESTORE_CAPTURED",
            Self::RestoreCancelled => "RESTORE_CANCELLED",
        }
    }
}

impl Order {
    /// A new authorization for `amount`, created at `now`.
    pub fn authorize(amount: i64, now: i64) -> Self {
        Order {
            amount,
            captured: 0,
            refunded: 0,
            cancelled: false,
            created_at: now,
            expires_at: now + EXPIRY_SECONDS,
        }
    }

    pub fn status(&self, now: i64) -> OrderStatus {
        if self.cancelled {
            OrderStatus::Cancelled
        } else if self.captured > 0 && self.refunded >= self.captured {
            OrderStatus::Refunded
        } else if self.captured >= self.amount {
            OrderStatus::Captured
        } else if self.captured > 0 {
            OrderStatus::PartCaptured
        } else if now >= self.expires_at {
            OrderStatus::Expired
        } else {
            OrderStatus::Authorized
        }
    }

    /// The order after `action`, or why the action is not allowed.
    pub fn apply(&self, action: OrderAction, now: i64) -> Result<Order, OrderRefusal> {
        let status = self.status(now);
        let mut next = *self;
        match action {
            OrderAction::Cancel => match status {
                OrderStatus::Authorized => next.cancelled = true,
                OrderStatus::Cancelled => {} // cancelling twice is a no-op, not an error
                OrderStatus::Expired => return Err(OrderRefusal::Expired),
                _ => return Err(OrderRefusal::Captured),
            },
            OrderAction::Capture(amount) => {
                self.usable(status, now)?;
                if amount <= 0 {
                    return Err(OrderRefusal::InvalidAmount);
                }
                if amount > self.amount - self.captured {
                    return Err(OrderRefusal::CaptureExceedsRemaining);
                }
                next.captured += amount;
            }
            OrderAction::Refund(amount) => {
                if self.captured == 0 {
                    return Err(match status {
                        OrderStatus::Cancelled => OrderRefusal::Cancelled,
                        _ => OrderRefusal::NotCaptured,
                    });
                }
                if amount <= 0 {
                    return Err(OrderRefusal::InvalidAmount);
                }
                if amount > self.captured - self.refunded {
                    return Err(OrderRefusal::RefundExceedsCaptured);
                }
                next.refunded += amount;
            }
            OrderAction::Extend => {
                self.usable(status, now)?;
                let limit = self.created_at + MAX_LIFETIME_SECONDS;
                if self.expires_at >= limit {
                    return Err(OrderRefusal::ExtensionLimit);
                }
                next.expires_at = (self.expires_at + EXTENSION_SECONDS).min(limit);
            }
            OrderAction::Restore => {
                match status {
                    OrderStatus::Expired => {}
                    OrderStatus::Authorized => return Err(OrderRefusal::NotExpired),
                    OrderStatus::Cancelled => return Err(OrderRefusal::RestoreCancelled),
                    _ => return Err(OrderRefusal::RestoreCaptured),
                }
                let limit = self.created_at + MAX_LIFETIME_SECONDS;
                if now >= limit {
                    return Err(OrderRefusal::ExtensionLimit);
                }
                next.expires_at = (now + EXPIRY_SECONDS).min(limit);
            }
        }
        Ok(next)
    }

    /// The order's state as one word: two forms sent from the same state carry the same
    /// version, so the platform sees a resubmitted form as a replay, not a new request.
    pub fn version(&self) -> String {
        version(
            self.captured,
            self.refunded,
            self.cancelled,
            self.expires_at,
        )
    }

    /// Capture and extension need a live, not fully captured authorization: what is
    /// left of a part-captured order expires too.
    fn usable(&self, status: OrderStatus, now: i64) -> Result<(), OrderRefusal> {
        match status {
            OrderStatus::Authorized | OrderStatus::PartCaptured if now >= self.expires_at => {
                Err(OrderRefusal::Expired)
            }
            OrderStatus::Authorized | OrderStatus::PartCaptured => Ok(()),
            OrderStatus::Cancelled => Err(OrderRefusal::Cancelled),
            OrderStatus::Expired => Err(OrderRefusal::Expired),
            OrderStatus::Captured | OrderStatus::Refunded => Err(OrderRefusal::FullyCaptured),
        }
    }
}

/// An order as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemoteOrder {
    pub order_id: String,
    pub merchant_id: String,
    pub environment: String,
    pub status: String,
    pub order_amount: i64,
    pub captured_amount: i64,
    pub refunded_amount: i64,
    pub currency: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// [`Order::version`] from an order's columns.
pub fn version(captured: i64, refunded: i64, cancelled: bool, expires_at: i64) -> String {
    format!("{captured}-{refunded}-{}-{expires_at}", u8::from(cancelled))
}

impl RemoteOrder {
    pub fn status(&self) -> Option<OrderStatus> {
        OrderStatus::parse(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::{OrderAction::*, OrderRefusal as R, OrderStatus as S, *};

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn an_authorization_can_be_cancelled_once_and_cancelling_again_changes_nothing() {
        let o = Order::authorize(1000, NOW);
        let cancelled = o.apply(Cancel, NOW).unwrap();
        assert_eq!(cancelled.status(NOW), S::Cancelled);
        assert_eq!(cancelled.apply(Cancel, NOW), Ok(cancelled));
        assert_eq!(cancelled.apply(Capture(1000), NOW), Err(R::Cancelled));
        assert_eq!(cancelled.apply(Refund(1000), NOW), Err(R::Cancelled));
    }

    #[test]
    fn a_captured_order_cannot_be_cancelled_only_refunded() {
        let o = Order::authorize(1000, NOW)
            .apply(Capture(1000), NOW)
            .unwrap();
        assert_eq!(o.status(NOW), S::Captured);
        assert_eq!(o.apply(Cancel, NOW), Err(R::Captured));
        let part = o.apply(Refund(400), NOW).unwrap();
        assert_eq!(part.status(NOW), S::Captured);
        assert_eq!(part.apply(Refund(601), NOW), Err(R::RefundExceedsCaptured));
        assert_eq!(
            part.apply(Refund(600), NOW).unwrap().status(NOW),
            S::Refunded
        );
    }

    #[test]
    fn partial_capture_leaves_the_rest_to_capture() {
        let o = Order::authorize(1000, NOW)
            .apply(Capture(300), NOW)
            .unwrap();
        assert_eq!(o.status(NOW), S::PartCaptured);
        assert_eq!(o.apply(Cancel, NOW), Err(R::Captured));
        assert_eq!(o.apply(Capture(701), NOW), Err(R::CaptureExceedsRemaining));
        assert_eq!(o.apply(Capture(0), NOW), Err(R::InvalidAmount));
        assert_eq!(o.apply(Capture(700), NOW).unwrap().status(NOW), S::Captured);
        // What is left expires like any authorization; the captured part stays.
        let later = NOW + EXPIRY_SECONDS;
        assert_eq!(o.status(later), S::PartCaptured);
        assert_eq!(o.apply(Capture(700), later), Err(R::Expired));
        assert_eq!(o.apply(Extend, later), Err(R::Expired));
        assert!(o.apply(Refund(300), later).is_ok());
    }

    #[test]
    fn an_uncaptured_order_expires_after_28_days_unless_extended_in_time() {
        let o = Order::authorize(1000, NOW);
        let later = NOW + EXPIRY_SECONDS;
        assert_eq!(o.status(later - 1), S::Authorized);
        assert_eq!(o.status(later), S::Expired);
        assert_eq!(o.apply(Cancel, later), Err(R::Expired));
        assert_eq!(o.apply(Capture(1), later), Err(R::Expired));
        assert_eq!(o.apply(Extend, later), Err(R::Expired));
        let extended = o.apply(Extend, later - 1).unwrap();
        assert_eq!(extended.status(later), S::Authorized);
    }

    #[test]
    fn extensions_stop_at_180_days() {
        let mut o = Order::authorize(1000, NOW);
        while let Ok(next) = o.apply(Extend, NOW) {
            o = next;
        }
        assert_eq!(o.expires_at, NOW + MAX_LIFETIME_SECONDS);
        assert_eq!(o.apply(Extend, NOW), Err(R::ExtensionLimit));
    }

    #[test]
    fn an_order_extended_in_time_moves_its_expiry_each_time() {
        let mut o = Order::authorize(1000, NOW);
        for n in 1..=3 {
            let next = o.apply(Extend, NOW).unwrap();
            assert_eq!(
                next.expires_at,
                NOW + EXPIRY_SECONDS + n * EXTENSION_SECONDS
            );
            assert_ne!(next.version(), o.version());
            o = next;
        }
    }

    #[test]
    fn only_an_order_cancelled_at_expiry_can_be_restored_for_28_days_from_now() {
        let o = Order::authorize(1000, NOW);
        assert_eq!(o.apply(Restore, NOW), Err(R::NotExpired));
        let later = NOW + EXPIRY_SECONDS + 86_400;
        let restored = o.apply(Restore, later).unwrap();
        assert_eq!(restored.status(later), S::Authorized);
        assert_eq!(restored.expires_at, later + EXPIRY_SECONDS);
        let by_hand = o.apply(Cancel, NOW).unwrap();
        assert_eq!(by_hand.apply(Restore, later), Err(R::RestoreCancelled));
        let captured = o.apply(Capture(1000), NOW).unwrap();
        assert_eq!(captured.apply(Restore, later), Err(R::RestoreCaptured));
        let refunded = captured.apply(Refund(1000), NOW).unwrap();
        assert_eq!(refunded.apply(Restore, later), Err(R::RestoreCaptured));
        let too_old = NOW + MAX_LIFETIME_SECONDS;
        assert_eq!(o.apply(Restore, too_old), Err(R::ExtensionLimit));
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in [
            S::Authorized,
            S::PartCaptured,
            S::Captured,
            S::Cancelled,
            S::Expired,
            S::Refunded,
        ] {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }
}
