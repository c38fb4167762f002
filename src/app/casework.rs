//! Support's casework on a store: who looks after it, the day to look again, and notes
//! for the next agent. Every change is audited.

use super::{App, support::Act};
use crate::{
    domain::{
        EmailAddress,
        access::StaffRole,
        text::{self, Lines},
    },
    store::{self, casework::Casework},
};

/// The longest note.
pub const MAX_NOTE_CHARS: usize = 4000;

/// Why casework was not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The assignee is no active support agent.
    NotAnAgent,
    /// The follow-up day is not a date.
    BadDay,
    /// The note is empty, too long or has control characters.
    BadNote,
}

impl Refusal {
    /// The message key that explains it.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotAnAgent => "casework.error.not_an_agent",
            Refusal::BadDay => "casework.error.bad_day",
            Refusal::BadNote => "casework.error.bad_note",
        }
    }
}

/// Active support agents, by email: whom a store can be assigned to.
pub async fn agents(state: &App) -> sqlx::Result<Vec<String>> {
    store::users::active_with_role(&state.db.pool, StaffRole::Support).await
}

/// Assigns the store to `assignee` (none: to nobody) with a follow-up `day`
/// (`YYYY-MM-DD`, or empty for none).
pub async fn assign(
    state: &App,
    act: &Act<'_>,
    assignee: &str,
    day: &str,
) -> anyhow::Result<Result<(), Refusal>> {
    let assignee = match assignee.trim() {
        "" => None,
        email => {
            let email = EmailAddress::parse(email).map(|e| e.to_string());
            match email {
                Ok(e) if agents(state).await?.contains(&e) => Some(e),
                _ => return Ok(Err(Refusal::NotAnAgent)),
            }
        }
    };
    let day = match day.trim() {
        "" => None,
        d => match crate::domain::parse_date(d) {
            Some(date) => Some(date.to_string()),
            None => return Ok(Err(Refusal::BadDay)),
        },
    };
    let mut tx = state.db.begin().await?;
    let casework = Casework {
        assignee_email: assignee,
        follow_up_on: day,
    };
    store::casework::set(&mut tx, act.store.id, &casework, store::now()).await?;
    let none = "–";
    let args = [
        (
            "assignee",
            casework.assignee_email.as_deref().unwrap_or(none),
        ),
        ("day", casework.follow_up_on.as_deref().unwrap_or(none)),
    ];
    super::support::audited(&mut tx, act, "support.casework", &args).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Leaves a note on the store for the next agent.
pub async fn note(state: &App, act: &Act<'_>, body: &str) -> anyhow::Result<Result<(), Refusal>> {
    let body = body.trim();
    if body.is_empty() || text::check(body, Lines::Many, MAX_NOTE_CHARS).is_err() {
        return Ok(Err(Refusal::BadNote));
    }
    let mut tx = state.db.begin().await?;
    let at = store::now();
    store::casework::add_note(&mut tx, act.store.id, act.actor, body, at).await?;
    super::support::audited(&mut tx, act, "support.note_added", &[]).await?;
    tx.commit().await?;
    Ok(Ok(()))
}
