//! The countdown to a legacy product's sunset: which reminder point a day is at, and
//! whether the legacy store is closed. The store closes at the start of the sunset day
//! (UTC); reminders come 90, 30, 7 and 1 days before.

use time::Date;

/// Days before the sunset at which banners change and reminder emails go out.
pub const POINTS: [i64; 4] = [90, 30, 7, 1];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// More than 90 days to go.
    Open { days_left: i64 },
    /// Within a reminder point: `point` is the nearest one reached (90, 30, 7 or 1).
    Countdown { point: i64, days_left: i64 },
    /// The sunset day has come: legacy actions are refused.
    Closed,
}

impl Phase {
    pub fn on(sunset: Date, today: Date) -> Phase {
        let days_left = (sunset - today).whole_days();
        if days_left <= 0 {
            return Phase::Closed;
        }
        match POINTS.iter().rev().find(|p| days_left <= **p) {
            Some(&point) => Phase::Countdown { point, days_left },
            None => Phase::Open { days_left },
        }
    }

    pub fn is_closed(self) -> bool {
        self == Phase::Closed
    }
}

/// Today in UTC.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_countdown_passes_each_point_and_closes_on_the_day() {
        let sunset = date!(2027 - 02 - 15);
        let on = |d| Phase::on(sunset, d);
        assert_eq!(on(date!(2026 - 11 - 16)), Phase::Open { days_left: 91 });
        assert_eq!(
            on(date!(2026 - 11 - 17)),
            Phase::Countdown {
                point: 90,
                days_left: 90
            }
        );
        assert_eq!(
            on(date!(2027 - 01 - 15)),
            Phase::Countdown {
                point: 90,
                days_left: 31
            }
        );
        assert_eq!(
            on(date!(2027 - 01 - 16)),
            Phase::Countdown {
                point: 30,
                days_left: 30
            }
        );
        assert_eq!(
            on(date!(2027 - 02 - 08)),
            Phase::Countdown {
                point: 7,
                days_left: 7
            }
        );
        assert_eq!(
            on(date!(2027 - 02 - 14)),
            Phase::Countdown {
                point: 1,
                days_left: 1
            }
        );
        assert!(on(date!(2027 - 02 - 15)).is_closed());
        assert!(on(date!(2027 - 06 - 01)).is_closed());
    }
}
