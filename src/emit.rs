//! The one writer: builds the site in a staging folder beside `public/`
//! and swaps it in only when every file was written.
//!
//! It accepts only rendered pages and files that have been through the
//! sanitiser; both types can only be made by their stages, so nothing
//! unexamined can reach `public/`.

use crate::media::CleanFile;
use crate::render::RenderedPage;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const OUTPUT_DIR: &str = "public";

#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("two files would be written to {0}")]
    Collision(String),
    #[error("refusing to write to {0:?}: not a plain path inside public/")]
    BadPath(String),
}

enum Payload {
    Page(RenderedPage),
    File(Arc<CleanFile>),
}

/// One file of the published site.
pub struct Output {
    dest: String,
    payload: Payload,
}

impl Output {
    pub fn page(page: RenderedPage) -> Output {
        Output {
            dest: page.output().to_string(),
            payload: Payload::Page(page),
        }
    }

    /// A sanitised file, written at `dest` (relative to `public/`).
    pub fn file(dest: impl Into<String>, file: Arc<CleanFile>) -> Output {
        Output {
            dest: dest.into(),
            payload: Payload::File(file),
        }
    }

    pub fn dest(&self) -> &str {
        &self.dest
    }

    /// The size of what would be written.
    pub fn len(&self) -> u64 {
        match &self.payload {
            Payload::Page(p) => p.html().len() as u64,
            Payload::File(f) => f.len(),
        }
    }

    /// Whether it would be an empty file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `len` bytes of what would be written, from `start`: for `serve`,
    /// which serves the site from memory and never writes `public/`.
    pub fn read_range(&self, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
        match &self.payload {
            Payload::Page(p) => {
                let bytes = p.html().as_bytes();
                let from = usize::try_from(start).unwrap_or(usize::MAX);
                let to = from.saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
                bytes.get(from..to).map(<[u8]>::to_vec).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "the range is outside the page",
                    )
                })
            }
            Payload::File(f) => f.read_range(start, len),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Emitted {
    pub files: usize,
    pub bytes: u64,
    /// Every file written, sorted by path, with its size and BLAKE3
    /// hash: what the manifest records.
    pub written: Vec<Written>,
}

/// One file written to `public/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Relative to `public/`, with `/` separators.
    pub path: String,
    pub size: u64,
    /// BLAKE3 of the bytes, in hex.
    pub blake3: String,
}

/// Writes `outputs` to `root/public`, replacing what was there only if all
/// of them were written.
pub fn emit(root: &Path, outputs: &[Output]) -> Result<Emitted, EmitError> {
    let mut seen = HashSet::new();
    for o in outputs {
        // Apache's .htaccess is the one file whose name starts with a dot,
        // and only as a page the build wrote (`[robots] headers`): a
        // theme's or author's file of that name could change how the
        // server runs the site.
        let own_htaccess = o.dest == HTACCESS && matches!(o.payload, Payload::Page(_));
        if !is_plain(&o.dest) && !own_htaccess {
            return Err(EmitError::BadPath(o.dest.clone()));
        }
        if !seen.insert(o.dest.as_str()) {
            return Err(EmitError::Collision(o.dest.clone()));
        }
    }

    let public = root.join(OUTPUT_DIR);
    let staging = root.join(format!(".{OUTPUT_DIR}.staging-{}", std::process::id()));
    let result = write_all(&staging, outputs).and_then(|emitted| {
        swap(&staging, &public)?;
        Ok(emitted)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(staging: &Path, outputs: &[Output]) -> Result<Emitted, EmitError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EmitError::Io { path, source }
    };
    if staging.exists() {
        std::fs::remove_dir_all(staging).map_err(io(staging))?;
    }
    std::fs::create_dir_all(staging).map_err(io(staging))?;
    let dirs: HashSet<PathBuf> = outputs
        .iter()
        .filter_map(|o| Path::new(&o.dest).parent().map(Path::to_path_buf))
        .collect();
    // In parallel: on a slow or network file system each folder costs a
    // round trip. (`create_dir_all` copes with a parent made meanwhile.)
    dirs.par_iter().try_for_each(|d| {
        let full = staging.join(d);
        std::fs::create_dir_all(&full).map_err(io(&full))
    })?;
    let mut written = outputs
        .par_iter()
        .map(|o| {
            let path = staging.join(&o.dest);
            let (size, hash) = match &o.payload {
                Payload::Page(p) => {
                    let bytes = p.html().as_bytes();
                    std::fs::write(&path, bytes).map_err(io(&path))?;
                    (bytes.len() as u64, blake3::hash(bytes))
                }
                // A spooled clip is copied from disk, never read whole.
                Payload::File(f) => {
                    f.write_to(&path).map_err(io(&path))?;
                    (f.len(), f.hash())
                }
            };
            Ok(Written {
                path: o.dest.clone(),
                size,
                blake3: hash.to_hex().to_string(),
            })
        })
        .collect::<Result<Vec<Written>, EmitError>>()?;
    written.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Emitted {
        files: written.len(),
        bytes: written.iter().map(|w| w.size).sum(),
        written,
    })
}

/// Puts `staging` in place of `public`: the old tree is moved aside, the
/// new one renamed in, and the old one deleted. If the second rename
/// fails the old tree is put back.
fn swap(staging: &Path, public: &Path) -> Result<(), EmitError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EmitError::Io { path, source }
    };
    let old = public.with_file_name(format!(".{OUTPUT_DIR}.old-{}", std::process::id()));
    let had_old = public.exists();
    if had_old {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        std::fs::rename(public, &old).map_err(io(public))?;
    }
    if let Err(source) = std::fs::rename(staging, public) {
        if had_old {
            let _ = std::fs::rename(&old, public);
        }
        return Err(EmitError::Io {
            path: public.to_path_buf(),
            source,
        });
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// The header file for Apache that `[robots] headers` writes.
pub const HTACCESS: &str = ".htaccess";

/// A relative path of normal components only.
fn is_plain(dest: &str) -> bool {
    !dest.is_empty()
        && !dest.starts_with('/')
        && dest.split('/').all(|c| {
            !c.is_empty() && c != "." && c != ".." && !c.starts_with('.') && !c.contains('\\')
        })
}

#[cfg(test)]
mod tests {
    use super::is_plain;

    #[test]
    fn only_plain_paths() {
        assert!(is_plain("news/index.html"));
        assert!(!is_plain("../x"));
        assert!(!is_plain("/etc/x"));
        assert!(!is_plain("a/.git/x"));
        assert!(!is_plain(""));
    }
}
