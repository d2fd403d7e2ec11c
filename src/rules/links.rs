//! Internal links: every `@/…` link (and relative link to a Markdown
//! file) must lead to a page or section that is published, and an anchor
//! to a heading on it.

use super::Input;
use crate::content::RefKind;
use crate::content::paths::Target;
use crate::report::{Finding, Location};

pub fn check(input: &Input) -> Vec<Finding> {
    let site = input.site;
    let mut out = Vec::new();
    for r in site.references().filter(|r| r.kind == RefKind::Link) {
        let location = Location::line(r.doc.file(), r.line);
        match &r.target {
            Target::Document(target, anchor) => {
                if !r.url.starts_with("@/") {
                    out.push(Finding::error(
                        "internal-link",
                        location,
                        format!("the link {:?} points at a Markdown file by a relative path, which will not work on the published site", r.url),
                        format!("write it as @/{target}"),
                    ));
                } else if site.url_of(target).is_none() {
                    let why = if site.drafts.contains(target) {
                        "is a draft, so it is not published"
                    } else {
                        "does not exist"
                    };
                    out.push(Finding::error(
                        "internal-link",
                        location,
                        format!("the link {} leads to content/{target}, which {why}", r.url),
                        "fix the path (it is relative to content/, e.g. @/news/_index.md), or publish the page",
                    ));
                } else if let Some(a) = anchor
                    && !a.is_empty()
                    && !site.has_anchor(target, a)
                {
                    out.push(Finding::error(
                        "internal-link",
                        location,
                        format!("the link {} leads to a heading #{a} that content/{target} does not have", r.url),
                        "use the id of one of that page's headings (its title in lower case, with hyphens for spaces)",
                    ));
                }
            }
            Target::Escapes => out.push(Finding::error(
                "path-escape",
                location,
                format!("the link {:?} leads outside content/", r.url),
                "link only to pages and files inside content/",
            )),
            Target::Content(path) if !site.has_file(path) => out.push(Finding::error(
                "missing-file",
                location,
                format!(
                    "the link {:?} leads to content/{path}, which does not exist",
                    r.url
                ),
                "put the file there, or fix the link",
            )),
            _ => {}
        }
    }
    out
}
