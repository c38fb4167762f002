//! The partner dashboard: every store of the partner manager's partners with its
//! progress and sunset risk, filtered, sorted and paged in the database; charts; the
//! current filter as CSV; and a bulk nudge (one reminder per store per day, audited).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    AppState,
    access::PartnerManager,
    error::AppError,
    pages,
    routes::Routes,
    session::{ClientIp, CsrfForm},
};
use crate::store::outbox::Lane;
use crate::{
    domain::{
        Step,
        risk::{Risk, Rule},
        sunset::{self},
        upgrade::Progress,
    },
    i18n::Tr,
    mail::Email,
    store::{
        self,
        audit::Record,
        cohort::{Cohort, CohortRow, Filter, Sort},
    },
};

pub fn routes(r: Routes) -> Routes {
    r.get("/partner", dashboard)
        .get("/partner/export.csv", export)
        .post("/partner/nudge", nudge)
}

pub const PAGE_SIZE: i64 = 50;

/// The dashboard's query string: filters, sort and page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: String,
}

impl ListQuery {
    pub fn filter(&self) -> Filter {
        Filter {
            q: self.q.trim().chars().take(100).collect(),
            // A step or risk it does not know is left out, like any unknown filter.
            step: Progress::parse(self.step.trim()),
            risk: Risk::parse(self.risk.trim()),
            product: self.product.trim().to_owned(),
            platform: self.platform.trim().to_owned(),
            country: self.country.trim().chars().take(2).collect(),
            store_id: None,
        }
    }

    pub fn sort(&self) -> Sort {
        Sort::parse(&self.sort).unwrap_or_default()
    }

    pub fn descending(&self) -> bool {
        self.dir == "desc"
    }

    pub fn page(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 1_000_000)
    }

    /// The query string for the same list with `changes` applied (links keep the filter).
    pub fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("step", &self.step),
            ("risk", &self.risk),
            ("product", &self.product),
            ("platform", &self.platform),
            ("country", &self.country),
            ("sort", &self.sort),
            ("dir", &self.dir),
            ("page", &self.page),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.clone()))
        .collect();
        for (k, v) in changes {
            if let Some(p) = pairs.iter_mut().find(|(key, _)| key == k) {
                p.1 = (*v).to_owned();
            }
        }
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

/// Each legacy product's sunset as unix seconds (the store closes at 00:00 UTC).
pub fn sunsets(state: &AppState) -> Vec<(&str, i64)> {
    state
        .catalog
        .products
        .iter()
        .filter_map(|p| {
            let date = p.sunset_date()?;
            Some((
                p.code.as_str(),
                date.midnight().assume_utc().unix_timestamp(),
            ))
        })
        .collect()
}

pub fn rule(state: &AppState) -> Rule {
    Rule::with_stall_days(state.config.stall_days)
}

/// The whole cohort's step counts and weekly completions: the charts, and the total
/// when nothing is filtered.
#[derive(Clone)]
pub struct Summary {
    pub steps: Vec<(Progress, i64)>,
    pub completions: Vec<(i64, i64)>,
}

/// Summaries per set of partners, kept for a minute: the charts scan every store of the
/// cohort, which a partner paging through 100,000 stores should not pay for each page.
#[derive(Clone, Default)]
pub struct ChartCache(Arc<Mutex<HashMap<PartnerIds, (Instant, Summary)>>>);

/// A cohort's key in the cache: its partners' ids.
type PartnerIds = Vec<i64>;

const CHART_TTL: Duration = Duration::from_secs(60);

impl ChartCache {
    async fn get(
        &self,
        pool: &sqlx::AnyPool,
        whole: &Cohort<'_>,
        partners: &[i64],
    ) -> sqlx::Result<Summary> {
        if let Some((at, summary)) = self.0.lock().ok().and_then(|c| c.get(partners).cloned())
            && at.elapsed() < CHART_TTL
        {
            return Ok(summary);
        }
        let summary = Summary {
            steps: whole.steps(pool).await?,
            completions: whole.completions_by_week(pool).await?,
        };
        if let Ok(mut cache) = self.0.lock() {
            cache.retain(|_, (at, _)| at.elapsed() < CHART_TTL);
            cache.insert(partners.to_vec(), (Instant::now(), summary.clone()));
        }
        Ok(summary)
    }
}

/// Everything the dashboard shows for one request.
pub struct Dashboard {
    pub rows: Vec<CohortRow>,
    /// Stores matching the filter.
    pub total: i64,
    /// The charts show the whole cohort, whatever the filter: stores per step, and
    /// completions per week (week number from Monday 1970-01-05, count).
    pub steps: Vec<(Progress, i64)>,
    pub completions: Vec<(i64, i64)>,
    pub now: i64,
}

async fn dashboard(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let sunsets = sunsets(&state);
    let filter = query.filter();
    let now = store::now();
    let cohort = Cohort {
        partners: Some(&user.principal.partner_ids),
        filter: &filter,
        rule: rule(&state),
        sunsets: &sunsets,
        now,
    };
    let pool = &state.db.pool;
    let offset = (query.page() - 1) * PAGE_SIZE;
    let everything = Filter::default();
    let whole = Cohort {
        filter: &everything,
        ..cohort
    };
    let summary = state
        .charts
        .get(pool, &whole, &user.principal.partner_ids)
        .await?;
    // Without a filter the step counts already say how many there are. With one, the
    // count and the page are read side by side on two connections.
    let page = cohort.page(pool, query.sort(), query.descending(), PAGE_SIZE, offset);
    let (rows, total) = if filter.is_empty() {
        (page.await?, summary.steps.iter().map(|(_, n)| n).sum())
    } else {
        tokio::try_join!(page, cohort.count(pool))?
    };
    let data = Dashboard {
        rows,
        total,
        steps: summary.steps,
        completions: summary.completions,
        now,
    };
    let next_sunset = state
        .catalog
        .products
        .iter()
        .filter_map(|p| p.sunset_date())
        .filter(|d| *d > sunset::today())
        .min();
    Ok(pages::render(pages::partner::dashboard(
        &user.ctx(),
        &state.catalog,
        &query,
        &data,
        next_sunset,
    ))
    .into_response())
}

/// The current filter as CSV, every page of it, in the dashboard's order.
async fn export(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let sunsets = sunsets(&state);
    let filter = query.filter();
    let now = store::now();
    let cohort = Cohort {
        partners: Some(&user.principal.partner_ids),
        filter: &filter,
        rule: rule(&state),
        sunsets: &sunsets,
        now,
    };
    let rows = cohort
        .page(
            &state.db.pool,
            query.sort(),
            query.descending(),
            1_000_000,
            0,
        )
        .await?;
    let mut res = to_csv(&state, &rows, now).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"switchyard-stores.csv\""),
    );
    Ok(res)
}

fn to_csv(state: &AppState, rows: &[CohortRow], now: i64) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "legacy_store_id",
        "name",
        "product",
        "path",
        "step",
        "last_activity",
        "days_without_progress",
        "risk",
    ]);
    for r in rows {
        let path = r
            .path_id
            .as_deref()
            .and_then(|p| state.catalog.path(p))
            .map(|p| p.to.clone())
            .unwrap_or_default();
        let _ = w.write_record([
            cell(&r.legacy_store_id),
            cell(&r.name),
            cell(&r.product),
            cell(&path),
            r.step.as_str().to_owned(),
            r.updated_at.map(crate::domain::rfc3339).unwrap_or_default(),
            r.idle_days(now).map(|d| d.to_string()).unwrap_or_default(),
            r.risk.as_str().to_owned(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A value as a spreadsheet will not run it as a formula.
fn cell(v: &str) -> String {
    crate::domain::text::spreadsheet_cell(v).into_owned()
}

/// Sends the chosen stores' admins a reminder, at most one per store per day.
async fn nudge(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "store")
        .map(|(_, v)| v.as_str())
        .take(500)
        .collect();
    let back = form
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.as_str())
        .filter(|v| v.starts_with("/partner"))
        .unwrap_or("/partner");
    let today = sunset::today();
    let (mut sent, mut skipped) = (0, 0);
    for eid in chosen {
        let Some(s) = store::stores::find_by_legacy_id(&state.db.pool, eid).await? else {
            skipped += 1;
            continue;
        };
        // Only the manager's own partners' stores; anything else is skipped, not told.
        if !s
            .partner_id
            .is_some_and(|p| user.principal.partner_ids.contains(&p))
        {
            skipped += 1;
            continue;
        }
        let upgrade = store::upgrades::for_store(&state.db.pool, s.id).await?;
        if upgrade.as_ref().is_some_and(|u| u.step == Step::Complete) {
            skipped += 1;
            continue;
        }
        let mut tx = state.db.begin().await?;
        let lang = store::users::email_lang(&state.db.pool, &s.admin_email, Some(&s)).await?;
        let email = reminder(&state, &s, upgrade.as_ref().map(|u| u.step), lang);
        let key = format!("nudge:{}:{today}", s.id);
        if store::outbox::enqueue(&mut tx, Lane::Bulk, &key, &email, Some(s.id)).await? {
            store::audit::record(
                &mut *tx,
                &Record {
                    actor: &user.principal.email,
                    action: "store.nudged",
                    store_id: Some(s.id),
                    detail: "reminder email from the partner dashboard",
                    ip: &ip,
                },
            )
            .await?;
            sent += 1;
        } else {
            skipped += 1;
        }
        tx.commit().await?;
    }
    state.jobs.wake();
    let tr = user.ctx().tr;
    let message = tr.f(
        "partner.nudged",
        &[
            ("sent", &sent.to_string()),
            ("skipped", &skipped.to_string()),
        ],
    );
    Ok(pages::render(pages::partner::nudged(&user.ctx(), &message, back)).into_response())
}

/// The reminder an admin gets from a nudge or after days without progress.
pub fn reminder(
    state: &AppState,
    s: &store::stores::Store,
    step: Option<Step>,
    lang: crate::i18n::Lang,
) -> Email {
    let tr = Tr::new(lang);
    let link = format!(
        "{}/stores/{}/upgrade",
        state.config.base_url, s.legacy_store_id
    );
    let where_ = match step {
        None => tr.t("email.reminder.not_started"),
        Some(step) => tr.f("email.reminder.at_step", &[("step", &tr.t(step.key()))]),
    };
    let sunset = state
        .catalog
        .product(&s.product)
        .and_then(|p| p.sunset_date())
        .map(|d| crate::i18n::format::date(tr.lang, d))
        .unwrap_or_default();
    Email {
        to: s.admin_email.clone(),
        subject: tr.f("email.reminder.subject", &[("store", &s.name)]),
        text: tr.f(
            "email.reminder.body",
            &[
                ("store", &s.name),
                ("eid", &s.legacy_store_id),
                ("where", &where_),
                ("sunset", &sunset),
                ("link", &link),
            ],
        ),
    }
}
