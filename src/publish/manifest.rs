//! The manifest: what a build wrote to `public/`, byte for byte, and
//! what it was built from. An approval signs its digest; publishing
//! checks `public/` against it.

use super::PublishError;
use crate::emit::{OUTPUT_DIR, Written};
use crate::pipeline::{DeclaredPhoto, Prepared};
use crate::report::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where `build` writes the manifest, relative to the site root.
pub const MANIFEST_FILE: &str = ".schoolsite/manifest.json";
const SCHEMA: u32 = 1;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative to `public/`.
    pub path: String,
    pub size: u64,
    pub blake3: String,
}

/// A warning the build reported (errors stop a build, so a manifest has
/// none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub rule: String,
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema: u32,
    pub tool: String,
    pub version: String,
    /// Errors the build found (a site is only written with none).
    pub errors: usize,
    /// BLAKE3 over `config.toml`, `content/`, `themes/` and `templates/`.
    pub content: String,
    /// BLAKE3 over `consent/`.
    pub register: String,
    pub files: Vec<FileEntry>,
    pub photos: Vec<DeclaredPhoto>,
    pub warnings: Vec<Warning>,
    /// BLAKE3 over everything above, as written in this file.
    pub digest: String,
}

/// A way `public/` differs from the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    Changed(String),
    Added(String),
    Removed(String),
    /// Not a plain file (a link, a device), or unreadable.
    Strange(String, String),
}

impl Difference {
    /// The file, relative to the site's folder.
    pub fn path(&self) -> &str {
        match self {
            Difference::Changed(p)
            | Difference::Added(p)
            | Difference::Removed(p)
            | Difference::Strange(p, _) => p,
        }
    }

    /// What happened to it, in words: "changed", "added", "removed", or
    /// why it is strange.
    pub fn what(&self) -> &str {
        match self {
            Difference::Changed(_) => "changed",
            Difference::Added(_) => "added",
            Difference::Removed(_) => "removed",
            Difference::Strange(_, why) => why,
        }
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Changed(p) => write!(f, "public/{p} was changed after the build"),
            Difference::Added(p) => write!(f, "public/{p} was added after the build"),
            Difference::Removed(p) => write!(f, "public/{p} was removed after the build"),
            Difference::Strange(p, why) => write!(f, "public/{p} {why}"),
        }
    }
}

impl Manifest {
    /// The manifest of a build that wrote `written` from `prepared`.
    pub fn new(root: &Path, prepared: &Prepared, written: &[Written]) -> Manifest {
        let errors = prepared
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = prepared
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Error)
            .map(Warning::from)
            .collect();
        let mut m = Manifest {
            schema: SCHEMA,
            tool: "schoolsite".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            errors,
            content: tree_digest(root, &["config.toml", "content", "themes", "templates"]),
            register: tree_digest(root, &["consent"]),
            files: written
                .iter()
                .map(|w| FileEntry {
                    path: w.path.clone(),
                    size: w.size,
                    blake3: w.blake3.clone(),
                })
                .collect(),
            photos: prepared.photos.clone(),
            warnings,
            digest: String::new(),
        };
        m.digest = m.compute_digest();
        m
    }

    /// BLAKE3 of the manifest's JSON with `digest` empty.
    pub fn compute_digest(&self) -> String {
        let mut copy = self.clone();
        copy.digest.clear();
        // Plain strings, numbers and dates always serialise.
        let bytes = serde_json::to_vec(&copy).unwrap_or_default();
        blake3::hash(&bytes).to_hex().to_string()
    }

    /// The digest shortened for people: the first 12 hex digits.
    pub fn short_digest(&self) -> &str {
        self.digest.get(..12).unwrap_or(&self.digest)
    }

    pub fn write(&self, root: &Path) -> Result<(), PublishError> {
        let path = root.join(MANIFEST_FILE);
        let io = |source| PublishError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    /// Reads the manifest of the last build, checking its digest.
    pub fn load(root: &Path) -> Result<Manifest, PublishError> {
        let path = root.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(PublishError::NoManifest);
            }
            Err(source) => return Err(PublishError::Io { path, source }),
        };
        Manifest::parse(&text)
    }

    /// Parses a manifest and checks that its digest matches its content.
    pub fn parse(text: &str) -> Result<Manifest, PublishError> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| {
            PublishError::BadManifest(format!("it is not a schoolsite manifest ({e})"))
        })?;
        if m.schema != SCHEMA {
            return Err(PublishError::BadManifest(format!(
                "it has schema {}, and this schoolsite reads schema {SCHEMA}",
                m.schema
            )));
        }
        if m.compute_digest() != m.digest {
            return Err(PublishError::BadManifest(
                "its digest does not match its content: it was edited after the build".to_string(),
            ));
        }
        Ok(m)
    }

    /// Every way the files in `root/public` differ from the manifest.
    pub fn compare(&self, root: &Path) -> Vec<Difference> {
        self.compare_dir(&root.join(OUTPUT_DIR), &[])
    }

    /// Every way the files in `public` (any folder holding a copy of the
    /// site) differ from the manifest, leaving out the top-level files
    /// named in `ignore`.
    pub fn compare_dir(&self, public: &Path, ignore: &[&str]) -> Vec<Difference> {
        use rayon::prelude::*;
        let public = public.to_path_buf();
        let mut out = Vec::new();
        let mut found = std::collections::BTreeMap::new();
        for entry in walkdir::WalkDir::new(&public)
            .follow_links(false)
            .min_depth(1)
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let rel = e
                        .path()
                        .and_then(|p| p.strip_prefix(&public).ok())
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_default();
                    out.push(Difference::Strange(rel, format!("could not be read: {e}")));
                    continue;
                }
            };
            let rel = entry
                .path()
                .strip_prefix(&public)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let t = entry.file_type();
            if t.is_dir() || ignore.contains(&rel.as_str()) {
                continue;
            }
            if !t.is_file() {
                out.push(Difference::Strange(
                    rel,
                    "is not a plain file (a link or a device), and a build never writes one"
                        .to_string(),
                ));
                continue;
            }
            found.insert(rel, entry.path().to_path_buf());
        }
        let expected: std::collections::BTreeMap<&str, &FileEntry> =
            self.files.iter().map(|f| (f.path.as_str(), f)).collect();
        let changed: Vec<Difference> = found
            .par_iter()
            .filter_map(|(rel, path)| {
                let want = expected.get(rel.as_str())?;
                match hash_file(path) {
                    Ok((size, hash)) if size == want.size && hash == want.blake3 => None,
                    Ok(_) => Some(Difference::Changed(rel.clone())),
                    Err(e) => Some(Difference::Strange(
                        rel.clone(),
                        format!("could not be read: {e}"),
                    )),
                }
            })
            .collect();
        out.extend(changed);
        for rel in found.keys() {
            if !expected.contains_key(rel.as_str()) {
                out.push(Difference::Added(rel.clone()));
            }
        }
        for rel in expected.keys() {
            if !found.contains_key(*rel) {
                out.push(Difference::Removed(rel.to_string()));
            }
        }
        out.sort_by_key(|d| d.to_string());
        out
    }
}

impl From<&Finding> for Warning {
    fn from(f: &Finding) -> Self {
        Warning {
            rule: f.rule.to_string(),
            file: f.location.file.clone(),
            line: f.location.line.or(f.location.row),
            message: without_countdown(&f.message),
        }
    }
}

/// A message without its countdown ("(in 20 days)", "(today)"): the
/// absolute date stays, so the same site checked on another day has the
/// same manifest, and an approval still matches a rebuild.
fn without_countdown(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(" (") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find(')') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let countdown = matches!(inner, "today" | "tomorrow")
            || inner
                .strip_prefix("in ")
                .or_else(|| inner.strip_suffix(" ago"))
                .is_some_and(|n| {
                    n.strip_suffix(" days")
                        .or_else(|| n.strip_suffix(" day"))
                        .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
                });
        if !countdown {
            out.push_str(&rest[start..start + 2 + end + 1]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Size and BLAKE3 (hex) of a file.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut hasher = blake3::Hasher::new();
    let mut file = std::fs::File::open(path)?;
    let size = std::io::copy(&mut file, &mut hasher)?;
    Ok((size, hasher.finalize().to_hex().to_string()))
}

/// BLAKE3 over the files under `entries` (files or folders relative to
/// `root`), in path order: each file's path, length and the BLAKE3 of its
/// bytes. Missing entries count as empty; hidden files and folders are
/// skipped. Files are hashed in parallel (on a slow or network drive each
/// one costs a round trip to open), each streamed, not read whole:
/// content/ may hold long clips.
fn tree_digest(root: &Path, entries: &[&str]) -> String {
    use rayon::prelude::*;
    let mut files = Vec::new();
    for entry in entries {
        let walker = walkdir::WalkDir::new(root.join(entry))
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for e in walker.flatten() {
            if e.file_type().is_file() {
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                files.push((rel, e.into_path()));
            }
        }
    }
    let hashed: Vec<Option<(u64, blake3::Hash)>> = files
        .par_iter()
        .map(|(_, path)| {
            let file = std::fs::File::open(path).ok()?;
            let len = file.metadata().ok()?.len();
            let mut h = blake3::Hasher::new();
            h.update_reader(file).ok()?;
            Some((len, h.finalize()))
        })
        .collect();
    let mut hasher = blake3::Hasher::new();
    for ((rel, _), hash) in files.iter().zip(hashed) {
        match hash {
            Some((len, h)) => {
                hasher.update(rel.as_bytes());
                hasher.update(&[0]);
                hasher.update(&len.to_le_bytes());
                hasher.update(h.as_bytes());
            }
            None => {
                hasher.update(b"unreadable\0");
                hasher.update(rel.as_bytes());
            }
        }
    }
    hasher.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::without_countdown;

    #[test]
    fn countdowns_are_dropped_and_dates_kept() {
        assert_eq!(
            without_countdown(
                "pupil 1004 (Harry N.) leaves the school on 2027-07-21 (in 20 days); the photo"
            ),
            "pupil 1004 (Harry N.) leaves the school on 2027-07-21; the photo"
        );
        assert_eq!(
            without_countdown("due on 2026-12-10 (tomorrow)"),
            "due on 2026-12-10"
        );
        assert_eq!(
            without_countdown("was due on 2026-11-01 (22 days ago)"),
            "was due on 2026-11-01"
        );
        assert_eq!(without_countdown("a (b"), "a (b");
    }
}
