//! Feeds and sitemaps a theme's templates write: read with an XML parser
//! and admitted only as what they say they are. An Atom feed holds Atom
//! elements with plain-text content, and a sitemap holds sitemap
//! elements. No other namespace, no stylesheet instruction, no DOCTYPE
//! (whose entities could pull in other files), and every address through
//! the one resolver. A browser shown XHTML, SVG or an XSLT stylesheet in
//! a "feed" would render a page the HTML gate never saw.

use super::Problem;
use super::resolve::{Published, Refused, Use};
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

/// Reads an XML output; every problem it has.
pub fn check(text: &str, published: &Published, page: &Url) -> Vec<Problem> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut problems = Vec::new();
    let mut vocabulary: Option<Vocabulary> = None;
    let mut current = Text::None;
    let mut open = 0usize;
    loop {
        let event = reader.read_resolved_event();
        let (ns, event) = match event {
            Ok(e) => e,
            Err(e) => {
                problems.push(problem(format!("it is not well-formed XML: {e}")));
                return problems;
            }
        };
        match event {
            Event::Eof => {
                if open > 0 {
                    problems.push(problem("it ends before its elements are closed".into()));
                }
                return problems;
            }
            Event::Decl(_) | Event::Comment(_) => {}
            Event::PI(_) | Event::DocType(_) => {
                problems.push(problem(
                    "it has a processing instruction or DOCTYPE, which can make a browser load a stylesheet or another file".into(),
                ));
            }
            Event::Start(e) => {
                open += 1;
                current = start(&e, &ns, &mut vocabulary, published, page, &mut problems);
            }
            Event::Empty(e) => {
                start(&e, &ns, &mut vocabulary, published, page, &mut problems);
                current = Text::None;
            }
            Event::End(_) => {
                open = open.saturating_sub(1);
                current = Text::None;
            }
            Event::Text(t) => {
                let value = match t.decode() {
                    Ok(v) => v.into_owned(),
                    Err(e) => {
                        problems.push(problem(format!("its text cannot be read: {e}")));
                        continue;
                    }
                };
                if let Err(m) = words(&value, current, published, page) {
                    problems.push(problem(m));
                }
            }
            Event::CData(c) => {
                let value = String::from_utf8_lossy(&c).into_owned();
                if let Err(m) = words(&value, current, published, page) {
                    problems.push(problem(m));
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                if !matches!(name.as_str(), "amp" | "lt" | "gt" | "quot" | "apos")
                    && !name.starts_with('#')
                {
                    problems.push(problem(format!(
                        "it uses an entity &{name}; that XML does not define"
                    )));
                }
            }
        }
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

/// Reads a start or empty tag; what its text is.
fn start(
    e: &BytesStart,
    ns: &ResolveResult,
    vocabulary: &mut Option<Vocabulary>,
    published: &Published,
    page: &Url,
    problems: &mut Vec<Problem>,
) -> Text {
    let vocab = *vocabulary.get_or_insert_with(|| match ns {
        ResolveResult::Bound(n) if n.as_ref() == SITEMAP => (SITEMAP, SITEMAP_ELEMENTS),
        _ => (ATOM, ATOM_ELEMENTS),
    });
    match element(e, ns, vocab) {
        Ok((kind, attrs)) => {
            for (name, value) in attrs {
                problems.extend(attribute(&name, &value, published, page).map(problem));
            }
            kind
        }
        Err(message) => {
            problems.push(problem(message));
            Text::None
        }
    }
}

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
        check(xml, &p, &page)
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
