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
