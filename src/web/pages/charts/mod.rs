//! Charts for the partner dashboard, rendered as SVG strings on the server: no JS and no
//! chart service, so they work under the strict CSP, in print, and without third parties.

use std::fmt::Write as _;

use time::{Date, Duration};

mod cutover;
pub use cutover::cutover;

const BRAND: &str = "#1d4f91";
const WARN: &str = "#8a5a00";
const MUTED: &str = "#5b6472";
const DASH: &str = r#" stroke-dasharray="4 3""#;
/// The drawing's width in its own units. Narrow, so that at a phone's 360 px (about 310
/// px of card) the text is still about 11 px; on a wide screen it scales up.
const WIDTH: f64 = 400.0;
/// Text size in the drawing's units (see [`WIDTH`]).
const FONT: f64 = 14.0;

/// One bar of the funnel: a step's label and how many stores are at it (or beyond).
pub struct Bar {
    pub label: String,
    pub count: i64,
}

/// Labels come from users and translations, so every piece of text goes through here.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// At most one decimal and never NaN/inf, so the markup stays valid whatever the data.
fn num(x: f64) -> String {
    let s = format!("{:.1}", if x.is_finite() { x } else { 0.0 });
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Share of `first` as a whole percent (half up); `None` when there is nothing to divide by.
fn percent(count: i64, first: i64) -> Option<i64> {
    let (c, f) = (i128::from(count.max(0)), i128::from(first));
    (f > 0).then(|| i64::try_from((c * 200 + f) / (2 * f)).unwrap_or(i64::MAX))
}

/// Text whose colour follows its class, so callers only say what it is.
fn text(out: &mut String, class: &str, (x, y, anchor): (f64, f64, &str), s: &str) {
    let fill = match class {
        "sunset" => WARN,
        "label" => "currentColor",
        _ => MUTED,
    };
    let (x, y, s) = (num(x), num(y), esc(s));
    let _ = write!(
        out,
        r#"<text class="{class}" x="{x}" y="{y}" text-anchor="{anchor}" fill="{fill}">{s}</text>"#
    );
}

fn rect(out: &mut String, (x, y, w, h): (f64, f64, f64, f64)) {
    let (x, y, w, h) = (num(x), num(y), num(w), num(h));
    let _ = write!(
        out,
        r#"<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" fill="{BRAND}"/>"#
    );
}

fn line(out: &mut String, (class, stroke): (&str, &str), (x1, y1, x2, y2): (f64, f64, f64, f64)) {
    let dash = if class == "sunset" { DASH } else { "" };
    let (x1, y1, x2, y2) = (num(x1), num(y1), num(x2), num(y2));
    let _ = write!(
        out,
        r#"<line class="{class}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}"{dash}/>"#
    );
}

/// The root element with its accessible name and description, and the visible title.
fn open(kind: &str, title: &str, desc: &str, height: f64) -> String {
    let (w, h, t, d) = (num(WIDTH), num(height), esc(title), esc(desc));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"chart-{kind}-title\" aria-describedby=\"chart-{kind}-desc\" \
         class=\"chart chart-{kind}\" font-family=\"system-ui, -apple-system, sans-serif\" \
         font-size=\"{FONT}\"><title id=\"chart-{kind}-title\">{t}</title>\
         <desc id=\"chart-{kind}-desc\">{d}</desc><text class=\"title\" x=\"0\" y=\"16\" \
         font-size=\"15\" font-weight=\"600\" fill=\"currentColor\">{t}</text>"
    )
}

/// Still a chart (title, description) when there is nothing to draw, rather than a gap.
fn empty(kind: &str, title: &str, desc: &str) -> String {
    // The words come in the request's language (English outside a request).
    let none = crate::i18n::Tr::current().t("partner.chart.empty");
    let desc = if desc.is_empty() { none.as_str() } else { desc };
    let mut s = open(kind, title, desc, 80.0);
    text(&mut s, "empty", (WIDTH / 2.0, 52.0, "middle"), &none);
    s + "</svg>"
}

/// Long step names would run into the bars; the full name stays in the description.
fn clip(s: &str) -> String {
    match s.char_indices().nth(14) {
        Some((i, _)) if s.chars().count() > 15 => format!("{}…", &s[..i]),
        _ => s.to_string(),
    }
}

/// A horizontal bar chart of the upgrade funnel: one bar per step, top to bottom, each with
/// its label on the left and its count (and share of the first bar, as a whole percent) at
/// the bar's end.
pub fn funnel(title: &str, bars: &[Bar]) -> String {
    let first = bars.first().map_or(0, |b| b.count);
    let value = |b: &Bar| match percent(b.count, first) {
        Some(p) => format!("{} ({p}%)", b.count),
        None => b.count.to_string(),
    };
    let mut desc = String::new();
    for b in bars {
        let _ = write!(desc, "{}: {}. ", b.label, value(b));
    }
    let (desc, max) = (desc.trim_end(), bars.iter().map(|b| b.count).max());
    let Some(max) = max.filter(|m| *m > 0) else {
        return empty("funnel", title, desc);
    };
    let mut s = open("funnel", title, desc, 40.0 + 28.0 * bars.len() as f64);
    for (i, b) in bars.iter().enumerate() {
        let y = 32.0 + 28.0 * i as f64;
        let w = 176.0 * b.count.max(0) as f64 / max as f64;
        text(&mut s, "label", (0.0, y + 15.0, "start"), &clip(&b.label));
        rect(&mut s, (120.0, y, w, 20.0));
        text(&mut s, "value", (125.0 + w, y + 15.0, "start"), &value(b));
    }
    s + "</svg>"
}

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
fn range(weeks: &[(Date, i64)], sunset: Option<Date>) -> Option<(Date, i64)> {
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
            tr.f("partner.chart.sunset_on", &[("date", &d.to_string())])
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Crude well-formedness: every open tag is closed in order, and every `&` starts an entity.
    fn balanced(svg: &str) -> bool {
        let mut stack = Vec::new();
        for tag in svg.split('<').skip(1) {
            let Some(body) = tag.split('>').next().filter(|_| tag.contains('>')) else {
                return false;
            };
            let name = body.trim_start_matches('/').split([' ', '/']).next();
            if body.starts_with('/') {
                if stack.pop() != Some(name) {
                    return false;
                }
            } else if !body.ends_with('/') {
                stack.push(name);
            }
        }
        let entity = |r: &str| {
            ["amp;", "lt;", "gt;", "quot;", "apos;"]
                .iter()
                .any(|e| r.starts_with(e))
        };
        stack.is_empty() && svg.split('&').skip(1).all(entity)
    }

    fn check(svg: &str) {
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(balanced(svg), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"width="100%""#));
    }

    fn bar(label: &str, count: i64) -> Bar {
        let label = label.into();
        Bar { label, count }
    }

    fn eight_weeks() -> Vec<(Date, i64)> {
        let start = date!(2026 - 11 - 02);
        (0..8)
            .map(|i| (start + Duration::weeks(i), i % 3))
            .collect()
    }

    #[test]
    fn funnel_escapes_and_shows_percentages() {
        let svg = funnel(
            "Funnel \"A\"",
            &[bar("Terms", 120), bar("Tulpen & Co <b>", 80)],
        );
        check(&svg);
        assert!(svg.contains("Tulpen &amp; Co &lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains("Funnel &quot;A&quot;"));
        assert!(svg.contains(">80 (67%)</text>") && svg.contains(">120 (100%)</text>"));
        assert!(svg.contains("Terms: 120 (100%). Tulpen &amp; Co &lt;b&gt;: 80 (67%).</desc>"));
        assert!(svg.contains(r#"aria-labelledby="chart-funnel-title""#));
        assert!(!balanced("<svg><g></svg>") && !balanced("<svg>a & b</svg>"));
    }

    #[test]
    fn empty_and_zero_inputs_render() {
        let sunset = Some((date!(2027 - 02 - 15), "Sunset"));
        let extreme = [(Date::MIN, i64::MAX), (Date::MAX, -1)];
        for svg in [
            funnel("F", &[]),
            funnel("F", &[bar("Terms", 0), bar("Account", 0)]),
            funnel("F", &[bar("Terms", 0), bar("Account", 5)]),
            funnel("F", &[bar("x", i64::MIN), bar("y", i64::MAX)]),
            weekly("W", &[], 0, None, None),
            weekly("W", &[], 10, sunset, Some(2.0)),
            weekly(
                "W",
                &[(date!(2026 - 11 - 02), 0)],
                0,
                sunset,
                Some(f64::NAN),
            ),
            weekly(
                "W",
                &extreme,
                i64::MIN,
                Some((Date::MAX, "x")),
                Some(f64::MAX),
            ),
        ] {
            check(&svg);
        }
        assert!(funnel("F", &[]).contains("No data yet"));
        assert!(weekly("W", &[], 0, None, None).contains("No data yet"));
    }

    #[test]
    fn sunset_marker_only_when_given() {
        let without = weekly("W", &eight_weeks(), 40, None, None);
        check(&without);
        assert!(!without.contains(r#"class="sunset""#));
        let with = weekly(
            "W",
            &eight_weeks(),
            40,
            Some((date!(2027 - 02 - 15), "End & <x>")),
            None,
        );
        check(&with);
        assert!(with.contains(r#"class="sunset""#) && with.contains("End &amp; &lt;x&gt;"));
        assert!(with.contains("7 completed in 8 weeks; sunset 2027-02-15."));
        assert!(with.contains(r#"aria-labelledby="chart-weekly-title""#));
    }

    #[test]
    fn range_extends_to_sunset_week_up_to_a_year() {
        let (w, start) = (eight_weeks(), date!(2026 - 11 - 02));
        assert_eq!(range(&w, None), Some((start, 8)));
        assert_eq!(range(&w, Some(date!(2027 - 02 - 15))), Some((start, 16)));
        assert_eq!(range(&w, Some(date!(2026 - 11 - 20))), Some((start, 8)));
        assert_eq!(range(&w, Some(date!(2030 - 01 - 01))), Some((start, 52)));
        assert_eq!(range(&[], Some(date!(2030 - 01 - 01))), None);
        let svg = weekly("W", &w, 40, Some((date!(2027 - 02 - 15), "S")), None);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 16);
    }

    #[test]
    fn the_weekly_chart_projects_the_pace_to_the_sunset_with_a_legend() {
        let sunset = Some((date!(2027 - 02 - 15), "Sunset"));
        let svg = weekly("W", &eight_weeks(), 40, sunset, Some(2.0));
        check(&svg);
        assert!(svg.contains(r#"class="projection""#) && svg.contains("stroke-dasharray=\"6 4\""));
        for key in [
            "Completed that week",
            "Completed in all",
            "Projected at the current pace",
            "Sunset",
        ] {
            assert!(
                svg.contains(&format!(">{key}</text>")),
                "legend {key}: {svg}"
            );
        }
        // No pace, no projected line (and no legend entry for it).
        let svg = weekly("W", &eight_weeks(), 40, sunset, None);
        assert!(!svg.contains(r#"class="projection""#) && !svg.contains("Projected"));
        // The projection never climbs above every store finished: its end is at or
        // below the top of the right-hand axis.
        let svg = weekly("W", &eight_weeks(), 40, sunset, Some(1000.0));
        let end = between(&svg, r#"class="projection" points=""#, "\"").unwrap();
        let y: f64 = end.rsplit(',').next().unwrap().parse().unwrap();
        assert!(y >= 40.0, "{end}");
    }

    #[test]
    fn labels_stay_legible_on_a_phone() {
        // A 360 px phone leaves about 310 px for the chart; text below 10 px is not
        // readable there.
        for svg in [
            weekly("W", &eight_weeks(), 40, None, None),
            funnel("F", &[bar("Terms", 120), bar("Account", 80)]),
        ] {
            let width: f64 = between(&svg, r#"viewBox="0 0 "#, " ")
                .unwrap()
                .parse()
                .unwrap();
            let font: f64 = between(&svg, r#"font-size=""#, "\"")
                .unwrap()
                .parse()
                .unwrap();
            assert!(310.0 / width * font >= 10.0, "{width} wide, {font} text");
        }
    }

    fn between(s: &str, start: &str, end: &str) -> Option<String> {
        let from = s.find(start)? + start.len();
        let to = s[from..].find(end)? + from;
        Some(s[from..to].to_owned())
    }
}
