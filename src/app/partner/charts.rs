//! The charts' figures for a cohort, kept for a while: they read every store.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use crate::{
    config::ChartsConfig,
    domain::upgrade::Progress,
    store::{
        self,
        cohort::{Cohort, Filter},
    },
};

/// The whole cohort's step counts and weekly completions: the charts, and the total
/// when nothing is filtered; and the countries its stores sell in (the country filter).
#[derive(Clone)]
pub struct Summary {
    pub steps: Vec<(Progress, i64)>,
    pub completions: Vec<(i64, i64)>,
    pub countries: Vec<String>,
}

/// Summaries per set of partners. The charts scan every store of the cohort, which a
/// partner paging through a million stores should not pay for each page: a summary is
/// fresh for a while (a minute by default); after that it is still shown while a new one
/// is read in the background (no request waits for the scan), and only one older than
/// `usable` (a quarter of an hour) is read again before answering.
#[derive(Clone, Default)]
pub struct ChartCache {
    entries: Arc<Mutex<HashMap<PartnerIds, Cached>>>,
    times: ChartsConfig,
}

/// A cohort's key in the cache: its partners' ids.
type PartnerIds = Vec<i64>;

#[derive(Clone)]
struct Cached {
    at: Instant,
    summary: Summary,
    refreshing: bool,
}

impl ChartCache {
    pub fn new(times: ChartsConfig) -> Self {
        Self {
            entries: Default::default(),
            times,
        }
    }

    pub async fn get(
        &self,
        db: &store::Db,
        whole: &Cohort<'_>,
        partners: &[i64],
    ) -> sqlx::Result<Summary> {
        let cached = self.entries.lock().ok().and_then(|mut cache| {
            let entry = cache.get_mut(partners)?;
            let age = entry.at.elapsed();
            if age < self.times.fresh {
                return Some((entry.summary.clone(), false));
            }
            if age >= self.times.usable {
                return None;
            }
            let refresh = !entry.refreshing;
            entry.refreshing = true;
            Some((entry.summary.clone(), refresh))
        });
        match cached {
            Some((summary, refresh)) => {
                if refresh {
                    self.refresh_later(db.clone(), whole, partners);
                }
                Ok(summary)
            }
            None => {
                let summary = read_summary(db, whole).await?;
                self.put(partners, summary.clone());
                Ok(summary)
            }
        }
    }

    fn put(&self, partners: &[i64], summary: Summary) {
        if let Ok(mut cache) = self.entries.lock() {
            let usable = self.times.usable;
            cache.retain(|_, c| c.at.elapsed() < usable);
            let at = Instant::now();
            let refreshing = false;
            cache.insert(
                partners.to_vec(),
                Cached {
                    at,
                    summary,
                    refreshing,
                },
            );
        }
    }

    /// Reads the summary again in the background and keeps it; on an error the stale one
    /// stays, and the next request past the minute tries again.
    fn refresh_later(&self, db: store::Db, whole: &Cohort<'_>, partners: &[i64]) {
        let cache = self.clone();
        let partners = partners.to_vec();
        let sunsets: Vec<(String, i64)> = whole
            .sunsets
            .iter()
            .map(|(c, t)| ((*c).to_owned(), *t))
            .collect();
        let rule = whole.rule;
        tokio::spawn(async move {
            let sunsets: Vec<(&str, i64)> = sunsets.iter().map(|(c, t)| (c.as_str(), *t)).collect();
            let everything = Filter::default();
            let whole = Cohort {
                partners: Some(&partners),
                filter: &everything,
                rule,
                sunsets: &sunsets,
                now: store::now(),
            };
            match read_summary(&db, &whole).await {
                Ok(summary) => cache.put(&partners, summary),
                Err(e) => {
                    tracing::warn!(error = %e, "the dashboard's charts could not be read again");
                    if let Ok(mut c) = cache.entries.lock()
                        && let Some(entry) = c.get_mut(&partners)
                    {
                        entry.refreshing = false;
                    }
                }
            }
        });
    }
}

async fn read_summary(db: &store::Db, whole: &Cohort<'_>) -> sqlx::Result<Summary> {
    Ok(Summary {
        steps: whole.steps(db).await?,
        completions: whole.completions_by_week(db).await?,
        countries: whole.countries(db).await?,
    })
}
