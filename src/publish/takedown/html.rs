//! Taking photos out of a published page: the page is parsed with
//! html5ever, as a browser parses it, every element that shows or links
//! a file being taken down is taken out of the tree (with the figure,
//! picture or player around it, and a paragraph or link left holding
//! nothing), and the tree is written again. Every address is read by the
//! gate's one resolver, so `/media/a.jpg`, `a.jpg` and
//! `https://school/media/%61.jpg` are the same file here as in a browser.
//!
//! Nothing here decides what may be published: the page written is then
//! passed through the gate again, and compared with the page it came
//! from ([`derived_by_removal`]).

use crate::render::gate::tree::{Arena, Data, Ref, Sink};
use crate::render::gate::{Published, Target, Use, css, escape_attribute, escape_text};
use html5ever::tendril::TendrilSink;
use html5ever::{QualName, ns};
use std::collections::{BTreeSet, HashSet};
use url::Url;

/// Elements that are there to show or link a file: taken out whole when
/// the file goes.
const SHOWS: &[&str] = &[
    "img", "source", "track", "picture", "video", "audio", "a", "area", "iframe", "object",
    "embed", "input", "link", "meta", "style", "script", "image", "use", "feimage",
];

/// Elements that hold a photo or clip with what belongs to it (a
/// caption, fallback text): taken out with it.
const HOLDS: &[&str] = &["picture", "video", "audio", "figure", "object"];

/// Elements left out too when what was taken out was all they held.
const WRAPS: &[&str] = &[
    "p", "a", "span", "em", "strong", "b", "i", "small", "li", "div", "picture", "figure", "video",
    "audio", "dd", "dt",
];

/// Where a search for a holder stops: the page's structure.
const STRUCTURE: &[&str] = &[
    "html", "head", "body", "main", "article", "section", "header", "footer", "nav", "aside",
    "table", "ul", "ol", "dl", "form",
];

/// A published page, read.
pub(super) struct Page<'p> {
    published: &'p Published,
    url: Url,
}

/// What was taken out of a page.
#[derive(Debug, Default)]
pub(super) struct Removal {
    /// The page written again.
    pub html: String,
    /// How many elements were taken out, and attributes dropped.
    pub elements: usize,
    pub attributes: usize,
    /// Files the elements taken out referred to (a clip's captions, a
    /// poster): they go too if nothing else refers to them.
    pub referred: BTreeSet<String>,
}

impl<'p> Page<'p> {
    /// `path` is the page's site path (`/news/relay/`), resolved against
    /// `published` (what the copy being taken down from publishes).
    pub fn new(published: &'p Published, path: &str) -> Page<'p> {
        Page {
            published,
            url: published.page_url(path),
        }
    }

    /// Every published file the page at `html` refers to.
    pub fn references(&self, html: &str) -> BTreeSet<String> {
        let arena = Arena::new();
        let document = parse(&arena, html);
        let mut out = BTreeSet::new();
        self.files_in(document, &mut out);
        out
    }

    /// The page without anything that shows or links one of `gone`
    /// (site paths); `None` when it refers to none of them.
    pub fn remove(&self, html: &str, gone: &HashSet<String>) -> Option<Removal> {
        let arena = Arena::new();
        let document = parse(&arena, html);
        let mut removal = Removal::default();
        // One at a time: what is taken out decides whether a paragraph
        // is left empty for the next.
        while let Some((node, attrs)) = self.first_hit(document, gone) {
            if self.takes_whole(node, &attrs) {
                let target = self.widen(node);
                self.files_in(target, &mut removal.referred);
                target.detach();
                removal.elements += 1;
            } else if let Data::Element { attrs: all, .. } = &node.data {
                let mut all = all.borrow_mut();
                let before = all.len();
                all.retain(|a| !attrs.contains(&attribute_name(&a.name)));
                removal.attributes += before - all.len();
                if all.len() == before {
                    // Nothing could be dropped: fail closed, whole.
                    drop(all);
                    node.detach();
                    removal.elements += 1;
                }
            }
        }
        if removal.elements == 0 && removal.attributes == 0 {
            return None;
        }
        removal.html = write(document);
        for g in gone {
            removal.referred.remove(g);
        }
        Some(removal)
    }

    /// The first element (in document order) referring to a file in
    /// `gone`, with the attributes that do (`<style>`'s text counts as
    /// an attribute named "").
    fn first_hit<'a>(
        &self,
        node: Ref<'a>,
        gone: &HashSet<String>,
    ) -> Option<(Ref<'a>, Vec<String>)> {
        if let Data::Element { .. } = &node.data {
            let hits: Vec<String> = self
                .addresses(node)
                .into_iter()
                .filter(|(_, raw)| self.file(raw).is_some_and(|f| gone.contains(&f)))
                .map(|(name, _)| name)
                .collect();
            if !hits.is_empty() {
                return Some((node, hits));
            }
        }
        node.children().find_map(|c| self.first_hit(c, gone))
    }

    /// Whether `node` goes whole, rather than losing `attrs`.
    fn takes_whole(&self, node: Ref, attrs: &[String]) -> bool {
        let local = local_name(node).unwrap_or_default();
        SHOWS.contains(&local.as_str()) || attrs.iter().any(|a| a.is_empty())
    }

    /// What to take out for `node`: the picture, player or figure it is
    /// in, then any wrapper it leaves holding nothing.
    fn widen<'a>(&self, node: Ref<'a>) -> Ref<'a> {
        let mut target = node;
        let mut up = node.parent();
        while let Some(a) = up {
            let Some(local) = local_name(a) else { break };
            if STRUCTURE.contains(&local.as_str()) {
                break;
            }
            if HOLDS.contains(&local.as_str()) {
                target = a;
            }
            up = a.parent();
        }
        while let Some(parent) = target.parent() {
            let Some(local) = local_name(parent) else {
                break;
            };
            let alone = parent
                .children()
                .all(|c| std::ptr::eq(c, target) || is_blank(c));
            if !WRAPS.contains(&local.as_str()) || !alone {
                break;
            }
            target = parent;
        }
        target
    }

    /// Every address an element holds, by attribute name: each
    /// attribute's value as a whole, each `srcset` candidate, each CSS
    /// `url()`, and a `<style>`'s text (named "").
    fn addresses(&self, node: Ref) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Data::Element { name, attrs, .. } = &node.data else {
            return out;
        };
        for attr in attrs.borrow().iter() {
            let n = attribute_name(&attr.name);
            let value: &str = &attr.value;
            out.push((n.clone(), value.to_string()));
            if n.ends_with("srcset") {
                for u in crate::render::gate::resolve::srcset_urls(value) {
                    out.push((n.clone(), u.to_string()));
                }
            }
            if value.contains('(') {
                for u in css::read(value).urls {
                    out.push((n.clone(), u.0));
                }
            }
        }
        if &*name.local == "style" {
            let mut text = String::new();
            for c in node.children() {
                if let Data::Text(t) = &c.data {
                    text.push_str(&t.borrow());
                }
            }
            for u in css::read(&text).urls {
                out.push((String::new(), u.0));
            }
        }
        out
    }

    /// The published file `raw` leads to, if it is one.
    fn file(&self, raw: &str) -> Option<String> {
        match self.published.resolve(raw, &self.url, Use::Navigate) {
            Ok(Target::File(path)) => Some(path),
            _ => None,
        }
    }

    fn files_in(&self, node: Ref, out: &mut BTreeSet<String>) {
        for (_, raw) in self.addresses(node) {
            if let Some(f) = self.file(&raw) {
                out.insert(f);
            }
        }
        for c in node.children() {
            self.files_in(c, out);
        }
    }
}

/// Whether `new` can be `old` with parts taken out: read as a browser
/// reads them, every tag and character of `new` appears in `old` in the
/// same order, and every element keeps only attributes it had there.
pub(super) fn derived_by_removal(old: &str, new: &str) -> bool {
    let (a, b) = (Arena::new(), Arena::new());
    let old = events(parse(&a, old));
    let new = events(parse(&b, new));
    let mut at = old.iter();
    new.iter().all(|n| at.any(|o| n.within(o)))
}

/// A page read as a flat sequence, for [`derived_by_removal`].
#[derive(Debug, PartialEq, Eq)]
enum Event {
    Doctype(String),
    Start(String, Vec<(String, String)>),
    End(String),
    Char(char),
}

impl Event {
    /// `self` (from the new page) could come from `old` by removal.
    fn within(&self, old: &Event) -> bool {
        match (self, old) {
            (Event::Start(n, attrs), Event::Start(o, old_attrs)) => {
                n == o && attrs.iter().all(|a| old_attrs.contains(a))
            }
            _ => self == old,
        }
    }
}

fn events(document: Ref) -> Vec<Event> {
    fn walk(node: Ref, out: &mut Vec<Event>) {
        match &node.data {
            Data::Document => node.children().for_each(|c| walk(c, out)),
            Data::Doctype { name } => out.push(Event::Doctype(name.to_string())),
            Data::Text(t) => out.extend(t.borrow().chars().map(Event::Char)),
            Data::Element { name, attrs, .. } => {
                let n = format!("{:?}:{}", name.ns, name.local);
                let a = attrs
                    .borrow()
                    .iter()
                    .map(|a| (attribute_name(&a.name), a.value.to_string()))
                    .collect();
                out.push(Event::Start(n.clone(), a));
                node.children().for_each(|c| walk(c, out));
                out.push(Event::End(n));
            }
            Data::Ignored => {}
        }
    }
    let mut out = Vec::new();
    walk(document, &mut out);
    out
}

fn parse<'a>(arena: &'a Arena<'a>, html: &str) -> Ref<'a> {
    let options = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            // As the gate reads pages.
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    html5ever::parse_document(Sink::new(arena), options).one(html)
}

fn local_name(node: Ref) -> Option<String> {
    match &node.data {
        Data::Element { name, .. } => Some(name.local.to_string()),
        _ => None,
    }
}

/// Whitespace, or nothing a reader sees.
fn is_blank(node: Ref) -> bool {
    match &node.data {
        Data::Text(t) => t.borrow().trim().is_empty(),
        Data::Ignored => true,
        _ => false,
    }
}

/// `xlink:href` and the like keep their prefix; others are their name.
fn attribute_name(name: &QualName) -> String {
    match &name.prefix {
        Some(p) => format!("{p}:{}", name.local),
        None if name.ns == ns!(xlink) => format!("xlink:{}", name.local),
        None => name.local.to_string(),
    }
}

/// Writes the tree as the gate writes a page (which then reads it again).
fn write(document: Ref) -> String {
    let mut out = String::new();
    write_node(document, &mut out);
    out
}

fn write_node(node: Ref, out: &mut String) {
    match &node.data {
        Data::Document => node.children().for_each(|c| write_node(c, out)),
        Data::Doctype { name } => {
            if name.eq_ignore_ascii_case("html") {
                out.push_str("<!DOCTYPE html>");
            }
        }
        Data::Text(t) => escape_text(&t.borrow(), out),
        Data::Element { name, attrs, .. } => {
            let local: &str = &name.local;
            let html = name.ns == ns!(html);
            out.push('<');
            out.push_str(local);
            for a in attrs.borrow().iter() {
                out.push(' ');
                out.push_str(&attribute_name(&a.name));
                if !a.value.is_empty() {
                    out.push_str("=\"");
                    escape_attribute(&a.value, out);
                    out.push('"');
                }
            }
            out.push('>');
            if html && is_void(local) {
                return;
            }
            if html && matches!(local, "pre" | "textarea") {
                let newline = node.first_child().is_some_and(|c| match &c.data {
                    Data::Text(t) => t.borrow().starts_with('\n'),
                    _ => false,
                });
                if newline {
                    out.push('\n');
                }
            }
            if html && matches!(local, "style" | "script") {
                for c in node.children() {
                    if let Data::Text(t) = &c.data {
                        out.push_str(&t.borrow());
                    }
                }
            } else {
                node.children().for_each(|c| write_node(c, out));
            }
            out.push_str("</");
            out.push_str(local);
            out.push('>');
        }
        Data::Ignored => {}
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "col" | "hr" | "img" | "input" | "link" | "meta" | "source" | "track" | "wbr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published() -> Published {
        Published::new(
            "https://www.example.sch.uk",
            [
                "/media/a1.jpg",
                "/media/a2.jpg",
                "/media/b1.jpg",
                "/media/v.mp4",
                "/media/v.vtt",
                "/style.css",
            ]
            .map(String::from),
            ["/".to_string(), "/news/".to_string()],
        )
    }

    fn gone(files: &[&str]) -> HashSet<String> {
        files.iter().map(|f| f.to_string()).collect()
    }

    const PAGE: &str = concat!(
        "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"/style.css\"></head><body><main>",
        "<p>Before.</p>",
        "<p><img src=\"/media/a2.jpg\" srcset=\"/media/a1.jpg 480w, /media/a2.jpg 960w\" alt=\"Relay\"></p>",
        "<p>Between, <a href=\"/media/a2.jpg\">the big photo</a> and more.</p>",
        "<figure><img src=\"../media/b1.jpg\" alt=\"Sunflower\"><figcaption>Tall</figcaption></figure>",
        "<p><video controls><source src=\"/media/v.mp4\"><track kind=\"captions\" src=\"/media/v.vtt\"><a href=\"/media/v.mp4\">Film</a></video></p>",
        "<div style=\"background-image: url('/media/%61%31.jpg')\"><p>Kept text</p></div>",
        "</main></body></html>"
    );

    #[test]
    fn takes_out_every_way_a_photo_is_shown_or_linked() {
        let p = published();
        let page = Page::new(&p, "/news/");
        let r = page
            .remove(PAGE, &gone(&["/media/a1.jpg", "/media/a2.jpg"]))
            .unwrap();
        assert!(
            !r.html.contains("a1.jpg") && !r.html.contains("a2.jpg"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("%61"), "{}", r.html);
        // The paragraph that held only the photo goes; the one with
        // other words keeps them, without the link.
        assert!(
            r.html.contains("<p>Before.</p><p>Between,  and more.</p>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<div><p>Kept text</p></div>"), "{}", r.html);
        assert!(r.html.contains("Sunflower") && r.html.contains("v.mp4"));
        assert!(derived_by_removal(PAGE, &r.html));
        assert!(!page.references(&r.html).contains("/media/a1.jpg"));
    }

    #[test]
    fn a_figure_and_a_player_go_whole_and_what_they_referred_to_is_named() {
        let p = published();
        let page = Page::new(&p, "/news/");
        let r = page
            .remove(PAGE, &gone(&["/media/b1.jpg", "/media/v.mp4"]))
            .unwrap();
        assert!(
            !r.html.contains("figure") && !r.html.contains("Tall"),
            "{}",
            r.html
        );
        assert!(
            !r.html.contains("video") && !r.html.contains("Film"),
            "{}",
            r.html
        );
        assert_eq!(r.referred, gone(&["/media/v.vtt"]).into_iter().collect());
        assert!(derived_by_removal(PAGE, &r.html));
        assert!(page.remove(PAGE, &gone(&["/media/none.jpg"])).is_none());
    }

    #[test]
    fn anything_added_is_not_derived_by_removal() {
        assert!(!derived_by_removal(
            PAGE,
            &PAGE.replace("Before.", "Before!")
        ));
        assert!(!derived_by_removal(
            PAGE,
            &PAGE.replace("<p>Before.</p>", "<p>Before.</p><img src=\"/media/x.jpg\">")
        ));
        assert!(!derived_by_removal(
            PAGE,
            &PAGE.replace("alt=\"Relay\"", "alt=\"Relay\" title=\"x\"")
        ));
        assert!(derived_by_removal(
            PAGE,
            &PAGE.replace("<p>Before.</p>", "")
        ));
    }
}
