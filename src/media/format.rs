//! One interface for every format the sanitiser cleans: a table, keyed
//! by the kind the file's bytes say it is, of each format's `strip`, all
//! returning one [`Stripped`]. What is not in the table is refused.
//!
//! Every clean file is checked the same way after its format's walk: it
//! must still read as what it was taken for, and an image must be within
//! the pixel limit.

use super::{Kind, Refusal, Removed, Settings, sniff};
use super::{audio, captions, mp4, pdf, rebuild, webp};

/// What every format's `strip` returns: the clean file as pieces of the
/// input (ranges kept as they are, and bytes made afresh), its size and
/// what was taken out.
#[derive(Debug)]
pub(super) struct Stripped<'a> {
    pub body: Pieces<'a>,
    /// Pixel size, for images (0 × 0 for other files).
    pub width: u32,
    pub height: u32,
    /// EXIF orientation kept in a minimal block (1 = none kept).
    pub orientation: u16,
    pub removed: Vec<Removed>,
}

impl<'a> Stripped<'a> {
    /// A clean file that is not an image.
    pub fn file(body: Pieces<'a>, removed: Vec<Removed>) -> Stripped<'a> {
        Stripped {
            body,
            width: 0,
            height: 0,
            orientation: 1,
            removed,
        }
    }
}

/// A clean file copied out of its input, for tests that compare bytes.
#[cfg(test)]
#[derive(Debug)]
pub(super) struct Owned {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub orientation: u16,
    pub removed: Vec<Removed>,
}

#[cfg(test)]
impl Stripped<'_> {
    pub fn owned(self) -> Owned {
        Owned {
            bytes: self.body.into_vec(),
            width: self.width,
            height: self.height,
            orientation: self.orientation,
            removed: self.removed,
        }
    }
}

/// A format's cleaner: bytes in (already sniffed as its kind), a clean
/// file or a refusal out.
type Strip = for<'a> fn(&'a [u8], &Settings) -> Result<Stripped<'a>, Refusal>;

/// How a format's clean file is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A picture: published in sizes, looked at for faces; `blur` when
    /// regions of it can be pixelated.
    Image { blur: bool },
    /// A document: published whole, with what it shows read for the rules.
    Document,
    /// Video or sound: published whole, never held in memory.
    Clip,
    /// Captions: published whole, read line by line for the rules.
    Captions,
}

/// Everything the sanitiser knows of one format.
pub(super) struct Format {
    /// What the file's bytes say it is.
    pub kind: Kind,
    /// What its clean file is (SubRip captions become WebVTT).
    pub publishes_as: Kind,
    pub shape: Shape,
    pub strip: Strip,
}

const fn format(kind: Kind, shape: Shape, strip: Strip) -> Format {
    Format {
        kind,
        publishes_as: kind,
        shape,
        strip,
    }
}

/// The formats schoolsite can make safe, and nothing else.
const FORMATS: [Format; 12] = [
    // A damaged JPEG, PNG or GIF whose pixels all decode is rebuilt from
    // them (see `rebuild`).
    format(Kind::Jpeg, Shape::Image { blur: true }, rebuild::strip_jpeg),
    format(Kind::Png, Shape::Image { blur: true }, rebuild::strip_png),
    format(Kind::WebP, Shape::Image { blur: true }, webp::strip),
    format(Kind::Gif, Shape::Image { blur: false }, rebuild::strip_gif),
    format(Kind::Pdf, Shape::Document, strip_pdf),
    format(Kind::Mp4, Shape::Clip, mp4::strip),
    format(Kind::Mov, Shape::Clip, mp4::strip),
    format(Kind::M4a, Shape::Clip, mp4::strip),
    format(Kind::Mp3, Shape::Clip, audio::strip_mp3),
    format(Kind::Wav, Shape::Clip, audio::strip_wav),
    format(Kind::WebVtt, Shape::Captions, captions::strip),
    Format {
        kind: Kind::Srt,
        publishes_as: Kind::WebVtt,
        shape: Shape::Captions,
        strip: captions::strip,
    },
];

/// The format for a kind of file, or why there is none.
pub(super) fn lookup(kind: Kind) -> Result<&'static Format, Refusal> {
    if let Some(format) = FORMATS.iter().find(|f| f.kind == kind) {
        return Ok(format);
    }
    Err(match kind {
        Kind::Empty => Refusal::Empty,
        Kind::Unknown => Refusal::Unknown,
        other => Refusal::Unsupported {
            format: other.name(),
            fix: other.conversion_hint(),
        },
    })
}

/// Sniffs `input` and cleans it with its format's `strip`, then checks
/// the result as every clean file is checked.
pub(super) fn strip<'a>(
    input: &'a [u8],
    settings: &Settings,
) -> Result<(&'static Format, Stripped<'a>), Refusal> {
    let format = lookup(sniff(input))?;
    let stripped = guarded(format, || (format.strip)(input, settings))?;
    check(format, stripped, settings).map(|s| (format, s))
}

/// Every walk is a parser of hostile input: should one ever panic (a bug
/// of schoolsite's), the file is refused rather than the build lost.
/// Fuzzing builds let the panic through, so that the fuzzer reports it.
fn guarded<T>(format: &Format, walk: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    if cfg!(fuzzing) {
        return walk();
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(walk)).unwrap_or_else(|_| {
        Err(Refusal::Corrupt {
            format: format.kind.short_name(),
            detail: "schoolsite could not read it (something in it made schoolsite fail: please report this file)".to_string(),
        })
    })
}

/// What every clean file must be: still what it was taken for (an MP3
/// frame, say, can hold bytes another format's reader would take for its
/// own), and within the pixel limit.
pub(super) fn check<'a>(
    format: &Format,
    stripped: Stripped<'a>,
    settings: &Settings,
) -> Result<Stripped<'a>, Refusal> {
    if sniff(&stripped.body.head(1024)) != format.publishes_as {
        return Err(Refusal::Corrupt {
            format: format.kind.short_name(),
            detail: "once cleaned, what is left reads as another kind of file".to_string(),
        });
    }
    let pixels = u64::from(stripped.width) * u64::from(stripped.height);
    if pixels > settings.max_pixels {
        return Err(Refusal::TooLarge {
            width: stripped.width,
            height: stripped.height,
            limit: settings.max_pixels,
        });
    }
    Ok(stripped)
}

/// The PDF reader is a large parser of hostile input: should it ever
/// panic, the file is refused rather than the build lost.
pub(super) fn strip_pdf<'a>(input: &'a [u8], settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    read_pdf(input, settings, super::Read::Nothing).map(|(stripped, _)| stripped)
}

/// A PDF cleaned, and what its clean copy shows read as far as `read`
/// asks; refused, not panicked on, should the reader fail.
pub(super) fn read_pdf<'a>(
    input: &'a [u8],
    settings: &Settings,
    read: super::Read,
) -> Result<(Stripped<'a>, Option<super::DocumentContents>), Refusal> {
    std::panic::catch_unwind(|| pdf::strip(input, settings, read)).unwrap_or_else(|_| {
        Err(Refusal::Corrupt {
            format: "PDF",
            detail: "it could not be read as a PDF".to_string(),
        })
    })
}

/// A clean file as a list of parts: ranges of the input (the bulk of a
/// photo's bytes, kept as they are) and small pieces made afresh. Lets a
/// file be written without first copying it into a new buffer.
#[derive(Debug)]
pub(super) struct Pieces<'a> {
    input: &'a [u8],
    pub parts: Vec<Part>,
}

#[derive(Debug)]
pub(super) enum Part {
    Input(usize, usize),
    Owned(Vec<u8>),
}

impl<'a> Pieces<'a> {
    pub(super) fn new(input: &'a [u8]) -> Pieces<'a> {
        Pieces {
            input,
            parts: Vec::new(),
        }
    }

    /// A clean file written afresh, none of it a range of the input.
    pub(super) fn owned(input: &'a [u8], bytes: Vec<u8>) -> Pieces<'a> {
        Pieces {
            input,
            parts: vec![Part::Owned(bytes)],
        }
    }

    /// Appends bytes: recorded as a range when they are a slice of the
    /// input, copied otherwise.
    pub(super) fn extend_from_slice(&mut self, bytes: &[u8]) {
        let base = self.input.as_ptr() as usize;
        let start = (bytes.as_ptr() as usize).wrapping_sub(base);
        let within = start <= self.input.len() && bytes.len() <= self.input.len() - start;
        match self.parts.last_mut() {
            Some(Part::Input(_, end)) if within && *end == start => *end += bytes.len(),
            _ if within && bytes.len() >= 64 => {
                self.parts.push(Part::Input(start, start + bytes.len()));
            }
            Some(Part::Owned(v)) => v.extend_from_slice(bytes),
            _ => self.parts.push(Part::Owned(bytes.to_vec())),
        }
    }

    pub(super) fn push(&mut self, byte: u8) {
        self.extend_from_slice(&[byte]);
    }

    pub(super) fn slices(&self) -> impl Iterator<Item = &[u8]> {
        self.parts.iter().map(|p| match p {
            Part::Input(start, end) => &self.input[*start..*end],
            Part::Owned(v) => v.as_slice(),
        })
    }

    /// The first `n` bytes (fewer if the file is shorter).
    pub(super) fn head(&self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n);
        for s in self.slices() {
            let take = (n - out.len()).min(s.len());
            out.extend_from_slice(&s[..take]);
            if out.len() == n {
                break;
            }
        }
        out
    }

    pub(super) fn into_vec(mut self) -> Vec<u8> {
        if let [Part::Owned(_)] = self.parts.as_slice()
            && let Some(Part::Owned(whole)) = self.parts.pop()
        {
            return whole;
        }
        let len = self.slices().map(<[u8]>::len).sum();
        let mut out = Vec::with_capacity(len);
        for s in self.slices() {
            out.extend_from_slice(s);
        }
        out
    }
}

/// A sanitised file not yet copied out of its input: what
/// [`sanitise_plan`] returns, for writing clean copies straight to disk.
pub struct Plan<'a> {
    kind: Kind,
    body: Pieces<'a>,
    removed: Vec<Removed>,
}

impl<'a> Plan<'a> {
    pub(super) fn new(kind: Kind, stripped: Stripped<'a>) -> Plan<'a> {
        Plan {
            kind,
            body: stripped.body,
            removed: stripped.removed,
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn removed(&self) -> &[Removed] {
        &self.removed
    }

    /// Writes the clean file, handing each run of the input it keeps to
    /// `copy(start, len, out)` (which can copy it straight from the input
    /// file, in the kernel, without reading it into memory) and writing
    /// the rest itself.
    pub fn write_ranges<W: std::io::Write>(
        &self,
        out: &mut W,
        mut copy: impl FnMut(u64, u64, &mut W) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        for part in &self.body.parts {
            match part {
                Part::Input(start, end) => copy(*start as u64, (end - start) as u64, out)?,
                Part::Owned(bytes) => out.write_all(bytes)?,
            }
        }
        Ok(())
    }

    /// Writes the clean bytes.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        self.body.slices().try_for_each(|s| out.write_all(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_at_most_one_format_and_the_rest_are_refused() {
        for (i, f) in FORMATS.iter().enumerate() {
            assert!(
                FORMATS[i + 1..].iter().all(|g| g.kind != f.kind),
                "{:?} twice",
                f.kind
            );
        }
        // Kinds schoolsite knows but cannot clean are refused by name,
        // with a way to convert them.
        for kind in [
            Kind::Heif,
            Kind::Tiff,
            Kind::Svg,
            Kind::Office,
            Kind::Html,
            Kind::Css,
        ] {
            assert!(
                matches!(lookup(kind), Err(Refusal::Unsupported { .. })),
                "{kind:?}"
            );
        }
        assert!(matches!(lookup(Kind::Unknown), Err(Refusal::Unknown)));
        assert!(matches!(lookup(Kind::Empty), Err(Refusal::Empty)));
        // Theme files are accepted by their own path, never as content.
        assert!(lookup(Kind::Woff2).is_err());
    }

    #[test]
    fn a_clean_file_must_still_read_as_what_it_was_taken_for() {
        let wav = lookup(Kind::Wav).unwrap();
        let input = b"RIFF\x04\0\0\0WAVE";
        let looks_like_mp3 = Stripped::file(
            Pieces::owned(input, b"ID3\x04\0\0\0\0\0\0".to_vec()),
            vec![],
        );
        let refusal = check(wav, looks_like_mp3, &Settings::default()).unwrap_err();
        assert!(
            refusal.to_string().contains("another kind of file"),
            "{refusal}"
        );
        let still_wav = Stripped::file(Pieces::owned(input, input.to_vec()), vec![]);
        assert!(check(wav, still_wav, &Settings::default()).is_ok());
    }

    #[test]
    fn an_image_over_the_pixel_limit_is_refused_after_any_format() {
        let png = lookup(Kind::Png).unwrap();
        let input = b"\x89PNG\r\n\x1a\n";
        let settings = Settings {
            max_pixels: 100,
            ..Settings::default()
        };
        let big = Stripped {
            width: 11,
            height: 10,
            ..Stripped::file(Pieces::owned(input, input.to_vec()), vec![])
        };
        assert!(matches!(
            check(png, big, &settings),
            Err(Refusal::TooLarge { .. })
        ));
        let at_limit = Stripped {
            width: 10,
            height: 10,
            ..Stripped::file(Pieces::owned(input, input.to_vec()), vec![])
        };
        assert!(check(png, at_limit, &settings).is_ok());
    }

    #[test]
    fn a_walk_that_fails_refuses_its_file_instead_of_ending_the_build() {
        let wav = lookup(Kind::Wav).unwrap();
        let failed = guarded(wav, || -> Result<(), Refusal> { panic!("a bug") });
        let Err(Refusal::Corrupt { format, detail }) = failed else {
            panic!("not refused: {failed:?}");
        };
        assert_eq!(format, "WAV");
        assert!(detail.contains("please report this file"), "{detail}");
        // The near miss: a walk that returns is left alone.
        assert_eq!(guarded(wav, || Ok(7)), Ok(7));
    }
}
