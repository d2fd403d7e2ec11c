//! What templates see: plain serialisable views of the config, sections
//! and pages, in the names Zola users know.

use crate::config::{Config, School};
use crate::content::markdown::{Html, TocEntry};
use crate::content::paths::{self, Target};
use crate::content::{Page, Section, Site};
use crate::report::{Finding, Location};
use crate::statutory::{self, Assessment, GeneratedPage, State, Version};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

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
    title: &'a str,
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
            title: p.meta.title.as_deref().unwrap_or(""),
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
    content: String,
    toc: Vec<TocEntry>,
    draft: bool,
    /// The section the page is in: its title and path.
    section: SectionLink<'a>,
    /// Review details for the version box of a page that gives them
    /// (statutory information and policies).
    version: Option<&'a Version>,
    /// Made by schoolsite from config.toml, not written by the school.
    generated: bool,
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
        html: Html,
        base_path: &str,
        base_url: &str,
    ) -> Self {
        PageView {
            summary: PageSummary::new(p, base_path, base_url),
            content: html.html,
            toc: html.toc,
            draft: p.meta.draft,
            section: SectionLink {
                title: section.meta.title.as_deref().unwrap_or(""),
                path: format!("{base_path}{}", section.path),
            },
            version: None,
            generated: false,
        }
    }

    pub(super) fn with_version(mut self, version: Option<&'a Version>) -> Self {
        self.version = version;
        self
    }

    /// A starter page for a statutory item, shown in the statutory
    /// information section.
    pub(super) fn generated(
        g: &'a GeneratedPage,
        html: Html,
        base_path: &str,
        base_url: &str,
    ) -> Self {
        PageView {
            summary: PageSummary {
                title: &g.title,
                description: &g.description,
                date: None,
                path: format!("{base_path}{}", g.path),
                permalink: format!("{base_url}{}", g.path),
                slug: &g.key,
                weight: None,
                extra: &NO_EXTRA,
            },
            content: html.html,
            toc: html.toc,
            draft: false,
            section: SectionLink {
                title: "Statutory information",
                path: format!("{base_path}{}", statutory::INDEX_PATH),
            },
            version: None,
            generated: true,
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
