//! A cache of processed images, so a rebuild after editing one page does
//! not decode and resize every photo again.
//!
//! An entry is one file named by a hash of the input bytes and every
//! setting that affects the output. It holds a small header, the files'
//! descriptions and their bytes, and a BLAKE3 checksum of all of it: an
//! entry that fails the checksum (a crash mid-copy, a disk error, an edit)
//! is ignored and rebuilt. Entries are written to a temporary file and
//! renamed into place, so a reader never sees half an entry.

use super::{CleanFile, DocumentContents, Faces, Kind, Processed, Removed};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"SSCACHE1";

/// The cache directory (conventionally `.schoolsite/cache` in the site).
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    kind: Kind,
    width: u32,
    height: u32,
    removed: Vec<Removed>,
    files: Vec<FileEntry>,
    faces: Option<Faces>,
    #[serde(default)]
    contents: Option<DocumentContents>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FileEntry {
    kind: Kind,
    width: u32,
    height: u32,
    orientation: u16,
    len: usize,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(format!("{key}.bin"))
    }

    /// The entry for `key`, if present and intact.
    pub(super) fn get(&self, key: &str) -> Option<Processed> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        decode(&bytes)
    }

    /// Stores an entry. Failing to write the cache never fails a build:
    /// the next build simply does the work again.
    pub(super) fn put(&self, key: &str, processed: &Processed) {
        let path = self.path(key);
        let Some(parent) = path.parent() else { return };
        if std::fs::create_dir_all(parent).is_err() {
            return;
        }
        let tmp = parent.join(format!(
            ".{key}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = std::fs::write(&tmp, encode(processed)).is_ok();
        if !written || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

fn encode(p: &Processed) -> Vec<u8> {
    let manifest = Manifest {
        kind: p.kind,
        width: p.width,
        height: p.height,
        removed: p.removed.clone(),
        files: p
            .renditions
            .iter()
            .map(|f| FileEntry {
                kind: f.kind,
                width: f.width,
                height: f.height,
                orientation: f.orientation,
                len: f.bytes.len(),
            })
            .collect(),
        faces: p.faces.clone(),
        contents: p.contents.clone(),
    };
    let json = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut body = Vec::new();
    body.extend_from_slice(&(json.len() as u64).to_le_bytes());
    body.extend_from_slice(&json);
    for f in &p.renditions {
        body.extend_from_slice(&f.bytes);
    }
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(blake3::hash(&body).as_bytes());
    out.extend_from_slice(&body);
    out
}

fn decode(bytes: &[u8]) -> Option<Processed> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (sum, body) = rest.split_at_checked(32)?;
    if blake3::hash(body).as_bytes() != sum {
        return None;
    }
    let (len, body) = body.split_at_checked(8)?;
    let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
    let (json, mut data) = body.split_at_checked(len)?;
    let manifest: Manifest = serde_json::from_slice(json).ok()?;
    let mut renditions = Vec::with_capacity(manifest.files.len());
    for f in manifest.files {
        let (file, rest) = data.split_at_checked(f.len)?;
        data = rest;
        renditions.push(CleanFile {
            bytes: file.to_vec(),
            kind: f.kind,
            width: f.width,
            height: f.height,
            orientation: f.orientation,
            removed: Vec::new(),
            spool: None,
        });
    }
    if !data.is_empty() || renditions.is_empty() {
        return None;
    }
    Some(Processed {
        kind: manifest.kind,
        width: manifest.width,
        height: manifest.height,
        removed: manifest.removed,
        renditions,
        faces: manifest.faces,
        contents: manifest.contents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Processed {
        Processed {
            kind: Kind::Jpeg,
            width: 4,
            height: 3,
            removed: vec![Removed {
                what: "EXIF metadata".into(),
                bytes: 10,
                found: vec!["GPS position".into()],
            }],
            renditions: vec![CleanFile {
                bytes: b"pretend jpeg".to_vec(),
                kind: Kind::Jpeg,
                width: 4,
                height: 3,
                orientation: 6,
                removed: Vec::new(),
                spool: None,
            }],
            faces: Some(Faces {
                width: 4,
                height: 3,
                sizes: vec![3, 2, 1],
            }),
            contents: None,
        }
    }

    #[test]
    fn round_trips_and_detects_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = "abcdef0123";
        assert!(cache.get(key).is_none());
        cache.put(key, &sample());
        let back = cache.get(key).expect("entry");
        assert_eq!(back.renditions[0].bytes, b"pretend jpeg");
        assert_eq!(back.renditions[0].orientation, 6);
        assert_eq!(back.removed, sample().removed);
        assert_eq!(back.faces, sample().faces);
        assert_eq!(back.faces(), Some(3));

        // Flip one byte anywhere: the entry is no longer trusted.
        let path = cache.path(key);
        let good = std::fs::read(&path).unwrap();
        for i in [0, 10, 45, good.len() - 1] {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            std::fs::write(&path, &bad).unwrap();
            assert!(cache.get(key).is_none(), "corruption at {i} accepted");
        }
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        assert!(cache.get(key).is_none());
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
