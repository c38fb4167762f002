//! The countdown to a legacy product's sunset: which reminder point a day is at, how
//! loud the countdown is, and whether the legacy store is closed. The store closes at the
//! start of the sunset day (UTC), so the day before it is the last one; reminders come 90,
//! 30, 7 and 1 days before.

use time::Date;

use super::access::Relation;

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

    /// How loud the countdown is: one level per reminder point.
    pub fn level(self) -> Level {
        match self {
            Phase::Open { .. } => Level::Normal,
            Phase::Countdown { point, .. } if point > 30 => Level::Notice,
            Phase::Countdown { point, .. } if point > 7 => Level::Warning,
            Phase::Countdown { point, .. } if point > 1 => Level::Urgent,
            Phase::Countdown { .. } => Level::Final,
            Phase::Closed => Level::Closed,
        }
    }

    /// Days until the store closes; none once it has.
    pub fn days_left(self) -> Option<i64> {
        match self {
            Phase::Open { days_left } | Phase::Countdown { days_left, .. } => Some(days_left),
            Phase::Closed => None,
        }
    }
}

/// How loud the countdown is where merchants look: each level is louder than the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// More than 90 days to go.
    Normal,
    /// 90 days or fewer.
    Notice,
    /// 30 days or fewer.
    Warning,
    /// 7 days or fewer.
    Urgent,
    /// The last day: the store closes tomorrow.
    Final,
    /// The sunset day has come.
    Closed,
}

impl Level {
    /// The level's name in pages (a class, a data attribute, a message key).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Normal => "normal",
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Urgent => "urgent",
            Level::Final => "final",
            Level::Closed => "closed",
        }
    }
}

/// The one rule for the legacy store's settlement reports: its people read and download
/// them (each format, the transaction export, the archive) until the sunset day; from
/// then on the store is closed to them. Support still reads them, so a merchant who
/// missed the date can ask for a copy.
pub fn reports_readable(phase: Option<Phase>, relation: Relation) -> bool {
    relation == Relation::Support || !phase.is_some_and(Phase::is_closed)
}

/// A day's start (00:00 UTC) in unix seconds, as the database keeps a store's own sunset.
pub fn at(day: Date) -> i64 {
    day.midnight().assume_utc().unix_timestamp()
}

/// The day starting at `seconds` (UTC).
pub fn day_of(seconds: i64) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .map(|t| t.date())
}

/// A store's sunset: its product's, or the store's own once an extension is approved,
/// whichever is later (an extension never brings the day closer).
pub fn of_store(product: Date, extended: Option<i64>) -> Date {
    extended
        .and_then(day_of)
        .map_or(product, |own| own.max(product))
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

    #[test]
    fn the_countdown_gets_louder_at_each_boundary() {
        let sunset = date!(2027 - 03 - 10);
        let level = |days: i64| Phase::on(sunset, sunset - time::Duration::days(days)).level();
        let expected = [
            (91, Level::Normal),
            (90, Level::Notice),
            (31, Level::Notice),
            (30, Level::Warning),
            (8, Level::Warning),
            (7, Level::Urgent),
            (2, Level::Urgent),
            (1, Level::Final),
            (0, Level::Closed),
            (-1, Level::Closed),
        ];
        for (days, want) in expected {
            assert_eq!(level(days), want, "{days} days before the sunset");
        }
        assert_eq!(Phase::on(sunset, sunset).days_left(), None);
        assert_eq!(
            Phase::on(sunset, date!(2027 - 03 - 03)).days_left(),
            Some(7)
        );
    }

    #[test]
    fn reports_are_readable_until_the_sunset_and_then_only_by_support() {
        let open = Some(Phase::Countdown {
            point: 1,
            days_left: 1,
        });
        for relation in [Relation::Admin, Relation::Member, Relation::Support] {
            assert!(reports_readable(open, relation));
            assert!(reports_readable(None, relation), "no sunset, never closed");
        }
        assert!(!reports_readable(Some(Phase::Closed), Relation::Admin));
        assert!(!reports_readable(Some(Phase::Closed), Relation::Member));
        assert!(reports_readable(Some(Phase::Closed), Relation::Support));
    }
}
