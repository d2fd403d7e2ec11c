//! The studio's temporary files in `content/`: an upload as it arrives,
//! and a page or `photos.toml` being written before it is swapped in.
//! Each is a dot-file, which the build's loader passes over
//! ([`crate::content::is_hidden`]), so a half-written one is never read
//! as content; one left behind by a studio that stopped mid-way (a
//! crash, the power) is removed the next time the studio starts.
//!
//! Only names made here are ever removed: a prefix, exactly
//! [`RANDOM`] letters and digits, and a suffix, as [`is_scratch`] says.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How many random letters and digits each name has.
pub const RANDOM: usize = 10;

/// What a temporary file is for; each has its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scratch {
    /// An upload as it arrives: `.upload-XXXXXXXXXX`.
    Upload,
    /// A file being written: `.schoolsite-XXXXXXXXXX.tmp`.
    Write,
}

impl Scratch {
    const ALL: [Scratch; 2] = [Scratch::Upload, Scratch::Write];

    fn prefix(self) -> &'static str {
        match self {
            Scratch::Upload => ".upload-",
            Scratch::Write => ".schoolsite-",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Scratch::Upload => "",
            Scratch::Write => ".tmp",
        }
    }

    /// A new temporary file of this kind in `dir`, removed when dropped
    /// unless it is kept.
    pub fn create_in(self, dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
        tempfile::Builder::new()
            .prefix(self.prefix())
            .suffix(self.suffix())
            .rand_bytes(RANDOM)
            .tempfile_in(dir)
    }

    fn names(self, name: &str) -> bool {
        name.strip_prefix(self.prefix())
            .and_then(|rest| rest.strip_suffix(self.suffix()))
            .is_some_and(|random| {
                random.len() == RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
            })
    }
}

/// Whether `name` is one the studio gives its temporary files.
pub fn is_scratch(name: &str) -> bool {
    Scratch::ALL.iter().any(|s| s.names(name))
}

/// Removes the studio's temporary files under `content` last changed
/// before `started` (when this run of the studio began: a file changed
/// since may be another run's, still being written), and returns them.
/// Symbolic links are not followed; nothing else is touched.
pub fn remove_stale(content: &Path, started: SystemTime) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    // Not inside a hidden folder (`.git`): the studio writes beside
    // pages, and the loader reads no page from one.
    let visible = |e: &walkdir::DirEntry| {
        e.depth() == 0
            || !e.file_type().is_dir()
            || !e.file_name().to_str().is_none_or(crate::content::is_hidden)
    };
    for entry in walkdir::WalkDir::new(content)
        .follow_links(false)
        .into_iter()
        .filter_entry(visible)
        .filter_map(Result::ok)
    {
        let stale = entry.file_type().is_file()
            && entry.file_name().to_str().is_some_and(is_scratch)
            && entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .is_some_and(|changed| changed < started);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path().to_path_buf());
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_names_made_are_hidden_from_the_build_and_known_again() {
        let dir = tempfile::tempdir().unwrap();
        for kind in Scratch::ALL {
            let tmp = kind.create_in(dir.path()).unwrap();
            let name = tmp.path().file_name().unwrap().to_str().unwrap();
            assert!(crate::content::is_hidden(name), "{name}");
            assert!(is_scratch(name), "{name}");
        }
        // Near misses: names like them that the studio does not make.
        for name in [
            ".upload-",
            ".upload-abc",
            ".upload-abcdefghijk",
            ".upload-abcdefghi!",
            "upload-abcdefghij",
            ".schoolsite-abcdefghij",
            ".schoolsite-abcdefghij.tmp.jpg",
            ".upload-abcdefghij.jpg",
            "photos.toml",
        ] {
            assert!(!is_scratch(name), "{name}");
        }
    }

    #[test]
    fn only_the_studios_own_files_from_before_the_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("news/trip");
        std::fs::create_dir_all(&sub).unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        let make = |path: &Path, when: SystemTime| {
            let f = std::fs::File::create(path).unwrap();
            f.set_modified(when).unwrap();
        };
        let stale = sub.join(".upload-abcdefghij");
        let stale_write = dir.path().join(".schoolsite-0123456789.tmp");
        let other = sub.join(".upload-notes");
        let photo = sub.join("photo-1.jpg");
        // Named like one, but in a hidden folder the studio never writes to.
        std::fs::create_dir_all(dir.path().join(".git/objects")).unwrap();
        let in_git = dir.path().join(".git/objects/.upload-abcdefghij");
        for p in [&stale, &stale_write, &other, &photo, &in_git] {
            make(p, old);
        }
        let started = SystemTime::now() - Duration::from_secs(60);
        // Changed since the run started: perhaps another run's upload.
        let fresh = sub.join(".upload-zyxwvutsrq");
        make(&fresh, SystemTime::now());
        let mut removed = remove_stale(dir.path(), started);
        removed.sort();
        assert_eq!(removed, [stale_write.clone(), stale.clone()]);
        for kept in [&other, &photo, &fresh, &in_git] {
            assert!(kept.exists(), "{kept:?}");
        }
    }
}
