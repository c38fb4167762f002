//! Completed upgrades per week against the sunset, with the running total and its pace.

use std::fmt::Write as _;

use time::{Date, Duration};

use super::{BRAND, MUTED, WARN, empty, line, num, open, rect, text};

/// The Monday starting `d`'s week; the date itself if that would leave the calendar.
fn monday(d: Date) -> Date {
    let back = i64::from(d.weekday().number_days_from_monday());
    d.checked_sub(Duration::days(back)).unwrap_or(d)
}

/// Whole weeks from `start` to `d` (negative before it).
fn weeks_from(start: Date, d: Date) -> i64 {
    (d - start).whole_days().div_euclid(7)
}

/// Weeks from `from` through the latest week with data.
fn span(weeks: &[(Date, i64)], from: Date) -> i64 {
    weeks
        .iter()
        .fold(0, |m, w| m.max(weeks_from(from, w.0) + 1))
}

/// First week shown and number of weeks: the data (its last 52 weeks at most), extended to
/// the sunset week when that is later, but never beyond 52 weeks in all.
pub(super) fn range(weeks: &[(Date, i64)], sunset: Option<Date>) -> Option<(Date, i64)> {
    let mondays = || weeks.iter().map(|w| monday(w.0));
    let last = mondays().max()?;
    let floor = last.checked_sub(Duration::weeks(51)).unwrap_or(last);
    let start = mondays().fold(last, Date::min).max(floor);
    let to_sunset = sunset.map_or(0, |d| weeks_from(start, d) + 1);
    Some((start, (weeks_from(start, last) + 1).max(to_sunset.min(52))))
}

/// Completed upgrades per week (Monday-start weeks, oldest first) as columns, the running total
/// as a line against a right-hand axis up to `stores` (all stores in the cohort), and a vertical
/// dashed marker at the sunset date labelled `sunset_label` if the sunset falls within or after
/// the range (extend the x-range to the sunset week when it is later than the last week, up to
/// 52 weeks total). With `pace` (completions a week), the running total goes on as a dashed
/// projected line to the sunset. A legend under the axis names each mark.
pub fn weekly(
    title: &str,
    weeks: &[(Date, i64)],
    stores: i64,
    sunset: Option<(Date, &str)>,
    pace: Option<f64>,
) -> String {
    let total = weeks.iter().fold(0i64, |a, w| a.saturating_add(w.1.max(0)));
    let covered = weeks
        .iter()
        .map(|w| monday(w.0))
        .min()
        .map_or(0, |f| span(weeks, f));
    let tr = crate::i18n::Tr::current();
    let counted = [("count", total.to_string()), ("weeks", covered.to_string())];
    let args: Vec<(&str, &str)> = counted.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut desc = tr.n("partner.chart.completed", covered, &args);
    if let Some((d, _)) = sunset {
        let _ = write!(
            desc,
            "; {}",
            tr.f(
                "partner.chart.sunset_on",
                &[("date", &crate::i18n::format::date(tr.lang, d))]
            )
        );
    }
    desc.push('.');
    let Some((start, n)) = range(weeks, sunset.map(|s| s.0)) else {
        return empty("weekly", title, &desc);
    };
    // Weeks before the window (more than a year of data) still count towards the total.
    let (mut cols, mut cum) = (vec![0i64; usize::try_from(n).unwrap_or(0)], 0i64);
    for &(d, c) in weeks {
        let i = usize::try_from(weeks_from(start, d)).ok();
        match i.and_then(|i| cols.get_mut(i)) {
            Some(col) => *col = col.saturating_add(c.max(0)),
            None => cum = cum.saturating_add(c.max(0)),
        }
    }
    let (left, right, top, bottom) = (40.0, 340.0, 40.0, 196.0);
    let (nf, ph) = (n.max(1) as f64, bottom - top);
    let col_w = (right - left) / nf;
    let left_max = cols.iter().copied().max().unwrap_or(0).max(1);
    let right_max = stores.max(cum.saturating_add(total)).max(1);
    // One legend entry a line: translated labels are too long to share one on a phone.
    let legend_rows =
        2.0 + f64::from(u8::from(sunset.is_some())) + f64::from(u8::from(pace.is_some()));
    let mut s = open("weekly", title, &desc, 222.0 + 20.0 * legend_rows);
    for (x1, y1, x2) in [
        (left, bottom, right),
        (left, top, left),
        (right, top, right),
    ] {
        line(&mut s, ("axis", MUTED), (x1, y1, x2, bottom));
    }
    for (x, y, anchor, v) in [
        (left - 5.0, bottom, "end", 0),
        (left - 5.0, top + 4.0, "end", left_max),
        (right + 5.0, bottom, "start", 0),
        (right + 5.0, top + 4.0, "start", right_max),
    ] {
        text(&mut s, "axis", (x, y, anchor), &v.to_string());
    }
    let data_n = span(weeks, start);
    // Three or four date labels at most: each is about 70 units wide at this size.
    let every = usize::try_from((n + 3) / 4).unwrap_or(1).max(1);
    let (mut points, mut last) = (Vec::new(), None);
    for (i, &c) in cols.iter().enumerate() {
        let (x, h) = (left + col_w * i as f64, ph * c as f64 / left_max as f64);
        rect(&mut s, (x + col_w * 0.15, bottom - h, col_w * 0.7, h));
        if (i as i64) < data_n {
            cum = cum.saturating_add(c);
            let y = bottom - ph * cum as f64 / right_max as f64;
            points.push(format!("{},{}", num(x + col_w / 2.0), num(y)));
            last = Some((i, cum));
        }
        if i % every == 0
            && let Some(week) = start.checked_add(Duration::weeks(i as i64))
        {
            let at = (x + col_w / 2.0, bottom + 18.0, "middle");
            text(&mut s, "axis", at, &week.to_string());
        }
    }
    let _ = write!(
        s,
        r#"<polyline class="line" points="{}" fill="none" stroke="{BRAND}" stroke-width="2"/>"#,
        points.join(" ")
    );
    let sunset_x = sunset.filter(|(d, _)| *d >= start).map(|(d, label)| {
        let frac = ((d - start).whole_days() as f64 / 7.0 / nf).min(1.0);
        (left + (right - left) * frac, frac, label)
    });
    if let (Some(pace), Some((sx, _, _)), Some((i, done))) = (pace, sunset_x, last) {
        projected(
            &mut s,
            (col_w, left, ph, bottom),
            (i, done),
            (sx, pace),
            right_max,
        );
    }
    if let Some((x, frac, label)) = sunset_x {
        line(&mut s, ("sunset", WARN), (x, top - 2.0, x, bottom));
        let anchor = if frac < 0.6 { "start" } else { "end" };
        let lx = if frac < 0.6 { x + 4.0 } else { x - 4.0 };
        text(&mut s, "sunset", (lx, top - 6.0, anchor), label);
    }
    legend(&mut s, bottom + 42.0, sunset.is_some(), pace.is_some());
    s + "</svg>"
}

/// The running total carried on at `pace` a week from week `i` (with `done` completed)
/// to the sunset at `sx`, never above `most` (every store finished).
fn projected(
    s: &mut String,
    (col_w, left, ph, bottom): (f64, f64, f64, f64),
    (i, done): (usize, i64),
    (sx, pace): (f64, f64),
    most: i64,
) {
    let x0 = left + col_w * i as f64 + col_w / 2.0;
    if sx <= x0 || !pace.is_finite() {
        return;
    }
    let weeks = (sx - x0) / col_w;
    let reached = (done as f64 + pace.max(0.0) * weeks).min(most as f64);
    let y = |v: f64| bottom - ph * v / most as f64;
    let (x0, y0, x1, y1) = (num(x0), num(y(done as f64)), num(sx), num(y(reached)));
    let _ = write!(
        s,
        r#"<polyline class="projection" points="{x0},{y0} {x1},{y1}" fill="none" stroke="{BRAND}" stroke-width="2" stroke-dasharray="6 4"/>"#
    );
}

/// What each mark means, one to a line, under the date labels.
fn legend(s: &mut String, y: f64, sunset: bool, projection: bool) {
    let tr = crate::i18n::Tr::current();
    let mut items = vec![
        ("bar", "dashboard.chart.legend.weekly"),
        ("line", "dashboard.chart.legend.total"),
    ];
    if projection {
        items.push(("projection", "dashboard.chart.legend.projected"));
    }
    if sunset {
        items.push(("sunset", "dashboard.chart.legend.sunset"));
    }
    let _ = write!(s, r#"<g class="legend">"#);
    for (k, (kind, key)) in items.into_iter().enumerate() {
        let (x, y) = (0.0, y + 20.0 * k as f64);
        match kind {
            "bar" => {
                let (x, y) = (num(x), num(y - 10.0));
                let _ = write!(
                    s,
                    r#"<rect class="key" x="{x}" y="{y}" width="14" height="10" fill="{BRAND}"/>"#
                );
            }
            "sunset" => line(s, ("sunset", WARN), (x + 7.0, y - 12.0, x + 7.0, y + 1.0)),
            _ => {
                let dash = if kind == "projection" {
                    r#" stroke-dasharray="6 4""#
                } else {
                    ""
                };
                let (x0, x1, ly) = (num(x), num(x + 18.0), num(y - 5.0));
                let _ = write!(
                    s,
                    r#"<line class="key" x1="{x0}" y1="{ly}" x2="{x1}" y2="{ly}" stroke="{BRAND}" stroke-width="2"{dash}/>"#
                );
            }
        }
        text(s, "label", (x + 24.0, y, "start"), &tr.t(key));
    }
    s.push_str("</g>");
}
