//! Reading the report: every refusal names its line, and a file with any bad line is
//! refused whole.

use super::*;
use records::{Columns, Record, columns, is_date, records};

mod records;

/// Why a file was refused: the line (from 1) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct LineError {
    pub line: u64,
    pub reason: Reason,
}

/// A reason, for people to read in their own language: the key of its message
/// (`settlement.line.*` in the interface's catalogue) and the values it names (field
/// names, amounts and codes from the file, shown as they are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Reason {
    fn new(key: &'static str) -> Self {
        Reason {
            key,
            args: Vec::new(),
        }
    }

    fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The value of the argument `name`, if the reason has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Display for Reason {
    /// For logs: the key and its values (people see the catalogue's words).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)?;
        for (name, value) in &self.args {
            write!(f, " {name}={value:?}")?;
        }
        Ok(())
    }
}

/// The key of an amount's problem.
fn amount_problem(e: crate::domain::money::AmountError) -> &'static str {
    use crate::domain::money::AmountError;
    match e {
        AmountError::NotANumber | AmountError::Ambiguous => "settlement.line.amount_not_a_number",
        AmountError::TooPrecise => "settlement.line.amount_too_precise",
        AmountError::TooLarge => "settlement.line.amount_too_large",
    }
}

fn err(line: u64, reason: Reason) -> LineError {
    LineError { line, reason }
}

/// Parses a whole settlement report, or says every line that is wrong (up to 50).
pub fn parse(bytes: &[u8]) -> Result<Report, Vec<LineError>> {
    let records = records(bytes).map_err(|e| vec![e])?;
    let mut it = records.iter();
    let (Some(names), Some(values)) = (it.next(), it.next()) else {
        return Err(vec![err(1, Reason::new("settlement.line.no_header"))]);
    };
    let head = columns(names, &HEADER_FIELDS, "header").map_err(|e| vec![e])?;
    if values.fields.len() != names.fields.len() {
        return Err(vec![err(
            values.line,
            Reason::new("settlement.line.header_width")
                .arg("values", values.fields.len())
                .arg("fields", names.fields.len()),
        )]);
    }
    let field = |i: usize| values.fields[head.index[i]].as_str();
    let mut errors = Vec::new();
    let merchant_id = LegacyStoreId::parse(field(0));
    if merchant_id.is_err() {
        errors.push(err(values.line, Reason::new("settlement.line.merchant_id")));
    }
    let payment_reference = field(1).to_owned();
    if payment_reference.is_empty() || payment_reference.chars().count() > 100 {
        errors.push(err(
            values.line,
            Reason::new("settlement.line.payment_reference"),
        ));
    }
    let payout_date = field(2).to_owned();
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if time::Date::parse(&payout_date, &day).is_err() {
        errors.push(err(
            values.line,
            Reason::new("settlement.line.date").arg("field", "payout_date"),
        ));
    }
    let Some(currency) = Currency::parse(field(3)) else {
        errors.push(err(
            values.line,
            Reason::new("settlement.line.currency_code"),
        ));
        return Err(errors);
    };
    let mut amounts = [0_i64; 9];
    for (slot, i) in amounts.iter_mut().zip(4..HEADER_FIELDS.len()) {
        match currency.parse_amount(field(i)) {
            Ok(a) => *slot = a,
            Err(e) => errors.push(err(
                values.line,
                Reason::new(amount_problem(e)).arg("field", HEADER_FIELDS[i]),
            )),
        }
    }
    let [
        sale,
        fee,
        return_,
        reversal,
        commission,
        holdback,
        release,
        repay,
        settlement,
    ] = amounts;
    let totals = Totals {
        sale,
        fee,
        return_,
        reversal,
        commission,
        holdback,
        release,
        repay,
        settlement,
    };
    let extra_header = head
        .extra
        .iter()
        .map(|(i, name)| (name.clone(), values.fields[*i].clone()))
        .collect();

    let Some(table) = it.next() else {
        errors.push(err(
            values.line + 1,
            Reason::new("settlement.line.no_table"),
        ));
        return Err(errors);
    };
    let cols = columns(table, &TRANSACTION_FIELDS, "table").map_err(|e| vec![e])?;
    let mut transactions = Vec::new();
    for row in it {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        match transaction(row, table.fields.len(), &cols, currency) {
            Ok(t) => transactions.push(t),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        check_totals(&totals, &transactions, values.line, currency, &mut errors);
    }
    if !errors.is_empty() {
        errors.truncate(MAX_ERRORS);
        return Err(errors);
    }
    Ok(Report {
        merchant_id: merchant_id.map_err(|_| Vec::new())?,
        payment_reference,
        payout_date,
        currency,
        totals,
        extra_header,
        extra_columns: cols.extra.iter().map(|(_, n)| n.clone()).collect(),
        transactions,
    })
}

fn transaction(
    row: &Record,
    width: usize,
    cols: &Columns,
    currency: Currency,
) -> Result<Transaction, LineError> {
    if row.fields.len() != width {
        return Err(err(
            row.line,
            Reason::new("settlement.line.row_width")
                .arg("fields", row.fields.len())
                .arg("width", width),
        ));
    }
    let f = |i: usize| row.fields[cols.index[i]].clone();
    let kind = Kind::parse(&f(0)).ok_or_else(|| {
        err(
            row.line,
            Reason::new("settlement.line.type").arg("type", f(0)),
        )
    })?;
    let amount = |i: usize| -> Result<i64, LineError> {
        let text = f(i);
        if text.is_empty() && i == 7 {
            return Ok(0); // no VAT given
        }
        let a = currency.parse_amount(&text).map_err(|e| {
            let reason = Reason::new(amount_problem(e)).arg("field", TRANSACTION_FIELDS[i]);
            err(row.line, reason)
        })?;
        if a < 0 {
            return Err(err(
                row.line,
                Reason::new("settlement.line.negative").arg("field", TRANSACTION_FIELDS[i]),
            ));
        }
        Ok(a)
    };
    let t = Transaction {
        kind,
        order_id: f(1),
        short_order_id: f(2),
        capture_id: f(3),
        merchant_reference1: f(4),
        merchant_reference2: f(5),
        amount: amount(6)?,
        vat_amount: amount(7)?,
        sale_date: f(8),
        capture_date: f(9),
        extra: cols
            .extra
            .iter()
            .map(|(i, _)| row.fields[*i].clone())
            .collect(),
    };
    if matches!(kind, Kind::Sale | Kind::Return | Kind::Reversal) && t.order_id.is_empty() {
        return Err(err(
            row.line,
            Reason::new("settlement.line.needs_order").arg("kind", kind.as_str()),
        ));
    }
    for (name, date) in [
        ("sale_date", &t.sale_date),
        ("capture_date", &t.capture_date),
    ] {
        if !date.is_empty() && !is_date(date) {
            return Err(err(
                row.line,
                Reason::new("settlement.line.date").arg("field", name),
            ));
        }
    }
    if t.sale_date.is_empty() && t.capture_date.is_empty() {
        return Err(err(row.line, Reason::new("settlement.line.no_date")));
    }
    if f(10) != currency.code() {
        return Err(err(
            row.line,
            Reason::new("settlement.line.currency_differs")
                .arg("currency", f(10))
                .arg("report", currency.code()),
        ));
    }
    Ok(t)
}

fn check_totals(
    totals: &Totals,
    transactions: &[Transaction],
    line: u64,
    currency: Currency,
    errors: &mut Vec<LineError>,
) {
    for kind in Kind::ALL {
        let sum = transactions
            .iter()
            .filter(|t| t.kind == kind)
            .try_fold(0_i64, |acc, t| acc.checked_add(t.amount));
        if sum != Some(totals.of(kind)) {
            let reason = match sum {
                Some(sum) => {
                    Reason::new("settlement.line.total").arg("sum", currency.format_amount(sum))
                }
                None => Reason::new("settlement.line.total_overflow"),
            };
            errors.push(err(
                line,
                reason
                    .arg("field", format!("total_{}_amount", kind.as_str()))
                    .arg("total", currency.format_amount(totals.of(kind))),
            ));
        }
    }
    if totals.expected_settlement() != Some(totals.settlement) {
        let reason = match totals.expected_settlement() {
            Some(expected) => Reason::new("settlement.line.settlement")
                .arg("expected", currency.format_amount(expected)),
            None => Reason::new("settlement.line.settlement_overflow"),
        };
        errors.push(err(
            line,
            reason.arg("total", currency.format_amount(totals.settlement)),
        ));
    }
}
