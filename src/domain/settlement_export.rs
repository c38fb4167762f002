//! Settlement reports in the other shapes people ask for: JSON (exact minor units and
//! the decimal text), a PDF to file away, a date-range CSV of transactions, and one zip
//! of everything a legacy store has.

use std::io::Write;

use serde_json::{Value, json};

use super::{
    money::Currency,
    pdf,
    settlement::{Kind, Report, Transaction, to_csv},
    text::spreadsheet_cell as cell,
};

/// The report as JSON: every amount as minor units and as the decimal the file had.
pub fn to_json(r: &Report) -> Value {
    let c = r.currency;
    let money = |minor: i64| json!({ "minor": minor, "decimal": c.format_amount(minor) });
    let t = &r.totals;
    json!({
        "merchant_id": r.merchant_id.as_str(),
        "payment_reference": r.payment_reference,
        "payout_date": r.payout_date,
        "currency_code": c.code(),
        "totals": {
            "sale": money(t.sale), "fee": money(t.fee), "return": money(t.return_),
            "reversal": money(t.reversal), "commission": money(t.commission),
            "holdback": money(t.holdback), "release": money(t.release), "repay": money(t.repay),
            "settlement": money(t.settlement),
        },
        "extra_fields": r.extra_header.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect::<serde_json::Map<_, _>>(),
        "transactions": r.transactions.iter().map(|tr| {
            let extra: serde_json::Map<String, Value> = r.extra_columns.iter().cloned()
                .zip(tr.extra.iter().map(|v| Value::from(v.clone()))).collect();
            json!({
                "type": tr.kind.as_str(), "order_id": tr.order_id, "short_order_id": tr.short_order_id,
                "capture_id": tr.capture_id, "merchant_reference1": tr.merchant_reference1,
                "merchant_reference2": tr.merchant_reference2, "amount": money(tr.amount),
                "vat_amount": money(tr.vat_amount), "sale_date": tr.sale_date,
                "capture_date": tr.capture_date, "extra_fields": extra,
            })
        }).collect::<Vec<_>>(),
    })
}

/// Puts a message of the interface's catalogue into the reader's words: the key
/// (`settlement.pdf.*`, `settlement.kind.*`) and its `{name}` arguments.
pub type Say<'a> = &'a dyn Fn(&str, &[(&str, &str)]) -> String;

/// How the reader writes a report: messages (`say`), amounts and days, the local way
/// (files for machines, the CSV and JSON, keep the platform's own forms).
pub struct Words<'a> {
    pub say: Say<'a>,
    pub money: &'a dyn Fn(crate::domain::money::Currency, i64) -> String,
    /// A day given as `2026-11-23`.
    pub day: &'a dyn Fn(&str) -> String,
}

/// The report as a PDF, in the reader's words: the totals, then one line per
/// transaction.
pub fn to_pdf(r: &Report, words: &Words<'_>) -> Vec<u8> {
    let say = words.say;
    let c = r.currency;
    let amount = |minor: i64| (words.money)(c, minor);
    let t = &r.totals;
    let title = say(
        "settlement.pdf.title",
        &[("reference", &r.payment_reference)],
    );
    let meta = vec![
        say("settlement.pdf.store", &[("eid", r.merchant_id.as_str())]),
        say(
            "settlement.pdf.payout_date",
            &[("date", &(words.day)(&r.payout_date))],
        ),
        say(
            "settlement.pdf.amount",
            &[("amount", &amount(t.settlement))],
        ),
    ];
    let mut body = say("settlement.pdf.totals", &[]) + "\n\n";
    for (key, value) in [
        ("sale", t.sale),
        ("return", t.return_),
        ("reversal", t.reversal),
        ("fee", t.fee),
        ("commission", t.commission),
        ("holdback", t.holdback),
        ("release", t.release),
        ("repay", t.repay),
        ("settlement", t.settlement),
    ] {
        let name = say(&format!("legacy.report.{key}"), &[]);
        body.push_str(&format!("{name}: {}\n\n", amount(value)));
    }
    let count = r.transactions.len().to_string();
    body.push_str(&say("settlement.pdf.transactions", &[("n", &count)]));
    body.push_str("\n\n");
    for tr in &r.transactions {
        let references = format!("{} {}", tr.merchant_reference1, tr.merchant_reference2);
        let line = say(
            "settlement.pdf.line",
            &[
                ("day", &(words.day)(tr.day())),
                (
                    "type",
                    &say(&format!("settlement.kind.{}", tr.kind.as_str()), &[]),
                ),
                ("order", dash(&tr.order_id)),
                ("capture", dash(&tr.capture_id)),
                ("amount", &amount(signed(tr))),
                ("vat", &amount(tr.vat_amount)),
                ("references", references.trim()),
            ],
        );
        body.push_str(&line);
        body.push_str("\n\n");
    }
    pdf::render(&pdf::Document {
        title: &title,
        meta: &meta,
        body: &body,
    })
}

fn dash(s: &str) -> &str {
    if s.is_empty() { "–" } else { s }
}

/// A transaction's effect on the payout: sales, commission and releases add; the rest
/// take away.
pub fn signed(t: &Transaction) -> i64 {
    match t.kind {
        Kind::Sale | Kind::Commission | Kind::Release => t.amount,
        Kind::Return | Kind::Reversal | Kind::Fee | Kind::Holdback => -t.amount,
    }
}

/// Transactions of several reports (reference, currency code, transaction) as one CSV,
/// semicolon-separated like the platform's files.
pub fn transactions_csv(rows: &[(String, String, Transaction)]) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record([
        "payment_reference",
        "day",
        "type",
        "order_id",
        "capture_id",
        "merchant_reference1",
        "merchant_reference2",
        "amount",
        "vat_amount",
        "signed_amount",
        "currency_code",
    ]);
    for (reference, currency, t) in rows {
        let Some(c) = Currency::parse(currency) else {
            continue;
        };
        let _ = w.write_record([
            &*cell(reference),
            &*cell(t.day()),
            t.kind.as_str(),
            &*cell(&t.order_id),
            &*cell(&t.capture_id),
            &*cell(&t.merchant_reference1),
            &*cell(&t.merchant_reference2),
            &c.format_amount(t.amount),
            &c.format_amount(t.vat_amount),
            &c.format_amount(signed(t)),
            c.code(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One zip: `reports/<reference>.csv` and `.pdf` (in the reader's words) for every
/// report, and `orders.csv`.
pub fn archive(
    reports: &[Report],
    orders_csv: &str,
    words: &Words<'_>,
) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    // Two references may clean to the same name (`PR/1`, `PR_1`), and some disks do not
    // tell `pr_1` from `PR_1`: each report gets a name of its own.
    let mut taken = std::collections::HashSet::new();
    for r in reports {
        let name = unique(file_name(&r.payment_reference), &mut taken);
        zip.start_file(format!("reports/{name}.csv"), options)?;
        zip.write_all(to_csv(r).as_bytes())?;
        zip.start_file(format!("reports/{name}.pdf"), options)?;
        zip.write_all(&to_pdf(r, words))?;
    }
    zip.start_file("orders.csv", options)?;
    zip.write_all(orders_csv.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

/// `name`, or `name-2`, `name-3`… if an earlier file has it (ignoring case).
fn unique(name: String, taken: &mut std::collections::HashSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 1;
    while !taken.insert(candidate.to_lowercase()) {
        n += 1;
        candidate = format!("{name}-{n}");
    }
    candidate
}

/// A payment reference as a safe file name (it comes from the platform's file).
pub fn file_name(reference: &str) -> String {
    let cleaned: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "report".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_never_leave_their_folder() {
        assert_eq!(file_name("PR-2026/47"), "PR-2026_47");
        assert_eq!(file_name("../../etc/passwd"), "______etc_passwd");
        assert_eq!(file_name(""), "report");
    }

    #[test]
    fn references_that_clean_alike_get_names_of_their_own() {
        let mut taken = std::collections::HashSet::new();
        let names: Vec<String> = ["PR/1", "PR_1", "pr_1", "PR_1-2"]
            .iter()
            .map(|r| unique(file_name(r), &mut taken))
            .collect();
        assert_eq!(names, ["PR_1", "PR_1-2", "pr_1-3", "PR_1-2-2"]);
    }
}
