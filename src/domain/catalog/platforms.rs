//! A shop platform's guidance: its plugins, how to install them, and where each
//! credential goes.

use serde::Deserialize;

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
    /// The checkout integration's plugin and its installation, for products that are a
    /// checkout; `plugin` and `install` above are the payment method's.
    #[serde(default)]
    pub checkout: Option<Guide>,
}

/// What to install, and how.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    pub plugin: String,
    pub install: String,
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
