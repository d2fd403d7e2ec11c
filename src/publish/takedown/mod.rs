//! Takedowns: photos taken off the published site at once, without an
//! approval, because taking something down can only make the site
//! safer.
//!
//! A takedown never builds the site. It starts from the copy last
//! published to the folder (checked against that publish's manifest, so
//! nothing changed on the server is carried over), takes out every
//! version of the photos and every element of a page that shows or links
//! them, checks that the result holds nothing the old copy did not (no
//! new file, every page the old page with parts taken out, and every
//! page admitted again by the gate with the photos gone), and swaps it
//! in as `publish` does.
//!
//! Each takedown is recorded in `approvals/takedowns/ID.json` (to be
//! committed) and in the audit log. While it stands, `publish` and
//! `approve` refuse a build that still shows a taken-down photo (by the
//! hash of every published version and of the original) or, for a
//! person, any photo declaring them. It is lifted only by an approver's
//! signature ([`lift`]).

mod html;
mod standing;

pub use standing::{Found, Hit, Photo, Standing, mask_names};

use super::PublishError;
use super::approval;
use super::audit;
use super::keys::{self, PrivateKey};
use super::manifest::{Difference, FileEntry, Manifest, hash_file};
use super::sync;
use crate::config::{Approver, Config};
use crate::consent::{Lookup, Register};
use crate::pipeline::DeclaredPhoto;
use crate::render::gate::{self, Published, policy::Policy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// Where takedown records are kept, relative to the site root (with the
/// approvals, to be committed with them).
pub const TAKEDOWNS_DIR: &str = "approvals/takedowns";
const SCHEMA: u32 = 1;

/// What to take down. Every selector must match something.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Register ids: every photo declaring them.
    pub people: Vec<String>,
    /// Photos: a content path, a published path or address, or a file
    /// on this computer (matched by its bytes).
    pub photos: Vec<String>,
    /// Pages (an address or published path): every photo they show.
    pub pages: Vec<String>,
    /// Who is taking it down.
    pub by: String,
    pub reason: String,
}

/// A photo taken down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakenPhoto {
    /// The source file, relative to the site root.
    pub source: String,
    /// Register ids declared in it.
    pub people: Vec<String>,
    /// Every published version, with its size and BLAKE3.
    pub published: Vec<FileEntry>,
    /// BLAKE3 of the source file as it was in `content/` when it was
    /// taken down, if it was there.
    pub original: Option<String>,
}

/// A takedown, as recorded in `approvals/takedowns/ID.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub schema: u32,
    pub id: String,
    /// UTC, RFC 3339.
    pub time: String,
    pub by: String,
    pub reason: String,
    /// What was asked for, as given.
    pub asked: Vec<String>,
    /// Register ids taken down: while the takedown stands, no photo
    /// declaring them may be published.
    pub people: Vec<String>,
    pub photos: Vec<TakenPhoto>,
    /// Other files taken out: what only the photos' elements referred
    /// to, pages that could not be rebuilt, feeds that named a photo.
    pub files_removed: Vec<String>,
    /// Pages written again without the photos.
    pub pages_rebuilt: Vec<String>,
    /// Files left out because they had been changed on the server.
    pub left_out: Vec<String>,
    /// The folder it was published to.
    pub to: String,
    /// The manifest of the copy it was taken down from.
    pub from: String,
    /// The manifest of the copy it published.
    pub manifest: Manifest,
}

/// An approver's signed lifting of a takedown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lift {
    pub schema: u32,
    pub takedown: String,
    pub reason: String,
    pub name: String,
    pub role: String,
    pub public_key: String,
    pub signed_at: String,
    pub signature: String,
}

impl Lift {
    fn message(&self) -> String {
        format!(
            "schoolsite takedown lift v1\ntakedown: {}\nreason: {}\nname: {}\nrole: {}\nkey: {}\nsigned at: {}\n",
            self.takedown, self.reason, self.name, self.role, self.public_key, self.signed_at
        )
    }

    fn verify(&self, approvers: &[Approver]) -> bool {
        let Some(key) = keys::parse_public(&self.public_key) else {
            return false;
        };
        keys::verify(&key, self.message().as_bytes(), &self.signature)
            && approvers
                .iter()
                .any(|a| keys::parse_public(&a.public_key) == Some(key))
    }
}

/// What a takedown did.
#[derive(Debug)]
pub struct Done {
    pub record: Record,
    /// The record's file.
    pub path: PathBuf,
    pub entry: audit::Entry,
}

/// Takes down what `request` selects from the copy of the site last
/// published to `dest`, and publishes the result there at once.
pub fn takedown(root: &Path, dest: &Path, request: &Request) -> Result<Done, PublishError> {
    let log = root.join(audit::AUDIT_LOG);
    let chain = audit::verify(&log)?;
    // What is written never names a pupil in full, even in a reason
    // typed in a hurry.
    let register = Register::load(root);
    let reason = mask_names(request.reason.trim(), &register);
    let mut entry = audit::Entry::new("refused", dest);
    let refuse = |mut entry: audit::Entry, reasons: Vec<String>| {
        entry.reasons = reasons.clone();
        entry.reasons.insert(
            0,
            format!("takedown by {} ({}) refused", request.by.trim(), reason),
        );
        audit::append(&log, entry)?;
        Err(PublishError::TakedownRefused(reasons))
    };
    let config = match Config::load(root) {
        Ok(c) => c,
        Err(e) => return refuse(entry, vec![e.to_string()]),
    };
    // A log rewritten under an approval's signature stops it, as it
    // stops a publish.
    audit::verify_anchored(root, &config.approvers)?;
    let (target, served) = match sync::check_destination(root, dest, &chain) {
        Ok(t) => t,
        Err(e) => return refuse(entry, vec![e.to_string()]),
    };
    let last = match served_manifest(root, &target, served.as_ref()) {
        Ok(m) => m,
        Err(why) => return refuse(entry, vec![why]),
    };
    entry.manifest = Some(last.digest.clone());
    let selected = match select(root, &config, &last, request) {
        Ok(s) => s,
        Err(reasons) => return refuse(entry, reasons),
    };
    let plan = match Plan::make(&config, &target, &last, &selected) {
        Ok(p) => p,
        Err(reasons) => return refuse(entry, reasons),
    };
    if let Err(why) = plan.nothing_added(&target, &last) {
        return refuse(entry, vec![why]);
    }

    // Rebuilt pages wait in the site's own working folder, outside
    // public/ and the server's folder, until they are copied in.
    let scratch = root
        .join(".schoolsite")
        .join(format!("takedown-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for (path, bytes) in &plan.rebuilt {
        let to = scratch.join(path);
        let written = to
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&to, bytes));
        if let Err(source) = written {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(PublishError::Io { path: to, source });
        }
    }

    let time = chrono::Utc::now();
    let id = format!(
        "{}-{}",
        time.format("%Y%m%dT%H%M%SZ"),
        plan.manifest.short_digest()
    );
    let record = Record {
        schema: SCHEMA,
        id: id.clone(),
        time: time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        by: request.by.trim().to_string(),
        reason: reason.clone(),
        asked: request.asked(),
        people: selected.people.clone(),
        photos: selected
            .photos
            .iter()
            .map(|p| taken(root, p, &last))
            .collect(),
        files_removed: plan.removed.iter().cloned().collect(),
        pages_rebuilt: plan.rebuilt.keys().cloned().collect(),
        left_out: plan.left_out.clone(),
        to: target.display().to_string(),
        from: last.digest.clone(),
        manifest: plan.manifest.clone(),
    };
    // The record first: from now on no build with these photos can be
    // published, even if the copy below fails.
    let path = match write_record(root, &record) {
        Ok(p) => p,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(e);
        }
    };
    let refused = entry.clone();
    entry.event = "takedown".to_string();
    entry.manifest = Some(plan.manifest.digest.clone());
    entry.reasons = plan.left_out.clone();
    entry.takedown = Some(audit::Takedown {
        id,
        by: record.by.clone(),
        reason: record.reason.clone(),
        people: record.people.clone(),
        photos: record
            .photos
            .iter()
            .map(|p| {
                let hashes: Vec<&str> = p.published.iter().map(|f| f.blake3.as_str()).collect();
                format!("{} ({})", p.source, hashes.join(" "))
            })
            .collect(),
        files: plan
            .removed
            .iter()
            .map(|f| format!("{f} removed"))
            .chain(plan.rebuilt.keys().map(|f| format!("{f} rebuilt")))
            .collect(),
        from: last.digest.clone(),
    });
    // The entry is fixed first, so the folder's marker can record it.
    let pending = match audit::prepare(&log, entry) {
        Ok(p) => p,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    let copied = sync::publish_from(
        |rel| {
            if plan.rebuilt.contains_key(rel) {
                scratch.join(rel)
            } else {
                target.join(rel)
            }
        },
        &target,
        &plan.manifest,
        &pending.head(),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    if let Err(e) = copied {
        // Nothing was published: the record never took effect.
        let _ = std::fs::remove_file(&path);
        return refuse(refused, vec![e.to_string()]);
    }
    let entry = audit::commit(&log, pending)?;
    Ok(Done {
        record,
        path,
        entry,
    })
}

impl Request {
    fn asked(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.people.iter().map(|p| format!("--person {p}")));
        out.extend(self.photos.iter().map(|p| format!("--photo {p}")));
        out.extend(self.pages.iter().map(|p| format!("--page {p}")));
        out
    }
}

/// The manifest of the copy at `target`: the build its marker names,
/// which [`sync::published_here`] matched to the audit log, and whose
/// manifest is in `approvals/`.
fn served_manifest(
    root: &Path,
    target: &Path,
    served: Option<&sync::Served>,
) -> Result<Manifest, String> {
    let shown = target.display();
    let Some(served) = served else {
        return Err(format!(
            "{shown} holds no site published by schoolsite (it is empty or does not exist), so there is nothing to take down there; give the folder `schoolsite publish --to` published to"
        ));
    };
    let digest = served.manifest.as_str();
    manifest_by_digest(root, digest).ok_or_else(|| {
        format!(
            "the manifest of build {} published at {shown} is in none of the files in approvals/: bring the site's folder up to date and run the takedown again",
            digest.get(..12).unwrap_or(digest)
        )
    })
}

/// The manifest with `digest`, from an approval or a takedown record in
/// `approvals/` (its digest checked against its content).
pub fn manifest_by_digest(root: &Path, digest: &str) -> Option<Manifest> {
    let approved = approval::load_all(root)
        .into_iter()
        .filter_map(|(_, a)| a.ok())
        .find(|a| a.manifest_digest == digest)
        .map(|a| a.manifest);
    approved
        .into_iter()
        .chain(
            load_records(root)
                .into_iter()
                .filter_map(|(_, r)| r.ok())
                .map(|r| r.manifest),
        )
        .find(|m| m.digest == digest && m.compute_digest() == digest)
}

/// What a request selected.
#[derive(Debug, Default)]
struct Selected {
    photos: Vec<DeclaredPhoto>,
    /// Published files (relative paths) that are no declared photo.
    files: BTreeSet<String>,
    people: Vec<String>,
}

fn select(
    root: &Path,
    config: &Config,
    m: &Manifest,
    request: &Request,
) -> Result<Selected, Vec<String>> {
    let mut out = Selected::default();
    let mut picked: BTreeSet<usize> = BTreeSet::new();
    let mut missing = Vec::new();
    let searched = format!(
        "searched the {} photos, clips and documents of build {} published there",
        m.photos.len(),
        m.short_digest()
    );
    for id in &request.people {
        let found: Vec<usize> = (0..m.photos.len())
            .filter(|&i| m.photos[i].people.iter().any(|p| same_id(p, id)))
            .collect();
        if found.is_empty() {
            missing.push(format!(
                "--person {id}: no published photo declares register id {id} ({searched}); check the id with `schoolsite where {id}`"
            ));
        }
        picked.extend(found);
        out.people.push(id.trim().to_string());
    }
    let hashes: BTreeMap<&str, &str> = m
        .files
        .iter()
        .map(|f| (f.blake3.as_str(), f.path.as_str()))
        .collect();
    for photo in &request.photos {
        let wanted = published_path(config, photo);
        let local = std::fs::metadata(photo)
            .ok()
            .filter(|meta| meta.is_file())
            .and_then(|_| hash_file(Path::new(photo)).ok())
            .map(|(_, h)| h);
        let mut found: Vec<usize> = Vec::new();
        for (i, p) in m.photos.iter().enumerate() {
            let source = &p.source;
            let by_name = source == photo
                || source.strip_prefix("content/") == Some(photo.trim_start_matches("./"))
                || source == photo.trim_start_matches("./")
                || p.published.contains(&wanted);
            let by_bytes = local.as_ref().is_some_and(|h| {
                p.published
                    .iter()
                    .any(|f| m.files.iter().any(|e| e.path == *f && e.blake3 == *h))
                    || hash_file(&root.join(source)).is_ok_and(|(_, s)| s == *h)
            });
            if by_name || by_bytes {
                found.push(i);
            }
        }
        if found.is_empty() {
            let file = if m.files.iter().any(|f| f.path == wanted) {
                Some(wanted.clone())
            } else {
                local
                    .as_ref()
                    .and_then(|h| hashes.get(h.as_str()).map(|p| p.to_string()))
            };
            match file.filter(|f| f.starts_with("media/")) {
                Some(f) => {
                    out.files.insert(f);
                }
                None => missing.push(format!(
                    "--photo {photo}: no photo of the published site has this content path or published path{} ({searched}); `schoolsite where ID` lists a person's photos by path",
                    if local.is_some() {
                        ", or these bytes"
                    } else {
                        ", and there is no such file on this computer to compare by its bytes"
                    }
                )),
            }
        }
        picked.extend(found);
    }
    for page in &request.pages {
        let path = page_path(config, page);
        let found: Vec<usize> = (0..m.photos.len())
            .filter(|&i| m.photos[i].pages.contains(&path))
            .collect();
        if found.is_empty() {
            let exists = m.files.iter().any(|f| f.path == page_file(&path));
            missing.push(if exists {
                format!(
                    "--page {page}: the page {path} shows no photo, clip or document from content/ ({searched}); a page's text is taken down by removing the page from content/ and publishing an approved build"
                )
            } else {
                format!("--page {page}: there is no page {path} in the published site ({searched})")
            });
        }
        picked.extend(found);
    }
    if request.people.is_empty() && request.photos.is_empty() && request.pages.is_empty() {
        missing
            .push("say what to take down: --person ID, --photo PATH or --page ADDRESS".to_string());
    }
    if request.by.trim().is_empty() {
        missing.push("say who is taking it down: --by \"Your Name\"".to_string());
    }
    if request.reason.trim().is_empty() {
        missing.push("say why: --reason \"…\" (it is recorded in the audit log)".to_string());
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    out.photos = picked.into_iter().map(|i| m.photos[i].clone()).collect();
    Ok(out)
}

/// `text` as a path relative to the published site (`media/a.jpg`),
/// from an address (`https://school/media/a.jpg`, `/media/a.jpg`).
fn published_path(config: &Config, text: &str) -> String {
    let base = config.base();
    let rest = text.strip_prefix(base).unwrap_or(text);
    let base_path = url::Url::parse(base)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let rest = if base_path.is_empty() {
        rest
    } else {
        rest.strip_prefix(&base_path).unwrap_or(rest)
    };
    rest.trim_start_matches('/').replace('\\', "/")
}

/// A page's site path (`/news/relay/`) from an address or published path.
fn page_path(config: &Config, text: &str) -> String {
    let rel = published_path(config, text);
    let rel = rel
        .strip_suffix("index.html")
        .unwrap_or(&rel)
        .trim_end_matches('/');
    if rel.is_empty() {
        "/".to_string()
    } else {
        format!("/{rel}/")
    }
}

/// The published file of a page's site path.
fn page_file(path: &str) -> String {
    format!("{}index.html", path.trim_start_matches('/'))
}

fn taken(root: &Path, photo: &DeclaredPhoto, m: &Manifest) -> TakenPhoto {
    TakenPhoto {
        source: photo.source.clone(),
        people: photo.people.clone(),
        published: m
            .files
            .iter()
            .filter(|f| photo.published.contains(&f.path))
            .cloned()
            .collect(),
        original: hash_file(&root.join(&photo.source)).ok().map(|(_, h)| h),
    }
}

/// The copy a takedown publishes.
struct Plan {
    manifest: Manifest,
    /// Pages written again, by path, with their new bytes.
    rebuilt: BTreeMap<String, Vec<u8>>,
    /// Files of the last publish taken out.
    removed: BTreeSet<String>,
    /// Files changed on the server, left out.
    left_out: Vec<String>,
    /// The old bytes of each rebuilt page.
    before: BTreeMap<String, Vec<u8>>,
}

impl Plan {
    fn make(
        config: &Config,
        target: &Path,
        last: &Manifest,
        selected: &Selected,
    ) -> Result<Plan, Vec<String>> {
        let mut gone: BTreeSet<String> = selected.files.clone();
        for p in &selected.photos {
            gone.extend(p.published.iter().cloned());
        }
        // Whatever was changed, added or removed on the server is not
        // carried over.
        let mut left_out = Vec::new();
        let mut untrusted = HashSet::new();
        for d in last.compare_dir(target, &[sync::MARKER]) {
            if !matches!(d, Difference::Removed(_)) {
                left_out.push(format!(
                    "{} had been {} on the server since the last publish, so it was left out; publish the approved build again to restore it",
                    d.path(),
                    d.what()
                ));
            }
            untrusted.insert(d.path().to_string());
        }
        let site_path = |p: &str| format!("/{p}");
        let pages_of = |files: &[&FileEntry]| -> Vec<String> {
            files
                .iter()
                .filter_map(|f| f.path.strip_suffix("index.html"))
                .map(|d| format!("/{d}"))
                .collect()
        };
        let all: Vec<&FileEntry> = last.files.iter().collect();
        let full = Published::new(
            config.base(),
            all.iter().map(|f| site_path(&f.path)),
            pages_of(&all),
        );
        let kept: Vec<&FileEntry> = all
            .iter()
            .copied()
            .filter(|f| !gone.contains(&f.path))
            .collect();
        let reduced = Published::new(
            config.base(),
            kept.iter().map(|f| site_path(&f.path)),
            pages_of(&all),
        );
        let gone_sites: HashSet<String> = gone.iter().map(|g| site_path(g)).collect();

        let mut plan = Plan {
            manifest: last.clone(),
            rebuilt: BTreeMap::new(),
            removed: gone.clone(),
            left_out,
            before: BTreeMap::new(),
        };
        let mut referred = BTreeSet::new();
        let theme = Policy::theme();
        for f in &kept {
            if untrusted.contains(&f.path) {
                continue;
            }
            let file = target.join(&f.path);
            let Ok(bytes) = std::fs::read(&file) else {
                plan.removed.insert(f.path.clone());
                continue;
            };
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            if f.path.ends_with(".html") {
                let path = match f.path.strip_suffix("index.html") {
                    Some(d) => format!("/{d}"),
                    None => site_path(&f.path),
                };
                let page = html::Page::new(&full, &path);
                let url = full.page_url(&path);
                let before = gate::page(text, &theme, &full, &url).problems.len();
                let new_problems =
                    |html: &str| gate::page(html, &theme, &reduced, &url).problems.len() > before;
                match page.remove(text, &gone_sites) {
                    None if !new_problems(text) => {}
                    None => {
                        // The gate sees a taken-down file the reader did
                        // not: fail closed, the whole page goes.
                        plan.removed.insert(f.path.clone());
                    }
                    Some(removal) => {
                        let gated = gate::page(&removal.html, &theme, &reduced, &url);
                        if gated.problems.len() > before
                            || !html::derived_by_removal(text, &gated.html)
                        {
                            plan.removed.insert(f.path.clone());
                        } else {
                            referred.extend(removal.referred);
                            plan.before.insert(f.path.clone(), bytes.clone());
                            plan.rebuilt.insert(f.path.clone(), gated.html.into_bytes());
                        }
                    }
                }
            } else if mentions(text, &f.path, &gone, &full, &reduced) {
                plan.removed.insert(f.path.clone());
            }
        }
        // What only the elements taken out referred to (a clip's
        // captions) goes too.
        for candidate in referred {
            let rel = candidate.trim_start_matches('/').to_string();
            if plan.removed.contains(&rel) || !last.files.iter().any(|f| f.path == rel) {
                continue;
            }
            let still_used = kept.iter().any(|f| {
                if plan.removed.contains(&f.path) || f.path == rel || untrusted.contains(&f.path) {
                    return false;
                }
                let bytes = match plan.rebuilt.get(&f.path) {
                    Some(b) => b.clone(),
                    None => std::fs::read(target.join(&f.path)).unwrap_or_default(),
                };
                let text = String::from_utf8_lossy(&bytes);
                if f.path.ends_with(".html") {
                    let path = match f.path.strip_suffix("index.html") {
                        Some(d) => format!("/{d}"),
                        None => site_path(&f.path),
                    };
                    html::Page::new(&full, &path)
                        .references(&text)
                        .contains(&candidate)
                } else {
                    text.contains(file_name(&rel))
                }
            });
            if !still_used {
                plan.removed.insert(rel);
            }
        }
        plan.manifest.files = last
            .files
            .iter()
            .filter(|f| !plan.removed.contains(&f.path) && !untrusted.contains(&f.path))
            .map(|f| match plan.rebuilt.get(&f.path) {
                Some(bytes) => FileEntry {
                    path: f.path.clone(),
                    size: bytes.len() as u64,
                    blake3: blake3::hash(bytes).to_hex().to_string(),
                },
                None => f.clone(),
            })
            .collect();
        let remaining: HashSet<&str> = plan
            .manifest
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        plan.manifest.photos.retain(|p| {
            !selected.photos.iter().any(|s| s.source == p.source)
                && p.published.iter().all(|f| remaining.contains(f.as_str()))
        });
        plan.manifest.digest = plan.manifest.compute_digest();
        Ok(plan)
    }

    /// Checks, file by file, that the new copy holds nothing the old one
    /// did not: no new file, every file the same bytes as the one
    /// published, except pages that are those pages with parts taken out.
    fn nothing_added(&self, target: &Path, last: &Manifest) -> Result<(), String> {
        let old: BTreeMap<&str, &FileEntry> =
            last.files.iter().map(|f| (f.path.as_str(), f)).collect();
        let fail = |path: &str, why: &str| {
            Err(format!(
                "the takedown would have published {path} {why}, and a takedown only ever takes away; nothing was changed. Report this as a bug in schoolsite, and take the site down by hand if it cannot wait"
            ))
        };
        for f in &self.manifest.files {
            let Some(was) = old.get(f.path.as_str()) else {
                return fail(&f.path, "as a new file");
            };
            match self.rebuilt.get(&f.path) {
                None => {
                    if f != *was {
                        return fail(&f.path, "changed");
                    }
                    match hash_file(&target.join(&f.path)) {
                        Ok((size, hash)) if size == was.size && hash == was.blake3 => {}
                        _ => return fail(&f.path, "changed on the server"),
                    }
                }
                Some(bytes) => {
                    let before = self.before.get(&f.path).map(Vec::as_slice);
                    let derived = match (before, std::str::from_utf8(bytes)) {
                        (Some(b), Ok(new)) => std::str::from_utf8(b)
                            .is_ok_and(|old| html::derived_by_removal(old, new)),
                        _ => false,
                    };
                    if !derived {
                        return fail(&f.path, "with something the published page did not have");
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether a file other than a page refers to a taken-down file: a feed
/// or sitemap by the gate's XML reader, a stylesheet by its addresses,
/// anything else by the taken-down file's name.
fn mentions(
    text: &str,
    path: &str,
    gone: &BTreeSet<String>,
    full: &Published,
    reduced: &Published,
) -> bool {
    if gone.iter().any(|g| text.contains(file_name(g))) {
        return true;
    }
    let url = full.page_url(&format!("/{path}"));
    if path.ends_with(".xml") {
        let a = gate::xml::gate(text, full, &url);
        let b = gate::xml::gate(text, reduced, &url);
        return a.html != b.html || a.problems.len() != b.problems.len();
    }
    if path.ends_with(".css") {
        return gate::css::read(text).urls.iter().any(|u| {
            matches!(
                full.resolve(&u.0, &url, gate::Use::Fetch),
                Ok(gate::Target::File(f)) if gone.contains(f.trim_start_matches('/'))
            )
        });
    }
    false
}

/// Whether two register ids are the same person's, as ids are written
/// by hand: ignoring case, spaces and a number's leading zeros.
fn same_id(a: &str, b: &str) -> bool {
    let key = |s: &str| {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
            let kept = s.trim_start_matches('0');
            if kept.is_empty() {
                "0".to_string()
            } else {
                kept.to_string()
            }
        } else {
            s.to_lowercase()
        }
    };
    key(a) == key(b)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn write_record(root: &Path, record: &Record) -> Result<PathBuf, PublishError> {
    let dir = root.join(TAKEDOWNS_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| PublishError::Io {
        path: dir.clone(),
        source,
    })?;
    let path = dir.join(format!("{}.json", record.id));
    let text = serde_json::to_string_pretty(record).unwrap_or_default() + "\n";
    std::fs::write(&path, text).map_err(|source| PublishError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Every takedown record, oldest first, with the record or why it
/// cannot be read.
pub fn load_records(root: &Path) -> Vec<(PathBuf, Result<Record, String>)> {
    load_dir(root, false)
}

fn load_dir<T: serde::de::DeserializeOwned>(
    root: &Path,
    lifts: bool,
) -> Vec<(PathBuf, Result<T, String>)> {
    let Ok(entries) = std::fs::read_dir(root.join(TAKEDOWNS_DIR)) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Result<T, String>)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            name.ends_with(".json") && name.ends_with(".lift.json") == lifts
        })
        .map(|p| {
            let parsed = std::fs::read_to_string(&p)
                .map_err(|e| format!("could not be read: {e}"))
                .and_then(|t| {
                    serde_json::from_str::<T>(&t)
                        .map_err(|e| format!("is not a schoolsite takedown record ({e})"))
                });
            (p, parsed)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every takedown that stands (not lifted by a valid approver's
/// signature), and every record that cannot be read (which counts as
/// standing: nothing can be checked against it).
pub fn standing(root: &Path, approvers: &[Approver]) -> Vec<(String, Result<Record, String>)> {
    let lifted: HashSet<String> = load_dir::<Lift>(root, true)
        .into_iter()
        .filter_map(|(_, l)| l.ok())
        .filter(|l| l.verify(approvers))
        .map(|l| l.takedown)
        .collect();
    load_records(root)
        .into_iter()
        .filter(|(_, r)| !matches!(r, Ok(r) if lifted.contains(&r.id)))
        .map(|(p, r)| {
            let shown = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            (shown, r)
        })
        .collect()
}

/// Why the build in `manifest` may not be published while takedowns
/// stand: one line per photo and takedown, naming the file and how to
/// put it right.
pub fn problems(root: &Path, config: &Config, manifest: &Manifest) -> Vec<String> {
    let standing = Standing::load(
        root,
        &config.approvers,
        manifest.photos.iter().map(|p| p.source.clone()),
    );
    if standing.is_empty() {
        return Vec::new();
    }
    let register = Register::load(root);
    let label = |id: &str| match register.lookup(id) {
        Lookup::Found(p) => p.label(),
        _ => format!("register id {id}"),
    };
    let mut out: Vec<String> = standing
        .unreadable
        .iter()
        .map(|(file, why)| {
            format!(
                "{file} {why}, so no build can be checked against that takedown; restore the file from the site's repository"
            )
        })
        .collect();
    for found in standing.in_manifest(manifest) {
        let Hit {
            file,
            record,
            people,
        } = &found.hit;
        let about = format!(
            "taken down on {} by {} ({file})",
            record.day(),
            mask_names(&record.by, &register)
        );
        let what = &found.what;
        out.push(if !people.is_empty() {
            let people: Vec<String> = people.iter().map(|p| label(p)).collect();
            format!(
                "{what} shows {}, whose photos were {about}: {FIX}",
                people.join(", ")
            )
        } else if what.starts_with("public/") {
            format!("{what} is a copy of a photo {about}: {FIX}")
        } else {
            format!("{what} is a photo {about}: {FIX}")
        });
    }
    out
}

/// How to put right a build that still holds a taken-down photo. Never
/// "lift the takedown": that is for when its reason no longer holds.
pub const FIX: &str = "take it off the site (remove it from the page and from content/), build, and have that build approved";

/// Lifts the takedown `id` with an approver's key: from then on a build
/// showing its photos may be approved and published again.
pub fn lift(
    root: &Path,
    id: &str,
    key_file: &Path,
    reason: &str,
) -> Result<(PathBuf, audit::Entry), PublishError> {
    let log = root.join(audit::AUDIT_LOG);
    audit::verify(&log)?;
    let config = Config::load(root).map_err(|e| PublishError::LiftRefused(e.to_string()))?;
    audit::verify_anchored(root, &config.approvers)?;
    let key = PrivateKey::load(key_file, root)?;
    let listed = keys::parse_public(&key.public_key());
    if !config
        .approvers
        .iter()
        .any(|a| keys::parse_public(&a.public_key) == listed)
    {
        return Err(PublishError::LiftRefused(format!(
            "the key in {} ({}, {}) is not one of the approvers in config.toml: only an approver can lift a takedown",
            key_file.display(),
            key.name,
            key.role
        )));
    }
    if reason.trim().is_empty() {
        return Err(PublishError::LiftRefused(
            "say why the takedown no longer needs to stand: --reason \"…\"".to_string(),
        ));
    }
    let Some(record) = load_records(root)
        .into_iter()
        .filter_map(|(_, r)| r.ok())
        .find(|r| r.id == id)
    else {
        return Err(PublishError::LiftRefused(format!(
            "there is no takedown {id} in {TAKEDOWNS_DIR}/"
        )));
    };
    let mut l = Lift {
        schema: SCHEMA,
        takedown: record.id.clone(),
        reason: mask_names(reason.trim(), &Register::load(root)),
        name: key.name.clone(),
        role: key.role.clone(),
        public_key: key.public_key(),
        signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        signature: String::new(),
    };
    l.signature = key.sign(l.message().as_bytes());
    let path = root.join(TAKEDOWNS_DIR).join(format!("{id}.lift.json"));
    let text = serde_json::to_string_pretty(&l).unwrap_or_default() + "\n";
    std::fs::write(&path, text).map_err(|source| PublishError::Io {
        path: path.clone(),
        source,
    })?;
    let mut entry = audit::Entry::new("takedown-lifted", Path::new(&record.to));
    entry.approver = Some(format!("{} ({})", key.name, key.role));
    entry.reasons = vec![format!("takedown {id} lifted: {}", l.reason)];
    let entry = audit::append(&log, entry)?;
    Ok((path, entry))
}
