//! These tests run in every build profile, unlike the comparison in `pages::render`
//! (debug builds only): `rsx!` builds its templates by another path in release builds (no
//! hot-reload bookkeeping, static text and attributes in the template itself), and the
//! release build is the one that ships. CI runs them again with `--release`.

use dioxus::prelude::*;

use crate::{
    domain::{Step, access::StaffRole},
    i18n::{Lang, Tr},
    web::pages::{
        auth, console,
        layout::{self, BannerInfo, Ctx},
        partner,
    },
};

#[track_caller]
fn same_as_dioxus_ssr(element: Element) {
    let expected = dioxus_ssr::render_element(element.clone());
    // Twice: the second time from the templates' plans made the first.
    for _ in 0..2 {
        let mut written = String::new();
        super::write(&mut written, element.as_ref().expect("an element")).expect("no components");
        assert_eq!(written, expected);
    }
}

#[test]
fn writes_what_dioxus_ssr_writes() {
    let text = "<b>\"Tom\" &é 'Jerry'</b> – åäö&";
    let items = ["one", "t<wo"];
    let (on, off) = (true, false);
    same_as_dioxus_ssr(rsx! {
        "root {text}"
        div { class: "card", id: "{text}", "data-n": 3, title: "static & \"quoted\"",
            input { r#type: "checkbox", checked: on, disabled: off, readonly: "false", required: "0", multiple: "yes" }
            input { r#type: "text", value: "{text}", autofocus: true }
            br {}
            p { "static <text> & 'more'" }
            p { "{text}" }
            ul { for item in items.iter() { li { class: if *item == "one" { "first" } else { "other" }, "{item}" } } }
            if off { span { "hidden" } }
            if on { span { "shown" } } else { em { "not shown" } }
            script { "if (a < b && c > d) {{ x = '{text}'; }}" }
            style { "a > b {{ color: red; }}" }
            div { dangerous_inner_html: "<i>static raw</i>" }
            figure { dangerous_inner_html: "{text}" }
            div { color: "red", "a static style" }
            div { color: "{text}", width: "10px", "a dynamic style" }
            a { download: true, href: "/x?a=1&b=2", "aria-current": if on { "true" } else { "false" }, "link" }
            {nested(text)}
            {rsx! {}}
        }
    });
}

/// Real pages, signed out and signed in with every role, in every language: the
/// frame (menus, language switcher, step banner) and forms with their fields.
#[test]
fn writes_real_pages_as_dioxus_ssr_does() {
    let roles = [
        None,
        Some(StaffRole::PartnerManager),
        Some(StaffRole::Support),
        Some(StaffRole::Operator),
    ];
    for lang in Lang::ALL {
        let tr = Tr::new(lang);
        let visitor = Ctx {
            tr,
            user: None,
            role: None,
            csrf: Some("c5rf".into()),
        };
        let mut pages = vec![
            auth::sign_in(&visitor, "", None),
            auth::sign_in(&visitor, "a@b.example\"<x>", Some("wrong & \"bad\"")),
            auth::check_email(&visitor, "a@b.example"),
            auth::link_invalid(&visitor),
            auth::rate_limited(&visitor, "14:05", 3),
            console::admin_change_invalid(&visitor),
        ];
        for role in roles {
            let ctx = Ctx {
                user: Some("someone@shop.example".into()),
                role,
                ..visitor.clone()
            };
            pages.push(auth::account(&ctx, role, Some("Europe/Oslo")));
            pages.push(partner::nudged(
                &ctx,
                "3 stores <nudged>",
                "/partner?step=terms&q=a",
            ));
            let soon = crate::domain::sunset::Phase::Countdown {
                point: 7,
                days_left: 5,
            };
            let sunsets = [
                Some((time::macros::date!(2027 - 03 - 10), soon)),
                None,
                Some((
                    time::macros::date!(2026 - 03 - 10),
                    crate::domain::sunset::Phase::Closed,
                )),
            ];
            for (step, sunset) in [Step::Terms, Step::TestPurchase, Step::Complete]
                .into_iter()
                .zip(sunsets)
            {
                let banner = BannerInfo {
                    legacy_store_id: "4711".into(),
                    step,
                    sunset,
                    sunset_moved_from: sunset.map(|(d, _)| d - time::Duration::days(30)),
                    brownout: None,
                };
                pages.push(layout::page(
                    &ctx,
                    "A store & its <title>",
                    Some(&banner),
                    rsx! { p { "body" } },
                ));
            }
        }
        for page in pages {
            same_as_dioxus_ssr(page.body);
        }
    }
}

fn nested(text: &str) -> Element {
    rsx! {
        "nested root text {text}"
        section { "aria-label": "{text}", {text} }
    }
}

#[test]
fn a_component_is_left_to_the_virtual_dom() {
    #[component]
    fn Greeting() -> Element {
        rsx! { p { "hello" } }
    }
    let element = rsx! { div { Greeting {} } };
    let mut written = String::new();
    assert!(super::write(&mut written, element.as_ref().expect("an element")).is_err());
}
