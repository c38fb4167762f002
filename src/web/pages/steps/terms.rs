use dioxus::prelude::*;

use crate::app::paths;
use crate::{
    domain::{
        Step,
        catalog::{Agreement, Catalog, UpgradePath},
    },
    store::terms::AcceptanceRow,
    web::{
        access::StoreReader,
        pages::{
            TIME_SLOT, csrf_field,
            layout::{Page, page as layout},
            stores::{read_only_note, store_nav},
            timed,
        },
    },
};

/// `sha` is the fingerprint of the PDF the admin would accept now.
pub fn page(
    catalog: &Catalog,
    reader: &StoreReader,
    path: &UpgradePath,
    sha: &str,
    accepted: Option<&AcceptanceRow>,
    error: Option<&str>,
) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let eid = reader.eid();
    let done = reader.step() > Step::Terms;
    let show_accepted = done && !reader.terms_outdated;
    // The terms in the store's language (as the PDF and the acceptance have them).
    let terms_lang = crate::app::terms::terms_lang(catalog, &reader.store, path);
    let terms = catalog.terms_in(path, terms_lang.code());
    let paths: Vec<&UpgradePath> = catalog.paths_from(&reader.store.product).collect();
    let product_name = |code: &str| {
        catalog
            .product(code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let body = rsx! {
        {store_nav(reader, "upgrade")}
        {super::super::error_summary(&tr, &error.map(|e| vec![("accept", e.to_owned())]).unwrap_or_default())}
        section { class: "card",
            {super::heading(&tr, Step::Terms)}
            {read_only_note(reader)}
            if reader.terms_outdated {
                p { class: "warning-box", id: "terms-updated", role: "alert", {tr.t("terms.updated")} }
            }
            p { id: "what-changes",
                a { href: "{paths::store(eid).what_changes()}?path={path.id}", {tr.t("changes.before_terms")} }
            }
            if paths.len() > 1 && !done {
                nav { class: "tabs", "aria-label": tr.t("terms.choose"),
                    for p in paths.iter() {
                        a {
                            class: if p.id == path.id { "tab active" } else { "tab" },
                            "aria-current": if p.id == path.id { "true" } else { "false" },
                            href: format!("{}?path={}", paths::store(eid).step(Step::Terms), p.id),
                            {tr.f("terms.path_to", &[("product", &product_name(&p.to))])}
                            span { class: "tag", {tr.t(if p.agreement == Agreement::Addendum { "terms.addendum" } else { "terms.new_agreement" })} }
                        }
                    }
                }
            }
            if terms.lang != tr.lang.code() {
                p { class: "note", id: "terms-language",
                    {tr.f("locale.terms.other_language", &[("language", &tr.t(&format!("locale.language.{}", terms.lang)))])}
                }
            }
            div { class: "price",
                if path.agreement == Agreement::Addendum {
                    p { {tr.t("terms.price_kept")} }
                } else {
                    p { strong { {tr.t("terms.price_new")} } }
                    ul { lang: "{terms.lang}", for line in terms.price_list.iter() { li { "{line}" } } }
                }
            }
            article { class: "document", id: "terms-document", tabindex: "0", lang: "{terms.lang}",
                h2 { "{terms.title}" }
                p { class: "meta", {tr.f("terms.version", &[("version", terms.version)])} }
                for para in terms.body.split("\n\n") {
                    p { "{para}" }
                }
            }
            p { a { href: format!("{}?path={}", paths::store(eid).terms_pdf(), path.id), id: "download-terms", download: true, {tr.t("terms.download")} } }
            if let Some(a) = accepted.filter(|_| show_accepted) {
                p { class: "ok", id: "terms-accepted",
                    {timed(&tr.f("terms.accepted_by", &[("email", &a.user_email), ("time", TIME_SLOT), ("version", &a.document_version)]), a.accepted_at)}
                }
                p { class: "hash", {tr.f("terms.hash", &[("hash", &a.document_sha256)])} }
                p { a { href: paths::store(eid).accepted_terms_pdf(), id: "download-accepted", {tr.t("terms.download_accepted")} } }
                a { class: "button primary", href: paths::store(eid).upgrade(), {tr.t("common.continue")} }
            } else if reader.can_act() {
                form { method: "post", action: paths::store(eid).step(Step::Terms),
                    {csrf_field(ctx.csrf.as_deref().unwrap_or_default())}
                    input { r#type: "hidden", name: "path", value: "{path.id}" }
                    input { r#type: "hidden", name: "sha256", value: "{sha}" }
                    label { class: "check",
                        input { r#type: "checkbox", name: "accept", value: "yes", id: "accept",
                            "aria-invalid": if error.is_some() { "true" } else { "false" } }
                        {tr.f("terms.accept_label", &[("title", terms.title)])}
                    }
                    p { class: "hash", {tr.f("terms.hash", &[("hash", sha)])} }
                    button { class: "button primary", r#type: "submit", id: "accept-terms", {tr.t("terms.accept")} }
                }
            }
        }
    };
    layout(&ctx, &tr.t("step.terms"), Some(&reader.banner()), body)
}
