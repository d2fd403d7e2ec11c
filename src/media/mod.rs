//! The only gate for files: bytes in, clean bytes (plus what was removed)
//! out, or a refusal.
//!
//! The format is decided by the file's bytes, never its name, and looked
//! up in one table (in `format`): every format has one `strip`, returning
//! one result type, and what is not in the table is refused. A
//! [`CleanFile`] can only be made here, and the writer in `emit` accepts
//! nothing else for non-page files, so no unexamined byte reaches `public/`.
//!
//! A clean clip is too big to hold in memory: [`spool_clip`] writes it to
//! a path its caller gives (a build's `.schoolsite/spool/`, never
//! `public/`), and the writer in `emit` copies it from there like any
//! other [`CleanFile`].
//!
//! This module knows nothing of pages, consent or the command line.

mod audio;
mod bytes;
mod cache;
mod captions;
mod classify;
mod faces;
mod font;
mod format;
mod gif;
mod icc;
mod input;
mod jpeg;
mod metadata;
mod mp4;
mod pdf;
mod pixelate;
mod png;
mod rebuild;
mod resize;
mod riff;
mod webp;

pub use cache::Cache;
pub use classify::{Kind, SNIFF_BYTES, sniff};
pub use faces::{Faces, Outline, outlines};
pub use format::Plan;
use format::{Pieces, Shape, Stripped};
pub use input::{
    Input, Limits, Mode, Opened, TextError, read_checked, read_checked_into, read_text,
    read_theme_file,
};
pub use pdf::{MAX_PICTURE_PIXELS, MAX_PICTURES, MIN_PICTURE_SIDE, limits as pdf_limits};
pub use pixelate::Region;
pub use rebuild::rebuilt_because;
pub use resize::{Sizes, renditions};

/// What the sanitiser took out of a file, for the build report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Removed {
    /// What it was, in plain words ("EXIF metadata", "XMP metadata", …).
    pub what: String,
    /// How many bytes it took up.
    pub bytes: usize,
    /// What it held that matters for privacy ("GPS position", "1 face
    /// tag"), in plain words; empty when nothing specific was recognised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<String>,
}

/// Why a file could not be made safe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("it is {format}, which schoolsite cannot publish safely yet")]
    Unsupported {
        format: &'static str,
        fix: &'static str,
    },
    #[error("it is not a file type schoolsite knows how to make safe")]
    Unknown,
    #[error("it is an empty file")]
    Empty,
    #[error("it could not be read: {0}")]
    Unreadable(String),
    #[error("it looks like {} {format} but is damaged: {detail}", article(format))]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    #[error("it is {width}×{height} pixels, more than the limit of {limit} pixels")]
    TooLarge { width: u32, height: u32, limit: u64 },
    #[error(
        "it is {} MB, more than the {} MB the site publishes for a video or recording",
        size / 1_000_000,
        limit / 1_000_000
    )]
    TooBig { size: u64, limit: u64 },
    #[error("part of it must be blurred, and a {format} cannot be")]
    CannotBlur { format: &'static str },
    #[error(
        "it is an encrypted or password-protected {format}, so what is inside cannot be checked"
    )]
    Encrypted { format: &'static str },
    #[error(
        "it is an animation longer than schoolsite looks through for faces (more than {frames} frames, or {megapixels} million pixels in all its frames)"
    )]
    TooManyFrames { frames: usize, megapixels: u64 },
    #[error(
        "it is a PDF with more pictures than schoolsite looks through for faces (more than {pictures} pictures, or {megapixels} million pixels in all its pictures, or one picture over the size limit for images)"
    )]
    TooManyPictures { pictures: usize, megapixels: u64 },
    /// Past one of the limits that keep memory and time bounded whatever
    /// a file holds: its size in bytes (`what` is [`MEGABYTES`], `limit`
    /// in MB), a PDF's pages, objects, nesting or unpacked data, a
    /// captions file's cues.
    #[error("{}", too_complex(format, what, *limit))]
    TooComplex {
        format: &'static str,
        what: &'static str,
        limit: u64,
    },
}

/// `what` of a [`Refusal::TooComplex`] for a file over a size limit.
pub const MEGABYTES: &str = "MB";

fn too_complex(format: &str, what: &str, limit: u64) -> String {
    if what == MEGABYTES {
        format!(
            "it is {} {format} of more than {limit} MB, more than schoolsite reads",
            article(format)
        )
    } else {
        format!(
            "it is {} {format} with more than {limit} {what}, more than schoolsite reads",
            article(format)
        )
    }
}

/// "a" or "an" before a format's name: "a PDF", "an MP3", "an image".
fn article(format: &str) -> &'static str {
    let vowel = format
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    if vowel || format.starts_with("MP") {
        "an"
    } else {
        "a"
    }
}

impl Refusal {
    /// How to fix the problem, in words for a website authoriser.
    pub fn fix(&self) -> String {
        match self {
            Refusal::Unsupported { fix, .. } => (*fix).to_string(),
            Refusal::Unknown => {
                "publish photos as JPEG or PNG and documents as PDF; other kinds of file cannot be published yet"
                    .to_string()
            }
            Refusal::Empty => "replace it with the real file".to_string(),
            Refusal::Unreadable(_) => "check the file's permissions".to_string(),
            Refusal::Corrupt { format: "PDF", .. } => {
                "open it in the program that made it and save or export it as a PDF again"
                    .to_string()
            }
            Refusal::Corrupt {
                format: mp4::FORMAT,
                ..
            } => "share or export the clip again from the phone or camera as MP4, or convert it without re-encoding: ffmpeg -i INPUT -c copy OUTPUT.mp4".to_string(),
            Refusal::Corrupt {
                format: "MP3" | "WAV",
                ..
            } => "export the recording again as MP3 (or WAV) from the program that made it".to_string(),
            Refusal::Corrupt {
                format: "web font",
                ..
            } => "use the font file exactly as its publisher made it (WOFF2 from the font's own site or package), with nothing joined to it".to_string(),
            Refusal::Corrupt { .. } => {
                "open the original in a photo editor and export it again as JPEG or PNG".to_string()
            }
            Refusal::TooLarge { .. } => {
                "resize it to a smaller size (for example 1600 pixels on the long edge)".to_string()
            }
            Refusal::TooBig { .. } => {
                "trim it to the part that matters, or export it at 720p, so parents on phones can watch it (or raise max_size_mb in [video] in config.toml)".to_string()
            }
            Refusal::CannotBlur { .. } => {
                "export it as a JPEG or PNG photo, or crop the person out instead".to_string()
            }
            Refusal::Encrypted { .. } => {
                "open it and save (or export) it again without a password".to_string()
            }
            Refusal::TooManyFrames { .. } => {
                "shorten the animation, or make it smaller: every frame is looked at for faces".to_string()
            }
            Refusal::TooManyPictures { .. } => {
                "split it into smaller documents, or export it again with its pictures at a lower resolution (for example 150 dpi, or \"Reduce file size\"): every picture in it is looked at for faces".to_string()
            }
            Refusal::TooComplex { .. } => input::fix(self),
        }
    }
}

/// How the sanitiser works: limits and what it may keep. The defaults are
/// those of the site config's `[images]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Settings {
    /// Largest width × height accepted (decompression bombs are refused
    /// before any pixel is decoded).
    pub max_pixels: u64,
    /// Keep embedded ICC colour profiles (JPEG APP2, PNG iCCP, WebP ICCP)
    /// so colours show as the camera meant. They describe colour only,
    /// but a custom profile can name the device that made it.
    pub keep_icc: bool,
}

impl From<&crate::config::Images> for Settings {
    fn from(images: &crate::config::Images) -> Self {
        Settings {
            max_pixels: images.max_pixels,
            keep_icc: images.keep_icc,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from(&crate::config::Images::default())
    }
}

/// A file that has been through the sanitiser. Only this module can make
/// one, so holding one proves the bytes were examined.
#[derive(Debug, Clone)]
pub struct CleanFile {
    /// The clean bytes (empty when the file is spooled to disk).
    bytes: Vec<u8>,
    /// A clean clip written to disk rather than held in memory; removed
    /// from the disk when the last copy of this value goes.
    spool: Option<std::sync::Arc<Spool>>,
    kind: Kind,
    width: u32,
    height: u32,
    orientation: u16,
    removed: Vec<Removed>,
}

/// A clean file written to disk by the sanitiser (a video, which is never
/// held in memory whole). It is its file's only owner: the file is
/// removed when it is dropped, so a build's clips last exactly as long as
/// the build (or `serve`'s current build) that made them.
#[derive(Debug)]
struct Spool {
    path: std::path::PathBuf,
    len: u64,
    hash: blake3::Hash,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl CleanFile {
    /// A clean file held in memory, of kind `kind`.
    fn new(kind: Kind, stripped: Stripped<'_>) -> CleanFile {
        CleanFile {
            bytes: stripped.body.into_vec(),
            spool: None,
            kind,
            width: stripped.width,
            height: stripped.height,
            orientation: stripped.orientation,
            removed: stripped.removed,
        }
    }

    /// The clean bytes, for a file held in memory (every file but a
    /// spooled clip, whose bytes are on disk: see [`CleanFile::write_to`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many bytes the clean file has.
    pub fn len(&self) -> u64 {
        self.spool
            .as_ref()
            .map_or(self.bytes.len() as u64, |s| s.len)
    }

    /// Whether the clean file is empty (it never is).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// BLAKE3 of the clean bytes.
    pub fn hash(&self) -> blake3::Hash {
        match &self.spool {
            Some(s) => s.hash,
            None => blake3::hash(&self.bytes),
        }
    }

    /// Writes the clean file to `path`: from memory, or copied from where
    /// it was spooled.
    /// `len` bytes of the clean file from `start`: for `serve`, which
    /// answers a video's range requests without reading it whole.
    pub fn read_range(&self, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        if start.saturating_add(len) > self.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the range is outside the file",
            ));
        }
        match &self.spool {
            Some(s) => {
                let mut f = std::fs::File::open(&s.path)?;
                f.seek(SeekFrom::Start(start))?;
                let mut buf = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
                f.read_exact(&mut buf)?;
                Ok(buf)
            }
            None => {
                let from = usize::try_from(start).unwrap_or(usize::MAX);
                let to = usize::try_from(start + len).unwrap_or(usize::MAX);
                Ok(self.bytes[from..to].to_vec())
            }
        }
    }

    pub fn write_to(&self, path: &std::path::Path) -> std::io::Result<()> {
        match &self.spool {
            Some(s) => std::fs::copy(&s.path, path).map(|_| ()),
            None => std::fs::write(path, &self.bytes),
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Pixel size, for images (0 × 0 for other files).
    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Pixel size as shown, after the orientation it carries is applied:
    /// what a page's `width`, `height` and `srcset` describe.
    pub fn display_dimensions(&self) -> (u32, u32) {
        if self.orientation >= 5 && self.orientation <= 8 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }

    /// The EXIF orientation (1–8) the clean bytes still carry, in a
    /// minimal EXIF block that holds nothing else; 1 when upright.
    pub fn orientation(&self) -> u16 {
        self.orientation
    }

    pub fn removed(&self) -> &[Removed] {
        &self.removed
    }

    /// A name made from the clean bytes' hash and the real format's
    /// extension: never the source file's name.
    pub fn hashed_name(&self) -> String {
        let hash = self.hash().to_hex();
        format!("{}.{}", &hash[..20], self.kind.extension())
    }
}

/// Sanitises a file: strips every piece of metadata and returns the
/// clean bytes, or refuses. Only the formats in the table in
/// [`format`] are accepted.
pub fn sanitise(input: &[u8], settings: &Settings) -> Result<CleanFile, Refusal> {
    let (format, stripped) = format::strip(input, settings)?;
    Ok(CleanFile::new(format.publishes_as, stripped))
}

/// Like [`sanitise`], with the same checks and the same output bytes, but
/// leaves the clean file as pieces of the input, so that cleaning a folder
/// of photos costs little more than copying it.
pub fn sanitise_plan<'a>(input: &'a [u8], settings: &Settings) -> Result<Plan<'a>, Refusal> {
    let (format, stripped) = format::strip(input, settings)?;
    Ok(Plan::new(format.publishes_as, stripped))
}

/// How much of a cleaned PDF is read for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Nothing: it is only cleaned.
    Nothing,
    /// Its text and how many pictures it shows.
    Text,
    /// That, and the faces in every picture it draws.
    TextAndFaces,
}

/// What a published document shows, for the rules: what a reader sees
/// and can copy, page by page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocumentContents {
    pub pages: Vec<DocumentPage>,
    /// What a viewer shows outside the pages, one piece per line: its
    /// bookmarks' titles (and addresses), its layers' names, its tags'
    /// texts that name no page.
    #[serde(default)]
    pub bookmarks: String,
    /// Whether the one page's text is the file's own text, line for line
    /// (captions), so findings can name the line.
    #[serde(default)]
    pub lines: bool,
}

impl DocumentContents {
    /// The finding location of byte `at` of page `page` (0-based).
    pub fn location(&self, file: &str, page: usize, at: usize) -> crate::finding::Location {
        match self.pages.get(page) {
            Some(p) if self.lines => {
                let upto = at.min(p.text.len());
                let line = p.text.as_bytes()[..upto]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                crate::finding::Location::line(file, line)
            }
            _ => crate::finding::Location::page(file, page + 1),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocumentPage {
    /// The page's text, words separated by spaces and lines by line
    /// breaks as far as their positions tell, then what a viewer shows
    /// with it: its annotations' text and appearances, form fields,
    /// links' addresses, tags' texts and its label's prefix.
    pub text: String,
    /// How many pictures it shows that may show a person: images of at
    /// least [`MIN_PICTURE_SIDE`] pixels on both sides, and smaller ones
    /// drawn together as a bigger picture (see `media::pdf::pictures`).
    pub pictures: u32,
    /// Whether some of its text is in a font whose letters cannot be
    /// read (a font without a Unicode map), so was not checked.
    pub unreadable: bool,
    /// The faces found in each of its pictures, as drawn (tiles composed
    /// into one picture), when faces were looked for; a picture whose
    /// pixels could only partly be decoded has the faces found in what
    /// could, and is counted in `unchecked` too.
    #[serde(default)]
    pub faces: Vec<Faces>,
    /// How many of its pictures could not be looked at whole for faces
    /// (pixels in a form schoolsite cannot decode: CCITT fax, JBIG2, an
    /// unusual colour space).
    #[serde(default)]
    pub unchecked: u32,
}

impl DocumentContents {
    /// Pictures on all pages together.
    pub fn pictures(&self) -> u32 {
        self.pages.iter().map(|p| p.pictures).sum()
    }

    /// Pictures on all pages that could not be looked at whole for faces.
    pub fn unchecked_pictures(&self) -> u32 {
        self.pages.iter().map(|p| p.unchecked).sum()
    }

    /// The faces in each picture looked at, on all pages.
    pub fn picture_faces(&self) -> impl Iterator<Item = &Faces> {
        self.pages.iter().flat_map(|p| &p.faces)
    }

    /// One account of the faces in all its pictures: those of the picture
    /// with the most faces (the largest face first), for the build report
    /// and the count. The rules that measure a face against its picture
    /// read each picture ([`DocumentContents::picture_faces`]).
    pub fn faces_summary(&self) -> Faces {
        self.picture_faces()
            .max_by_key(|f| (f.count(), f.largest()))
            .cloned()
            .unwrap_or_default()
    }
}

/// A sanitised file and the files to publish for it.
#[derive(Debug, Clone)]
pub struct Processed {
    kind: Kind,
    width: u32,
    height: u32,
    removed: Vec<Removed>,
    renditions: Vec<CleanFile>,
    faces: Option<Faces>,
    contents: Option<DocumentContents>,
}

impl Processed {
    /// The format of the source, decided by its bytes.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The source's stored pixel size.
    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// What was stripped from the source.
    pub fn removed(&self) -> &[Removed] {
        &self.removed
    }

    /// How many faces the published image shows, when they were counted.
    pub fn faces(&self) -> Option<u32> {
        self.faces.as_ref().map(Faces::count)
    }

    /// The faces found in the published image (how many, and how big),
    /// when they were looked for; for a document, those of its picture
    /// with the most faces.
    pub fn found_faces(&self) -> Option<&Faces> {
        self.faces.as_ref()
    }

    /// The faces found in each picture looked at: the image itself, or
    /// each picture a document draws. Empty when faces were not looked
    /// for (or a document has no pictures).
    pub fn faces_per_picture(&self) -> Vec<&Faces> {
        match &self.contents {
            Some(c) if self.kind == Kind::Pdf => {
                if self.faces.is_some() {
                    c.picture_faces().collect()
                } else {
                    Vec::new()
                }
            }
            _ => self.faces.iter().collect(),
        }
    }

    /// How many of a document's pictures could not be looked at whole
    /// for faces, when faces were looked for (0 for other files).
    pub fn unchecked_pictures(&self) -> u32 {
        match &self.contents {
            Some(c) if self.faces.is_some() => c.unchecked_pictures(),
            _ => 0,
        }
    }

    /// The files to publish, smallest first; never empty.
    pub fn renditions(&self) -> &[CleanFile] {
        &self.renditions
    }

    /// The largest file published: what `src` points at.
    pub fn largest(&self) -> &CleanFile {
        // `renditions` is never empty: every constructor pushes at least one.
        &self.renditions[self.renditions.len() - 1]
    }

    pub fn into_renditions(self) -> Vec<CleanFile> {
        self.renditions
    }

    /// What a document shows (`None` for images and other files).
    pub fn contents(&self) -> Option<&DocumentContents> {
        self.contents.as_ref()
    }
}

impl From<CleanFile> for Processed {
    fn from(clean: CleanFile) -> Processed {
        Processed {
            kind: clean.kind,
            width: clean.width,
            height: clean.height,
            removed: clean.removed.clone(),
            renditions: vec![clean],
            faces: None,
            contents: None,
        }
    }
}

/// Bump when a change to the sanitiser or encoder changes its output, so
/// cached entries made by older code are not reused.
const CACHE_VERSION: u32 = 12;

/// What to do to one image beyond stripping it: decided by the caller
/// (from the consent declarations), applied here.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Treatment {
    /// Scale it down to the size limit for photos that may show pupils.
    pub cap: bool,
    /// Parts to pixelate before any copy is made; every published copy,
    /// the largest included, is then encoded afresh from the pixelated
    /// pixels.
    pub blur: Vec<Region>,
    /// Find the faces in the published image: how many and how big
    /// (detection only: nobody is identified).
    pub count_faces: bool,
}

/// Sanitises a file and makes its responsive sizes, using the cache when
/// an entry for these exact bytes, settings and treatment exists.
pub fn process(
    input: &[u8],
    settings: &Settings,
    sizes: &Sizes,
    treatment: &Treatment,
    cache: Option<&Cache>,
) -> Result<Processed, Refusal> {
    let key = cache.map(|_| {
        let mut hasher = blake3::Hasher::new();
        hasher.update(input);
        let knobs = serde_json::json!([CACHE_VERSION, settings, sizes, treatment]).to_string();
        hasher.update(knobs.as_bytes());
        hasher.finalize().to_hex().to_string()
    });
    if let (Some(cache), Some(key)) = (cache, &key)
        && let Some(hit) = cache.get(key)
    {
        return Ok(hit);
    }
    let processed = match format::lookup(sniff(input))?.shape {
        Shape::Image { blur } => process_image(input, settings, sizes, treatment, blur)?,
        Shape::Document => process_document(input, settings, treatment)?,
        // Published as it is once cleaned: one file, no sizes.
        Shape::Clip => Processed::from(sanitise(input, settings)?),
        Shape::Captions => process_captions(input, settings)?,
    };
    if let (Some(cache), Some(key)) = (cache, &key) {
        cache.put(key, &processed);
    }
    Ok(processed)
}

/// A picture, in the sizes pages show it at, blurred where declared and
/// looked at for faces.
fn process_image(
    input: &[u8],
    settings: &Settings,
    sizes: &Sizes,
    treatment: &Treatment,
    can_blur: bool,
) -> Result<Processed, Refusal> {
    let clean = sanitise(input, settings)?;
    if !treatment.blur.is_empty() && !can_blur {
        return Err(Refusal::CannotBlur {
            format: clean.kind.short_name(),
        });
    }
    let renditions = resize::renditions(&clean, sizes, settings, treatment)?;
    let mut processed = Processed {
        kind: clean.kind,
        width: clean.width,
        height: clean.height,
        removed: clean.removed,
        renditions,
        faces: None,
        contents: None,
    };
    if treatment.count_faces {
        processed.faces = faces::find(processed.largest(), settings)?;
    }
    Ok(processed)
}

/// A document, published whole as it is once cleaned, with what it
/// shows read for the rules.
fn process_document(
    input: &[u8],
    settings: &Settings,
    treatment: &Treatment,
) -> Result<Processed, Refusal> {
    let read = if treatment.count_faces {
        Read::TextAndFaces
    } else {
        Read::Text
    };
    let format = format::lookup(Kind::Pdf)?;
    let (stripped, contents) = format::read_pdf(input, settings, read)?;
    let clean = CleanFile::new(Kind::Pdf, format::check(format, stripped, settings)?);
    // Faces in its pictures, each as drawn; for the report and the
    // count, those of the picture with the most.
    let faces = contents
        .as_ref()
        .filter(|_| treatment.count_faces)
        .map(DocumentContents::faces_summary);
    Ok(Processed {
        faces,
        contents,
        ..Processed::from(clean)
    })
}

/// Captions, published whole once cleaned; the names and contact rules
/// read them as a viewer sees them, line for line, so findings point at
/// the line to fix.
fn process_captions(input: &[u8], settings: &Settings) -> Result<Processed, Refusal> {
    let mut processed = Processed::from(sanitise(input, settings)?);
    let text = captions::shown(
        &String::from_utf8_lossy(input)
            .trim_start_matches('\u{feff}')
            .replace("\r\n", "\n")
            .replace('\r', "\n"),
    );
    processed.contents = Some(DocumentContents {
        pages: vec![DocumentPage {
            text,
            ..DocumentPage::default()
        }],
        bookmarks: String::new(),
        lines: true,
    });
    Ok(processed)
}

/// Accepts a theme's own inert asset (stylesheet, script, font, plain
/// text) after checking its bytes are what its name says.
pub fn accept_inert(input: &[u8], extension: &str) -> Result<CleanFile, Refusal> {
    let kind = match extension.to_ascii_lowercase().as_str() {
        "css" => Kind::Css,
        "js" | "mjs" => Kind::JavaScript,
        "txt" => Kind::Text,
        "ics" if input.starts_with(b"BEGIN:VCALENDAR") => Kind::Calendar,
        "woff" if input.starts_with(b"wOFF") => Kind::Woff,
        "woff2" if input.starts_with(b"wOF2") => Kind::Woff2,
        _ => return Err(Refusal::Unknown),
    };
    if kind.is_text() && std::str::from_utf8(input).is_err() {
        return Err(Refusal::Corrupt {
            format: kind.name(),
            detail: "it is not UTF-8 text".to_string(),
        });
    }
    let bytes = match kind {
        Kind::Woff => font::woff(input)?,
        Kind::Woff2 => font::woff2(input)?,
        _ => input.to_vec(),
    };
    Ok(CleanFile {
        bytes,
        kind,
        width: 0,
        height: 0,
        orientation: 1,
        removed: Vec::new(),
        spool: None,
    })
}

/// Cleans a clip (video or audio) read from `source` through a memory
/// map, writing the clean copy to `dest` with its media data copied file
/// to file: neither is ever held in memory whole.
pub fn spool_clip(
    source: &std::path::Path,
    dest: &std::path::Path,
    settings: &Settings,
) -> Result<Processed, Refusal> {
    let unreadable = |e: std::io::Error| Refusal::Unreadable(e.to_string());
    let file = std::fs::File::open(source).map_err(unreadable)?;
    // SAFETY: the map is only read; see `copy_range` for a file that
    // changes while it is read.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(unreadable)?;
    let plan = sanitise_plan(&map, settings)?;
    if !plan.kind().is_video_or_audio() {
        return Err(Refusal::Unknown);
    }
    let tmp = dest.with_extension(format!("{}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        plan.write_ranges(&mut out, |start, len, w| {
            use std::io::Write as _;
            w.flush()?;
            copy_range(&file, start, len, w.get_mut())
        })?;
        use std::io::Write as _;
        out.flush()?;
        std::fs::rename(&tmp, dest)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(unreadable(e));
    }
    let mut hasher = blake3::Hasher::new();
    let len = std::fs::File::open(dest)
        .and_then(|f| hasher.update_reader(f).map(|_| ()))
        .and_then(|()| std::fs::metadata(dest).map(|m| m.len()))
        .map_err(unreadable)?;
    Ok(Processed::from(CleanFile {
        bytes: Vec::new(),
        spool: Some(std::sync::Arc::new(Spool {
            path: dest.to_path_buf(),
            len,
            hash: hasher.finalize(),
        })),
        kind: plan.kind(),
        width: 0,
        height: 0,
        orientation: 1,
        removed: plan.removed().to_vec(),
    }))
}

/// Copies `len` bytes of `source` from `start` to the end of `out`: in
/// the kernel where it can (`copy_file_range`), through a small buffer
/// where it cannot.
pub fn copy_range(
    source: &std::fs::File,
    start: u64,
    len: u64,
    out: &mut std::fs::File,
) -> std::io::Result<()> {
    let mut done = 0u64;
    #[cfg(target_os = "linux")]
    while done < len {
        let mut from = start + done;
        let want = usize::try_from(len - done)
            .unwrap_or(usize::MAX)
            .min(1 << 30);
        match rustix::fs::copy_file_range(source, Some(&mut from), &*out, None, want) {
            Ok(0) | Err(_) => break,
            Ok(n) => done += n as u64,
        }
    }
    // Elsewhere (and where the kernel would not), through a buffer: the
    // file is read from its own cursor, which works on every platform.
    use std::io::{Read as _, Seek as _, Write as _};
    let mut reader = source;
    if done < len {
        reader.seek(std::io::SeekFrom::Start(start + done))?;
    }
    let mut buffer = vec![0u8; 1 << 20];
    while done < len {
        let want = usize::try_from(len - done)
            .unwrap_or(usize::MAX)
            .min(buffer.len());
        let n = reader.read(&mut buffer[..want])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        out.write_all(&buffer[..n])?;
        done += n as u64;
    }
    Ok(())
}

/// Collects removed pieces, merging repeats ("comment (2 blocks)").
#[derive(Default)]
struct RemovedLog(Vec<Entry>);

struct Entry {
    what: String,
    bytes: usize,
    count: usize,
    found: Vec<String>,
}

impl RemovedLog {
    fn add(&mut self, what: &str, bytes: usize) {
        self.add_found(what, bytes, Vec::new());
    }

    /// Records a removed piece and what it was found to hold.
    fn add_found(&mut self, what: &str, bytes: usize, found: Vec<String>) {
        if let Some(entry) = self.0.iter_mut().find(|e| e.what == what) {
            entry.bytes += bytes;
            entry.count += 1;
            for f in found {
                if !entry.found.contains(&f) {
                    entry.found.push(f);
                }
            }
        } else {
            self.0.push(Entry {
                what: what.to_string(),
                bytes,
                count: 1,
                found,
            });
        }
    }

    /// Adds to what an entry already recorded was found to hold, without
    /// counting another block.
    fn note(&mut self, what: &str, found: String) {
        match self.0.iter_mut().find(|e| e.what == what) {
            Some(entry) => {
                if !entry.found.contains(&found) {
                    entry.found.push(found);
                }
            }
            None => self.add_found(what, 0, vec![found]),
        }
    }

    fn finish(self) -> Vec<Removed> {
        self.0
            .into_iter()
            .map(|e| Removed {
                what: if e.count > 1 {
                    format!("{} ({} blocks)", e.what, e.count)
                } else {
                    e.what
                },
                bytes: e.bytes,
                found: e.found,
            })
            .collect()
    }
}

/// A one-line account of what was removed, most telling first:
/// "GPS position, camera serial number, 1 face tag, 2.1 MB motion-photo
/// video after the end of the image".
pub fn summarise(removed: &[Removed]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in removed {
        for f in &r.found {
            if !parts.contains(f) {
                parts.push(f.clone());
            }
        }
    }
    for r in removed {
        if r.bytes == 0 {
            parts.push(r.what.clone());
        } else {
            parts.push(format!("{} {}", human_bytes(r.bytes as u64), r.what));
        }
    }
    if parts.is_empty() {
        "nothing to remove".to_string()
    } else {
        parts.join(", ")
    }
}

/// Bytes in the units people read: "812 B", "14.2 KB", "2.1 MB".
pub fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} KB", n as f64 / 1_000.0),
        _ => format!("{:.1} MB", n as f64 / 1_000_000.0),
    }
}
