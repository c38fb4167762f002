//! The pace of a cohort's upgrades, and what it means for the sunset: at the rate of the
//! last four full weeks, how many stores will still be unfinished when the legacy system
//! stops. A forecast a partner manager can act on (nudge, call), not a promise.

/// Weeks of completions the pace is taken from.
pub const PACE_WEEKS: i64 = 4;

/// Where the current pace leads by the sunset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Projection {
    /// Completions in the last [`PACE_WEEKS`] full weeks.
    pub recent: i64,
    /// Of the unfinished stores, how many finish by the sunset at that pace.
    pub finishing: i64,
    /// Stores that will not finish by the sunset at that pace.
    pub not_finishing: i64,
    /// Whole days from today to the sunset.
    pub days_left: i64,
}

impl Projection {
    /// Completions per week at this pace (for the chart's projected line).
    pub fn per_week(&self) -> f64 {
        self.recent as f64 / PACE_WEEKS as f64
    }
}

/// The projection for `unfinished` stores, `recent` completions in the last
/// [`PACE_WEEKS`] full weeks, and `days_left` days to the sunset. Counted in whole stores
/// (rounded down: a store half-way through is not finished); nothing finishes once the
/// sunset has come, and no more finish than there are.
pub fn project(unfinished: i64, recent: i64, days_left: i64) -> Projection {
    let unfinished = unfinished.max(0);
    let (recent, days_left) = (recent.max(0), days_left.max(0));
    let at_pace = i128::from(recent) * i128::from(days_left) / i128::from(PACE_WEEKS * 7);
    let finishing = i64::try_from(at_pace.min(i128::from(unfinished))).unwrap_or(unfinished);
    Projection {
        recent,
        finishing,
        not_finishing: unfinished - finishing,
        days_left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_four_weeks_pace_runs_on_to_the_sunset() {
        // 40 in four weeks is 10 a week; 10 weeks left finish 100 of 250.
        let p = project(250, 40, 70);
        assert_eq!((p.finishing, p.not_finishing), (100, 150));
        assert!((p.per_week() - 10.0).abs() < f64::EPSILON);
        // Part of a week counts by its days, rounded down to whole stores: 10 a week
        // for 10 days is 14 (not 14.3).
        assert_eq!(project(250, 40, 10).finishing, 14);
    }

    #[test]
    fn no_more_finish_than_there_are_and_none_after_the_sunset() {
        assert_eq!(project(30, 400, 70).not_finishing, 0);
        assert_eq!(project(30, 400, 70).finishing, 30);
        assert_eq!(project(30, 40, 0).not_finishing, 30);
        assert_eq!(project(30, 40, -5).not_finishing, 30);
        assert_eq!(project(30, 0, 365).not_finishing, 30);
        assert_eq!(project(0, 10, 10).not_finishing, 0);
        let huge = project(i64::MAX, i64::MAX, i64::MAX);
        assert_eq!(huge.not_finishing, 0);
        assert_eq!(project(-3, -1, 5).not_finishing, 0);
    }
}
