use super::{weekly::range, *};
use time::{Date, Duration, macros::date};

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
    assert!(
        with.contains("7 completed in 8 weeks; sunset 15 Feb 2027."),
        "{with}"
    );
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
