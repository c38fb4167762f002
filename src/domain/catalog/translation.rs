//! The catalog in other languages: terms, platform guidance, plugin field labels and
//! health-check markers, each falling back to English where a translation lacks it.

use serde::Deserialize;

use super::*;

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
    /// The checkout integration's guide.
    #[serde(default)]
    pub checkout: Option<Guide>,
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

    /// What to install on `platform` to move to `product`, and how, in language `code`:
    /// a checkout product gets the platform's checkout guide, a payment method its plugin.
    pub fn guide<'a>(
        &'a self,
        platform: &'a Platform,
        product: &str,
        code: &str,
    ) -> (Integration, &'a str, &'a str) {
        let integration = self.integration_of(product);
        let checkout = match integration {
            Integration::Checkout => platform.checkout.as_ref(),
            Integration::PaymentMethod => None,
        };
        let Some(guide) = checkout else {
            let (plugin, install) = self.platform_text(platform, code);
            return (Integration::PaymentMethod, plugin, install);
        };
        let text = self
            .platform_translation(platform, code)
            .and_then(|t| t.checkout.as_ref())
            .unwrap_or(guide);
        (integration, &text.plugin, &text.install)
    }

    /// How `product` goes into a shop (unknown products: as a payment method).
    pub fn integration_of(&self, product: &str) -> Integration {
        self.product(product)
            .map_or(Integration::PaymentMethod, |p| p.integration)
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
}
