//! Settlement reports of legacy stores: stored as parsed, read back as the same report.

use sqlx::{Any, Executor, FromRow};

use super::{Tx, columns, now};
use crate::domain::{
    LegacyStoreId,
    money::Currency,
    settlement::{Kind, Report, Totals, Transaction},
};

/// A stored report's summary, for lists.
#[derive(Debug, Clone, FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub store_id: i64,
    pub merchant_id: String,
    pub payment_reference: String,
    pub payout_date: String,
    pub currency: Currency,
    pub total_sale: i64,
    pub total_fee: i64,
    pub total_return: i64,
    pub total_reversal: i64,
    pub total_commission: i64,
    pub total_holdback: i64,
    pub total_release: i64,
    pub total_repay: i64,
    pub total_settlement: i64,
    pub extra_header: String,
    pub extra_columns: String,
    pub imported_by: String,
    pub imported_at: i64,
}

const REPORT_COLUMNS: &str = "id, store_id, merchant_id, payment_reference, payout_date, currency, total_sale, total_fee, \
     total_return, total_reversal, total_commission, total_holdback, total_release, total_repay, total_settlement, \
     extra_header, extra_columns, imported_by, imported_at";

#[derive(Debug, Clone, FromRow)]
struct TransactionRow {
    kind: Kind,
    order_id: String,
    short_order_id: String,
    capture_id: String,
    merchant_reference1: String,
    merchant_reference2: String,
    amount: i64,
    vat_amount: i64,
    sale_date: String,
    capture_date: String,
    extra: String,
}

const TRANSACTION_COLUMNS: &str = "kind, order_id, short_order_id, capture_id, merchant_reference1, \
     merchant_reference2, amount, vat_amount, sale_date, capture_date, extra";

impl TransactionRow {
    fn transaction(self) -> sqlx::Result<Transaction> {
        Ok(Transaction {
            kind: self.kind,
            order_id: self.order_id,
            short_order_id: self.short_order_id,
            capture_id: self.capture_id,
            merchant_reference1: self.merchant_reference1,
            merchant_reference2: self.merchant_reference2,
            amount: self.amount,
            vat_amount: self.vat_amount,
            sale_date: self.sale_date,
            capture_date: self.capture_date,
            extra: columns::json("extra", &self.extra)?,
        })
    }
}

impl ReportRow {
    /// The report as it was imported (its transactions given separately). A stored
    /// value that no longer reads as it was written is an error, not a missing report.
    pub fn report(&self, transactions: Vec<Transaction>) -> sqlx::Result<Report> {
        let merchant_id = LegacyStoreId::parse(&self.merchant_id).map_err(|_| {
            columns::unknown("merchant_id", "legacy store ID", self.merchant_id.clone())
        })?;
        Ok(Report {
            merchant_id,
            payment_reference: self.payment_reference.clone(),
            payout_date: self.payout_date.clone(),
            currency: self.currency,
            totals: Totals {
                sale: self.total_sale,
                fee: self.total_fee,
                return_: self.total_return,
                reversal: self.total_reversal,
                commission: self.total_commission,
                holdback: self.total_holdback,
                release: self.total_release,
                repay: self.total_repay,
                settlement: self.total_settlement,
            },
            extra_header: columns::json("extra_header", &self.extra_header)?,
            extra_columns: columns::json("extra_columns", &self.extra_columns)?,
            transactions,
        })
    }
}

/// Whether the store already has a report with this payment reference.
pub async fn exists<'c>(
    ex: impl Executor<'c, Database = Any>,
    merchant_id: &str,
    payment_reference: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM settlement_reports WHERE merchant_id = $1 AND payment_reference = $2",
    )
    .bind(merchant_id)
    .bind(payment_reference)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// Stores a parsed report for `store_id`; returns its id.
pub async fn insert(
    tx: &mut Tx,
    store_id: i64,
    r: &Report,
    imported_by: &str,
) -> sqlx::Result<i64> {
    let t = &r.totals;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO settlement_reports (store_id, merchant_id, payment_reference, payout_date, currency, total_sale, \
         total_fee, total_return, total_reversal, total_commission, total_holdback, total_release, total_repay, \
         total_settlement, extra_header, extra_columns, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    )
    .bind(store_id)
    .bind(r.merchant_id.as_str())
    .bind(&r.payment_reference)
    .bind(&r.payout_date)
    .bind(r.currency)
    .bind(t.sale)
    .bind(t.fee)
    .bind(t.return_)
    .bind(t.reversal)
    .bind(t.commission)
    .bind(t.holdback)
    .bind(t.release)
    .bind(t.repay)
    .bind(t.settlement)
    .bind(serde_json::to_string(&r.extra_header).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&r.extra_columns).unwrap_or_else(|_| "[]".into()))
    .bind(imported_by)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    for (position, tr) in r.transactions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO settlement_transactions (report_id, position, kind, order_id, short_order_id, capture_id, \
             merchant_reference1, merchant_reference2, amount, vat_amount, sale_date, capture_date, day, extra) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(tr.kind)
        .bind(&tr.order_id)
        .bind(&tr.short_order_id)
        .bind(&tr.capture_id)
        .bind(&tr.merchant_reference1)
        .bind(&tr.merchant_reference2)
        .bind(tr.amount)
        .bind(tr.vat_amount)
        .bind(&tr.sale_date)
        .bind(&tr.capture_date)
        .bind(tr.day())
        .bind(serde_json::to_string(&tr.extra).unwrap_or_else(|_| "[]".into()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// The store's reports, newest payout first.
pub async fn for_store<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
) -> sqlx::Result<Vec<ReportRow>> {
    sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM settlement_reports WHERE store_id = $1 ORDER BY payout_date DESC, id DESC"
    ))
    .bind(store_id)
    .fetch_all(ex)
    .await
}

/// One report of the store, with its transactions.
pub async fn get<'c, E>(ex: E, store_id: i64, id: i64) -> sqlx::Result<Option<(ReportRow, Report)>>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let row: Option<ReportRow> = sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM settlement_reports WHERE store_id = $1 AND id = $2"
    ))
    .bind(store_id)
    .bind(id)
    .fetch_optional(ex)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let rows: Vec<TransactionRow> = sqlx::query_as(&format!(
        "SELECT {TRANSACTION_COLUMNS} FROM settlement_transactions WHERE report_id = $1 ORDER BY position"
    ))
    .bind(id)
    .fetch_all(ex)
    .await?;
    let transactions = rows
        .into_iter()
        .map(TransactionRow::transaction)
        .collect::<sqlx::Result<_>>()?;
    let report = row.report(transactions)?;
    Ok(Some((row, report)))
}

/// Every transaction of the store's reports that counts on a day from `from` to `to`
/// (inclusive, `YYYY-MM-DD`), with the payment reference and currency of its report.
pub async fn transactions_between<'c>(
    ex: impl Executor<'c, Database = Any>,
    store_id: i64,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(String, String, Transaction)>> {
    #[derive(FromRow)]
    struct Row {
        payment_reference: String,
        currency: Currency,
        #[sqlx(flatten)]
        transaction: TransactionRow,
    }
    let columns = TRANSACTION_COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT r.payment_reference, r.currency, {columns} FROM settlement_transactions t \
         JOIN settlement_reports r ON r.id = t.report_id \
         WHERE r.store_id = $1 AND t.day >= $2 AND t.day <= $3 ORDER BY t.day, t.report_id, t.position"
    ))
    .bind(store_id)
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.payment_reference,
                r.currency.code().to_owned(),
                r.transaction.transaction()?,
            ))
        })
        .collect()
}
