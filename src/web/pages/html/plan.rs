//! A template turned once into what it writes: the runs of HTML that are the same on
//! every use, between the places its dynamic parts go. Kept per thread. The runs are
//! written by the writer's own functions, so a plan's HTML is the writer's exactly.

use std::{cell::RefCell, rc::Rc};

use dioxus::dioxus_core::{TemplateAttribute, TemplateNode};

use super::{is_void, write_start, write_text};

/// How text in a template is written (dioxus-ssr's `EscapeText`).
#[derive(Clone, Copy)]
pub(super) enum Escape {
    Always,
    Never,
    /// A template's root text: as its parent's text is.
    AsParent,
}

impl Escape {
    pub(super) fn resolve(self, parent_escaped: bool) -> bool {
        match self {
            Escape::Always => true,
            Escape::Never => false,
            Escape::AsParent => parent_escaped,
        }
    }
}

/// A template as what it writes: runs of HTML that are the same on every use, and the
/// places where what differs goes.
pub(super) struct Plan(pub(super) Vec<Part>);

pub(super) enum Part {
    /// Tags, static attributes and text, escaped.
    Html(String),
    /// Text at a template's root, escaped as its parent's text is.
    RootText(&'static str),
    /// A dynamic node: text, a fragment of other templates, nothing, or a component.
    Node { id: usize, escape: Escape },
    /// The start tag of an element with dynamic attributes (and what `dangerous_inner_html`
    /// puts inside it).
    Start {
        tag: &'static str,
        attrs: &'static [TemplateAttribute],
        void: bool,
    },
}

/// Plans kept per thread: a page has a few dozen templates, the app a few hundred. A
/// template built while running (hot reload) is new each time, so past this many a plan
/// is made and used but not kept.
const MAX_PLANS: usize = 4_096;

thread_local! {
    /// By the address and length of a template's roots, which are `'static`: the same
    /// address always holds the same template.
    static PLANS: RefCell<foldhash::HashMap<(usize, usize), Rc<Plan>>> = RefCell::default();
}

pub(super) fn plan_of(roots: &'static [TemplateNode]) -> Rc<Plan> {
    let key = (roots.as_ptr() as usize, roots.len());
    PLANS.with_borrow_mut(|plans| {
        if let Some(plan) = plans.get(&key) {
            return plan.clone();
        }
        let plan = Rc::new(Plan::of(roots));
        if plans.len() < MAX_PLANS {
            plans.insert(key, plan.clone());
        }
        plan
    })
}

impl Plan {
    fn of(roots: &'static [TemplateNode]) -> Self {
        let mut planner = Planner {
            parts: Vec::new(),
            html: String::new(),
        };
        for root in roots {
            planner.node(root, Escape::AsParent);
        }
        planner.end_html();
        Plan(planner.parts)
    }
}

struct Planner {
    parts: Vec<Part>,
    /// The run of HTML being gathered.
    html: String,
}

impl Planner {
    fn end_html(&mut self) {
        if !self.html.is_empty() {
            self.parts.push(Part::Html(std::mem::take(&mut self.html)));
        }
    }

    fn push(&mut self, part: Part) {
        self.end_html();
        self.parts.push(part);
    }

    fn node(&mut self, t: &'static TemplateNode, escape: Escape) {
        match t {
            TemplateNode::Element {
                tag,
                attrs,
                children,
                ..
            } => {
                let void = children.is_empty() && is_void(tag);
                let is_static = attrs
                    .iter()
                    .all(|a| matches!(a, TemplateAttribute::Static { .. }));
                if is_static {
                    write_start(&mut self.html, &[], tag, attrs, void);
                } else {
                    self.push(Part::Start { tag, attrs, void });
                }
                if void {
                    return;
                }
                // Code in a script or style element is written as it is.
                let escape = match *tag {
                    "style" | "script" => Escape::Never,
                    _ => Escape::Always,
                };
                for child in children.iter() {
                    self.node(child, escape);
                }
                self.html.push_str("</");
                self.html.push_str(tag);
                self.html.push('>');
            }
            TemplateNode::Text { text } => match escape {
                Escape::AsParent => self.push(Part::RootText(text)),
                _ => write_text(&mut self.html, text, escape.resolve(true)),
            },
            TemplateNode::Dynamic { id } => self.push(Part::Node { id: *id, escape }),
        }
    }
}
