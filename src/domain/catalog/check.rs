//! What makes a catalog usable beyond its TOML shape.

use super::{Agreement, Catalog, CatalogError, FIELD_VALUES, Integration};

/// Paths: each joins a legacy product to a current one, has a unique id, and has a price
/// list when it is a new agreement. Products: a legacy one has a sunset date, a path and
/// at most 730 days of extension; a current one has neither. Platforms: each field shows
/// a known value, each has the checkout guide a checkout product needs and a checkout
/// path from `/`, and one called `custom` is the fallback. Health markers have text.
pub(super) fn check(catalog: &Catalog) -> Result<(), CatalogError> {
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
            (true, Some(_)) if product.seeded_sunset().is_none() => {
                return bad(format!(
                    "legacy product {}: sunset must be a date such as 2027-06-30",
                    product.code
                ));
            }
            _ => {}
        }
        if product.max_extension_days != 0
            && !(product.legacy && (1..=730).contains(&product.max_extension_days))
        {
            return bad(format!(
                "product {}: max_extension_days must be 1 to 730, on a legacy product",
                product.code
            ));
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
        let checkouts = catalog.products.iter().filter(|p| !p.legacy);
        if let Some(p) = checkouts
            .filter(|p| p.integration == Integration::Checkout)
            .find(|_| platform.checkout.is_none())
        {
            return bad(format!(
                "platform {} has no checkout guide, which {} needs",
                platform.id, p.code
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
    Ok(())
}
