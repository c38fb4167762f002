//! Writes a page's elements as HTML straight from their templates.
//!
//! The pages are plain functions that return elements: no components, hooks or event
//! handlers, so they need nothing a `VirtualDom` is for. dioxus-ssr builds one per page,
//! mounts the whole tree into it, copies it and tears it down again, which was two thirds
//! of rendering a page (33 µs of the terms page against 15 µs here). This walks the same
//! templates and writes exactly what dioxus-ssr writes without hydration; a tree that holds
//! a component is left to dioxus-ssr. Debug builds render every page both ways and compare
//! (`super::render`), so every test that opens a page checks the two agree.
//!
//! What a template writes is mostly the same every time: its tags, static attributes and
//! text. Each template is turned once (per thread) into a [`plan::Plan`]: those runs of
//! HTML, ready to copy, between the places its dynamic parts go.

mod plan;

use std::fmt::Write;

use dioxus::dioxus_core::{Attribute, AttributeValue, DynamicNode, TemplateAttribute, VNode};

use plan::{Part, plan_of};

/// A component was found: only a `VirtualDom` can run it.
#[derive(Debug)]
pub struct NeedsVirtualDom;

/// Writes `node` to `out`, as dioxus-ssr renders a root element.
pub fn write(out: &mut String, node: &VNode) -> Result<(), NeedsVirtualDom> {
    write_vnode(out, node, true)
}

fn write_vnode(out: &mut String, node: &VNode, escaped: bool) -> Result<(), NeedsVirtualDom> {
    let plan = plan_of(node.template.roots);
    for part in &plan.0 {
        match part {
            Part::Html(html) => out.push_str(html),
            Part::RootText(text) => write_text(out, text, escaped),
            Part::Node { id, escape } => {
                write_dynamic(out, node, *id, escape.resolve(escaped))?;
            }
            Part::Start { tag, attrs, void } => {
                write_start(out, &node.dynamic_attrs, tag, attrs, *void);
            }
        }
    }
    Ok(())
}

fn write_dynamic(
    out: &mut String,
    node: &VNode,
    id: usize,
    escaped: bool,
) -> Result<(), NeedsVirtualDom> {
    match node.dynamic_nodes.get(id) {
        Some(DynamicNode::Text(text)) => write_text(out, &text.value, escaped),
        Some(DynamicNode::Fragment(nodes)) => {
            for child in nodes {
                write_vnode(out, child, escaped)?;
            }
        }
        Some(DynamicNode::Placeholder(_)) | None => {}
        Some(DynamicNode::Component(_)) => return Err(NeedsVirtualDom),
    }
    Ok(())
}

/// An element's start tag with its attributes (`/>` for a void one), and what
/// `dangerous_inner_html` puts inside it. `dynamic_attrs` are its template's: none when
/// `attrs` are all static.
fn write_start(
    out: &mut String,
    dynamic_attrs: &[Box<[Attribute]>],
    tag: &str,
    attrs: &[TemplateAttribute],
    void: bool,
) {
    out.push('<');
    out.push_str(tag);
    let mut static_html = None;
    let mut dynamic_html = None;
    let mut static_styles = Vec::new();
    let mut dynamic_styles = Vec::new();
    for attr in attrs {
        match attr {
            TemplateAttribute::Static {
                name,
                value,
                namespace,
            } => {
                if *name == "dangerous_inner_html" {
                    static_html = Some(*value);
                } else if *namespace == Some("style") {
                    static_styles.push((*name, *value));
                } else if !is_bool_attribute(name) || str_truthy(value) {
                    push_attribute(out, name, value);
                }
            }
            TemplateAttribute::Dynamic { id } => {
                for attr in dynamic_attrs.get(*id).into_iter().flat_map(|a| a.iter()) {
                    if attr.name == "dangerous_inner_html" {
                        dynamic_html = text_of(&attr.value);
                    } else if attr.namespace == Some("style") {
                        dynamic_styles.push(attr);
                    } else if !is_bool_attribute(attr.name) || truthy(&attr.value) {
                        write_attribute(out, attr);
                    }
                }
            }
        }
    }
    if !static_styles.is_empty() || !dynamic_styles.is_empty() {
        out.push_str(" style=\"");
        for (name, value) in static_styles {
            out.push_str(name);
            out.push(':');
            push_escaped(out, value);
            out.push(';');
        }
        for attr in dynamic_styles {
            out.push_str(attr.name);
            out.push(':');
            write_value(out, &attr.value);
            out.push(';');
        }
        out.push('"');
    }
    if void {
        out.push_str("/>");
        return;
    }
    out.push('>');
    match (static_html, dynamic_html) {
        (Some(html), _) => out.push_str(html),
        (None, Some(html)) => out.push_str(&html),
        (None, None) => {}
    }
}

fn write_text(out: &mut String, text: &str, escaped: bool) {
    if escaped {
        push_escaped(out, text);
    } else {
        out.push_str(text);
    }
}

fn write_attribute(out: &mut String, attr: &Attribute) {
    match &attr.value {
        AttributeValue::Text(value) => push_attribute(out, attr.name, value),
        // Numbers and booleans unquoted, as dioxus-ssr writes them.
        AttributeValue::Bool(_) | AttributeValue::Int(_) | AttributeValue::Float(_) => {
            out.push(' ');
            out.push_str(attr.name);
            out.push('=');
            write_value(out, &attr.value);
        }
        _ => {}
    }
}

fn write_value(out: &mut String, value: &AttributeValue) {
    let _ = match value {
        AttributeValue::Text(value) => {
            push_escaped(out, value);
            Ok(())
        }
        AttributeValue::Bool(value) => write!(out, "{value}"),
        AttributeValue::Int(value) => write!(out, "{value}"),
        AttributeValue::Float(value) => write!(out, "{value}"),
        _ => Ok(()),
    };
}

/// The raw HTML of a `dangerous_inner_html` value.
fn text_of(value: &AttributeValue) -> Option<String> {
    match value {
        AttributeValue::Text(v) => Some(v.clone()),
        AttributeValue::Bool(v) => Some(v.to_string()),
        AttributeValue::Float(v) => Some(v.to_string()),
        AttributeValue::Int(v) => Some(v.to_string()),
        _ => None,
    }
}

/// Writes `text` escaped for HTML as dioxus-ssr escapes it (askama's decimal references).
fn push_escaped(out: &mut String, text: &str) {
    // Scanned as bytes: the five are ASCII, so no byte of a longer character matches
    // one, and every cut falls between characters. (A search for chars decodes each.)
    let mut written = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'<' => "&#60;",
            b'>' => "&#62;",
            b'&' => "&#38;",
            b'"' => "&#34;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[written..at]);
        out.push_str(entity);
        written = at + 1;
    }
    out.push_str(&text[written..]);
}

/// ` name="value"`, the value escaped.
fn push_attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

/// Attributes written only when true, as dioxus-ssr lists them.
fn is_bool_attribute(name: &str) -> bool {
    matches!(
        name,
        "allowfullscreen"
            | "allowpaymentrequest"
            | "async"
            | "autofocus"
            | "autoplay"
            | "checked"
            | "controls"
            | "default"
            | "defer"
            | "disabled"
            | "formnovalidate"
            | "hidden"
            | "inert"
            | "ismap"
            | "itemscope"
            | "loop"
            | "multiple"
            | "muted"
            | "nomodule"
            | "novalidate"
            | "open"
            | "playsinline"
            | "readonly"
            | "required"
            | "reversed"
            | "selected"
            | "truespeed"
            | "webkitdirectory"
    )
}

fn str_truthy(value: &str) -> bool {
    !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false")
}

fn truthy(value: &AttributeValue) -> bool {
    match value {
        AttributeValue::Text(value) => str_truthy(value),
        AttributeValue::Bool(value) => *value,
        AttributeValue::Int(value) => *value != 0,
        AttributeValue::Float(value) => *value != 0.0,
        _ => false,
    }
}

/// Elements without content, written `<br/>`.
fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

#[cfg(test)]
mod tests;
