//! Deleting from the studio moves a page (or a photo) to a bin under
//! `.schoolsite/bin/`, never off the disk: it can be put back until
//! someone deletes it for good (one entry, or the whole bin, each asked
//! twice). The bin is outside `content/`, so nothing in it is built or
//! published.

use std::path::{Component, Path, PathBuf};

/// Where deleted files wait, under the site's root.
pub const BIN_DIR: &str = ".schoolsite/bin";

/// Why a file could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum BinError {
    #[error("\"{0}\" is not a file inside content/")]
    Outside(String),
    #[error("there is no \"{0}\" to move")]
    Missing(String),
    #[error("\"{0}\" is already there: move it away first, so nothing is overwritten")]
    Occupied(String),
    #[error(
        "\"{0}\" is a link or not a folder, so it is not the studio's bin: the bin holds only what the studio put there (move it away and try again)"
    )]
    NotTheBin(String),
    #[error("it could not be moved: {0}")]
    Io(#[from] std::io::Error),
}

/// The bin's folder, once `.schoolsite` and `.schoolsite/bin` are known to
/// be real folders (not links to somewhere else, whose files a restore
/// would bring into `content/` or a deletion would delete), or absent.
fn bin_folder(root: &Path) -> Result<PathBuf, BinError> {
    let mut path = root.to_path_buf();
    for part in BIN_DIR.split('/') {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(BinError::NotTheBin(slashed(
                    path.strip_prefix(root).unwrap_or(&path),
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(path)
}

/// Whether `path` is a real folder, not a link to one.
fn real_folder(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Whether `path` is a real file, not a link to one.
fn real_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// One thing in the bin: where it came from and where it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binned {
    /// Its path under `content/`, as it was.
    pub from: String,
    /// Its folder in the bin (`20261205-031500-1/…`).
    pub entry: String,
}

/// Moves `content/<rel>` (a file or a page's folder) into the bin.
pub fn discard(root: &Path, rel: &str) -> Result<Binned, BinError> {
    let rel = inside(rel)?;
    let source = root.join(crate::content::CONTENT_DIR).join(&rel);
    if !source.exists() {
        return Err(BinError::Missing(rel.display().to_string()));
    }
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let bin = bin_folder(root)?;
    std::fs::create_dir_all(&bin)?;
    let entry = claim_entry(&bin, &stamp.to_string())?;
    let target = bin.join(&entry).join(&rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if let Err(e) = std::fs::rename(&source, &target) {
        // Nothing moved: the claimed entry goes again (best effort).
        let _ = std::fs::remove_dir_all(bin.join(&entry));
        return Err(e.into());
    }
    // Where it came from, beside it: the bin is read back from these.
    // Written once the file is there, so a failed move lists nothing.
    std::fs::write(bin.join(format!("{entry}.from")), slashed(&rel))?;
    Ok(Binned {
        from: slashed(&rel),
        entry,
    })
}

/// A new entry folder in `bin`, named `{stamp}-{n}`: made with
/// `create_dir`, which fails when the folder exists, so two deletions in
/// the same second never share an entry (restoring one would then take
/// the other with it).
fn claim_entry(bin: &Path, stamp: &str) -> std::io::Result<String> {
    for n in 1..10_000 {
        let entry = format!("{stamp}-{n}");
        match std::fs::create_dir(bin.join(&entry)) {
            Ok(()) => return Ok(entry),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "the bin has too many entries for this second",
    ))
}

/// Puts a binned file back where it was, unless something is there now.
pub fn restore(root: &Path, binned: &Binned) -> Result<(), BinError> {
    let rel = inside(&binned.from)?;
    let entry = inside(&binned.entry)?;
    let bin = bin_folder(root)?;
    if !real_folder(&bin.join(&entry)) {
        return Err(BinError::NotTheBin(binned.entry.clone()));
    }
    let source = bin.join(entry).join(&rel);
    let target = root.join(crate::content::CONTENT_DIR).join(&rel);
    if target.exists() {
        return Err(BinError::Occupied(binned.from.clone()));
    }
    if !source.exists() {
        return Err(BinError::Missing(binned.from.clone()));
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(source, target)?;
    let _ = std::fs::remove_file(bin.join(format!("{}.from", binned.entry)));
    let _ = std::fs::remove_dir_all(bin.join(&binned.entry));
    Ok(())
}

/// Deletes one entry in the bin for good: what it holds, then its note
/// of where it came from (so an entry half-deleted is still listed, and
/// deleting it again finishes the job).
pub fn delete_for_good(root: &Path, entry: &str) -> Result<(), BinError> {
    let entry = inside(entry)?;
    let bin = bin_folder(root)?;
    let note = bin.join(format!("{}.from", entry.display()));
    if entry.components().count() != 1 || !real_file(&note) {
        return Err(BinError::Missing(entry.display().to_string()));
    }
    // A link in the entry's place is removed, never followed (so is one
    // inside it: `remove_dir_all` does not follow links).
    let folder = bin.join(&entry);
    let gone = if real_folder(&folder) {
        std::fs::remove_dir_all(&folder)
    } else {
        std::fs::remove_file(&folder)
    };
    match gone {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    std::fs::remove_file(note)?;
    Ok(())
}

/// Everything in the bin, newest first.
pub fn list(root: &Path) -> Vec<Binned> {
    let Ok(entries) = bin_folder(root).and_then(|bin| Ok(std::fs::read_dir(bin)?)) else {
        return Vec::new();
    };
    let mut all: Vec<Binned> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let entry = name.strip_suffix(".from")?.to_string();
            // A note that is a link could show any file's text.
            if !real_file(&e.path()) {
                return None;
            }
            let from = std::fs::read_to_string(e.path()).ok()?;
            Some(Binned { from, entry })
        })
        .collect();
    all.sort_by(|a, b| b.entry.cmp(&a.entry));
    all
}

/// A relative path that stays inside the folder it is joined to: plain
/// names only, no `..`, no root, no drive.
fn inside(rel: &str) -> Result<PathBuf, BinError> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(path.to_path_buf())
    } else {
        Err(BinError::Outside(rel.to_string()))
    }
}

fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_page_waits_in_the_bin_and_comes_back() {
        let root = tempfile::tempdir().unwrap();
        let page = root.path().join("content/news/trip");
        std::fs::create_dir_all(&page).unwrap();
        std::fs::write(page.join("index.md"), "+++\ntitle = \"Trip\"\n+++\n").unwrap();
        std::fs::write(page.join("photo.jpg"), "x").unwrap();
        let binned = discard(root.path(), "news/trip").unwrap();
        assert!(!page.exists());
        assert_eq!(list(root.path()), vec![binned.clone()]);
        restore(root.path(), &binned).unwrap();
        assert_eq!(
            std::fs::read_to_string(page.join("photo.jpg")).unwrap(),
            "x"
        );
        assert!(list(root.path()).is_empty());
    }

    #[test]
    fn nothing_outside_content_is_moved_and_nothing_is_overwritten() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("content/a")).unwrap();
        std::fs::write(root.path().join("config.toml"), "").unwrap();
        std::fs::write(root.path().join("content/a/index.md"), "one").unwrap();
        for rel in [
            "../config.toml",
            "/etc/passwd",
            "a/../../config.toml",
            "",
            "a\\..\\..\\x",
        ] {
            assert!(
                matches!(discard(root.path(), rel), Err(BinError::Outside(_))),
                "{rel}"
            );
        }
        assert!(matches!(
            discard(root.path(), "b.md"),
            Err(BinError::Missing(_))
        ));
        let binned = discard(root.path(), "a/index.md").unwrap();
        std::fs::write(root.path().join("content/a/index.md"), "two").unwrap();
        assert!(matches!(
            restore(root.path(), &binned),
            Err(BinError::Occupied(_))
        ));
        assert_eq!(
            std::fs::read_to_string(root.path().join("content/a/index.md")).unwrap(),
            "two"
        );
        let forged = Binned {
            from: "a/index.md".into(),
            entry: "../../..".into(),
        };
        assert!(matches!(
            restore(root.path(), &forged),
            Err(BinError::Outside(_))
        ));
    }

    #[test]
    fn an_entry_deleted_for_good_is_gone_and_nothing_else() {
        let root = tempfile::tempdir().unwrap();
        for page in ["a.md", "b.md"] {
            let path = root.path().join("content").join(page);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, page).unwrap();
        }
        std::fs::write(root.path().join("config.toml"), "kept").unwrap();
        let a = discard(root.path(), "a.md").unwrap();
        let b = discard(root.path(), "b.md").unwrap();
        for forged in ["..", "../..", "", "x/../..", &format!("{}/a.md", a.entry)] {
            assert!(delete_for_good(root.path(), forged).is_err(), "{forged}");
        }
        assert!(matches!(
            delete_for_good(root.path(), "20260101-000000-1"),
            Err(BinError::Missing(_))
        ));
        delete_for_good(root.path(), &a.entry).unwrap();
        assert_eq!(list(root.path()), vec![b]);
        assert!(!root.path().join(BIN_DIR).join(&a.entry).exists());
        assert!(root.path().join("config.toml").exists());
        // Asked twice (a form posted twice): the second finds nothing.
        assert!(matches!(
            delete_for_good(root.path(), &a.entry),
            Err(BinError::Missing(_))
        ));
    }

    /// Links put into the bin by hand (or by someone else on the computer)
    /// are never followed: nothing outside the bin is brought into
    /// `content/`, deleted, or shown.
    #[cfg(unix)]
    #[test]
    fn links_in_the_bin_are_never_followed() {
        use std::os::unix::fs::symlink;
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "not the school's").unwrap();
        std::fs::create_dir_all(root.path().join("content")).unwrap();
        let bin = root.path().join(BIN_DIR);
        std::fs::create_dir_all(&bin).unwrap();
        // An entry that is a link to a folder elsewhere.
        symlink(outside.path(), bin.join("20990101-000000-5")).unwrap();
        std::fs::write(bin.join("20990101-000000-5.from"), "secret.txt").unwrap();
        let forged = Binned {
            from: "secret.txt".into(),
            entry: "20990101-000000-5".into(),
        };
        assert!(matches!(
            restore(root.path(), &forged),
            Err(BinError::NotTheBin(_))
        ));
        assert!(!root.path().join("content/secret.txt").exists());
        // Deleting it removes the link, not what it points to.
        delete_for_good(root.path(), &forged.entry).unwrap();
        assert!(outside.path().join("secret.txt").exists());
        assert!(std::fs::symlink_metadata(bin.join(&forged.entry)).is_err());
        // A note that is a link shows nothing.
        symlink(outside.path().join("secret.txt"), bin.join("x-1.from")).unwrap();
        assert!(list(root.path()).is_empty());
        // The bin itself a link: nothing is listed, deleted or restored.
        std::fs::remove_dir_all(&bin).unwrap();
        std::fs::create_dir_all(outside.path().join("victim")).unwrap();
        std::fs::write(outside.path().join("victim.from"), "a.md").unwrap();
        symlink(outside.path(), &bin).unwrap();
        assert!(list(root.path()).is_empty());
        assert!(matches!(
            delete_for_good(root.path(), "victim"),
            Err(BinError::NotTheBin(_))
        ));
        assert!(outside.path().join("victim").exists());
        std::fs::write(root.path().join("content/a.md"), "page").unwrap();
        assert!(matches!(
            discard(root.path(), "a.md"),
            Err(BinError::NotTheBin(_))
        ));
        assert!(root.path().join("content/a.md").exists());
    }

    #[test]
    fn deletions_at_the_same_moment_get_entries_of_their_own() {
        // Sixteen at once, as two people (or a double click) might: each
        // claims its entry with create_dir, so none is shared, and
        // restoring one never takes another with it.
        let root = tempfile::tempdir().unwrap();
        let pages: Vec<String> = (0..16).map(|i| format!("p{i}.md")).collect();
        for page in &pages {
            let path = root.path().join("content").join(page);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, page).unwrap();
        }
        let binned: Vec<Binned> = std::thread::scope(|s| {
            let handles: Vec<_> = pages
                .iter()
                .map(|p| s.spawn(|| discard(root.path(), p).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let entries: std::collections::HashSet<_> = binned.iter().map(|b| &b.entry).collect();
        assert_eq!(entries.len(), pages.len());
        assert_eq!(list(root.path()).len(), pages.len());
        restore(root.path(), &binned[0]).unwrap();
        for b in &binned[1..] {
            restore(root.path(), b).unwrap();
            let back = root.path().join("content").join(&b.from);
            assert_eq!(std::fs::read_to_string(back).unwrap(), b.from);
        }
    }
}
