//! How likely a store is to miss its legacy product's sunset, for partner managers.
//! The same rule exists twice: here for one store, and as SQL (`sql_case`) so the
//! dashboard can filter and sort 100,000 stores in the database; a test holds them equal.

use super::upgrade::{Progress, Step};

const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Risk {
    /// The sunset is near and the upgrade is not done, or it is not moving.
    AtRisk,
    /// Started, but no step moved for the stall threshold.
    Stalled,
    NotStarted,
    /// Moving along.
    OnTrack,
    Done,
}

impl Risk {
    pub const ALL: [Risk; 5] = [
        Risk::AtRisk,
        Risk::Stalled,
        Risk::NotStarted,
        Risk::OnTrack,
        Risk::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::AtRisk => "at-risk",
            Risk::Stalled => "stalled",
            Risk::NotStarted => "not-started",
            Risk::OnTrack => "on-track",
            Risk::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Risk> {
        Risk::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The thresholds of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// No step moved for this long: stalled.
    pub stall_seconds: i64,
    /// Closer to the sunset than this, anything not done is at risk.
    pub urgent_seconds: i64,
    /// Closer than this, a store not started or stalled is at risk.
    pub warning_seconds: i64,
}

impl Rule {
    pub fn with_stall_days(days: i64) -> Self {
        Rule {
            stall_seconds: days * DAY,
            urgent_seconds: 30 * DAY,
            warning_seconds: 90 * DAY,
        }
    }

    /// One store: `progressed_at` is `None` when its upgrade has not started.
    pub fn classify(
        &self,
        progressed_at: Option<i64>,
        complete: bool,
        sunset_at: Option<i64>,
        now: i64,
    ) -> Risk {
        if complete {
            return Risk::Done;
        }
        let to_sunset = sunset_at.map_or(i64::MAX, |s| s - now);
        let idle = progressed_at.is_some_and(|p| now - p >= self.stall_seconds);
        let started = progressed_at.is_some();
        if to_sunset <= self.urgent_seconds
            || (to_sunset <= self.warning_seconds && (!started || idle))
        {
            Risk::AtRisk
        } else if !started {
            Risk::NotStarted
        } else if idle {
            Risk::Stalled
        } else {
            Risk::OnTrack
        }
    }

    /// The same rule as an SQL expression over a `stores s` row: its `product`, its
    /// copy of the upgrade's progress (`upgrade_step`, and `upgrade_progressed_at`, NULL
    /// when not started) and its own sunset (`extended_sunset`, NULL for most). Only
    /// integers and the catalog's product codes (quoted) go into the text.
    pub fn sql_case(&self, sunsets: &[(&str, i64)], now: i64) -> String {
        self.case_over(
            sunsets,
            now,
            [
                "s.product",
                "s.upgrade_step",
                "s.upgrade_progressed_at",
                "s.extended_sunset",
            ],
        )
    }

    /// [`Rule::sql_case`] over the columns `[product, step, progressed_at,
    /// extended_sunset]`. A store's own sunset counts where it is later than its
    /// product's, as in `sunset::of_store`.
    pub fn case_over(&self, sunsets: &[(&str, i64)], now: i64, columns: [&str; 4]) -> String {
        let [product, step, progressed, extended] = columns;
        let by_product = if sunsets.is_empty() {
            i64::MAX.to_string()
        } else {
            let arms: String = sunsets
                .iter()
                .map(|(code, at)| format!(" WHEN '{}' THEN {}", code.replace('\'', "''"), at - now))
                .collect();
            format!("(CASE {product}{arms} ELSE {} END)", i64::MAX)
        };
        let own = format!("({extended} - {now})");
        let to_sunset = format!(
            "(CASE WHEN {extended} IS NOT NULL AND {own} > {by_product} THEN {own} ELSE {by_product} END)"
        );
        let idle = format!("{progressed} <= {}", now.saturating_sub(self.stall_seconds));
        // The names are the domain's own, so they read back as the same values.
        format!(
            "(CASE WHEN {step} = '{complete}' THEN '{done}' \
             WHEN {to_sunset} <= {urgent} OR ({to_sunset} <= {warning} AND ({progressed} IS NULL OR {idle})) THEN '{at_risk}' \
             WHEN {progressed} IS NULL THEN '{not_started}' \
             WHEN {idle} THEN '{stalled}' ELSE '{on_track}' END)",
            complete = Step::Complete.as_str(),
            done = Risk::Done.as_str(),
            at_risk = Risk::AtRisk.as_str(),
            not_started = Risk::NotStarted.as_str(),
            stalled = Risk::Stalled.as_str(),
            on_track = Risk::OnTrack.as_str(),
            urgent = self.urgent_seconds,
            warning = self.warning_seconds,
        )
    }
}

/// What the rule decides by at one moment, given the sunsets: which products are urgent,
/// which near, and since when a store counts as idle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Horizon {
    /// Sunset within the urgent window: anything not done is at risk.
    pub urgent: Vec<String>,
    /// Within the warning window, not urgent: at risk when not started or idle.
    pub near: Vec<String>,
    /// A store whose last step was at or before this is idle.
    pub cut: i64,
}

impl Rule {
    pub fn horizon(&self, sunsets: &[(&str, i64)], now: i64) -> Horizon {
        let within = |limit: i64| -> Vec<String> {
            sunsets
                .iter()
                .filter(|(_, at)| at - now <= limit)
                .map(|(code, _)| (*code).to_owned())
                .collect()
        };
        let urgent = within(self.urgent_seconds);
        let near = within(self.warning_seconds)
            .into_iter()
            .filter(|c| !urgent.contains(c))
            .collect();
        Horizon {
            urgent,
            near,
            cut: now.saturating_sub(self.stall_seconds),
        }
    }

    /// The stores of one risk as a condition over the columns `[product, step,
    /// progressed_at, extended_sunset]`. Stores on their product's sunset (nearly all)
    /// are chosen by [`Rule::sql_is_by_product`], which an index answers; the few with
    /// an approved extension by the rule computed per row. The same rule as
    /// [`Rule::classify`]; a test holds them equal.
    pub fn sql_is(
        &self,
        risk: Risk,
        sunsets: &[(&str, i64)],
        now: i64,
        columns: [&str; 4],
    ) -> String {
        let [product, step, progressed, extended] = columns;
        let by_product = self.sql_is_by_product(risk, sunsets, now, [product, step, progressed]);
        // The few stores with a sunset of their own are classed one by one.
        let case = self.case_over(sunsets, now, columns);
        let risk_name = risk.as_str();
        match risk {
            Risk::Done => by_product,
            // A store's own sunset is never earlier than its product's, and the rule puts
            // no store further from its sunset more at risk: a store at risk by its own
            // date is at risk by its product's. So no `OR`, which would cost the database
            // its index ranges (PostgreSQL's deepest at-risk page: 12 ms with them, 65 ms
            // without, at 100,000 stores).
            Risk::AtRisk => {
                format!("({by_product}) AND ({extended} IS NULL OR {case} = '{risk_name}')")
            }
            _ => format!(
                "((({by_product}) AND {extended} IS NULL) OR ({extended} IS NOT NULL AND {case} = '{risk_name}'))"
            ),
        }
    }

    /// [`Rule::sql_is`] for stores whose sunset is their product's (an approved
    /// extension is not looked at), as a condition over `[product, step, progressed_at]`
    /// which an index on `(product, step, COALESCE(progressed_at, 0))` answers with
    /// ranges alone (`sql_case` cannot: it is computed per row). With the sunsets known,
    /// each product is urgent, near or far, and the rule becomes a few comparisons per
    /// kind of product. Not started is NULL, read as 0 (a step is never taken at the
    /// epoch).
    pub fn sql_is_by_product(
        &self,
        risk: Risk,
        sunsets: &[(&str, i64)],
        now: i64,
        columns: [&str; 3],
    ) -> String {
        let [product, step, progressed] = columns;
        let Horizon { urgent, near, cut } = self.horizon(sunsets, now);
        let near_or_urgent: Vec<String> = urgent.iter().chain(&near).cloned().collect();
        let one_of = |codes: &[String]| one_of(product, codes);
        let none_of = |codes: &[String]| match codes {
            [] => "1 = 1".to_owned(),
            codes => format!("NOT ({})", one_of(codes)),
        };
        let idle = format!("COALESCE({progressed}, 0)");
        let complete = Step::Complete.as_str();
        let open = open_stages(step);
        match risk {
            Risk::Done => format!("{step} = '{complete}'"),
            // Products, then stages, then a range of the idle time: index ranges. With
            // urgent and near products both, the idle time is checked on the entries of
            // the near ones (an `OR` of two ranges would make the database read them all).
            Risk::AtRisk => match (urgent.is_empty(), near.is_empty()) {
                (_, true) => format!("{open} AND {}", one_of(&urgent)),
                (true, false) => format!("{open} AND {} AND {idle} <= {cut}", one_of(&near)),
                (false, false) => format!(
                    "{open} AND {} AND ({} OR {idle} <= {cut})",
                    one_of(&near_or_urgent),
                    one_of(&urgent)
                ),
            },
            Risk::NotStarted => {
                format!("{open} AND {idle} = 0 AND {}", none_of(&near_or_urgent))
            }
            Risk::Stalled => format!(
                "{open} AND {idle} BETWEEN 1 AND {cut} AND {}",
                none_of(&near_or_urgent)
            ),
            Risk::OnTrack => format!("{open} AND {idle} > {cut} AND {}", none_of(&urgent)),
        }
    }
}

/// `column` is one of `codes` (product codes), as SQL; never true for none.
pub fn one_of(column: &str, codes: &[String]) -> String {
    if codes.is_empty() {
        return "1 = 0".to_owned();
    }
    let codes: Vec<String> = codes.iter().map(|c| quoted(c)).collect();
    format!("{column} IN ({})", codes.join(", "))
}

/// The stage in `column` is any but the last, as SQL: listed, since an `IN` is a few
/// index ranges and `<>` is not.
pub fn open_stages(column: &str) -> String {
    let open: Vec<String> = Progress::ALL
        .into_iter()
        .filter(|p| *p != Progress::At(Step::Complete))
        .map(|p| quoted(p.as_str()))
        .collect();
    format!("{column} IN ({})", open.join(", "))
}

/// A product code or stage as an SQL string literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn each_risk_follows_the_rule() {
        let rule = Rule::with_stall_days(7);
        let far = Some(NOW + 200 * DAY);
        let near = Some(NOW + 60 * DAY);
        let urgent = Some(NOW + 10 * DAY);
        let fresh = Some(NOW - DAY);
        let idle = Some(NOW - 8 * DAY);
        assert_eq!(rule.classify(fresh, true, urgent, NOW), Risk::Done);
        assert_eq!(rule.classify(None, false, far, NOW), Risk::NotStarted);
        assert_eq!(rule.classify(fresh, false, far, NOW), Risk::OnTrack);
        assert_eq!(rule.classify(idle, false, far, NOW), Risk::Stalled);
        assert_eq!(rule.classify(None, false, near, NOW), Risk::AtRisk);
        assert_eq!(rule.classify(idle, false, near, NOW), Risk::AtRisk);
        assert_eq!(rule.classify(fresh, false, near, NOW), Risk::OnTrack);
        assert_eq!(rule.classify(fresh, false, urgent, NOW), Risk::AtRisk);
        assert_eq!(rule.classify(None, false, None, NOW), Risk::NotStarted);
    }

    #[test]
    fn names_round_trip() {
        for r in Risk::ALL {
            assert_eq!(Risk::parse(r.as_str()), Some(r));
        }
        assert_eq!(Risk::parse("late"), None);
    }

    #[test]
    fn product_codes_are_quoted_in_the_sql() {
        let sql = Rule::with_stall_days(7).sql_case(&[("K'PM", NOW)], NOW);
        assert!(sql.contains("WHEN 'K''PM' THEN 0"));
    }
}
