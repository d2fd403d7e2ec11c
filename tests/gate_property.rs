//! A property test of the gate: hostile pages built from a grammar of
//! every construct that carries an address, nested and encoded in the
//! ways HTML and CSS allow (character references, escapes, case, white
//! space, comments, quoting). Whatever the gate writes is read again by
//! an independent reader (html5ever for the markup, cssparser's tokens
//! for CSS, the WHATWG URL parser for addresses), which checks that every
//! address in it is a published file, a link a reader may follow, or
//! nothing at all; that writing it again changes nothing; and that every
//! hostile thing put in was reported.

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use proptest::prelude::*;
use schoolsite::render::gate::{self, Published, policy::Policy};
use url::Url;

const SITE: &str = "https://www.test.example.sch.uk";

fn published() -> Published {
    Published::new(
        SITE,
        ["/media/ok.jpg".to_string(), "/style.css".to_string()],
        ["/".to_string(), "/news/".to_string()],
    )
}

/// Addresses, and whether each is refused whatever it is used for.
const ADDRESSES: &[(&str, bool)] = &[
    ("/media/ok.jpg", false),
    ("../media/ok.jpg", false),
    ("https://www.test.example.sch.uk/media/ok.jpg", false),
    ("/style.css", false),
    ("#top", false),
    ("https://evil.example/x.jpg", false),
    ("//evil.example/x.jpg", false),
    ("\\\\evil.example/x.jpg", false),
    ("HTTPS://EVIL.EXAMPLE/x", false),
    ("http://www.test.example.sch.uk/media/ok.jpg", false),
    ("data:image/png;base64,AAAA", true),
    ("javascript:alert(1)", true),
    ("vbscript:msgbox", true),
    ("blob:https://evil.example/1", true),
    ("file:///etc/passwd", true),
    ("/consent/register.csv", true),
    ("/media/../consent/register.csv", true),
];

/// Ways an attribute value can spell the same address.
fn encode_attribute(url: &str, how: u8, at: usize) -> String {
    let at = if url.is_empty() { 0 } else { at % url.len() };
    let (head, tail) = url.split_at(
        url.char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= at)
            .unwrap_or(0),
    );
    match how % 9 {
        0 => url.to_string(),
        1 => url.to_uppercase(),
        2 => format!("{head}\t{tail}"),
        3 => format!(" \n{url} "),
        4 => url.replace(':', "&colon;"),
        5 => url.chars().map(|c| format!("&#{};", c as u32)).collect(),
        6 => url.chars().map(|c| format!("&#x{:X};", c as u32)).collect(),
        7 => format!("{head}&NewLine;{tail}"),
        _ => format!("\u{1}{url}"),
    }
}

/// Ways CSS can spell the same address.
fn encode_css(url: &str, how: u8) -> String {
    match how % 6 {
        0 => format!("url({url})"),
        1 => format!("URL( \"{url}\" )"),
        2 => format!("\\75 rl('{url}')"),
        3 => format!("u\\72l({url})"),
        4 => format!("image-set(\"{url}\" 1x)"),
        _ => format!("url(/**/{url})").replace("/**/", ""),
    }
}

/// One construct holding an address; whether it is refused whatever the
/// address is.
fn construct(kind: u8, u: &str, css: &str) -> (String, bool) {
    match kind % 30 {
        0 => (format!("<img src=\"{u}\" alt=\"x\">"), false),
        1 => (
            format!("<img srcset='{u} 1x, /media/ok.jpg 2x' alt=x>"),
            false,
        ),
        2 => (format!("<a href=\"{u}\">x</a>"), false),
        3 => (format!("<link rel=\"stylesheet\" href=\"{u}\">"), false),
        4 => (format!("<LiNk ReL=ICON HREF='{u}'>"), false),
        5 => (format!("<script src=\"{u}\"></script>"), false),
        6 => (format!("<iframe src=\"{u}\"></iframe>"), true),
        7 => (format!("<object data=\"{u}\"></object>"), true),
        8 => (format!("<embed src=\"{u}\">"), true),
        9 => (
            format!("<video poster=\"{u}\"><source src=\"{u}\"><track src=\"{u}\"></video>"),
            false,
        ),
        10 => (format!("<input type=\"image\" src=\"{u}\">"), true),
        11 => (
            format!("<form action=\"{u}\"><button formaction=\"{u}\">x</button></form>"),
            true,
        ),
        12 => (
            format!("<table background=\"{u}\"><tr><td>x</td></tr></table>"),
            true,
        ),
        13 => (
            format!("<svg><use href=\"{u}\"/><image xlink:href=\"{u}\"/></svg>"),
            true,
        ),
        14 => (
            format!("<meta http-equiv=\"refresh\" content=\"0;url={u}\">"),
            true,
        ),
        15 => (
            format!("<meta property=\"og:image\" content=\"{u}\">"),
            false,
        ),
        16 => (format!("<base href=\"{u}\">"), true),
        17 => (format!("<div style=\"background:{css}\">x</div>"), false),
        18 => (
            format!("<style>@import \"{u}\"; .a{{background-image:{css}}}</style>"),
            false,
        ),
        19 => (format!("<math><mi xlink:href=\"{u}\">x</mi></math>"), true),
        20 => (
            format!("<noscript><img src=\"{u}\" alt=x></noscript>"),
            false,
        ),
        21 => (
            format!("<template><img src=\"{u}\" alt=x></template>"),
            true,
        ),
        22 => (format!("<svg><style>@import \"{u}\";</style></svg>"), true),
        23 => (format!("<div data-x=\"{u}\">x</div>"), false),
        24 => (
            format!("<img src=/media/ok.jpg onerror=\"location='{u}'\" alt=x>"),
            true,
        ),
        25 => (
            format!("<p title=\"</noscript><img src={u}>\">x</p>"),
            false,
        ),
        26 => (
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></p></noscript>"
                .to_string(),
            false,
        ),
        27 => (format!("<style>.a{{background:{css}}}</style>"), false),
        28 => (
            format!("<a href=\"{u}\" style=\"cursor:pointer\"><img src=\"{u}\" alt=x></a>"),
            false,
        ),
        _ => (format!("<!-- <img src=\"{u}\"> --><p>{u}</p>"), false),
    }
}

fn page_strategy() -> impl Strategy<Value = (String, bool)> {
    let piece = (
        0u8..30,
        0usize..ADDRESSES.len(),
        any::<u8>(),
        0usize..40,
        any::<u8>(),
        0u8..4,
    );
    prop::collection::vec(piece, 1..6).prop_map(|pieces| {
        let mut hostile = false;
        let mut body = String::new();
        let mut closers = Vec::new();
        for (kind, addr, how, at, css_how, wrap) in pieces {
            let (url, refused) = ADDRESSES[addr];
            let u = encode_attribute(url, how, at);
            let css = encode_css(url, css_how);
            let (markup, always) = construct(kind, &u, &css);
            // A construct that loads its address must see it refused if
            // the address is one that is refused for every use.
            let loads = !matches!(kind % 30, 23 | 25 | 26 | 29);
            hostile |= always || (refused && loads);
            match wrap {
                0 => body.push_str(&markup),
                1 => {
                    body.push_str("<div><p>");
                    body.push_str(&markup);
                    closers.push("</p></div>");
                }
                2 => body.push_str(&format!("<table><tr><td>{markup}</td></tr></table>")),
                _ => body.push_str(&format!("<ul><li>{markup}<li>x</ul>")),
            }
        }
        for c in closers.into_iter().rev() {
            body.push_str(c);
        }
        (
            format!("<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"),
            hostile,
        )
    })
}

/// The independent reader's verdict on an address the output holds.
fn acceptable(raw: &str, follow: bool) -> bool {
    let page = Url::parse(&format!("{SITE}/news/")).expect("base");
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    if trimmed.starts_with('#') {
        return true;
    }
    let Ok(url) = page.join(raw) else {
        return false;
    };
    let ours = url.scheme() == "https" && url.host_str() == Some("www.test.example.sch.uk");
    if ours && ["/media/ok.jpg", "/style.css"].contains(&url.path()) {
        return true;
    }
    follow
        && ((url.scheme() == "https" || url.scheme() == "http")
            && (!ours || ["/", "/news/"].contains(&url.path()))
            || url.scheme() == "mailto"
            || url.scheme() == "tel")
}

/// Every string and URL token of CSS, read with cssparser directly.
fn css_addresses(css: &str, out: &mut Vec<String>) {
    fn walk(p: &mut cssparser::Parser<'_, '_>, out: &mut Vec<String>) {
        while let Ok(t) = p.next_including_whitespace_and_comments() {
            match t.clone() {
                cssparser::Token::UnquotedUrl(u) | cssparser::Token::QuotedString(u) => {
                    out.push(u.to_string())
                }
                cssparser::Token::BadUrl(u) => out.push(format!("bad:{u}")),
                cssparser::Token::Function(_)
                | cssparser::Token::ParenthesisBlock
                | cssparser::Token::CurlyBracketBlock
                | cssparser::Token::SquareBracketBlock => {
                    let _ = p.parse_nested_block(|inner| {
                        walk(inner, out);
                        Ok::<(), cssparser::ParseError<'_, ()>>(())
                    });
                }
                _ => {}
            }
        }
    }
    let mut input = cssparser::ParserInput::new(css);
    walk(&mut cssparser::Parser::new(&mut input), out);
}

/// What the reader finds wrong in what the gate wrote.
fn read_back(html: &str) -> Vec<String> {
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(html);
    let mut wrong = Vec::new();
    visit(&dom.document, &mut wrong, false);
    wrong
}

fn visit(node: &Handle, wrong: &mut Vec<String>, in_style: bool) {
    match &node.data {
        NodeData::Comment { .. } => wrong.push("a comment was kept".into()),
        NodeData::Text { contents } if in_style => {
            let mut found = Vec::new();
            css_addresses(&contents.borrow(), &mut found);
            for a in found {
                if !acceptable(&a, false) {
                    wrong.push(format!("<style> holds {a:?}"));
                }
            }
        }
        NodeData::Element {
            name,
            attrs,
            template_contents,
            ..
        } => {
            let local: &str = &name.local;
            if template_contents.borrow().is_some()
                || [
                    "iframe", "object", "embed", "base", "frame", "math", "template",
                ]
                .contains(&local)
            {
                wrong.push(format!("<{local}> was kept"));
            }
            for a in attrs.borrow().iter() {
                let attr: &str = &a.name.local;
                let value: &str = &a.value;
                let csp = attr == "http-equiv" && value == "Content-Security-Policy";
                if attr.starts_with("on")
                    || (attr == "http-equiv" && !csp)
                    || attr == "formaction"
                    || attr == "background"
                {
                    wrong.push(format!("{attr} was kept"));
                }
                let follow = local == "a" && attr == "href";
                match attr {
                    "src" | "href" | "poster" | "data" | "action" | "cite"
                        if !acceptable(value, follow) =>
                    {
                        wrong.push(format!("<{local} {attr}={value:?}>"));
                    }
                    "srcset" => {
                        for candidate in value.split(',') {
                            let u = candidate.split_whitespace().next().unwrap_or("");
                            if !acceptable(u, false) {
                                wrong.push(format!("srcset holds {u:?}"));
                            }
                        }
                    }
                    "style" => {
                        let mut found = Vec::new();
                        css_addresses(value, &mut found);
                        for u in found {
                            if !acceptable(&u, false) {
                                wrong.push(format!("style holds {u:?}"));
                            }
                        }
                    }
                    "content"
                        if local == "meta" && value.contains(':') && !acceptable(value, false) =>
                    {
                        wrong.push(format!("<meta content={value:?}>"));
                    }
                    _ => {}
                }
            }
            let style = local == "style";
            for child in node.children.borrow().iter() {
                visit(child, wrong, style);
            }
            return;
        }
        _ => {}
    }
    for child in node.children.borrow().iter() {
        visit(child, wrong, in_style);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, .. ProptestConfig::default() })]

    #[test]
    fn every_address_the_gate_writes_is_published_or_refused((html, hostile) in page_strategy()) {
        let published = published();
        let page = published.page_url("/news/");
        let policy = Policy::theme();
        let gated = gate::page(&html, &policy, &published, &page);
        let wrong = read_back(&gated.html);
        prop_assert!(wrong.is_empty(), "{wrong:?}\nin: {html}\nout: {}", gated.html);
        if hostile {
            prop_assert!(!gated.problems.is_empty(), "nothing reported for: {html}");
        }
        // What the gate writes, it admits as it is.
        let again = gate::page(&gated.html, &policy, &published, &page);
        prop_assert!(again.problems.is_empty(), "{:?}\n{}", again.problems, gated.html);
        prop_assert_eq!(&again.html, &gated.html);
    }
}

#[test]
fn a_page_of_published_things_passes_unchanged_in_meaning() {
    let published = published();
    let page = published.page_url("/news/");
    let html = "<!DOCTYPE html><html lang=\"en\"><head><title>t</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><p>Fish &amp; chips</p><img src=\"/media/ok.jpg\" alt=\"A tree\"><a href=\"https://example.org/\">x</a><pre>\n\nindented</pre></body></html>";
    let gated = gate::page(html, &Policy::theme(), &published, &page);
    assert!(gated.problems.is_empty(), "{:?}", gated.problems);
    assert!(
        gated.html.contains("<p>Fish &amp; chips</p>"),
        "{}",
        gated.html
    );
    assert!(
        gated
            .html
            .contains("<img src=\"/media/ok.jpg\" alt=\"A tree\">"),
        "{}",
        gated.html
    );
    assert!(
        gated.html.contains("<pre>\n\nindented</pre>"),
        "{}",
        gated.html
    );
    assert!(read_back(&gated.html).is_empty());
}

/// Found by the fuzzer: misnested markup leaves a heading inside another,
/// a tree HTML cannot write so that it reads back the same. What matters
/// holds: the page the gate wrote has nothing to refuse, the independent
/// reader finds nothing wrong in it, and a second pass is its settled
/// shape.
/// A fuzz fixture's three passes through the gate as a whole theme page:
/// the first and second pass's HTML, after asserting the second has
/// nothing to refuse and a third changes nothing.
fn three_passes(fixture: &str) -> (String, String) {
    let input = std::fs::read(format!(
        "{}/tests/fixtures/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let text = String::from_utf8_lossy(&input);
    let published = published();
    let page = published.page_url("/news/");
    let policy = Policy::theme();
    let first = gate::page(&text, &policy, &published, &page);
    let again = gate::page(&first.html, &policy, &published, &page);
    assert!(again.problems.is_empty(), "{:?}", again.problems);
    let settled = gate::page(&again.html, &policy, &published, &page);
    assert_eq!(settled.html, again.html, "{fixture} did not settle");
    (first.html, again.html)
}

#[test]
fn a_tree_html_cannot_write_back_still_passes_and_settles() {
    let (first, again) = three_passes("fuzz-gate-misnested-heading.html");
    assert!(read_back(&first).is_empty());
    assert_ne!(again, first, "the fixture no longer shows the case");
}

/// Found by the gate's fuzz target seeded with the example site's pages:
/// misnested markup left a link inside a link. HTML cannot write that (a
/// browser closes the first link where the second starts), so every pass
/// moved the links again and the page never settled. The inner link is
/// written as its contents; the near miss, links side by side, keeps
/// both.
#[test]
fn a_link_left_inside_a_link_is_written_as_its_text_and_settles() {
    let (_, settled) = three_passes("fuzz-gate-nested-link.html");
    assert!(settled.contains("accessibility statement"));

    let published = published();
    let page = published.page_url("/news/");

    let side_by_side = "<p><a href=\"/\">Home</a> and <a href=\"/news/\">News</a></p>";
    let (markdown, _) = Policy::markdown(&[]);
    let own = std::collections::HashSet::new();
    let out = gate::fragment(
        side_by_side,
        &markdown,
        &published,
        &page,
        gate::Loads::Only(&own),
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(out.html.matches("<a href=").count(), 2, "{}", out.html);
}
