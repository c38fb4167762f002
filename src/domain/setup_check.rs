//! The setup checker: the admin pastes what they typed into their plugin and says which
//! field (live or test) it went into; the checker says exactly what is wrong, or that it
//! is right. Pure: the caller looks the username up and passes what it found.

use secrecy::SecretString;

use super::{Environment, MerchantId, credentials};

/// What the admin pasted.
#[derive(Debug, Clone, Copy)]
pub struct Pasted<'a> {
    /// The plugin field the values were typed into.
    pub field: Environment,
    pub username: &'a str,
    /// Optional: without it, everything but the password is checked.
    pub password: &'a str,
}

/// What Switchyard knows about the username (as returned by [`clean`]).
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    NotIssued,
    OtherStore,
    Own(Issued<'a>),
}

/// A credential of this store, as issued.
#[derive(Debug, Clone, Copy)]
pub struct Issued<'a> {
    pub environment: Environment,
    pub secret_hash: &'a str,
    pub revoked_at: Option<i64>,
    /// Set when it was rotated with a grace period.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Username,
    Password,
}

/// One thing the checker found. Every variant but [`Finding::EndsSoon`] and
/// [`Finding::Right`] is a mistake that stops the plugin from working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Empty,
    /// Spaces, tabs or line breaks came along with the copy; the plugin sends them too.
    Whitespace(Part),
    /// Digits only: the legacy store ID, which the new plugin does not accept.
    LegacyStoreId,
    /// The merchant ID was typed where the username goes.
    MerchantIdNotUsername {
        merchant_id: String,
    },
    /// A password (`sy_…`) was typed into the username field.
    PasswordAsUsername,
    NotIssued,
    OtherStore,
    TestInLiveField,
    LiveInTestField,
    Revoked {
        at: i64,
    },
    /// Replaced by a rotation whose grace period has ended.
    Rotated {
        at: i64,
    },
    /// Replaced by a rotation; still works until `at`.
    EndsSoon {
        at: i64,
    },
    WrongPassword,
    Right {
        password_checked: bool,
    },
}

impl Finding {
    pub fn is_problem(&self) -> bool {
        !matches!(self, Self::EndsSoon { .. } | Self::Right { .. })
    }
}

/// The username as the checker reads it: without any whitespace.
pub fn clean(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Everything wrong with `pasted`, most fundamental first; `[Right]` (maybe after
/// `EndsSoon`) when nothing is.
pub fn diagnose(pasted: &Pasted<'_>, lookup: Lookup<'_>, now: i64) -> Vec<Finding> {
    let username = clean(pasted.username);
    let password = clean(pasted.password);
    let mut found = Vec::new();
    if username.is_empty() {
        return vec![Finding::Empty];
    }
    if username != pasted.username {
        found.push(Finding::Whitespace(Part::Username));
    }
    if password != pasted.password {
        found.push(Finding::Whitespace(Part::Password));
    }
    if username.bytes().all(|b| b.is_ascii_digit()) {
        found.push(Finding::LegacyStoreId);
        return found;
    }
    if let Ok(mid) = MerchantId::parse(&username) {
        found.push(Finding::MerchantIdNotUsername {
            merchant_id: mid.to_string(),
        });
        if let Some(wrong) = field_mismatch(mid.environment(), pasted.field) {
            found.push(wrong);
        }
        return found;
    }
    if username.starts_with("sy_") {
        found.push(Finding::PasswordAsUsername);
        return found;
    }
    let issued = match lookup {
        Lookup::NotIssued => {
            found.push(Finding::NotIssued);
            return found;
        }
        Lookup::OtherStore => {
            found.push(Finding::OtherStore);
            return found;
        }
        Lookup::Own(issued) => issued,
    };
    if let Some(wrong) = field_mismatch(issued.environment, pasted.field) {
        found.push(wrong);
    }
    match (issued.revoked_at, issued.expires_at) {
        (Some(at), _) => found.push(Finding::Revoked { at }),
        (None, Some(at)) if at <= now => found.push(Finding::Rotated { at }),
        (None, Some(at)) => found.push(Finding::EndsSoon { at }),
        (None, None) => {}
    }
    let password_checked = !password.is_empty();
    if password_checked && !credentials::verify(&SecretString::from(password), issued.secret_hash) {
        found.push(Finding::WrongPassword);
    }
    if !found.iter().any(Finding::is_problem) {
        found.push(Finding::Right { password_checked });
    }
    found
}

fn field_mismatch(credential: Environment, field: Environment) -> Option<Finding> {
    match (credential, field) {
        (Environment::Test, Environment::Live) => Some(Finding::TestInLiveField),
        (Environment::Live, Environment::Test) => Some(Finding::LiveInTestField),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credentials::generate;
    use secrecy::ExposeSecret;

    const NOW: i64 = 1_000_000;

    fn check(field: Environment, username: &str, password: &str, lookup: Lookup) -> Vec<Finding> {
        diagnose(
            &Pasted {
                field,
                username,
                password,
            },
            lookup,
            NOW,
        )
    }

    fn own(env: Environment, hash: &str) -> Issued<'_> {
        Issued {
            environment: env,
            secret_hash: hash,
            revoked_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn right_credentials_in_the_right_field() {
        let c = generate(&MerchantId::from_number(Environment::Live, 123_456));
        let pw = c.password.expose_secret();
        let issued = Lookup::Own(own(Environment::Live, &c.secret_hash));
        assert_eq!(
            check(Environment::Live, &c.username, pw, issued),
            [Finding::Right {
                password_checked: true
            }]
        );
        assert_eq!(
            check(Environment::Live, &c.username, "", issued),
            [Finding::Right {
                password_checked: false
            }]
        );
    }

    #[test]
    fn each_mistake_is_named() {
        let c = generate(&MerchantId::from_number(Environment::Live, 123_456));
        let pw = c.password.expose_secret();
        let live = own(Environment::Live, &c.secret_hash);
        let test = own(Environment::Test, &c.secret_hash);
        use Environment::{Live, Test};
        use Finding::*;
        let cases: Vec<(Vec<Finding>, Vec<Finding>)> = vec![
            (check(Live, "  \n", pw, Lookup::Own(live)), vec![Empty]),
            (
                check(Live, "4711", "", Lookup::NotIssued),
                vec![LegacyStoreId],
            ),
            (
                check(Live, " 4711", "", Lookup::NotIssued),
                vec![Whitespace(Part::Username), LegacyStoreId],
            ),
            (
                check(Test, "K123456", "", Lookup::NotIssued),
                vec![
                    MerchantIdNotUsername {
                        merchant_id: "K123456".into(),
                    },
                    LiveInTestField,
                ],
            ),
            (
                check(Live, pw, "", Lookup::NotIssued),
                vec![PasswordAsUsername],
            ),
            (
                check(Live, "K999999_abcdefabcdef", "", Lookup::NotIssued),
                vec![NotIssued],
            ),
            (
                check(Live, &c.username, pw, Lookup::OtherStore),
                vec![OtherStore],
            ),
            (
                check(Live, &c.username, pw, Lookup::Own(test)),
                vec![TestInLiveField],
            ),
            (
                check(Test, &c.username, pw, Lookup::Own(live)),
                vec![LiveInTestField],
            ),
            (
                check(Live, &c.username, "sy_nope", Lookup::Own(live)),
                vec![WrongPassword],
            ),
            (
                check(
                    Live,
                    &format!("{}\t", c.username),
                    &format!("{pw} "),
                    Lookup::Own(live),
                ),
                vec![Whitespace(Part::Username), Whitespace(Part::Password)],
            ),
            (
                check(
                    Live,
                    &c.username,
                    pw,
                    Lookup::Own(Issued {
                        revoked_at: Some(5),
                        ..live
                    }),
                ),
                vec![Revoked { at: 5 }],
            ),
            (
                check(
                    Live,
                    &c.username,
                    pw,
                    Lookup::Own(Issued {
                        expires_at: Some(NOW),
                        ..live
                    }),
                ),
                vec![Rotated { at: NOW }],
            ),
            (
                check(
                    Live,
                    &c.username,
                    pw,
                    Lookup::Own(Issued {
                        expires_at: Some(NOW + 60),
                        ..live
                    }),
                ),
                vec![
                    EndsSoon { at: NOW + 60 },
                    Right {
                        password_checked: true,
                    },
                ],
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn whitespace_is_reported_but_the_rest_still_checked() {
        let c = generate(&MerchantId::from_number(Environment::Test, 12_345));
        let got = check(
            Environment::Live,
            &format!(" {}", c.username),
            "sy_wrong",
            Lookup::Own(own(Environment::Test, &c.secret_hash)),
        );
        assert_eq!(
            got,
            [
                Finding::Whitespace(Part::Username),
                Finding::TestInLiveField,
                Finding::WrongPassword
            ]
        );
        assert_eq!(clean(" K1_a\r\nb "), "K1_ab");
    }
}
