//! Rendering the site into HTML in memory with Tera.
//!
//! The renderer sees image *descriptions* (published URL and size), never
//! image bytes. A [`RenderedPage`] can only be made here, and the writer
//! in `emit` accepts pages only in that form.

mod theme;
mod views;

pub use theme::{StaticFile, Theme, ThemeError};

use crate::config::Config;
use crate::content::markdown::{self, ImageOut};
use crate::content::paths::{self, Target};
use crate::content::{Document, Site};
use crate::report::{Finding, Location};
use crate::statutory::{self, Assessment};
use rayon::prelude::*;
use std::collections::HashMap;
use views::{ConfigView, PageSummary, PageView, Pager, SectionView, StatutoryIndex};

/// A published content file (an image or a document) as the renderer
/// knows it.
#[derive(Debug, Clone)]
pub struct PublishedFile {
    /// Site path, e.g. `/media/3f2a….jpg`.
    pub url: String,
    /// Display size, for images (0 × 0 for documents).
    pub width: u32,
    pub height: u32,
    /// Every published version of an image as (site path, width),
    /// smallest first; empty for documents.
    pub srcset: Vec<(String, u32)>,
    /// What it is, by its bytes.
    pub kind: crate::media::Kind,
    /// For a video: the site path of its captions, when it has them.
    pub captions: Option<String>,
}

/// A page of HTML ready to write. Only the renderer makes these.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    path: String,
    output: String,
    html: String,
    source: Option<String>,
}

impl RenderedPage {
    /// The URL path (`/news/`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file to write, relative to `public/` (`news/index.html`).
    pub fn output(&self) -> &str {
        &self.output
    }

    pub fn html(&self) -> &str {
        &self.html
    }

    /// The content file the page came from (relative to the site root).
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
}

/// What rendering produced.
pub struct Rendered {
    pub pages: Vec<RenderedPage>,
    pub problems: Vec<Finding>,
}

/// The site's URL prefix, from `base_url` (`""` for a site at the root of
/// its domain).
pub fn base_path(config: &Config) -> String {
    let after_scheme = config.base().split_once("://").map_or("", |(_, r)| r);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

enum Job {
    Section {
        index: usize,
        pager: usize,
    },
    Page(usize),
    NotFound,
    StatutoryIndex,
    /// A starter page for a statutory item (index into
    /// `Assessment::generated`).
    Generated(usize),
}

struct Renderer<'a> {
    site: &'a Site,
    config_value: tera::Value,
    tera: tera::Tera,
    theme: &'a Theme,
    files: &'a HashMap<String, PublishedFile>,
    base_path: String,
    base_url: String,
    summaries: Vec<tera::Value>,
    statutory: &'a Assessment,
}

/// Renders every section (with its pagination), page and the 404 page.
pub fn render(
    site: &Site,
    config: &Config,
    theme: &Theme,
    files: &HashMap<String, PublishedFile>,
    statutory: &Assessment,
) -> Rendered {
    let base_path = base_path(config);
    let mut tera = theme.tera.clone();
    tera.register_function(
        "get_url",
        views::GetUrl::new(site, &base_path, config.base()),
    );
    let mut problems = Vec::new();
    let config_view = ConfigView::new(config, site, &base_path, &mut problems);
    let config_value = tera::to_value(&config_view).unwrap_or_default();
    let summaries = site
        .pages
        .par_iter()
        .map(|p| tera::to_value(PageSummary::new(p, &base_path, config.base())).unwrap_or_default())
        .collect();
    let r = Renderer {
        site,
        config_value,
        tera,
        theme,
        files,
        base_url: config.base().to_string(),
        base_path,
        summaries,
        statutory,
    };

    let mut jobs = Vec::new();
    for (index, s) in site.sections.iter().enumerate() {
        let pagers = match s.meta.paginate_by {
            Some(n) if n > 0 => s.pages.len().div_ceil(n).max(1),
            _ => 1,
        };
        jobs.extend((0..pagers).map(|pager| Job::Section { index, pager }));
    }
    jobs.extend((0..site.pages.len()).map(Job::Page));
    if theme.has_template("404.html") {
        jobs.push(Job::NotFound);
    }
    if statutory.has_index() {
        jobs.push(Job::StatutoryIndex);
        jobs.extend((0..statutory.generated.len()).map(Job::Generated));
    }

    let results: Vec<Result<RenderedPage, Box<Finding>>> =
        jobs.par_iter().map(|job| r.run(job)).collect();
    let mut pages = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(p) => pages.push(p),
            Err(f) => problems.push(*f),
        }
    }
    Rendered { pages, problems }
}

impl Renderer<'_> {
    fn run(&self, job: &Job) -> Result<RenderedPage, Box<Finding>> {
        match *job {
            Job::Section { index, pager } => self.section(index, pager),
            Job::Page(index) => self.page(index),
            Job::NotFound => {
                let mut ctx = self.context("/404.html");
                ctx.insert("page", &serde_json::json!({"title": "Page not found"}));
                let html = self.template("404.html", &ctx, None, None)?;
                Ok(RenderedPage {
                    path: "/404.html".to_string(),
                    output: "404.html".to_string(),
                    html,
                    source: None,
                })
            }
            Job::StatutoryIndex => {
                let path = statutory::INDEX_PATH;
                let mut ctx = self.context(path);
                ctx.insert(
                    "page",
                    &serde_json::json!({
                        "title": "Statutory information",
                        "path": format!("{}{path}", self.base_path),
                    }),
                );
                ctx.insert(
                    "statutory",
                    &StatutoryIndex::new(self.statutory, &self.base_path),
                );
                let html = self.template("statutory.html", &ctx, None, None)?;
                Ok(RenderedPage {
                    output: output_file(path),
                    path: path.to_string(),
                    html,
                    source: None,
                })
            }
            Job::Generated(i) => self.generated(i),
        }
    }

    /// A starter page for an item the school has not written, rendered
    /// with the page template as if it were a page in the statutory
    /// index's section.
    fn generated(&self, index: usize) -> Result<RenderedPage, Box<Finding>> {
        let g = &self.statutory.generated[index];
        let body = g.markdown.clone();
        let doc = Document {
            source: String::new(),
            scan: markdown::scan(&body, 1),
            body,
            body_line: 1,
            front: String::new(),
            front_line: 1,
        };
        let html = self.markdown(&doc);
        let mut ctx = self.context(&g.path);
        ctx.insert(
            "page",
            &PageView::generated(g, html, &self.base_path, &self.base_url),
        );
        let html = self.template("page.html", &ctx, None, None)?;
        Ok(RenderedPage {
            output: output_file(&g.path),
            path: g.path.clone(),
            html,
            source: None,
        })
    }

    fn context(&self, path: &str) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("config", &self.config_value);
        ctx.insert("current_path", &format!("{}{path}", self.base_path));
        ctx.insert("current_url", &format!("{}{path}", self.base_url));
        if self.statutory.has_index() {
            ctx.insert(
                "statutory_index",
                &format!("{}{}", self.base_path, statutory::INDEX_PATH),
            );
        }
        ctx
    }

    fn markdown(&self, doc: &Document) -> markdown::Html {
        let link = |url: &str| match paths::resolve(&doc.source, url) {
            Target::Document(p, anchor) => self.site.url_of(&p).map(|u| {
                let mut s = format!("{}{u}", self.base_path);
                if let Some(a) = anchor {
                    s.push('#');
                    s.push_str(&a);
                }
                s
            }),
            // A file the page links to (a newsletter PDF): published
            // under its cleaned name.
            Target::Content(p) => self
                .files
                .get(&p)
                .map(|d| format!("{}{}", self.base_path, d.url)),
            _ => None,
        };
        let image = |url: &str| match paths::resolve(&doc.source, url) {
            Target::Content(p) => self.files.get(&p).map(|d| ImageOut {
                src: format!("{}{}", self.base_path, d.url),
                width: d.width,
                height: d.height,
                element: if d.kind.is_video() {
                    markdown::Element::Video
                } else if d.kind.is_video_or_audio() {
                    markdown::Element::Audio
                } else {
                    markdown::Element::Img
                },
                captions: d
                    .captions
                    .as_ref()
                    .map(|c| format!("{}{c}", self.base_path)),
                srcset: d
                    .srcset
                    .iter()
                    .map(|(url, w)| format!("{}{url} {w}w", self.base_path))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            _ => None,
        };
        markdown::render(&doc.body, &link, &image)
    }

    fn section(&self, index: usize, pager: usize) -> Result<RenderedPage, Box<Finding>> {
        let s = &self.site.sections[index];
        let path = if pager == 0 {
            s.path.clone()
        } else {
            format!("{}page/{}/", s.path, pager + 1)
        };
        let html = self.markdown(&s.doc);
        let mut ctx = self.context(&path);
        let paginated = s.meta.paginate_by.filter(|&n| n > 0);
        let (skip, take) = paginated.map_or((0, usize::MAX), |n| (pager * n, n));
        let list: Vec<&tera::Value> = s
            .pages
            .iter()
            .skip(skip)
            .take(take)
            .map(|&i| &self.summaries[i])
            .collect();
        let view = SectionView::new(
            s,
            self.site,
            html,
            if paginated.is_some() {
                Vec::new()
            } else {
                list.clone()
            },
            &self.base_path,
            &self.base_url,
        );
        ctx.insert("section", &view);
        if let Some(n) = paginated {
            ctx.insert(
                "paginator",
                &Pager::new(
                    pager,
                    s.pages.len().div_ceil(n).max(1),
                    list,
                    &s.path,
                    &self.base_path,
                ),
            );
        }
        let name = match &s.meta.template {
            Some(t) => t.as_str(),
            None if s.dir.is_empty() => "index.html",
            None => "section.html",
        };
        let html = self.template(name, &ctx, Some(&s.doc), Some("template"))?;
        Ok(RenderedPage {
            output: output_file(&path),
            path,
            html,
            source: s.exists.then(|| s.doc.file()),
        })
    }

    fn page(&self, index: usize) -> Result<RenderedPage, Box<Finding>> {
        let p = &self.site.pages[index];
        let section = &self.site.sections[p.section];
        let html = self.markdown(&p.doc);
        let mut ctx = self.context(&p.path);
        ctx.insert(
            "page",
            &PageView::new(p, section, html, &self.base_path, &self.base_url)
                .with_version(self.statutory.versions.get(&p.doc.source)),
        );
        let (name, key) = match (&p.meta.template, &section.meta.page_template) {
            (Some(t), _) => (t.as_str(), Some("template")),
            (None, Some(t)) => (t.as_str(), None),
            (None, None) => ("page.html", None),
        };
        let doc_for_errors = if key.is_some() || section.meta.page_template.is_none() {
            &p.doc
        } else {
            &section.doc
        };
        let key = key.or(section.meta.page_template.as_ref().map(|_| "page_template"));
        let html = self.template(name, &ctx, Some(doc_for_errors), key)?;
        Ok(RenderedPage {
            output: output_file(&p.path),
            path: p.path.clone(),
            html,
            source: Some(p.doc.file()),
        })
    }

    /// Renders template `name`; errors become a finding on the document
    /// (at the front matter key that chose the template) or the template.
    fn template(
        &self,
        name: &str,
        ctx: &tera::Context,
        doc: Option<&Document>,
        key: Option<&str>,
    ) -> Result<String, Box<Finding>> {
        if !self.theme.has_template(name) {
            let location = match doc {
                Some(d) => Location::line(d.file(), key.map_or(d.front_line, |k| d.key_line(k))),
                None => Location::file("templates"),
            };
            return Err(Box::new(Finding::error(
                "template",
                location,
                format!("the template {name:?} does not exist in the theme or in templates/"),
                "use a template that exists, or add it under templates/",
            )));
        }
        self.tera.render(name, ctx).map_err(|e| {
            let file = self
                .theme
                .template_file(name)
                .unwrap_or("templates")
                .to_string();
            let used_by = doc.map(|d| format!(" (rendering {})", d.file())).unwrap_or_default();
            Box::new(Finding::error(
                "template",
                Location::file(file),
                format!("the template failed{used_by}: {}", theme::error_chain(&e)),
                "fix the template; a missing value can be guarded with {% if … %} or | default(value=…)",
            ))
        })
    }
}

/// `/news/` → `news/index.html`.
fn output_file(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}
