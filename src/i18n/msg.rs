//! A message for a person, not yet in any language: a catalogue key and its arguments.
//! Whatever reaches a person (an error, a refusal, an audit entry) travels as a [`Msg`]
//! and is put into words only where it is shown, in the reader's language.

use super::Tr;

/// A catalogue key with its `{name}` arguments. An argument is text shown as it is (a
/// store's name, an amount, a code) or another message, put into the same language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    key: String,
    args: Vec<(&'static str, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Text(String),
    Msg(Msg),
    /// Several messages, one after another, separated by "; ".
    List(Vec<Msg>),
}

impl Msg {
    pub fn new(key: impl Into<String>) -> Self {
        Msg {
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// Adds the argument `{name}`: text shown as it is.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    /// Adds the argument `{name}`: a message in the same language.
    pub fn arg_msg(mut self, name: &'static str, value: Msg) -> Self {
        self.args.push((name, Arg::Msg(value)));
        self
    }

    /// Adds the argument `{name}`: several messages in the same language.
    pub fn arg_list(mut self, name: &'static str, values: Vec<Msg>) -> Self {
        self.args.push((name, Arg::List(values)));
        self
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The message in `tr`'s language.
    pub fn render(&self, tr: &Tr) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(s) => s.clone(),
                    Arg::Msg(m) => m.render(tr),
                    Arg::List(ms) => ms
                        .iter()
                        .map(|m| m.render(tr))
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                (*name, value)
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        tr.f(&self.key, &borrowed)
    }

    /// The message in English, for logs.
    pub fn english(&self) -> String {
        self.render(&Tr::new(super::Lang::En))
    }
}

impl std::fmt::Display for Msg {
    /// English, for logs and the command line; people see [`Msg::render`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl From<&'static str> for Msg {
    fn from(key: &'static str) -> Self {
        Msg::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_message_is_put_into_words_in_the_readers_language() {
        let m = Msg::new("banner.step_of").arg("n", "2").arg("total", "5");
        assert_eq!(m.render(&Tr::new(Lang::En)), "Step 2 of 5");
        assert_ne!(m.render(&Tr::new(Lang::Sv)), "Step 2 of 5");
        assert_eq!(m.to_string(), "Step 2 of 5");
    }
}
