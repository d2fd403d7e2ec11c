//! Markdown through pulldown-cmark: a scan at load time (links, images,
//! headings, raw HTML media) and the HTML rendering used by `render`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// A link or image found in a document, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub url: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    pub url: String,
    pub alt: String,
    pub line: usize,
}

/// What a document's Markdown refers to.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub links: Vec<Reference>,
    pub images: Vec<ImageReference>,
    /// Whether the Markdown has raw HTML in it (which the gate then reads
    /// with the narrower list raw HTML may use).
    pub raw_html: bool,
    /// Heading ids, for checking `@/page.md#anchor` links.
    pub anchors: Vec<String>,
    /// Lines where text looks like a Zola shortcode call
    /// (`{{ youtube(id="…") }}`), which schoolsite does not run.
    pub shortcodes: Vec<usize>,
}

/// Maps byte offsets in a body to 1-based file lines.
struct Lines {
    starts: Vec<usize>,
    first_line: usize,
}

impl Lines {
    fn new(text: &str, first_line: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts, first_line }
    }

    fn line(&self, offset: usize) -> usize {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        self.first_line + idx
    }
}

/// How deeply Markdown may nest quotes and lists. Parsers slow down with
/// the square of the depth; no school page nests past a handful.
pub const MAX_NESTING: usize = 64;

/// The first line (counting from `first_line`) that opens more than
/// [`MAX_NESTING`] quotes and lists, or is indented past any list's
/// need: read before the Markdown is parsed.
pub fn too_deep(body: &str, first_line: usize) -> Option<usize> {
    body.lines()
        .position(|line| {
            let indent = line.len() - line.trim_start().len();
            let mut opened = 0;
            let mut rest = line;
            loop {
                rest = rest.trim_start();
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let after = &rest[digits..];
                let marker = match after.as_bytes() {
                    [b'>', ..] => 1,
                    [b'-' | b'*' | b'+', b' ' | b'\t', ..] if digits == 0 => 1,
                    [b'.' | b')', b' ' | b'\t', ..] if digits > 0 => 1,
                    _ => 0,
                };
                if marker == 0 {
                    break;
                }
                opened += 1;
                rest = &after[1..];
            }
            opened > MAX_NESTING || indent > MAX_NESTING * 16
        })
        .map(|i| first_line + i)
}

/// Scans a body for references. `first_line` is the file line the body
/// starts on.
pub fn scan(body: &str, first_line: usize) -> Scan {
    let lines = Lines::new(body, first_line);
    let mut scan = Scan::default();
    let mut ids = HeadingIds::default();
    let mut image: Option<ImageReference> = None;
    let mut heading: Option<(Option<String>, String)> = None;
    // Consecutive text (smart quotes split it), checked for shortcodes.
    let mut run = (0usize, String::new());
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Event::Text(t) = &event {
            if run.1.is_empty() {
                run.0 = range.start;
            }
            run.1.push_str(t);
        } else if !run.1.is_empty() {
            if looks_like_shortcode(&run.1) {
                scan.shortcodes.push(lines.line(run.0));
            }
            run.1.clear();
        }
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some(ImageReference {
                    url: dest_url.to_string(),
                    alt: String::new(),
                    line: lines.line(range.start),
                });
            }
            Event::End(TagEnd::Image) => {
                if let Some(img) = image.take() {
                    scan.images.push(img);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => scan.links.push(Reference {
                url: dest_url.to_string(),
                line: lines.line(range.start),
            }),
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((id.map(|i| i.to_string()), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, text)) = heading.take() {
                    scan.anchors.push(ids.assign(id.as_deref(), &text));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(img) = image.as_mut() {
                    img.alt.push_str(&t);
                }
                if let Some((_, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => scan.raw_html = true,
            _ => {}
        }
    }
    scan
}

/// Whether text holds `{{ name(` or `{% name(`: a Zola shortcode call,
/// which would be published as it is written.
fn looks_like_shortcode(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{').or_else(|| after.strip_prefix('%')) {
            let inner = inner.trim_start();
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            if name_len > 0 && inner[name_len..].trim_start().starts_with('(') {
                return true;
            }
        }
        rest = after;
    }
    false
}

/// Heading ids: the explicit `{#id}` if given, else a slug of the text,
/// made unique with `-1`, `-2`…
#[derive(Default)]
struct HeadingIds {
    used: HashMap<String, usize>,
}

impl HeadingIds {
    fn assign(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = match explicit {
            Some(id) => id.to_string(),
            None => {
                let s = slug::slugify(text);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            }
        };
        let n = self.used.entry(base.clone()).or_insert(0);
        let id = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        id
    }
}

/// An image as the renderer should write it: the published URL and size.
#[derive(Debug, Clone)]
pub struct ImageOut {
    pub src: String,
    pub width: u32,
    pub height: u32,
    /// `url 480w, url 960w, …`, or empty when there is one size.
    pub srcset: String,
    /// What element shows it.
    pub element: Element,
    /// For a video: its captions' address, when it has them.
    pub captions: Option<String>,
}

/// How a file written with image syntax (`![…](file)`) is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    Img,
    /// `<video controls>`: never autoplaying, with a captions track.
    Video,
    /// `<audio controls>`.
    Audio,
}

/// An entry of a page's table of contents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// Rendered Markdown.
pub struct Html {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The words a reader sees, one block per line (for the search
    /// index).
    pub text: String,
}

/// Renders a body to HTML. `link` maps a link target (`@/page.md`, or a
/// file in `content/`) to its published URL, `None` leaving it as written;
/// `image` maps an image reference to its published form.
pub fn render(
    body: &str,
    link: &dyn Fn(&str) -> Option<String>,
    image: &dyn Fn(&str) -> Option<ImageOut>,
) -> Html {
    let mut ids = HeadingIds::default();
    let mut toc: Vec<TocEntry> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut text = String::new();
    let mut images = 0;
    let mut parser = Parser::new_ext(body, options());
    while let Some(event) = parser.next() {
        match &event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => text.push('\n'),
            _ => {}
        }
        match event {
            // A wide table scrolls inside its own box, which keyboard
            // users can focus and screen readers name after the heading
            // above it; the page itself never scrolls sideways.
            Event::Start(Tag::Table(align)) => {
                let label = toc
                    .last()
                    .map_or("Table".to_string(), |h| format!("Table: {}", h.title));
                events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
                    escape(&label)
                ))));
                events.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let url = match link(&dest_url) {
                    Some(url) => CowStr::from(url),
                    None if dest_url.starts_with("@/") => CowStr::from("#broken-link"),
                    None => dest_url,
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let mut alt = String::new();
                for inner in parser.by_ref() {
                    match inner {
                        Event::End(TagEnd::Image) => break,
                        Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                        _ => {}
                    }
                }
                events.push(Event::Html(CowStr::from(image_html(
                    image(&dest_url),
                    &alt,
                    &title,
                    images == 0,
                ))));
                images += 1;
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut inner = Vec::new();
                let mut heading = String::new();
                for e in parser.by_ref() {
                    if let Event::End(TagEnd::Heading(_)) = e {
                        break;
                    }
                    if let Event::Text(t) | Event::Code(t) = &e {
                        heading.push_str(t);
                    }
                    inner.push(e);
                }
                text.push_str(&heading);
                text.push('\n');
                let anchor = ids.assign(id.as_deref(), &heading);
                toc.push(TocEntry {
                    level: level as u8,
                    id: anchor.clone(),
                    title: heading,
                });
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(anchor)),
                    classes,
                    attrs,
                }));
                events.extend(inner);
                events.push(Event::End(TagEnd::Heading(level)));
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Html { html, toc, text }
}

/// An image's HTML. The first image of a page is the one most likely to
/// be in view when it opens, so only later ones load lazily.
fn image_html(out: Option<ImageOut>, alt: &str, title: &str, first: bool) -> String {
    let alt = escape(alt);
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape(title))
    };
    match out {
        Some(media) if media.element != Element::Img => {
            let src = escape(&media.src);
            let track = media
                .captions
                .as_deref()
                .map(|c| {
                    format!(
                        "<track kind=\"captions\" src=\"{}\" srclang=\"en\" label=\"English\" default>",
                        escape(c)
                    )
                })
                .unwrap_or_default();
            // The description is the element's accessible name, and what
            // a browser that cannot play it shows.
            if media.element == Element::Video {
                format!(
                    "<video controls preload=\"metadata\" aria-label=\"{alt}\"{title}><source src=\"{src}\">{track}<a href=\"{src}\">{alt}</a></video>"
                )
            } else {
                format!(
                    "<audio controls preload=\"metadata\" aria-label=\"{alt}\"{title}><source src=\"{src}\"><a href=\"{src}\">{alt}</a></audio>"
                )
            }
        }
        Some(img) => {
            let srcset = if img.srcset.contains(',') {
                format!(
                    " srcset=\"{}\" sizes=\"(max-width: {w}px) 100vw, {w}px\"",
                    escape(&img.srcset),
                    w = img.width
                )
            } else {
                String::new()
            };
            let lazy = if first { "" } else { " loading=\"lazy\"" };
            format!(
                "<img src=\"{}\"{srcset} alt=\"{alt}\" width=\"{}\" height=\"{}\"{lazy} decoding=\"async\"{title}>",
                escape(&img.src),
                img.width,
                img.height
            )
        }
        // Only reached in a build that is already blocked.
        None => format!("<span class=\"missing-image\">[image not published: {alt}]</span>"),
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_references_with_lines() {
        let body = "# Title\n\nSee [the news](@/news/_index.md).\n\n![A tree](tree.jpg)\n\n<p><IMG src=x></p>\n\n## Title\n";
        let s = scan(body, 5);
        assert_eq!(
            s.links,
            vec![Reference {
                url: "@/news/_index.md".into(),
                line: 7
            }]
        );
        assert_eq!(s.images[0].alt, "A tree");
        assert_eq!(s.images[0].line, 9);
        assert!(s.raw_html);
        assert!(s.shortcodes.is_empty());
        assert_eq!(s.anchors, vec!["title", "title-1"]);
        let s = scan(
            "Watch:\n\n{{ youtube(id=\"dQw4\") }}\n\n`{{ not(this) }}`\n\n{% note() %}x{% end %}\n\n{ a(b) } and {{ plain }}\n",
            1,
        );
        assert_eq!(s.shortcodes, vec![3, 7]);
    }

    #[test]
    fn nesting_past_the_limit_is_found_before_parsing() {
        assert_eq!(too_deep("a\n> > quote\n- - list\n", 1), None);
        let deep = format!("x\n\n{}deep\n", "> ".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&deep, 5), Some(7));
        let lists = format!("{}x\n", "1. ".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&lists, 1), Some(1));
        assert_eq!(too_deep(&"-".repeat(500), 1), None);
    }

    #[test]
    fn render_rewrites_links_images_and_heading_ids() {
        let body = "## Sports day {#sports}\n\n[x](@/a.md) ![Fish & chips](t.jpg)\n\n| a |\n|---|\n| b |\n\n~~old~~ [^1]\n\n[^1]: note\n";
        let out = render(
            body,
            &|l| (l == "@/a.md").then(|| "/a/".to_string()),
            &|_| {
                Some(ImageOut {
                    src: "/media/abc.jpg".into(),
                    width: 4,
                    height: 3,
                    srcset: String::new(),
                    element: Element::Img,
                    captions: None,
                })
            },
        );
        assert!(
            out.html.contains("<h2 id=\"sports\">Sports day</h2>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("href=\"/a/\""));
        assert!(out.html.contains(
            "<img src=\"/media/abc.jpg\" alt=\"Fish &amp; chips\" width=\"4\" height=\"3\""
        ));
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("footnote"));
        assert_eq!(out.toc[0].id, "sports");
    }
}
