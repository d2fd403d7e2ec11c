//! Reading a file for the sanitiser with memory bounded whatever it is.
//!
//! A file is opened, its first bytes read and sniffed, and a file of a
//! kind that cannot be published is refused there, without reading more;
//! a file of a kind that can has its size checked against the limit for
//! that kind before the rest is read. Video and audio are never read
//! here: they are cleaned from a memory map ([`super::spool_clip`]), with
//! their own size limit (`[video] max_size_mb`).
//!
//! Only ordinary files are read: a pipe or a device (a link to
//! `/dev/zero`, a FIFO) would hang the build or never end.

use super::{Kind, MEGABYTES, Refusal, sniff};
use std::io::Read;
use std::path::Path;

/// How many bytes are read to decide what a file is: enough for every
/// test [`sniff`] makes (an Office file's parts are looked for in the
/// first 64 KB).
pub const HEAD: usize = 64 * 1024;

/// The most a captions file may hold: a two-hour film's captions are
/// about 150 KB.
pub const MAX_CAPTIONS_BYTES: u64 = 10_000_000;

/// The most a theme's stylesheet, script, font or text file may hold.
pub const MAX_THEME_FILE_BYTES: u64 = 20_000_000;

/// Size limits, in bytes, by kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// JPEG, PNG, GIF and WebP images (`[images] max_file_mb`).
    pub image: u64,
    /// PDF documents (`[documents] max_size_mb`).
    pub document: u64,
    /// Captions (WebVTT, SubRip).
    pub captions: u64,
    /// A theme's own stylesheets, scripts, fonts and text files.
    pub theme_file: u64,
}

impl From<&crate::config::Config> for Limits {
    fn from(config: &crate::config::Config) -> Self {
        Limits {
            image: config.images.max_file_mb.saturating_mul(1_000_000),
            document: config.documents.max_size_mb.saturating_mul(1_000_000),
            captions: MAX_CAPTIONS_BYTES,
            theme_file: MAX_THEME_FILE_BYTES,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            image: crate::config::Images::default()
                .max_file_mb
                .saturating_mul(1_000_000),
            document: crate::config::Documents::default()
                .max_size_mb
                .saturating_mul(1_000_000),
            captions: MAX_CAPTIONS_BYTES,
            theme_file: MAX_THEME_FILE_BYTES,
        }
    }
}

/// A file as [`read_checked`] leaves it.
#[derive(Debug)]
pub enum Input {
    /// Read whole, within its kind's limit.
    Read { kind: Kind, bytes: Vec<u8> },
    /// Video or audio, not read: to be cleaned from a memory map.
    Clip { kind: Kind, size: u64 },
}

/// What [`read_checked_into`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// The whole file is in the buffer.
    Read(Kind),
    /// Video or audio: only its first bytes were read.
    Clip { kind: Kind, size: u64 },
}

/// Opens a content file for the sanitiser: refuses a kind that cannot be
/// published, or a file over its kind's size limit, from its first bytes;
/// reads the rest only then.
pub fn read_checked(path: &Path, limits: &Limits) -> Result<Input, Refusal> {
    let mut bytes = Vec::new();
    Ok(
        match read_checked_into(path, limits, &mut bytes, Mode::Content)? {
            Opened::Read(kind) => Input::Read { kind, bytes },
            Opened::Clip { kind, size } => Input::Clip { kind, size },
        },
    )
}

/// Reads a theme's static file: images and documents as
/// [`read_checked`] does; anything else (stylesheets, scripts, fonts,
/// text, which the theme checks by name) whole up to
/// [`Limits::theme_file`].
pub fn read_theme_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::new();
    read_checked_into(path, limits, &mut bytes, Mode::Theme)?;
    Ok(bytes)
}

/// Whose file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A content file: only what the sanitiser publishes is read.
    Content,
    /// A theme's file: what is not an image or a document is read as an
    /// inert file, for the theme's own check by name.
    Theme,
}

/// [`read_checked`] into a buffer the caller keeps (cleared first), so
/// a worker cleaning many files reuses its memory.
pub fn read_checked_into(
    path: &Path,
    limits: &Limits,
    buffer: &mut Vec<u8>,
    mode: Mode,
) -> Result<Opened, Refusal> {
    buffer.clear();
    let (mut file, size) = open_ordinary(path).map_err(|e| match e {
        Open::Io(e) => Refusal::Unreadable(e.to_string()),
        Open::NotAFile => not_a_file(),
    })?;
    read_up_to(&mut file, HEAD as u64, buffer).map_err(unreadable)?;
    let kind = sniff(buffer);
    let (limit, format) = match kind {
        Kind::Jpeg | Kind::Png | Kind::Gif | Kind::WebP => (limits.image, kind.short_name()),
        Kind::Pdf => (limits.document, kind.short_name()),
        _ if mode == Mode::Theme => (limits.theme_file, "theme file"),
        kind if kind.is_video_or_audio() => return Ok(Opened::Clip { kind, size }),
        kind if kind.is_captions() => (limits.captions, kind.short_name()),
        Kind::Empty => return Err(Refusal::Empty),
        Kind::Unknown => return Err(Refusal::Unknown),
        other => {
            return Err(Refusal::Unsupported {
                format: other.name(),
                fix: other.conversion_hint(),
            });
        }
    };
    let too_big = || Refusal::TooComplex {
        format,
        what: MEGABYTES,
        limit: limit / 1_000_000,
    };
    if size > limit {
        return Err(too_big());
    }
    // The size was checked from the open file; a file that grows while it
    // is read is still never read past the limit.
    buffer.reserve(
        usize::try_from(size)
            .unwrap_or(0)
            .saturating_sub(buffer.len()),
    );
    let left = (limit + 1).saturating_sub(buffer.len() as u64);
    read_up_to(&mut file, left, buffer).map_err(unreadable)?;
    if buffer.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(Opened::Read(kind))
}

fn unreadable(e: std::io::Error) -> Refusal {
    Refusal::Unreadable(e.to_string())
}

fn not_a_file() -> Refusal {
    Refusal::Unsupported {
        format: "not an ordinary file (a pipe, a device or a folder)",
        fix: "replace it with the real file",
    }
}

/// Why a file was not opened.
#[derive(Debug)]
pub enum Open {
    Io(std::io::Error),
    /// A pipe, a device, a socket or a folder: reading it could hang or
    /// never end.
    NotAFile,
}

/// Opens an ordinary file (following links), with its size. A pipe is
/// never opened: opening one waits for a writer.
pub fn open_ordinary(path: &Path) -> Result<(std::fs::File, u64), Open> {
    let meta = std::fs::metadata(path).map_err(Open::Io)?;
    if !meta.is_file() {
        return Err(Open::NotAFile);
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should the file be swapped for a pipe after the check above,
        // opening it does not wait for a writer.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(Open::Io)?;
    let meta = file.metadata().map_err(Open::Io)?;
    if !meta.is_file() {
        return Err(Open::NotAFile);
    }
    Ok((file, meta.len()))
}

/// Appends at most `n` more bytes of `file` to `buffer`.
fn read_up_to(file: &mut std::fs::File, n: u64, buffer: &mut Vec<u8>) -> std::io::Result<()> {
    file.take(n).read_to_end(buffer).map(|_| ())
}

/// Why [`read_text`] read nothing.
#[derive(Debug)]
pub enum TextError {
    Io(std::io::Error),
    /// Not an ordinary file (a pipe, a device, a folder).
    NotAFile,
    /// Larger than the limit given (the file's size in bytes).
    TooBig(u64),
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Io(e) => e.fmt(f),
            TextError::NotAFile => {
                f.write_str("it is not an ordinary file (a pipe, a device or a folder)")
            }
            TextError::TooBig(size) => write!(f, "it is {}", super::human_bytes(*size)),
        }
    }
}

/// Reads a text file of the site (a page, the config, a declaration, a
/// template) whole, if it is an ordinary file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<Vec<u8>, TextError> {
    let (mut file, size) = open_ordinary(path).map_err(|e| match e {
        Open::Io(e) => TextError::Io(e),
        Open::NotAFile => TextError::NotAFile,
    })?;
    if size > limit {
        return Err(TextError::TooBig(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    read_up_to(&mut file, limit + 1, &mut bytes).map_err(TextError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(TextError::TooBig(bytes.len() as u64));
    }
    Ok(bytes)
}

/// How to fix a [`Refusal::TooComplex`].
pub(super) fn fix(refusal: &Refusal) -> String {
    let Refusal::TooComplex { format, what, .. } = refusal else {
        return refusal.fix();
    };
    match (*format, *what) {
        ("PDF", MEGABYTES) => "export it again with its pictures at a lower resolution (for example 150 dpi, or \"Reduce file size\"), or split it into smaller documents (a site can raise max_size_mb in [documents] in config.toml)".to_string(),
        ("PDF", super::resize::DECODED) => "export it again with its pictures at a lower resolution (for example 150 dpi, or \"Reduce file size\"): every picture in it is looked at for faces".to_string(),
        ("PDF", "pages") => "split it into smaller documents, each one a reader would open on its own".to_string(),
        ("PDF", _) => "open it in the program that made it and save or export it as a PDF again (for example \"Save as\" > PDF, or \"Reduce file size\"); if it still fails, print it to PDF".to_string(),
        (super::mp4::FORMAT, _) => "share or export the clip again from the phone or camera as MP4, or split it into shorter clips".to_string(),
        ("theme file", _) => "use the file as its publisher made it (a stylesheet, script or font is far smaller than this), or remove it from the theme".to_string(),
        ("captions file", _) => "check it is the captions for this clip, and export them again from the captioning program".to_string(),
        (_, super::faces::FRAME_CANVAS) => "make the animation smaller (for example 800 pixels on the long edge): every frame is looked at for faces".to_string(),
        (_, super::resize::DECODED) => "export it again with 8 bits a channel (not 16), or at a smaller size (for example 1600 pixels on the long edge)".to_string(),
        (_, MEGABYTES) => "export it again at a smaller size (for example as a JPEG 1600 pixels on the long edge) from a photo editor (a site can raise max_file_mb in [images] in config.toml)".to_string(),
        _ => "open the original in a photo editor and export it again as JPEG or PNG".to_string(),
    }
}
