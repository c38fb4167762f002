//! A later sunset for one store: its admin asks, with a reason and the day wanted, up to
//! the catalog's limit for the product (`max_extension_days`); support approves, perhaps
//! with another day, or declines, with a reason. One request is open per store at a
//! time. Each step is audited; the decision is emailed to the admin, and an approval
//! sent to the partner's webhooks (`store.sunset_extended`). An approved store's own
//! day is its sunset everywhere (`Store::sunset`, and the risk rule's SQL).

use serde_json::json;
use time::Date;

pub use super::rehearsals::Actor;
use super::{App, emails, paths};
use crate::domain::parse_date;
use crate::{
    domain::{
        rfc3339, sunset,
        text::{self, Lines},
    },
    store::{
        self,
        extensions::{self as rows, APPROVED, DECLINED, Decision, Extension, NewRequest},
        outbox::Lane,
        stores::Store,
    },
};

/// The longest reason, either side.
pub const MAX_REASON: usize = 1000;

/// Why a request or a decision is refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("the product takes no extensions")]
    NotOffered,
    #[error("not a date")]
    BadDate,
    #[error("not after the current sunset")]
    NotLater,
    #[error("after the latest day allowed")]
    TooLate,
    #[error("the legacy store has closed")]
    Closed,
    #[error("no reason")]
    NoReason,
    #[error("the reason: {0:?}")]
    BadReason(text::TextProblem),
    #[error("a request is open already")]
    AlreadyOpen,
    #[error("decided already")]
    Decided,
    #[error("no such request")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl Refused {
    /// The message catalogue's key for it (none for an internal failure).
    pub fn key(&self) -> Option<&'static str> {
        Some(match self {
            Self::NotOffered => "extension.error.not_offered",
            Self::BadDate => "extension.error.date",
            Self::NotLater => "extension.error.not_later",
            Self::TooLate => "extension.error.too_late",
            Self::Closed => "extension.error.closed",
            Self::NoReason => "extension.error.reason",
            Self::BadReason(_) => "extension.error.reason_text",
            Self::AlreadyOpen => "extension.error.open",
            Self::Decided => "extension.error.decided",
            Self::NotFound => "extension.error.not_found",
            Self::Internal(_) => return None,
        })
    }
}

/// The days a store may ask for: after its product's sunset, up to the catalog's limit.
/// `None` when its product takes no extensions.
pub fn window(app: &App, s: &Store) -> Option<(Date, Date)> {
    let product = app.catalog.product(&s.product)?;
    Some((product.sunset_date()?, product.latest_extension()?))
}

/// A day within the store's window, from the form's text.
fn day_within(app: &App, s: &Store, raw: &str) -> Result<Date, Refused> {
    let (from, to) = window(app, s).ok_or(Refused::NotOffered)?;
    let day = parse_date(raw).ok_or(Refused::BadDate)?;
    if day <= from || day <= s.sunset(&app.catalog).unwrap_or(from) {
        return Err(Refused::NotLater);
    }
    if day > to {
        return Err(Refused::TooLate);
    }
    Ok(day)
}

fn reason_of(raw: &str) -> Result<&str, Refused> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(Refused::NoReason);
    }
    text::check(reason, Lines::Many, MAX_REASON).map_err(Refused::BadReason)?;
    Ok(reason)
}

/// One step in the store's audit log.
async fn audit(
    tx: &mut store::Tx,
    by: &Actor<'_>,
    action: &str,
    store_id: i64,
    args: &[(&str, &str)],
) -> sqlx::Result<()> {
    store::audit::record(
        &mut **tx,
        &store::audit::Record {
            actor: by.email,
            action,
            store_id: Some(store_id),
            args,
            ip: by.ip,
        },
    )
    .await
}

/// The admin of store `s` asks for a sunset on `wanted`; returns the request's id.
pub async fn request(
    app: &App,
    s: &Store,
    wanted: &str,
    reason: &str,
    by: Actor<'_>,
) -> Result<i64, Refused> {
    if s.sunset(&app.catalog)
        .is_some_and(|d| sunset::Phase::on(d, sunset::today()).is_closed())
    {
        return Err(Refused::Closed);
    }
    let day = day_within(app, s, wanted)?;
    let reason = reason_of(reason)?;
    let day = day.to_string();
    let mut tx = app.db.begin().await?;
    let request = NewRequest {
        store_id: s.id,
        wanted_date: &day,
        reason,
        by: by.email,
        at: store::now(),
    };
    let Some(id) = rows::request(&mut tx, &request).await? else {
        return Err(Refused::AlreadyOpen);
    };
    let request_id = id.to_string();
    let args = [
        ("request", request_id.as_str()),
        ("date", day.as_str()),
        ("reason", reason),
    ];
    audit(&mut tx, &by, "extension.requested", s.id, &args).await?;
    tx.commit().await?;
    Ok(id)
}

/// Support's answer: approve (on `date`, the day asked for when empty) or decline.
pub struct Answer<'a> {
    pub approve: bool,
    pub date: &'a str,
    pub reason: &'a str,
}

/// Support decides request `id`; returns the request as decided.
pub async fn decide(
    app: &App,
    id: i64,
    answer: &Answer<'_>,
    by: Actor<'_>,
) -> Result<Extension, Refused> {
    let pool = &app.db.pool;
    let request = rows::get(pool, id).await?.ok_or(Refused::NotFound)?;
    if request.status != rows::OPEN {
        return Err(Refused::Decided);
    }
    let s = store::stores::find_by_id(pool, request.store_id)
        .await?
        .ok_or(Refused::NotFound)?;
    let reason = reason_of(answer.reason)?;
    let granted = match answer.approve {
        false => None,
        true => {
            let raw = match answer.date.trim() {
                "" => request.wanted_date.as_str(),
                d => d,
            };
            Some(day_within(app, &s, raw)?)
        }
    };
    let granted_text = granted.map(|d| d.to_string());
    let now = store::now();
    let mut tx = app.db.begin().await?;
    let decision = Decision {
        id,
        status: if granted.is_some() {
            APPROVED
        } else {
            DECLINED
        },
        granted_date: granted_text.as_deref(),
        reason,
        by: by.email,
        at: now,
    };
    if !rows::decide(&mut tx, &decision).await? {
        return Err(Refused::Decided);
    }
    let request_id = id.to_string();
    let day = granted_text.clone().unwrap_or_default();
    let args = [
        ("request", request_id.as_str()),
        ("date", day.as_str()),
        ("reason", reason),
    ];
    let action = match granted {
        Some(_) => "extension.approved",
        None => "extension.declined",
    };
    audit(&mut tx, &by, action, s.id, &args).await?;
    let tr = emails::lang_of(&mut *tx, &s.admin_email, Some(&s)).await?;
    let link = format!(
        "{}{}",
        app.config.base_url,
        paths::store(&s.legacy_store_id).extension()
    );
    let email = emails::extension_decided(&tr, &s, &request, granted, reason, &link);
    let key = format!("extension:{id}");
    store::outbox::enqueue(&mut tx, Lane::Transactional, &key, &email, Some(s.id)).await?;
    if let Some(day) = granted {
        store::extensions::set_store_sunset(&mut tx, s.id, sunset::at(day)).await?;
        let data = json!({
            "legacy_store_id": s.legacy_store_id,
            "store_name": s.name,
            "product": s.product,
            "product_sunset": app
                .catalog
                .product(&s.product)
                .and_then(|p| p.sunset_date())
                .map(|d| d.to_string()),
            "sunset": day.to_string(),
            "reason": reason,
            "approved_at": rfc3339(now),
        });
        store::webhooks::enqueue(
            &mut tx,
            s.id,
            &format!("evt_extension_{id}"),
            "store.sunset_extended",
            now,
            &data,
        )
        .await?;
    }
    tx.commit().await?;
    app.outbox.wake();
    Ok(rows::get(pool, id).await?.unwrap_or(request))
}
