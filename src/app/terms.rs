//! The terms document as the admin sees, downloads and accepts it: one deterministic
//! PDF per store and path, whose SHA-256 is what an acceptance records.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use crate::{
    domain::{
        catalog::{Agreement, Catalog, UpgradePath},
        pdf, sha256_hex,
    },
    i18n::{Lang, Tr},
    store::stores::Store,
};

pub struct TermsPdf {
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub file_name: String,
}

/// The language of the store's terms: its country's, where the terms are translated
/// into it, else English. The page and the PDF both use it, so what is accepted is
/// exactly what was shown.
pub fn terms_lang(catalog: &Catalog, store: &Store, path: &UpgradePath) -> Lang {
    let wanted = Lang::for_country(store.country_list().first().copied().unwrap_or(""));
    match catalog.terms_in(path, wanted.code()).lang {
        "en" => Lang::En,
        _ => wanted,
    }
}

pub fn terms_pdf(catalog: &Catalog, store: &Store, path: &UpgradePath) -> TermsPdf {
    let lang = terms_lang(catalog, store, path);
    let tr = &Tr::new(lang);
    let terms = catalog.terms_in(path, lang.code());
    let product = |code: &str| {
        catalog
            .product(code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let mut meta = vec![
        tr.f(
            "pdf.store",
            &[("store", &store.name), ("eid", &store.legacy_store_id)],
        ),
        tr.f(
            "pdf.upgrade",
            &[("from", &product(&path.from)), ("to", &product(&path.to))],
        ),
        tr.f("terms.version", &[("version", &path.terms.version)]),
    ];
    match path.agreement {
        Agreement::Addendum => meta.push(tr.t("pdf.price_kept")),
        Agreement::New => {
            meta.push(tr.t("terms.price_new"));
            meta.extend(terms.price_list.iter().map(|l| format!("  • {l}")));
        }
    }
    let bytes = pdf::render(&pdf::Document {
        title: terms.title,
        meta: &meta,
        body: terms.body,
    });
    TermsPdf {
        sha256: sha256_hex(&bytes),
        file_name: format!(
            "{}-{}-{}-{}.pdf",
            slug(&store.name),
            path.id,
            slug(&path.terms.version),
            lang.code()
        ),
        bytes,
    }
}

/// The SHA-256 of each store's current terms PDF, remembered so that showing the terms
/// does not render the PDF every time. The PDF depends only on the catalog (fixed for an
/// instance's life), the path, the language and the store's name and ID, which make the
/// key. Starts over once it holds `KEPT` stores.
#[derive(Clone, Default)]
pub struct Fingerprints(Arc<Mutex<HashMap<PdfKey, String>>>);

/// Path ID, language, store name, legacy store ID.
type PdfKey = (String, Lang, String, String);

impl Fingerprints {
    const KEPT: usize = 10_000;

    pub fn of(&self, catalog: &Catalog, store: &Store, path: &UpgradePath) -> String {
        let key = (
            path.id.clone(),
            terms_lang(catalog, store, path),
            store.name.clone(),
            store.legacy_store_id.clone(),
        );
        if let Some(sha) = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return sha.clone();
        }
        let sha = terms_pdf(catalog, store, path).sha256;
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= Self::KEPT {
            kept.clear();
        }
        kept.insert(key, sha.clone());
        sha
    }
}

/// "Fjord & Fell" → "fjord-fell"; letters outside ASCII are kept out of file names.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' | 'Å' | 'Ä' => 'a',
            'ö' | 'ø' | 'ó' | 'Ö' | 'Ø' => 'o',
            'ü' | 'ú' | 'Ü' => 'u',
            'é' | 'è' | 'É' => 'e',
            'ñ' => 'n',
            'æ' | 'Æ' => 'a',
            'ß' => 's',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "store".into()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(name: &str, countries: &str) -> Store {
        Store {
            id: 1,
            legacy_store_id: "4711".into(),
            name: name.into(),
            product: "KPM".into(),
            admin_email: "anna@kaffebaren.example".into(),
            countries: countries.into(),
            platform: "woocommerce".into(),
            store_url: "https://kaffebaren.example".into(),
            partner_id: None,
            created_at: 0,
            legacy_called_at: None,
            legacy_open_until: None,
            legacy_archived_at: None,
            legacy_recurring: None,
            legacy_b2b: None,
            legacy_payment_methods: None,
            extended_sunset: None,
        }
    }

    #[test]
    fn a_remembered_fingerprint_is_the_pdfs_own() {
        let mut catalog = Catalog::parse(crate::domain::catalog::DEFAULT_CATALOG).unwrap();
        for (code, text) in crate::domain::catalog::DEFAULT_TRANSLATIONS {
            catalog.add_translation(code, text).unwrap();
        }
        let path = &catalog.paths[0];
        let fingerprints = Fingerprints::default();
        for s in [
            store("Kaffebaren", "SE"),
            store("Kaffebaren", "DE"),
            store("Kaffebaren AB", "SE"),
        ] {
            let sha = terms_pdf(&catalog, &s, path).sha256;
            assert_eq!(fingerprints.of(&catalog, &s, path), sha, "{}", s.name);
            assert_eq!(fingerprints.of(&catalog, &s, path), sha, "remembered");
        }
        assert_eq!(fingerprints.0.lock().unwrap().len(), 3);
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(slug("Fjord & Fell"), "fjord-fell");
        assert_eq!(slug("Bergkristall Schmuck"), "bergkristall-schmuck");
        assert_eq!(slug("Smörgås Øl"), "smorgas-ol");
        assert_eq!(slug("2026-09-01"), "2026-09-01");
        assert_eq!(slug("!!!"), "store");
    }
}
