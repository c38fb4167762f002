//! The platform's settlement report, a semicolon-separated file: a header block (field
//! names, then values), a blank line, then the transaction table. Parsed whole or not at
//! all, every refusal naming its line; written back so that re-reading gives the same
//! report. Pure, so it can be fuzzed.

mod parse;

pub use parse::{LineError, Reason, parse};

use super::{LegacyStoreId, money::Currency};

pub const HEADER_FIELDS: [&str; 13] = [
    "merchant_id",
    "payment_reference",
    "payout_date",
    "currency_code",
    "total_sale_amount",
    "total_fee_amount",
    "total_return_amount",
    "total_reversal_amount",
    "total_commission_amount",
    "total_holdback_amount",
    "total_release_amount",
    "total_repay_amount",
    "total_settlement_amount",
];

pub const TRANSACTION_FIELDS: [&str; 11] = [
    "type",
    "order_id",
    "short_order_id",
    "capture_id",
    "merchant_reference1",
    "merchant_reference2",
    "amount",
    "vat_amount",
    "sale_date",
    "capture_date",
    "currency_code",
];

/// At most this many refusals are listed; a file that bad needs fixing at the source.
const MAX_ERRORS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Sale,
    Return,
    Reversal,
    Fee,
    Commission,
    Holdback,
    Release,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Sale,
        Kind::Return,
        Kind::Reversal,
        Kind::Fee,
        Kind::Commission,
        Kind::Holdback,
        Kind::Release,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sale => "sale",
            Kind::Return => "return",
            Kind::Reversal => "reversal",
            Kind::Fee => "fee",
            Kind::Commission => "commission",
            Kind::Holdback => "holdback",
            Kind::Release => "release",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The header block's totals, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub sale: i64,
    pub fee: i64,
    pub return_: i64,
    pub reversal: i64,
    pub commission: i64,
    pub holdback: i64,
    pub release: i64,
    pub repay: i64,
    pub settlement: i64,
}

impl Totals {
    /// The total the file gives for a transaction kind.
    pub fn of(&self, kind: Kind) -> i64 {
        match kind {
            Kind::Sale => self.sale,
            Kind::Return => self.return_,
            Kind::Reversal => self.reversal,
            Kind::Fee => self.fee,
            Kind::Commission => self.commission,
            Kind::Holdback => self.holdback,
            Kind::Release => self.release,
        }
    }

    /// sale − return − reversal − fee + commission − holdback + release − repay.
    pub fn expected_settlement(&self) -> Option<i64> {
        self.sale
            .checked_sub(self.return_)?
            .checked_sub(self.reversal)?
            .checked_sub(self.fee)?
            .checked_add(self.commission)?
            .checked_sub(self.holdback)?
            .checked_add(self.release)?
            .checked_sub(self.repay)
    }

    fn values(&self) -> [i64; 9] {
        [
            self.sale,
            self.fee,
            self.return_,
            self.reversal,
            self.commission,
            self.holdback,
            self.release,
            self.repay,
            self.settlement,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub kind: Kind,
    pub order_id: String,
    pub short_order_id: String,
    pub capture_id: String,
    pub merchant_reference1: String,
    pub merchant_reference2: String,
    /// Minor units, never negative: the kind gives the direction.
    pub amount: i64,
    pub vat_amount: i64,
    /// `YYYY-MM-DD` or an RFC 3339 time, as the file gave it.
    pub sale_date: String,
    pub capture_date: String,
    /// Values of the file's unknown columns, in `Report::extra_columns` order.
    pub extra: Vec<String>,
}

impl Transaction {
    /// The day the transaction belongs to, for date-range exports: its capture day, or
    /// its sale day when it has no capture.
    pub fn day(&self) -> &str {
        let d = if self.capture_date.is_empty() {
            &self.sale_date
        } else {
            &self.capture_date
        };
        d.get(..10).unwrap_or(d)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub merchant_id: LegacyStoreId,
    pub payment_reference: String,
    /// `YYYY-MM-DD`.
    pub payout_date: String,
    pub currency: Currency,
    pub totals: Totals,
    /// Unknown header fields, kept: (name, value).
    pub extra_header: Vec<(String, String)>,
    /// Names of the transaction table's unknown columns.
    pub extra_columns: Vec<String>,
    pub transactions: Vec<Transaction>,
}

/// Writes the report in the platform's format; `parse` of the result gives it back.
pub fn to_csv(r: &Report) -> String {
    // Text from the platform's file is made safe to open in a spreadsheet; the amounts,
    // codes and names we write ourselves are left as they are.
    let cell = |s: &str| super::text::spreadsheet_cell(s).into_owned();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    let c = r.currency;
    let mut names: Vec<String> = HEADER_FIELDS.iter().map(|n| (*n).to_owned()).collect();
    names.extend(r.extra_header.iter().map(|(n, _)| cell(n)));
    let mut values = vec![
        r.merchant_id.as_str().to_owned(),
        cell(&r.payment_reference),
        cell(&r.payout_date),
        c.code().to_owned(),
    ];
    values.extend(r.totals.values().iter().map(|a| c.format_amount(*a)));
    values.extend(r.extra_header.iter().map(|(_, v)| cell(v)));
    let mut columns: Vec<String> = TRANSACTION_FIELDS.iter().map(|n| (*n).to_owned()).collect();
    columns.extend(r.extra_columns.iter().map(|n| cell(n)));
    // Writing into memory cannot fail.
    let _ = w.write_record(&names);
    let _ = w.write_record(&values);
    let _ = w.write_record([""]);
    let _ = w.write_record(&columns);
    for t in &r.transactions {
        let mut row = vec![
            t.kind.as_str().to_owned(),
            cell(&t.order_id),
            cell(&t.short_order_id),
            cell(&t.capture_id),
            cell(&t.merchant_reference1),
            cell(&t.merchant_reference2),
            c.format_amount(t.amount),
            c.format_amount(t.vat_amount),
            cell(&t.sale_date),
            cell(&t.capture_date),
            c.code().to_owned(),
        ];
        row.extend(t.extra.iter().map(|v| cell(v)));
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
