//! The retention chore: deletes what has outlived its use (ended sessions, spent sign-in
//! links, old rate-limit counts, the API log past 7 days, support screenshots past their
//! retention). It runs with the periodic chores and on its own (`switchyard purge`).

use crate::{
    config::Config,
    store::{self, Db},
};

/// How much each kind of row the purge deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub sign_in_tokens: u64,
    pub rate_limit_events: u64,
    pub api_log: u64,
    pub screenshots: u64,
}

impl Purged {
    pub fn total(&self) -> u64 {
        self.sessions
            + self.sign_in_tokens
            + self.rate_limit_events
            + self.api_log
            + self.screenshots
    }
}

/// Deletes everything past its retention as of `now` (unix seconds).
pub async fn purge(db: &Db, config: &Config, now: i64) -> anyhow::Result<Purged> {
    let pool = &db.pool;
    let window = config.rate_limits.longest_window();
    Ok(Purged {
        sessions: store::purge::sessions(pool, now).await?,
        sign_in_tokens: store::purge::sign_in_tokens(pool, now).await?,
        rate_limit_events: store::purge::rate_limit_events(pool, now, window).await?,
        api_log: store::purge::api_log(pool, now).await?,
        screenshots: store::purge::screenshots(pool, now, config.screenshot_retention_days).await?,
    })
}
