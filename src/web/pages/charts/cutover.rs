//! The cutover meter's chart: a store's orders on the legacy store against the new ID.

use std::fmt::Write as _;

use time::Date;

use super::{BRAND, DASH, MUTED, WARN, empty, line, num, open, text};

/// The cutover meter: orders per day (or per bucket of days) on the legacy store as a
/// dashed line, on the new ID as a solid one, from the upgrade's start to `sunset` (a
/// dashed marker with its label) or today. The legend names both lines.
pub fn cutover(title: &str, meter: &crate::domain::cutover::Meter, sunset: Option<&str>) -> String {
    let tr = crate::i18n::Tr::current();
    let (legacy, new): (i64, i64) = meter
        .points
        .iter()
        .fold((0, 0), |(l, n), p| (l + p.legacy, n + p.new));
    let desc = tr.f(
        "cutover.chart.desc",
        &[("legacy", &legacy.to_string()), ("new", &new.to_string())],
    );
    if meter.is_empty() {
        return empty("cutover", title, &desc);
    }
    let (left, right, top, bottom) = (40.0, 380.0, 40.0, 196.0);
    let most = meter
        .points
        .iter()
        .map(|p| p.legacy.max(p.new))
        .max()
        .unwrap_or(0)
        .max(1);
    let n = meter.points.len().max(2) - 1;
    let x = |i: usize| left + (right - left) * i as f64 / n as f64;
    let y = |v: i64| bottom - (bottom - top) * v as f64 / most as f64;
    let mut s = open("cutover", title, &desc, 222.0 + 20.0 * 3.0);
    line(&mut s, ("axis", MUTED), (left, bottom, right, bottom));
    line(&mut s, ("axis", MUTED), (left, top, left, bottom));
    text(&mut s, "axis", (left - 5.0, bottom, "end"), "0");
    text(
        &mut s,
        "axis",
        (left - 5.0, top + 4.0, "end"),
        &most.to_string(),
    );
    let day = |d: i64| {
        Date::from_julian_day(i32::try_from(d + 2_440_588).unwrap_or(2_440_588))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    text(
        &mut s,
        "axis",
        (left, bottom + 18.0, "start"),
        &day(meter.from),
    );
    text(
        &mut s,
        "axis",
        (right, bottom + 18.0, "end"),
        &day(meter.to),
    );
    for (class, colour, dash, pick) in [("legacy", WARN, DASH, true), ("new", BRAND, "", false)] {
        let points: Vec<String> = meter
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let v = if pick { p.legacy } else { p.new };
                format!("{},{}", num(x(i)), num(y(v)))
            })
            .collect();
        let _ = write!(
            s,
            r#"<polyline class="{class}" points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
            points.join(" ")
        );
    }
    if let Some(label) = sunset {
        line(&mut s, ("sunset", WARN), (right, top - 2.0, right, bottom));
        text(&mut s, "sunset", (right - 4.0, top - 6.0, "end"), label);
    }
    let _ = write!(s, r#"<g class="legend">"#);
    for (k, (class, colour, dash, key)) in [
        ("legacy", WARN, DASH, "cutover.chart.legacy"),
        ("new", BRAND, "", "cutover.chart.new"),
    ]
    .into_iter()
    .enumerate()
    {
        let ly = bottom + 42.0 + 20.0 * k as f64;
        let _ = write!(
            s,
            r#"<line class="key {class}" x1="0" y1="{y}" x2="14" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/>"#,
            y = num(ly - 5.0)
        );
        text(&mut s, "label", (20.0, ly, "start"), &tr.t(key));
    }
    s + "</g></svg>"
}
