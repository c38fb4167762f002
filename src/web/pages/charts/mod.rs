//! Charts for the partner dashboard, rendered as SVG strings on the server: no JS and no
//! chart service, so they work under the strict CSP, in print, and without third parties.

use std::fmt::Write as _;

mod cutover;
mod weekly;

pub use cutover::cutover;
pub use weekly::weekly;

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

#[cfg(test)]
mod tests;
