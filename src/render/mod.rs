//! Rendering the site into HTML in memory with Tera.
//!
//! The renderer sees image *descriptions* (published URL and size), never
//! image bytes. A [`RenderedPage`] can only be made here, and the writer
//! in `emit` accepts pages only in that form.

mod admit;
pub mod crawlers;
mod feeds;
pub mod gate;
mod limits;
mod theme;
mod views;

pub use feeds::{CALENDAR_PATH, SEARCH_INDEX_PATH};
pub use theme::{StaticFile, Theme, ThemeError};

use crate::config::Config;
use crate::content::markdown::{self, ImageOut};
use crate::content::paths::{self, Target};
use crate::content::{Document, Site};
use crate::report::{Finding, Location};
use crate::statutory::{self, Assessment};
use rayon::prelude::*;
use std::collections::HashMap;
use views::{
    ConfigView, EventView, GetSection, PageSummary, PageView, Pager, SectionView, StatutoryIndex,
};

/// Where the built-in search page is published, when the theme has a
/// `search.html` and no page of the site is already there.
pub const SEARCH_PATH: &str = "/search/";

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
    /// Made from other pages' words (a feed, the calendar, the search
    /// index), not written by anyone as a page.
    derived: bool,
    /// Every word of it is, in the same order and paragraphs, on a page
    /// that is checked itself (see `Renderer::search_index`).
    repeats: bool,
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

    /// Whether it repeats what other pages say (feeds, the calendar, the
    /// search index, the sitemap) rather than being a page of its own.
    pub fn derived(&self) -> bool {
        self.derived
    }

    /// Whether every word of it is on a rendered page, in the same order
    /// and paragraphs: checking that page checks this. True only for the
    /// search index, and only when the theme shows every page's title,
    /// description, section and whole text.
    pub fn repeats_checked_pages(&self) -> bool {
        self.repeats
    }
}

/// What rendering produced.
pub struct Rendered {
    pub pages: Vec<RenderedPage>,
    pub problems: Vec<Finding>,
    /// What this build publishes: the one resolver every address is read
    /// by, for the rules that read the theme's stylesheets.
    pub published: gate::Published,
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
    Calendar,
    Search,
    Robots,
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
    /// Each page's words, kept as its page is rendered, when a feed or
    /// the search index needs them (by index into `site.pages`).
    texts: Vec<std::sync::OnceLock<PageText>>,
    /// The events still to come on the build date, soonest first.
    upcoming: tera::Value,
    /// Feeds for `<link rel="alternate">`: (title, address, type).
    feeds: tera::Value,
    search: bool,
    /// What the gate admits, and the findings it made on the way.
    admission: admit::Admission,
    gated: std::sync::Mutex<Vec<Finding>>,
}

/// Renders every section (with its pagination), page and the 404 page.
pub fn render(
    site: &Site,
    config: &Config,
    theme: &Theme,
    files: &HashMap<String, PublishedFile>,
    statutory: &Assessment,
    today: chrono::NaiveDate,
) -> Rendered {
    let base_path = base_path(config);
    let mut tera = theme.tera.clone();
    limits::register(&mut tera, today);
    tera.register_function(
        "get_url",
        views::GetUrl::new(site, &base_path, config.base()),
    );
    let mut problems = Vec::new();
    let config_view = ConfigView::new(config, site, &base_path, &mut problems);
    let config_value = tera::to_value(&config_view).unwrap_or_default();
    let summaries: Vec<tera::Value> = site
        .pages
        .par_iter()
        .map(|p| tera::to_value(PageSummary::new(p, &base_path, config.base())).unwrap_or_default())
        .collect();
    tera.register_function(
        "get_section",
        GetSection::new(site, &summaries, &base_path, config.base()),
    );
    let upcoming: Vec<EventView> = site
        .events
        .iter()
        .filter(|e| e.is_upcoming(today))
        .map(|e| EventView::new(e, site, &base_path))
        .collect();
    let search = theme.has_template("search.html") && site_free(site, SEARCH_PATH);
    let mut feeds = Vec::new();
    for s in site.sections.iter().filter(|s| s.meta.generate_feeds) {
        let title = s.meta.title.as_deref().unwrap_or("News");
        feeds.push(serde_json::json!({
            "title": format!("{title}: {}", config.title),
            "url": format!("{base_path}{}atom.xml", s.path),
            "type": "application/atom+xml",
        }));
    }
    if !site.events.is_empty() {
        feeds.push(serde_json::json!({
            "title": format!("Dates: {}", config.title),
            "url": format!("{base_path}{CALENDAR_PATH}"),
            "type": "text/calendar",
        }));
    }
    let admission = admit::Admission::new(
        config,
        theme,
        files,
        statutory,
        admit::Extras {
            derived: derived_outputs(site, theme, search),
            pages: if search {
                vec![SEARCH_PATH.to_string()]
            } else {
                Vec::new()
            },
            site,
        },
        &mut problems,
    );
    let mut r = Renderer {
        site,
        config_value,
        tera,
        theme,
        files,
        base_url: config.base().to_string(),
        base_path,
        summaries,
        statutory,
        texts: Vec::new(),
        upcoming: tera::to_value(&upcoming).unwrap_or_default(),
        feeds: tera::Value::Array(feeds),
        search,
        admission,
        gated: std::sync::Mutex::new(Vec::new()),
    };
    if search || site.sections.iter().any(|s| s.meta.generate_feeds) {
        r.texts = site
            .pages
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect();
    }

    let mut jobs = Vec::new();
    for (index, s) in site.sections.iter().enumerate() {
        let pagers = match s.meta.paginate_by {
            Some(n) if n > 0 => s.pages.len().div_ceil(n).max(1),
            _ => 1,
        };
        jobs.extend((0..pagers).map(|pager| Job::Section { index, pager }));
    }
    jobs.extend((0..site.pages.len()).map(Job::Page));
    if !site.events.is_empty() {
        jobs.push(Job::Calendar);
    }
    if search {
        jobs.push(Job::Search);
    }
    if theme.has_template("robots.txt") {
        jobs.push(Job::Robots);
    }
    if theme.has_template("404.html") {
        jobs.push(Job::NotFound);
    }
    if statutory.has_index() {
        jobs.push(Job::StatutoryIndex);
        jobs.extend((0..statutory.generated.len()).map(Job::Generated));
    }

    let results: Vec<Result<RenderedPage, Box<Finding>>> = jobs
        .par_iter()
        .map(|job| r.run(job).map(|page| r.admit(job, page)))
        .collect();
    let mut pages = Vec::with_capacity(results.len() + 2);
    for result in results {
        match result {
            Ok(p) => pages.push(p),
            Err(f) => problems.push(*f),
        }
    }
    pages.extend(crawlers::header_files(&config.robots.headers));
    // Made from what was rendered: the feeds, every HTML page's address,
    // and the words of every page for the search box.
    for (i, s) in site.sections.iter().enumerate() {
        if s.meta.generate_feeds {
            match r.feed(i) {
                Ok(p) => pages.push(p),
                Err(f) => problems.push(*f),
            }
        }
    }
    if theme.has_template("sitemap.xml") {
        match r.sitemap(&pages) {
            Ok(p) => pages.push(p),
            Err(f) => problems.push(*f),
        }
    }
    if search {
        let index = r.search_index();
        pages.push(index);
    }
    for page in pages.iter_mut().filter(|p| p.output.ends_with(".xml")) {
        let template = page.output.rsplit('/').next().unwrap_or("");
        let file = theme.template_file(template).unwrap_or("templates");
        let (xml, findings) = r.admission.xml(&page.html, &page.path, file);
        page.html = xml;
        problems.extend(findings);
    }
    problems.extend(r.gated.into_inner().unwrap_or_else(|e| e.into_inner()));
    Rendered {
        pages,
        problems,
        published: r.admission.published().clone(),
    }
}

/// The site paths of what `render` publishes besides pages: feeds, the
/// calendar, the search index, the sitemap and robots.txt.
fn derived_outputs(site: &Site, theme: &Theme, search: bool) -> Vec<String> {
    let mut out: Vec<String> = site
        .sections
        .iter()
        .filter(|s| s.meta.generate_feeds)
        .map(|s| format!("{}atom.xml", s.path))
        .collect();
    if !site.events.is_empty() {
        out.push(CALENDAR_PATH.to_string());
    }
    if search {
        out.push(SEARCH_INDEX_PATH.to_string());
    }
    for (template, path) in [
        ("sitemap.xml", "/sitemap.xml"),
        ("robots.txt", "/robots.txt"),
        ("404.html", "/404.html"),
    ] {
        if theme.has_template(template) {
            out.push(path.to_string());
        }
    }
    out
}

/// A page's words, kept for the feeds and the search index.
struct PageText {
    text: String,
    /// The rendered page shows its content HTML, title, description and
    /// section exactly as the search index holds them.
    shown: bool,
}

/// Whether no content page is published at `path`.
fn site_free(site: &Site, path: &str) -> bool {
    site.sections.iter().all(|s| s.path != path) && site.pages.iter().all(|p| p.path != path)
}

impl Renderer<'_> {
    /// Passes an HTML page through the gate: what it admits is what is
    /// published; what it does not is a finding.
    fn admit(&self, job: &Job, mut page: RenderedPage) -> RenderedPage {
        if !page.output.ends_with(".html") {
            return page;
        }
        let doc = match *job {
            Job::Section { index, .. } => Some(&self.site.sections[index].doc),
            Job::Page(index) => Some(&self.site.pages[index].doc),
            _ => None,
        };
        let template = self
            .job_template(job)
            .and_then(|t| self.theme.template_file(t))
            .unwrap_or("templates");
        let (html, findings) = self.admission.page(&page.html, &page.path, doc, template);
        page.html = html;
        self.note(findings);
        page
    }

    fn note(&self, findings: Vec<Finding>) {
        if !findings.is_empty() {
            let mut all = self.gated.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(findings);
        }
    }

    /// The template a job renders with.
    fn job_template(&self, job: &Job) -> Option<&str> {
        match *job {
            Job::Section { index, .. } => Some(section_template(&self.site.sections[index])),
            Job::Page(index) => Some(self.page_template(index).0),
            Job::Search => Some("search.html"),
            Job::NotFound => Some("404.html"),
            Job::StatutoryIndex => Some("statutory.html"),
            Job::Generated(_) => Some("page.html"),
            Job::Calendar | Job::Robots => None,
        }
    }

    /// A page's template, and the front matter key that chose it.
    fn page_template(&self, index: usize) -> (&str, Option<&'static str>) {
        let p = &self.site.pages[index];
        let section = &self.site.sections[p.section];
        match (&p.meta.template, &section.meta.page_template) {
            (Some(t), _) => (t.as_str(), Some("template")),
            (None, Some(t)) => (t.as_str(), None),
            (None, None) => ("page.html", None),
        }
    }

    fn run(&self, job: &Job) -> Result<RenderedPage, Box<Finding>> {
        match *job {
            Job::Section { index, pager } => self.section(index, pager),
            Job::Page(index) => self.page(index),
            Job::Calendar => Ok(RenderedPage {
                path: CALENDAR_PATH.to_string(),
                output: CALENDAR_PATH.trim_start_matches('/').to_string(),
                html: feeds::calendar(self.site, self.title(), &self.base_url),
                source: None,
                derived: true,
                repeats: false,
            }),
            Job::Search => {
                let mut ctx = self.context(SEARCH_PATH);
                ctx.insert(
                    "page",
                    &serde_json::json!({
                        "title": "Search",
                        "path": format!("{}{SEARCH_PATH}", self.base_path),
                    }),
                );
                ctx.insert(
                    "search_index",
                    &format!("{}{SEARCH_INDEX_PATH}", self.base_path),
                );
                ctx.insert("sections", &self.all_sections());
                let html = self.template("search.html", &ctx, None, None)?;
                Ok(RenderedPage {
                    output: output_file(SEARCH_PATH),
                    path: SEARCH_PATH.to_string(),
                    html,
                    source: None,
                    derived: true,
                    repeats: false,
                })
            }
            Job::Robots => {
                let ctx = self.context("/robots.txt");
                let text = self.template("robots.txt", &ctx, None, None)?;
                Ok(RenderedPage {
                    path: "/robots.txt".to_string(),
                    output: "robots.txt".to_string(),
                    html: text,
                    source: None,
                    derived: true,
                    repeats: false,
                })
            }
            Job::NotFound => {
                let mut ctx = self.context("/404.html");
                ctx.insert("page", &serde_json::json!({"title": "Page not found"}));
                let html = self.template("404.html", &ctx, None, None)?;
                Ok(RenderedPage {
                    path: "/404.html".to_string(),
                    output: "404.html".to_string(),
                    html,
                    source: None,
                    derived: false,
                    repeats: false,
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
                    derived: false,
                    repeats: false,
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
        let html = self.markdown(&doc, &g.path);
        let mut ctx = self.context(&g.path);
        ctx.insert(
            "page",
            &PageView::generated(g, &html, &self.base_path, &self.base_url),
        );
        let html = self.template("page.html", &ctx, None, None)?;
        Ok(RenderedPage {
            output: output_file(&g.path),
            path: g.path.clone(),
            html,
            source: None,
            derived: false,
            repeats: false,
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
        ctx.insert("upcoming_events", &self.upcoming);
        ctx.insert("feeds", &self.feeds);
        if !self.site.events.is_empty() {
            ctx.insert(
                "calendar_url",
                &format!("{}{CALENDAR_PATH}", self.base_path),
            );
        }
        if self.search {
            ctx.insert("search_url", &format!("{}{SEARCH_PATH}", self.base_path));
        }
        if let Some(url) = self.statutory.accessibility_url() {
            let url = if url.starts_with('/') {
                format!("{}{url}", self.base_path)
            } else {
                url.to_string()
            };
            ctx.insert("accessibility_url", &url);
        }
        ctx.insert("ai_crawlers", &crawlers::tokens());
        ctx.insert("no_ai", crawlers::NO_AI);
        ctx
    }

    /// A page's words, as its job kept them ("" if it failed).
    fn text(&self, index: usize) -> &str {
        self.texts
            .get(index)
            .and_then(|t| t.get())
            .map_or("", |t| t.text.as_str())
    }

    fn title(&self) -> &str {
        self.config_value
            .get("title")
            .and_then(|t| t.as_str())
            .unwrap_or("")
    }

    /// Every section with its pages' titles and addresses, for the search
    /// page to list without JavaScript.
    fn all_sections(&self) -> Vec<serde_json::Value> {
        self.site
            .sections
            .iter()
            .filter(|s| s.exists)
            .map(|s| {
                let pages: Vec<serde_json::Value> = s
                    .pages
                    .iter()
                    .map(|&i| {
                        let v = &self.summaries[i];
                        serde_json::json!({"title": v.get("title"), "path": v.get("path")})
                    })
                    .collect();
                serde_json::json!({
                    "title": s.meta.title.as_deref().unwrap_or(self.title()),
                    "path": format!("{}{}", self.base_path, s.path),
                    "pages": pages,
                })
            })
            .collect()
    }

    /// A section's Atom feed: titles, dates and summaries, never photos
    /// (a feed reader keeps its own copy, which a takedown cannot reach).
    fn feed(&self, index: usize) -> Result<RenderedPage, Box<Finding>> {
        let s = &self.site.sections[index];
        let path = format!("{}atom.xml", s.path);
        let mut ctx = self.context(&path);
        let entries: Vec<serde_json::Value> = s
            .pages
            .iter()
            .take(20)
            .map(|&i| {
                let p = &self.site.pages[i];
                let summary = match p.meta.description.as_deref() {
                    Some(d) if !d.trim().is_empty() => d.to_string(),
                    _ => first_words(self.text(i), 300),
                };
                let v = &self.summaries[i];
                serde_json::json!({
                    "title": v.get("title"),
                    "permalink": v.get("permalink"),
                    "updated": p.date.map(|d| format!("{d}T00:00:00Z")),
                    "summary": summary,
                })
            })
            .collect();
        let updated = s
            .pages
            .iter()
            .filter_map(|&i| self.site.pages[i].date)
            .max()
            .map(|d| format!("{d}T00:00:00Z"))
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
        ctx.insert(
            "feed",
            &serde_json::json!({
                "title": s.meta.title.as_deref().unwrap_or(self.title()),
                "url": format!("{}{path}", self.base_url),
                "section_url": format!("{}{}", self.base_url, s.path),
                "updated": updated,
                "entries": entries,
            }),
        );
        let html = self.template("atom.xml", &ctx, Some(&s.doc), Some("generate_feeds"))?;
        Ok(RenderedPage {
            output: path.trim_start_matches('/').to_string(),
            path,
            html,
            source: None,
            derived: true,
            repeats: false,
        })
    }

    /// Every HTML page's address (not the extra pages of a list), with
    /// when it last changed where the page says.
    fn sitemap(&self, pages: &[RenderedPage]) -> Result<RenderedPage, Box<Finding>> {
        let changed: HashMap<&str, chrono::NaiveDate> = self
            .site
            .pages
            .iter()
            .filter_map(|p| {
                let reviewed = p
                    .meta
                    .last_reviewed
                    .as_ref()
                    .and_then(|v| crate::content::front_matter::parse_date(v).ok());
                reviewed.max(p.date).map(|d| (p.path.as_str(), d))
            })
            .collect();
        let mut entries: Vec<serde_json::Value> = pages
            .iter()
            .filter(|p| p.output.ends_with(".html") && p.output != "404.html")
            .filter(|p| !p.path.contains("/page/"))
            .map(|p| {
                serde_json::json!({
                    "permalink": format!("{}{}", self.base_url, p.path),
                    "lastmod": changed.get(p.path.as_str()).map(|d| d.to_string()),
                })
            })
            .collect();
        entries.sort_by(|a, b| a["permalink"].as_str().cmp(&b["permalink"].as_str()));
        let mut ctx = self.context("/sitemap.xml");
        ctx.insert("entries", &entries);
        let html = self.template("sitemap.xml", &ctx, None, None)?;
        Ok(RenderedPage {
            path: "/sitemap.xml".to_string(),
            output: "sitemap.xml".to_string(),
            html,
            source: None,
            derived: true,
            repeats: false,
        })
    }

    /// The words of every page, for the search page's script.
    fn search_index(&self) -> RenderedPage {
        let entries: Vec<feeds::Entry> = self
            .site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| feeds::Entry {
                t: self.summaries[i]
                    .get("title")
                    .and_then(|t| t.as_str())
                    .unwrap_or(""),
                u: format!("{}{}", self.base_path, p.path),
                s: self.site.sections[p.section]
                    .meta
                    .title
                    .as_deref()
                    .unwrap_or(""),
                d: p.meta.description.as_deref().unwrap_or(""),
                x: feeds::collapse(self.text(i)),
            })
            .collect();
        // Each entry's text is made from the same Markdown as the page's
        // content. Where every page shows its content, title, description
        // and section as they are, the index says nothing a checked page
        // does not: the rules need not read it again.
        let repeats = self.texts.iter().all(|t| t.get().is_some_and(|t| t.shown));
        RenderedPage {
            path: SEARCH_INDEX_PATH.to_string(),
            output: SEARCH_INDEX_PATH.trim_start_matches('/').to_string(),
            html: feeds::search_index(&entries),
            source: None,
            derived: true,
            repeats,
        }
    }

    fn markdown(&self, doc: &Document, page_path: &str) -> markdown::Html {
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
        let mut out = markdown::render(&doc.body, &link, &image);
        let (html, findings) = self
            .admission
            .markdown(out.html, doc, page_path, self.files);
        out.html = html;
        self.note(findings);
        out
    }

    fn section(&self, index: usize, pager: usize) -> Result<RenderedPage, Box<Finding>> {
        let s = &self.site.sections[index];
        let path = if pager == 0 {
            s.path.clone()
        } else {
            format!("{}page/{}/", s.path, pager + 1)
        };
        let html = self.markdown(&s.doc, &s.path);
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
        let name = section_template(s);
        let html = self.template(name, &ctx, Some(&s.doc), Some("template"))?;
        Ok(RenderedPage {
            output: output_file(&path),
            path,
            html,
            source: s.exists.then(|| s.doc.file()),
            derived: false,
            repeats: false,
        })
    }

    fn page(&self, index: usize) -> Result<RenderedPage, Box<Finding>> {
        let p = &self.site.pages[index];
        let section = &self.site.sections[p.section];
        let body = self.markdown(&p.doc, &p.path);
        let mut ctx = self.context(&p.path);
        let events: Vec<EventView> = self
            .site
            .events
            .iter()
            .filter(|e| e.page == index)
            .map(|e| EventView::new(e, self.site, &self.base_path))
            .collect();
        ctx.insert(
            "page",
            &PageView::new(p, section, &body, &self.base_path, &self.base_url)
                .with_version(self.statutory.versions.get(&p.doc.source))
                .with_events(events),
        );
        let (name, key) = self.page_template(index);
        let doc_for_errors = if key.is_some() || section.meta.page_template.is_none() {
            &p.doc
        } else {
            &section.doc
        };
        let key = key.or(section.meta.page_template.as_ref().map(|_| "page_template"));
        let html = self.template(name, &ctx, Some(doc_for_errors), key)?;
        if let Some(slot) = self.texts.get(index) {
            let shows = |s: &str| {
                s.is_empty() || memchr::memmem::find(html.as_bytes(), s.as_bytes()).is_some()
            };
            let shown = shows(&body.html)
                && [
                    self.summaries[index].get("title").and_then(|t| t.as_str()),
                    p.meta.description.as_deref(),
                    section.meta.title.as_deref(),
                ]
                .iter()
                .all(|s| shows(&markdown::escape(s.unwrap_or(""))));
            let _ = slot.set(PageText {
                text: body.text,
                shown,
            });
        }
        Ok(RenderedPage {
            output: output_file(&p.path),
            path: p.path.clone(),
            html,
            source: Some(p.doc.file()),
            derived: false,
            repeats: false,
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
        limits::start();
        let mut out = limits::Bounded(Vec::new());
        let rendered = self
            .tera
            .render_to(name, ctx, &mut out)
            .and_then(|()| String::from_utf8(out.0).map_err(tera::Error::msg));
        rendered.map_err(|e| {
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

/// The first words of `text`'s first paragraph, up to about `max`
/// bytes, ending on a whole word.
fn first_words(text: &str, max: usize) -> String {
    // The first paragraph only: words from two blocks must not run
    // together (a name could seem to span them).
    let first = text
        .lines()
        .find(|l| l.split_whitespace().count() > 5)
        .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("");
    let collapsed = first.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.len() <= max {
        return collapsed;
    }
    let mut cut = max;
    while !collapsed.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &collapsed[..cut];
    let head = head.rsplit_once(' ').map_or(head, |(h, _)| h);
    format!("{head}…")
}

/// A section's template.
fn section_template(s: &crate::content::Section) -> &str {
    match &s.meta.template {
        Some(t) => t.as_str(),
        None if s.dir.is_empty() => "index.html",
        None => "section.html",
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
