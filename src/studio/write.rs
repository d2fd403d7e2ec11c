//! Writing a file the studio showed in a form: only if it is still what
//! the form was opened with (another person, an editor or a `git pull`
//! may have changed it since), and atomically, so a failed write leaves
//! the old file whole.

use std::io::Write as _;
use std::path::Path;

/// What a file was when a form showed it: the hash of its bytes, or
/// that it did not exist. Carried in the form as [`Version::token`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(Option<blake3::Hash>);

impl Version {
    /// The version of a file whose bytes are `bytes` (read once, so the
    /// version is of the very text shown).
    pub fn of_bytes(bytes: &[u8]) -> Version {
        Version(Some(blake3::hash(bytes)))
    }

    /// The file as it is now.
    pub fn of(path: &Path) -> std::io::Result<Version> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Version(Some(blake3::hash(&bytes)))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Version(None)),
            Err(e) => Err(e),
        }
    }

    /// The version as a form field: a hash, or `new` for no file.
    pub fn token(&self) -> String {
        self.0
            .map_or_else(|| "new".to_string(), |h| h.to_hex().to_string())
    }

    /// A version from a form field; `None` when it is not one.
    pub fn from_token(token: &str) -> Option<Version> {
        if token == "new" {
            return Some(Version(None));
        }
        blake3::Hash::from_hex(token).ok().map(|h| Version(Some(h)))
    }
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Someone changed it (or made it, or removed it) after the form was
    /// opened: nothing was written.
    #[error("it was changed by someone else after you opened it")]
    Changed,
    #[error("it could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes `bytes` to `path` if the file is still at `opened`: to a
/// temporary file beside it, flushed to disk, then renamed over it.
///
/// A file that already holds exactly `bytes` is left alone and counts as
/// written: a form posted twice (a double click, the browser's "resend")
/// saves once and is not mistaken for someone else's change.
pub fn write_if_unchanged(path: &Path, opened: &Version, bytes: &[u8]) -> Result<(), WriteError> {
    if Version::of(path)? != *opened {
        return match std::fs::read(path) {
            Ok(now) if now == bytes => Ok(()),
            _ => Err(WriteError::Changed),
        };
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = super::scratch::Scratch::Write.create_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // Looked at again just before the swap, with every other studio
    // write waiting: two saves of one file at once (two people, two
    // tabs) cannot both find it unchanged and the second overwrite the
    // first. Another program's change is missed only in the rename's own
    // window.
    let _one_at_a_time = SWAP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if Version::of(path)? != *opened {
        return Err(WriteError::Changed);
    }
    if opened.0.is_none() {
        // A new file: never put over one made meanwhile.
        tmp.persist_noclobber(path)
            .map_err(|e| match e.error.kind() {
                std::io::ErrorKind::AlreadyExists => WriteError::Changed,
                _ => WriteError::Io(e.error),
            })?;
    } else {
        tmp.persist(path).map_err(|e| WriteError::Io(e.error))?;
    }
    Ok(())
}

/// Held while a studio write checks its file and swaps it in.
static SWAP: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_when_unchanged_and_refuses_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("index.md");
        let new = Version::of(&page).unwrap();
        assert_eq!(new.token(), "new");
        write_if_unchanged(&page, &new, b"first").unwrap();
        // Written once: the form opened on "no file" is now stale.
        assert!(matches!(
            write_if_unchanged(&page, &new, b"again"),
            Err(WriteError::Changed)
        ));
        // The same form posted twice: saved once, not a conflict.
        write_if_unchanged(&page, &new, b"first").unwrap();
        assert_eq!(std::fs::read_to_string(&page).unwrap(), "first");
        let opened = Version::from_token(&Version::of(&page).unwrap().token()).unwrap();
        std::fs::write(&page, "changed in an editor").unwrap();
        assert!(matches!(
            write_if_unchanged(&page, &opened, b"mine"),
            Err(WriteError::Changed)
        ));
        assert_eq!(
            std::fs::read_to_string(&page).unwrap(),
            "changed in an editor"
        );
        let now = Version::of(&page).unwrap();
        write_if_unchanged(&page, &now, b"mine").unwrap();
        assert_eq!(std::fs::read_to_string(&page).unwrap(), "mine");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(Version::from_token("not a hash"), None);
    }

    #[test]
    fn saves_of_one_file_at_the_same_moment_keep_one_and_refuse_the_rest() {
        // Eight forms opened on the same version, saved at once: exactly
        // one is written; every other is told the file changed.
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("index.md");
        std::fs::write(&page, "opened").unwrap();
        let opened = Version::of(&page).unwrap();
        // Eight writes of `path` as opened at `version`, at once.
        let at_once = |path: &Path, version: &Version, text: &str| -> Vec<Result<(), WriteError>> {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..8)
                    .map(|i| {
                        s.spawn(move || {
                            write_if_unchanged(path, version, format!("{text} {i}").as_bytes())
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            })
        };
        let results = at_once(&page, &opened, "save");
        let written = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(written, 1, "{results:?}");
        assert!(
            results
                .iter()
                .filter(|r| r.is_err())
                .all(|r| matches!(r, Err(WriteError::Changed)))
        );
        let kept = std::fs::read_to_string(&page).unwrap();
        assert!(kept.starts_with("save "), "{kept}");
        // New files made at once: one is made, none is put over another.
        let new_page = dir.path().join("new.md");
        let new = Version::of(&new_page).unwrap();
        let made = at_once(&new_page, &new, "new");
        assert_eq!(made.iter().filter(|r| r.is_ok()).count(), 1, "{made:?}");
    }
}
