//! Finds English left in a text meant for another language. A word counts as English
//! when the English catalogue uses it and the language's own catalogue does not, unless
//! it is a proper name or a code on the allow-list. The catalogues are the interface's
//! messages (`assets/i18n/<lang>.toml`) and the shop catalogue's texts (`assets/catalog.toml`
//! in English, `assets/i18n/catalog/<lang>.toml` in the others).

use std::collections::{BTreeSet, HashSet};

/// Proper names that stay as they are in every language: the product, shop platforms,
/// the languages' own names, and formats.
const ALLOWED: &[&str] = &[
    "switchyard",
    "woocommerce",
    "wordpress",
    "magento",
    "prestashop",
    "shopify",
    "bigcommerce",
    "english",
    "svenska",
    "norsk",
    "bokmål",
    "suomi",
    "dansk",
    "deutsch",
    "español",
    "csv",
    "json",
    "pdf",
    "api",
    "url",
    "https",
    "http",
    "kpm",
    "kp",
    "kco",
];

/// Names in the demo data the walk meets (stores, partners), taken out of a text before
/// its words are read.
const NAMES: &[&str] = &[
    "Custom Crafts",
    "Nordic Commerce Partners",
    "Other Partner",
    "Nordlys Sport",
    "Bergkristall Schmuck",
    "Fjord & Fell",
    "Tulpen & Co",
    "Kaffebaren",
];

pub struct Detector {
    english_only: HashSet<String>,
}

fn manifest(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn strings(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Every word of a catalogue file's texts.
fn vocabulary(paths: &[&str]) -> HashSet<String> {
    let mut texts = Vec::new();
    for path in paths {
        let table: toml::Value = toml::from_str(&manifest(path)).expect("a catalogue parses");
        strings(&table, &mut texts);
    }
    texts.iter().flat_map(|t| words(t)).collect()
}

/// The words of `text`, lower-cased: runs of letters, leaving out what is not words:
/// addresses (emails, URLs, paths), codes and ids (anything with a digit or an
/// underscore, anything in capitals only: `SE`, `KCOv2`, `PR-2026-47`, `order_id`).
pub fn words(text: &str) -> Vec<String> {
    let mut text = text.to_owned();
    for name in NAMES {
        text = text.replace(name, " ");
    }
    text.split_whitespace()
        .filter(|t| !(t.contains('@') || t.contains("://") || t.starts_with('/')))
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit() || c == '_'))
        .filter(|t| t.chars().any(char::is_lowercase))
        .flat_map(|t| {
            t.split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

impl Detector {
    pub fn for_lang(code: &str) -> Self {
        let english = vocabulary(&["assets/i18n/en.toml", "assets/catalog.toml"]);
        let ours = vocabulary(&[
            &format!("assets/i18n/{code}.toml"),
            &format!("assets/i18n/catalog/{code}.toml"),
        ]);
        let english_only = english
            .into_iter()
            .filter(|w| !ours.contains(w) && !ALLOWED.contains(&w.as_str()))
            .collect();
        Detector { english_only }
    }

    /// The English words of `text`.
    pub fn english_in(&self, text: &str) -> BTreeSet<String> {
        words(text)
            .into_iter()
            .filter(|w| self.english_only.contains(w))
            .collect()
    }
}

/// The text a person sees on an HTML page: text between tags (not scripts, styles,
/// `<code>`, which holds codes, or what is marked `translate="no"`) and the attributes read out or shown (`title`, `alt`,
/// `placeholder`, `aria-label`), one piece per text node, entities decoded.
pub fn visible_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &rest[..open]);
        rest = &rest[open..];
        let close = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..close];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        for attr in ["title", "alt", "placeholder", "aria-label"] {
            let pattern = format!(" {attr}=\"");
            if let Some(i) = tag.find(&pattern) {
                let value = &tag[i + pattern.len()..];
                push_text(&mut out, &value[..value.find('"').unwrap_or(value.len())]);
            }
        }
        rest = &rest[close..];
        // `translate="no"` marks identifiers (time zone names) that no language changes.
        if matches!(name.as_str(), "script" | "style" | "code") || tag.contains(" translate=\"no\"")
        {
            let end = format!("</{name}>");
            rest = rest.find(&end).map_or("", |i| &rest[i + end.len()..]);
        }
    }
    push_text(&mut out, rest);
    out
}

fn push_text(out: &mut Vec<String>, raw: &str) {
    let text = raw
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    if !text.trim().is_empty() {
        out.push(text.trim().to_owned());
    }
}

/// The text of a PDF this application wrote: its `(…) Tj` strings, in WinAnsiEncoding.
pub fn pdf_text(pdf: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pdf.len() {
        if pdf[i] != b'(' {
            i += 1;
            continue;
        }
        let mut s = String::new();
        i += 1;
        while i < pdf.len() && pdf[i] != b')' {
            if pdf[i] == b'\\' && i + 1 < pdf.len() {
                i += 1;
            }
            s.push(char::from(pdf[i]));
            i += 1;
        }
        if pdf[i.min(pdf.len() - 1)..].starts_with(b") Tj") {
            out.push(s);
        }
        i += 1;
    }
    out
}

/// Every email in `dir`: (recipient, subject and body as text).
pub fn emails(dir: &std::path::Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|raw| {
            let header = |name: &str| {
                raw.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let subject = decode_header(&header("Subject"));
            let text = format!("{subject}\n{}", crate::helpers::decode_body(&raw));
            (header("To"), text)
        })
        .collect()
}

/// An RFC 2047 header (`=?utf-8?b?…?=` or `=?utf-8?q?…?=` words) as text.
fn decode_header(value: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut last_encoded = false;
    for word in value.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        let decoded = match parts.as_slice() {
            ["=", _, enc, text, "="] if enc.eq_ignore_ascii_case("b") => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_default();
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            ["=", _, enc, text, "="] if enc.eq_ignore_ascii_case("q") => {
                Some(crate::helpers::decode_body(&format!(
                    "Content-Transfer-Encoding: quoted-printable\n\n{}",
                    text.replace('_', " ")
                )))
            }
            _ => None,
        };
        // Encoded words next to each other are one text; anything else had a space.
        let glued = last_encoded && decoded.is_some();
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| word.to_owned()));
    }
    out
}
