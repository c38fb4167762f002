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
        for p in &catalog.platforms {
            let (_, plugin, _) = catalog.guide(p, "KCOv3", code);
            assert_ne!(
                Some(plugin),
                p.checkout.as_ref().map(|g| g.plugin.as_str()),
                "{code}: checkout guide of {}",
                p.id
            );
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

#[test]
fn a_checkout_product_gets_the_checkout_guide_and_a_payment_method_the_plugin() {
    let catalog = Catalog::parse(DEFAULT_CATALOG).unwrap();
    for p in &catalog.platforms {
        let (kind, plugin, _) = catalog.guide(p, "KP", "en");
        assert_eq!(
            (kind, plugin),
            (Integration::PaymentMethod, p.plugin.as_str())
        );
        let (kind, plugin, install) = catalog.guide(p, "KCOv3", "en");
        assert_eq!(kind, Integration::Checkout, "{}", p.id);
        assert_ne!(plugin, p.plugin, "{}", p.id);
        assert!(install.contains("snippet"), "{}: {install}", p.id);
    }
}

#[test]
fn a_checkout_product_needs_a_checkout_guide_on_every_platform() {
    let start = DEFAULT_CATALOG.find("[platforms.checkout]").unwrap();
    let end = start + DEFAULT_CATALOG[start..].find("\n\n").unwrap();
    let without = format!("{}{}", &DEFAULT_CATALOG[..start], &DEFAULT_CATALOG[end..]);
    let err = Catalog::parse(&without).unwrap_err().to_string();
    assert!(err.contains("no checkout guide"), "{err}");
}
