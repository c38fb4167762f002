//! A partner manager's daily work on the dashboard: saved views (a filter and sort under
//! a name, kept per person) and reminding every store a filter matches, previewed first.

use super::{
    App,
    partner::{ListQuery, sunsets},
};
use crate::{
    domain::{
        sunset,
        text::{Lines, check},
    },
    store::{self, cohort_reminders::RemindPreview},
};

/// The longest name a view may have, in characters.
pub const MAX_NAME: usize = 60;

/// How many recipients the preview lists; the count says how many there are in all.
pub const PREVIEW_RECIPIENTS: i64 = 20;

/// Why a view was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewRefusal {
    /// Empty, too long, or with a control character.
    BadName,
    /// The person keeps the most views there may be.
    TooMany,
}

impl ViewRefusal {
    /// The message key that explains it.
    pub fn key(self) -> &'static str {
        match self {
            ViewRefusal::BadName => "dashboard.views.bad_name",
            ViewRefusal::TooMany => "dashboard.views.too_many",
        }
    }
}

/// Saves `query`'s filters and sort (not its page) as `name` for `user_id`, replacing a
/// view of the same name.
pub async fn save_view(
    state: &App,
    user_id: i64,
    name: &str,
    query: &ListQuery,
) -> anyhow::Result<Result<(), ViewRefusal>> {
    let name = name.trim();
    if name.is_empty() || check(name, Lines::One, MAX_NAME).is_err() {
        return Ok(Err(ViewRefusal::BadName));
    }
    // Re-encoded from the parsed query, so what is stored is the dashboard's own link.
    let saved = query.with(&[("page", "")]);
    if store::saved_views::save(&state.db.pool, user_id, name, &saved).await? {
        Ok(Ok(()))
    } else {
        Ok(Err(ViewRefusal::TooMany))
    }
}

/// Deletes `user_id`'s view `id`; another person's view is left alone.
pub async fn delete_view(state: &App, user_id: i64, id: i64) -> sqlx::Result<bool> {
    store::saved_views::delete(&state.db.pool, user_id, id).await
}

/// What reminding every store of `partners` that `query` matches would do today.
pub async fn remind_preview(
    state: &App,
    partners: &[i64],
    query: &ListQuery,
) -> sqlx::Result<RemindPreview> {
    let sunsets = sunsets(state);
    let filter = query.filter();
    let cohort = state.cohort(Some(partners), &filter, &sunsets, store::now());
    cohort
        .remind_preview(&state.db, sunset::today(), PREVIEW_RECIPIENTS)
        .await
}

/// How many reminders reminding every store of `partners` that `query` matches would
/// queue today (the preview without its recipients).
pub async fn to_remind(state: &App, partners: &[i64], query: &ListQuery) -> sqlx::Result<i64> {
    let sunsets = sunsets(state);
    let filter = query.filter();
    let cohort = state.cohort(Some(partners), &filter, &sunsets, store::now());
    let counts = cohort.remind_counts(&state.db, sunset::today()).await?;
    Ok(counts.to_send())
}
