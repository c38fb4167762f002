//! Every email Switchyard sends, one function each. Each is composed in the language it
//! is given: the recipient's, found by [`lang_of`] (their own choice, else the language
//! of their store's country, else English).

mod access;
mod deadlines;
mod reminders;
mod support;
mod upgrade;

use sqlx::{Any, Executor};

pub use access::{
    admin_change_request, admin_changed, credentials_revoked, handoff, invitation, sign_in,
};
pub use deadlines::{brownout, brownout_partner, extension_decided, sunset_changed};
pub use reminders::{partner_digest, reminder, sunset};
pub use support::{SupportRequest, support_answer, support_request};
pub use upgrade::{
    legacy_active, legacy_orders_after_upgrade, rehearsal_reminder, rehearsal_report,
    upgrade_complete,
};

use super::paths;
use crate::{i18n::Tr, store};

fn store_path(s: &store::stores::Store) -> paths::Store<'_> {
    paths::store(&s.legacy_store_id)
}

/// A translator in the language `email` reads Switchyard in: their own choice, else the
/// language of `store`'s first country, else English.
pub async fn lang_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    store: Option<&store::stores::Store>,
) -> sqlx::Result<Tr> {
    Ok(Tr::new(store::users::email_lang(ex, email, store).await?))
}

/// A moment as `email` reads it in an email: in `tr`'s language and the time zone they
/// chose on their account page, else UTC (an email has no browser to ask). Every email
/// that shows a time writes it with this.
pub async fn time_for<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    tr: Tr,
    unix: i64,
) -> sqlx::Result<String> {
    let zone = zone_of(ex, email).await?;
    Ok(crate::i18n::format::datetime_in(tr.lang, unix, &zone))
}

/// The time zone `email` chose on their account page, else UTC: for an email that shows
/// several times (see [`time_for`]).
pub async fn zone_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<jiff::tz::TimeZone> {
    Ok(store::users::time_zone_of(ex, email)
        .await?
        .as_deref()
        .and_then(crate::i18n::zone::parse)
        .unwrap_or(jiff::tz::TimeZone::UTC))
}
