//! The switch-off rehearsal: a store admin asks the platform to refuse the legacy store's
//! calls for 15, 30 or 60 minutes at a chosen time, and afterwards reads what was refused.
//! Nothing refused means nothing still uses the legacy store; anything refused names what
//! would break at the sunset, while there is still time to fix it.

/// The lengths a rehearsal may have, in minutes.
pub const MINUTES: [i64; 3] = [15, 30, 60];

/// A rehearsal starts at least this long after it is scheduled (seconds), so whoever
/// looks after the shop can be told.
pub const MIN_LEAD: i64 = 3_600;

/// No rehearsal within this many days before the sunset: the days for fixing what it
/// found.
pub const SUNSET_MARGIN_DAYS: i64 = 7;

/// Before the start, the admin is reminded this long ahead (seconds), each once; a point
/// already past when it was scheduled is skipped.
pub const REMINDERS: [(i64, &str); 2] = [(86_400, "24h"), (3_600, "1h")];

/// Why a rehearsal cannot be scheduled as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not 15, 30 or 60 minutes.
    Length,
    /// Less than an hour ahead (or in the past).
    TooSoon,
    /// Within the last 7 days before the sunset, or after it.
    NearSunset,
    /// The store already has one scheduled or running.
    AlreadyScheduled,
    /// It started already: it can no longer be cancelled.
    Started,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Length => "rehearsal.refused.length",
            Refusal::TooSoon => "rehearsal.refused.too_soon",
            Refusal::NearSunset => "rehearsal.refused.near_sunset",
            Refusal::AlreadyScheduled => "rehearsal.refused.already",
            Refusal::Started => "rehearsal.refused.started",
        }
    }
}

/// Checks a rehearsal of `minutes` from `starts_at` (unix seconds), asked at `now`, for a
/// legacy store closing at `sunset_at`.
pub fn check(
    starts_at: i64,
    minutes: i64,
    now: i64,
    sunset_at: Option<i64>,
) -> Result<(), Refusal> {
    if !MINUTES.contains(&minutes) {
        return Err(Refusal::Length);
    }
    if starts_at < now + MIN_LEAD {
        return Err(Refusal::TooSoon);
    }
    if sunset_at.is_some_and(|s| starts_at + minutes * 60 > s - SUNSET_MARGIN_DAYS * 86_400) {
        return Err(Refusal::NearSunset);
    }
    Ok(())
}

/// Where a rehearsal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Scheduled,
    Running,
    /// Its window has passed; the report may still be written.
    Ended,
    Cancelled,
}

impl State {
    pub fn of(starts_at: i64, ends_at: i64, cancelled: bool, now: i64) -> State {
        match () {
            () if cancelled => State::Cancelled,
            () if now < starts_at => State::Scheduled,
            () if now < ends_at => State::Running,
            () => State::Ended,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            State::Scheduled => "rehearsal.state.scheduled",
            State::Running => "rehearsal.state.running",
            State::Ended => "rehearsal.state.ended",
            State::Cancelled => "rehearsal.state.cancelled",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Scheduled => "scheduled",
            State::Running => "running",
            State::Ended => "ended",
            State::Cancelled => "cancelled",
        }
    }
}

/// The reminders due at `now` for a rehearsal starting at `starts_at` and scheduled at
/// `scheduled_at`: each point reached and not past the start, unless it had passed when
/// the rehearsal was scheduled.
pub fn reminders_due(starts_at: i64, scheduled_at: i64, now: i64) -> Vec<&'static str> {
    REMINDERS
        .iter()
        .filter(|(ahead, _)| {
            let at = starts_at - ahead;
            at > scheduled_at && at <= now && now < starts_at
        })
        .map(|(_, name)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000 * 86_400;

    #[test]
    fn a_rehearsal_is_an_allowed_length_an_hour_ahead_and_clear_of_the_sunsets_last_week() {
        let sunset = Some(NOW + 30 * 86_400);
        assert_eq!(check(NOW + 3_600, 30, NOW, sunset), Ok(()));
        assert_eq!(check(NOW + 3_600, 45, NOW, sunset), Err(Refusal::Length));
        assert_eq!(check(NOW + 3_599, 15, NOW, sunset), Err(Refusal::TooSoon));
        assert_eq!(check(NOW - 60, 15, NOW, sunset), Err(Refusal::TooSoon));
        // The last hour allowed ends exactly 7 days before the sunset.
        let last = NOW + 23 * 86_400 - 3_600;
        assert_eq!(check(last, 60, NOW, sunset), Ok(()));
        assert_eq!(check(last + 60, 60, NOW, sunset), Err(Refusal::NearSunset));
        assert_eq!(
            check(NOW + 40 * 86_400, 15, NOW, sunset),
            Err(Refusal::NearSunset)
        );
        assert_eq!(check(NOW + 40 * 86_400, 15, NOW, None), Ok(()));
    }

    #[test]
    fn the_state_follows_the_clock_unless_cancelled() {
        let (s, e) = (NOW + 100, NOW + 200);
        assert_eq!(State::of(s, e, false, NOW), State::Scheduled);
        assert_eq!(State::of(s, e, false, s), State::Running);
        assert_eq!(State::of(s, e, false, e), State::Ended);
        assert_eq!(State::of(s, e, true, s), State::Cancelled);
    }

    #[test]
    fn each_reminder_is_due_once_its_time_comes_unless_it_had_passed_at_scheduling() {
        let starts = NOW + 2 * 86_400;
        assert!(reminders_due(starts, NOW, NOW).is_empty());
        assert_eq!(reminders_due(starts, NOW, starts - 86_400), ["24h"]);
        assert_eq!(reminders_due(starts, NOW, starts - 600), ["24h", "1h"]);
        assert!(
            reminders_due(starts, NOW, starts).is_empty(),
            "not after the start"
        );
        // Scheduled 2 hours ahead: the 24-hour point had passed.
        assert_eq!(reminders_due(NOW + 7_200, NOW, NOW + 3_600), ["1h"]);
    }
}
