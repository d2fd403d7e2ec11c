//! The pages list, a new page, editing a page, the bin and the whole
//! site's findings.

use super::guard::Posted;
use super::view::{self, Problem};
use super::{Studio, content_site, findings_for, photos, wait_for_build};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use schoolsite::content::events::{self, When};
use schoolsite::content::front_matter::{self, PageMeta, SectionMeta};
use schoolsite::report::{Finding, Severity};
use schoolsite::studio::bin;
use schoolsite::studio::page::{self, Event, Fields};
use schoolsite::studio::write::{self, Version, WriteError};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// One page in the list, with what needs attention.
#[derive(Serialize)]
struct Row {
    title: String,
    source: String,
    url: String,
    draft: bool,
    errors: usize,
    warnings: usize,
    notes: Vec<&'static str>,
}

#[derive(Serialize)]
struct Group {
    heading: String,
    dir: String,
    /// The section's own page first, then its pages.
    rows: Vec<Row>,
}

pub async fn to_list() -> Redirect {
    Redirect::permanent("/studio/")
}

/// `/studio/`: every section and its pages.
pub async fn list(State(studio): State<Studio>) -> Response {
    list_with(&studio, Vec::new(), "")
}

fn list_with(studio: &Studio, errors: Vec<Problem>, notice: &str) -> Response {
    let site = match content_site(studio) {
        Ok(site) => site,
        Err(response) => return response,
    };
    let built = studio.current();
    let row = |doc: &schoolsite::content::Document, title: &Option<String>, url: &str, draft| {
        let mine = findings_for(&built.findings, &doc.source);
        Row {
            title: title.clone().unwrap_or_else(|| doc.source.clone()),
            source: doc.source.clone(),
            url: url.to_string(),
            draft,
            errors: count(&mine, Severity::Error),
            warnings: count(&mine, Severity::Warning),
            notes: notes(&mine),
        }
    };
    let groups: Vec<Group> = site
        .sections
        .iter()
        .filter(|s| s.exists)
        .map(|s| Group {
            heading: s.meta.title.clone().unwrap_or_else(|| s.dir.clone()),
            dir: s.dir.clone(),
            rows: std::iter::once(row(&s.doc, &s.meta.title, &s.path, false))
                .chain(
                    s.pages
                        .iter()
                        .filter_map(|&i| site.pages.get(i))
                        .map(|p| row(&p.doc, &p.meta.title, &p.path, p.meta.draft)),
                )
                .collect(),
        })
        .collect();
    let mut context = view::context(studio);
    context.insert("groups", &groups);
    context.insert("errors", &errors);
    context.insert("notice", notice);
    context.insert("today", &today(studio).to_string());
    context.insert("problem", &built.problem);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    view::render(status, "list.html", &context)
}

fn count(findings: &[&Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

/// What a page's findings say needs doing, in words: from the category
/// the build gives each rule (`Rule::category`), never decided here.
fn notes(findings: &[&Finding]) -> Vec<&'static str> {
    use schoolsite::finding::Category;
    let has = |c: Category| findings.iter().any(|f| f.category() == Some(c));
    [
        (Category::StatutoryReview, "statutory review due"),
        (Category::PhotoMustComeDown, "a photo must come down"),
        (Category::WhoIsInIt, "say who is in a photo"),
    ]
    .into_iter()
    .filter(|(c, _)| has(*c))
    .map(|(_, note)| note)
    .collect()
}

fn today(studio: &Studio) -> NaiveDate {
    studio
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// `POST /studio/new`: a page or news post, named by its date and title.
pub async fn create(State(studio): State<Studio>, form: Posted) -> Response {
    let (rel, fields) = match new_page(&studio, &form) {
        Ok(new) => new,
        Err(response) => return response,
    };
    let refused = |why: String| list_with(&studio, vec![Problem::new("new-title", why)], "");
    let body = form
        .0
        .iter()
        .find(|(k, _)| k == "body")
        .map_or("", |(_, v)| v.as_str());
    let text = match page::save("", &fields, body) {
        Ok(text) => text,
        Err(e) => return refused(e.to_string()),
    };
    let Some(new) = Version::from_token("new") else {
        return refused("The page was not created".to_string());
    };
    match write::write_if_unchanged(&studio.content().join(&rel), &new, text.as_bytes()) {
        Ok(()) => {
            studio.kick.now();
            Redirect::to(&format!("/studio/edit?page={}&created=true", encode(&rel)))
                .into_response()
        }
        Err(WriteError::Changed) => refused(format!(
            "There is already a page called {rel}: choose another title, or edit that page"
        )),
        Err(e) => refused(format!("The page was not created: {e}")),
    }
}

/// Where the new page in `form` goes (relative to `content/`, named by
/// its date and title) and its fields; or the list again, saying what
/// is wrong with the form.
fn new_page(studio: &Studio, form: &Posted) -> Result<(String, Fields), Response> {
    let (title, section) = (form.get("title"), form.get("section"));
    let mut errors = Vec::new();
    let date = parse_date(form.get("date")).unwrap_or_else(|()| {
        errors.push(Problem::new(
            "new-date",
            "Give the date as a date, e.g. 2026-12-01",
        ));
        None
    });
    let slug = slug::slugify(title);
    if title.is_empty() || slug.is_empty() {
        errors.push(Problem::new(
            "new-title",
            "Give the page a title (with letters or numbers in it)",
        ));
    }
    let site = content_site(studio)?;
    if !site.sections.iter().any(|s| s.exists && s.dir == section) {
        errors.push(Problem::new(
            "new-section",
            "Choose a section from the list",
        ));
    }
    if let Some(why) = super::address_refused(studio, &slug) {
        errors.push(Problem::new("new-title", why));
    }
    if !errors.is_empty() {
        return Err(list_with(studio, errors, ""));
    }
    let name = match date {
        Some(d) => format!("{d}-{slug}.md"),
        None => format!("{slug}.md"),
    };
    let rel = if section.is_empty() {
        name
    } else {
        format!("{section}/{name}")
    };
    let fields = Fields {
        title: title.to_string(),
        date,
        draft: true,
        ..Fields::default()
    };
    Ok((rel, fields))
}

pub fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn parse_date(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.trim().parse().map(Some).map_err(|_| ())
}

#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    page: String,
    /// Just made by "Add a page".
    #[serde(default)]
    created: bool,
}

/// A page as the form shows it.
#[derive(Serialize, Default)]
struct Form {
    page: String,
    version: String,
    url: String,
    section: bool,
    /// The statutory items it is (usually one).
    statutory: Vec<String>,
    title: String,
    description: String,
    date: String,
    /// The date its file or folder name gives, when the front matter has
    /// none (`2026-11-06-garden/index.md`).
    date_hint: String,
    draft: bool,
    weight: String,
    last_reviewed: String,
    next_review: String,
    approved_by: String,
    events: Vec<EventRow>,
    /// The page's `[[events]]` are kept as written: why (one cannot be
    /// read as the build reads it).
    keep_events: String,
    body: String,
}

/// One event as the form shows it: every field as text.
#[derive(Serialize, Default, Clone)]
struct EventRow {
    /// Which of the page's `[[events]]` it is (from 0), empty for one
    /// being added.
    from: String,
    title: String,
    start: String,
    start_time: String,
    end: String,
    end_time: String,
    location: String,
    description: String,
}

impl EventRow {
    fn of(from: Option<usize>, e: &Event) -> EventRow {
        let (start, start_time) = day_and_time(Some(e.start));
        let (end, end_time) = day_and_time(e.end);
        EventRow {
            from: from.map(|i| i.to_string()).unwrap_or_default(),
            title: e.title.clone(),
            start,
            start_time,
            end,
            end_time,
            location: e.location.clone().unwrap_or_default(),
            description: e.description.clone().unwrap_or_default(),
        }
    }
}

/// A day and a time of day ("14:00", empty for a whole day), as the
/// form's date and time fields take them.
fn day_and_time(w: Option<When>) -> (String, String) {
    match w {
        None => (String::new(), String::new()),
        Some(When::Day(d)) => (d.to_string(), String::new()),
        Some(When::At(t)) => (t.date().to_string(), t.format("%H:%M").to_string()),
    }
}

/// A finding beside the form, linked to the field or photo it is about.
#[derive(Serialize)]
struct Shown {
    /// Where the link goes: `#body`, `#title`, a photo's page.
    link: String,
    /// What the link says.
    go: &'static str,
    place: String,
    message: String,
    fix: String,
    error: bool,
    /// The rule's name, as docs/findings.md lists it.
    rule: String,
}

/// A photo the page shows, or that is beside it in its own folder.
#[derive(Serialize)]
struct PhotoRow {
    name: String,
    /// Its "who is in this photo" page.
    link: String,
    /// The file line of the page's text that shows it (none: not in the
    /// text yet).
    line: Option<usize>,
    /// Errors the build found about it.
    to_fix: usize,
    #[serde(skip)]
    file: String,
    /// A photo (not a clip or a document), by its bytes.
    #[serde(skip)]
    image: bool,
}

/// The photos beside the page at `page` (in its folder), by the name
/// its text refers to them with, for the toolbar's Photo list.
fn insertable(page: &str, photos: &[PhotoRow]) -> Vec<String> {
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    photos
        .iter()
        .filter(|p| p.image)
        .filter(|p| p.file.rsplit_once('/').map_or("", |(d, _)| d) == dir)
        .map(|p| p.name.clone())
        .collect()
}

/// A statutory item a page can be, for the form's list.
#[derive(Serialize)]
struct StatutoryItem {
    key: String,
    title: String,
}

/// Every item of the built-in checklist a page can be (not those
/// schoolsite writes itself), and the page's own key if the list does
/// not have it (so saving does not drop it; the build reports it).
fn statutory_items(current: &[String]) -> Vec<StatutoryItem> {
    let mut items: Vec<StatutoryItem> = schoolsite::statutory::Checklist::builtin()
        .items
        .iter()
        .filter(|i| !i.generated)
        .map(|i| StatutoryItem {
            key: i.key.clone(),
            title: i.title.clone(),
        })
        .collect();
    for key in current {
        if !items.iter().any(|i| &i.key == key) {
            items.push(StatutoryItem {
                key: key.clone(),
                title: format!("{key} (not in schoolsite's list)"),
            });
        }
    }
    items
}

/// The statutory item posted: `None` to leave what is written (a page
/// covering several), else one of the list's keys or none; an error for
/// anything else.
fn read_statutory(form: &Posted, current: &[String]) -> Result<Option<Option<String>>, Problem> {
    if current.len() > 1 {
        return Ok(None);
    }
    let key = form.get("statutory");
    if key.is_empty() {
        return Ok(Some(None));
    }
    if statutory_items(current).iter().any(|i| i.key == key) {
        Ok(Some(Some(key.to_string())))
    } else {
        Err(Problem::new(
            "statutory",
            "Statutory information: choose an item from the list",
        ))
    }
}

/// A page another page can link to (`@/source`), for the toolbar's list.
#[derive(Serialize)]
struct LinkTarget {
    source: String,
    title: String,
}

/// Every section and page, sections first, by title.
fn link_targets(site: &schoolsite::content::Site) -> Vec<LinkTarget> {
    let target = |doc: &schoolsite::content::Document, title: &Option<String>| LinkTarget {
        source: doc.source.clone(),
        title: title.clone().unwrap_or_else(|| doc.source.clone()),
    };
    let mut sections: Vec<LinkTarget> = site
        .sections
        .iter()
        .filter(|s| s.exists)
        .map(|s| target(&s.doc, &s.meta.title))
        .collect();
    let mut pages: Vec<LinkTarget> = site
        .pages
        .iter()
        .map(|p| target(&p.doc, &p.meta.title))
        .collect();
    sections.sort_by(|a, b| a.title.cmp(&b.title));
    pages.sort_by(|a, b| a.title.cmp(&b.title));
    sections.extend(pages);
    sections
}

/// The photos the page at `source` shows, in the order of its text, then
/// those in its own folder that its text does not show yet.
fn page_photos(
    content: &std::path::Path,
    site: &schoolsite::content::Site,
    source: &str,
) -> Vec<PhotoRow> {
    use schoolsite::content::{RefKind, paths::Target};
    // Only files whose kind is declared: what the build asks of them.
    let declared = |file: &str| {
        let kind = super::photos::kind_of(content, file);
        kind.may_show_people().then_some(kind.is_image())
    };
    let row = |file: String, line, image| PhotoRow {
        name: file.rsplit('/').next().unwrap_or(&file).to_string(),
        link: super::photos::page_of(&file),
        line,
        to_fix: 0,
        file,
        image,
    };
    let mut rows: Vec<PhotoRow> = Vec::new();
    for r in site.references() {
        if r.doc.source != source || r.kind != RefKind::Image {
            continue;
        }
        if let Target::Content(p) = r.target
            && site.has_file(&p)
            && !rows.iter().any(|x| x.file == p)
            && let Some(image) = declared(&p)
        {
            rows.push(row(p, Some(r.line), image));
        }
    }
    if let Some(dir) = source
        .strip_suffix("/index.md")
        .filter(|_| !source.ends_with("_index.md"))
    {
        for f in &site.files {
            let beside = f
                .path
                .strip_prefix(dir)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|name| !name.contains('/'));
            if beside
                && !rows.iter().any(|x| x.file == f.path)
                && let Some(image) = declared(&f.path)
            {
                rows.push(row(f.path.clone(), None, image));
            }
        }
    }
    rows
}

/// `GET /studio/edit?page=news/trip.md`.
pub async fn edit(State(studio): State<Studio>, Query(which): Query<Which>) -> Response {
    let notice = if which.created {
        "Created as a draft: it is not on the site until you untick Draft and save, and the site is approved and published."
    } else {
        ""
    };
    match load_form(&studio, &which.page) {
        Ok(form) => edit_page(&studio, &form, Vec::new(), notice),
        Err(response) => response,
    }
}

/// The page named in a form or address, if it is one of the site's
/// pages or sections (an allow-list: nothing else can be opened).
pub fn known_page(studio: &Studio, rel: &str) -> Result<(String, bool), Response> {
    let site = content_site(studio)?;
    if let Some(p) = site.pages.iter().find(|p| p.doc.source == rel) {
        return Ok((p.path.clone(), false));
    }
    if let Some(s) = site
        .sections
        .iter()
        .find(|s| s.exists && s.doc.source == rel)
    {
        return Ok((s.path.clone(), true));
    }
    // A page the build could not read is no page to the loader, but the
    // build's findings name it: say so, rather than that it is missing.
    let file = format!("{}/{rel}", schoolsite::content::CONTENT_DIR);
    let built = studio.current();
    if let Some(f) = built
        .findings
        .iter()
        .find(|f| f.location.file == file && f.rule == schoolsite::finding::Rule::FrontMatter.id())
    {
        return Err(view::message(
            studio,
            StatusCode::UNPROCESSABLE_ENTITY,
            "This page cannot be opened here",
            &format!(
                "Its settings (the front matter between the +++ lines) cannot be read{}: {} Fix it in a text editor: {}",
                f.location
                    .line
                    .map(|l| format!(" at line {l}"))
                    .unwrap_or_default(),
                f.message,
                f.fix
            ),
            "/studio/findings",
        ));
    }
    Err(view::message(
        studio,
        StatusCode::NOT_FOUND,
        "No such page",
        "There is no page by that name in content/ (it may have been moved or deleted).",
        "/studio/",
    ))
}

fn load_form(studio: &Studio, rel: &str) -> Result<Form, Response> {
    let (url, section) = known_page(studio, rel)?;
    let path = studio.content().join(rel);
    let unreadable = |why: String| {
        view::message(
            studio,
            StatusCode::UNPROCESSABLE_ENTITY,
            "This page cannot be edited here",
            &why,
            "/studio/",
        )
    };
    let bytes =
        std::fs::read(&path).map_err(|e| unreadable(format!("It could not be read: {e}")))?;
    // The version is of the very bytes shown: read apart, a change
    // between the two reads would be saved over unseen.
    let version = Version::of_bytes(&bytes);
    let text =
        String::from_utf8(bytes).map_err(|_| unreadable("It is not UTF-8 text".to_string()))?;
    let split = front_matter::split(&text).map_err(|e| {
        unreadable(format!(
            "Its front matter cannot be read (line {}): {}. {}",
            e.line, e.message, e.fix
        ))
    })?;
    let mut form = Form {
        page: rel.to_string(),
        version: version.token(),
        url,
        section,
        body: split.body.trim_start_matches('\n').to_string(),
        ..Form::default()
    };
    let bad = |e: toml::de::Error| {
        unreadable(format!(
            "Its front matter cannot be read: {}; fix it in a text editor first",
            e.message()
        ))
    };
    if section {
        let meta: SectionMeta = toml::from_str(split.front).map_err(bad)?;
        form.title = meta.title.unwrap_or_default();
        form.description = meta.description.unwrap_or_default();
        form.weight = meta.weight.map(|w| w.to_string()).unwrap_or_default();
    } else {
        let meta: PageMeta = toml::from_str(split.front).map_err(bad)?;
        fill_page(&mut form, meta);
        if form.date.is_empty() {
            form.date_hint = date_in_name(rel).unwrap_or_default();
        }
    }
    Ok(form)
}

/// The date a page's file or folder name starts with, as the build reads
/// it (`news/2026-11-06-garden/index.md`, `news/2026-11-06-fair.md`).
fn date_in_name(rel: &str) -> Option<String> {
    let name = rel
        .strip_suffix("/index.md")
        .unwrap_or(rel)
        .rsplit('/')
        .next()?;
    let day = name.get(..10)?;
    day.parse::<NaiveDate>().ok().map(|d| d.to_string())
}

fn fill_page(form: &mut Form, meta: PageMeta) {
    let date = |v: &Option<toml::Value>| {
        v.as_ref()
            .map(|v| match v {
                toml::Value::Datetime(d) => d.to_string(),
                other => other.to_string().trim_matches('"').to_string(),
            })
            .unwrap_or_default()
    };
    form.title = meta.title.unwrap_or_default();
    form.description = meta.description.unwrap_or_default();
    form.date = date(&meta.date);
    form.draft = meta.draft;
    form.weight = meta.weight.map(|w| w.to_string()).unwrap_or_default();
    form.statutory = meta
        .statutory
        .map(|s| s.as_slice().to_vec())
        .unwrap_or_default();
    form.last_reviewed = date(&meta.last_reviewed);
    form.next_review = date(&meta.next_review);
    form.approved_by = meta.approved_by.unwrap_or_default();
    for (i, e) in meta.events.iter().enumerate() {
        match events::parse(e) {
            Ok((start, end)) => form.events.push(EventRow::of(
                Some(i),
                &Event {
                    from: Some(i),
                    title: e.title.clone(),
                    start,
                    end: e.end.as_ref().map(|_| end),
                    location: e.location.clone(),
                    description: e.description.clone(),
                },
            )),
            // One the build cannot read is kept as written, and so are
            // the others: the form never guesses what was meant.
            Err(why) => {
                form.keep_events = format!("event {} ({}): {why}", i + 1, e.title);
                form.events.push(EventRow {
                    title: e.title.clone(),
                    start: date(&Some(e.start.clone())),
                    end: date(&e.end),
                    location: e.location.clone().unwrap_or_default(),
                    ..EventRow::default()
                });
            }
        }
    }
}

fn edit_page(studio: &Studio, form: &Form, errors: Vec<Problem>, notice: &str) -> Response {
    let built = studio.current();
    let content = studio.content();
    let text = std::fs::read_to_string(content.join(&form.page)).unwrap_or_default();
    let site = content_site(studio).ok();
    let mut photos = site
        .as_ref()
        .map(|site| page_photos(&studio.content(), site, &form.page))
        .unwrap_or_default();
    let links = site.as_ref().map(link_targets).unwrap_or_default();
    let mine = findings_for(&built.findings, &form.page);
    for p in &mut photos {
        p.to_fix = mine
            .iter()
            .filter(|f| f.severity == Severity::Error && about_photo(f, &form.page, p))
            .count();
    }
    let shown: Vec<Shown> = mine
        .into_iter()
        .map(|f| shown(&content, f, form, &text, &photos))
        .collect();
    let mut rows = form.events.clone();
    if form.keep_events.is_empty() {
        rows.push(EventRow::default());
    }
    let mut context = view::context(studio);
    context.insert("form", form);
    context.insert("rows", &rows);
    context.insert("findings", &shown);
    context.insert("photos", &photos);
    context.insert("links", &links);
    context.insert("insertable", &insertable(&form.page, &photos));
    context.insert("statutory_items", &statutory_items(&form.statutory));
    context.insert("errors", &errors);
    context.insert("notice", notice);
    context.insert("problem", &built.problem);
    context.insert("page_q", &encode(&form.page));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    view::render(status, "edit.html", &context)
}

/// Whether finding `f` is about photo `p` of the page at `page`: found
/// in the photo itself, or on the line of the page's text that shows it.
fn about_photo(f: &Finding, page: &str, p: &PhotoRow) -> bool {
    let content = schoolsite::content::CONTENT_DIR;
    f.location.file == format!("{content}/{}", p.file)
        || (p.line.is_some()
            && f.location.line == p.line
            && f.location.file == format!("{content}/{page}"))
}

/// A finding, pointed at the photo it is about, or the form field its
/// line is in.
fn shown(
    content: &std::path::Path,
    f: &Finding,
    form: &Form,
    text: &str,
    photos: &[PhotoRow],
) -> Shown {
    let file = format!("{}/{}", schoolsite::content::CONTENT_DIR, form.page);
    let (mut link, mut go) = ("#body".to_string(), "Go to the text");
    let mut place = f.location.file.clone();
    if f.location.file == file {
        place = "this page".to_string();
        if let Some(line) = f.location.line {
            place = format!("this page, line {line}");
            if let Some(key) = key_at_line(text, line, form.section) {
                (link, go) = (format!("#{key}"), "Go to the field");
            }
        }
    } else if about_photos(content, &f.location.file) {
        (link, go) = ("#photos".to_string(), "Go to the photos");
    }
    if let Some(p) = photos.iter().find(|p| about_photo(f, &form.page, p)) {
        (link, go) = (p.link.clone(), "Go to the photo");
    }
    Shown {
        link,
        go,
        place,
        message: f.message.clone(),
        fix: f.fix.clone(),
        error: f.severity == Severity::Error,
        rule: f.rule.to_string(),
    }
}

/// Whether a finding in `file` (relative to the site's folder) is about
/// who is in the photos: in a `photos.toml`, or in a file whose kind is
/// declared there (by its bytes, as the build decides it).
fn about_photos(content: &std::path::Path, file: &str) -> bool {
    let Some(rel) = file
        .strip_prefix(schoolsite::content::CONTENT_DIR)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return false;
    };
    rel.rsplit('/').next() == Some(schoolsite::consent::SIDECAR)
        || photos::is_declared(content, rel)
}

/// The form field for the front matter key on file line `line` (from
/// 1), if the form shows that key.
fn key_at_line(text: &str, line: usize, section: bool) -> Option<String> {
    let written = text.lines().nth(line.checked_sub(1)?)?;
    let key = written.split_once('=')?.0.trim();
    let shown: &[&str] = if section {
        &["title", "description", "weight"]
    } else {
        &[
            "title",
            "description",
            "date",
            "draft",
            "weight",
            "last_reviewed",
            "next_review",
            "approved_by",
        ]
    };
    shown.contains(&key).then(|| key.to_string())
}

/// `POST /studio/edit`: save the form, then show the page's findings
/// from a build of what was saved.
pub async fn save(State(studio): State<Studio>, form: Posted) -> Response {
    let rel = form.get("page").to_string();
    let mut shown = match load_form(&studio, &rel) {
        Ok(f) => f,
        Err(response) => return response,
    };
    // Shown again after a refusal, the form still stands for the version
    // it was opened at: a change someone made since is then refused when
    // it is saved, never quietly taken as seen.
    shown.version = form.get("version").to_string();
    let (fields, body, errors) = posted_page(&form, &mut shown);
    if !errors.is_empty() {
        return edit_page(&studio, &shown, errors, "");
    }
    let Some(opened) = Version::from_token(form.get("version")) else {
        return edit_page(
            &studio,
            &shown,
            vec![Problem::new(
                "title",
                "The form was damaged; open the page again",
            )],
            "",
        );
    };
    let path = studio.content().join(&rel);
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let text = match page::save(&existing, &fields, &body) {
        Ok(t) => t,
        Err(e) => {
            return edit_page(
                &studio,
                &shown,
                vec![Problem::new("title", e.to_string())],
                "",
            );
        }
    };
    let saved_at = Instant::now();
    match write::write_if_unchanged(&path, &opened, text.as_bytes()) {
        Ok(()) => {}
        Err(WriteError::Changed) => return conflict(&studio, &rel, &existing, &text),
        Err(e) => {
            return edit_page(
                &studio,
                &shown,
                vec![Problem::new("title", format!("Nothing was saved: {e}"))],
                "",
            );
        }
    }
    let fresh = wait_for_build(&studio, saved_at).await;
    match load_form(&studio, &rel) {
        Ok(now) => {
            let notice = if fresh {
                "Saved. The findings below are from a build of what you saved."
            } else {
                "Saved. The site is still being built: reload this page in a moment to see its findings."
            };
            edit_page(&studio, &now, Vec::new(), notice)
        }
        Err(response) => response,
    }
}

/// The page's fields and text as posted, and what is wrong with them;
/// `shown` takes what was typed, to show again if it is refused.
fn posted_page(form: &Posted, shown: &mut Form) -> (Fields, String, Vec<Problem>) {
    let keep_events = shown.section || !shown.keep_events.is_empty();
    let (mut fields, mut errors) = read_fields(form, shown.section, keep_events);
    if !keep_events {
        let (events, typed) = read_events(form, &mut errors);
        fields.events = events;
        shown.events = typed;
    }
    if !shown.section {
        match read_statutory(form, &shown.statutory) {
            Ok(choice) => fields.statutory = choice,
            Err(problem) => errors.push(problem),
        }
    }
    // The text as typed: not trimmed, unlike the other fields.
    let body = form
        .0
        .iter()
        .find(|(k, _)| k == "body")
        .map_or("", |(_, v)| v.as_str())
        .to_string();
    apply(shown, &fields, &body);
    (fields, body, errors)
}

fn conflict(studio: &Studio, rel: &str, theirs: &str, mine: &str) -> Response {
    let back = format!("/studio/edit?page={}", encode(rel));
    conflict_page(studio, "this page", rel, &back, theirs, mine)
}

/// Both versions of a file that changed on disk after its form was
/// opened: what would have been written, and what is there now.
pub fn conflict_page(
    studio: &Studio,
    what: &str,
    rel: &str,
    back: &str,
    theirs: &str,
    mine: &str,
) -> Response {
    let mut context = view::context(studio);
    context.insert("what", what);
    context.insert("file", rel);
    context.insert("back", back);
    context.insert("theirs", theirs);
    context.insert("mine", mine);
    view::render(StatusCode::CONFLICT, "conflict.html", &context)
}

/// What was typed, shown again if it cannot be saved.
fn apply(form: &mut Form, f: &Fields, body: &str) {
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    form.title = f.title.clone();
    form.description = f.description.clone().unwrap_or_default();
    form.date = d(f.date);
    form.draft = f.draft;
    if let Some(choice) = &f.statutory {
        form.statutory = choice.iter().cloned().collect();
    }
    form.weight = f.weight.map(|w| w.to_string()).unwrap_or_default();
    form.last_reviewed = d(f.last_reviewed);
    form.next_review = d(f.next_review);
    form.approved_by = f.approved_by.clone().unwrap_or_default();
    form.body = body.to_string();
}

/// The form's fields as `page::save` takes them, and what is wrong
/// with them, each linked to its field.
fn read_fields(form: &Posted, section: bool, keep_events: bool) -> (Fields, Vec<Problem>) {
    let mut errors = Vec::new();
    let mut date = |name: &str, label: &str| match parse_date(form.get(name)) {
        Ok(d) => d,
        Err(()) => {
            errors.push(Problem::new(
                name,
                format!("{label}: give a date, e.g. 2026-12-01"),
            ));
            None
        }
    };
    let mut fields = Fields {
        title: form.get("title").to_string(),
        description: Some(form.get("description").to_string()),
        keep_events: keep_events || section,
        ..Fields::default()
    };
    if !section {
        fields.date = date("date", "Date");
        fields.draft = form.ticked("draft");
        fields.last_reviewed = date("last_reviewed", "Last reviewed");
        fields.next_review = date("next_review", "Next review");
        fields.approved_by = Some(form.get("approved_by").to_string());
    }
    let weight = form.get("weight");
    if !weight.is_empty() {
        match weight.parse() {
            Ok(w) => fields.weight = Some(w),
            Err(_) => errors.push(Problem::new(
                "weight",
                "Order: give a whole number, e.g. 10",
            )),
        }
    }
    if fields.title.is_empty() {
        errors.push(Problem::new("title", "Give the page a title"));
    }
    (fields, errors)
}

/// The form's events, in its order, less those ticked to be removed
/// and rows left empty; and every row as typed, to show again if the
/// page is refused. Each problem names the field it is in.
fn read_events(form: &Posted, errors: &mut Vec<Problem>) -> (Vec<Event>, Vec<EventRow>) {
    let column = |name: &str| form.all(name);
    let (froms, titles, starts, start_times, ends, end_times, places, notes) = (
        column("event_from"),
        column("event_title"),
        column("event_start"),
        column("event_start_time"),
        column("event_end"),
        column("event_end_time"),
        column("event_location"),
        column("event_description"),
    );
    let removed = column("event_remove");
    let mut claimed = std::collections::BTreeSet::new();
    let (mut events, mut typed) = (Vec::new(), Vec::new());
    for i in 0..titles.len() {
        let cell = |list: &[&str]| list.get(i).map_or("", |s| s.trim()).to_string();
        let row = EventRow {
            from: cell(&froms),
            title: cell(&titles),
            start: cell(&starts),
            start_time: cell(&start_times),
            end: cell(&ends),
            end_time: cell(&end_times),
            location: cell(&places),
            description: list_cell(&notes, i),
        };
        let empty = [
            &row.title,
            &row.start,
            &row.start_time,
            &row.end,
            &row.end_time,
            &row.location,
            &row.description,
        ]
        .iter()
        .all(|v| v.is_empty());
        if empty || removed.contains(&i.to_string().as_str()) {
            continue;
        }
        let n = i + 1;
        let mut wrong = |field: &str, why: String| {
            errors.push(Problem::new(
                &format!("event-{i}-{field}"),
                format!("Event {n}: {why}"),
            ));
        };
        if row.title.is_empty() {
            wrong("title", "give it a title".to_string());
        }
        let start_day = match parse_date(&row.start) {
            Ok(Some(d)) => Some(d),
            _ => {
                wrong(
                    "start",
                    "give the day it starts, e.g. 2026-12-12".to_string(),
                );
                None
            }
        };
        let start_time = read_time(&row.start_time).unwrap_or_else(|()| {
            wrong("start-time", "give the time it starts as hours and minutes, e.g. 14:00, or leave it empty for the whole day".to_string());
            None
        });
        let end_day = parse_date(&row.end).unwrap_or_else(|()| {
            wrong(
                "end",
                "give the last day as a date, e.g. 2026-12-13, or leave it empty".to_string(),
            );
            None
        });
        let end_time = read_time(&row.end_time).unwrap_or_else(|()| {
            wrong(
                "end-time",
                "give the time it ends as hours and minutes, e.g. 15:30, or leave it empty"
                    .to_string(),
            );
            None
        });
        let at = |day: NaiveDate, time: Option<chrono::NaiveTime>| match time {
            Some(t) => When::At(day.and_time(t)),
            None => When::Day(day),
        };
        let Some(start_day) = start_day else {
            typed.push(row);
            continue;
        };
        let start = at(start_day, start_time);
        // An end time alone is on the day it starts.
        let end = match (end_day, end_time) {
            (None, None) => None,
            (day, time) => Some(at(day.unwrap_or(start_day), time)),
        };
        match (start, end) {
            (When::Day(_), Some(When::At(_))) => wrong(
                "start-time",
                "it has a time it ends, so give the time it starts too (or neither, for whole days)".to_string(),
            ),
            (When::At(_), Some(When::Day(_))) => wrong(
                "end-time",
                "it starts at a time, so give the time it ends too (or leave the end empty)".to_string(),
            ),
            (start, Some(end)) if end < start => {
                wrong("end", "it cannot end before it starts".to_string());
            }
            _ => {}
        }
        // Each of the page's events is kept once, in place; a row that
        // claims one already kept is a new event.
        let from = row
            .from
            .parse::<usize>()
            .ok()
            .filter(|i| claimed.insert(*i));
        events.push(Event {
            from,
            title: row.title.clone(),
            start,
            end,
            location: Some(row.location.clone()).filter(|p| !p.is_empty()),
            description: Some(row.description.trim().to_string()).filter(|d| !d.is_empty()),
        });
        typed.push(row);
    }
    (events, typed)
}

/// A text area's value as typed (its lines kept, ends trimmed).
fn list_cell(list: &[&str], i: usize) -> String {
    list.get(i).map_or("", |s| s.trim()).replace("\r\n", "\n")
}

/// A time of day as a time field sends it ("14:00", or "14:00:30");
/// `None` when empty.
fn read_time(s: &str) -> Result<Option<chrono::NaiveTime>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map(Some)
        .map_err(|_| ())
}

/// `POST /studio/delete`: the page goes to the bin, never off the disk.
pub async fn delete(State(studio): State<Studio>, form: Posted) -> Response {
    let rel = form.get("page");
    if let Err(response) = known_page(&studio, rel) {
        return response;
    }
    // A page in a folder of its own goes with its photos.
    let target = rel.strip_suffix("/index.md").unwrap_or(rel);
    match bin::discard(&studio.root, target) {
        Ok(_) => {
            studio.kick.now();
            Redirect::to("/studio/bin").into_response()
        }
        Err(e) => view::message(
            &studio,
            StatusCode::CONFLICT,
            "The page was not deleted",
            &e.to_string(),
            "/studio/",
        ),
    }
}

/// `/studio/findings`: the whole site's findings, from the build.
pub async fn findings(State(studio): State<Studio>) -> Response {
    let built = studio.current();
    let content = studio.content();
    let list: Vec<Shown> = built
        .findings
        .iter()
        .map(|f| {
            let link = link_for(&content, &f.location.file).unwrap_or_default();
            (f, link)
        })
        .map(|(f, link)| Shown {
            go: if link.starts_with(&photos::page_of("")) {
                "Go to the photo"
            } else {
                "Edit the page"
            },
            link,
            place: f.location.file.clone()
                + &f.location
                    .line
                    .map(|l| format!(", line {l}"))
                    .unwrap_or_default(),
            message: f.message.clone(),
            fix: f.fix.clone(),
            error: f.severity == Severity::Error,
            rule: f.rule.to_string(),
        })
        .collect();
    let mut context = view::context(&studio);
    context.insert("findings", &list);
    context.insert("problem", &built.problem);
    view::render(StatusCode::OK, "findings.html", &context)
}

/// The studio page where a finding in `file` (relative to the site's
/// folder) can be fixed: a page's form or a photo's "who is in it"; none
/// for files the studio does not edit (config.toml, the register).
fn link_for(content: &std::path::Path, file: &str) -> Option<String> {
    let rel = file
        .strip_prefix(schoolsite::content::CONTENT_DIR)?
        .strip_prefix('/')?;
    if rel.ends_with(".md") {
        Some(format!("/studio/edit?page={}", encode(rel)))
    } else if photos::is_declared(content, rel) {
        Some(photos::page_of(rel))
    } else {
        None
    }
}
