//! Feeds and sitemaps a theme's templates write: read with an XML parser
//! and admitted only as what they say they are. An Atom feed holds Atom
//! elements with plain-text content, and a sitemap holds sitemap
//! elements. No other namespace, no stylesheet instruction, no DOCTYPE
//! (whose entities could pull in other files), and every address through
//! the one resolver. A browser shown XHTML, SVG or an XSLT stylesheet in
//! a "feed" would render a page the HTML gate never saw.

use super::resolve::{Published, Refused, Use};
use super::{Gated, Problem, escape};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use url::Url;

const ATOM: &[u8] = b"http://www.w3.org/2005/Atom";
const SITEMAP: &[u8] = b"http://www.sitemaps.org/schemas/sitemap/0.9";

/// What an element's text is.
#[derive(Clone, Copy, PartialEq)]
enum Text {
    Words,
    Fetch,
    Navigate,
    None,
}

/// Atom (RFC 4287) elements: their attributes and what their text is.
const ATOM_ELEMENTS: &[(&str, &[&str], Text)] = &[
    ("feed", &[], Text::None),
    ("entry", &[], Text::None),
    ("title", &["type"], Text::Words),
    ("subtitle", &["type"], Text::Words),
    ("summary", &["type"], Text::Words),
    ("content", &["type"], Text::Words),
    ("rights", &["type"], Text::Words),
    (
        "link",
        &["href", "rel", "type", "hreflang", "title", "length"],
        Text::None,
    ),
    ("id", &[], Text::Words),
    ("updated", &[], Text::Words),
    ("published", &[], Text::Words),
    ("author", &[], Text::None),
    ("contributor", &[], Text::None),
    ("name", &[], Text::Words),
    ("email", &[], Text::Words),
    ("uri", &[], Text::Navigate),
    ("category", &["term", "scheme", "label"], Text::None),
    ("generator", &["uri", "version"], Text::Words),
    ("icon", &[], Text::Fetch),
    ("logo", &[], Text::Fetch),
];

/// Sitemap protocol elements.
const SITEMAP_ELEMENTS: &[(&str, &[&str], Text)] = &[
    ("urlset", &[], Text::None),
    ("url", &[], Text::None),
    ("loc", &[], Text::Navigate),
    ("lastmod", &[], Text::Words),
    ("changefreq", &[], Text::Words),
    ("priority", &[], Text::Words),
];

/// Reads an XML output and writes it again from what is admitted: the
/// declaration, the format's own elements and attributes, and their text
/// (decoded, then escaped anew). Comments are left out.
pub fn gate(text: &str, published: &Published, page: &Url) -> Gated {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut r = Rebuild {
        published,
        page,
        out: String::with_capacity(text.len()),
        problems: Vec::new(),
        vocabulary: None,
        current: Text::None,
        pending: String::new(),
        open: 0,
    };
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(e) => e,
            Err(e) => {
                r.refuse(format!("it is not well-formed XML: {e}"));
                return r.finish();
            }
        };
        match event {
            Event::Eof => {
                r.flush();
                if r.open > 0 {
                    r.refuse("it ends before its elements are closed".into());
                }
                return r.finish();
            }
            Event::Decl(_) => r.out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            Event::Comment(_) => {}
            Event::PI(_) | Event::DocType(_) => r.refuse(
                "it has a processing instruction or DOCTYPE, which can make a browser load a stylesheet or another file".into(),
            ),
            Event::Start(e) => {
                r.flush();
                r.open += 1;
                r.current = r.start(&e, &ns, false);
            }
            Event::Empty(e) => {
                r.flush();
                r.start(&e, &ns, true);
                r.current = Text::None;
            }
            Event::End(e) => {
                r.flush();
                r.open = r.open.saturating_sub(1);
                r.current = Text::None;
                r.out.push_str("</");
                r.out.push_str(&String::from_utf8_lossy(e.local_name().as_ref()));
                r.out.push('>');
            }
            Event::Text(t) => match t.decode() {
                Ok(v) => r.pending.push_str(&v),
                Err(e) => r.refuse(format!("its text cannot be read: {e}")),
            },
            Event::CData(c) => match std::str::from_utf8(&c) {
                Ok(v) => r.pending.push_str(v),
                Err(e) => r.refuse(format!("its text cannot be read: {e}")),
            },
            Event::GeneralRef(g) => match reference(&g) {
                Some(c) => r.pending.push(c),
                None => r.refuse(format!(
                    "it uses an entity &{}; that XML does not define",
                    String::from_utf8_lossy(&g)
                )),
            },
        }
    }
}

/// What a reference in text stands for: one of XML's own five entities
/// or a character reference.
fn reference(r: &quick_xml::events::BytesRef) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    let name: &[u8] = r;
    match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}

/// XML 1.0's `Char` production: the characters a document may hold.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text or a double-quoted attribute value with XML's own
/// entities.
fn escape_xml(s: &str, out: &mut String) {
    escape(s, out, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        _ => None,
    });
}

struct Rebuild<'a> {
    published: &'a Published,
    page: &'a Url,
    out: String,
    problems: Vec<Problem>,
    vocabulary: Option<Vocabulary>,
    /// What the open element's text is.
    current: Text,
    /// Its text so far, decoded: checked and written whole when the next
    /// tag comes, so an address split by a reference is read as one.
    pending: String,
    open: usize,
}

impl Rebuild<'_> {
    fn refuse(&mut self, message: String) {
        self.problems.push(problem(message));
    }

    fn finish(self) -> Gated {
        Gated {
            html: self.out,
            problems: self.problems,
        }
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.pending);
        if let Err(m) = words(&text, self.current, self.published, self.page) {
            self.refuse(m);
        }
        if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
            self.refuse(format!(
                "its text holds the character U+{:04X}, which XML cannot carry",
                c as u32
            ));
            return;
        }
        escape_xml(&text, &mut self.out);
    }

    /// Reads and writes a start or empty tag; what its text is.
    fn start(&mut self, e: &BytesStart, ns: &ResolveResult, empty: bool) -> Text {
        let vocab = *self.vocabulary.get_or_insert_with(|| match ns {
            ResolveResult::Bound(n) if n.as_ref() == SITEMAP => (SITEMAP, SITEMAP_ELEMENTS),
            _ => (ATOM, ATOM_ELEMENTS),
        });
        let (kind, attrs) = match element(e, ns, vocab) {
            Ok(verdict) => verdict,
            Err(message) => {
                self.refuse(message);
                return Text::None;
            }
        };
        self.out.push('<');
        self.out
            .push_str(&String::from_utf8_lossy(e.local_name().as_ref()));
        for (name, value) in attrs {
            if let Some(why) = attribute(&name, &value, self.published, self.page) {
                self.refuse(why);
                continue;
            }
            if value.chars().any(|c| !is_xml_char(c)) {
                self.refuse(format!(
                    "the attribute {name} holds a character XML cannot carry"
                ));
                continue;
            }
            self.out.push(' ');
            self.out.push_str(&name);
            self.out.push_str("=\"");
            escape_xml(&value, &mut self.out);
            self.out.push('"');
        }
        self.out.push_str(if empty { "/>" } else { ">" });
        kind
    }
}

fn problem(message: String) -> Problem {
    Problem {
        rule: "xml-not-allowed",
        message,
        fix: "write feeds as Atom with plain-text titles and summaries, and sitemaps with <url><loc> only: nothing else is published",
        near: Vec::new(),
    }
}

type Vocabulary = (
    &'static [u8],
    &'static [(&'static str, &'static [&'static str], Text)],
);

/// An element's verdict: what its text is and its attributes, or why it
/// is refused.
fn element(
    e: &BytesStart,
    ns: &ResolveResult,
    (uri, elements): Vocabulary,
) -> Result<(Text, Vec<(String, String)>), String> {
    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let in_vocab = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == uri);
    let Some((_, allowed, text)) = elements
        .iter()
        .find(|(n, _, _)| *n == local)
        .filter(|_| in_vocab)
    else {
        return Err(format!(
            "<{local}> is not an element of an Atom feed or a sitemap"
        ));
    };
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("an attribute of <{local}> cannot be read: {err}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| format!("an attribute of <{local}> cannot be read: {err}"))?
            .into_owned();
        let namespace_of_feed = key == "xmlns" && value.as_bytes() == uri;
        if namespace_of_feed || key == "xml:lang" {
            attrs.push((key, value));
            continue;
        }
        if !allowed.contains(&key.as_str()) {
            return Err(format!(
                "the attribute {key} on <{local}> is not one a feed or sitemap may use"
            ));
        }
        if key == "type"
            && !matches!(
                value.as_str(),
                "text" | "text/html" | "application/atom+xml" | "text/calendar"
            )
            || (key == "type" && local != "link" && value != "text")
        {
            return Err(format!(
                "<{local} type={value:?}>: feeds carry plain text only, which a feed reader shows as it is"
            ));
        }
        if key == "rel" && !matches!(value.as_str(), "self" | "alternate" | "related") {
            return Err(format!(
                "<link rel={value:?}> is not a link a feed may have (an enclosure is downloaded)"
            ));
        }
        attrs.push((key, value));
    }
    Ok((*text, attrs))
}

fn attribute(name: &str, value: &str, published: &Published, page: &Url) -> Option<String> {
    let how = match name {
        "href" | "uri" | "scheme" => Use::Navigate,
        _ => return None,
    };
    published
        .resolve(value, page, how)
        .err()
        .map(|Refused { why, .. }| why)
}

fn words(value: &str, what: Text, published: &Published, page: &Url) -> Result<(), String> {
    let how = match what {
        Text::Fetch => Use::Fetch,
        Text::Navigate => Use::Navigate,
        Text::Words => return Ok(()),
        Text::None if value.trim().is_empty() => return Ok(()),
        Text::None => {
            return Err(format!(
                "text {:?} stands where the format has none",
                value.trim().chars().take(40).collect::<String>()
            ));
        }
    };
    published
        .resolve(value.trim(), page, how)
        .map(|_| ())
        .map_err(|r| r.why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(xml: &str) -> Vec<String> {
        let p = Published::new(
            "https://www.example.sch.uk",
            ["/media/a.jpg".to_string()],
            ["/".to_string(), "/news/".to_string()],
        );
        let page = p.page_url("/news/atom.xml");
        gate(xml, &p, &page)
            .problems
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn a_feed_and_a_sitemap_as_the_default_theme_writes_them() {
        let feed = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\"><title>News &amp; views</title><link rel=\"alternate\" type=\"text/html\" href=\"https://www.example.sch.uk/news/\"/><id>x</id><entry><title>A</title><summary>Fish &lt;chips&gt;</summary></entry></feed>";
        assert!(problems(feed).is_empty(), "{:?}", problems(feed));
        let map = "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>https://www.example.sch.uk/news/</loc><lastmod>2026-01-01</lastmod></url></urlset>";
        assert!(problems(map).is_empty(), "{:?}", problems(map));
    }

    fn rebuilt(xml: &str) -> String {
        let p = Published::new("https://www.example.sch.uk", [], ["/news/".to_string()]);
        let page = p.page_url("/news/atom.xml");
        let g = gate(xml, &p, &page);
        assert!(g.problems.is_empty(), "{:?}", g.problems);
        g.html
    }

    #[test]
    fn a_feed_is_written_again_from_what_it_says() {
        let feed = "<?xml version='1.0' encoding='UTF-8'?>\n<!-- made by hand --><feed xmlns='http://www.w3.org/2005/Atom' xml:lang='en'><title>Fish &amp; chips &#x263A; &lt;b&gt;\u{a0}<![CDATA[<i>]]></title><link href='https://www.example.sch.uk/news/?a=1&amp;b=2' rel='alternate'/></feed>";
        assert_eq!(
            rebuilt(feed),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\"><title>Fish &amp; chips \u{263A} &lt;b&gt;\u{a0}&lt;i&gt;</title><link href=\"https://www.example.sch.uk/news/?a=1&amp;b=2\" rel=\"alternate\"/></feed>"
        );
    }

    #[test]
    fn an_address_split_by_a_reference_is_read_whole() {
        // The text is "https://evil.example/x.png": were each piece read
        // alone, "x.png" would look like a path of this site.
        let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><logo>https&#x3A;//evil.example/x.png</logo></feed>";
        assert!(!problems(feed).is_empty());
        let near =
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><logo>/media/a&#46;jpg</logo></feed>";
        assert!(problems(near).is_empty(), "{:?}", problems(near));
    }

    #[test]
    fn text_xml_cannot_carry_is_refused() {
        let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>a&#1;b</title></feed>";
        assert!(!problems(feed).is_empty());
    }

    #[test]
    fn xml_that_a_browser_would_render_as_a_page_is_refused() {
        for bad in [
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><img src=\"https://evil.example/x.png\"/></body></html>",
            "<?xml-stylesheet href=\"https://evil.example/x.xsl\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
            "<!DOCTYPE feed [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feed xmlns=\"http://www.w3.org/2005/Atom\">&x;</feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">&lt;img src=x&gt;</content></entry></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"/></content></entry></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><link rel=\"enclosure\" href=\"https://evil.example/kids.jpg\"/></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><icon>https://evil.example/x.png</icon></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><link href=\"javascript:alert(1)\"/></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:img src=\"x\"/></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>cut",
        ] {
            assert!(!problems(bad).is_empty(), "admitted: {bad}");
        }
    }
}
