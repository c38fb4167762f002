//! The emails about who may act for a store: sign-in links, admin changes, revoked
//! credentials, invitations and a delegate's handoff.

use super::store_path;
use crate::{domain::Step, i18n::Tr, mail::Email, store};

/// A sign-in link (the link is a secret: the outbox wipes it once delivered).
pub fn sign_in(tr: Tr, to: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.t("email.sign_in.subject"),
        text: tr.f("email.sign_in.body", &[("link", link)]),
    }
}

/// To the proposed new administrator of `s`: confirm with this link.
pub fn admin_change_request(tr: Tr, to: &str, s: &store::stores::Store, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.f("email.admin_change.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.admin_change.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("link", link),
            ],
        ),
    }
}

/// To the previous administrator of `s`: `new` administers it now.
pub fn admin_changed(tr: Tr, s: &store::stores::Store, new: &str) -> Email {
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.admin_changed.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.admin_changed.body",
            &[("store", &s.name), ("new", new)],
        ),
    }
}

/// To the administrator of `s`: `by` revoked the API credentials `usernames` at `time`
/// (as the admin reads it, [`time_for`]), so payments using them stop; new ones are made
/// on the credentials step.
pub fn credentials_revoked(
    tr: Tr,
    s: &store::stores::Store,
    usernames: &str,
    by: &str,
    time: &str,
    base: &str,
) -> Email {
    let link = format!("{base}{}", store_path(s).step(Step::Credentials));
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.credentials_revoked.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.credentials_revoked.body",
            &[
                ("store", &s.name),
                ("usernames", usernames),
                ("by", by),
                ("time", time),
                ("link", &link),
            ],
        ),
    }
}

/// An invitation to read `s`, from its administrator `admin`.
pub fn invitation(tr: Tr, to: &str, s: &store::stores::Store, admin: &str, base: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.f("email.invite.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.invite.body",
            &[
                ("store", &s.name),
                ("admin", admin),
                ("link", &format!("{base}/signin")),
            ],
        ),
    }
}

/// The admin passes new live credentials to their technical delegate: a one-time link.
pub fn handoff(tr: &Tr, to: &str, s: &store::stores::Store, admin: &str, link: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: tr.f("email.handoff.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.handoff.body",
            &[("store", &s.name), ("admin", admin), ("link", link)],
        ),
    }
}
