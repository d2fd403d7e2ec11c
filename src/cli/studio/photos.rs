//! Photos: upload beside a page, and "who is in this photo" (search the
//! register, choose people or nobody, focus, parts to blur), written to
//! `photos.toml` as a document.

use super::guard::{self, Posted};
use super::pages::encode;
use super::view::{self, Problem};
use super::{Studio, content_site, wait_for_build};
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use schoolsite::consent::declarations::Focus;
use schoolsite::consent::{Policy, Register};
use schoolsite::media::{self, Region, Settings};
use schoolsite::report::Severity;
use schoolsite::studio::declare::{self, Choice, Who};
use schoolsite::studio::people::{self, Standing, Suggestion};
use schoolsite::studio::upload;
use schoolsite::studio::write::{self, Version, WriteError};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::time::Instant;

/// What the file at the content path `rel` is, decided as the build
/// decides it: from its first bytes, never its name. A path that is not
/// plainly inside `content/`, or a file that cannot be read, is
/// `Unknown` (nothing the studio offers to declare; the build reports
/// a file it cannot read).
pub fn kind_of(content: &std::path::Path, rel: &str) -> media::Kind {
    use std::io::Read as _;
    let inside = !rel.is_empty()
        && !rel
            .split(['/', '\\'])
            .any(|c| c.is_empty() || c == "." || c == "..");
    if !inside {
        return media::Kind::Unknown;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(content.join(rel))
        .and_then(|f| f.take(media::SNIFF_BYTES as u64).read_to_end(&mut head));
    match read {
        Ok(_) => media::sniff(&head),
        Err(_) => media::Kind::Unknown,
    }
}

/// Whether the content file at `rel` is a photo (shown, outlined and
/// blurred as one).
pub fn is_image(content: &std::path::Path, rel: &str) -> bool {
    kind_of(content, rel).is_image()
}

/// Whether who is in the content file at `rel` is declared: exactly
/// the kinds the build's consent rule asks a declaration of (a photo, a
/// clip, a recording, a document).
pub fn is_declared(content: &std::path::Path, rel: &str) -> bool {
    kind_of(content, rel).may_show_people()
}

/// The address of the "who is in this photo" page for `rel`.
pub fn page_of(rel: &str) -> String {
    format!("/studio/photo?file={}", encode(rel))
}

/// `POST /studio/upload` (multipart: token, page, alt, file, in that
/// order). The token is read before the file: without it nothing more
/// of the request is read.
pub async fn upload(State(studio): State<Studio>, mut multipart: Multipart) -> Response {
    let mut fields = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return refuse(&studio, "", "No file was sent: choose one and try again"),
            Err(e) => return too_big_or_broken(&studio, &e.to_string()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if !guard::token_matches(&studio.token, value(&fields, "token")) {
                return guard::refused(
                    "This form is not from this run of the studio, so nothing was saved.",
                );
            }
            let file_name = field.file_name().unwrap_or("").to_string();
            let form = match ready(&studio, &fields) {
                Ok(form) => form,
                Err(response) => return response,
            };
            let received = match receive(&studio, &form, field).await {
                Ok(received) => received,
                Err(response) => return response,
            };
            return save_upload(&studio, form, &file_name, received).await;
        }
        let text = match small_text(field).await {
            Ok(Some(t)) if fields.len() < 16 => t,
            Ok(_) => {
                return refuse(
                    &studio,
                    "",
                    "The form sent more than it should; nothing was saved",
                );
            }
            Err(e) => return too_big_or_broken(&studio, &e.to_string()),
        };
        fields.push((name, text));
    }
}

/// A form field of at most 4 KB (a page's name, a description), read no
/// further than that; `None` when it is longer or not text.
async fn small_text(
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<Option<String>, axum::extract::multipart::MultipartError> {
    const MOST: usize = 4096;
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        if bytes.len() + chunk.len() > MOST {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8(bytes).ok())
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

fn too_big_or_broken(studio: &Studio, why: &str) -> Response {
    let limit = studio.upload_limit / 1_000_000;
    refuse(
        studio,
        "",
        &format!(
            "The upload was not received whole ({why}); nothing was saved. A file may be at most {limit} MB."
        ),
    )
}

fn refuse(studio: &Studio, page: &str, why: &str) -> Response {
    let back = if page.is_empty() {
        "/studio/".to_string()
    } else {
        format!("/studio/edit?page={}", encode(page))
    };
    view::message(
        studio,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The file was not added",
        why,
        &back,
    )
}

/// An upload's form, checked before its file is received.
struct UploadForm {
    page: String,
    alt: String,
    /// The page's folder under `content/`, where the file goes.
    folder: String,
    config: schoolsite::config::Config,
}

/// The form's page (one of the site's) and description (required), or
/// why nothing will be saved.
fn ready(studio: &Studio, fields: &[(String, String)]) -> Result<UploadForm, Response> {
    let page = value(fields, "page").to_string();
    let alt = value(fields, "alt").to_string();
    if super::pages::known_page(studio, &page).is_err() {
        return Err(refuse(
            studio,
            "",
            "That page is not one of the site's pages; nothing was saved",
        ));
    }
    if alt.is_empty() {
        return Err(refuse(
            studio,
            &page,
            "Describe the photo first (what it shows, for people who cannot see it); nothing was saved",
        ));
    }
    let config = schoolsite::config::Config::load(&studio.root)
        .map_err(|e| refuse(studio, &page, &format!("config.toml cannot be read: {e}")))?;
    let folder = page.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    Ok(UploadForm {
        page,
        alt,
        folder,
        config,
    })
}

/// The file as it arrives, written to a temporary file beside the page
/// (never held in memory whole), up to the largest upload; removed when
/// anything goes wrong.
async fn receive(
    studio: &Studio,
    form: &UploadForm,
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<tempfile::NamedTempFile, Response> {
    let failed = |e: std::io::Error| {
        refuse(
            studio,
            &form.page,
            &format!(
                "the file could not be saved ({e}); nothing was saved. Check there is room on the disk, then try again"
            ),
        )
    };
    let mut received = upload::received_in(&studio.content().join(&form.folder)).map_err(failed)?;
    let mut size: u64 = 0;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(too_big_or_broken(studio, &e.to_string())),
        };
        size = size.saturating_add(chunk.len() as u64);
        if size > studio.upload_limit {
            return Err(too_big_or_broken(studio, "it is too large"));
        }
        received.write_all(&chunk).map_err(failed)?;
    }
    received.as_file().sync_all().map_err(failed)?;
    Ok(received)
}

async fn save_upload(
    studio: &Studio,
    form: UploadForm,
    name: &str,
    received: tempfile::NamedTempFile,
) -> Response {
    let UploadForm {
        page,
        alt,
        folder,
        config,
    } = form;
    let (settings, limits) = (Settings::from(&config.images), media::Limits::from(&config));
    let clips = config.video.max_size_mb.saturating_mul(1_000_000);
    let name = name.to_string();
    let result = tokio::task::spawn_blocking(move || {
        upload::accept_file(&folder, &name, received, &limits, clips, &settings)
    })
    .await;
    match result {
        Ok(Ok(saved)) => {
            studio.kick.now();
            let file = saved
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&saved.path)
                .to_string();
            let snippet = format!("![{}]({file})", alt.replace(['[', ']'], ""));
            let mut context = view::context(studio);
            context.insert("page", &page);
            context.insert("page_q", &encode(&page));
            context.insert("file_q", &encode(&saved.path));
            context.insert("snippet", &snippet);
            context.insert("already", &saved.already);
            context.insert("declared", &saved.kind.may_show_people());
            view::render(StatusCode::OK, "uploaded.html", &context)
        }
        Ok(Err(e)) => refuse(studio, &page, &format!("{e}. What to do: {}.", e.fix())),
        Err(e) => refuse(
            studio,
            &page,
            &format!("the file could not be checked: {e}"),
        ),
    }
}

/// `?file=…`: a photo, by its path under `content/`. What is typed in
/// the people search is never in an address (it may be a pupil's full
/// name, and addresses stay in the browser's history): it is posted.
#[derive(Deserialize)]
pub struct PhotoQuery {
    #[serde(default)]
    file: String,
}

/// A person as the photo page shows them.
#[derive(Serialize)]
struct Person {
    id: String,
    shown: String,
    standing: String,
    tone: &'static str,
    chosen: bool,
}

fn person(s: Suggestion, chosen: bool) -> Person {
    Person {
        id: s.id,
        shown: s.shown,
        standing: s.standing.describe(),
        tone: s.standing.tone(),
        chosen,
    }
}

/// What `photos.toml` says of the photo now.
#[derive(Serialize, Default)]
struct Declared {
    people: Vec<String>,
    nobody: bool,
    /// Everyone declared is an adult in the register (staff, parents,
    /// visitors): written as their ids, like anyone else.
    adults: bool,
    focus: String,
    blur: Vec<[String; 4]>,
}

/// The photo's content path, if it is one of the site's images (an
/// allow-list: only files the content tree holds).
fn known_photo(studio: &Studio, rel: &str) -> Result<(), Response> {
    let site = content_site(studio)?;
    if site.has_file(rel) && is_declared(&studio.content(), rel) {
        Ok(())
    } else {
        Err(view::message(
            studio,
            StatusCode::NOT_FOUND,
            "No such photo",
            "There is no photo by that name in content/.",
            "/studio/",
        ))
    }
}

fn sidecar(rel: &str) -> String {
    match rel.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{}", schoolsite::consent::SIDECAR),
        None => schoolsite::consent::SIDECAR.to_string(),
    }
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn read_declared(text: &str, file: &str) -> Declared {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Declared::default();
    };
    let entry = table
        .get("photo")
        .and_then(toml::Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|e| e.get("file").and_then(toml::Value::as_str) == Some(file))
        });
    let Some(entry) = entry else {
        return Declared::default();
    };
    let num = |r: &toml::Value, k: &str| r.get(k).map(|v| v.to_string()).unwrap_or_default();
    Declared {
        people: entry
            .get("people")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        nobody: entry
            .get("nobody")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false),
        // Said of the people by the register: see `photo_page`.
        adults: false,
        focus: entry
            .get("focus")
            .and_then(toml::Value::as_str)
            .unwrap_or("")
            .to_string(),
        blur: entry
            .get("blur")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|r| {
                        [
                            num(r, "left"),
                            num(r, "top"),
                            num(r, "width"),
                            num(r, "height"),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn today(studio: &Studio) -> chrono::NaiveDate {
    studio
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn policy(studio: &Studio) -> Policy {
    schoolsite::config::Config::load(&studio.root)
        .map(|c| Policy::from(&c.consent))
        .unwrap_or(Policy {
            validity_months: 12,
            warn_days: 30,
        })
}

/// `GET /studio/photo?file=news/trip/photo-1.jpg`.
pub async fn photo(State(studio): State<Studio>, Query(query): Query<PhotoQuery>) -> Response {
    if let Err(response) = known_photo(&studio, &query.file) {
        return response;
    }
    photo_page(&studio, &query.file, "", Vec::new(), "", None).await
}

/// A photo, clip or document in the media list.
#[derive(Serialize)]
struct MediaRow {
    file: String,
    link: String,
    errors: usize,
    warnings: usize,
    /// The pages (under `content/`) that show it.
    pages: Vec<String>,
    used: bool,
}

/// `GET /studio/media`: every photo, clip and document in `content/`,
/// with what the build found about each, those with errors first.
pub async fn media(State(studio): State<Studio>) -> Response {
    let site = match content_site(&studio) {
        Ok(site) => site,
        Err(response) => return response,
    };
    let uses = site.file_uses();
    let built = studio.current();
    let content = format!("{}/", schoolsite::content::CONTENT_DIR);
    let dir = studio.content();
    let mut rows: Vec<MediaRow> = site
        .files
        .iter()
        .filter(|f| is_declared(&dir, &f.path))
        .map(|f| {
            let found = photo_findings(&dir, &built.findings, &uses, &f.path);
            let mut pages: Vec<String> = uses
                .get(&f.path)
                .into_iter()
                .flatten()
                .filter_map(|u| u.file.strip_prefix(&content).map(str::to_string))
                .collect();
            pages.dedup();
            MediaRow {
                file: f.path.clone(),
                link: page_of(&f.path),
                errors: found.iter().filter(|(_, _, error)| *error).count(),
                warnings: found.iter().filter(|(_, _, error)| !*error).count(),
                used: !pages.is_empty(),
                pages,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.errors.cmp(&a.errors).then_with(|| a.file.cmp(&b.file)));
    let mut context = view::context(&studio);
    context.insert("rows", &rows);
    view::render(StatusCode::OK, "media.html", &context)
}

/// `POST /studio/photo/search` (token, file, q): the photo's page with
/// the people found for `q` (the search without the script).
pub async fn search(State(studio): State<Studio>, form: Posted) -> Response {
    let rel = form.get("file");
    if let Err(response) = known_photo(&studio, rel) {
        return response;
    }
    photo_page(&studio, rel, form.get("q"), Vec::new(), "", None).await
}

async fn photo_page(
    studio: &Studio,
    rel: &str,
    q: &str,
    errors: Vec<Problem>,
    notice: &str,
    typed: Option<(Declared, &str)>,
) -> Response {
    let content = studio.content();
    let toml_path = content.join(sidecar(rel));
    let bytes = std::fs::read(&toml_path).ok();
    let text = bytes
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_default();
    // The version is of the very bytes shown; shown again after a
    // refusal, the form keeps the version it was opened at, so a change
    // made since is refused when saved, never quietly taken as seen.
    let register = Register::load(&studio.root);
    let (declared, version) = match typed {
        Some((declared, opened)) => (declared, opened.to_string()),
        None => {
            let mut declared = read_declared(text, file_name(rel));
            declared.adults = register.adults_only(declared.people.iter().map(String::as_str));
            let version =
                bytes.map_or_else(|| "new".to_string(), |b| Version::of_bytes(&b).token());
            (declared, version)
        }
    };
    let (today, policy) = (today(studio), policy(studio));
    let chosen = chosen_people(&register, &declared.people, today, &policy);
    let found: Vec<Person> = people::search(&register, q, today, &policy)
        .into_iter()
        .filter(|s| !declared.people.contains(&s.id))
        .map(|s| person(s, false))
        .collect();
    let uses = content_site(studio)
        .map(|site| site.file_uses())
        .unwrap_or_default();
    let findings = photo_findings(&content, &studio.current().findings, &uses, rel);
    let mut blur = declared.blur.clone();
    blur.push(Default::default());
    let image = is_image(&content, rel);
    let faces = if image {
        faces_in(studio, rel).await
    } else {
        None
    };
    let mut context = view::context(studio);
    context.insert("file", rel);
    context.insert("file_q", &encode(rel));
    context.insert("image", &image);
    context.insert("faces", &faces);
    context.insert("q", q);
    context.insert("version", &version);
    context.insert("declared", &declared);
    context.insert("blur", &blur);
    context.insert("chosen", &chosen);
    context.insert("found", &found);
    context.insert("findings", &findings);
    context.insert("errors", &errors);
    context.insert("notice", notice);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    view::render(status, "photo.html", &context)
}

/// The people declared in a photo, with their consent today.
fn chosen_people(
    register: &Register,
    ids: &[String],
    today: chrono::NaiveDate,
    policy: &Policy,
) -> Vec<Person> {
    ids.iter()
        .map(|id| match people::of(register, id, today, policy) {
            Some(s) => person(s, true),
            None => Person {
                id: id.clone(),
                shown: format!("{id} (not in the register)"),
                standing: "not in the consent register".into(),
                tone: "blocked",
                chosen: true,
            },
        })
        .collect()
}

/// Where each content file is shown: content path → the pages' lines.
type Uses = std::collections::BTreeMap<String, Vec<schoolsite::content::FileUse>>;

/// The lines (from 1) of the sidecar `text` a finding about `name` may
/// be on: those of its own `[[photo]]` entry, from its header to the
/// next entry's. `None` when the file cannot be read as TOML (then every
/// finding in it is about every photo beside it); an empty range when
/// the photo has no entry.
fn entry_lines(text: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let starts: Vec<(usize, bool)> = doc
        .get("photo")
        .and_then(toml_edit::Item::as_array_of_tables)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|t| {
                    let mine = t.get("file").and_then(toml_edit::Item::as_str) == Some(name);
                    Some((line_of(t.span()?.start), mine))
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(i) = starts.iter().position(|(_, mine)| *mine) else {
        return Some(0..0);
    };
    let end = starts.get(i + 1).map_or(usize::MAX, |(line, _)| *line);
    Some(starts[i].0..end)
}

/// The build's findings about the file at `rel` (message, fix, error):
/// at its own path, in its own entry of its `photos.toml` (or anywhere
/// in one that cannot be read), or on a page's line that shows it ("not
/// declared" is reported where a page shows the photo). Paths are
/// compared whole: `content/old/content/a.jpg` is not `content/a.jpg`.
fn photo_findings(
    content: &std::path::Path,
    findings: &[schoolsite::report::Finding],
    uses: &Uses,
    rel: &str,
) -> Vec<(String, String, bool)> {
    let shown_at = uses.get(rel).map(Vec::as_slice).unwrap_or_default();
    let dir = schoolsite::content::CONTENT_DIR;
    let (file, declared_in) = (format!("{dir}/{rel}"), format!("{dir}/{}", sidecar(rel)));
    let sidecar_text = std::fs::read_to_string(content.join(sidecar(rel))).unwrap_or_default();
    let entry = entry_lines(&sidecar_text, file_name(rel));
    let about = |f: &schoolsite::report::Finding| {
        f.location.file == file
            || (f.location.file == declared_in
                && match (&entry, f.location.line) {
                    (Some(lines), Some(line)) => lines.contains(&line),
                    _ => true,
                })
            || f.location.line.is_some_and(|line| {
                shown_at
                    .iter()
                    .any(|u| u.line == line && u.file == f.location.file)
            })
    };
    findings
        .iter()
        .filter(|f| about(f))
        .map(|f| {
            (
                f.message.clone(),
                f.fix.clone(),
                f.severity == Severity::Error,
            )
        })
        .collect()
}

/// `POST /studio/people` (token, q): the suggestions alone (for the
/// live search), server-rendered.
pub async fn people(State(studio): State<Studio>, form: Posted) -> Response {
    let register = Register::load(&studio.root);
    let found: Vec<Person> =
        people::search(&register, form.get("q"), today(&studio), &policy(&studio))
            .into_iter()
            .map(|s| person(s, false))
            .collect();
    let mut context = view::context(&studio);
    context.insert("found", &found);
    view::render(StatusCode::OK, "people.html", &context)
}

/// Where the face detector finds faces in the photo at `rel` (as the
/// build would publish it), to outline them; `None` when it cannot look.
/// Nothing is kept.
async fn faces_in(studio: &Studio, rel: &str) -> Option<Vec<media::Outline>> {
    /// Photos remembered at most; the cache is emptied when it is full.
    const KEPT: usize = 256;
    let path = studio.content().join(rel);
    let (root, cache) = (studio.root.clone(), studio.faces.clone());
    tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(path).ok()?;
        let key = *blake3::hash(&bytes).as_bytes();
        if let Some(known) = cache.lock().ok()?.get(&key) {
            return Some(known.clone());
        }
        let settings = schoolsite::config::Config::load(&root)
            .map(|c| Settings::from(&c.images))
            .unwrap_or_default();
        let clean = media::sanitise(&bytes, &settings).ok()?;
        let found = media::outlines(&clean, &settings).ok()?;
        let mut kept = cache.lock().ok()?;
        if kept.len() >= KEPT {
            kept.clear();
        }
        kept.insert(key, found.clone());
        Some(found)
    })
    .await
    .ok()
    .flatten()
}

/// `GET /studio/photo/image?file=…`: the photo as the build would clean
/// it (never the uploaded bytes with their GPS and face tags).
pub async fn image(State(studio): State<Studio>, Query(query): Query<PhotoQuery>) -> Response {
    if known_photo(&studio, &query.file).is_err() || !is_image(&studio.content(), &query.file) {
        return (StatusCode::NOT_FOUND, "no such photo").into_response();
    }
    let path = studio.content().join(&query.file);
    let sidecar =
        std::fs::read_to_string(studio.content().join(sidecar(&query.file))).unwrap_or_default();
    let blur = blur_regions(&read_declared(&sidecar, file_name(&query.file)));
    let root = studio.root.clone();
    let clean = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(path).ok()?;
        let shown = as_published(&root, &bytes, blur)?;
        Some((media::sniff(&shown).picture_mime()?, shown))
    })
    .await
    .ok()
    .flatten();
    let Some((kind, bytes)) = clean else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "this photo cannot be shown",
        )
            .into_response();
    };
    ([(header::CONTENT_TYPE, kind)], bytes).into_response()
}

/// The parts to blur `photos.toml` declares, as numbers (a part that is
/// not four numbers is left to the build to report).
fn blur_regions(declared: &Declared) -> Vec<Region> {
    declared
        .blur
        .iter()
        .filter_map(|r| {
            let n: Vec<f32> = r.iter().filter_map(|c| c.parse().ok()).collect();
            match n.as_slice() {
                [left, top, width, height] => Some(Region {
                    left: *left,
                    top: *top,
                    width: *width,
                    height: *height,
                }),
                _ => None,
            }
        })
        .collect()
}

/// A photo as the build publishes it: cleaned, at most the pupil-photo
/// size, its declared parts pixelated. When the build could not make it
/// (a part it cannot blur: the build reports that), cleaned only.
fn as_published(root: &std::path::Path, bytes: &[u8], blur: Vec<Region>) -> Option<Vec<u8>> {
    let config = schoolsite::config::Config::load(root).ok();
    let images = config.map(|c| c.images).unwrap_or_default();
    let settings = Settings::from(&images);
    let sizes = media::Sizes {
        widths: Vec::new(),
        ..media::Sizes::from(&images)
    };
    let treatment = media::Treatment {
        cap: true,
        blur,
        count_faces: false,
    };
    match media::process(bytes, &settings, &sizes, &treatment, None) {
        Ok(processed) => Some(processed.largest().bytes().to_vec()),
        Err(_) => media::sanitise(bytes, &settings)
            .ok()
            .map(|c| c.bytes().to_vec()),
    }
}

/// `POST /studio/photo`: who is in it, written to `photos.toml`.
pub async fn declare(State(studio): State<Studio>, form: Posted) -> Response {
    let rel = form.get("file").to_string();
    if let Err(response) = known_photo(&studio, &rel) {
        return response;
    }
    let (choice, typed, mut errors) = read_choice(&form);
    if !is_image(&studio.content(), &rel) && !choice.blur.is_empty() {
        errors.push(Problem::new(
            "who",
            "Parts can only be blurred in photos: for a clip or a document, cut or edit what must not be shown before adding it",
        ));
    }
    if let Who::People(ids) = &choice.who {
        errors.extend(refused_people(&studio, ids));
        if typed.adults {
            errors.extend(not_adults(&studio, ids));
        }
    }
    if !errors.is_empty() {
        return photo_page(
            &studio,
            &rel,
            "",
            errors,
            "",
            Some((typed, form.get("version"))),
        )
        .await;
    }
    let Some(opened) = Version::from_token(form.get("version")) else {
        return photo_page(
            &studio,
            &rel,
            "",
            vec![Problem::new(
                "who",
                "The form was damaged; open the photo again",
            )],
            "",
            Some((typed, form.get("version"))),
        )
        .await;
    };
    let path = studio.content().join(sidecar(&rel));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let updated = match declare::declare(&text, file_name(&rel), &choice) {
        Ok(t) => t,
        Err(e) => {
            return photo_page(
                &studio,
                &rel,
                "",
                vec![Problem::new("who", e.to_string())],
                "",
                Some((typed, form.get("version"))),
            )
            .await;
        }
    };
    let saved_at = Instant::now();
    match write::write_if_unchanged(&path, &opened, updated.as_bytes()) {
        Ok(()) => {}
        Err(WriteError::Changed) => {
            let now = std::fs::read_to_string(&path).unwrap_or_default();
            return super::pages::conflict_page(
                &studio,
                "who is in the photos here",
                &sidecar(&rel),
                &page_of(&rel),
                &now,
                &updated,
            );
        }
        Err(e) => {
            return photo_page(
                &studio,
                &rel,
                "",
                vec![Problem::new("who", format!("Nothing was saved: {e}"))],
                "",
                Some((typed, form.get("version"))),
            )
            .await;
        }
    }
    let fresh = wait_for_build(&studio, saved_at).await;
    let notice = if fresh {
        "Saved. The findings below are from a build of what you saved."
    } else {
        "Saved. The site is still being built: reload in a moment to see its findings."
    };
    photo_page(&studio, &rel, "", Vec::new(), notice, None).await
}

/// The choice as posted, what to show again if it is refused, and what
/// is wrong with it.
fn read_choice(form: &Posted) -> (Choice, Declared, Vec<Problem>) {
    let mut errors = Vec::new();
    let ids: Vec<String> = form
        .all("person")
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let nobody = form.get("who") == "nobody";
    let adults = form.get("who") == "adults";
    let focus = match form.get("focus") {
        "group" => Some(Focus::Group),
        "individual" => Some(Focus::Individual),
        _ => None,
    };
    let (lefts, tops, widths, heights) = (
        form.all("blur_left"),
        form.all("blur_top"),
        form.all("blur_width"),
        form.all("blur_height"),
    );
    let mut blur = Vec::new();
    let mut shown = Vec::new();
    for (i, left) in lefts.iter().enumerate() {
        let cell = |l: &[&str]| l.get(i).map_or("", |s| s.trim()).to_string();
        let row = [
            left.trim().to_string(),
            cell(&tops),
            cell(&widths),
            cell(&heights),
        ];
        if row.iter().all(String::is_empty) {
            continue;
        }
        let nums: Vec<Option<f32>> = row
            .iter()
            .map(|c| c.parse::<f32>().ok().filter(|v| v.is_finite()))
            .collect();
        match nums.as_slice() {
            [Some(left), Some(top), Some(width), Some(height)] => blur.push(Region {
                left: *left,
                top: *top,
                width: *width,
                height: *height,
            }),
            _ => errors.push(Problem::new(
                &format!("blur-{i}-left"),
                format!(
                    "Blurred part {}: give four numbers, in percent of the photo",
                    i + 1
                ),
            )),
        }
        shown.push(row);
    }
    if adults && ids.is_empty() {
        errors.push(Problem::new(
            "who",
            "Choose the adults in the photo from the register (search for them above): everyone in a published photo is declared by their register entry, adults too",
        ));
    } else if !nobody && ids.is_empty() {
        errors.push(Problem::new(
            "who",
            "Choose who is in the photo, or say that nobody is",
        ));
    }
    if nobody && !ids.is_empty() {
        errors.push(Problem::new("who", "You chose people and \"nobody in it\": untick the people, or choose \"people are in it\""));
    }
    let typed = Declared {
        people: ids.clone(),
        nobody,
        adults,
        focus: focus.map(|f| f.as_str().to_string()).unwrap_or_default(),
        blur: shown,
    };
    let who = if nobody {
        Who::Nobody
    } else {
        Who::People(ids)
    };
    (Choice { who, focus, blur }, typed, errors)
}

/// For a photo said to show adults only: anyone chosen whom the register
/// does not list as an adult, with why (masked).
fn not_adults(studio: &Studio, ids: &[String]) -> Vec<Problem> {
    use schoolsite::consent::{Lookup, Role};
    let register = Register::load(&studio.root);
    let (today, policy) = (today(studio), policy(studio));
    ids.iter()
        .filter_map(|id| match register.lookup(id) {
            Lookup::Found(p) if p.role == Role::Pupil => {
                let shown = people::of(&register, id, today, &policy)
                    .map_or_else(|| p.masked(), |s| s.shown);
                Some(Problem::new("who", format!("{shown} is a pupil in the consent register, so this is not a photo of adults only. Nothing was saved: choose \"These people\" to declare a photo with pupils in it")))
            }
            Lookup::Duplicate(rows) => Some(Problem::new("who", format!("{id} is on {} rows of the consent register, so whether they are an adult cannot be told. Nothing was saved: give each person their own id in the register", rows.len()))),
            // Not in the register: refused with why by `refused_people`.
            _ => None,
        })
        .collect()
}

/// People who may not be in a photo at all today, with why (masked).
fn refused_people(studio: &Studio, ids: &[String]) -> Vec<Problem> {
    let register = Register::load(&studio.root);
    let (today, policy) = (today(studio), policy(studio));
    ids.iter()
        .filter_map(|id| match people::of(&register, id, today, &policy) {
            None => Some(Problem::new("who", format!("{id} is not in the consent register, so they cannot be in a published photo"))),
            Some(s) => match &s.standing {
                Standing::None(_) => Some(Problem::new("who", format!("{}: {}. Nothing was saved: take them out of the photo (crop it, or choose another)", s.shown, s.standing.describe()))),
                _ => None,
            },
        })
        .collect()
}
