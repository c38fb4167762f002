//! Delivering outbox jobs: why an attempt failed, and when to try again.

/// Why a webhook delivery failed, kept as a short code so the partner's page can say
/// it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The endpoint answered with a status other than 2xx.
    Status(u16),
    /// No complete answer within the attempt's deadline.
    Timeout,
    /// No connection (refused, unreachable, TLS failed).
    Connect,
    /// Anything else on the way (a broken response, a refused address).
    Other,
}

impl Failure {
    pub fn code(&self) -> String {
        match self {
            Failure::Status(s) => format!("status:{s}"),
            Failure::Timeout => "timeout".into(),
            Failure::Connect => "connect".into(),
            Failure::Other => "error".into(),
        }
    }

    /// Reads a stored code; an unknown one reads as [`Failure::Other`].
    pub fn parse(code: &str) -> Self {
        match code {
            "timeout" => Failure::Timeout,
            "connect" => Failure::Connect,
            _ => code
                .strip_prefix("status:")
                .and_then(|s| s.parse().ok())
                .map_or(Failure::Other, Failure::Status),
        }
    }
}

/// The longest wait between two attempts.
pub const MAX_DELAY_SECONDS: i64 = 3600;

/// Seconds to wait after `attempts` failures: `base`, doubling per failure up to an
/// hour, of which a random part (`jitter`, from 0 to 1) takes off up to half, so rows
/// that failed together (a relay outage) do not all come back in the same second.
pub fn backoff(attempts: i64, base: i64, jitter: f64) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    let full = base
        .max(1)
        .saturating_mul(1_i64 << exp)
        .min(MAX_DELAY_SECONDS);
    let half = full / 2;
    full - (half as f64 * jitter.clamp(0.0, 1.0)).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour_and_jitter_takes_off_at_most_half() {
        let no_jitter: Vec<i64> = (1..=4).map(|n| backoff(n, 10, 0.0)).collect();
        assert_eq!(no_jitter, [10, 20, 40, 80]);
        let most_jitter: Vec<i64> = (1..=4).map(|n| backoff(n, 10, 1.0)).collect();
        assert_eq!(most_jitter, [5, 10, 20, 40]);
        assert_eq!(backoff(50, 10, 0.0), MAX_DELAY_SECONDS);
        assert_eq!(backoff(500, 10, 0.5), 2700);
        assert_eq!(backoff(1, 0, 0.0), 1, "never a retry in the same second");
    }

    #[test]
    fn failure_codes_read_back() {
        for f in [
            Failure::Status(503),
            Failure::Timeout,
            Failure::Connect,
            Failure::Other,
        ] {
            assert_eq!(Failure::parse(&f.code()), f);
        }
        assert_eq!(Failure::parse("nonsense"), Failure::Other);
    }
}
