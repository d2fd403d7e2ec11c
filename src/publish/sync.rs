//! Copying the built site to where it is served, atomically: the new
//! site is written beside the destination and exchanged with it in one
//! step, so a reader sees the old site or the new one, never a mix.
//! Files no longer in the site go with the old copy.

use super::PublishError;
use super::keys::absolute_existing;
use super::manifest::{Manifest, hash_file};
use std::path::{Path, PathBuf};

/// Written into every published folder: marks it as schoolsite's, so a
/// later publish may replace it.
pub const MARKER: &str = ".schoolsite-published";

/// Checks that `dest` is a safe place to publish the site at `root`.
pub fn check_destination(root: &Path, dest: &Path) -> Result<PathBuf, PublishError> {
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
    match std::fs::symlink_metadata(&target) {
        Err(_) => {}
        Ok(m) if m.is_dir() => {
            let mut entries = std::fs::read_dir(&target).map_err(|source| PublishError::Io {
                path: target.clone(),
                source,
            })?;
            let empty = entries.next().is_none();
            if !empty && !target.join(MARKER).is_file() {
                return Err(refuse(format!(
                    "{} has files schoolsite did not publish, and publishing replaces everything in it; choose an empty folder, or empty this one first",
                    dest.display()
                )));
            }
        }
        Ok(_) => {
            return Err(refuse(format!(
                "{} exists and is not a folder",
                dest.display()
            )));
        }
    }
    Ok(target)
}

/// How the site currently at `target` differs from the build last
/// published there (named in its marker), as lines for the audit log;
/// empty when it is intact, or was never published by schoolsite.
pub fn changed_since_published(root: &Path, target: &Path) -> Vec<String> {
    let Ok(marker) = std::fs::read_to_string(target.join(MARKER)) else {
        return Vec::new();
    };
    let Some(digest) = marker
        .lines()
        .find_map(|l| l.strip_prefix("manifest: "))
        .map(str::trim)
    else {
        return vec![format!(
            "{}/{MARKER} was changed on the server: it no longer names the build published",
            target.display()
        )];
    };
    let Some(last) = super::takedown::manifest_by_digest(root, digest) else {
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
/// the manifest as it is copied.
pub fn publish(public: &Path, target: &Path, manifest: &Manifest) -> Result<(), PublishError> {
    publish_from(|rel| public.join(rel), target, manifest)
}

/// Copies every file of `manifest` from where `source` says it is (given
/// its path relative to the site) into `target`, replacing what was
/// there in one step. Each file is checked against the manifest as it is
/// copied.
pub fn publish_from(
    source: impl Fn(&str) -> PathBuf + Sync,
    target: &Path,
    manifest: &Manifest,
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
    let result = stage(&source, &staging, manifest).and_then(|()| swap_in(&staging, target));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn stage(
    source: &(impl Fn(&str) -> PathBuf + Sync),
    staging: &Path,
    manifest: &Manifest,
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
        "Published by schoolsite {}.\nmanifest: {}\n",
        env!("CARGO_PKG_VERSION"),
        manifest.digest
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
