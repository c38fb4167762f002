//! Signatures, fingerprints and every refusal of the event parser.

use super::*;
use serde_json::{Value, json};

const SECRET: &[u8] = b"whsec_test";

#[test]
fn a_signing_time_whose_distance_from_now_overflows_is_stale() {
    let now: i64 = 1_790_000_000;
    let body = br#"{"id":"evt_1"}"#;
    for t in [now.wrapping_add(i64::MIN), i64::MIN, i64::MAX] {
        let header = sign(SECRET, t, body);
        assert_eq!(
            verify_signature(Some(&header), body, SECRET, now),
            Err(SignatureError::Stale),
            "t = {t}"
        );
    }
}

#[test]
fn a_fingerprint_changes_with_every_field_and_only_with_them() {
    let base = json!({"id": "evt_1", "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
        "data": {"merchant_id": "K123456", "order_id": "o1", "environment": "live", "amount": 1000,
                 "currency": "SEK", "user_agent": "ua"}});
    let print = |v: &serde_json::Value| parse(v.to_string().as_bytes()).unwrap().fingerprint();
    let same = print(&base);
    // The same event with other whitespace and key order is the same event.
    let reordered = r#"{ "data": {"currency":"SEK","amount":1000,"environment":"live","order_id":"o1",
        "user_agent":"ua","merchant_id":"K123456"}, "created_at":"2026-11-23T10:00:00Z",
        "type":"order.created","id":"evt_1" }"#;
    assert_eq!(parse(reordered.as_bytes()).unwrap().fingerprint(), same);
    for (path, value) in [
        ("/type", json!("order.cancelled")),
        ("/data/amount", json!(1001)),
        ("/data/order_id", json!("o2")),
        ("/data/currency", json!("NOK")),
        ("/data/user_agent", json!("ub")),
        ("/created_at", json!("2026-11-23T10:00:01Z")),
    ] {
        let mut changed = base.clone();
        *changed.pointer_mut(path).unwrap() = value;
        assert_ne!(print(&changed), same, "{path}");
    }
}

#[test]
fn a_signature_verifies_only_for_its_body_secret_and_time() {
    let body = br#"{"id":"evt_1"}"#;
    let header = sign(SECRET, 1000, body);
    assert_eq!(verify_signature(Some(&header), body, SECRET, 1000), Ok(()));
    assert_eq!(
        verify_signature(Some(&header), body, SECRET, 1000 + 300),
        Ok(())
    );
    assert_eq!(
        verify_signature(Some(&header), body, SECRET, 1000 + 301),
        Err(SignatureError::Stale)
    );
    assert_eq!(
        verify_signature(Some(&header), body, SECRET, 1000 - 301),
        Err(SignatureError::Stale)
    );
    assert_eq!(
        verify_signature(Some(&header), b"{}", SECRET, 1000),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(Some(&header), body, b"other", 1000),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(None, body, SECRET, 1000),
        Err(SignatureError::Missing)
    );
    for junk in [
        "",
        "t=abc,v1=00",
        "v1=00",
        "t=1000",
        "t=1000,v1=zz",
        "nonsense",
    ] {
        assert_eq!(
            verify_signature(Some(junk), body, SECRET, 1000),
            Err(SignatureError::Malformed),
            "{junk}"
        );
    }
    // A secret rollover: any one matching v1 is enough.
    let rolled = format!(
        "{},v1={}",
        sign(b"old", 1000, body),
        &header[header.find("v1=").unwrap() + 3..]
    );
    assert_eq!(verify_signature(Some(&rolled), body, SECRET, 1000), Ok(()));
}

fn order() -> Value {
    json!({
        "id": "evt_1", "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
        "data": {"merchant_id": "K123456", "order_id": "o1", "environment": "live",
                 "amount": 1000, "currency": "SEK", "user_agent": "WooCommerce/9"}
    })
}

#[test]
fn a_good_order_event_parses() {
    let e = parse(order().to_string().as_bytes()).unwrap();
    assert_eq!(e.kind, EventKind::OrderCreated);
    assert_eq!(
        e.subject,
        Subject::Merchant(MerchantId::parse("K123456").unwrap())
    );
    assert_eq!((e.amount, e.currency.as_str()), (1000, "SEK"));
    assert_eq!(e.created_at, 1_795_428_000);
    let err = json!({"id": "evt_2", "type": "api.error", "created_at": "2026-11-23T10:00:00+01:00",
        "data": {"legacy_store_id": "4711", "error_code": "AUTH_FAILED", "correlation_id": "c-1"}});
    let e = parse(err.to_string().as_bytes()).unwrap();
    assert_eq!(
        e.subject,
        Subject::Legacy(LegacyStoreId::parse("4711").unwrap())
    );
    assert_eq!(e.error_code.as_deref(), Some("AUTH_FAILED"));
    assert_eq!(e.environment, Environment::Live);
}

#[test]
fn each_bad_field_is_named() {
    type Change = fn(&mut Value);
    let cases: Vec<(Change, &str)> = vec![
        (|v| v["id"] = json!(7), "id"),
        (|v| v["id"] = json!("1"), "id"),
        (|v| v["type"] = json!("order.updated"), "type"),
        (|v| v["created_at"] = json!("yesterday"), "created_at"),
        (|v| v["data"] = json!([]), "data"),
        (
            |v| v["data"]["merchant_id"] = json!("4711"),
            "data.merchant_id",
        ),
        (
            |v| v["data"]["legacy_store_id"] = json!("4711"),
            "data.merchant_id",
        ),
        (
            |v| v["data"]["environment"] = json!("prod"),
            "data.environment",
        ),
        (
            |v| v["data"]["environment"] = json!("test"),
            "data.environment",
        ),
        (|v| v["data"]["amount"] = json!(-1), "data.amount"),
        (|v| v["data"]["amount"] = json!("10"), "data.amount"),
        (|v| v["data"]["currency"] = json!("sek"), "data.currency"),
        (
            |v| {
                v["data"].as_object_mut().unwrap().remove("order_id");
            },
            "data.order_id",
        ),
    ];
    for (change, field) in cases {
        let mut v = order();
        change(&mut v);
        assert_eq!(
            parse(v.to_string().as_bytes()).unwrap_err().field,
            field,
            "{v}"
        );
    }
    assert_eq!(parse(b"not json").unwrap_err().field, "body");
}

#[test]
fn text_limits_count_characters_not_bytes() {
    let mut v = order();
    v["data"]["order_id"] = json!("ö".repeat(200));
    assert!(
        parse(v.to_string().as_bytes()).is_ok(),
        "200 characters, 400 bytes"
    );
    v["data"]["order_id"] = json!("o".repeat(201));
    assert_eq!(
        parse(v.to_string().as_bytes()).unwrap_err().field,
        "data.order_id"
    );
}

#[test]
fn an_amount_is_a_whole_number_with_or_without_a_decimal_point() {
    let mut v = order();
    v["data"]["amount"] = json!(1000.0);
    assert_eq!(parse(v.to_string().as_bytes()).unwrap().amount, 1000);
    // Read exactly, not to the nearest float or so: its neighbours are 0.25 away.
    let body = v.to_string().replace("1000.0", "1895433612533049.0");
    assert_eq!(
        parse(body.as_bytes()).unwrap().amount,
        1_895_433_612_533_049
    );
    for refused in [json!(1000.5), json!(1e300), json!(-1.0), json!("1000")] {
        v["data"]["amount"] = refused.clone();
        assert_eq!(
            parse(v.to_string().as_bytes()).unwrap_err().field,
            "data.amount",
            "{refused}"
        );
    }
}
