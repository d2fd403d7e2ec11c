//! The gate every HTML page passes before it can be published: the page
//! is parsed with html5ever (the HTML standard's parser, as browsers
//! parse) and written again from what [`policy`] admits, with every
//! address read by the one [`resolve`]r and every stylesheet by [`css`].
//! What is not admitted is a [`Problem`]; nothing is quietly kept.
//! Comments and processing instructions are not written again.

pub mod css;
pub mod policy;
pub mod resolve;
pub(crate) mod tree;
pub mod xml;

use html5ever::tendril::TendrilSink;
use html5ever::{QualName, local_name, ns};
use policy::{Attribute, Policy, Value};
pub use resolve::{Published, Refused, Target, Use};
use std::collections::HashSet;
use tree::{Data, Ref};
use url::Url;

/// Something the gate did not admit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: &'static str,
    pub message: String,
    pub fix: &'static str,
    /// Text as the author probably wrote it (a tag, an attribute, an
    /// address), most telling first, for finding the line it came from.
    pub near: Vec<String>,
}

/// How deep elements may nest. Browsers cap their trees near here too.
const MAX_DEPTH: usize = 512;

/// The Content Security Policy every page carries: the browser itself
/// then refuses anything from elsewhere, even if a theme's script asks.
pub const CSP: &str = "default-src 'self'; img-src 'self'; media-src 'self'; font-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'self'";

/// What a page may load: everything this build publishes, or only the
/// photos and clips a page's own Markdown shows.
#[derive(Clone, Copy)]
pub enum Loads<'a> {
    Published,
    Only(&'a HashSet<String>),
}

/// The rebuilt HTML and what was not admitted.
#[derive(Debug, Default)]
pub struct Gated {
    pub html: String,
    pub problems: Vec<Problem>,
}

/// Parses a whole page and writes it again from what `policy` admits,
/// adding the Content Security Policy to its `<head>`.
pub fn page(html: &str, policy: &Policy, published: &Published, page: &Url) -> Gated {
    if let Some(refused) = too_deep(html) {
        return refused;
    }
    let arena = tree::Arena::new();
    let document = html5ever::parse_document(tree::Sink::new(&arena), options()).one(html);
    let mut w = Writer::new(policy, published, page, Loads::Published);
    // What is written is about what was read: room for it and the
    // policy, so the page is not held in twice the memory it needs.
    w.out.reserve(html.len() + CSP.len() + 256);
    w.csp = true;
    w.node(document, 0);
    w.finish()
}

/// Parses a piece of a page's body (rendered Markdown) and writes it
/// again from what `policy` admits.
pub fn fragment(
    html: &str,
    policy: &Policy,
    published: &Published,
    page: &Url,
    loads: Loads,
) -> Gated {
    if let Some(refused) = too_deep(html) {
        return refused;
    }
    let context = QualName::new(None, ns!(html), local_name!("body"));
    let arena = tree::Arena::new();
    let document = html5ever::parse_fragment(
        tree::Sink::new(&arena),
        Default::default(),
        context,
        Vec::new(),
        false,
    )
    .one(html);
    let mut w = Writer::new(policy, published, page, loads);
    w.out.reserve(html.len() + 256);
    // The fragment is parsed under a made-up <html> element.
    if let Some(root) = document.first_child() {
        w.children(root, 0);
    }
    w.finish()
}

/// How deep tags may open before a page is refused unparsed: building a
/// tree takes time with the square of its depth, so this is counted
/// first, from the tokens alone.
const MAX_OPEN: usize = 2048;

/// A refusal for HTML whose tags open deeper than [`MAX_OPEN`], found
/// without building its tree. A page with fewer `<` than that cannot be.
fn too_deep(html: &str) -> Option<Gated> {
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
    };
    use std::cell::Cell;
    memchr::memchr_iter(b'<', html.as_bytes()).nth(MAX_OPEN)?;
    #[derive(Default)]
    struct Depth {
        open: Cell<usize>,
        deepest: Cell<usize>,
    }
    impl TokenSink for Depth {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && !tag.self_closing
                && !is_void(&tag.name)
                && !ends_by_itself(&tag.name)
            {
                match tag.kind {
                    TagKind::StartTag => {
                        self.open.set(self.open.get() + 1);
                        self.deepest.set(self.deepest.get().max(self.open.get()));
                    }
                    TagKind::EndTag => self.open.set(self.open.get().saturating_sub(1)),
                }
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Depth::default(), Default::default());
    let queue = BufferQueue::default();
    queue.push_back(html.into());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    (tokenizer.sink.deepest.get() > MAX_OPEN).then(|| Gated {
        html: String::new(),
        problems: vec![Problem {
            rule: "html-not-allowed",
            message: format!("tags are opened more than {MAX_OPEN} deep, which no page needs and which would take minutes to read"),
            fix: "nest elements less deeply (a loop in a template that never closes what it opens?)",
            near: Vec::new(),
        }],
    })
}

/// Elements whose end tag may be left out (`<li>`, `<p>`, `<td>`…): the
/// next one closes them, so they do not count towards depth.
fn ends_by_itself(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rp"
            | "html"
            | "head"
            | "body"
    )
}

/// Parsed as a browser with scripts off would: what `<noscript>` holds
/// is then elements, read and rebuilt like any others. (A browser with
/// scripts on reads it as text, which the rebuild escapes throughout.)
fn options() -> html5ever::ParseOpts {
    html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    }
}

struct Writer<'a> {
    policy: &'a Policy,
    published: &'a Published,
    page: &'a Url,
    loads: Loads<'a>,
    out: String,
    problems: Vec<Problem>,
    /// Write the Content Security Policy first in `<head>`.
    csp: bool,
    /// How many HTML links are open where the writer is.
    open_links: usize,
}

impl<'a> Writer<'a> {
    fn new(policy: &'a Policy, published: &'a Published, page: &'a Url, loads: Loads<'a>) -> Self {
        Writer {
            policy,
            published,
            page,
            loads,
            out: String::new(),
            problems: Vec::new(),
            csp: false,
            open_links: 0,
        }
    }

    fn finish(self) -> Gated {
        Gated {
            html: self.out,
            problems: self.problems,
        }
    }

    fn refuse(
        &mut self,
        rule: &'static str,
        message: String,
        fix: &'static str,
        near: Vec<String>,
    ) {
        self.problems.push(Problem {
            rule,
            message,
            fix,
            near,
        });
    }

    fn node(&mut self, node: Ref, depth: usize) {
        match &node.data {
            Data::Document => self.children(node, depth),
            Data::Doctype { name } => {
                if name.eq_ignore_ascii_case("html") {
                    self.out.push_str("<!DOCTYPE html>");
                }
            }
            Data::Text(text) => escape_text(&text.borrow(), &mut self.out),
            Data::Element { name, attrs, .. } => {
                let attrs = attrs.borrow();
                self.element(node, name, &attrs, depth);
            }
            Data::Ignored => {}
        }
    }

    fn children(&mut self, node: Ref, depth: usize) {
        if depth >= MAX_DEPTH {
            self.refuse(
                "html-not-allowed",
                format!("elements are nested more than {MAX_DEPTH} deep"),
                "simplify the page or template: no page needs elements nested this deep",
                Vec::new(),
            );
            return;
        }
        for child in node.children() {
            self.node(child, depth + 1);
        }
    }

    fn element(
        &mut self,
        node: Ref,
        name: &QualName,
        attrs: &[html5ever::Attribute],
        depth: usize,
    ) {
        let local: &str = &name.local;
        let svg = name.ns == ns!(svg);
        let admitted = if name.ns == ns!(html) {
            self.policy.html_element(local)
        } else {
            svg && self.policy.svg_element(local)
        };
        if !admitted {
            self.refuse(
                "html-not-allowed",
                format!(
                    "<{local}> is not an element a school page may use{}",
                    element_reason(local, self.policy.markdown)
                ),
                "remove it; show photos and clips with ![description](file) beside the page, and link to other websites instead of embedding them",
                vec![format!("<{local}")],
            );
            return;
        }
        if !self.element_rules(node, local, attrs) {
            return;
        }
        let link = name.ns == ns!(html) && local == "a";
        if link && self.open_links > 0 {
            // HTML cannot write a link inside a link (misnested markup
            // can leave one in the tree): a browser reading it back would
            // close the first, and every pass would move them again. The
            // inner one is written as its contents.
            self.children(node, depth);
            return;
        }
        let mark = self.out.len();
        self.out.push('<');
        self.out.push_str(local);
        let mut all_kept = true;
        for attr in attrs {
            all_kept &= self.attribute(local, svg, attrs, attr);
        }
        // An element that is there for its address is left out whole
        // when the address is refused (a <script> with no source).
        if !all_kept
            && matches!(
                local,
                "script" | "link" | "img" | "source" | "track" | "meta" | "form"
            )
        {
            self.out.truncate(mark);
            return;
        }
        self.out.push('>');
        if self.csp && local == "head" && name.ns == ns!(html) {
            self.out
                .push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
            self.out.push_str(CSP);
            self.out.push_str("\">");
        }
        if name.ns == ns!(html) && is_void(local) {
            return;
        }
        if name.ns == ns!(html)
            && matches!(local, "pre" | "textarea")
            && first_text_starts_with_newline(node)
        {
            self.out.push('\n');
        }
        if name.ns == ns!(html) && matches!(local, "style" | "script") {
            self.raw_text(node, local);
        } else {
            self.open_links += usize::from(link);
            self.children(node, depth);
            self.open_links -= usize::from(link);
        }
        self.out.push_str("</");
        self.out.push_str(local);
        self.out.push('>');
    }

    /// Element-specific rules; false when the element is refused whole.
    fn element_rules(&mut self, node: Ref, local: &str, attrs: &[html5ever::Attribute]) -> bool {
        let get = |n: &str| attr_value(attrs, n);
        let refuse = |w: &mut Self, what: String, near: Vec<String>| {
            w.refuse(
                "html-not-allowed",
                what,
                "remove it, or use the theme's own templates and static/ files for what it does",
                near,
            );
            false
        };
        match local {
            "link" if policy::link_rel(get("rel").unwrap_or("")).is_none() => refuse(
                self,
                format!("<link rel={:?}> is not a kind of link a school page may use", get("rel").unwrap_or("")),
                vec!["<link".into()],
            ),
            // The gate's own policy, met again: it is written anew in <head>.
            "meta"
                if get("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("content-security-policy"))
                    && get("content") == Some(CSP) =>
            {
                false
            }
            "meta" if get("http-equiv").is_some() => refuse(
                self,
                "<meta http-equiv> changes how the browser treats the page (a refresh can send readers elsewhere)".into(),
                vec!["http-equiv".into()],
            ),
            "meta" if get("name").or(get("property")).is_some_and(|n| policy::meta_name(n).is_none()) => refuse(
                self,
                format!("<meta> named {:?} is not one a school page uses", get("name").or(get("property")).unwrap_or("")),
                vec!["<meta".into()],
            ),
            "input" if !policy::input_type(get("type").unwrap_or("text")) => refuse(
                self,
                format!("<input type={:?}> loads or sends files", get("type").unwrap_or("")),
                vec!["<input".into()],
            ),
            "script" if !policy::script_type(get("type").unwrap_or("")) || get("src").is_none() => refuse(
                self,
                "a script must be a file in the theme's static/ folder, loaded with <script src=…>; code written into the page is not allowed".into(),
                vec!["<script".into()],
            ),
            "form" if !get("method").unwrap_or("get").eq_ignore_ascii_case("get") => refuse(
                self,
                "a form may only ask this site for a page (method=\"get\"): a static site cannot take posted answers, and another site must not".into(),
                vec!["<form".into()],
            ),
            "script" if has_text(node) => refuse(
                self,
                "a script loaded from a file must have nothing written inside it".into(),
                vec!["<script".into()],
            ),
            _ => true,
        }
    }

    fn attribute(
        &mut self,
        element: &str,
        svg: bool,
        all: &[html5ever::Attribute],
        attr: &html5ever::Attribute,
    ) -> bool {
        let name = attribute_name(&attr.name);
        let decision = if svg {
            self.policy.svg_attribute(&name)
        } else {
            self.policy.html_attribute(element, &name)
        };
        let Attribute::Allowed(mut value) = decision else {
            self.refuse(
                "html-not-allowed",
                format!(
                    "the attribute {name} on <{element}> is not one a school page may use{}",
                    attribute_reason(&name, self.policy.markdown)
                ),
                "remove it; links go in href, photos in Markdown ![description](file), and styles in the theme's stylesheet",
                vec![format!("{name}="), name.to_string()],
            );
            return false;
        };
        let text: &str = &attr.value;
        // What a <link> or <meta> holds depends on what it is.
        if element == "link" && name == "href" {
            value = policy::link_rel(attr_value(all, "rel").unwrap_or("")).unwrap_or(Value::Fetch);
        }
        if element == "meta" && name == "content" {
            let kind = attr_value(all, "name").or(attr_value(all, "property"));
            value = kind.and_then(policy::meta_name).unwrap_or(Value::Text);
        }
        if !self.check_value(value, text, &name, element) {
            return false;
        }
        self.out.push(' ');
        self.out.push_str(&name);
        // An empty value is written as the bare name: the same to every
        // parser (HTML's "empty attribute syntax").
        if !text.is_empty() {
            self.out.push_str("=\"");
            escape_attribute(text, &mut self.out);
            self.out.push('"');
        }
        true
    }

    /// Checks an attribute's value; false when it is refused.
    fn check_value(&mut self, value: Value, text: &str, name: &str, element: &str) -> bool {
        match value {
            Value::Text => true,
            Value::Fetch => self.address(text, Use::Fetch, element),
            Value::Navigate => self.address(text, Use::Navigate, element),
            Value::Submit => self.submit(text),
            Value::Srcset => {
                // Every address is read, so each refusal is reported.
                let mut ok = true;
                for u in resolve::srcset_urls(text) {
                    ok &= self.address(u, Use::Fetch, element);
                }
                ok
            }
            Value::Style | Value::CssValue => self.css(text, name),
        }
    }

    /// Resolves one address; false (and a problem) if refused.
    fn address(&mut self, raw: &str, how: Use, element: &str) -> bool {
        match self.published.resolve(raw, self.page, how) {
            Ok(Target::File(path)) if how == Use::Fetch => match self.loads {
                Loads::Only(own) if !own.contains(&path) => {
                    self.refuse(
                        "html-not-allowed",
                        format!("<{element}> in the page's HTML shows {path}, which is not a photo or clip this page's Markdown shows"),
                        "show photos and clips with ![description](file) beside the page, so their consent is checked for this page",
                        address_near(raw, element),
                    );
                    false
                }
                _ => true,
            },
            Ok(_) => true,
            // Raw HTML in Markdown loading anything but its own photos.
            Err(Refused { why, .. })
                if how == Use::Fetch
                    && matches!(self.loads, Loads::Only(_))
                    && matches!(
                        element,
                        "img" | "picture" | "source" | "video" | "audio" | "track"
                    ) =>
            {
                self.refuse(
                    "raw-html-media",
                    format!("raw HTML <{element}> puts media on the page without the sanitiser: {why}"),
                    "use Markdown image syntax ![description](photo.jpg) with the file beside the page",
                    address_near(raw, element),
                );
                false
            }
            Err(Refused { rule, why, fix }) => {
                self.refuse(rule, why, fix, address_near(raw, element));
                false
            }
        }
    }

    /// A form's target: what a reader types goes to this site or nowhere.
    fn submit(&mut self, raw: &str) -> bool {
        match self.published.resolve(raw, self.page, Use::Navigate) {
            Ok(Target::Page(_) | Target::Fragment) => true,
            Ok(_) => {
                self.refuse(
                    "address-outside",
                    format!("the form sends what readers type to {raw:?}, which is not a page of this site"),
                    "point the form at a page of this site (the search page), or link to the other website instead",
                    address_near(raw, "form"),
                );
                false
            }
            Err(Refused { rule, why, fix }) => {
                self.refuse(rule, why, fix, address_near(raw, "form"));
                false
            }
        }
    }

    /// Reads CSS (a style attribute, a `<style>`, a presentation value)
    /// and resolves every address in it; false if anything is refused.
    fn css(&mut self, text: &str, place: &str) -> bool {
        let read = css::read(text);
        let mut ok = true;
        if let Some(what) = read.unreadable {
            self.refuse(
                "css-unreadable",
                format!("the CSS in {place} cannot be read safely: {what}"),
                "fix the CSS so a browser reads it one way only",
                vec![place.to_string()],
            );
            ok = false;
        }
        if let Some(what) = read.reorders {
            self.refuse(
                "css-reorders-text",
                format!("the CSS in {place} sets {what}, which shows letters in another order than they are written"),
                "write the text in the order it is read and remove the unicode-bidi override",
                vec![place.to_string()],
            );
            ok = false;
        }
        for url in read.urls {
            ok = self.address(&url.0, Use::Fetch, place) && ok;
        }
        ok
    }

    /// A `<style>` or `<script>` element's text, written as it is once
    /// checked (the parser has already ended it where a browser would).
    fn raw_text(&mut self, node: Ref, local: &str) {
        let mut text = String::new();
        for child in node.children() {
            if let Data::Text(contents) = &child.data {
                text.push_str(&contents.borrow());
            }
        }
        if local == "style" && !self.css(&text, "<style>") {
            return;
        }
        self.out.push_str(&text);
    }
}

/// Where an address was probably written: as an attribute's value, as a
/// Markdown link's target, anywhere, or failing that the element.
fn address_near(raw: &str, element: &str) -> Vec<String> {
    let raw: String = raw.trim().chars().take(200).collect();
    vec![
        format!("=\"{raw}"),
        format!("='{raw}"),
        format!("={raw}"),
        format!("({raw}"),
        format!("<{raw}>"),
        format!("]: {raw}"),
        raw,
        format!("<{element}"),
    ]
}

/// `xlink:href` and the like keep their prefix; others are their name.
fn attribute_name(name: &QualName) -> std::borrow::Cow<'_, str> {
    match &name.prefix {
        Some(p) => format!("{p}:{}", name.local).into(),
        None if name.ns == ns!(xlink) => format!("xlink:{}", name.local).into(),
        None => std::borrow::Cow::Borrowed(&*name.local),
    }
}

fn attr_value<'a>(attrs: &'a [html5ever::Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name.prefix.is_none() && a.name.local == *name)
        .map(|a| &*a.value)
}

fn has_text(node: Ref) -> bool {
    node.children().any(|c| match &c.data {
        Data::Text(contents) => !contents.borrow().trim().is_empty(),
        _ => true,
    })
}

fn first_text_starts_with_newline(node: Ref) -> bool {
    node.first_child().is_some_and(|c| match &c.data {
        Data::Text(contents) => contents.borrow().starts_with('\n'),
        _ => false,
    })
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "col" | "hr" | "img" | "input" | "link" | "meta" | "source" | "track" | "wbr"
    )
}

fn element_reason(name: &str, markdown: bool) -> &'static str {
    match name {
        "iframe" | "object" | "embed" | "frame" | "frameset" | "portal" => {
            ": it shows another website's content inside the page"
        }
        "base" => ": it changes where every address on the page leads",
        "script" | "style" | "link" if markdown => {
            ": raw HTML in Markdown may not add code or styles"
        }
        "form" | "input" | "button" | "select" | "textarea" if markdown => {
            ": raw HTML in Markdown may not collect what readers type"
        }
        _ => "",
    }
}

fn attribute_reason(name: &str, markdown: bool) -> &'static str {
    if name.starts_with("on") {
        ": it runs code"
    } else if name == "style" && markdown {
        ": raw HTML in Markdown may not carry styles"
    } else {
        ""
    }
}

/// Escapes text for an element's content.
pub fn escape_text(s: &str, out: &mut String) {
    escape(s, out, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\u{a0}' => Some("&nbsp;"),
        _ => None,
    });
}

/// Copies `s` to `out`, a run at a time, writing `replace`'s text for the
/// characters it names (all of them among `&"<>`, or U+00A0, whose UTF-8
/// starts 0xC2).
fn escape(s: &str, out: &mut String, replace: impl Fn(char) -> Option<&'static str>) {
    const MAYBE: [bool; 256] = {
        let mut t = [false; 256];
        t[b'&' as usize] = true;
        t[b'"' as usize] = true;
        t[b'<' as usize] = true;
        t[b'>' as usize] = true;
        t[0xC2] = true;
        t
    };
    out.reserve(s.len());
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !MAYBE[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        if let Some(with) = replace(c) {
            out.push_str(&s[run..i]);
            out.push_str(with);
            run = i + c.len_utf8();
        }
        i += c.len_utf8().max(1);
    }
    out.push_str(&s[run..]);
}

/// Escapes an attribute's value for double quotes. `<` and `>` are
/// escaped too, so no value can read as a tag to a parser that sees it
/// differently (a `<noscript>` with scripts on).
pub fn escape_attribute(s: &str, out: &mut String) {
    escape(s, out, |c| match c {
        '&' => Some("&amp;"),
        '"' => Some("&quot;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\u{a0}' => Some("&nbsp;"),
        _ => None,
    });
}
