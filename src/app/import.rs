//! Importing a legacy store's settlement reports (stores themselves are imported by
//! [`super::store_import`]).

use crate::{
    i18n::Msg,
    store::{self, Db},
};

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

impl SettlementImportError {
    /// Why, for the person who sent the file, in words chosen where it is shown.
    pub fn message(&self) -> Msg {
        match self {
            Self::Invalid(errors) => Msg::new("legacy.error.invalid")
                .arg_list("errors", errors.iter().map(line_message).collect()),
            Self::UnknownStore(eid) => Msg::new("legacy.error.unknown_store").arg("eid", eid),
            Self::OtherStore(eid) => Msg::new("legacy.error.other_store").arg("eid", eid),
            Self::Duplicate { eid, reference } => Msg::new("legacy.error.duplicate")
                .arg("eid", eid)
                .arg("reference", reference),
            Self::Internal(_) => Msg::new("error.internal.title"),
        }
    }
}

/// One refused line of a settlement file: "line 5: …".
pub fn line_message(e: &crate::domain::settlement::LineError) -> Msg {
    let mut reason = Msg::new(e.reason.key);
    for (name, value) in &e.reason.args {
        // The block a column is missing from, and a transaction's kind, are named in
        // the reader's words too.
        reason = match *name {
            "block" => reason.arg_msg(name, Msg::new(format!("settlement.block.{value}"))),
            "kind" => reason.arg_msg(name, Msg::new(format!("settlement.kind.{value}"))),
            _ => reason.arg(name, value.as_str()),
        };
    }
    Msg::new("settlement.line.at")
        .arg("line", e.line.to_string())
        .arg_msg("reason", reason)
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
    store::audit::record(
        &mut *tx,
        &store::audit::Record {
            actor,
            action: "settlement.imported",
            store_id: Some(store.id),
            args: &[
                ("reference", &report.payment_reference),
                ("count", &report.transactions.len().to_string()),
            ],
            ip,
        },
    )
    .await
    .map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok((id, report))
}
