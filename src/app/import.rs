//! Importing legacy stores from CSV: every row is checked first, and a file with any
//! bad row imports nothing.

use std::collections::HashSet;

use crate::{
    domain::{
        Catalog, CountryCode, EmailAddress, LegacyStoreId,
        text::{self, Lines},
    },
    store::{self, Db, stores::NewStore},
};

pub const HEADER: [&str; 8] = [
    "legacy_store_id",
    "name",
    "product",
    "admin_email",
    "countries",
    "platform",
    "store_url",
    "partner",
];

/// No field of a store is longer (the name has its own, smaller limit).
const MAX_FIELD_CHARS: usize = 1000;

/// A row that cannot be imported, with its line number in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Parses and checks a stores CSV; either every row is good, or the list of bad rows.
pub fn parse_stores(text: &str, catalog: &Catalog) -> Result<Vec<NewStore>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                reason: format!("the header cannot be read: {e}"),
            }]);
        }
    };
    if header != HEADER {
        return Err(vec![RowError {
            line: 1,
            reason: format!("the header must be exactly: {}", HEADER.join(",")),
        }]);
    }
    let mut stores = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError {
                    line,
                    reason: format!("the row cannot be read: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        match parse_row(&record, catalog) {
            Ok(store) if !seen.insert(store.legacy_store_id.clone()) => {
                errors.push(RowError {
                    line,
                    reason: format!(
                        "legacy store ID {} appears twice in the file",
                        store.legacy_store_id
                    ),
                });
            }
            Ok(store) => stores.push(store),
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    if stores.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            reason: "the file has no stores".into(),
        });
    }
    if errors.is_empty() {
        Ok(stores)
    } else {
        Err(errors)
    }
}

fn parse_row(r: &csv::StringRecord, catalog: &Catalog) -> Result<NewStore, String> {
    if r.len() != HEADER.len() {
        return Err(format!(
            "expected {} fields, found {}",
            HEADER.len(),
            r.len()
        ));
    }
    // Every field, the same on every database: PostgreSQL refuses a NUL that SQLite
    // would store, and no field of a store has a control character or a line break.
    for (name, value) in HEADER.iter().zip(r.iter()) {
        text::check(value, Lines::One, MAX_FIELD_CHARS).map_err(|p| format!("{name} {p}"))?;
    }
    let field = |i: usize| r.get(i).unwrap_or_default();
    let eid = LegacyStoreId::parse(field(0))
        .map_err(|e| format!("legacy_store_id {:?}: {e}", field(0)))?;
    let name = field(1);
    if name.is_empty() || name.chars().count() > 200 {
        return Err("name is required (at most 200 characters)".into());
    }
    let product = field(2);
    if !catalog.product(product).is_some_and(|p| p.legacy) {
        let legacy: Vec<&str> = catalog
            .products
            .iter()
            .filter(|p| p.legacy)
            .map(|p| p.code.as_str())
            .collect();
        return Err(format!(
            "product {product:?} is not a legacy product; use one of {}",
            legacy.join(", ")
        ));
    }
    let email =
        EmailAddress::parse(field(3)).map_err(|e| format!("admin_email {:?}: {e}", field(3)))?;
    let mut countries = Vec::new();
    for c in field(4).split(';').filter(|c| !c.trim().is_empty()) {
        let code = CountryCode::parse(c).map_err(|e| format!("countries: {c:?}: {e}"))?;
        countries.push(code.as_str().to_owned());
    }
    if countries.is_empty() {
        return Err("countries needs at least one ISO code, separated by ; (SE;NO)".into());
    }
    let platform = catalog
        .platforms
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(field(5)) || p.name.eq_ignore_ascii_case(field(5)))
        .ok_or_else(|| {
            let ids: Vec<&str> = catalog.platforms.iter().map(|p| p.id.as_str()).collect();
            format!(
                "platform {:?} is unknown; use one of {}",
                field(5),
                ids.join(", ")
            )
        })?;
    let url = field(6);
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() < 11
        || url.contains(char::is_whitespace)
    {
        return Err(format!(
            "store_url {url:?} must be a web address starting with https://"
        ));
    }
    let partner = Some(field(7)).filter(|p| !p.is_empty()).map(str::to_owned);
    Ok(NewStore {
        legacy_store_id: eid.to_string(),
        name: name.to_owned(),
        product: product.to_owned(),
        admin_email: email.to_string(),
        countries,
        platform: platform.id.clone(),
        store_url: url.to_owned(),
        partner,
    })
}

/// Imports a checked list in one transaction; stores that already exist are errors.
pub async fn import_stores(
    db: &Db,
    text: &str,
    catalog: &Catalog,
) -> anyhow::Result<Result<usize, Vec<RowError>>> {
    let stores = match parse_stores(text, catalog) {
        Ok(s) => s,
        Err(errors) => return Ok(Err(errors)),
    };
    let existing: HashSet<String> = store::stores::existing_legacy_ids(&db.pool)
        .await?
        .into_iter()
        .collect();
    let duplicates: Vec<RowError> = stores
        .iter()
        .enumerate()
        .filter(|(_, s)| existing.contains(&s.legacy_store_id))
        .map(|(i, s)| RowError {
            line: i as u64 + 2,
            reason: format!("legacy store ID {} is already imported", s.legacy_store_id),
        })
        .collect();
    if !duplicates.is_empty() {
        return Ok(Err(duplicates));
    }
    let mut tx = db.begin().await?;
    store::stores::insert_all(&mut tx, &stores).await?;
    tx.commit().await?;
    Ok(Ok(stores.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::DEFAULT_CATALOG;

    fn catalog() -> Catalog {
        Catalog::parse(DEFAULT_CATALOG).unwrap()
    }

    #[test]
    fn the_demo_file_is_valid() {
        let stores =
            parse_stores(include_str!("../../assets/demo/stores.csv"), &catalog()).unwrap();
        assert!(stores.len() >= 5);
        assert!(
            stores.iter().any(|s| s.product == "KPM")
                && stores.iter().any(|s| s.product == "KCOv2")
        );
    }

    #[test]
    fn every_bad_row_is_named_with_its_line_and_reason() {
        let text = "legacy_store_id,name,product,admin_email,countries,platform,store_url,partner\n\
                    4711,Good,KPM,a@b.example,SE,woocommerce,https://good.example,\n\
                    K4712,Bad id,KPM,a@b.example,SE,woocommerce,https://x.example,\n\
                    4713,Bad product,KP,a@b.example,SE,woocommerce,https://x.example,\n\
                    4714,Bad mail,KPM,not-an-email,SE,woocommerce,https://x.example,\n\
                    4715,Bad country,KPM,a@b.example,SWE,woocommerce,https://x.example,\n\
                    4711,Twice,KPM,a@b.example,SE,WooCommerce,https://x.example,\n";
        let errors = parse_stores(text, &catalog()).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
        assert!(errors[0].reason.contains("digits only"), "{}", errors[0]);
        assert!(
            errors[1].reason.contains("not a legacy product"),
            "{}",
            errors[1]
        );
        assert!(errors[4].reason.contains("twice"), "{}", errors[4]);
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let errors = parse_stores("eid,name\n4711,x\n", &catalog()).unwrap_err();
        assert_eq!(errors[0].line, 1);
    }
}

/// Why a settlement report was not imported.
#[derive(Debug, thiserror::Error)]
pub enum SettlementImportError {
    /// The file is wrong; every bad line is named.
    #[error("the file is not a valid settlement report")]
    Invalid(Vec<crate::domain::settlement::LineError>),
    #[error("no store has the legacy store ID {0}")]
    UnknownStore(String),
    #[error("the file is the report of legacy store {0}, not of this store")]
    OtherStore(String),
    #[error("report {reference} of legacy store {eid} was imported before")]
    Duplicate { eid: String, reference: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Imports one settlement report file whole (or nothing), for the store it names (which
/// must be `only_for`, when given); returns the report's id. `actor` is audited.
pub async fn import_settlement(
    db: &Db,
    bytes: &[u8],
    only_for: Option<&str>,
    actor: &str,
    ip: &str,
) -> Result<(i64, crate::domain::settlement::Report), SettlementImportError> {
    let report = crate::domain::settlement::parse(bytes).map_err(SettlementImportError::Invalid)?;
    let eid = report.merchant_id.as_str().to_owned();
    if only_for.is_some_and(|expected| expected != eid) {
        return Err(SettlementImportError::OtherStore(eid));
    }
    let store = store::stores::find_by_legacy_id(&db.pool, &eid)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| SettlementImportError::UnknownStore(eid.clone()))?;
    let duplicate = || SettlementImportError::Duplicate {
        eid: eid.clone(),
        reference: report.payment_reference.clone(),
    };
    if store::settlements::exists(&db.pool, &eid, &report.payment_reference)
        .await
        .map_err(anyhow::Error::from)?
    {
        return Err(duplicate());
    }
    let mut tx = db.begin().await?;
    let id = match store::settlements::insert(&mut tx, store.id, &report, actor).await {
        Ok(id) => id,
        // Another import of the same report won the race.
        Err(e) if store::is_unique_violation(&e) => return Err(duplicate()),
        Err(e) => return Err(anyhow::Error::from(e).into()),
    };
    let detail = format!(
        "report {} ({} transactions)",
        report.payment_reference,
        report.transactions.len()
    );
    store::audit::record(
        &mut *tx,
        &store::audit::Record {
            actor,
            action: "settlement.imported",
            store_id: Some(store.id),
            detail: &detail,
            ip,
        },
    )
    .await
    .map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok((id, report))
}
