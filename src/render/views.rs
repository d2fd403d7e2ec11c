//! What templates see: plain serialisable views of the config, sections
//! and pages, in the names Zola users know.

use crate::config::{Config, School};
use crate::content::events::{Event, When};
use crate::content::markdown::{Html, TocEntry};
use crate::content::paths::{self, Target};
use crate::content::{Page, Section, Site};
use crate::report::{Finding, Location};
use crate::statutory::{self, Assessment, GeneratedPage, State, Version};
use chrono::{Datelike, Timelike};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// `harvest-festival` → "Harvest festival".
fn title_from_slug(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Untitled page".to_string(),
    }
}

/// `extra` for pages that have none of their own.
static NO_EXTRA: LazyLock<toml::Table> = LazyLock::new(toml::Table::new);

#[derive(Serialize)]
pub(super) struct MenuView {
    name: String,
    url: String,
}

#[derive(Serialize)]
pub(super) struct ConfigView<'a> {
    title: &'a str,
    base_url: &'a str,
    description: &'a str,
    language: &'a str,
    school: &'a School,
    menu: Vec<MenuView>,
    extra: &'a toml::Table,
}

impl<'a> ConfigView<'a> {
    pub(super) fn new(
        config: &'a Config,
        site: &Site,
        base_path: &str,
        problems: &mut Vec<Finding>,
    ) -> Self {
        let menu = config
            .menu
            .iter()
            .map(|item| {
                let url = match paths::resolve("", &item.url) {
                    Target::Document(p, _) => match site.url_of(&p) {
                        Some(u) => format!("{base_path}{u}"),
                        None => {
                            problems.push(Finding::error(
                                "internal-link",
                                Location::file(crate::config::CONFIG_FILE),
                                format!(
                                    "the menu item {:?} links to {}, which does not exist (or is a draft)",
                                    item.name, item.url
                                ),
                                "point it at a page under content/, e.g. url = \"@/news/_index.md\"",
                            ));
                            "#".to_string()
                        }
                    },
                    Target::SiteAbsolute => format!("{base_path}{}", item.url),
                    _ => item.url.clone(),
                };
                MenuView {
                    name: item.name.clone(),
                    url,
                }
            })
            .collect();
        ConfigView {
            title: &config.title,
            base_url: config.base(),
            description: &config.description,
            language: &config.language,
            school: &config.school,
            menu,
            extra: &config.extra,
        }
    }
}

/// A page as lists show it (no content).
#[derive(Serialize)]
pub(super) struct PageSummary<'a> {
    title: Cow<'a, str>,
    description: &'a str,
    date: Option<String>,
    path: String,
    permalink: String,
    slug: &'a str,
    weight: Option<i64>,
    extra: &'a toml::Table,
}

impl<'a> PageSummary<'a> {
    pub(super) fn new(p: &'a Page, base_path: &str, base_url: &str) -> Self {
        PageSummary {
            title: match p.meta.title.as_deref() {
                Some(t) if !t.trim().is_empty() => Cow::Borrowed(t),
                // A page with no title (reported by the rules) still gets
                // a heading and a link text: its address in words.
                _ => Cow::Owned(title_from_slug(&p.slug)),
            },
            description: p.meta.description.as_deref().unwrap_or(""),
            date: p.date.map(|d| d.to_string()),
            path: format!("{base_path}{}", p.path),
            permalink: format!("{base_url}{}", p.path),
            slug: &p.slug,
            weight: p.meta.weight,
            extra: &p.meta.extra,
        }
    }
}

#[derive(Serialize)]
pub(super) struct PageView<'a> {
    #[serde(flatten)]
    summary: PageSummary<'a>,
    content: &'a str,
    toc: &'a [TocEntry],
    draft: bool,
    /// The section the page is in: its title and path.
    section: SectionLink<'a>,
    /// Review details for the version box of a page that gives them
    /// (statutory information and policies).
    version: Option<&'a Version>,
    /// Made by schoolsite from config.toml, not written by the school.
    generated: bool,
    /// The page's own `[[events]]`, in date order.
    events: Vec<EventView<'a>>,
}

#[derive(Serialize)]
pub(super) struct SectionLink<'a> {
    title: &'a str,
    path: String,
}

impl<'a> PageView<'a> {
    pub(super) fn new(
        p: &'a Page,
        section: &'a Section,
        html: &'a Html,
        base_path: &str,
        base_url: &str,
    ) -> Self {
        PageView {
            summary: PageSummary::new(p, base_path, base_url),
            content: &html.html,
            toc: &html.toc,
            draft: p.meta.draft,
            section: SectionLink {
                title: section.meta.title.as_deref().unwrap_or(""),
                path: format!("{base_path}{}", section.path),
            },
            version: None,
            generated: false,
            events: Vec::new(),
        }
    }

    pub(super) fn with_version(mut self, version: Option<&'a Version>) -> Self {
        self.version = version;
        self
    }

    pub(super) fn with_events(mut self, events: Vec<EventView<'a>>) -> Self {
        self.events = events;
        self
    }

    /// A starter page for a statutory item, shown in the statutory
    /// information section.
    pub(super) fn generated(
        g: &'a GeneratedPage,
        html: &'a Html,
        base_path: &str,
        base_url: &str,
    ) -> Self {
        PageView {
            summary: PageSummary {
                title: Cow::Borrowed(&g.title),
                description: &g.description,
                date: None,
                path: format!("{base_path}{}", g.path),
                permalink: format!("{base_url}{}", g.path),
                slug: &g.key,
                weight: None,
                extra: &NO_EXTRA,
            },
            content: &html.html,
            toc: &html.toc,
            draft: false,
            section: SectionLink {
                title: "Statutory information",
                path: format!("{base_path}{}", statutory::INDEX_PATH),
            },
            version: None,
            generated: true,
            events: Vec::new(),
        }
    }
}

/// What `statutory.html` sees: every item of the school's list, where
/// it is published and when it is next reviewed.
#[derive(Serialize)]
pub(super) struct StatutoryIndex<'a> {
    /// "maintained" or "academy".
    profile: &'static str,
    /// The guidance the list follows.
    source: Option<&'a statutory::Source>,
    items: Vec<IndexItem<'a>>,
}

#[derive(Serialize)]
struct IndexItem<'a> {
    key: &'a str,
    title: &'a str,
    /// "must" or "should" (the guidance's force for this school), or
    /// "other" for information published without being required.
    group: &'static str,
    /// How often it is updated, in words.
    cadence: &'static str,
    contains: &'a str,
    state: State,
    /// Where to read it: a page of the site or another website.
    url: Option<String>,
    external: bool,
    last_reviewed: Option<chrono::NaiveDate>,
    next_review: Option<chrono::NaiveDate>,
    approved_by: Option<&'a str>,
    /// Why it does not apply.
    reason: Option<&'a str>,
}

impl<'a> StatutoryIndex<'a> {
    pub(super) fn new(a: &'a Assessment, base_path: &str) -> Self {
        let items = a
            .items
            .iter()
            .map(|s| {
                let page = s.page.as_ref();
                let url = match (&s.link, page, &s.generated_url) {
                    (Some(link), _, _) => Some(link.clone()),
                    (None, Some(p), _) => Some(format!("{base_path}{}", p.url)),
                    (None, None, Some(g)) => Some(format!("{base_path}{g}")),
                    _ => None,
                };
                IndexItem {
                    key: &s.item.key,
                    title: &s.item.title,
                    group: s.force.map_or("other", |f| f.as_str()),
                    cadence: s.item.cadence.in_words(),
                    contains: &s.item.contains,
                    state: s.state,
                    url,
                    external: s.link.is_some(),
                    last_reviewed: page.and_then(|p| p.last_reviewed),
                    next_review: page.and_then(|p| p.next_review),
                    approved_by: page.and_then(|p| p.approved_by.as_deref()),
                    reason: s.reason.as_deref(),
                }
            })
            .collect();
        StatutoryIndex {
            profile: a.profile.map_or("none", |p| p.as_str()),
            source: a
                .profile
                .and_then(|p| statutory::Checklist::builtin().source(p)),
            items,
        }
    }
}

#[derive(Serialize)]
pub(super) struct SectionView<'a> {
    title: &'a str,
    description: &'a str,
    path: String,
    permalink: String,
    content: String,
    toc: Vec<TocEntry>,
    extra: &'a toml::Table,
    /// All pages, in order, when the section is not paginated (use
    /// `paginator.pages` when it is).
    pages: Vec<&'a tera::Value>,
    subsections: Vec<SectionLink<'a>>,
}

impl<'a> SectionView<'a> {
    pub(super) fn new(
        s: &'a Section,
        site: &'a Site,
        html: Html,
        pages: Vec<&'a tera::Value>,
        base_path: &str,
        base_url: &str,
    ) -> Self {
        SectionView {
            title: s.meta.title.as_deref().unwrap_or(""),
            description: s.meta.description.as_deref().unwrap_or(""),
            path: format!("{base_path}{}", s.path),
            permalink: format!("{base_url}{}", s.path),
            content: html.html,
            toc: html.toc,
            extra: &s.meta.extra,
            pages,
            subsections: s
                .subsections
                .iter()
                .map(|&i| {
                    let sub = &site.sections[i];
                    SectionLink {
                        title: sub.meta.title.as_deref().unwrap_or(""),
                        path: format!("{base_path}{}", sub.path),
                    }
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub(super) struct Pager<'a> {
    /// 1-based number of this pager.
    current_index: usize,
    number_pagers: usize,
    pages: Vec<&'a tera::Value>,
    first: String,
    last: String,
    previous: Option<String>,
    next: Option<String>,
}

impl<'a> Pager<'a> {
    pub(super) fn new(
        index: usize,
        count: usize,
        pages: Vec<&'a tera::Value>,
        section_path: &str,
        base_path: &str,
    ) -> Self {
        let url = |i: usize| {
            if i == 0 {
                format!("{base_path}{section_path}")
            } else {
                format!("{base_path}{section_path}page/{}/", i + 1)
            }
        };
        Pager {
            current_index: index + 1,
            number_pagers: count,
            pages,
            first: url(0),
            last: url(count - 1),
            previous: (index > 0).then(|| url(index - 1)),
            next: (index + 1 < count).then(|| url(index + 1)),
        }
    }
}

/// `get_url(path="@/news/_index.md")` for documents, `get_url(path="style.css")`
/// for the theme's static files.
pub(super) struct GetUrl {
    urls: HashMap<String, String>,
    base_path: String,
    base_url: String,
}

impl GetUrl {
    pub(super) fn new(site: &Site, base_path: &str, base_url: &str) -> Self {
        let urls = site
            .documents()
            .filter_map(|d| {
                site.url_of(&d.source)
                    .map(|u| (d.source.clone(), u.to_string()))
            })
            .collect();
        GetUrl {
            urls,
            base_path: base_path.to_string(),
            base_url: base_url.to_string(),
        }
    }
}

impl tera::Function for GetUrl {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let path = args
            .get("path")
            .and_then(|v| v.as_str())
            .ok_or_else(|| tera::Error::msg("get_url needs path=\"…\""))?;
        let prefix = if args.get("absolute").and_then(|v| v.as_bool()) == Some(true) {
            &self.base_url
        } else {
            &self.base_path
        };
        if let Some(rest) = path.strip_prefix("@/") {
            let (file, anchor) = rest
                .split_once('#')
                .map_or((rest, None), |(f, a)| (f, Some(a)));
            let url = self.urls.get(file).ok_or_else(|| {
                tera::Error::msg(format!(
                    "get_url: {path} is not a page or section (or is a draft)"
                ))
            })?;
            let mut out = format!("{prefix}{url}");
            if let Some(a) = anchor {
                out.push('#');
                out.push_str(a);
            }
            return Ok(tera::Value::String(out));
        }
        Ok(tera::Value::String(format!(
            "{prefix}/{}",
            path.trim_start_matches('/')
        )))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// An event as templates see it, with its dates already in words.
#[derive(Serialize)]
pub(super) struct EventView<'a> {
    title: &'a str,
    /// First and last day, `2026-10-26`.
    start: String,
    end: String,
    /// `14:00`, for timed events.
    start_time: Option<String>,
    end_time: Option<String>,
    all_day: bool,
    multi_day: bool,
    /// "Monday 26 October to Friday 30 October 2026",
    /// "Thursday 10 December 2026, 2pm to 3:15pm".
    when: String,
    /// The `datetime` of a `<time>` element for the start.
    datetime: String,
    location: Option<&'a str>,
    description: Option<&'a str>,
    /// The page that lists it.
    page_title: &'a str,
    page_path: String,
}

impl<'a> EventView<'a> {
    pub(super) fn new(e: &'a Event, site: &'a Site, base_path: &str) -> Self {
        let page = &site.pages[e.page];
        let (start, end) = (e.start, e.end());
        let (first, last) = (start.date(), end.date());
        let day = |d: chrono::NaiveDate, year: bool| {
            if year {
                d.format("%A %-d %B %Y").to_string()
            } else {
                d.format("%A %-d %B").to_string()
            }
        };
        let mut when = if first == last {
            day(first, true)
        } else {
            format!(
                "{} to {}",
                day(first, first.year() != last.year()),
                day(last, true)
            )
        };
        if let (Some(from), Some(to)) = (start.time(), end.time()) {
            when.push_str(", ");
            when.push_str(&clock(from));
            if to != from {
                when.push_str(" to ");
                when.push_str(&clock(to));
            }
        }
        EventView {
            title: &e.title,
            start: first.to_string(),
            end: last.to_string(),
            start_time: start.time().map(|t| t.format("%H:%M").to_string()),
            end_time: end.time().map(|t| t.format("%H:%M").to_string()),
            all_day: e.all_day(),
            multi_day: first != last,
            when,
            datetime: match start {
                When::Day(d) => d.to_string(),
                When::At(t) => t.format("%Y-%m-%dT%H:%M").to_string(),
            },
            location: e.location.as_deref(),
            description: e.description.as_deref(),
            page_title: page.meta.title.as_deref().unwrap_or(""),
            page_path: format!("{base_path}{}", page.path),
        }
    }
}

/// "2pm", "3:15pm", "12pm": how UK schools write times.
fn clock(t: chrono::NaiveTime) -> String {
    let (pm, hour) = t.hour12();
    let suffix = if pm { "pm" } else { "am" };
    if t.minute() == 0 {
        format!("{hour}{suffix}")
    } else {
        format!("{hour}:{:02}{suffix}", t.minute())
    }
}

/// `get_section(path="news/_index.md")`: a section's title, address and
/// pages (as lists show them), for the home page's latest news. With
/// `required=false` a missing section gives nothing instead of an error.
pub(super) struct GetSection {
    sections: HashMap<String, tera::Value>,
}

impl GetSection {
    pub(super) fn new(
        site: &Site,
        summaries: &[tera::Value],
        base_path: &str,
        base_url: &str,
    ) -> Self {
        let sections = site
            .sections
            .iter()
            .filter(|s| s.exists)
            .map(|s| {
                let pages: Vec<&tera::Value> = s.pages.iter().map(|&i| &summaries[i]).collect();
                let value = serde_json::json!({
                    "title": s.meta.title.as_deref().unwrap_or(""),
                    "description": s.meta.description.as_deref().unwrap_or(""),
                    "path": format!("{base_path}{}", s.path),
                    "permalink": format!("{base_url}{}", s.path),
                    "pages": pages,
                });
                (s.doc.source.clone(), value)
            })
            .collect();
        GetSection { sections }
    }
}

impl tera::Function for GetSection {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let path = args
            .get("path")
            .and_then(|v| v.as_str())
            .ok_or_else(|| tera::Error::msg("get_section needs path=\"news/_index.md\""))?;
        let path = path.trim_start_matches("@/");
        match self.sections.get(path) {
            Some(v) => Ok(v.clone()),
            None if args.get("required").and_then(|v| v.as_bool()) == Some(false) => {
                Ok(tera::Value::Null)
            }
            None => Err(tera::Error::msg(format!(
                "get_section: there is no section {path} (give required=false if it is optional)"
            ))),
        }
    }
}
