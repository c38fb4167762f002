//! Every user-visible string goes through here. Strings live in `assets/i18n/<lang>.toml`
//! as dotted keys; `{name}` placeholders are filled by [`Tr::f`].

use std::{collections::HashMap, sync::LazyLock};

/// A language the interface is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
        }
    }
}

static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../assets/i18n/en.toml")));

fn load(text: &str) -> HashMap<String, String> {
    let table: toml::Table =
        toml::from_str(text).expect("assets/i18n/en.toml is valid TOML (checked by a test)");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
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

/// The translator for one request.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// The string for `key`; a missing key shows the key itself, so it is noticed.
    pub fn t(&self, key: &str) -> String {
        let table = match self.lang {
            Lang::En => &*EN,
        };
        match table.get(key) {
            Some(s) => s.clone(),
            None => {
                tracing::warn!(key, "missing translation");
                key.to_owned()
            }
        }
    }

    /// The string for `key` with `{name}` placeholders replaced.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key);
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.t("…")` / `.f("…"` key used in the source exists in English.
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
            for pat in [".t(\"", ".f(\""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.contains('.') && !EN.contains_key(key) {
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
