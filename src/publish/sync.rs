//! Copying the built site to where it is served, atomically: the new
//! site is written beside the destination and exchanged with it in one
//! step, so a reader sees the old site or the new one, never a mix.
//! Files no longer in the site go with the old copy.

use super::PublishError;
use super::audit::{AUDIT_LOG, Chain, Head};
use super::keys::absolute_existing;
use super::manifest::{Manifest, hash_file};
use std::path::{Path, PathBuf};

/// Written into every published folder: the build there and the audit
/// entry that put it there, so a later publish or takedown can prove the
/// folder is schoolsite's before replacing it ([`published_here`]).
pub const MARKER: &str = ".schoolsite-published";

/// How many of a folder's files a refusal lists.
const LISTED: usize = 20;

/// What a published folder's marker says, once it is matched to the
/// audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The manifest digest of the build there.
    pub manifest: String,
    /// The audit entry that put it there, and the chain's head just
    /// after it. Markers written before they recorded it have none.
    pub entry: Option<Head>,
}

/// Checks that `dest` is a safe place to publish the site at `root`:
/// outside it, and new, empty or holding what this site published there
/// ([`published_here`]). Returns the folder, made absolute, and what is
/// published there.
pub fn check_destination(
    root: &Path,
    dest: &Path,
    chain: &Chain,
) -> Result<(PathBuf, Option<Served>), PublishError> {
    let refuse = |why: String| PublishError::Destination(why);
    let root = root.canonicalize().map_err(|source| PublishError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let target = absolute_existing(dest)
        .ok_or_else(|| refuse(format!("{} is not a usable folder path", dest.display())))?;
    if target.starts_with(&root) {
        return Err(refuse(format!(
            "{} is inside the site's folder; publish to a folder outside it (the web server's folder)",
            dest.display()
        )));
    }
    if root.starts_with(&target) {
        return Err(refuse(format!(
            "{} contains the site's own folder, and publishing replaces everything in it",
            dest.display()
        )));
    }
    if target.parent().is_none() {
        return Err(refuse(
            "the root of the file system cannot be published to".to_string(),
        ));
    }
    let served = published_here(&target, chain).map_err(refuse)?;
    Ok((target, served))
}

/// What schoolsite can prove it published at `target`: `None` for a
/// folder that does not exist or is empty; the build there when the
/// folder's marker matches a publish (or takedown) in `chain`, the site's
/// audit log. Anything else is refused, with what the folder holds.
/// `publish` and `takedown` both start here.
///
/// A marker that records its audit entry matches only if the log still
/// has that entry, with that hash, publishing that build: so an edit to
/// the log up to that entry is found here too. A marker written before
/// markers recorded the entry matches when the log records publishing
/// its build.
pub fn published_here(target: &Path, chain: &Chain) -> Result<Option<Served>, String> {
    let shown = target.display();
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{shown} cannot be read ({e})")),
        Ok(m) if !m.is_dir() => {
            return Err(format!(
                "{shown} exists and is not a folder; give the folder the web server serves"
            ));
        }
        Ok(_) => {}
    }
    let names = listing(target).map_err(|e| format!("{shown} cannot be read ({e})"))?;
    if names.is_empty() {
        return Ok(None);
    }
    let holds = shown_list(&names);
    let not_ours = |why: String| {
        format!(
            "{shown} holds files schoolsite cannot prove it published ({why}), and publishing replaces everything in the folder. Nothing was changed there. It holds: {holds}. Publish to an empty or new folder, or move these files somewhere else first"
        )
    };
    let marker_path = target.join(MARKER);
    let text = match std::fs::symlink_metadata(&marker_path) {
        Ok(m) if m.is_file() => std::fs::read(&marker_path)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| not_ours(format!("its {MARKER} cannot be read")))?,
        Ok(_) => return Err(not_ours(format!("its {MARKER} is not a file"))),
        Err(_) => return Err(not_ours(format!("it has no {MARKER} marker"))),
    };
    let (digest, entry) = parse_marker(&text);
    let Some(digest) = digest else {
        return Err(not_ours(format!("its {MARKER} names no build")));
    };
    let short = digest.get(..12).unwrap_or(&digest).to_string();
    let Some(head) = entry else {
        if chain.served.contains(&digest) {
            return Ok(Some(Served {
                manifest: digest,
                entry: None,
            }));
        }
        return Err(not_ours(format!(
            "its {MARKER} names build {short}, which {AUDIT_LOG} does not record as published"
        )));
    };
    let why = match chain.entry(head.seq) {
        None => format!(
            "its {MARKER} says entry {} of {AUDIT_LOG} published build {short} there, and the log has only {} entries",
            head.seq, chain.entries
        ),
        Some(l) if l.hash != head.hash => format!(
            "its {MARKER} says {head} of {AUDIT_LOG} published build {short} there, and entry {} of the log is not that entry: it, or an entry before it, is different",
            head.seq
        ),
        Some(l)
            if !matches!(l.entry.event.as_str(), "publish" | "takedown")
                || l.entry.manifest.as_deref() != Some(digest.as_str()) =>
        {
            format!(
                "its {MARKER} says {head} of {AUDIT_LOG} published build {short} there, and that entry records no such publish"
            )
        }
        Some(_) => {
            return Ok(Some(Served {
                manifest: digest,
                entry: Some(head),
            }));
        }
    };
    Err(format!(
        "{shown} cannot be proved to hold what this site published: {why}. Either {AUDIT_LOG} was rewritten or cut back since that publish, or the folder was published from another copy of the site. If this is where this site is published, restore {AUDIT_LOG} from the site's repository (`git log -p {AUDIT_LOG}` shows every version) and try again; otherwise choose an empty or new folder. Nothing was changed there. It holds: {holds}"
    ))
}

/// The build and audit entry a marker names.
fn parse_marker(text: &str) -> (Option<String>, Option<Head>) {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let digest = field("manifest:").map(str::to_string);
    let entry = field("audit entry:").and_then(|v| {
        let (seq, hash) = v.split_once(' ')?;
        Some(Head {
            seq: seq.trim().parse().ok()?,
            hash: hash.trim().to_string(),
        })
    });
    (digest, entry)
}

/// The names in `dir`, sorted, a folder's with `/` after it.
fn listing(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let mut name = e.file_name().to_string_lossy().to_string();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            name.push('/');
        }
        names.push(name);
    }
    names.sort();
    Ok(names)
}

fn shown_list(names: &[String]) -> String {
    let mut out = names
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LISTED {
        out.push_str(&format!(" and {} more", names.len() - LISTED));
    }
    out
}

/// How the site currently at `target` differs from the build last
/// published there (`served`), as lines for the audit log; empty when it
/// is intact, or nothing was published there.
pub fn changed_since_published(root: &Path, target: &Path, served: Option<&Served>) -> Vec<String> {
    let Some(served) = served else {
        return Vec::new();
    };
    let Some(last) = super::takedown::manifest_by_digest(root, &served.manifest) else {
        return Vec::new();
    };
    last.compare_dir(target, &[MARKER])
        .iter()
        .map(|d| {
            format!(
                "{}/{} had been {} on the server since the last publish",
                target.display(),
                d.path(),
                d.what()
            )
        })
        .collect()
}

/// Copies every file of `manifest` from `public` into `target`,
/// replacing what was there in one step. Each file is checked against
/// the manifest as it is copied. The marker records `entry`, the audit
/// entry about to record this publish.
pub fn publish(
    public: &Path,
    target: &Path,
    manifest: &Manifest,
    entry: &Head,
) -> Result<(), PublishError> {
    publish_from(|rel| public.join(rel), target, manifest, entry)
}

/// Copies every file of `manifest` from where `source` says it is (given
/// its path relative to the site) into `target`, replacing what was
/// there in one step. Each file is checked against the manifest as it is
/// copied. The marker records `entry`, the audit entry about to record
/// it.
pub fn publish_from(
    source: impl Fn(&str) -> PathBuf + Sync,
    target: &Path,
    manifest: &Manifest,
    entry: &Head,
) -> Result<(), PublishError> {
    let parent = target.parent().unwrap_or(Path::new("/"));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    std::fs::create_dir_all(parent).map_err(|source| PublishError::Io {
        path: parent.to_path_buf(),
        source,
    })?;
    let staging = parent.join(format!(".{name}.schoolsite-new-{}", std::process::id()));
    let result = stage(&source, &staging, manifest, entry).and_then(|()| swap_in(&staging, target));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn stage(
    source: &(impl Fn(&str) -> PathBuf + Sync),
    staging: &Path,
    manifest: &Manifest,
    entry: &Head,
) -> Result<(), PublishError> {
    use rayon::prelude::*;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishError::Io { path, source }
    };
    if staging.exists() {
        std::fs::remove_dir_all(staging).map_err(io(staging))?;
    }
    std::fs::create_dir_all(staging).map_err(io(staging))?;
    for f in &manifest.files {
        if let Some(dir) = Path::new(&f.path).parent() {
            let d = staging.join(dir);
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
    }
    manifest.files.par_iter().try_for_each(|f| {
        let from = source(&f.path);
        let to = staging.join(&f.path);
        std::fs::copy(&from, &to).map_err(io(&from))?;
        // The copy is what is served: check it, not the original.
        let (size, hash) = hash_file(&to).map_err(io(&to))?;
        if size != f.size || hash != f.blake3 {
            return Err(PublishError::Tampered(vec![format!(
                "{} changed while it was being published",
                from.display()
            )]));
        }
        Ok(())
    })?;
    let marker = format!(
        "Published by schoolsite {}.\nmanifest: {}\naudit entry: {} {}\n",
        env!("CARGO_PKG_VERSION"),
        manifest.digest,
        entry.seq,
        entry.hash
    );
    std::fs::write(staging.join(MARKER), marker).map_err(io(staging))?;
    Ok(())
}

/// Puts `staging` in place of `target` in one step where the system
/// allows it (Linux: an atomic exchange), then deletes the old copy.
fn swap_in(staging: &Path, target: &Path) -> Result<(), PublishError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishError::Io { path, source }
    };
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(staging, target).map_err(io(target));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE)
            .map_err(|e| std::io::Error::from_raw_os_error(e.raw_os_error()))
            .map_err(io(target))?;
        // `staging` now holds the old site.
        let _ = std::fs::remove_dir_all(staging);
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        // No atomic exchange: move the old copy aside and the new one in,
        // putting the old one back if that fails.
        let old = staging.with_extension("old");
        std::fs::rename(target, &old).map_err(io(target))?;
        if let Err(e) = std::fs::rename(staging, target) {
            let _ = std::fs::rename(&old, target);
            return Err(io(target)(e));
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}
