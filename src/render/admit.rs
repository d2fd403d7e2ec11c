//! What the renderer hands the gate, and how the gate's problems become
//! findings: the list of what this build publishes, the two policies
//! (a theme's, and raw HTML in Markdown's), and the line a problem came
//! from.

use super::gate::policy::Policy;
use super::gate::{self, Loads, Problem, Published};
use super::{PublishedFile, Theme};
use crate::config::Config;
use crate::content::paths::{self, Target};
use crate::content::{Document, Site};
use crate::report::{Finding, Location};
use crate::statutory::{self, Assessment};
use std::collections::{HashMap, HashSet};

pub(super) struct Admission {
    published: Published,
    theme: Policy,
    markdown: Policy,
}

/// The site paths of the outputs `render` makes besides pages: a page may
/// load or link to these.
pub(super) struct Extras<'a> {
    pub derived: Vec<String>,
    pub pages: Vec<String>,
    pub site: &'a Site,
}

impl Admission {
    pub(super) fn new(
        config: &Config,
        theme: &Theme,
        files: &HashMap<String, PublishedFile>,
        statutory: &Assessment,
        extras: Extras,
        problems: &mut Vec<Finding>,
    ) -> Admission {
        let mut published = Vec::new();
        for f in files.values() {
            published.push(f.url.clone());
            published.extend(f.srcset.iter().map(|(u, _)| u.clone()));
            published.extend(f.captions.iter().cloned());
        }
        published.extend(theme.static_files.iter().map(|f| format!("/{}", f.rel)));
        published.extend(extras.derived);
        let site = extras.site;
        let mut pages: Vec<String> = extras.pages;
        for s in &site.sections {
            pages.push(s.path.clone());
            if let Some(n) = s.meta.paginate_by.filter(|&n| n > 0) {
                let count = s.pages.len().div_ceil(n).max(1);
                pages.extend((2..=count).map(|i| format!("{}page/{i}/", s.path)));
            }
        }
        pages.extend(site.pages.iter().map(|p| p.path.clone()));
        if statutory.has_index() {
            pages.push(statutory::INDEX_PATH.to_string());
            pages.extend(statutory.generated.iter().map(|g| g.path.clone()));
        }
        let (markdown, unknown) = Policy::markdown(&config.markdown.allow_html);
        for name in unknown {
            problems.push(Finding::error(
                "html-not-allowed",
                Location::file(crate::config::CONFIG_FILE),
                format!("[markdown] allow_html names {name:?}, which is not an element or attribute a school page may use"),
                "remove it from allow_html: only elements and attributes a theme may use can be allowed in Markdown",
            ));
        }
        Admission {
            published: Published::new(config.base(), published, pages),
            theme: Policy::theme(),
            markdown,
        }
    }

    pub(super) fn published(&self) -> &Published {
        &self.published
    }

    /// Raw HTML in a page's Markdown, read with the narrower list: it may
    /// show only the photos and clips its own Markdown shows.
    pub(super) fn markdown(
        &self,
        html: String,
        doc: &Document,
        page_path: &str,
        files: &HashMap<String, PublishedFile>,
    ) -> (String, Vec<Finding>) {
        if !doc.scan.raw_html {
            return (html, Vec::new());
        }
        let own = own_files(doc, files);
        let page = self.published.page_url(page_path);
        let gated = gate::fragment(
            &html,
            &self.markdown,
            &self.published,
            &page,
            Loads::Only(&own),
        );
        let file = doc.file();
        let at = locate(doc, &file);
        let findings = gated
            .problems
            .into_iter()
            .map(|p| {
                let line =
                    at(&p.near).unwrap_or_else(|| Location::line(file.clone(), doc.body_line));
                finding(p, Some(line), "")
            })
            .collect();
        (gated.html, findings)
    }

    /// A feed or sitemap a template wrote, read as XML and written again.
    pub(super) fn xml(&self, text: &str, path: &str, template: &str) -> (String, Vec<Finding>) {
        let page = self.published.page_url(path);
        let gated = gate::xml::gate(text, &self.published, &page);
        let findings = gated
            .problems
            .into_iter()
            .map(|p| finding(p, Some(Location::file(template)), &format!(" (in {path})")))
            .collect();
        (gated.html, findings)
    }

    /// A whole page, read with a theme's list. A problem is placed at the
    /// Markdown line that wrote it when it can be found there, else on
    /// the template.
    pub(super) fn page(
        &self,
        html: &str,
        path: &str,
        doc: Option<&Document>,
        template: &str,
    ) -> (String, Vec<Finding>) {
        let page = self.published.page_url(path);
        let gated = gate::page(html, &self.theme, &self.published, &page);
        let findings = gated
            .problems
            .into_iter()
            .map(|p| {
                // Markdown without raw HTML writes addresses only in its
                // link syntax: ](address), <address>, [label]: address.
                let addresses: Vec<String> = p
                    .near
                    .iter()
                    .filter(|n| {
                        n.starts_with('(')
                            || n.starts_with("]: ")
                            || (n.starts_with('<') && n.ends_with('>'))
                    })
                    .cloned()
                    .collect();
                let found = doc.and_then(|d| locate(d, &d.file())(&addresses));
                match found {
                    Some(at) => finding(p, Some(at), ""),
                    None => finding(
                        p,
                        Some(Location::file(template)),
                        &format!(" (on the page {path}, written by the template)"),
                    ),
                }
            })
            .collect();
        (gated.html, findings)
    }
}

/// The site paths of the photos, clips and captions a document's own
/// Markdown shows.
fn own_files(doc: &Document, files: &HashMap<String, PublishedFile>) -> HashSet<String> {
    let mut own = HashSet::new();
    for image in &doc.scan.images {
        if let Target::Content(p) = paths::resolve(&doc.source, &image.url)
            && let Some(f) = files.get(&p)
        {
            own.insert(f.url.clone());
            own.extend(f.srcset.iter().map(|(u, _)| u.clone()));
            own.extend(f.captions.iter().cloned());
        }
    }
    own
}

/// Finds the line of `doc` where the first of `near` that it holds is
/// written (ignoring case).
fn locate<'a>(doc: &'a Document, file: &'a str) -> impl Fn(&[String]) -> Option<Location> + 'a {
    let body = doc.body.to_ascii_lowercase();
    move |near: &[String]| {
        let at = near
            .iter()
            .filter(|n| !n.is_empty())
            .find_map(|n| body.find(&n.to_ascii_lowercase()))?;
        let line = doc.body_line + body[..at].matches('\n').count();
        Some(Location::line(file.to_string(), line))
    }
}

fn finding(p: Problem, at: Option<Location>, suffix: &str) -> Finding {
    let location = at.unwrap_or_else(|| Location::file("templates"));
    Finding::error(p.rule, location, format!("{}{suffix}", p.message), p.fix)
}
