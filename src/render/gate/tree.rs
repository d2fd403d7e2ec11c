//! The tree html5ever builds for the gate: nodes live in one arena that
//! is freed at once when the page is written, linked by plain references
//! (a reference-counted tree spent a fifth of the parse on allocating and
//! freeing nodes one by one). The tree builder decides the shape, exactly
//! as it does for a browser; this only keeps what it says.
//!
//! A takedown reads published pages into the same tree to take elements
//! out of them (`publish::takedown`), with [`Node::parent`] and
//! [`Node::detach`].

use html5ever::interface::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, QualName};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};

pub type Arena<'a> = typed_arena::Arena<Node<'a>>;
pub type Ref<'a> = &'a Node<'a>;
type Link<'a> = Cell<Option<Ref<'a>>>;

/// One node, with links to its neighbours.
pub struct Node<'a> {
    parent: Link<'a>,
    previous: Link<'a>,
    next: Link<'a>,
    first_child: Link<'a>,
    last_child: Link<'a>,
    pub data: Data<'a>,
}

/// What a node is. Comments and processing instructions are kept as
/// nodes (the tree builder needs somewhere to put them) but hold nothing.
pub enum Data<'a> {
    Document,
    Doctype {
        name: StrTendril,
    },
    Text(RefCell<StrTendril>),
    Element {
        name: QualName,
        attrs: RefCell<Vec<Attribute>>,
        /// A `<template>`'s contents, which are not its children.
        template: Option<Ref<'a>>,
        integration_point: bool,
    },
    Ignored,
}

impl<'a> Node<'a> {
    fn new(data: Data<'a>) -> Node<'a> {
        Node {
            parent: Cell::new(None),
            previous: Cell::new(None),
            next: Cell::new(None),
            first_child: Cell::new(None),
            last_child: Cell::new(None),
            data,
        }
    }

    /// The node's children, first to last.
    pub fn children(&'a self) -> impl Iterator<Item = Ref<'a>> + 'a {
        std::iter::successors(self.first_child.get(), |n| n.next.get())
    }

    pub fn first_child(&self) -> Option<Ref<'a>> {
        self.first_child.get()
    }

    /// The node's parent; `None` for the document, or a node taken out.
    pub fn parent(&self) -> Option<Ref<'a>> {
        self.parent.get()
    }

    /// Takes the node (and everything in it) out of the tree.
    pub fn detach(&self) {
        let parent = self.parent.take();
        let previous = self.previous.take();
        let next = self.next.take();
        match next {
            Some(n) => n.previous.set(previous),
            None => {
                if let Some(p) = parent {
                    p.last_child.set(previous);
                }
            }
        }
        match previous {
            Some(p) => p.next.set(next),
            None => {
                if let Some(p) = parent {
                    p.first_child.set(next);
                }
            }
        }
    }

    fn append(&'a self, child: Ref<'a>) {
        child.detach();
        child.parent.set(Some(self));
        match self.last_child.get() {
            Some(last) => {
                last.next.set(Some(child));
                child.previous.set(Some(last));
            }
            None => self.first_child.set(Some(child)),
        }
        self.last_child.set(Some(child));
    }

    fn insert_before(&'a self, sibling: Ref<'a>) {
        sibling.detach();
        sibling.parent.set(self.parent.get());
        sibling.next.set(Some(self));
        match self.previous.get() {
            Some(p) => {
                p.next.set(Some(sibling));
                sibling.previous.set(Some(p));
            }
            None => {
                if let Some(parent) = self.parent.get() {
                    parent.first_child.set(Some(sibling));
                }
            }
        }
        self.previous.set(Some(sibling));
    }
}

/// Receives the tree builder's instructions.
pub struct Sink<'a> {
    arena: &'a Arena<'a>,
    document: Ref<'a>,
}

impl<'a> Sink<'a> {
    pub fn new(arena: &'a Arena<'a>) -> Sink<'a> {
        let document = arena.alloc(Node::new(Data::Document));
        Sink { arena, document }
    }

    fn node(&self, data: Data<'a>) -> Ref<'a> {
        self.arena.alloc(Node::new(data))
    }

    /// Text joins the text node just before where it goes, as the
    /// standard says; anything else becomes a node.
    fn place(
        &self,
        child: NodeOrText<Ref<'a>>,
        before: Option<Ref<'a>>,
        put: impl FnOnce(Ref<'a>),
    ) {
        match child {
            NodeOrText::AppendNode(node) => put(node),
            NodeOrText::AppendText(text) => match before.map(|n| &n.data) {
                Some(Data::Text(existing)) => existing.borrow_mut().push_tendril(&text),
                _ => put(self.node(Data::Text(RefCell::new(text)))),
            },
        }
    }
}

/// What [`TreeSink::elem_name`] gives for a node that is not an element;
/// the tree builder only asks about elements.
static NO_NAME: std::sync::LazyLock<QualName> =
    std::sync::LazyLock::new(|| QualName::new(None, html5ever::ns!(), html5ever::local_name!("")));

impl<'a> TreeSink for Sink<'a> {
    type Handle = Ref<'a>;
    type Output = Ref<'a>;
    type ElemName<'b>
        = &'b QualName
    where
        Self: 'b;

    fn finish(self) -> Ref<'a> {
        self.document
    }

    fn parse_error(&self, _: Cow<'static, str>) {}

    fn get_document(&self) -> Ref<'a> {
        self.document
    }

    fn elem_name<'b>(&'b self, target: &'b Ref<'a>) -> &'b QualName {
        match &target.data {
            Data::Element { name, .. } => name,
            _ => &NO_NAME,
        }
    }

    fn create_element(
        &self,
        name: QualName,
        attrs: Vec<Attribute>,
        flags: ElementFlags,
    ) -> Ref<'a> {
        let template = flags.template.then(|| self.node(Data::Document));
        self.node(Data::Element {
            name,
            attrs: RefCell::new(attrs),
            template,
            integration_point: flags.mathml_annotation_xml_integration_point,
        })
    }

    fn create_comment(&self, _: StrTendril) -> Ref<'a> {
        self.node(Data::Ignored)
    }

    fn create_pi(&self, _: StrTendril, _: StrTendril) -> Ref<'a> {
        self.node(Data::Ignored)
    }

    fn append(&self, parent: &Ref<'a>, child: NodeOrText<Ref<'a>>) {
        let parent = *parent;
        self.place(child, parent.last_child.get(), |n| parent.append(n));
    }

    fn append_based_on_parent_node(
        &self,
        element: &Ref<'a>,
        prev_element: &Ref<'a>,
        child: NodeOrText<Ref<'a>>,
    ) {
        if element.parent.get().is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, name: StrTendril, _: StrTendril, _: StrTendril) {
        self.document.append(self.node(Data::Doctype { name }));
    }

    fn get_template_contents(&self, target: &Ref<'a>) -> Ref<'a> {
        match &target.data {
            Data::Element {
                template: Some(contents),
                ..
            } => contents,
            // Only a <template> is asked about; anything else has none.
            _ => self.node(Data::Document),
        }
    }

    fn same_node(&self, x: &Ref<'a>, y: &Ref<'a>) -> bool {
        std::ptr::eq(*x, *y)
    }

    fn set_quirks_mode(&self, _: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Ref<'a>, child: NodeOrText<Ref<'a>>) {
        let sibling = *sibling;
        self.place(child, sibling.previous.get(), |n| sibling.insert_before(n));
    }

    fn add_attrs_if_missing(&self, target: &Ref<'a>, attrs: Vec<Attribute>) {
        if let Data::Element {
            attrs: existing, ..
        } = &target.data
        {
            let mut existing = existing.borrow_mut();
            for attr in attrs {
                if !existing.iter().any(|e| e.name == attr.name) {
                    existing.push(attr);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Ref<'a>) {
        target.detach();
    }

    fn reparent_children(&self, node: &Ref<'a>, new_parent: &Ref<'a>) {
        let mut child = node.first_child.get();
        while let Some(c) = child {
            child = c.next.get();
            new_parent.append(c);
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, target: &Ref<'a>) -> bool {
        matches!(
            target.data,
            Data::Element {
                integration_point: true,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use html5ever::tendril::TendrilSink;

    fn parse<'a>(arena: &'a Arena<'a>, html: &str) -> Ref<'a> {
        html5ever::parse_document(Sink::new(arena), Default::default()).one(html)
    }

    fn element<'a>(node: Ref<'a>, wanted: &str) -> Option<Ref<'a>> {
        if let Data::Element { name, .. } = &node.data
            && &*name.local == wanted
        {
            return Some(node);
        }
        node.children().find_map(|c| element(c, wanted))
    }

    fn names<'a>(node: Ref<'a>) -> Vec<String> {
        node.children()
            .filter_map(|c| match &c.data {
                Data::Element { name, .. } => Some(name.local.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_node_knows_its_parent() {
        let arena = Arena::new();
        let doc = parse(&arena, "<p>one <img src=a.jpg> two</p>");
        let img = element(doc, "img").expect("an img");
        let p = img.parent().expect("a parent");
        assert!(matches!(&p.data, Data::Element { name, .. } if &*name.local == "p"));
        assert!(doc.parent().is_none());
    }

    #[test]
    fn detach_takes_a_node_out_and_keeps_its_neighbours_linked() {
        let arena = Arena::new();
        let doc = parse(&arena, "<div><p>a</p><figure></figure><p>b</p></div>");
        let div = element(doc, "div").expect("a div");
        let figure = element(doc, "figure").expect("a figure");
        figure.detach();
        assert!(figure.parent().is_none());
        assert_eq!(names(div), ["p", "p"]);
        // The first and the last child too.
        let first = div.first_child().expect("a first child");
        first.detach();
        assert_eq!(names(div), ["p"]);
        let last = div.first_child().expect("a child");
        last.detach();
        assert!(div.first_child().is_none());
        assert_eq!(div.children().count(), 0);
    }
}
