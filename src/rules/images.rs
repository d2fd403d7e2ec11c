//! Images: each must be a file in `content/` that exists, have alt text,
//! and never come from another site. Raw HTML that embeds media, in
//! Markdown or in templates, would bypass the sanitiser and is refused.

use super::Input;
use crate::content::RefKind;
use crate::content::paths::Target;
use crate::report::{Finding, Location};
use rayon::prelude::*;

pub fn check(input: &Input) -> Vec<Finding> {
    let site = input.site;
    let mut out = Vec::new();
    for r in site.references().filter(|r| r.kind == RefKind::Image) {
        let location = Location::line(r.doc.file(), r.line);
        match &r.target {
            Target::External => out.push(Finding::error(
                "image-external",
                location.clone(),
                format!("the image {:?} is on another website, so schoolsite cannot check or clean it", r.url),
                "download it, put it next to this page, and refer to it by its file name",
            )),
            Target::Escapes => out.push(Finding::error(
                "path-escape",
                location.clone(),
                format!("the image {:?} is outside content/; nothing outside content/ is published", r.url),
                "copy the photo next to this page and refer to it by its file name",
            )),
            Target::SiteAbsolute | Target::Other | Target::Document(..) => out.push(Finding::error(
                "image-missing",
                location.clone(),
                format!("the image {:?} is not a file in content/", r.url),
                "put the photo next to this page (a folder with index.md) and write ![description](photo.jpg)",
            )),
            Target::Content(path) => {
                if site.escapes(path) {
                    // Reported on the link itself by the loader.
                } else if !site.has_file(path) {
                    out.push(Finding::error(
                        "image-missing",
                        location.clone(),
                        format!("the image {:?} is not there (looked for content/{path})", r.url),
                        "check the file name and its capital letters, or add the photo",
                    ));
                } else if let Some(Ok(processed)) = input.content_files.get(path)
                    && !processed.kind().is_image()
                    && !processed.kind().is_video_or_audio()
                {
                    out.push(Finding::error(
                        "image-missing",
                        location.clone(),
                        format!(
                            "the image {:?} is {}, not a picture, so it cannot be shown as an image",
                            r.url,
                            processed.kind().name()
                        ),
                        "link to it instead: [Autumn newsletter (PDF)](newsletter.pdf), without the !",
                    ));
                }
            }
        }
        if r.alt.trim().is_empty() {
            out.push(Finding::error(
                "image-alt",
                location,
                format!("the image {:?} has no alt text", r.url),
                "describe the photo in the brackets, e.g. ![Children planting bulbs in the school garden](garden.jpg); never use a pupil's full name",
            ));
        }
    }
    for doc in site.documents() {
        for (line, tag) in &doc.scan.raw_media {
            out.push(Finding::error(
                "raw-html-media",
                Location::line(doc.file(), *line),
                format!("raw HTML <{tag}> puts media on the page without the sanitiser"),
                "use Markdown image syntax ![description](photo.jpg) instead",
            ));
        }
    }
    // Every published page, in parallel: this reads every byte of HTML.
    out.par_extend(input.pages.par_iter().flat_map_iter(|page| {
        external_sources(page.html()).into_iter().map(move |src| {
            let file = page.source().unwrap_or("templates").to_string();
            Finding::error(
                "image-external",
                Location::file(file),
                format!("the published page {} loads {src:?} from another website (written by a template)", page.path()),
                "serve the file from the theme's static/ folder instead",
            )
        })
    }));
    out
}

/// Tags that load media.
const MEDIA_TAGS: &[&[u8]] = &[
    b"img", b"source", b"video", b"audio", b"iframe", b"embed", b"object", b"track", b"input",
];

/// Attributes of those tags that name what is loaded.
const SOURCE_ATTRIBUTES: &[&[u8]] = &[b"src", b"srcset", b"poster", b"data"];

/// `src`/`srcset`/`poster`/`data` values of media tags in HTML that point
/// at another site. One pass over the page: each `<` is looked at once,
/// and only a media tag's attributes are read.
fn external_sources(html: &str) -> Vec<String> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + p + 1;
        let name_end = start
            + bytes[start..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(bytes.len() - start);
        let name = &bytes[start..name_end];
        i = name_end.max(start);
        if !MEDIA_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            continue;
        }
        i = read_attributes(html, name_end, |attr, value| {
            if !SOURCE_ATTRIBUTES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(attr.as_bytes()))
            {
                return;
            }
            for candidate in value.split(',') {
                let url = candidate.split_whitespace().next().unwrap_or("");
                let l = url.as_bytes();
                let starts = |p: &[u8]| l.len() >= p.len() && l[..p.len()].eq_ignore_ascii_case(p);
                if starts(b"http:") || starts(b"https:") || starts(b"//") || starts(b"data:") {
                    found.push(url.to_string());
                }
            }
        });
    }
    found
}

/// Reads the attributes of a tag from `at` (just after its name) to its
/// `>`, calling `each(name, value)`; returns the offset after the tag.
fn read_attributes(html: &str, mut at: usize, mut each: impl FnMut(&str, &str)) -> usize {
    let bytes = html.as_bytes();
    let skip_space = |mut at: usize| {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        at
    };
    loop {
        at = skip_space(at);
        if at >= bytes.len() {
            return at;
        }
        if bytes[at] == b'>' {
            return at + 1;
        }
        let name_start = at;
        while at < bytes.len()
            && !bytes[at].is_ascii_whitespace()
            && !matches!(bytes[at], b'=' | b'>' | b'/')
        {
            at += 1;
        }
        let name = &html[name_start..at];
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] != b'=' {
            continue;
        }
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let (value, next) = match bytes.get(at) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = memchr::memchr(q, &bytes[at + 1..]).map_or(bytes.len(), |e| at + 1 + e);
                (&html[at + 1..end], (end + 1).min(bytes.len()))
            }
            _ => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'>')
                    .map_or(bytes.len(), |e| at + e);
                (&html[at..end], end)
            }
        };
        each(name, value);
        at = next;
    }
}

#[cfg(test)]
mod tests {
    use super::external_sources;

    #[test]
    fn finds_external_media_in_html() {
        let html = r#"<img src="/media/a.jpg"><IMG alt=x SRC='https://cdn.example/x.jpg'><img srcset="/a.jpg 1x, //cdn/b.jpg 2x"><p>src="https://ok/"</p>"#;
        assert_eq!(
            external_sources(html),
            vec!["https://cdn.example/x.jpg", "//cdn/b.jpg"]
        );
    }

    #[test]
    fn attribute_spellings_browsers_accept_are_read() {
        let html = "<img/src=https://a.example/1.jpg><video poster = \"HTTPS://b.example/p.jpg\" ><source\tsrc='data:image/png;base64,xx'><iframe title=\"a > b\" src=//c.example/></iframe><imgx src=https://no/><img src=\"/ok.jpg\" data-src=\"https://lazy.example/x.jpg\">";
        assert_eq!(
            external_sources(html),
            vec![
                "https://a.example/1.jpg",
                "HTTPS://b.example/p.jpg",
                "data:image/png;base64",
                "//c.example/",
            ]
        );
        // A page that ends inside a tag does not panic.
        assert!(external_sources("<img src=").is_empty());
        assert!(external_sources("<img src=\"https://x").len() == 1);
        assert!(external_sources("<").is_empty());
    }
}
