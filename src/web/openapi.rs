//! The OpenAPI 3.1 document of the machine routes (`/api`, `/platform`). utoipa derives
//! each operation from its handler's `#[utoipa::path]` and each body from its type's
//! `ToSchema`; the operations are the ones the route table serves (`Routes::api`), so
//! the document lists exactly what the router serves. Only the frame is written here:
//! the servers, the security schemes and the description.

use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, Components, Server,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::routes::Routes;

/// The groups of operations (a generated client's modules).
pub const PARTNER: &str = "partner";
pub const PLATFORM: &str = "platform";
pub const META: &str = "meta";

/// The security schemes the operations name.
const PARTNER_TOKEN: &str = "partnerToken";
const GATEWAY_TOKEN: &str = "gatewayToken";
const PLATFORM_SIGNATURE: &str = "platformSignature";

const DESCRIPTION: &str = "\
The partner API (`/api`) and the platform's endpoints (`/platform`) of Switchyard, the \
self-service upgrade portal.

## Webhook signatures

Every webhook Switchyard sends (`upgrade.step_completed`, `upgrade.completed`, \
`store.legacy_traffic_stopped`, `store.legacy_traffic_resumed`, `store.sunset_changed` \
and `store.sunset_extended` to a partner's registered endpoint) and every platform event it \
receives \
(`POST /platform/v1/events`) is signed the same way, in one header:

```
Switchyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
```

The HMAC-SHA256 is keyed with the shared secret (the partner webhook's `whsec_…` secret, \
shown once at registration; for platform events `SWITCHYARD_WEBHOOK_SECRET`) and taken \
over the string `<t>.<raw body>`: the timestamp, a full stop, then the body's exact bytes. \
Several `v1=` entries may be given while a secret is rolled over; one must match. A \
receiver should refuse a `t` more than 5 minutes from its clock (Switchyard does).

This is the scheme Stripe uses for its webhooks (`Stripe-Signature`), byte for byte: \
Stripe's own verifiers accept Switchyard's webhooks unchanged when given the \
`Switchyard-Signature` header's value and the secret, for example \
`stripe.WebhookSignature.verify_header(body, header, secret, 300)` in Python or \
`stripe.webhooks.constructEvent(body, header, secret)` in Node.js, and a platform can \
sign its events with Stripe's libraries' helpers. Each partner webhook also carries an \
`Idempotency-Key` header; a delivery that gets no 2xx is retried with backoff.
";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchyard",
        description = DESCRIPTION,
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = PARTNER, description = "A partner manager's view of their partners' stores"),
        (name = PLATFORM, description = "What the payment platform calls: signed events, credential checks"),
        (name = META, description = "This document"),
    ),
    modifiers(&SecuritySchemes),
)]
struct Frame;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description))
                    .build(),
            )
        };
        let components = doc.components.get_or_insert_with(Components::new);
        components.add_security_scheme(
            PARTNER_TOKEN,
            bearer("A partner manager's API token (sypat_…), created on /partner/api"),
        );
        components.add_security_scheme(
            GATEWAY_TOKEN,
            bearer("The platform gateway's service token (SWITCHYARD_GATEWAY_TOKEN)"),
        );
        components.add_security_scheme(
            PLATFORM_SIGNATURE,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                crate::domain::platform_event::SIGNATURE_HEADER,
                "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\"> with the shared webhook \
                 secret (SWITCHYARD_WEBHOOK_SECRET): the scheme of Stripe's webhooks, see above",
            ))),
        );
    }
}

/// The document of `routes`, served from `base_url`.
pub fn document(routes: &Routes, base_url: &str) -> openapi::OpenApi {
    let mut doc = Frame::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let (paths, schemas) = routes.docs();
    doc.paths = paths.clone();
    doc.components
        .get_or_insert_with(Components::new)
        .schemas
        .extend(schemas.iter().cloned());
    doc.servers = Some(vec![Server::new(base_url.trim_end_matches('/'))]);
    doc
}
