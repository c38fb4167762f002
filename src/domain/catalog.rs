//! The catalog: products, upgrade paths, terms documents, fees and shop platforms.
//! It is data (a TOML file), so another platform can run Switchyard for its products.

use serde::Deserialize;

/// The catalog that ships with Switchyard; `SWITCHYARD_CATALOG` points at another file.
pub const DEFAULT_CATALOG: &str = include_str!("../../assets/catalog.toml");

/// The shipped catalog's texts in the other languages (a test checks they are complete).
pub const DEFAULT_TRANSLATIONS: [(&str, &str); 6] = [
    ("sv", include_str!("../../assets/i18n/catalog/sv.toml")),
    ("nb", include_str!("../../assets/i18n/catalog/nb.toml")),
    ("fi", include_str!("../../assets/i18n/catalog/fi.toml")),
    ("da", include_str!("../../assets/i18n/catalog/da.toml")),
    ("de", include_str!("../../assets/i18n/catalog/de.toml")),
    ("es", include_str!("../../assets/i18n/catalog/es.toml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub products: Vec<Product>,
    pub paths: Vec<UpgradePath>,
    pub account: AccountOptions,
    pub platforms: Vec<Platform>,
    pub health_check: HealthMarkers,
    /// The texts in other languages, per language code (not part of the catalog file:
    /// see [`Catalog::add_translation`]).
    #[serde(skip)]
    pub translations: std::collections::HashMap<String, Translation>,
}

/// A language's version of the catalog's prose: platform guidance and terms. Anything
/// missing stays in the catalog's own language (English).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    #[serde(default)]
    pub platforms: std::collections::HashMap<String, PlatformText>,
    #[serde(default)]
    pub paths: std::collections::HashMap<String, TermsText>,
    /// The health check markers' labels, by their English label.
    #[serde(default)]
    pub markers: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformText {
    /// The platform's name where it is not a proper name ("Custom API integration").
    #[serde(default)]
    pub name: Option<String>,
    pub plugin: String,
    pub install: String,
    /// The plugin's fields as its settings name them in this language, by value.
    #[serde(default)]
    pub fields: Vec<FieldText>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldText {
    pub value: String,
    pub label: String,
    pub location: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsText {
    pub title: String,
    pub body: String,
    /// The price list's lines (new agreements only).
    #[serde(default)]
    pub price_list: Vec<String>,
}

/// The terms of a path as shown in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub version: &'a str,
    pub price_list: &'a [String],
    /// The language the text is in (`en` when no translation exists).
    pub lang: &'a str,
}

/// What the store health check looks for in a shop's pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthMarkers {
    pub legacy_markers: Vec<Marker>,
    pub new_markers: Vec<Marker>,
}

/// Text that betrays a plugin (matched case-insensitively), and how to name it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub text: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub code: String,
    pub name: String,
    pub legacy: bool,
    /// For legacy products: the day the legacy system stops (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    pub sunset: Option<String>,
}

impl Product {
    pub fn sunset_date(&self) -> Option<time::Date> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(self.sunset.as_deref()?, &fmt).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Agreement {
    /// A short amendment to the existing agreement; the price is kept.
    Addendum,
    /// A new agreement with its own price list.
    New,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradePath {
    pub id: String,
    pub from: String,
    pub to: String,
    pub agreement: Agreement,
    pub terms: TermsDocument,
    /// Price lines shown with a new agreement; empty for an addendum.
    #[serde(default)]
    pub price_list: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsDocument {
    pub title: String,
    pub version: String,
    pub body: String,
}

/// A transaction fee: a percentage in basis points plus a fixed part in minor units.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub basis_points: u32,
    pub fixed_minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Currency {
    EUR,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountOptions {
    pub primary_markets: Vec<String>,
    pub global_markets_count: u32,
    pub global_fee_eea: Fee,
    pub global_fee_outside_eea: Fee,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub id: String,
    pub name: String,
    pub plugin: String,
    pub install: String,
    /// The checkout page, relative to the shop's address (where payment scripts load).
    pub checkout_path: String,
    /// Where each credential goes in the plugin's settings.
    pub fields: Vec<PluginField>,
}

/// The values a plugin field may show, filled in per store.
pub const FIELD_VALUES: [&str; 8] = [
    "merchant_id",
    "username",
    "password",
    "test_merchant_id",
    "test_username",
    "test_password",
    "off",
    "production",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginField {
    pub label: String,
    pub value: String,
    pub location: String,
}

/// A catalog file that cannot be used, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalog is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("the catalog is inconsistent: {0}")]
    Inconsistent(String),
}

impl Catalog {
    /// Adds the texts of language `code` from a translation file.
    pub fn add_translation(&mut self, code: &str, text: &str) -> Result<(), CatalogError> {
        let translation: Translation = toml::from_str(text)?;
        self.translations.insert(code.to_owned(), translation);
        Ok(())
    }

    /// A path's terms in language `code`, or in English when there is no translation.
    pub fn terms_in<'a>(&'a self, path: &'a UpgradePath, code: &str) -> Terms<'a> {
        let version = path.terms.version.as_str();
        match self
            .translations
            .get(code)
            .and_then(|t| t.paths.get(&path.id))
        {
            Some(t) => Terms {
                title: &t.title,
                body: &t.body,
                version,
                price_list: if t.price_list.len() == path.price_list.len() {
                    &t.price_list
                } else {
                    &path.price_list
                },
                lang: self
                    .translations
                    .get_key_value(code)
                    .map_or("en", |(k, _)| k.as_str()),
            },
            None => Terms {
                title: &path.terms.title,
                body: &path.terms.body,
                version,
                price_list: &path.price_list,
                lang: "en",
            },
        }
    }

    /// Whether `body` is the path's current terms in any language (an acceptance of a
    /// translation is as current as one of the original).
    pub fn is_current_terms(&self, path: &UpgradePath, body: &str) -> bool {
        body == path.terms.body
            || self
                .translations
                .values()
                .filter_map(|t| t.paths.get(&path.id))
                .any(|t| t.body == body)
    }

    /// A platform's plugin name and installation advice in language `code`.
    pub fn platform_text<'a>(&'a self, platform: &'a Platform, code: &str) -> (&'a str, &'a str) {
        match self
            .translations
            .get(code)
            .and_then(|t| t.platforms.get(&platform.id))
        {
            Some(t) => (&t.plugin, &t.install),
            None => (&platform.plugin, &platform.install),
        }
    }

    fn platform_translation(&self, platform: &Platform, code: &str) -> Option<&PlatformText> {
        self.translations
            .get(code)
            .and_then(|t| t.platforms.get(&platform.id))
    }

    /// A platform's name in language `code` (most are proper names, the same in all).
    pub fn platform_name<'a>(&'a self, platform: &'a Platform, code: &str) -> &'a str {
        self.platform_translation(platform, code)
            .and_then(|t| t.name.as_deref())
            .unwrap_or(&platform.name)
    }

    /// A plugin field's label and where it is in the plugin's settings, in language
    /// `code`.
    pub fn field_text<'a>(
        &'a self,
        platform: &'a Platform,
        field: &'a PluginField,
        code: &str,
    ) -> (&'a str, &'a str) {
        self.platform_translation(platform, code)
            .and_then(|t| t.fields.iter().find(|f| f.value == field.value))
            .map_or((&field.label, &field.location), |f| (&f.label, &f.location))
    }

    /// A health check marker's label (given in English) in language `code`.
    pub fn marker_label<'a>(&'a self, label: &'a str, code: &str) -> &'a str {
        self.translations
            .get(code)
            .and_then(|t| t.markers.get(label))
            .map_or(label, String::as_str)
    }

    /// Parses and checks a catalog: every path joins a legacy product to a current one,
    /// ids are unique, and there is a custom integration to fall back on.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog = toml::from_str(text)?;
        let bad = |msg: String| Err(CatalogError::Inconsistent(msg));
        for path in &catalog.paths {
            match catalog.product(&path.from) {
                Some(p) if p.legacy => {}
                _ => {
                    return bad(format!(
                        "path {} starts at {}, which is not a legacy product",
                        path.id, path.from
                    ));
                }
            }
            match catalog.product(&path.to) {
                Some(p) if !p.legacy => {}
                _ => {
                    return bad(format!(
                        "path {} ends at {}, which is not a current product",
                        path.id, path.to
                    ));
                }
            }
            if path.agreement == Agreement::New && path.price_list.is_empty() {
                return bad(format!(
                    "path {} is a new agreement but has no price list",
                    path.id
                ));
            }
            if catalog.paths.iter().filter(|p| p.id == path.id).count() > 1 {
                return bad(format!("path id {} is used twice", path.id));
            }
        }
        for product in &catalog.products {
            match (product.legacy, &product.sunset) {
                (true, None) => {
                    return bad(format!(
                        "legacy product {} has no sunset date",
                        product.code
                    ));
                }
                (false, Some(_)) => {
                    return bad(format!(
                        "current product {} cannot have a sunset",
                        product.code
                    ));
                }
                (true, Some(_)) if product.sunset_date().is_none() => {
                    return bad(format!(
                        "legacy product {}: sunset must be a date such as 2027-06-30",
                        product.code
                    ));
                }
                _ => {}
            }
        }
        for product in catalog.products.iter().filter(|p| p.legacy) {
            if catalog.paths_from(&product.code).next().is_none() {
                return bad(format!(
                    "legacy product {} has no upgrade path",
                    product.code
                ));
            }
        }
        for platform in &catalog.platforms {
            if let Some(f) = platform
                .fields
                .iter()
                .find(|f| !FIELD_VALUES.contains(&f.value.as_str()))
            {
                return bad(format!(
                    "platform {} has a field with value {:?}; known values are {}",
                    platform.id,
                    f.value,
                    FIELD_VALUES.join(", ")
                ));
            }
            if !platform.checkout_path.starts_with('/') {
                return bad(format!(
                    "platform {}: checkout_path must start with /",
                    platform.id
                ));
            }
        }
        let markers = catalog.health_check.legacy_markers.iter();
        if markers
            .chain(&catalog.health_check.new_markers)
            .any(|m| m.text.trim().is_empty())
        {
            return bad("a health check marker has no text".into());
        }
        if catalog.platform("custom").is_none() {
            return bad("a platform with id \"custom\" is required as the fallback".into());
        }
        Ok(catalog)
    }

    /// Moves a legacy product's sunset (a deployment's own date, from the config).
    pub fn set_sunset(&mut self, code: &str, date: time::Date) -> Result<(), CatalogError> {
        match self
            .products
            .iter_mut()
            .find(|p| p.code == code && p.legacy)
        {
            Some(p) => {
                p.sunset = Some(date.to_string());
                Ok(())
            }
            None => Err(CatalogError::Inconsistent(format!(
                "a sunset is configured for {code}, which is not a legacy product"
            ))),
        }
    }

    pub fn product(&self, code: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.code == code)
    }

    pub fn path(&self, id: &str) -> Option<&UpgradePath> {
        self.paths.iter().find(|p| p.id == id)
    }

    /// The paths open to a legacy product, the catalog's preferred one first.
    pub fn paths_from<'a>(&'a self, product: &str) -> impl Iterator<Item = &'a UpgradePath> + 'a {
        let product = product.to_owned();
        self.paths.iter().filter(move |p| p.from == product)
    }

    /// The guidance for a shop platform; unknown platforms get the custom integration.
    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    pub fn platform_or_custom(&self, id: &str) -> &Platform {
        self.platform(id)
            .or_else(|| self.platform("custom"))
            .expect("parse() guarantees a custom platform")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped translation covers every platform and path of the shipped catalog,
    /// with the terms in as many paragraphs as the original.
    #[test]
    fn the_shipped_translations_are_complete() {
        let mut catalog = Catalog::parse(DEFAULT_CATALOG).unwrap();
        for (code, text) in DEFAULT_TRANSLATIONS {
            catalog.add_translation(code, text).unwrap();
            let t = &catalog.translations[code];
            for p in &catalog.platforms {
                assert!(t.platforms.contains_key(&p.id), "{code}: platform {}", p.id);
            }
            assert_eq!(
                t.platforms.len(),
                catalog.platforms.len(),
                "{code}: unknown platforms"
            );
            for p in &catalog.platforms {
                for f in &p.fields {
                    let (label, location) = catalog.field_text(p, f, code);
                    assert!(
                        (label, location) != (f.label.as_str(), f.location.as_str()),
                        "{code}: field {} of {}",
                        f.value,
                        p.id
                    );
                }
            }
            let markers = catalog.health_check.legacy_markers.iter();
            for m in markers.chain(&catalog.health_check.new_markers) {
                assert_ne!(catalog.marker_label(&m.label, code), m.label, "{code}");
            }
            let custom = catalog.platform_or_custom("custom");
            assert_ne!(catalog.platform_name(custom, code), custom.name, "{code}");
            for path in &catalog.paths {
                let terms = catalog.terms_in(path, code);
                assert_eq!(terms.lang, code, "{code}: terms of {}", path.id);
                assert_ne!(
                    terms.body, path.terms.body,
                    "{code}: {} is translated",
                    path.id
                );
                assert_eq!(
                    terms.body.split("\n\n").count(),
                    path.terms.body.split("\n\n").count(),
                    "{code}: paragraphs of {}",
                    path.id
                );
                assert!(catalog.is_current_terms(path, terms.body));
                assert_eq!(terms.price_list.len(), path.price_list.len());
                if !path.price_list.is_empty() {
                    assert_ne!(
                        terms.price_list,
                        &path.price_list[..],
                        "{code}: price list of {}",
                        path.id
                    );
                }
            }
        }
        let path = &catalog.paths[0];
        assert_eq!(
            catalog.terms_in(path, "xx").lang,
            "en",
            "no translation: English"
        );
        assert!(!catalog.is_current_terms(path, "an old text"));
    }

    #[test]
    fn the_shipped_catalog_has_the_three_paths() {
        let c = Catalog::parse(DEFAULT_CATALOG).unwrap();
        let kpm: Vec<_> = c
            .paths_from("KPM")
            .map(|p| (p.to.as_str(), p.agreement))
            .collect();
        assert_eq!(
            kpm,
            [("KP", Agreement::Addendum), ("KCOv3", Agreement::New)]
        );
        let kco: Vec<_> = c
            .paths_from("KCOv2")
            .map(|p| (p.to.as_str(), p.agreement))
            .collect();
        assert_eq!(kco, [("KCOv3", Agreement::Addendum)]);
        assert_eq!(
            (
                c.account.global_fee_eea.basis_points,
                c.account.global_fee_eea.fixed_minor
            ),
            (279, 35)
        );
        assert_eq!(c.account.global_fee_outside_eea.basis_points, 499);
        assert_eq!(c.platform_or_custom("nonexistent").id, "custom");
        for id in [
            "woocommerce",
            "magento2",
            "prestashop",
            "shopify",
            "bigcommerce",
            "custom",
        ] {
            let p = c.platform(id).unwrap();
            let values: Vec<_> = p.fields.iter().map(|f| f.value.as_str()).collect();
            for needed in ["merchant_id", "username", "password", "test_username"] {
                assert!(values.contains(&needed), "{id} lacks {needed}");
            }
        }
    }

    #[test]
    fn an_unknown_field_value_is_refused() {
        let text = DEFAULT_CATALOG.replacen("value = \"off\"", "value = \"of\"", 1);
        let err = Catalog::parse(&text).unwrap_err().to_string();
        assert!(err.contains("\"of\""), "{err}");
    }

    #[test]
    fn a_path_to_a_legacy_product_is_refused() {
        let text = DEFAULT_CATALOG.replace("to = \"KP\"", "to = \"KCOv2\"");
        let err = Catalog::parse(&text).unwrap_err().to_string();
        assert!(err.contains("not a current product"), "{err}");
    }
}
