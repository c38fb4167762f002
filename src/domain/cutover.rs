//! The cutover meter: a store's live orders per day on the legacy store ID against its new
//! merchant ID, by the country they came from, from the upgrade to the sunset. Once the
//! upgrade is complete the legacy line should fall to zero; where it has not a week later,
//! a storefront or a country still runs the old plugin.

use std::collections::BTreeMap;

/// Days after completion within which legacy orders may still trickle in (orders placed
/// before the switch, a cache); an order on the legacy ID after them is an alert.
pub const GRACE_DAYS: i64 = 7;

/// The most points a meter draws: a longer span is summed into buckets of several days.
pub const MAX_POINTS: i64 = 60;

/// Live orders of one store on one day, on one side, from one country (`""`: not said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    /// Unix day (seconds / 86,400).
    pub day: i64,
    pub legacy: bool,
    pub country: String,
    pub orders: i64,
}

/// Orders from one country, on each side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryRow {
    /// ISO 3166-1 alpha-2, or `""` when the platform did not say.
    pub country: String,
    /// In the last [`GRACE_DAYS`] days, today included.
    pub legacy_recent: i64,
    pub new_recent: i64,
    /// Since the meter's first day.
    pub legacy_total: i64,
    pub new_total: i64,
}

/// One point of the chart: the orders of `days` days from `day` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub day: i64,
    pub legacy: i64,
    pub new: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    /// The first day drawn (the upgrade's start) and the last (the sunset, or today if
    /// that is later).
    pub from: i64,
    pub to: i64,
    /// Days per point.
    pub bucket: i64,
    pub points: Vec<Point>,
    /// Countries with most legacy orders lately first, then most orders in all.
    pub countries: Vec<CountryRow>,
}

impl Meter {
    /// The meter from day `from` to day `to` (at least `today`), of `counts`.
    pub fn of(counts: &[DayCount], from: i64, to: i64, today: i64) -> Meter {
        let to = to.max(today).max(from);
        let span = to - from + 1;
        let bucket = (span + MAX_POINTS - 1) / MAX_POINTS;
        let mut points: Vec<Point> = (0..(span + bucket - 1) / bucket)
            .map(|i| Point {
                day: from + i * bucket,
                legacy: 0,
                new: 0,
            })
            .collect();
        let mut countries: BTreeMap<&str, CountryRow> = BTreeMap::new();
        for c in counts.iter().filter(|c| c.day >= from && c.day <= to) {
            if let Some(p) = usize::try_from((c.day - from) / bucket)
                .ok()
                .and_then(|i| points.get_mut(i))
            {
                if c.legacy {
                    p.legacy += c.orders;
                } else {
                    p.new += c.orders;
                }
            }
            let row = countries.entry(&c.country).or_insert_with(|| CountryRow {
                country: c.country.clone(),
                ..CountryRow::default()
            });
            let recent = c.day > today - GRACE_DAYS;
            match (c.legacy, recent) {
                (true, true) => row.legacy_recent += c.orders,
                (false, true) => row.new_recent += c.orders,
                _ => {}
            }
            if c.legacy {
                row.legacy_total += c.orders;
            } else {
                row.new_total += c.orders;
            }
        }
        let mut countries: Vec<CountryRow> = countries.into_values().collect();
        countries.sort_by_key(|r| {
            (
                std::cmp::Reverse(r.legacy_recent),
                std::cmp::Reverse(r.legacy_total + r.new_total),
                r.country.clone(),
            )
        });
        Meter {
            from,
            to,
            bucket,
            points,
            countries,
        }
    }

    /// Whether any order was counted at all.
    pub fn is_empty(&self) -> bool {
        self.points.iter().all(|p| p.legacy == 0 && p.new == 0)
    }

    /// The countries whose orders still arrive on the legacy store lately.
    pub fn legacy_countries(&self) -> impl Iterator<Item = &CountryRow> {
        self.countries.iter().filter(|c| c.legacy_recent > 0)
    }
}

/// Whether legacy orders still arrived [`GRACE_DAYS`] after the upgrade completed at
/// `completed_at`, the last at `legacy_ordered_at`.
pub fn legacy_after_completion(completed_at: i64, legacy_ordered_at: Option<i64>) -> bool {
    legacy_ordered_at.is_some_and(|at| at >= completed_at + GRACE_DAYS * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(day: i64, legacy: bool, country: &str, orders: i64) -> DayCount {
        DayCount {
            day,
            legacy,
            country: country.into(),
            orders,
        }
    }

    #[test]
    fn a_long_span_is_summed_into_buckets_and_each_side_counted_apart() {
        let counts = [
            count(100, true, "SE", 3),
            count(101, true, "SE", 2),
            count(101, false, "SE", 4),
            count(250, false, "NO", 1),
            // Before the upgrade: not drawn.
            count(99, true, "SE", 50),
        ];
        let m = Meter::of(&counts, 100, 279, 200);
        assert_eq!(m.bucket, 3);
        assert_eq!(m.points.len(), 60);
        assert_eq!(
            m.points[0],
            Point {
                day: 100,
                legacy: 5,
                new: 4
            }
        );
        assert_eq!(m.points[50].new, 1);
        let total: i64 = m.points.iter().map(|p| p.legacy + p.new).sum();
        assert_eq!(total, 10);
        assert!(!m.is_empty());
        assert!(Meter::of(&[], 10, 10, 10).is_empty());
    }

    #[test]
    fn countries_still_on_the_legacy_store_lately_come_first() {
        let counts = [
            count(10, true, "SE", 9),
            count(10, false, "SE", 30),
            count(19, true, "DE", 2),
            count(20, false, "NO", 5),
        ];
        let m = Meter::of(&counts, 0, 20, 20);
        let order: Vec<_> = m.countries.iter().map(|c| c.country.as_str()).collect();
        assert_eq!(order, ["DE", "SE", "NO"]);
        let legacy: Vec<_> = m.legacy_countries().map(|c| c.country.as_str()).collect();
        assert_eq!(legacy, ["DE"], "SE's legacy orders are older than a week");
        assert_eq!(m.countries[1].legacy_total, 9);
    }

    #[test]
    fn legacy_orders_count_against_the_upgrade_only_after_the_grace_days() {
        let done = 1_000_000;
        assert!(!legacy_after_completion(done, None));
        assert!(!legacy_after_completion(done, Some(done + 6 * 86_400)));
        assert!(legacy_after_completion(done, Some(done + 7 * 86_400)));
    }
}
