//! How many stores each partner has per product and stage (migration 0028): a cohort's
//! size, a stage's and the at-risk filter's are sums of a few rows, where counting them
//! would read up to a million index entries. Triggers write each change as a row of its
//! own; [`fold`] sums them into one row per cell.

use super::{
    Backend, Db,
    cohort::{Arg, Cohort, Filter, bind},
};
use crate::domain::{
    Step,
    risk::{Horizon, Risk, one_of, open_stages},
};

impl Cohort<'_> {
    /// How many stores match, from the tallies; `None` when the filter asks what they do
    /// not keep (a search, a country, a platform, an idle time other than at-risk's…).
    pub(super) async fn tallied(&self, db: &Db) -> sqlx::Result<Option<i64>> {
        let Some(partners) = self.partners else {
            return Ok(None);
        };
        let Filter {
            step,
            risk,
            product,
            partner,
            ..
        } = self.filter;
        if !the_tallies_answer(self.filter) {
            return Ok(None);
        }
        let mut args = Vec::new();
        let mut arg = |a: Arg| {
            args.push(a);
            format!("${}", args.len())
        };
        // The same columns in both tables: these conditions choose cells of the tallies
        // and the stores in them alike.
        let mut cells = Vec::new();
        let ids: Vec<String> = partners.iter().map(|id| arg(Arg::Int(*id))).collect();
        cells.push(if ids.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("partner_id IN ({})", ids.join(", "))
        });
        if let Some(id) = *partner {
            cells.push(format!("partner_id = {}", arg(Arg::Int(id))));
        }
        if !product.is_empty() {
            cells.push(format!("product = {}", arg(Arg::Text(product.clone()))));
        }
        if let Some(step) = *step {
            cells.push(format!(
                "upgrade_step = {}",
                arg(Arg::Text(step.as_str().to_owned()))
            ));
        }
        // At risk: every unfinished store of an urgent or near product, less those of a
        // near product that moved since the cut (few: they moved within the stall days).
        let mut moved = None;
        match *risk {
            Some(Risk::Done) => cells.push(format!("upgrade_step = '{}'", Step::Complete.as_str())),
            Some(Risk::AtRisk) => {
                let Horizon { urgent, near, cut } = self.rule.horizon(self.sunsets, self.now);
                let either: Vec<String> = urgent.into_iter().chain(near.iter().cloned()).collect();
                cells.push(open_stages("upgrade_step"));
                cells.push(one_of("product", &either));
                if !near.is_empty() {
                    moved = Some(format!(
                        "{} AND COALESCE(upgrade_progressed_at, 0) > {cut}",
                        one_of("product", &near)
                    ));
                }
            }
            _ => {}
        }
        let cells = cells.join(" AND ");
        let moved = match moved {
            Some(recent) => format!(" - (SELECT COUNT(*) FROM stores WHERE {cells} AND {recent})"),
            None => String::new(),
        };
        let own = match *risk {
            Some(Risk::AtRisk) => self.own_sunsets(&cells),
            _ => String::new(),
        };
        // One statement, so every part reads the same moment.
        let sql = format!(
            "SELECT CAST((SELECT COALESCE(SUM(stores), 0) FROM cohort_tallies WHERE {cells}){moved}{own} AS BIGINT)"
        );
        let (n,): (i64,) = bind(sqlx::query_as(&sql), &args)
            .fetch_one(&db.pool)
            .await?;
        Ok(Some(n))
    }

    /// The correction for the few stores with a sunset of their own among `cells`:
    /// counted by their product's sunset in the tallies, counted here again by their own.
    fn own_sunsets(&self, cells: &str) -> String {
        let columns = [
            "product",
            "upgrade_step",
            "upgrade_progressed_at",
            "extended_sunset",
        ];
        let by_product = self.rule.sql_is_by_product(
            Risk::AtRisk,
            self.sunsets,
            self.now,
            ["product", "upgrade_step", "upgrade_progressed_at"],
        );
        let by_own = self.rule.case_over(self.sunsets, self.now, columns);
        format!(
            " + (SELECT COALESCE(SUM(CASE WHEN {by_own} = '{at_risk}' THEN 1 ELSE 0 END) \
             - SUM(CASE WHEN {by_product} THEN 1 ELSE 0 END), 0) \
             FROM stores WHERE {cells} AND extended_sunset IS NOT NULL)",
            at_risk = Risk::AtRisk.as_str()
        )
    }
}

/// Whether the tallies can count the stores `filter` chooses: only by partner, product,
/// step, and "at risk" or "done"; not a search, a country, a platform, an idle time…
fn the_tallies_answer(filter: &Filter) -> bool {
    // Every field named, so a filter added later has to be decided on here.
    let Filter {
        q,
        // The tallies' own cells.
        step: _,
        product: _,
        partner: _,
        risk,
        platform,
        country,
        store_id,
        stalled_before,
        after_id,
        changed_since,
        legacy_since,
        order_management_missing,
        sunset_ready,
        extended,
    } = filter;
    let plain = q.trim().is_empty()
        && platform.is_empty()
        && country.is_empty()
        && store_id.is_none()
        && stalled_before.is_none()
        && after_id.is_none()
        && changed_since.is_none()
        && legacy_since.is_none()
        && !order_management_missing
        && sunset_ready.is_none()
        && !extended;
    plain && matches!(risk, None | Some(Risk::AtRisk | Risk::Done))
}

/// A table of single changes that [`fold`] sums: the columns naming a cell, and the one
/// summed.
struct Summed {
    table: &'static str,
    cell: &'static str,
    value: &'static str,
}

/// The cohort tallies (migration 0028) and the partners' cutover meters (0040).
const SUMMED: [Summed; 2] = [
    Summed {
        table: "cohort_tallies",
        cell: "partner_id, product, upgrade_step",
        value: "stores",
    },
    Summed {
        table: "partner_orders",
        cell: "partner_id, day, legacy, country",
        value: "orders",
    },
];

/// Sums the tallies' single changes into one row per cell (the periodic chores, and an
/// import when it ends). Safe beside writers and on every instance at once: what it sums
/// is exactly what it deletes, in one transaction.
pub async fn fold(db: &Db) -> anyhow::Result<()> {
    for t in &SUMMED {
        fold_table(db, t).await?;
    }
    Ok(())
}

async fn fold_table(db: &Db, t: &Summed) -> anyhow::Result<()> {
    let Summed { table, cell, value } = t;
    let sums = |rows: &str| {
        format!(
            "INSERT INTO {table} ({cell}, {value}) SELECT {cell}, SUM({value}) FROM {rows} \
             GROUP BY {cell} HAVING SUM({value}) <> 0"
        )
    };
    match db.backend {
        // One writer at a time: nothing commits between the two statements.
        Backend::Sqlite => {
            let mut tx = db.begin().await?;
            let (last,): (i64,) =
                sqlx::query_as(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(&sums(&format!(
                "(SELECT * FROM {table} WHERE id <= {last})"
            )))
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!("DELETE FROM {table} WHERE id <= $1"))
                .bind(last)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        // Writers commit at any time: the rows deleted are the rows summed.
        Backend::Postgres => {
            sqlx::query(&format!(
                "WITH gone AS (DELETE FROM {table} RETURNING {cell}, {value}) {}",
                sums("gone")
            ))
            .execute(&db.pool)
            .await?;
        }
    }
    Ok(())
}
