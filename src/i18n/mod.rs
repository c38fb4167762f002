//! Every user-visible string goes through here, in seven languages. Strings live in
//! `assets/i18n/<lang>.toml` as dotted keys; `{name}` placeholders are filled by
//! [`Tr::f`], plural forms (`key.one`, `key.other`) are chosen by [`Tr::n`]. Numbers,
//! money and dates are written the locale's way by the `format` functions.

pub mod format;
pub mod input;
mod msg;
pub mod zone;

pub use msg::Msg;

use std::sync::LazyLock;

/// A language's messages by key. Every page looks up dozens of them, so the hasher is a
/// fast one rather than the standard library's DoS-resistant default: the keys are ours.
type Table = foldhash::HashMap<String, String>;

/// A language the interface is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Sv,
    Nb,
    Fi,
    Da,
    De,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 7] = [
        Lang::En,
        Lang::Sv,
        Lang::Nb,
        Lang::Fi,
        Lang::Da,
        Lang::De,
        Lang::Es,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
            Lang::Nb => "nb",
            Lang::Fi => "fi",
            Lang::Da => "da",
            Lang::De => "de",
            Lang::Es => "es",
        }
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Sv => "Svenska",
            Lang::Nb => "Norsk bokmål",
            Lang::Fi => "Suomi",
            Lang::Da => "Dansk",
            Lang::De => "Deutsch",
            Lang::Es => "Español",
        }
    }

    /// A language tag (`sv`, `sv-SE`, `no`, `nb-NO`…), if it is one of ours.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "no" | "nn" => Some(Lang::Nb),
            p => Lang::ALL.into_iter().find(|l| l.code() == p),
        }
    }

    /// The best of ours in an `Accept-Language` header, by its q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let Some(lang) = bits.next().and_then(Lang::parse) else {
                continue;
            };
            let q = bits
                .filter_map(|b| b.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language of a store in `country` (its admin's language until they choose).
    pub fn for_country(country: &str) -> Lang {
        match country {
            "SE" => Lang::Sv,
            "NO" => Lang::Nb,
            "FI" => Lang::Fi,
            "DK" => Lang::Da,
            "DE" | "AT" | "CH" | "LI" => Lang::De,
            "ES" => Lang::Es,
            _ => Lang::En,
        }
    }

    /// The CLDR plural category of a whole number. All seven languages distinguish
    /// only `one` (exactly 1) from `other` for integers (Spanish's `many` applies to
    /// compact millions, which the product never writes).
    pub fn plural(self, n: i64) -> &'static str {
        if n == 1 { "one" } else { "other" }
    }
}

/// Every language's messages, English first.
const SOURCES: [(Lang, &str); 7] = [
    (Lang::En, include_str!("../../assets/i18n/en.toml")),
    (Lang::Sv, include_str!("../../assets/i18n/sv.toml")),
    (Lang::Nb, include_str!("../../assets/i18n/nb.toml")),
    (Lang::Fi, include_str!("../../assets/i18n/fi.toml")),
    (Lang::Da, include_str!("../../assets/i18n/da.toml")),
    (Lang::De, include_str!("../../assets/i18n/de.toml")),
    (Lang::Es, include_str!("../../assets/i18n/es.toml")),
];

/// Every language's messages, in `Lang::ALL`'s order (which `SOURCES` follows).
static TABLES: LazyLock<[Table; 7]> =
    LazyLock::new(|| SOURCES.map(|(_, text)| load(text).unwrap_or_default()));

/// The messages of `lang`.
fn table(lang: Lang) -> &'static Table {
    &TABLES[lang as usize]
}

fn load(text: &str) -> Result<Table, toml::de::Error> {
    let table: toml::Table = toml::from_str(text)?;
    let mut out = Table::default();
    flatten("", &table, &mut out);
    Ok(out)
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Table) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

tokio::task_local! {
    /// The language of the request being served (see `web::lang`).
    static REQUEST_LANG: std::cell::Cell<Lang>;
}

/// Runs `fut` (one request) with `lang` as its language.
pub async fn with_request_lang<F: std::future::Future>(lang: Lang, fut: F) -> F::Output {
    REQUEST_LANG.scope(std::cell::Cell::new(lang), fut).await
}

/// Changes the current request's language (a signed-in person's stored choice).
pub fn set_request_lang(lang: Lang) {
    let _ = REQUEST_LANG.try_with(|l| l.set(lang));
}

/// The current request's language; English outside a request (background jobs, which
/// choose each recipient's language themselves).
pub fn request_lang() -> Lang {
    REQUEST_LANG.try_with(|l| l.get()).unwrap_or_default()
}

/// The translator for one request.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The current request's translator.
    pub fn current() -> Self {
        Tr::new(request_lang())
    }

    /// The string for `key`; a key missing in the language falls back to English (a
    /// test keeps every shipped key in every language), a key missing everywhere shows
    /// itself, so it is noticed.
    pub fn t(&self, key: &str) -> String {
        let lookup = |lang: Lang| table(lang).get(key);
        match lookup(self.lang).or_else(|| lookup(Lang::En)) {
            Some(s) => s.clone(),
            None => {
                tracing::warn!(key, lang = self.lang.code(), "missing translation");
                key.to_owned()
            }
        }
    }

    /// Whether the catalogue has `key` (in English, so in every language).
    pub fn has(&self, key: &str) -> bool {
        table(Lang::En).contains_key(key)
    }

    /// A country's name in this language, from its ISO code; an unknown code is shown
    /// as it is.
    pub fn country(&self, code: &str) -> String {
        let key = format!("country.{code}");
        if self.has(&key) {
            self.t(&key)
        } else {
            code.to_owned()
        }
    }

    /// The plural form of `key` for `count` (`key.one`, `key.other`, … by the
    /// language's rule), with `{name}` placeholders replaced.
    pub fn n(&self, key: &str, count: i64, args: &[(&str, &str)]) -> String {
        self.f(&format!("{key}.{}", self.lang.plural(count)), args)
    }

    /// The string for `key` with `{name}` placeholders replaced.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(&self.t(key), args)
    }
}

/// `text` with each `{name}` of `args` replaced by its value, in one pass: a placeholder
/// without an argument, or a lone brace, stays as it is.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(text.len() + args.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = args.iter().find(|(n, _)| *n == name)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> &'static Table {
        table(Lang::En)
    }

    /// `table(lang)` indexes the tables by the language's position, so the sources must
    /// come in `Lang::ALL`'s order, each under its own language.
    #[test]
    fn each_language_reads_its_own_messages() {
        for (i, (lang, _)) in SOURCES.iter().enumerate() {
            assert_eq!(*lang as usize, i, "{}", lang.code());
            assert_eq!(Lang::ALL[i], *lang);
        }
        assert_eq!(
            Tr::new(Lang::Sv).t("layout.sign_out"),
            table(Lang::Sv)["layout.sign_out"]
        );
        assert_ne!(
            table(Lang::Sv)["layout.sign_out"],
            english()["layout.sign_out"]
        );
    }

    #[test]
    fn placeholders_are_filled_once_each_and_the_rest_left_alone() {
        let args = [("store", "Kaffe {days}"), ("days", "3")];
        assert_eq!(fill("{store}: {days} {days}", &args), "Kaffe {days}: 3 3");
        assert_eq!(fill("{unknown} {days}", &args), "{unknown} 3");
        assert_eq!(fill("a { b } {days", &args), "a { b } {days");
        assert_eq!(fill("{}{days}}", &args), "{}3}");
        assert_eq!(fill("", &args), "");
        assert_eq!(fill("å{days}ö", &args), "å3ö");
    }

    /// Every key written out in the source (`.t("…")`, `.f("…"`, a message's or a
    /// refusal's) exists in English.
    #[test]
    fn every_key_used_in_the_source_is_translated() {
        let mut missing = Vec::new();
        let mut files = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for pat in [
                ".t(\"",
                ".f(\"",
                "Msg::new(\"",
                "Reason::new(\"",
                "::forbidden(\"",
                "::conflict(\"",
                "::bad_request(\"",
            ] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.contains('.')
                        && !english().contains_key(key)
                        && !english().contains_key(&format!("{key}.other"))
                    {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "untranslated keys:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::default();
        assert_eq!(
            tr.f("banner.step_of", &[("n", "2"), ("total", "5")]),
            "Step 2 of 5"
        );
        let missing = ["no", "such", "key"].join(".");
        assert_eq!(tr.t(&missing), missing);
    }
}

#[cfg(test)]
mod locale_tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .match_indices('{')
            .filter_map(|(i, _)| {
                let rest = &s[i + 1..];
                let end = rest.find('}')?;
                let name = &rest[..end];
                (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                    .then_some(name)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every language file parses, has exactly English's keys, and every message has
    /// the same placeholders as its English original.
    #[test]
    fn every_locale_is_complete_and_well_formed() {
        let [(_, english), others @ ..] = SOURCES;
        let en = load(english).expect("en.toml parses");
        let mut problems = Vec::new();
        for (lang, text) in others {
            let code = lang.code();
            let table = match load(text) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(format!("{code}.toml does not parse: {e}"));
                    continue;
                }
            };
            for key in en.keys().filter(|k| !table.contains_key(*k)) {
                problems.push(format!("{code}: missing {key}"));
            }
            for key in table.keys().filter(|k| !en.contains_key(*k)) {
                problems.push(format!("{code}: unknown key {key}"));
            }
            for (key, english) in &en {
                if let Some(ours) = table.get(key)
                    && placeholders(ours) != placeholders(english)
                {
                    problems.push(format!(
                        "{code}: {key} has placeholders {:?}, English {:?}",
                        placeholders(ours),
                        placeholders(english)
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// A message is a finished sentence or a label: none ends in "..", in any language.
    #[test]
    fn no_message_ends_in_two_full_stops() {
        for lang in Lang::ALL {
            for (key, text) in table(lang) {
                let end = text.trim_end();
                assert!(
                    !end.ends_with("..") || end.ends_with("..."),
                    "{}: {key} ends in \"..\"",
                    lang.code()
                );
            }
        }
    }

    /// Plural keys come in pairs, so `Tr::n` always finds its form.
    #[test]
    fn plural_forms_come_in_pairs() {
        for key in table(Lang::En).keys() {
            if let Some(base) = key.strip_suffix(".one") {
                assert!(
                    table(Lang::En).contains_key(&format!("{base}.other")),
                    "{base}.other"
                );
            }
        }
        let tr = Tr::new(Lang::En);
        assert_eq!(tr.n("email.sunset.when", 1, &[("days", "1")]), "tomorrow");
        assert_eq!(tr.n("email.sunset.when", 7, &[("days", "7")]), "in 7 days");
    }

    #[test]
    fn languages_are_negotiated_from_accept_language() {
        assert_eq!(
            Lang::from_accept_language("fi-FI,fi;q=0.9,en;q=0.8"),
            Some(Lang::Fi)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, de;q=0.7, en;q=0.9"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("no;q=0.5"), Some(Lang::Nb));
        assert_eq!(Lang::from_accept_language("fr, ja"), None);
        assert_eq!(Lang::from_accept_language("sv;q=0, da"), Some(Lang::Da));
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::parse("SV-se"), Some(Lang::Sv));
        assert_eq!(Lang::for_country("AT"), Lang::De);
    }
}
