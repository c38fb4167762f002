//! A partner manager's API tokens and webhooks.

use dioxus::prelude::*;

use super::{
    csrf_field, format_time,
    layout::{Ctx, Page, page},
    time_tag,
};
use crate::{
    domain::delivery::Failure,
    i18n::Tr,
    store::{api_tokens::ApiToken, webhooks::Webhook},
};

/// What was just created, to show once.
pub enum Created {
    Token(String),
    Webhook { url: String, secret: String },
}

/// Why a webhook's deliveries fail, in the reader's words.
pub(super) fn failure(tr: Tr, code: Option<&str>) -> String {
    match Failure::parse(code.unwrap_or_default()) {
        Failure::Status(status) => tr.f("keys.failure.status", &[("status", &status.to_string())]),
        Failure::Timeout => tr.t("keys.failure.timeout"),
        Failure::Connect => tr.t("keys.failure.connect"),
        Failure::Other => tr.t("keys.failure.other"),
    }
}

/// API tokens and webhooks; what was just created is shown once, with its warning.
pub fn keys(
    ctx: &Ctx,
    tokens: &[ApiToken],
    partners: &[(i64, String)],
    hooks: &[Webhook],
    created: Option<&Created>,
    problem: Option<&str>,
) -> Page {
    let tr = ctx.tr;
    let csrf = ctx.csrf.clone().unwrap_or_default();
    let title = tr.t("keys.title");
    let names: Vec<&str> = partners.iter().map(|(_, n)| n.as_str()).collect();
    let tokens_scope = tr.f(
        "consoles.keys.tokens_scope",
        &[("partners", &names.join(", "))],
    );
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            p { class: "lead", {tr.t("keys.lead")} " " a { href: "/api/openapi.json", {tr.t("keys.openapi")} } }
            if let Some(p) = problem {
                p { class: "form-error", role: "alert", id: "keys-problem", "{p}" }
            }
            match created {
                Some(Created::Token(token)) => rsx! {
                    div { class: "secret-box", role: "status",
                        p { class: "warning", {tr.t("keys.shown_once")} }
                        code { id: "new-token", "{token}" }
                    }
                },
                Some(Created::Webhook { url, secret }) => rsx! {
                    div { class: "secret-box", role: "status",
                        p { class: "warning", {tr.f("keys.webhook_secret", &[("url", url)])} }
                        code { id: "new-webhook-secret", "{secret}" }
                    }
                },
                None => rsx! {},
            }
        }
        section { class: "card", id: "tokens",
            h2 { {tr.t("keys.tokens")} }
            p { class: "hint", id: "tokens-scope", "{tokens_scope}" }
            if tokens.is_empty() {
                p { class: "hint", {tr.t("keys.no_tokens")} }
            } else {
                table { class: "list",
                    thead { tr { th { {tr.t("keys.name")} } th { {tr.t("keys.prefix")} } th { {tr.t("keys.created")} } th { {tr.t("keys.last_used")} } th {} } }
                    tbody {
                        for t in tokens.iter() {
                            tr { id: "token-{t.id}",
                                td { "data-label": tr.t("keys.name"), "{t.name}" }
                                td { "data-label": tr.t("keys.prefix"), div { code { "{t.prefix}…" } } }
                                td { "data-label": tr.t("keys.created"), {time_tag(t.created_at)} }
                                td { "data-label": tr.t("keys.last_used"), if let Some(at) = t.last_used_at { {time_tag(at)} } else { "–" } }
                                td {
                                    if t.revoked_at.is_some() {
                                        span { class: "tag", {tr.t("keys.revoked")} }
                                    } else {
                                        form { method: "post", action: "/partner/api/tokens/{t.id}/revoke", class: "inline",
                                            {csrf_field(&csrf)}
                                            button { class: "button", r#type: "submit", {tr.t("keys.revoke")} }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form { method: "post", action: "/partner/api/tokens", class: "inline-form",
                {csrf_field(&csrf)}
                label { r#for: "token-name", {tr.t("keys.name")} }
                input { id: "token-name", name: "name", required: true, maxlength: "80", placeholder: tr.t("keys.name_hint") }
                button { class: "button primary", r#type: "submit", id: "create-token", {tr.t("keys.create_token")} }
            }
        }
        section { class: "card", id: "webhooks",
            h2 { {tr.t("keys.webhooks")} }
            p { class: "hint", {tr.t("keys.webhooks_lead")} }
            p { class: "hint", id: "webhooks-scope", {tr.t("consoles.keys.webhooks_scope")} }
            for (partner, name) in partners.iter() {
                section { id: "webhooks-partner-{partner}",
                    h3 { {tr.f("consoles.keys.webhooks_of", &[("partner", name)])} }
                    ul {
                        for h in hooks.iter().filter(|h| h.partner_id == *partner) {
                            li { id: "webhook-{h.id}",
                                code { "{h.url}" } " "
                                a { href: "/partner/api/webhooks/{h.id}", id: "webhook-{h.id}-log", {tr.t("deliveries.link")} } " "
                                if let Some(since) = h.failing_since {
                                    p { class: "warning", role: "status", id: "webhook-{h.id}-failing",
                                        {tr.f("keys.webhook_failing", &[
                                            ("since", &format_time(since)),
                                            ("count", &h.failures.to_string()),
                                            ("reason", &failure(tr, h.last_error.as_deref())),
                                        ])}
                                    }
                                }
                                form { method: "post", action: "/partner/api/webhooks/{h.id}/disable", class: "inline",
                                    {csrf_field(&csrf)}
                                    button { class: "button", r#type: "submit", {tr.t("keys.disable")} }
                                }
                            }
                        }
                    }
                    form { method: "post", action: "/partner/api/webhooks", class: "inline-form",
                        {csrf_field(&csrf)}
                        input { r#type: "hidden", name: "partner", value: "{partner}" }
                        label { r#for: "webhook-url-{partner}", {tr.t("keys.url")} }
                        input { id: "webhook-url-{partner}", name: "url", r#type: "url", required: true, placeholder: "https://partner.example/hooks/switchyard" }
                        button { class: "button primary", r#type: "submit", id: "create-webhook-{partner}", {tr.t("keys.create_webhook")} }
                    }
                }
            }
        }
    };
    page(ctx, &title, None, body)
}
