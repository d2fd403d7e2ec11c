//! Images: each must be a file in `content/` that exists, have alt text,
//! and never come from another site. Raw HTML that embeds media, in
//! Markdown or in templates, would bypass the sanitiser and is refused.

use super::Input;
use crate::content::RefKind;
use crate::content::paths::Target;
use crate::report::{Finding, Location};

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
    for page in input.pages {
        for src in external_sources(page.html()) {
            let file = page.source().unwrap_or("templates").to_string();
            out.push(Finding::error(
                "image-external",
                Location::file(file),
                format!("the published page {} loads {src:?} from another website (written by a template)", page.path()),
                "serve the file from the theme's static/ folder instead",
            ));
        }
    }
    out
}

/// `src`/`srcset`/`poster` values of media tags in HTML that point at
/// another site.
fn external_sources(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in [
        "<img", "<source", "<video", "<audio", "<iframe", "<embed", "<object", "<track",
    ] {
        for (start, _) in lower.match_indices(tag) {
            let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
            let inside = &html[start..end];
            let inside_lower = &lower[start..end];
            for attr in ["src=", "srcset=", "poster=", "data="] {
                for (at, _) in inside_lower.match_indices(attr) {
                    if at > 0 && !inside_lower.as_bytes()[at - 1].is_ascii_whitespace() {
                        continue;
                    }
                    let value = attribute_value(&inside[at + attr.len()..]);
                    for candidate in value.split(',') {
                        let url = candidate.split_whitespace().next().unwrap_or("");
                        let l = url.to_ascii_lowercase();
                        if l.starts_with("http:")
                            || l.starts_with("https:")
                            || l.starts_with("//")
                            || l.starts_with("data:")
                        {
                            found.push(url.to_string());
                        }
                    }
                }
            }
        }
    }
    found
}

fn attribute_value(s: &str) -> &str {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('"') {
        rest.split('"').next().unwrap_or("")
    } else if let Some(rest) = s.strip_prefix('\'') {
        rest.split('\'').next().unwrap_or("")
    } else {
        s.split(|c: char| c.is_whitespace() || c == '>')
            .next()
            .unwrap_or("")
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
}
