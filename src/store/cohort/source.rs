//! The cohort as SQL: the filtered stores as one subquery, with its arguments.

use super::{Arg, Cohort};
use crate::{
    domain::{text::fold, upgrade::Step},
    store::{Backend, stores::contains_pattern},
};

impl Cohort<'_> {
    /// The filtered cohort as a subquery `c`, with its arguments from `$1`.
    pub(in crate::store) fn source(&self, backend: Backend) -> (String, Vec<Arg>) {
        let mut args = Vec::new();
        let mut arg = |a: Arg| {
            args.push(a);
            format!("${}", args.len())
        };
        let partner = match self.partners {
            None => "1 = 1".to_owned(),
            Some([]) => "1 = 0".to_owned(),
            Some(ids) => {
                let list: Vec<String> = ids.iter().map(|id| arg(Arg::Int(*id))).collect();
                format!("s.partner_id IN ({})", list.join(", "))
            }
        };
        let risk = self.rule.sql_case(self.sunsets, self.now);
        let mut conds = Vec::new();
        let f = self.filter;
        let q = f.q.trim();
        if !q.is_empty() {
            conds.push(search(backend, q, &mut arg));
        }
        if let Some(step) = f.step {
            let p = arg(Arg::Text(step.as_str().to_owned()));
            conds.push(format!("c.step = {p}"));
        }
        if let Some(risk) = f.risk {
            conds.push(self.rule.sql_is(
                risk,
                self.sunsets,
                self.now,
                [
                    "c.product",
                    "c.step",
                    "c.progressed_at",
                    "c.extended_sunset",
                ],
            ));
        }
        for (value, column) in [(&f.product, "c.product"), (&f.platform, "c.platform")] {
            if !value.is_empty() {
                let p = arg(Arg::Text(value.clone()));
                conds.push(format!("{column} = {p}"));
            }
        }
        if let Some(id) = f.partner {
            let p = arg(Arg::Int(id));
            conds.push(format!("c.partner_id = {p}"));
        }
        if let Some(id) = f.store_id {
            let p = arg(Arg::Int(id));
            conds.push(format!("c.id = {p}"));
        }
        if let Some(before) = f.stalled_before {
            let p = arg(Arg::Int(before));
            // Not started is NULL, read as 0 here: `BETWEEN 1 AND` leaves it out and is a
            // range of the index on that expression, which holds only unfinished upgrades
            // (migration 0026: the step is written out, so the database sees it applies).
            conds.push(format!(
                "COALESCE(c.progressed_at, 0) BETWEEN 1 AND {p} AND c.step <> '{}'",
                Step::Complete.as_str()
            ));
        }
        if let Some(after) = f.after_id {
            let p = arg(Arg::Int(after));
            conds.push(format!("c.id > {p}"));
        }
        if let Some(since) = f.legacy_since {
            let p = arg(Arg::Int(since));
            conds.push(format!("c.legacy_called_at >= {p}"));
        }
        if f.extended {
            conds.push("c.extended_sunset IS NOT NULL".into());
        }
        if f.order_management_missing {
            conds.push("c.completed_at IS NOT NULL AND c.order_management_at IS NULL".into());
        }
        if let Some((ready, now)) = f.sunset_ready {
            // The rule of `domain::readiness`, as columns of the store.
            let quiet = arg(Arg::Int(crate::domain::readiness::quiet_since(now)));
            let now = arg(Arg::Int(now));
            conds.push(if ready {
                format!(
                    "c.legacy_archived_at IS NOT NULL AND COALESCE(c.legacy_called_at, 0) <= {quiet} \
                     AND COALESCE(c.legacy_open_until, 0) <= {now}"
                )
            } else {
                format!(
                    "(c.legacy_archived_at IS NULL OR c.legacy_called_at > {quiet} \
                     OR c.legacy_open_until > {now})"
                )
            });
        }
        if let Some(since) = f.changed_since {
            let p = arg(Arg::Int(since));
            conds.push(format!("COALESCE(c.updated_at, c.created_at) >= {p}"));
        }
        if !f.country.is_empty() {
            let p = arg(Arg::Text(format!("%;{};%", f.country.to_uppercase())));
            conds.push(format!("(';' || c.countries || ';') LIKE {p}"));
        }
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        // Only `stores`: each carries a copy of its upgrade's progress (migration 0011).
        let sql = format!(
            "(SELECT * FROM (SELECT s.id, s.legacy_store_id, s.name, s.name_folded, s.admin_email, s.product, s.platform, s.countries, s.partner_id, \
             s.upgrade_step AS step, s.upgrade_progressed_at AS progressed_at, s.upgrade_updated_at AS updated_at, \
             s.upgrade_completed_at AS completed_at, s.created_at, s.legacy_called_at, s.order_management_at, s.legacy_ordered_at, \
             s.legacy_open_until, s.legacy_archived_at, s.extended_sunset, {risk} AS risk \
             FROM stores s WHERE {partner}) c{filter}) c"
        );
        (sql, args)
    }
}

/// `q` as part of a store's name (case and accents folded) or legacy store ID. On SQLite
/// a needle of three characters or more goes through the trigram index over both
/// (migration 0026): `LIKE '%…%'` can use no B-tree. PostgreSQL's trigram indexes
/// (migrations 0014, 0021) serve the `LIKE` itself.
fn search(backend: Backend, q: &str, arg: &mut impl FnMut(Arg) -> String) -> String {
    let folded = fold(q);
    if backend == Backend::Sqlite && folded.chars().count() >= 3 {
        let m = arg(Arg::Text(format!(
            "{{name_folded legacy_store_id}} : \"{}\"",
            folded.replace('"', "\"\"")
        )));
        return format!("c.id IN (SELECT rowid FROM stores_search WHERE stores_search MATCH {m})");
    }
    let name = arg(Arg::Text(contains_pattern(&folded)));
    let eid = arg(Arg::Text(contains_pattern(&q.to_lowercase())));
    format!("(c.name_folded LIKE {name} ESCAPE '\\' OR c.legacy_store_id LIKE {eid} ESCAPE '\\')")
}
