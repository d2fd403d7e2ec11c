//! What a site may hold that schoolsite does not build: said, never
//! quietly published as something else or left out. Zola sites moved
//! to schoolsite are where these come from.

use super::Site;
use crate::report::{Finding, Location};
use std::path::Path;

/// Findings for folders schoolsite does not publish, translated pages
/// and shortcode calls.
pub fn check(root: &Path, site: &Site) -> Vec<Finding> {
    let mut out = Vec::new();
    for (folder, what, fix) in [
        (
            "sass",
            "schoolsite does not compile Sass, so nothing in sass/ is published, and pages that link to it would break",
            "write plain CSS in the theme's static/ folder (themes/NAME/static/style.css)",
        ),
        (
            "static",
            "schoolsite does not publish a site-level static/ folder, so nothing in it reaches the site",
            "put theme files (styles, icons) in the theme's static/ folder, and photos and documents beside the page that uses them in content/",
        ),
    ] {
        if root.join(folder).is_dir() {
            out.push(Finding::error(
                "unsupported",
                Location::file(format!("{folder}/")),
                what,
                fix,
            ));
        }
    }
    for doc in site.documents() {
        if let Some(lang) = translation(&doc.source) {
            out.push(Finding::error(
                "unsupported",
                Location::file(doc.file()),
                format!("this looks like a translation (.{lang}.md), but schoolsite builds a site in one language, so it would be published as a page of its own in the English site"),
                "if it is a page of its own, name it for what it is (for example about-welsh.md) and link to it; otherwise remove it",
            ));
        }
        for &line in &doc.scan.shortcodes {
            out.push(Finding::error(
                "unsupported",
                Location::line(doc.file(), line),
                "this looks like a shortcode call ({{ name(…) }}), which schoolsite does not run: it would be published as the text it is",
                "show photos and clips with ![description](file), link to other websites with [words](https://…), and remove the call",
            ));
        }
    }
    out
}

/// `about.cy.md` → `cy`: the two or three letters of a language code
/// before `.md`, as Zola names translations.
fn translation(source: &str) -> Option<&str> {
    let file = source.rsplit('/').next()?;
    let stem = file.strip_suffix(".md")?;
    let (_, lang) = stem.rsplit_once('.')?;
    (matches!(lang.len(), 2 | 3) && lang.bytes().all(|b| b.is_ascii_lowercase())).then_some(lang)
}

#[cfg(test)]
mod tests {
    #[test]
    fn translations_by_name() {
        assert_eq!(super::translation("about.cy.md"), Some("cy"));
        assert_eq!(super::translation("news/_index.fr.md"), Some("fr"));
        assert_eq!(super::translation("about.md"), None);
        assert_eq!(super::translation("year-6.trip-2025.md"), None);
    }
}
