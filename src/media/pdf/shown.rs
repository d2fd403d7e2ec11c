//! What a viewer or screen reader shows of a PDF besides its pages'
//! drawing: annotations (their text, their form fields' names and values,
//! their links' addresses), tags (`/Alt`, `/ActualText`, `/E`, `/T` in the
//! structure tree), page labels and layer names.
//!
//! Annotations are read whole, not key by key: every text string and
//! name value they hold (through their form fields' parents, their
//! actions, their appearance characteristics) is read, except the few
//! keys that hold formatting and dates, and every drawing they carry (the
//! appearance streams `/AP /N`, `/R`, `/D` in every state, buttons'
//! icons) is drawn in the annotation's rectangle like a form, for its
//! text and its pictures. What is not known to be formatting is read:
//! a new kind of annotation or key is read, not skipped.
//!
//! Every walk is bounded: each object is visited once, nesting stops at
//! [`MAX_WALK_DEPTH`] and a walk visits at most [`MAX_WALK_NODES`] values.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::collections::{HashMap, HashSet};

/// Deepest nesting followed in an annotation, tag tree or layer list.
const MAX_WALK_DEPTH: usize = 64;

/// Most values (objects, strings, array items) visited by one walk.
const MAX_WALK_NODES: usize = 200_000;

/// Most form fields' parents followed up from one widget.
const MAX_PARENTS: usize = 32;

/// Most bytes of one rich-text stream read.
const MAX_RICH_TEXT: usize = 4 * 1024 * 1024;

/// Keys of an annotation that are not followed: the page it is on, the
/// other annotations and fields it points to (read where they are), and
/// formatting and dates, which no viewer shows as text.
const NOT_FOLLOWED: &[&[u8]] = &[
    b"P",
    b"Parent",
    b"Kids",
    b"IRT",
    b"Popup",
    b"DA",
    b"DS",
    b"M",
    b"CreationDate",
    b"Type",
    b"Subtype",
];

/// Keys whose name values a viewer may show as text: form fields' values
/// and states, and choice fields' options.
const NAME_VALUES: &[&[u8]] = &[b"V", b"DV", b"AS", b"Opt"];

/// Something an annotation shows: text, or a drawing (a form or an
/// image) to draw in its rectangle.
pub(super) enum Piece<'a> {
    Text(String),
    Drawing(&'a Stream, Option<ObjectId>),
}

struct Walk<'a> {
    doc: &'a Document,
    seen: HashSet<ObjectId>,
    nodes: usize,
    pieces: Vec<Piece<'a>>,
}

impl<'a> Walk<'a> {
    fn new(doc: &'a Document) -> Walk<'a> {
        Walk {
            doc,
            seen: HashSet::new(),
            nodes: MAX_WALK_NODES,
            pieces: Vec::new(),
        }
    }

    fn text(&mut self, text: String) {
        if !text.trim().is_empty() {
            self.pieces.push(Piece::Text(text));
        }
    }

    /// Reads `object`, found under `key`.
    fn object(&mut self, object: &'a Object, key: &[u8], id: Option<ObjectId>, depth: usize) {
        if depth > MAX_WALK_DEPTH || self.nodes == 0 {
            return;
        }
        self.nodes -= 1;
        match object {
            Object::Reference(r) => {
                if !self.seen.insert(*r) {
                    return;
                }
                if let Ok(target) = self.doc.get_object(*r) {
                    self.object(target, key, Some(*r), depth + 1);
                }
            }
            Object::String(..) => {
                // An address is read as a viewer shows it, with its
                // escapes decoded.
                if let Some(t) = text_of(object) {
                    let decoded = percent_decoded(&t).unwrap_or(t);
                    self.text(decoded);
                }
            }
            Object::Name(name) if NAME_VALUES.contains(&key) => {
                self.text(String::from_utf8_lossy(name).into_owned());
            }
            Object::Array(items) => {
                for item in items {
                    self.object(item, key, None, depth + 1);
                }
            }
            Object::Dictionary(dict) => self.dictionary(dict, depth),
            Object::Stream(stream) => match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                Ok(b"Form" | b"Image") => self.pieces.push(Piece::Drawing(stream, id)),
                _ if key == b"RC" => {
                    let bytes = stream
                        .decompressed_content_with_limit(MAX_RICH_TEXT)
                        .unwrap_or_else(|_| stream.content.clone());
                    let t = String::from_utf8_lossy(&bytes).into_owned();
                    self.text(without_tags(&t));
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn dictionary(&mut self, dict: &'a Dictionary, depth: usize) {
        // A link's destination may name a page: the page is not read
        // from here.
        if dict.has_type(b"Page") || dict.has_type(b"Pages") {
            return;
        }
        for (key, value) in dict.iter() {
            if NOT_FOLLOWED.contains(&key.as_slice()) {
                continue;
            }
            if key == b"RC"
                && let Some(t) = text_of(value)
            {
                self.text(without_tags(&t));
                continue;
            }
            self.object(value, key, None, depth + 1);
        }
    }
}

/// What an annotation shows, in order: its text and drawings, then its
/// form field's (names, values, options), inherited from its parents.
pub(super) fn annotation<'a>(doc: &'a Document, annot: &'a Dictionary) -> Vec<Piece<'a>> {
    let mut walk = Walk::new(doc);
    walk.dictionary(annot, 0);
    let popup = annot
        .get(b"Subtype")
        .and_then(Object::as_name)
        .is_ok_and(|s| s == b"Popup");
    // A popup's parent is the comment it shows, read on its own.
    let mut next = if popup {
        None
    } else {
        annot.get(b"Parent").ok()
    };
    for _ in 0..MAX_PARENTS {
        let Some(Object::Reference(id)) = next else {
            break;
        };
        if !walk.seen.insert(*id) {
            break;
        }
        let Ok(parent) = doc.get_dictionary(*id) else {
            break;
        };
        walk.dictionary(parent, 0);
        next = parent.get(b"Parent").ok();
    }
    walk.pieces
}

/// Every text in `object` (a layer list, an action), each on a line.
pub(super) fn strings_in(doc: &Document, object: &Object) -> String {
    let mut walk = Walk::new(doc);
    walk.object(object, b"", None, 0);
    let mut out = String::new();
    for piece in walk.pieces {
        if let Piece::Text(t) = piece {
            out.push_str(&t);
            out.push('\n');
        }
    }
    out
}

/// The layer (optional content) names a viewer lists, and every other
/// text in the document's layer settings.
pub(super) fn layers(doc: &Document) -> String {
    match doc.catalog().ok().and_then(|c| c.get(b"OCProperties").ok()) {
        Some(properties) => strings_in(doc, properties),
        None => String::new(),
    }
}

/// The texts of the tags a screen reader reads (alternative text,
/// replacement text, expansions of abbreviations, titles): each page's,
/// by the page the tag names (its own or its parent's `/Pg`), and those
/// that name no page.
pub(super) fn tags(doc: &Document, pages: &HashMap<ObjectId, usize>) -> (Vec<String>, String) {
    let mut by_page = vec![String::new(); pages.len()];
    let mut loose = String::new();
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"StructTreeRoot").ok())
    else {
        return (by_page, loose);
    };
    let mut seen = HashSet::new();
    let mut nodes = MAX_WALK_NODES;
    // (element, its page, depth)
    let mut stack: Vec<(&Object, Option<usize>, usize)> = vec![(root, None, 0)];
    while let Some((object, page, depth)) = stack.pop() {
        if depth > MAX_WALK_DEPTH || nodes == 0 {
            continue;
        }
        nodes -= 1;
        let object = match object {
            Object::Reference(id) => {
                if !seen.insert(*id) {
                    continue;
                }
                match doc.get_object(*id) {
                    Ok(o) => o,
                    Err(_) => continue,
                }
            }
            o => o,
        };
        match object {
            Object::Array(items) => {
                stack.extend(items.iter().map(|i| (i, page, depth + 1)));
            }
            Object::Dictionary(element) => {
                // A reference to an annotation or other object is read
                // where that object is.
                if element.has(b"Obj") {
                    continue;
                }
                let page = match element.get(b"Pg") {
                    Ok(Object::Reference(id)) => pages.get(id).copied().or(page),
                    _ => page,
                };
                for key in [&b"T"[..], b"Alt", b"ActualText", b"E"] {
                    if let Some(t) = element.get(key).ok().and_then(text_of)
                        && !t.trim().is_empty()
                    {
                        let out = match page.and_then(|p| by_page.get_mut(p)) {
                            Some(out) => out,
                            None => &mut loose,
                        };
                        out.push_str(&t);
                        out.push('\n');
                    }
                }
                if let Ok(k) = element.get(b"K") {
                    stack.push((k, page, depth + 1));
                }
            }
            _ => {}
        }
    }
    (by_page, loose)
}

/// Each page's label prefix (`/PageLabels` `/P`): viewers show the label
/// in place of the page number.
pub(super) fn label_prefixes(doc: &Document, count: usize) -> Vec<String> {
    let mut out = vec![String::new(); count];
    let Some(tree) = doc.catalog().ok().and_then(|c| c.get(b"PageLabels").ok()) else {
        return out;
    };
    // (first page index, prefix) from the number tree.
    let mut ranges: Vec<(i64, String)> = Vec::new();
    let mut seen = HashSet::new();
    let mut nodes = MAX_WALK_NODES;
    let mut stack: Vec<(&Object, usize)> = vec![(tree, 0)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_WALK_DEPTH || nodes == 0 {
            continue;
        }
        nodes -= 1;
        if let Object::Reference(id) = node
            && !seen.insert(*id)
        {
            continue;
        }
        let Some(node) = doc
            .dereference(node)
            .ok()
            .and_then(|(_, n)| n.as_dict().ok())
        else {
            continue;
        };
        if let Some(nums) = node
            .get(b"Nums")
            .ok()
            .and_then(|n| doc.dereference(n).ok())
            .and_then(|(_, n)| n.as_array().ok())
        {
            for pair in nums.chunks(2).take(nodes) {
                if let [key, label] = pair
                    && let Ok(first) = key.as_i64()
                {
                    let prefix = doc
                        .dereference(label)
                        .ok()
                        .and_then(|(_, l)| l.as_dict().ok())
                        .and_then(|l| l.get(b"P").ok())
                        .and_then(text_of)
                        .unwrap_or_default();
                    ranges.push((first, prefix));
                }
            }
        }
        if let Some(kids) = node
            .get(b"Kids")
            .ok()
            .and_then(|k| doc.dereference(k).ok())
            .and_then(|(_, k)| k.as_array().ok())
        {
            stack.extend(kids.iter().map(|k| (k, depth + 1)));
        }
    }
    ranges.sort_by_key(|(first, _)| *first);
    for (i, label) in out.iter_mut().enumerate() {
        let i = i64::try_from(i).unwrap_or(i64::MAX);
        if let Some((_, prefix)) = ranges.iter().rev().find(|(first, _)| *first <= i) {
            label.clone_from(prefix);
        }
    }
    out
}

/// A text string as a viewer shows it (PDFDocEncoding or UTF-16).
pub(super) fn text_of(object: &Object) -> Option<String> {
    match object {
        Object::String(..) => lopdf::decode_text_string(object)
            .ok()
            .or_else(|| {
                object
                    .as_str()
                    .ok()
                    .map(|b| String::from_utf8_lossy(b).into())
            })
            .filter(|t| !t.trim().is_empty()),
        _ => None,
    }
}

/// An address with its `%xx` escapes decoded, when it has any: a link
/// to `.../Amelia%20Smith.pdf` names her.
fn percent_decoded(text: &str) -> Option<String> {
    text.contains('%').then(|| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    })
}

/// Rich text (XHTML) with its tags taken out: the words it shows, each
/// element's text apart.
fn without_tags(rich: &str) -> String {
    let mut out = String::with_capacity(rich.len());
    let mut in_tag = false;
    for c in rich.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_decoded_and_rich_text_without_tags() {
        assert_eq!(
            percent_decoded("https://e.org/Amelia%20Smith.pdf").as_deref(),
            Some("https://e.org/Amelia Smith.pdf")
        );
        assert_eq!(percent_decoded("https://e.org/a"), None);
        assert_eq!(percent_decoded("100%").as_deref(), Some("100%"));
        assert_eq!(
            without_tags("<p><span>Amelia</span><span>Smith</span></p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["Amelia", "Smith"]
        );
    }
}
