//! A file uploaded in the studio, checked before anything is written:
//! its name must be a plain file name, its bytes must be a kind the site
//! can publish and clean through the build's own sanitiser, and then it
//! is saved beside the page under a neutral name (the uploaded name is
//! often a child's name: `amelia-sports-day.jpg`), never over a file
//! already there. A refused upload leaves nothing behind.

use crate::media::{self, Kind, Refusal, Settings};
use std::io::Write as _;
use std::path::{Component, Path};

/// Why an upload was not saved.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("\"{0}\" is not a file name (it has a folder in it)")]
    BadName(String),
    #[error("\"{0}\" is not a folder inside content/")]
    BadFolder(String),
    #[error("it is {} MB, more than the {} MB the site takes for a file of this kind (config.toml's [images] max_file_mb, [documents] max_size_mb or [video] max_size_mb)", .size / 1_000_000, .limit / 1_000_000)]
    TooBig { size: u64, limit: u64 },
    #[error("{0}")]
    Refused(Refusal),
    #[error("it could not be saved: {0}")]
    Io(#[from] std::io::Error),
}

impl UploadError {
    /// What to do about it, in words for the member of staff.
    pub fn fix(&self) -> String {
        match self {
            UploadError::BadName(_) | UploadError::BadFolder(_) => {
                "choose the file again from your computer".to_string()
            }
            UploadError::TooBig { .. } => {
                "make it smaller first (a photo 1600 pixels on its long edge, a clip trimmed or exported at 720p)".to_string()
            }
            UploadError::Refused(r) => r.fix(),
            UploadError::Io(_) => "check there is room on the disk, then try again".to_string(),
        }
    }
}

/// A saved upload: its path under `content/` and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub path: String,
    pub kind: Kind,
    /// The same bytes were already there under this name (the form was
    /// posted twice, or the photo added again): nothing was written.
    pub already: bool,
}

/// Checks `bytes` (uploaded as `name`) and saves them in the content
/// folder `folder` (relative to `content/`, "" for its top).
pub fn accept(
    content: &Path,
    folder: &str,
    name: &str,
    bytes: &[u8],
    limit: u64,
    settings: &Settings,
) -> Result<Saved, UploadError> {
    check_names(name, folder)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(UploadError::TooBig { size, limit });
    }
    // The build's own check: what it refuses, the studio refuses now.
    let clean = media::sanitise(bytes, settings).map_err(UploadError::Refused)?;
    let dir = content.join(folder);
    std::fs::create_dir_all(&dir)?;
    let mut tmp = received_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let kind = media::sniff(bytes);
    place(
        folder,
        tmp,
        neutral_stem(clean.kind(), blake3::hash(bytes)),
        kind,
    )
}

/// A temporary file in `dir` for an upload as it arrives: a dot-file,
/// which the build and the studio's watch pass over, removed unless it
/// is kept under its checked name.
pub fn received_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    super::scratch::Scratch::Upload.create_in(dir)
}

/// Checks the upload received whole into `received` (from
/// [`received_in`] in the content folder `folder`) as the build reads a
/// file: its kind from its first bytes and its size against that kind's
/// limit before more is read, a clip cleaned from disk to disk, never
/// held in memory. Then it is kept under a neutral name.
pub fn accept_file(
    folder: &str,
    name: &str,
    received: tempfile::NamedTempFile,
    limits: &media::Limits,
    clips: u64,
    settings: &Settings,
) -> Result<Saved, UploadError> {
    check_names(name, folder)?;
    let path = received.path().to_path_buf();
    // What it is cleaned as (for its name), and what it is (its
    // extension), as `accept` names them.
    let (cleaned, kind) = match media::read_checked(&path, limits) {
        Ok(media::Input::Clip { size, .. }) if size > clips => {
            return Err(UploadError::TooBig { size, limit: clips });
        }
        Ok(media::Input::Clip { kind, .. }) => {
            let scratch = tempfile::tempdir()?;
            media::spool_clip(&path, &scratch.path().join("clean"), settings)
                .map_err(UploadError::Refused)?;
            (kind, kind)
        }
        Ok(media::Input::Read { bytes, kind }) => {
            let clean = media::sanitise(&bytes, settings).map_err(UploadError::Refused)?;
            (clean.kind(), kind)
        }
        Err(media::Refusal::TooComplex { what, limit, .. }) if what == media::MEGABYTES => {
            let size = std::fs::metadata(&path)?.len();
            return Err(UploadError::TooBig {
                size,
                limit: limit.saturating_mul(1_000_000),
            });
        }
        Err(refusal) => return Err(UploadError::Refused(refusal)),
    };
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(&path)?)?;
    place(
        folder,
        received,
        neutral_stem(cleaned, hasher.finalize()),
        kind,
    )
}

/// Refuses an uploaded name with a folder in it and a folder that is not
/// plainly inside `content/`.
fn check_names(name: &str, folder: &str) -> Result<(), UploadError> {
    if name.is_empty()
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || name.starts_with('.')
    {
        return Err(UploadError::BadName(name.to_string()));
    }
    let plain = folder.is_empty()
        || (!folder.contains('\\')
            && Path::new(folder)
                .components()
                .all(|c| matches!(c, Component::Normal(_))));
    if plain {
        Ok(())
    } else {
        Err(UploadError::BadFolder(folder.to_string()))
    }
}

/// Keeps `tmp` (in the content folder `folder`) as `stem.ext`, or
/// `stem-2.ext`… when another file has that name; when the same bytes
/// are already there under it, that file is the upload and `tmp` goes.
fn place(
    folder: &str,
    mut tmp: tempfile::NamedTempFile,
    stem: String,
    kind: Kind,
) -> Result<Saved, UploadError> {
    let dir = tmp
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let ext = kind.extension();
    let mut n = 1;
    loop {
        let file = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        n += 1;
        let saved = |already| Saved {
            path: if folder.is_empty() {
                file.clone()
            } else {
                format!("{folder}/{file}")
            },
            kind,
            already,
        };
        match tmp.persist_noclobber(dir.join(&file)) {
            Ok(_) => return Ok(saved(false)),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                // The temporary file is removed when dropped.
                if same_file(&dir.join(&file), e.file.path()) {
                    return Ok(saved(true));
                }
                tmp = e.file;
            }
            Err(e) => return Err(UploadError::Io(e.error)),
        }
    }
}

/// Whether the files at `a` and `b` hold the same bytes (read only when
/// their sizes match).
fn same_file(a: &Path, b: &Path) -> bool {
    let hash = |p: &Path| -> std::io::Result<blake3::Hash> {
        let mut hasher = blake3::Hasher::new();
        hasher.update_reader(std::fs::File::open(p)?)?;
        Ok(hasher.finalize())
    };
    let len = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    };
    len(a).is_some() && len(a) == len(b) && matches!((hash(a), hash(b)), (Ok(x), Ok(y)) if x == y)
}

/// "photo-3f2a9c1b", "document-…", "clip-…": what it is and a short
/// hash of its bytes, never the uploaded name.
fn neutral_stem(kind: Kind, hash: blake3::Hash) -> String {
    let what = if kind.is_video_or_audio() {
        "clip"
    } else if kind == Kind::Pdf {
        "document"
    } else if kind.is_captions() {
        "captions"
    } else {
        "photo"
    };
    let hex = hash.to_hex();
    format!("{what}-{}", &hex[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let mut out = Vec::new();
        image::write_buffer_with_format(
            &mut std::io::Cursor::new(&mut out),
            &[200u8; 3 * 4 * 4],
            4,
            4,
            image::ExtendedColorType::Rgb8,
            image::ImageFormat::Png,
        )
        .unwrap();
        out
    }

    #[test]
    fn a_photo_is_saved_under_a_neutral_name_beside_the_page() {
        let content = tempfile::tempdir().unwrap();
        let saved = accept(
            content.path(),
            "news/trip",
            "amelia-featherstonehaugh.png",
            &png(),
            10_000_000,
            &Settings::default(),
        )
        .unwrap();
        assert!(
            saved.path.starts_with("news/trip/photo-") && saved.path.ends_with(".png"),
            "{saved:?}"
        );
        assert!(!saved.path.contains("amelia"));
        assert_eq!(
            std::fs::read(content.path().join(&saved.path)).unwrap(),
            png()
        );
        assert!(!saved.already);
        // The same photo again (a form posted twice): the same file,
        // nothing more written.
        let again = accept(
            content.path(),
            "news/trip",
            "x.png",
            &png(),
            10_000_000,
            &Settings::default(),
        )
        .unwrap();
        assert_eq!(again.path, saved.path);
        assert!(again.already);
        // Another file that happens to have that name: kept, and the
        // upload gets a second name.
        let taken = content.path().join(&saved.path);
        std::fs::write(&taken, b"something else").unwrap();
        let third = accept(
            content.path(),
            "news/trip",
            "x.png",
            &png(),
            10_000_000,
            &Settings::default(),
        )
        .unwrap();
        assert_ne!(third.path, saved.path);
        assert_eq!(std::fs::read(&taken).unwrap(), b"something else");
        assert_eq!(
            std::fs::read_dir(content.path().join("news/trip"))
                .unwrap()
                .count(),
            2
        );
    }

    /// An upload received into a temporary file in `dir`, as the server
    /// receives one.
    fn received(dir: &Path, bytes: &[u8]) -> tempfile::NamedTempFile {
        std::fs::create_dir_all(dir).unwrap();
        let mut tmp = received_in(dir).unwrap();
        tmp.write_all(bytes).unwrap();
        tmp
    }

    /// Ten MPEG-1 layer III frames: a recording with nothing to clean.
    fn mp3() -> Vec<u8> {
        (0..10u8)
            .flat_map(|seed| {
                let mut f = vec![0xFF, 0xFB, 0x90, 0x64];
                f.extend((0..413u32).map(|i| ((i.wrapping_mul(37) as u8) ^ seed) | 1));
                f
            })
            .collect()
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_received_on_disk_is_checked_as_the_build_reads_it() {
        let content = tempfile::tempdir().unwrap();
        let dir = content.path().join("news");
        let limits = media::Limits::default();
        let s = Settings::default();
        let photo = accept_file(
            "news",
            "amelia.png",
            received(&dir, &png()),
            &limits,
            1_000_000,
            &s,
        )
        .unwrap();
        assert!(photo.path.starts_with("news/photo-") && photo.path.ends_with(".png"));
        let again = accept_file(
            "news",
            "x.png",
            received(&dir, &png()),
            &limits,
            1_000_000,
            &s,
        )
        .unwrap();
        assert_eq!(
            (again.path.as_str(), again.already),
            (photo.path.as_str(), true)
        );
        // A recording is cleaned from disk, and named as one.
        let clip = accept_file(
            "news",
            "song.mp3",
            received(&dir, &mp3()),
            &limits,
            1_000_000,
            &s,
        )
        .unwrap();
        assert!(
            clip.path.starts_with("news/clip-") && clip.path.ends_with(".mp3"),
            "{clip:?}"
        );
        assert_eq!(files(&dir).len(), 2, "{:?}", files(&dir));
        // Over its kind's limit: a clip over the clips' limit, a photo
        // over the photos'; a HEIC; a name with a folder. Nothing stays.
        let small = media::Limits {
            image: 1_000_000,
            ..media::Limits::default()
        };
        let mut big = png();
        big.resize(1_100_000, 0);
        let refused = [
            accept_file("news", "song.mp3", received(&dir, &mp3()), &limits, 100, &s),
            accept_file("news", "a.png", received(&dir, &big), &small, 1_000_000, &s),
            accept_file(
                "news",
                "IMG.HEIC",
                received(
                    &dir,
                    &[&b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"[..], &[0; 64]].concat(),
                ),
                &limits,
                1_000_000,
                &s,
            ),
            accept_file(
                "news",
                "../x.png",
                received(&dir, &png()),
                &limits,
                1_000_000,
                &s,
            ),
        ];
        assert!(
            matches!(refused[0], Err(UploadError::TooBig { limit: 100, .. })),
            "{:?}",
            refused[0]
        );
        assert!(
            matches!(
                refused[1],
                Err(UploadError::TooBig {
                    limit: 1_000_000,
                    ..
                })
            ),
            "{:?}",
            refused[1]
        );
        assert!(
            matches!(refused[2], Err(UploadError::Refused(_))),
            "{:?}",
            refused[2]
        );
        assert!(
            matches!(refused[3], Err(UploadError::BadName(_))),
            "{:?}",
            refused[3]
        );
        assert_eq!(files(&dir).len(), 2, "{:?}", files(&dir));
    }

    #[test]
    fn what_cannot_be_published_writes_nothing() {
        let content = tempfile::tempdir().unwrap();
        let s = Settings::default();
        for name in [
            "../../config.toml",
            "a/b.png",
            "",
            ".hidden.png",
            "a\\b.png",
        ] {
            assert!(
                matches!(
                    accept(content.path(), "news", name, &png(), 10_000_000, &s),
                    Err(UploadError::BadName(_))
                ),
                "{name}"
            );
        }
        for folder in ["../consent", "/etc", "news/../../x"] {
            assert!(
                matches!(
                    accept(content.path(), folder, "a.png", &png(), 10_000_000, &s),
                    Err(UploadError::BadFolder(_))
                ),
                "{folder}"
            );
        }
        assert!(matches!(
            accept(content.path(), "news", "a.png", &png(), 10, &s),
            Err(UploadError::TooBig { .. })
        ));
        let word = b"PK\x03\x04[Content_Types].xml word/document.xml".to_vec();
        let refused =
            accept(content.path(), "news", "letter.docx", &word, 10_000_000, &s).unwrap_err();
        assert!(matches!(refused, UploadError::Refused(_)), "{refused:?}");
        let heic = [&b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"[..], &[0; 64]].concat();
        let refused = accept(
            content.path(),
            "news",
            "IMG_0001.HEIC",
            &heic,
            10_000_000,
            &s,
        )
        .unwrap_err();
        assert!(refused.to_string().contains("HEIC"), "{refused}");
        assert!(!refused.fix().is_empty());
        assert_eq!(
            walkdir::WalkDir::new(content.path())
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .count(),
            0
        );
    }
}
