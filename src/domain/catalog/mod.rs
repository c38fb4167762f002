//! The catalog: products, upgrade paths, terms documents, fees and shop platforms.
//! It is data (a TOML file), so another platform can run Switchyard for its products.

mod check;
mod platforms;
mod translation;

use serde::Deserialize;

use check::check;
pub use platforms::{FIELD_VALUES, Guide, Platform, PluginField};
pub use translation::{FieldText, PlatformText, Terms, TermsText, Translation};

/// The catalog that ships with Switchyard; `SWITCHYARD_CATALOG` points at another file.
pub const DEFAULT_CATALOG: &str = include_str!("../../../assets/catalog.toml");

/// The shipped catalog's texts in the other languages (a test checks they are complete).
pub const DEFAULT_TRANSLATIONS: [(&str, &str); 6] = [
    ("sv", include_str!("../../../assets/i18n/catalog/sv.toml")),
    ("nb", include_str!("../../../assets/i18n/catalog/nb.toml")),
    ("fi", include_str!("../../../assets/i18n/catalog/fi.toml")),
    ("da", include_str!("../../../assets/i18n/catalog/da.toml")),
    ("de", include_str!("../../../assets/i18n/catalog/de.toml")),
    ("es", include_str!("../../../assets/i18n/catalog/es.toml")),
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
    /// For legacy products: the day the legacy system stops (`YYYY-MM-DD`, UTC), as the
    /// catalog (or `SWITCHYARD_SUNSET`) seeds it. The effective day lives in the database
    /// with its history (`app::sunsets`) and is applied to [`Product::effective`].
    #[serde(default)]
    pub sunset: Option<String>,
    /// For legacy products: how many days past the product's sunset a store may be given
    /// at most when it asks for more time (0: no extensions).
    #[serde(default)]
    pub max_extension_days: i64,
    /// How a shop takes the product in: a payment method plugin, or a whole checkout.
    #[serde(default)]
    pub integration: Integration,
    /// The effective sunset, once the database's is applied; shared by the catalog's
    /// clones, so a change reaches every reader of this instance at once.
    #[serde(skip)]
    pub effective: SunsetCell,
}

/// A product's effective sunset: the day, and the day before its latest change with when
/// that change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveSunset {
    pub date: time::Date,
    pub previous: Option<(time::Date, i64)>,
}

/// Where a product's effective sunset is kept (see [`Product::effective`]).
#[derive(Debug, Clone, Default)]
pub struct SunsetCell(std::sync::Arc<std::sync::RwLock<Option<EffectiveSunset>>>);

impl SunsetCell {
    pub fn get(&self) -> Option<EffectiveSunset> {
        *self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set(&self, value: EffectiveSunset) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(value);
    }
}

/// How a product goes into a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Integration {
    /// A payment method the shop's plugin adds to its own checkout (KPM, KP).
    #[default]
    PaymentMethod,
    /// A checkout snippet that replaces the shop's checkout, payment step and all
    /// (Checkout v2, v3).
    Checkout,
}

impl Product {
    /// The day the legacy system stops: the effective one, else the seed.
    pub fn sunset_date(&self) -> Option<time::Date> {
        self.effective
            .get()
            .map(|e| e.date)
            .or_else(|| self.seeded_sunset())
    }

    /// The day the catalog (or the environment) seeds.
    pub fn seeded_sunset(&self) -> Option<time::Date> {
        super::parse_date(self.sunset.as_deref()?)
    }

    /// The latest day a store of the product may be given as its own sunset.
    pub fn latest_extension(&self) -> Option<time::Date> {
        let days = self.max_extension_days;
        (days > 0).then_some(
            self.sunset_date()?
                .checked_add(time::Duration::days(days))?,
        )
    }

    /// The latest change of the sunset: the day before it, and when it was made.
    pub fn sunset_changed(&self) -> Option<(time::Date, i64)> {
        self.effective.get().and_then(|e| e.previous)
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
    /// What changes for the merchant on this path, in the order "What changes for me"
    /// lists it.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// One thing that changes for a merchant on an upgrade path; its words are in the
/// message catalogue (`changes.item.CODE`), filled in from the catalog's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new store ID (the merchant ID) beside the legacy one.
    NewStoreId,
    /// Orders expire 28 days after creation unless captured; extension and restoring.
    OrderExpiry,
    /// Settlement reports renamed, in CSV, JSON and PDF (PDF with summarised fees).
    SettlementReports,
    /// A custom report of the merchant's own columns.
    CustomReport,
    /// Refunds on the legacy store ID are invoiced rather than netted.
    LegacyRefunds,
    /// Payment instructions instead of invoices, without VAT.
    PaymentInstructions,
    /// Orders no longer carry a payment status.
    PaymentStatus,
    /// Apps for orders, settlements and logs.
    Apps,
    /// The global solution and its fees.
    Global,
    /// A new agreement with its price list, not an addendum.
    NewAgreement,
    /// A checkout that replaces the shop's checkout and payment method.
    CheckoutReplaces,
}

impl Change {
    pub fn code(self) -> &'static str {
        match self {
            Change::NewStoreId => "new_store_id",
            Change::OrderExpiry => "order_expiry",
            Change::SettlementReports => "settlement_reports",
            Change::CustomReport => "custom_report",
            Change::LegacyRefunds => "legacy_refunds",
            Change::PaymentInstructions => "payment_instructions",
            Change::PaymentStatus => "payment_status",
            Change::Apps => "apps",
            Change::Global => "global",
            Change::NewAgreement => "new_agreement",
            Change::CheckoutReplaces => "checkout_replaces",
        }
    }
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

/// A catalog file that cannot be used, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalog is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("the catalog is inconsistent: {0}")]
    Inconsistent(String),
}

impl Catalog {
    /// Parses a catalog and checks that it holds together: every path joins a legacy
    /// product to a current one, and every platform can be guided (see `check.rs`).
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog = toml::from_str(text)?;
        check(&catalog)?;
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

    /// What people read for product `code`: its name, or the code of a product the
    /// catalogue no longer has.
    pub fn product_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.product(code).map_or(code, |p| p.name.as_str())
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
mod tests;
