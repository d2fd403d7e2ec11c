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
    if name.is_empty()
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || name.starts_with('.')
    {
        return Err(UploadError::BadName(name.to_string()));
    }
    let plain = |rel: &str| {
        rel.is_empty()
            || (!rel.contains('\\')
                && Path::new(rel)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_))))
    };
    if !plain(folder) {
        return Err(UploadError::BadFolder(folder.to_string()));
    }
    let size = bytes.len() as u64;
    if size > limit {
        return Err(UploadError::TooBig { size, limit });
    }
    // The build's own check: what it refuses, the studio refuses now.
    let clean = media::sanitise(bytes, settings).map_err(UploadError::Refused)?;
    let dir = content.join(folder);
    std::fs::create_dir_all(&dir)?;
    let stem = neutral_stem(clean.kind(), bytes);
    let ext = media::sniff(bytes).extension();
    let mut tmp = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
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
            kind: media::sniff(bytes),
            already,
        };
        match tmp.persist_noclobber(dir.join(&file)) {
            Ok(_) => return Ok(saved(false)),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                // The temporary file is removed when dropped.
                if same_bytes(&dir.join(&file), bytes) {
                    return Ok(saved(true));
                }
                tmp = e.file;
            }
            Err(e) => return Err(UploadError::Io(e.error)),
        }
    }
}

/// Whether the file at `path` holds exactly `bytes` (read only when the
/// sizes match).
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == bytes)
}

/// The most an upload of these bytes may be, in bytes: the limit the
/// build reads that kind of file with (`[images] max_file_mb`,
/// `[documents] max_size_mb`, captions'), and for video and audio
/// `clips` (`[video] max_size_mb`). A kind the site does not publish has
/// the smallest, and is refused by the sanitiser anyway.
pub fn limit_for(bytes: &[u8], limits: &media::Limits, clips: u64) -> u64 {
    let kind = media::sniff(bytes);
    match kind {
        Kind::Jpeg | Kind::Png | Kind::Gif | Kind::WebP => limits.image,
        Kind::Pdf => limits.document,
        kind if kind.is_video_or_audio() => clips,
        kind if kind.is_captions() => limits.captions,
        _ => limits.image.min(limits.document).min(clips),
    }
}

/// "photo-3f2a9c1b", "document-…", "clip-…": what it is and a short
/// hash of its bytes, never the uploaded name.
fn neutral_stem(kind: Kind, bytes: &[u8]) -> String {
    let what = if kind.is_video_or_audio() {
        "clip"
    } else if kind == Kind::Pdf {
        "document"
    } else if kind.is_captions() {
        "captions"
    } else {
        "photo"
    };
    let hash = blake3::hash(bytes).to_hex();
    format!("{what}-{}", &hash[..8])
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

    #[test]
    fn each_kind_has_the_builds_own_size_limit() {
        let limits = media::Limits {
            image: 10,
            document: 20,
            captions: 30,
            theme_file: 40,
        };
        assert_eq!(limit_for(&png(), &limits, 50), 10);
        assert_eq!(limit_for(b"%PDF-1.4\n", &limits, 50), 20);
        assert_eq!(limit_for(b"WEBVTT\n\n", &limits, 50), 30);
        let mp4 = [&b"\0\0\0\x18ftypisom\0\0\0\0isommp41"[..], &[0; 64]].concat();
        assert_eq!(limit_for(&mp4, &limits, 50), 50);
        assert_eq!(limit_for(b"hello", &limits, 50), 10);
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
