//! The OpenAPI 3 document of the machine routes (`/api`, `/platform`), assembled from
//! the operations each route registers beside its handler, so it lists exactly what the
//! router serves. A test compares the two.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::routes::Routes;

pub fn document(routes: &Routes) -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let mut paths: Map<String, Value> = Map::new();
    for doc in routes.docs() {
        let operation = (doc.operation)(&mut generator);
        let item = paths
            .entry(doc.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(doc.method.as_str().to_lowercase(), operation);
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Switchyard",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The partner API (`/api`) and the platform's endpoints (`/platform`) of Switchyard, the self-service upgrade portal.",
        },
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "partnerToken": { "type": "http", "scheme": "bearer", "description": "A partner manager's API token (sypat_…), created on /partner/api" },
                "gatewayToken": { "type": "http", "scheme": "bearer", "description": "The platform gateway's service token (SWITCHYARD_GATEWAY_TOKEN)" },
                "platformSignature": { "type": "apiKey", "in": "header", "name": "Switchyard-Signature", "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\"> with the shared webhook secret" },
            },
        },
    })
}
