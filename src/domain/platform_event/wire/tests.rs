use super::*;
use crate::domain::{
    Environment,
    platform_event::{EventKind, parse},
};

const AT: &str = "2026-11-23T10:00:00Z";

fn context() -> Context {
    Context {
        user_agent: Some("WooCommerce/9.4".into()),
        correlation_id: Some("corr-1".into()),
    }
}

fn order(kind: EventKind, subject: &str, environment: Environment) -> EventBody {
    let order = OrderFields {
        order_id: "ord_1".into(),
        amount: 1000,
        currency: "SEK".into(),
        context: context(),
        error_code: None,
        country: Some("SE".into()),
    };
    let (id, created_at) = ("evt_order".to_owned(), AT.to_owned());
    let data = OrderData::new(subject, environment, order);
    match kind {
        EventKind::OrderCreated => EventBody::OrderCreated(OrderCreatedEvent {
            id,
            kind: OrderCreatedType::OrderCreated,
            created_at,
            data,
        }),
        EventKind::OrderCancelled => EventBody::OrderCancelled(OrderCancelledEvent {
            id,
            kind: OrderCancelledType::OrderCancelled,
            created_at,
            data,
        }),
        other => unreachable!("{other:?} is not an order"),
    }
}

fn api_error(data: ApiErrorData) -> EventBody {
    EventBody::ApiError(ApiErrorEvent {
        id: "evt_error".into(),
        kind: ApiErrorType::ApiError,
        created_at: AT.into(),
        data,
    })
}

fn error() -> ErrorFields {
    ErrorFields {
        error_code: "BAD_VALUE".into(),
        order_id: Some("ord_1".into()),
        amount: Some(0),
        currency: Some("EUR".into()),
        context: context(),
    }
}

/// Each shape the OpenAPI document offers is one the parser takes, meaning what it says.
#[test]
fn every_documented_shape_parses() {
    use Environment::{Live, Test};
    let cases = [
        (
            order(EventKind::OrderCreated, "K123456", Live),
            EventKind::OrderCreated,
            Live,
        ),
        (
            order(EventKind::OrderCancelled, "PK12345", Test),
            EventKind::OrderCancelled,
            Test,
        ),
        (
            order(EventKind::OrderCreated, "4711", Test),
            EventKind::OrderCreated,
            Test,
        ),
        (
            api_error(ApiErrorData::Live(LiveApiError {
                merchant_id: "K123456".into(),
                environment: None,
                error: error(),
                legacy_store_id: None,
            })),
            EventKind::ApiError,
            Live,
        ),
        (
            api_error(ApiErrorData::Test(TestApiError {
                merchant_id: "PK12345".into(),
                environment: Some(TestEnvironment::Test),
                error: error(),
                legacy_store_id: None,
            })),
            EventKind::ApiError,
            Test,
        ),
        (
            api_error(ApiErrorData::Legacy(LegacyApiError {
                legacy_store_id: "4711".into(),
                environment: None,
                error: error(),
                merchant_id: None,
            })),
            EventKind::ApiError,
            Live,
        ),
    ];
    let call = |data| {
        EventBody::ApiCall(ApiCallEvent {
            id: "evt_call".into(),
            kind: ApiCallType::ApiCall,
            created_at: AT.into(),
            data,
        })
    };
    let fields = || CallFields {
        service: ServiceName::OrderManagement,
        endpoint: "/ordermanagement/v1/orders/ord_1/captures".into(),
        status: 201,
        order_id: None,
        error_code: None,
        amount: Some(1000),
        currency: Some("SEK".into()),
        context: context(),
    };
    let cases = cases.into_iter().chain([
        (
            call(ApiCallData::Live(LiveApiCall {
                merchant_id: "K123456".into(),
                environment: None,
                call: fields(),
                legacy_store_id: None,
            })),
            EventKind::ApiCall,
            Live,
        ),
        (
            call(ApiCallData::Test(TestApiCall {
                merchant_id: "PK12345".into(),
                environment: Some(TestEnvironment::Test),
                call: fields(),
                legacy_store_id: None,
            })),
            EventKind::ApiCall,
            Test,
        ),
        (
            call(ApiCallData::Legacy(LegacyApiCall {
                legacy_store_id: "4711".into(),
                environment: None,
                call: fields(),
                merchant_id: None,
            })),
            EventKind::ApiCall,
            Live,
        ),
    ]);
    for (body, kind, environment) in cases {
        let json = serde_json::to_string(&body).expect("serializes");
        let event = parse(json.as_bytes()).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(
            (event.kind, event.environment),
            (kind, environment),
            "{json}"
        );
        assert_eq!(event.correlation_id.as_deref(), Some("corr-1"), "{json}");
    }
}
