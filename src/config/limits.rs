//! Rate limits: how many of each thing a person or a store may do per window.

/// A limit: at most `max` events per `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window: i64,
}

/// Every rate limit, per window of seconds: each lives here, so the purge knows how long
/// a count may still matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub sign_in_per_email: Limit,
    pub sign_in_per_ip: Limit,
    pub confirm_per_ip: Limit,
    /// Store health checks per admin: each one makes outgoing requests.
    pub health_checks_per_person: Limit,
    /// Support requests per store.
    pub support_requests_per_store: Limit,
}

impl RateLimits {
    /// The longest window of any limit: a count older than this counts for none.
    pub fn longest_window(&self) -> i64 {
        [
            self.sign_in_per_email,
            self.sign_in_per_ip,
            self.confirm_per_ip,
            self.health_checks_per_person,
            self.support_requests_per_store,
        ]
        .iter()
        .map(|l| l.window)
        .max()
        .unwrap_or(0)
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            sign_in_per_email: Limit {
                max: 5,
                window: 15 * 60,
            },
            sign_in_per_ip: Limit {
                max: 30,
                window: 15 * 60,
            },
            confirm_per_ip: Limit {
                max: 30,
                window: 15 * 60,
            },
            health_checks_per_person: Limit {
                max: 20,
                window: 60 * 60,
            },
            support_requests_per_store: Limit {
                max: 10,
                window: 24 * 60 * 60,
            },
        }
    }
}
