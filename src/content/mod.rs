//! Loading `content/`: sections (`_index.md`), pages (`x.md` or
//! `x/index.md` with colocated files), their front matter and Markdown
//! references, and every other file found there.
//!
//! Loading never decides policy: it records what is there and what each
//! document refers to, and reports only files it cannot read or parse.

pub mod events;
pub mod front_matter;
pub mod markdown;
pub mod paths;
mod unsupported;

use crate::report::{Finding, Location};
use chrono::NaiveDate;
use front_matter::{PageMeta, SectionMeta, SortBy};
use markdown::Scan;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const CONTENT_DIR: &str = "content";

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("there is no content/ folder in {0}")]
    Missing(PathBuf),
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Include pages marked `draft = true`.
    pub drafts: bool,
}

/// A Markdown file's body and what it refers to.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to `content/`, with `/` separators.
    pub source: String,
    pub body: String,
    /// The file line the body starts on.
    pub body_line: usize,
    /// The front matter text, for pointing findings at a key's line.
    pub front: String,
    /// The file line the front matter starts on.
    pub front_line: usize,
    pub scan: Scan,
}

impl Document {
    /// The path relative to the site root, as findings show it.
    pub fn file(&self) -> String {
        format!("{CONTENT_DIR}/{}", self.source)
    }

    /// The file line of front matter key `key` (the front matter's first
    /// line if the key is not written there).
    pub fn key_line(&self, key: &str) -> usize {
        self.front
            .lines()
            .position(|l| {
                l.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map(|i| self.front_line + i)
            .unwrap_or(self.front_line)
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub doc: Document,
    pub meta: SectionMeta,
    /// The folder, relative to `content/` (`""` for the home page).
    pub dir: String,
    /// The URL path, e.g. `/news/`.
    pub path: String,
    /// Pages, in the section's sort order (indices into `Site::pages`).
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
    /// False for a home section made up because `content/_index.md` is
    /// missing.
    pub exists: bool,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub doc: Document,
    pub meta: PageMeta,
    pub date: Option<NaiveDate>,
    pub slug: String,
    /// The URL path, e.g. `/news/harvest/`.
    pub path: String,
    /// Index of the section the page belongs to.
    pub section: usize,
}

/// A file in `content/` that is not Markdown.
#[derive(Debug, Clone)]
pub struct ContentFile {
    /// Path relative to `content/`.
    pub path: String,
}

/// Everything loaded from `content/`.
#[derive(Debug, Default)]
pub struct Site {
    /// Index 0 is the home section.
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    pub files: Vec<ContentFile>,
    /// Files that could not be read or parsed, symlinks leading out.
    pub problems: Vec<Finding>,
    /// Sources of drafts left out of this build.
    pub drafts: HashSet<String>,
    /// Every page's `[[events]]`, by start (then page order).
    pub events: Vec<events::Event>,
    urls: HashMap<String, (String, usize)>,
    escaping: HashSet<String>,
}

impl Site {
    /// The URL path of the document at content-relative `source`, and its
    /// index in the anchors table.
    pub fn url_of(&self, source: &str) -> Option<&str> {
        self.urls.get(source).map(|(u, _)| u.as_str())
    }

    /// Whether `anchor` is a heading id of the document at `source`.
    pub fn has_anchor(&self, source: &str, anchor: &str) -> bool {
        self.document(source)
            .is_some_and(|d| d.scan.anchors.iter().any(|a| a == anchor))
    }

    fn document(&self, source: &str) -> Option<&Document> {
        let (_, idx) = self.urls.get(source)?;
        if source.ends_with("_index.md") {
            self.sections.get(*idx).map(|s| &s.doc)
        } else {
            self.pages.get(*idx).map(|p| &p.doc)
        }
    }

    /// Every document (sections that exist, then pages).
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.sections
            .iter()
            .filter(|s| s.exists)
            .map(|s| &s.doc)
            .chain(self.pages.iter().map(|p| &p.doc))
    }

    /// Whether the content file at `path` is a symlink that leads out of
    /// `content/` (or cannot be resolved).
    pub fn escapes(&self, path: &str) -> bool {
        self.escaping.contains(path)
    }

    /// Whether a non-Markdown file exists at content-relative `path`.
    pub fn has_file(&self, path: &str) -> bool {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }
}

/// What a reference in a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Image,
    Link,
}

/// A place a content file is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUse {
    /// The document, relative to the site root (`content/news/x/index.md`).
    pub file: String,
    pub line: usize,
    /// The document's URL path on the published site.
    pub url: String,
}

/// A link or image in a document, resolved.
#[derive(Debug, Clone)]
pub struct Reference<'a> {
    pub doc: &'a Document,
    pub kind: RefKind,
    pub url: &'a str,
    /// Alt text, for images.
    pub alt: &'a str,
    pub line: usize,
    pub target: paths::Target,
}

impl Site {
    /// Every link and image in every document, resolved.
    pub fn references(&self) -> impl Iterator<Item = Reference<'_>> {
        self.documents().flat_map(|doc| {
            let images = doc.scan.images.iter().map(move |i| Reference {
                doc,
                kind: RefKind::Image,
                url: &i.url,
                alt: &i.alt,
                line: i.line,
                target: paths::resolve(&doc.source, &i.url),
            });
            let links = doc.scan.links.iter().map(move |l| Reference {
                doc,
                kind: RefKind::Link,
                url: &l.url,
                alt: "",
                line: l.line,
                target: paths::resolve(&doc.source, &l.url),
            });
            images.chain(links)
        })
    }

    /// Where each content file is used: content path → the documents and
    /// lines that refer to it (as an image or a link), in document order.
    pub fn file_uses(&self) -> std::collections::BTreeMap<String, Vec<FileUse>> {
        let mut uses: std::collections::BTreeMap<String, Vec<FileUse>> = Default::default();
        for r in self.references() {
            if let paths::Target::Content(p) = r.target
                && self.has_file(&p)
            {
                uses.entry(p).or_default().push(FileUse {
                    file: r.doc.file(),
                    line: r.line,
                    url: self.url_of(&r.doc.source).unwrap_or("").to_string(),
                });
            }
        }
        uses
    }
}

/// A Markdown file after reading and parsing.
enum Parsed {
    Section(Document, SectionMeta),
    Page(Document, PageMeta),
    Problem(Finding),
}

/// Whether the loader passes over a file or folder called `name` (and
/// all in it): a dot-file (`.DS_Store`, an editor's swap file, the
/// studio's temporary files), never content.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// Loads `root/content`.
pub fn load(root: &Path, options: LoadOptions) -> Result<Site, ContentError> {
    let content_dir = root.join(CONTENT_DIR);
    if !content_dir.is_dir() {
        return Err(ContentError::Missing(root.to_path_buf()));
    }
    let canonical_root = content_dir
        .canonicalize()
        .map_err(|source| ContentError::Io {
            path: content_dir.clone(),
            source,
        })?;

    let mut site = Site::default();
    let mut markdown = Vec::new();
    let walker = walkdir::WalkDir::new(&content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| display_rel(root, p))
                    .unwrap_or_else(|| CONTENT_DIR.to_string());
                site.problems.push(Finding::error(
                    "content-read",
                    Location::file(path),
                    format!("could not read this: {e}"),
                    "check the file's permissions",
                ));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let Some(rel) = relative(&content_dir, entry.path()) else {
            site.problems.push(Finding::error(
                "content-read",
                Location::file(display_rel(root, entry.path())),
                "the file name is not valid Unicode",
                "rename the file using ordinary letters, digits and hyphens",
            ));
            continue;
        };
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => {
                    if target.is_dir() {
                        site.problems.push(Finding::error(
                            "path-escape",
                            Location::file(format!("{CONTENT_DIR}/{rel}")),
                            "this is a link to a folder, which schoolsite does not follow",
                            "move the folder here instead of linking to it",
                        ));
                        continue;
                    }
                }
                _ => {
                    site.escaping.insert(rel.clone());
                    site.problems.push(Finding::error(
                        "path-escape",
                        Location::file(format!("{CONTENT_DIR}/{rel}")),
                        "this is a link that leads outside content/ (or to nothing); nothing outside content/ is published",
                        "copy the file into content/ instead of linking to it",
                    ));
                    continue;
                }
            }
        } else if file_type.is_dir() {
            continue;
        }
        if rel.ends_with(".md") {
            markdown.push((rel, entry.path().to_path_buf()));
        } else {
            site.files.push(ContentFile { path: rel });
        }
    }

    let parsed: Vec<Parsed> = markdown
        .par_iter()
        .map(|(rel, path)| parse_markdown(rel, path))
        .collect();

    let mut pages = Vec::new();
    for p in parsed {
        match p {
            Parsed::Section(doc, meta) => {
                let dir = parent_dir(&doc.source).to_string();
                site.sections.push(Section {
                    path: url_path(&dir),
                    dir,
                    doc,
                    meta,
                    pages: Vec::new(),
                    subsections: Vec::new(),
                    exists: true,
                });
            }
            Parsed::Page(doc, meta) => {
                if meta.draft && !options.drafts {
                    site.drafts.insert(doc.source.clone());
                } else {
                    pages.push((doc, meta));
                }
            }
            Parsed::Problem(f) => site.problems.push(f),
        }
    }

    // The home section first; make one up if content/_index.md is absent.
    site.sections.sort_by(|a, b| a.dir.cmp(&b.dir));
    if site.sections.first().is_none_or(|s| !s.dir.is_empty()) {
        site.sections.insert(
            0,
            Section {
                doc: Document {
                    source: "_index.md".to_string(),
                    body: String::new(),
                    body_line: 1,
                    front: String::new(),
                    front_line: 1,
                    scan: Scan::default(),
                },
                meta: SectionMeta::default(),
                dir: String::new(),
                path: "/".to_string(),
                pages: Vec::new(),
                subsections: Vec::new(),
                exists: false,
            },
        );
    }
    let section_of_dir: HashMap<String, usize> = site
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.dir.clone(), i))
        .collect();
    let nearest_section = |dir: &str| -> usize {
        let mut d = dir;
        loop {
            if let Some(&i) = section_of_dir.get(d) {
                return i;
            }
            if d.is_empty() {
                return 0;
            }
            d = parent_dir(d);
        }
    };
    for i in 1..site.sections.len() {
        let parent = nearest_section(parent_dir(&site.sections[i].dir));
        site.sections[parent].subsections.push(i);
    }

    for (doc, meta) in pages {
        let (container, stem) = page_location(&doc.source);
        let name_date = front_matter::date_prefix(stem);
        let date = match &meta.date {
            Some(v) => match front_matter::parse_date(v) {
                Ok(d) => Some(d),
                Err(message) => {
                    site.problems.push(Finding::error(
                        "front-matter",
                        Location::line(doc.file(), doc.key_line("date")),
                        format!("date: {message}"),
                        "write the date as 2026-09-01 (year-month-day)",
                    ));
                    None
                }
            },
            None => name_date.map(|(d, _)| d),
        };
        let slug_source = meta
            .slug
            .as_deref()
            .unwrap_or_else(|| name_date.map(|(_, rest)| rest).unwrap_or(stem));
        let mut slug = slug::slugify(slug_source);
        if slug.is_empty() {
            slug = "page".to_string();
        }
        let section = nearest_section(container);
        let path = format!("{}{slug}/", url_path(container));
        let index = site.pages.len();
        for (n, e) in meta.events.iter().enumerate() {
            let line = events::table_line(&doc.front, doc.front_line, n);
            match events::parse(e) {
                Ok((start, end)) => site.events.push(events::Event {
                    title: e.title.trim().to_string(),
                    start,
                    end,
                    location: e.location.clone().filter(|l| !l.trim().is_empty()),
                    description: e.description.clone().filter(|d| !d.trim().is_empty()),
                    page: index,
                    line,
                }),
                Err(message) => site.problems.push(Finding::error(
                    "front-matter",
                    Location::line(doc.file(), line),
                    format!("event: {message}"),
                    "write each [[events]] table as title = \"…\", start = 2026-10-26 (and end = 2026-10-30 for more than a day, or start = 2026-12-10T14:00:00 with a time)",
                )),
            }
        }
        site.pages.push(Page {
            doc,
            meta,
            date,
            slug,
            path,
            section,
        });
        site.sections[section].pages.push(index);
    }

    site.events
        .sort_by(|a, b| a.start.cmp(&b.start).then(a.page.cmp(&b.page)));
    for s in 0..site.sections.len() {
        let mut list = std::mem::take(&mut site.sections[s].pages);
        sort_pages(&mut list, &site.pages, site.sections[s].meta.sort_by);
        site.sections[s].pages = list;
    }
    for (i, s) in site.sections.iter().enumerate() {
        site.urls.insert(s.doc.source.clone(), (s.path.clone(), i));
    }
    for (i, p) in site.pages.iter().enumerate() {
        site.urls.insert(p.doc.source.clone(), (p.path.clone(), i));
    }
    site.files.sort_by(|a, b| a.path.cmp(&b.path));
    let unsupported = unsupported::check(root, &site);
    site.problems.extend(unsupported);
    Ok(site)
}

/// The most a Markdown page may hold: about 300,000 words, far more than
/// any page a parent reads. A page takes up to about 120 times its size
/// in memory while it is built (a page of short paragraphs), so this
/// bounds a page to a few hundred MB.
pub const MAX_PAGE_BYTES: u64 = 2_000_000;

fn parse_markdown(rel: &str, path: &Path) -> Parsed {
    let file = format!("{CONTENT_DIR}/{rel}");
    let bytes = match crate::media::read_text(path, MAX_PAGE_BYTES) {
        Ok(b) => b,
        Err(crate::media::TextError::TooBig(size)) => {
            return Parsed::Problem(Finding::error(
                "content-read",
                Location::file(file),
                format!(
                    "this page is {}, more than the {} MB a page may hold (reading it would take gigabytes of memory)",
                    crate::media::human_bytes(size),
                    MAX_PAGE_BYTES / 1_000_000
                ),
                "split it into several pages; a long document is better published as a PDF linked from a page",
            ));
        }
        Err(e) => {
            return Parsed::Problem(Finding::error(
                "content-read",
                Location::file(file),
                format!("could not read this file: {e}"),
                "check the file's permissions",
            ));
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return Parsed::Problem(Finding::error(
                "content-encoding",
                Location::line(file, line),
                "this file is not UTF-8 text (it may have been saved from Word or Excel in another encoding)",
                "open it in a text editor and save it with the encoding UTF-8",
            ));
        }
    };
    let split = match front_matter::split(&text) {
        Ok(s) => s,
        Err(e) => {
            return Parsed::Problem(Finding::error(
                "front-matter",
                Location::line(file, e.line),
                e.message,
                e.fix,
            ));
        }
    };
    if let Some(line) = markdown::too_deep(split.body, split.body_line) {
        return Parsed::Problem(Finding::error(
            "markdown-nesting",
            Location::line(file, line),
            format!(
                "quotes and lists are nested more than {} deep here, which no page needs and which would take the build minutes to read",
                markdown::MAX_NESTING
            ),
            "nest quotes (>) and lists less deeply",
        ));
    }
    let doc = Document {
        source: rel.to_string(),
        body: split.body.to_string(),
        body_line: split.body_line,
        front: split.front.to_string(),
        front_line: split.front_line,
        scan: markdown::scan(split.body, split.body_line),
    };
    let problem = |e: front_matter::FrontMatterError| {
        Parsed::Problem(Finding::error(
            "front-matter",
            Location::line(format!("{CONTENT_DIR}/{rel}"), e.line),
            e.message,
            e.fix,
        ))
    };
    if rel == "_index.md" || rel.ends_with("/_index.md") {
        match front_matter::parse::<SectionMeta>(&split) {
            Ok(meta) => Parsed::Section(doc, meta),
            Err(e) => problem(e),
        }
    } else {
        match front_matter::parse::<PageMeta>(&split) {
            Ok(meta) => Parsed::Page(doc, meta),
            Err(e) => problem(e),
        }
    }
}

fn sort_pages(list: &mut [usize], pages: &[Page], by: SortBy) {
    match by {
        SortBy::Date => list.sort_by(|&a, &b| {
            let (pa, pb) = (&pages[a], &pages[b]);
            match (pa.date, pb.date) {
                (Some(x), Some(y)) => y.cmp(&x).then_with(|| pa.doc.source.cmp(&pb.doc.source)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => pa.doc.source.cmp(&pb.doc.source),
            }
        }),
        SortBy::Weight => list.sort_by(|&a, &b| {
            let (pa, pb) = (&pages[a], &pages[b]);
            let key = |p: &Page| (p.meta.weight.is_none(), p.meta.weight);
            key(pa)
                .cmp(&key(pb))
                .then_with(|| pa.doc.source.cmp(&pb.doc.source))
        }),
        SortBy::Title => list.sort_by_cached_key(|&a| {
            let p = &pages[a];
            (
                p.meta.title.clone().unwrap_or_default().to_lowercase(),
                p.doc.source.clone(),
            )
        }),
        SortBy::None => list.sort_by(|&a, &b| pages[a].doc.source.cmp(&pages[b].doc.source)),
    }
}

/// For a page source, the folder its URL lives in and the name its slug
/// comes from: `news/a.md` → (`news`, `a`); `news/a/index.md` → (`news`, `a`).
fn page_location(source: &str) -> (&str, &str) {
    let dir = parent_dir(source);
    let file = &source[if dir.is_empty() { 0 } else { dir.len() + 1 }..];
    if file == "index.md" && !dir.is_empty() {
        let container = parent_dir(dir);
        let name = &dir[if container.is_empty() {
            0
        } else {
            container.len() + 1
        }..];
        (container, name)
    } else {
        (dir, file.trim_end_matches(".md"))
    }
}

fn parent_dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

fn url_path(dir: &str) -> String {
    let mut out = String::from("/");
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        out.push_str(&slug::slugify(part));
        out.push('/');
    }
    out
}

fn relative(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// A path relative to the site root for display, lossy if need be.
pub fn display_rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_locations() {
        assert_eq!(page_location("news/a.md"), ("news", "a"));
        assert_eq!(page_location("news/a/index.md"), ("news", "a"));
        assert_eq!(page_location("about.md"), ("", "about"));
        assert_eq!(page_location("trip/index.md"), ("", "trip"));
        assert_eq!(url_path("News Items/x"), "/news-items/x/");
    }
}
