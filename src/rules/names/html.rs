//! The text of a published page, as a reader (or a search engine, or a
//! screen reader) gets it: the visible text with entities decoded, and
//! every attribute that carries words or addresses (alt, title,
//! aria-label, href, src, content…) as a piece of its own.
//!
//! Inline tags (`<em>`, `<a>`, `<span>`…) join the text around them, so
//! `Amelia <em>Smith</em>` reads as "Amelia Smith"; block tags and `<br>`
//! separate words. Comments, scripts and styles are published too, so
//! their text is included.

use super::normalise::WordHasher;

/// A page's text in one string: the visible text first, then each
/// attribute value, separated by block breaks, with where each part
/// starts and what it is ("text", or the attribute's name).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageText {
    pub text: String,
    pub parts: Vec<(usize, &'static str)>,
    /// Whether the page shows a published photo (an image from /media/).
    pub shows_photo: bool,
}

impl PageText {
    /// The part holding byte `at`: its place and its byte range.
    pub fn part(&self, at: usize) -> (&'static str, usize, usize) {
        let i = self.parts.partition_point(|&(start, _)| start <= at).max(1) - 1;
        let (start, place) = self.parts.get(i).copied().unwrap_or((0, "text"));
        let end = self.parts.get(i + 1).map_or(self.text.len(), |&(s, _)| s);
        (place, start, end)
    }
}

/// What a block tag (a paragraph, a heading, a list item…) leaves in the
/// text: a paragraph separator, so a name cannot run from one block into
/// the next. Parts of the page text are separated by it too.
pub const BLOCK_BREAK: char = '\u{2029}';

/// Attributes named in findings by their own name. Every other
/// attribute is read too (a value can be shown by CSS `attr()`, read by
/// assistive technology, or put in an address): as `data` (`data-*`),
/// `aria` (`aria-*`), `event` (`on*`) or `attribute`.
const ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "name",
    "abbr",
    "alt",
    "title",
    "aria-label",
    "aria-description",
    "href",
    "src",
    "srcset",
    "content",
    "value",
    "placeholder",
    "label",
    "download",
    "poster",
];

/// Tags that do not break a word or a name.
#[cfg(test)]
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "ins", "del",
];

/// What [`walk`] finds in a page, in order.
trait Sink {
    /// Text between tags, as written (entities not yet decoded).
    fn text(&mut self, raw: &str);
    /// What separates blocks: a block tag, the edges of a comment.
    fn block(&mut self);
    /// A `<br>`.
    fn line_break(&mut self);
    /// A value of an attribute in [`ATTRIBUTES`], decoded, read apart
    /// from the text.
    fn attribute(&mut self, place: &'static str, value: &str);
}

/// The visible text and the attribute values of `html`; with `split`,
/// inline tags break words too (see [`Walked::glued`]).
pub fn page_text(html: &str, split: bool) -> PageText {
    struct Text {
        text: String,
        tail: String,
        tail_parts: Vec<(usize, &'static str)>,
    }
    impl Sink for Text {
        fn text(&mut self, raw: &str) {
            let start = self.text.len();
            decode_into(raw, &mut self.text);
            shown_separator(&mut self.text, start);
        }
        fn block(&mut self) {
            self.text.push(BLOCK_BREAK);
        }
        fn line_break(&mut self) {
            self.text.push(' ');
        }
        fn attribute(&mut self, place: &'static str, value: &str) {
            self.tail.push(BLOCK_BREAK);
            self.tail_parts.push((self.tail.len(), place));
            let start = self.tail.len();
            self.tail.push_str(value);
            shown_separator(&mut self.tail, start);
        }
    }
    let mut sink = Text {
        text: String::with_capacity(html.len()),
        tail: String::new(),
        tail_parts: Vec::new(),
    };
    let shows_photo = walk(html, &mut sink, split).shows_photo;
    let Text {
        mut text,
        tail,
        tail_parts,
    } = sink;
    let mut parts = vec![(0, "text")];
    let base = text.len();
    parts.extend(tail_parts.into_iter().map(|(at, place)| (base + at, place)));
    text.push_str(&tail);
    PageText {
        text,
        parts,
        shows_photo,
    }
}

/// Buffers for [`first_look_words`], kept from page to page.
#[derive(Default)]
pub struct FirstLook {
    /// The words of the page, after a call.
    pub words: Vec<u64>,
    /// Whether an inline tag joins two pieces of a word on the page.
    pub glued: bool,
    tail: Vec<u64>,
    scratch: String,
}

/// The words of [`page_text`]`(html).text`, hashed as
/// [`normalise::word_hashes`] would hash them, into `look.words`, without
/// writing the text out: the names check's first look at a page, which
/// most pages never get past.
pub fn first_look_words(html: &str, look: &mut FirstLook) {
    struct Words<'a> {
        look: &'a mut FirstLook,
        hasher: WordHasher,
        tail_hasher: WordHasher,
    }
    impl Sink for Words<'_> {
        fn text(&mut self, raw: &str) {
            let look = &mut *self.look;
            if memchr::memchr(b'&', raw.as_bytes()).is_some() {
                look.scratch.clear();
                decode_into(raw, &mut look.scratch);
                self.hasher.feed(&look.scratch, &mut look.words);
            } else {
                self.hasher.feed(raw, &mut look.words);
            }
        }
        fn block(&mut self) {
            self.hasher.finish(&mut self.look.words);
        }
        fn line_break(&mut self) {
            self.hasher.finish(&mut self.look.words);
        }
        fn attribute(&mut self, _: &'static str, value: &str) {
            self.tail_hasher.finish(&mut self.look.tail);
            self.tail_hasher.feed(value, &mut self.look.tail);
        }
    }
    look.words.clear();
    look.tail.clear();
    let mut sink = Words {
        look,
        hasher: WordHasher::default(),
        tail_hasher: WordHasher::default(),
    };
    let walked = walk(html, &mut sink, false);
    let Words {
        look,
        mut hasher,
        mut tail_hasher,
    } = sink;
    hasher.finish(&mut look.words);
    tail_hasher.finish(&mut look.tail);
    look.words.extend_from_slice(&look.tail);
    look.glued = walked.glued;
}

/// Reads `html`, telling `sink` its text, its breaks and its attributes'
/// values; says whether the page shows a published photo.
fn walk(html: &str, sink: &mut impl Sink, split: bool) -> Walked {
    let mut scratch = String::new();
    let mut walked = Walked::default();
    let bytes = html.as_bytes();
    // Whether the text before the last tags ended inside a word, and
    // whether an inline tag came since.
    let (mut in_word, mut inline_since) = (false, false);
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let mut i = 0;
    while i < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[i..]).map(|p| i + p) else {
            sink.text(&html[i..]);
            break;
        };
        let text = &html[i..lt];
        if let Some(&first) = text.as_bytes().first() {
            walked.glued |= in_word && inline_since && word_byte(first);
            in_word = text.as_bytes().last().is_some_and(|&b| word_byte(b));
            inline_since = false;
        }
        sink.text(text);
        let rest = &html[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            let end = comment.find("-->").map_or(comment.len(), |e| e);
            sink.block();
            sink.text(&comment[..end]);
            sink.block();
            i = lt + 4 + (end + 3).min(comment.len());
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        let name = tag_name(tag);
        if name.eq_ignore_ascii_case("br") || is_cell(name) {
            // A row's cells are read in a row, as a screen reader does.
            sink.line_break();
            in_word = false;
        } else if !is_inline(name) {
            sink.block();
            in_word = false;
        } else if split {
            sink.line_break();
        } else {
            inline_since = true;
        }
        if tag.len() > name.len() + 2 {
            for_each_attribute(tag, |attr, value| {
                let place = attribute_place(attr);
                if place == "src" && value.contains("/media/") {
                    // Published media are named by their hash.
                    walked.shows_photo = true;
                    return;
                }
                let value = if matches!(place, "href" | "src" | "srcset" | "poster")
                    && (value.starts_with('/') && !value.starts_with("//")
                        || value.starts_with('#'))
                {
                    // An address on this site: its pages' addresses are
                    // checked where they are published, and its media are
                    // named by their hash; what follows a `?` or `#` is
                    // read (a fragment is shown in the address bar).
                    match value.find(['?', '#']) {
                        Some(at) => &value[at + 1..],
                        None => return,
                    }
                } else {
                    value
                };
                if !value.bytes().any(|b| b.is_ascii_alphabetic() || b >= 0x80) {
                    return;
                }
                scratch.clear();
                decode_into(value, &mut scratch);
                if matches!(place, "href" | "src" | "srcset" | "poster") && scratch.contains('%') {
                    sink.attribute(place, &crate::content::paths::percent_decode(&scratch));
                } else {
                    sink.attribute(place, &scratch);
                }
            });
        }
        i = lt + end;
    }
    walked
}

/// What [`walk`] found besides the text.
#[derive(Debug, Default, Clone, Copy)]
struct Walked {
    shows_photo: bool,
    /// An inline tag joins two pieces of a word ("Smith<span hidden>x"):
    /// what it holds may not be shown, so the page is also read with
    /// inline tags as breaks.
    glued: bool,
}

/// Whether `name` is a table cell (in any case).
fn is_cell(name: &str) -> bool {
    name.eq_ignore_ascii_case("td") || name.eq_ignore_ascii_case("th")
}

/// A paragraph separator written in the page's own text is shown as a
/// line break, not as the block break this text marks blocks with.
fn shown_separator(text: &mut String, from: usize) {
    if text[from..].contains(BLOCK_BREAK) {
        let shown = text[from..].replace(BLOCK_BREAK, " ");
        text.truncate(from);
        text.push_str(&shown);
    }
}

/// What a finding calls attribute `attr`.
fn attribute_place(attr: &str) -> &'static str {
    let starts = |prefix: &str| {
        attr.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    if let Some(known) = ATTRIBUTES.iter().find(|a| attr.eq_ignore_ascii_case(a)) {
        known
    } else if starts("data-") {
        "data"
    } else if starts("aria-") {
        "aria"
    } else if starts("on") {
        "event"
    } else {
        "attribute"
    }
}

/// Whether `name` is one of the [`INLINE`] tags, in any case.
fn is_inline(name: &str) -> bool {
    if name.len() > 6 {
        return false;
    }
    let mut lower = [0u8; 6];
    for (l, b) in lower.iter_mut().zip(name.bytes()) {
        *l = b.to_ascii_lowercase();
    }
    // A match on the bytes, not a search through INLINE: this runs for
    // every tag of every page.
    matches!(
        &lower[..name.len()],
        b"a" | b"abbr"
            | b"b"
            | b"bdi"
            | b"bdo"
            | b"cite"
            | b"code"
            | b"data"
            | b"dfn"
            | b"em"
            | b"i"
            | b"kbd"
            | b"mark"
            | b"q"
            | b"s"
            | b"samp"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"time"
            | b"u"
            | b"var"
            | b"wbr"
            | b"ins"
            | b"del"
    )
}

/// The name of the tag at the start of `tag` (`<p …>`, `</em>`).
fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('<').trim_start_matches('/');
    let end = t
        .bytes()
        .position(|c| !(c.is_ascii_alphanumeric() || c == b'-'))
        .unwrap_or(t.len());
    &t[..end]
}

/// The length of the tag at the start of `s` (through its `>`), quotes
/// respected.
fn tag_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1.min(b.len());
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &b[i..]) {
        let at = i + p;
        if b[at] == b'>' {
            return at + 1;
        }
        match memchr::memchr(b[at], &b[at + 1..]) {
            Some(close) => i = at + 1 + close + 1,
            None => return s.len(),
        }
    }
    s.len()
}

/// Calls `f(name, value)` for each attribute of a tag, as written.
fn for_each_attribute<'a>(tag: &'a str, mut f: impl FnMut(&'a str, &'a str)) {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let b = inner.as_bytes();
    // Skip the tag name.
    let mut i = b
        .iter()
        .position(|c| c.is_ascii_whitespace())
        .unwrap_or(b.len());
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = &inner[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let from = i + 1;
                let to = memchr::memchr(q, &b[from..]).map_or(b.len(), |p| from + p);
                i = (to + 1).min(b.len());
                &inner[from..to]
            } else {
                let from = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &inner[from..i]
            };
            f(name, value);
        }
    }
}

/// Appends `s` with character references decoded: numeric ones, and the
/// named ones a name could be written with (`&nbsp;`, `&eacute;`,
/// `&euml;`…). Unknown references are kept as written.
pub fn decode_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(32)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        match end.and_then(|e| entity(&after[..e]).map(|c| (e, c))) {
            Some((e, decoded)) => {
                out.push_str(&decoded);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    let simple = match name {
        "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" | "rsquo" | "lsquo" => "'",
        "shy" | "zwnj" | "zwj" | "lrm" | "rlm" => "",
        "ndash" | "mdash" | "hyphen" | "dash" => "-",
        "szlig" => "ß",
        "aelig" => "æ",
        "AElig" => "Æ",
        "oelig" => "œ",
        "OElig" => "Œ",
        "eth" => "ð",
        "thorn" => "þ",
        _ => "",
    };
    if !simple.is_empty() || matches!(name, "shy" | "zwnj" | "zwj" | "lrm" | "rlm") {
        return Some(simple.to_string());
    }
    // A letter and an accent: eacute, Euml, ccedil, oslash, aring…
    let mut chars = name.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    let mark = match chars.as_str() {
        "acute" => '\u{301}',
        "grave" => '\u{300}',
        "circ" => '\u{302}',
        "tilde" => '\u{303}',
        "uml" => '\u{308}',
        "ring" => '\u{30A}',
        "cedil" => '\u{327}',
        "caron" => '\u{30C}',
        "slash" => '\u{338}',
        _ => return None,
    };
    Some([letter, mark].iter().collect())
}

#[cfg(test)]
mod tag_tests {
    use super::tag_end;

    #[test]
    fn tags_end_at_the_first_unquoted_angle_bracket() {
        assert_eq!(tag_end("<p>rest"), 3);
        assert_eq!(tag_end("<a title=\"a > b\" href='x>y'>rest"), 28);
        assert_eq!(tag_end("<a title=\"never closed>"), 23);
        assert_eq!(tag_end("<"), 1);
        assert_eq!(tag_end("<p"), 2);
        assert_eq!(tag_end("<>"), 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::names::normalise::word_hashes;

    /// The first look must see exactly the words of the full text: a
    /// word it missed would be a name never checked.
    fn assert_same_words(html: &str) {
        let mut fast = FirstLook::default();
        // Buffers left from another page must not leak into this one.
        first_look_words("<p alt='Leftover words'>from before</p>", &mut fast);
        first_look_words(html, &mut fast);
        let mut slow = Vec::new();
        word_hashes(&page_text(html, false).text, &mut slow);
        assert_eq!(fast.words, slow, "{html:?}");
    }

    #[test]
    fn inline_tags_are_the_listed_ones() {
        for tag in INLINE {
            assert!(is_inline(tag) && is_inline(&tag.to_uppercase()), "{tag}");
        }
        for tag in ["p", "div", "li", "br", "h1", "section", "article", "emx"] {
            assert!(!is_inline(tag), "{tag}");
        }
    }

    #[test]
    fn the_first_look_sees_the_words_of_the_full_text() {
        for html in [
            "",
            "Amelia Smith",
            "<p>Amelia <em>Smith</em></p><p>next</p>",
            "Am<b>el</b>ia&nbsp;Smi&#116;h &eacute;l&egrave;ve Zo&euml; &amp; &unknown; x",
            "<img alt=\"Amelia Smith at sports day\" src=\"/media/ab.jpg\" title='Zoë Fitzgerald-Ward'>",
            "<a href=\"https://example.com/Amelia%20Smith.pdf\">the letter</a> <a href=\"/news/\">news</a>",
            "<!-- Amelia Smith --><p>after</p><br>Smith<br/>Amelia",
            "<p data-name=\"Millie Smith\" aria-label=\"Siân Llewellyn's prize\">x</p>",
            "averyveryverylongwordthatstraddles<span>thetagboundaryhere</span>andmore",
            "Ünïcödé wörds ﬁne <b>ΑΒΓ</b> Аmelia ‌Smith\u{AD}",
            "<meta content=\"Well done Amelia Smith\"><p>unclosed <em attr='>' x",
        ] {
            assert_same_words(html);
        }
        // And a few thousand pages made of those pieces at random.
        let pieces = [
            "Amelia",
            " ",
            "Smith",
            "<em>",
            "</em>",
            "<p>",
            "</p>",
            "<br>",
            "&nbsp;",
            "&#233;",
            "&amp;",
            "Zoë",
            "verylongwordpart",
            "<img alt=\"Grace Hope\" src=\"x.jpg\">",
            "<a href=\"https://e.com/a%20b\">",
            "</a>",
            "<!-- c -->",
            "-",
            "'s",
            "é",
            "ﬁ",
            "1",
            ".",
            "<span>",
            "</span>",
            "\n",
            "<div class=x>",
            "&",
            "%",
        ];
        let mut seed: u64 = 7;
        for _ in 0..3000 {
            let mut html = String::new();
            for _ in 0..(seed % 40) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                html.push_str(pieces[((seed >> 33) as usize) % pieces.len()]);
            }
            seed = seed.wrapping_add(1);
            assert_same_words(&html);
        }
    }

    fn words(s: &str) -> Vec<&str> {
        s.split(|c: char| c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect()
    }

    #[test]
    fn text_joins_across_inline_tags_and_splits_at_blocks() {
        let p = page_text(
            "<p>Amelia <em>Smith</em></p><p>next</p><div>A<br>B</div>",
            false,
        );
        assert_eq!(words(&p.text), ["Amelia", "Smith", "next", "A", "B"]);
        assert!(p.text.contains("Amelia Smith"));
        assert!(p.text.contains(&format!("Smith{BLOCK_BREAK}")));
        assert!(
            page_text("<p>Am<b>elia</b></p>", false)
                .text
                .contains("Amelia")
        );
        assert!(
            page_text("<p>Smith<span hidden>x</span></p>", true)
                .text
                .contains("Smith x")
        );
    }

    #[test]
    fn attributes_entities_comments_and_urls() {
        let p = page_text(
            "<img alt=\"Zo&euml;&nbsp;Ash\" src=\"/media/x.jpg\"><a href='https://example.org/p/amelia%20smith/' title=X>t</a><a href=\"/amelia-smith/\">u</a><!-- Amelia Smith -->",
            false,
        );
        assert!(p.shows_photo);
        let part = |needle: &str| p.part(p.text.find(needle).unwrap()).0;
        assert_eq!(part("Zoe\u{308} Ash"), "alt");
        assert_eq!(part("https://example.org/p/amelia smith/"), "href");
        // Addresses on the site itself are checked where they are published.
        assert!(!p.text.contains("/amelia-smith/"));
        assert_eq!(part("Amelia Smith"), "text");
        assert!(!p.text.contains("/media/"));
    }

    #[test]
    fn odd_html_never_panics() {
        for s in [
            "<",
            "<a href=\"",
            "&",
            "&#xFFFFFFFF;",
            "<!--",
            "<p title='x>",
            "&#99999999999;",
            "%",
            "<a href=%E2%82>",
        ] {
            let _ = page_text(s, false);
            let _ = page_text(s, true);
        }
    }
}
