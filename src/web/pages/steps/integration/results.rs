//! What the integration step says back: the platform setup's result, and the store
//! health check's findings page by page.

use dioxus::prelude::*;

use super::{HealthOutcome, SetupResult};
use crate::{
    domain::{
        Upgrade,
        catalog::Catalog,
        setup_check::{Finding, Part},
    },
    i18n::Tr,
    shop::{Fetch, Refusal, Verdict},
    web::{access::StoreReader, pages::format_time},
};

pub(super) fn setup_result(
    tr: &Tr,
    admin: &StoreReader,
    upgrade: &Upgrade,
    result: &SetupResult,
) -> Element {
    let mid = upgrade.merchant_id.clone().unwrap_or_default();
    let test_mid = upgrade.test_merchant_id.clone().unwrap_or_default();
    let problems = result.findings.iter().any(Finding::is_problem);
    let text = |f: &Finding| -> String {
        let time = |at: &i64| format_time(*at);
        match f {
            Finding::Empty => tr.t("setup_check.finding.empty"),
            Finding::Whitespace(Part::Username) => tr.t("setup_check.finding.whitespace_username"),
            Finding::Whitespace(Part::Password) => tr.t("setup_check.finding.whitespace_password"),
            Finding::LegacyStoreId => tr.f(
                "setup_check.finding.legacy_store_id",
                &[("eid", admin.eid()), ("mid", &mid)],
            ),
            Finding::MerchantIdNotUsername { merchant_id } => tr.f(
                "setup_check.finding.merchant_id",
                &[("merchant_id", merchant_id)],
            ),
            Finding::PasswordAsUsername => tr.t("setup_check.finding.password_as_username"),
            Finding::NotIssued => tr.t("setup_check.finding.not_issued"),
            Finding::OtherStore => tr.f(
                "setup_check.finding.other_store",
                &[("store", &admin.store.name)],
            ),
            Finding::TestInLiveField => tr.f("setup_check.finding.test_in_live", &[("mid", &mid)]),
            Finding::LiveInTestField => {
                tr.f("setup_check.finding.live_in_test", &[("mid", &test_mid)])
            }
            Finding::Revoked { at } => tr.f("setup_check.finding.revoked", &[("time", &time(at))]),
            Finding::Rotated { at } => tr.f("setup_check.finding.rotated", &[("time", &time(at))]),
            Finding::EndsSoon { at } => {
                tr.f("setup_check.finding.ends_soon", &[("time", &time(at))])
            }
            Finding::WrongPassword => tr.t("setup_check.finding.wrong_password"),
            Finding::Right {
                password_checked: true,
            } => tr.t("setup_check.finding.right"),
            Finding::Right {
                password_checked: false,
            } => tr.t("setup_check.finding.right_without_password"),
        }
    };
    rsx! {
        div { class: if problems { "form-error" } else { "ok" }, role: "status", id: "setup-check-result",
            strong { {tr.t(if problems { "setup_check.wrong" } else { "setup_check.fine" })} }
            ul {
                for f in result.findings.iter() {
                    li { class: if f.is_problem() { "problem" } else { "fine" }, {text(f)} }
                }
            }
        }
    }
}

fn refusal_text(tr: &Tr, r: &Refusal) -> String {
    tr.t(match r {
        Refusal::NotAUrl => "health.refused.not_a_url",
        Refusal::Scheme => "health.refused.scheme",
        Refusal::Credentials => "health.refused.credentials",
        Refusal::PrivateAddress => "health.refused.private",
    })
}

pub(super) fn health_result(tr: &Tr, catalog: &Catalog, outcome: &HealthOutcome) -> Element {
    let code = tr.lang.code();
    let report = match outcome {
        HealthOutcome::Refused(r) => {
            return rsx! { p { class: "form-error", role: "alert", id: "health-result", {refusal_text(tr, r)} } };
        }
        HealthOutcome::RateLimited { retry_at } => {
            return rsx! { p { class: "form-error", role: "alert", id: "health-result",
            {tr.f("health.rate_limited", &[("time", &format_time(*retry_at))])} } };
        }
        HealthOutcome::Checked(report) => report,
    };
    let verdict = report.verdict();
    let (class, key) = match verdict {
        Verdict::LegacyStillThere => ("warning-box", "health.verdict.legacy"),
        Verdict::NewOnly => ("ok", "health.verdict.new_only"),
        Verdict::NothingSeen => ("warning-box", "health.verdict.nothing"),
        Verdict::Unreadable => ("form-error", "health.verdict.unreadable"),
    };
    let lines = |page: &crate::shop::PageReport| -> Vec<String> {
        let url = page.url.as_str();
        match &page.fetch {
            Fetch::Fetched {
                status,
                truncated,
                legacy,
                new,
            } => {
                let mut out = Vec::new();
                if *status >= 400 {
                    out.push(tr.f(
                        "health.page.status",
                        &[("url", url), ("status", &status.to_string())],
                    ));
                }
                for label in legacy {
                    let label = catalog.marker_label(label, code);
                    out.push(tr.f("health.page.legacy", &[("label", label), ("url", url)]));
                }
                for label in new {
                    let label = catalog.marker_label(label, code);
                    out.push(tr.f("health.page.new", &[("label", label), ("url", url)]));
                }
                if legacy.is_empty() && new.is_empty() && *status < 400 {
                    out.push(tr.f("health.page.nothing", &[("url", url)]));
                }
                if *truncated {
                    out.push(tr.f("health.page.truncated", &[("url", url)]));
                }
                out
            }
            Fetch::TimedOut => vec![tr.f("health.page.timeout", &[("url", url)])],
            Fetch::TooManyRedirects => vec![tr.f("health.page.redirects", &[("url", url)])],
            Fetch::Refused(r) => vec![format!("{url}: {}", refusal_text(tr, r))],
            Fetch::Unreachable(why) => {
                let why = tr.t(why.key());
                vec![tr.f("health.page.unreachable", &[("url", url), ("why", &why)])]
            }
        }
    };
    rsx! {
        div { class: "{class}", role: "status", id: "health-result", "data-verdict": "{verdict:?}",
            strong { {tr.t(key)} }
            ul {
                for page in report.pages.iter() {
                    for line in lines(page) {
                        li { "{line}" }
                    }
                }
            }
            if verdict == Verdict::LegacyStillThere {
                p { {tr.t("health.legacy_advice")} }
            }
        }
    }
}
