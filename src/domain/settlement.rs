//! The platform's settlement report, a semicolon-separated file: a header block (field
//! names, then values), a blank line, then the transaction table. Parsed whole or not at
//! all, every refusal naming its line; written back so that re-reading gives the same
//! report. Pure, so it can be fuzzed.

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
fn amount_problem(e: super::money::AmountError) -> &'static str {
    use super::money::AmountError;
    match e {
        AmountError::NotANumber => "settlement.line.amount_not_a_number",
        AmountError::TooPrecise => "settlement.line.amount_too_precise",
        AmountError::TooLarge => "settlement.line.amount_too_large",
    }
}

fn err(line: u64, reason: Reason) -> LineError {
    LineError { line, reason }
}

/// One parsed CSV record and the file line it started on.
struct Record {
    line: u64,
    fields: Vec<String>,
}

/// No field of a report is longer (references and descriptions have their own limits).
const MAX_FIELD_CHARS: usize = 1000;

fn records(bytes: &[u8]) -> Result<Vec<Record>, LineError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    for result in reader.records() {
        // Lines are counted from the bytes: the reader's own count slips on CRLF files.
        // (A record's position may point at the line break before it.)
        let line_at = |byte: u64| {
            let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
            while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                start += 1;
            }
            bytes[..start].iter().filter(|b| **b == b'\n').count() as u64 + 1
        };
        let record = result.map_err(|e| {
            let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
            match e.kind() {
                csv::ErrorKind::Utf8 { .. } => err(line, Reason::new("settlement.line.not_utf8")),
                _ => err(
                    line,
                    Reason::new("settlement.line.unreadable").arg("detail", &e),
                ),
            }
        })?;
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        // The same on every database: PostgreSQL refuses a NUL that SQLite would store.
        if let Some((column, problem)) = fields.iter().enumerate().find_map(|(i, f)| {
            super::text::check(f, super::text::Lines::One, MAX_FIELD_CHARS)
                .err()
                .map(|p| (i + 1, p))
        }) {
            let reason = match problem {
                super::text::TextProblem::Control => Reason::new("settlement.line.control"),
                super::text::TextProblem::TooLong(max) => {
                    Reason::new("settlement.line.too_long").arg("max", max)
                }
            };
            return Err(err(line, reason.arg("column", column)));
        }
        // A line of nothing but separators counts as blank too.
        if fields.iter().all(String::is_empty) {
            continue;
        }
        out.push(Record { line, fields });
    }
    Ok(out)
}

/// Which column holds each known field, and which are unknown (kept).
struct Columns {
    index: Vec<usize>,
    extra: Vec<(usize, String)>,
}

/// `what` is the block whose names these are: `header` or `table`.
fn columns(record: &Record, known: &[&str], what: &str) -> Result<Columns, LineError> {
    let reason = |key| Reason::new(key).arg("block", what);
    let mut index = Vec::with_capacity(known.len());
    for name in known {
        match record.fields.iter().position(|f| f == name) {
            Some(i) => index.push(i),
            None => {
                return Err(err(
                    record.line,
                    reason("settlement.line.no_column").arg("name", name),
                ));
            }
        }
    }
    let mut extra = Vec::new();
    for (i, name) in record.fields.iter().enumerate() {
        if name.is_empty() {
            return Err(err(
                record.line,
                reason("settlement.line.unnamed_column").arg("column", i + 1),
            ));
        }
        if record.fields[..i].contains(name) {
            return Err(err(
                record.line,
                reason("settlement.line.column_twice").arg("name", name),
            ));
        }
        if !known.contains(&name.as_str()) {
            extra.push((i, name.clone()));
        }
    }
    Ok(Columns { index, extra })
}

fn is_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt).is_ok()
        || time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
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
mod tests {
    use super::*;

    const GOOD: &str = "merchant_id;payment_reference;payout_date;currency_code;total_sale_amount;total_fee_amount;total_return_amount;total_reversal_amount;total_commission_amount;total_holdback_amount;total_release_amount;total_repay_amount;total_settlement_amount;payout_account\n\
4711;PR-2026-47;2026-11-20;SEK;1500.00;45.50;2000.00;0.00;10.00;0.00;0.00;0.00;-535.50;SE45 5000 0000 0583 9825 7466\n\
\n\
type;order_id;short_order_id;capture_id;merchant_reference1;merchant_reference2;amount;vat_amount;sale_date;capture_date;currency_code;store_name\n\
sale;ord-1;A1;cap-1;Åsa Öberg;\"kök; hall\";1500.00;300.00;2026-11-10;2026-11-11;SEK;Kaffebaren\n\
return;ord-0;A0;cap-0;Jørgen Ærø;;2000.00;400.00;2026-10-01;2026-10-02;SEK;Kaffebaren\n\
fee;;;;;;45.50;0;2026-11-11;;SEK;Kaffebaren\n\
commission;;;;;;10.00;;2026-11-11;;SEK;Kaffebaren\n";

    #[test]
    fn a_real_shaped_report_parses_exactly_and_round_trips() {
        let r = parse(GOOD.as_bytes()).unwrap();
        assert_eq!(r.merchant_id.as_str(), "4711");
        assert_eq!(r.totals.settlement, -53_550);
        assert_eq!(r.transactions.len(), 4);
        assert_eq!(r.transactions[0].merchant_reference1, "Åsa Öberg");
        assert_eq!(r.transactions[0].merchant_reference2, "kök; hall");
        assert_eq!(
            r.extra_header,
            vec![(
                "payout_account".into(),
                "SE45 5000 0000 0583 9825 7466".into()
            )]
        );
        assert_eq!(r.extra_columns, vec!["store_name".to_owned()]);
        assert_eq!(r.transactions[3].extra, vec!["Kaffebaren".to_owned()]);
        let again = parse(to_csv(&r).as_bytes()).unwrap();
        assert_eq!(again, r);
    }

    fn refused(text: &str) -> Vec<LineError> {
        parse(text.as_bytes()).unwrap_err()
    }

    #[test]
    fn wrong_totals_name_the_header_line() {
        let bad = GOOD.replace(";45.50;2000.00;", ";45.51;2000.00;");
        let errors = refused(&bad);
        assert!(errors.iter().all(|e| e.line == 2), "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.reason.key == "settlement.line.total"
                    && e.reason.get("field") == Some("total_fee_amount")
                    && e.reason.get("total") == Some("45.51")),
            "{errors:?}"
        );
        let bad = GOOD.replace(";-535.50;", ";-535.00;");
        assert_eq!(refused(&bad)[0].reason.key, "settlement.line.settlement");
    }

    #[test]
    fn bad_rows_are_named_by_line_and_reason() {
        let bad = GOOD.replace("sale;ord-1", "sales;ord-1").replace(
            "return;ord-0;A0;cap-0;Jørgen Ærø;;2000.00",
            "return;ord-0;A0;cap-0;Jørgen Ærø;;-2000.00",
        );
        let errors = refused(&bad);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].line, errors[1].line), (5, 6));
        assert_eq!(errors[0].reason.get("type"), Some("sales"));
        assert_eq!(errors[1].reason.key, "settlement.line.negative");
        let bad = GOOD.replace("1500.00;300.00;2026-11-10", "1500.00;300.00;10/11/2026");
        assert_eq!(refused(&bad)[0].reason.get("field"), Some("sale_date"));
        let bad = GOOD.replace("45.50;0;2026-11-11;;SEK", "45.50;0;2026-11-11;;NOK");
        assert_eq!(
            refused(&bad)[0].reason.key,
            "settlement.line.currency_differs"
        );
        let bad = GOOD.replace(
            "commission;;;;;;10.00;;2026-11-11;;SEK;Kaffebaren",
            "commission;;;;;;10.00;;2026-11-11;;SEK",
        );
        assert_eq!(refused(&bad)[0].reason.get("width"), Some("12"));
    }

    #[test]
    fn lines_are_counted_the_same_in_crlf_files() {
        let bad = GOOD
            .replace("sale;ord-1", "sales;ord-1")
            .replace('\n', "\r\n");
        assert_eq!(refused(&bad)[0].line, 5);
    }

    #[test]
    fn broken_structure_is_explained() {
        assert_eq!(refused("")[0].line, 1);
        let no_table = GOOD.split("\n\n").next().unwrap().to_owned();
        assert_eq!(refused(&no_table)[0].reason.key, "settlement.line.no_table");
        let missing = GOOD.replace("payout_date;", "payday;");
        let reason = &refused(&missing)[0].reason;
        assert_eq!(
            (reason.key, reason.get("name")),
            ("settlement.line.no_column", Some("payout_date"))
        );
        let not_eid = GOOD.replace("\n4711;", "\nK123456;");
        assert_eq!(
            refused(&not_eid)[0].reason.key,
            "settlement.line.merchant_id"
        );
        assert_eq!(
            refused("\u{feff}just one line")[0].reason.key,
            "settlement.line.no_header"
        );
    }
}
