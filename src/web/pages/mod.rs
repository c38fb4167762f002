//! Dioxus components rendered to HTML on the server. Handlers fetch the data, then
//! call a page function synchronously; nothing here touches the database.

pub mod audit;
pub mod auth;
pub mod brownouts;
pub mod calendar;
pub mod casework;
pub mod changes;
pub mod charts;
mod cohort_list;
pub mod console;
pub mod cutover;
pub mod error;
pub mod extensions;
mod html;
pub mod layout;
pub mod legacy;
pub mod locale;
pub mod members;
pub mod partner;
pub mod partner_daily;
pub mod partner_keys;
pub mod readiness;
pub mod rehearsals;
pub mod requests;
pub mod staff;
pub mod steps;
pub mod stores;
pub mod sunset;
pub mod sunsets;
pub mod support;
pub mod traffic;
pub mod webhook_log;

use std::{cell::RefCell, fmt::Write};

use axum::response::Html;
use dioxus::prelude::*;

thread_local! {
    /// One dioxus-ssr renderer per worker thread: it keeps each template's static HTML,
    /// which a fresh renderer would rebuild for every page.
    static RENDERER: RefCell<dioxus_ssr::Renderer> = RefCell::new(dioxus_ssr::Renderer::new());
}

/// Renders a page to a complete HTML document.
pub fn render(page: layout::Page) -> Html<String> {
    // Room for a whole page, so it is written without growing the buffer.
    let mut doc = String::with_capacity(16 * 1024);
    let _ = write!(
        doc,
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/assets/app.css\">\
         <script src=\"/assets/app.js\" defer></script></head><body>",
        lang = page.lang,
        title = escape(&page.title),
    );
    let head = doc.len();
    let written = match &page.body {
        Ok(node) => html::write(&mut doc, node).is_ok(),
        Err(_) => false,
    };
    if written {
        // Every page a test opens is checked against dioxus-ssr's own rendering.
        #[cfg(debug_assertions)]
        {
            let expected = render_with_virtual_dom(page.body);
            assert_eq!(
                doc[head..],
                expected,
                "pages::html writes what dioxus-ssr does"
            );
        }
    } else {
        doc.truncate(head);
        doc.push_str(&render_with_virtual_dom(page.body));
    }
    doc.push_str("</body></html>");
    Html(doc)
}

/// dioxus-ssr's rendering, through a `VirtualDom`: for trees with components.
fn render_with_virtual_dom(body: Element) -> String {
    RENDERER.with_borrow_mut(|renderer| {
        renderer.reset_hydration();
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = renderer.render_element_to(&mut out, body);
        out
    })
}

/// Escapes text for HTML outside of Dioxus (which escapes what it renders).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> Element {
    rsx! { input { r#type: "hidden", name: "csrf", value: "{token}" } }
}

/// A moment as the request's language writes it, in the reader's time zone
/// ("23 Nov 2026 15:05 CET").
pub fn format_time(unix: i64) -> String {
    let zone = crate::i18n::zone::request_zone();
    crate::i18n::format::datetime_in(crate::i18n::request_lang(), unix, &zone)
}

/// A moment in the reader's time zone, with UTC on hover and for machines:
/// `<time datetime="2026-11-23T14:05:00Z" title="23 Nov 2026 14:05 UTC">`.
pub fn time_tag(unix: i64) -> Element {
    let iso = crate::i18n::format::iso_utc(unix);
    let utc = crate::i18n::format::datetime(crate::i18n::request_lang(), unix);
    rsx! { time { datetime: "{iso}", title: "{utc}", {format_time(unix)} } }
}

/// What a sentence's time argument is filled with, for [`timed`] to put the moment in.
pub const TIME_SLOT: &str = "\u{2063}time\u{2063}";

/// A sentence whose time argument was [`TIME_SLOT`], with the moment in it as a
/// [`time_tag`]: a time inside a sentence has UTC on hover too.
pub fn timed(sentence: &str, unix: i64) -> Element {
    match sentence.split_once(TIME_SLOT) {
        Some((before, after)) => rsx! { "{before}" {time_tag(unix)} "{after}" },
        None => rsx! { "{sentence}" },
    }
}

/// A day as the request's language writes it.
pub fn format_date(d: time::Date) -> String {
    crate::i18n::format::date(crate::i18n::request_lang(), d)
}

/// A day written `2026-11-23` (as reports and files have it) as [`format_date`] writes
/// it; anything else as it is.
pub fn format_day(text: &str) -> String {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &iso).map_or_else(|_| text.to_owned(), format_date)
}

/// The error summary at the top of a refused form: a heading, then each problem as a
/// link to its field, announced at once (WCAG 3.3.1). Empty when nothing is wrong.
pub fn error_summary(tr: &crate::i18n::Tr, problems: &[(&str, String)]) -> Element {
    if problems.is_empty() {
        return rsx! {};
    }
    rsx! {
        div { class: "error-summary", role: "alert", "aria-labelledby": "error-summary-title", tabindex: "-1", id: "error-summary",
            h2 { id: "error-summary-title", {tr.t("layout.error_summary")} }
            ul {
                for (field, message) in problems.iter() {
                    li { a { href: "#{field}", "{message}" } }
                }
            }
        }
    }
}

/// A value a person copies (an ID, a username): selectable text, and a copy button that
/// app.js reveals and wires; without JavaScript the button stays hidden and the text can
/// be selected as ever. `what` names the value for screen readers ("Copy merchant ID").
pub fn copyable(tr: &crate::i18n::Tr, id: &str, value: &str, what: &str) -> Element {
    rsx! {
        span { class: "copyable",
            code { id: "{id}", "{value}" }
            {copy_button(tr, id, what)}
        }
    }
}

/// A command to copy: a preformatted block and its copy button.
pub fn copyable_block(tr: &crate::i18n::Tr, id: &str, value: &str, what: &str) -> Element {
    rsx! {
        div { class: "copyable block",
            pre { code { id: "{id}", "{value}" } }
            {copy_button(tr, id, what)}
        }
    }
}

fn copy_button(tr: &crate::i18n::Tr, id: &str, what: &str) -> Element {
    rsx! {
        button { class: "button small copy", r#type: "button", hidden: true, "data-copy": "{id}",
            "aria-label": tr.f("copy.label", &[("what", what)]), {tr.t("copy.button")} }
    }
}

#[cfg(test)]
mod tests {
    use super::format_day;

    #[test]
    fn a_day_from_a_file_is_written_like_every_other_date() {
        assert_eq!(format_day("2026-11-23"), "23 Nov 2026");
        assert_eq!(format_day("23/11"), "23/11");
    }
}
