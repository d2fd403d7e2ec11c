//! Deciding what a file is from its first bytes.

/// The most of a file's start that [`sniff`] looks at: the kind of a
/// file is `sniff` of its first `SNIFF_BYTES` (or fewer, if shorter),
/// so a caller that has not read the file need read no more.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Every kind of file the sanitiser can recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
    WebP,
    Heif,
    Avif,
    Tiff,
    Bmp,
    Svg,
    Pdf,
    /// An MP4 video (ISO base media file: also M4V and 3GP).
    Mp4,
    /// A QuickTime movie (what iPhones record).
    Mov,
    /// An MP4 audio file (M4A).
    M4a,
    Mp3,
    Wav,
    /// Video and audio formats that cannot be cleaned yet: AVI, Matroska
    /// and WebM, MPEG transport streams (MTS), Ogg, FLAC.
    Avi,
    Matroska,
    MpegTs,
    Ogg,
    Flac,
    /// Captions for a video: WebVTT, or SubRip (converted to WebVTT).
    WebVtt,
    Srt,
    /// A Word, Excel, PowerPoint or Publisher file (or an OpenDocument
    /// or RTF one).
    Office,
    Zip,
    Html,
    Css,
    JavaScript,
    Text,
    /// An iCalendar file (`.ics`): term dates parents subscribe to.
    Calendar,
    Woff,
    Woff2,
    Empty,
    Unknown,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jpeg => "a JPEG image",
            Kind::Png => "a PNG image",
            Kind::Gif => "a GIF image",
            Kind::WebP => "a WebP image",
            Kind::Heif => "a HEIC/HEIF image",
            Kind::Avif => "an AVIF image",
            Kind::Tiff => "a TIFF image (or camera RAW)",
            Kind::Bmp => "a BMP image",
            Kind::Svg => "an SVG drawing",
            Kind::Pdf => "a PDF document",
            Kind::Mp4 => "an MP4 video",
            Kind::Mov => "a QuickTime (MOV) video",
            Kind::M4a => "an M4A audio file",
            Kind::Mp3 => "an MP3 audio file",
            Kind::Wav => "a WAV audio file",
            Kind::Avi => "an AVI video",
            Kind::Matroska => "a Matroska or WebM video (MKV, WebM)",
            Kind::MpegTs => "an MPEG transport stream video (MTS, M2TS, TS)",
            Kind::Ogg => "an Ogg audio or video file",
            Kind::Flac => "a FLAC audio file",
            Kind::WebVtt => "a WebVTT captions file",
            Kind::Srt => "a SubRip (SRT) captions file",
            Kind::Office => {
                "an Office document (Word, Excel, PowerPoint, Publisher, OpenDocument or RTF)"
            }
            Kind::Zip => "a ZIP archive",
            Kind::Html => "an HTML page",
            Kind::Css => "a stylesheet",
            Kind::JavaScript => "a script",
            Kind::Text => "a text file",
            Kind::Calendar => "a calendar file",
            Kind::Woff | Kind::Woff2 => "a web font",
            Kind::Empty => "an empty file",
            Kind::Unknown => "an unknown kind of file",
        }
    }

    /// The format's short name, as in "a damaged JPEG".
    pub fn short_name(self) -> &'static str {
        match self {
            Kind::Jpeg => "JPEG",
            Kind::Png => "PNG",
            Kind::Gif => "GIF",
            Kind::WebP => "WebP",
            Kind::Pdf => "PDF",
            Kind::Mp4 | Kind::M4a => "MP4",
            Kind::Mov => "QuickTime",
            Kind::Mp3 => "MP3",
            Kind::Wav => "WAV",
            Kind::WebVtt | Kind::Srt => "captions file",
            _ => "file",
        }
    }

    /// The extension a published file of this kind gets.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Gif => "gif",
            Kind::WebP => "webp",
            Kind::Heif => "heic",
            Kind::Avif => "avif",
            Kind::Tiff => "tif",
            Kind::Bmp => "bmp",
            Kind::Svg => "svg",
            Kind::Pdf => "pdf",
            Kind::Mp4 => "mp4",
            Kind::Mov => "mov",
            Kind::M4a => "m4a",
            Kind::Mp3 => "mp3",
            Kind::Wav => "wav",
            Kind::Avi => "avi",
            Kind::Matroska => "mkv",
            Kind::MpegTs => "mts",
            Kind::Ogg => "ogg",
            Kind::Flac => "flac",
            Kind::WebVtt => "vtt",
            Kind::Srt => "srt",
            Kind::Office => "docx",
            Kind::Zip => "zip",
            Kind::Html => "html",
            Kind::Css => "css",
            Kind::JavaScript => "js",
            Kind::Text => "txt",
            Kind::Calendar => "ics",
            Kind::Woff => "woff",
            Kind::Woff2 => "woff2",
            Kind::Empty | Kind::Unknown => "bin",
        }
    }

    /// Extensions a file of this kind may honestly carry.
    pub fn accepts_extension(self, ext: &str) -> bool {
        let ext = ext.to_ascii_lowercase();
        match self {
            Kind::Jpeg => matches!(ext.as_str(), "jpg" | "jpeg" | "jpe" | "jfif"),
            Kind::Tiff => matches!(ext.as_str(), "tif" | "tiff" | "dng" | "nef" | "cr2" | "arw"),
            Kind::Heif => matches!(ext.as_str(), "heic" | "heif" | "hif"),
            Kind::JavaScript => matches!(ext.as_str(), "js" | "mjs"),
            Kind::Html => matches!(ext.as_str(), "html" | "htm"),
            Kind::Mp4 => matches!(ext.as_str(), "mp4" | "m4v" | "3gp" | "3g2"),
            Kind::Mov => matches!(ext.as_str(), "mov" | "qt"),
            Kind::M4a => matches!(ext.as_str(), "m4a" | "aac" | "mp4"),
            Kind::Matroska => matches!(ext.as_str(), "mkv" | "webm" | "mka"),
            Kind::MpegTs => matches!(ext.as_str(), "mts" | "m2ts" | "ts"),
            Kind::Ogg => matches!(ext.as_str(), "ogg" | "oga" | "ogv" | "opus"),
            // SubRip captions are published converted to WebVTT.
            Kind::WebVtt => matches!(ext.as_str(), "vtt" | "srt"),
            other => ext == other.extension(),
        }
    }

    pub fn is_image(self) -> bool {
        matches!(
            self,
            Kind::Jpeg
                | Kind::Png
                | Kind::Gif
                | Kind::WebP
                | Kind::Heif
                | Kind::Avif
                | Kind::Tiff
                | Kind::Bmp
                | Kind::Svg
        )
    }

    /// The media type a browser is given for a published picture of
    /// this kind; `None` for what is not a picture the sanitiser
    /// publishes.
    pub fn picture_mime(self) -> Option<&'static str> {
        match self {
            Kind::Jpeg => Some("image/jpeg"),
            Kind::Png => Some("image/png"),
            Kind::Gif => Some("image/gif"),
            Kind::WebP => Some("image/webp"),
            _ => None,
        }
    }

    /// Whether a published file of this kind can show a person (or let
    /// one be heard): who is in it must be declared in `photos.toml`.
    /// The consent rule asks exactly this (a document only once its
    /// pictures are read, and then only if it has any), and so does the
    /// studio's "who is in it".
    pub fn may_show_people(self) -> bool {
        self.is_image() || self.is_video_or_audio() || self == Kind::Pdf
    }

    /// Video and audio the sanitiser cleans.
    pub fn is_video_or_audio(self) -> bool {
        matches!(
            self,
            Kind::Mp4 | Kind::Mov | Kind::M4a | Kind::Mp3 | Kind::Wav
        )
    }

    /// Captions for a video.
    pub fn is_captions(self) -> bool {
        matches!(self, Kind::WebVtt | Kind::Srt)
    }

    /// Video (not sound alone), which needs captions.
    pub fn is_video(self) -> bool {
        matches!(self, Kind::Mp4 | Kind::Mov)
    }

    pub fn is_text(self) -> bool {
        matches!(
            self,
            Kind::Css | Kind::JavaScript | Kind::Text | Kind::Calendar
        )
    }

    /// How to turn a refused format into one that can be published.
    pub fn conversion_hint(self) -> &'static str {
        match self {
            Kind::Heif | Kind::Avif => {
                "export it as JPEG (on an iPhone: Settings > Camera > Formats > Most Compatible, or share it as JPEG)"
            }
            Kind::Tiff | Kind::Bmp => "export it as JPEG from a photo editor",
            Kind::Gif | Kind::WebP => "export it as PNG or JPEG from a photo editor",
            Kind::Svg => "export the drawing as PNG",
            Kind::Pdf => "save or export it as a PDF again from the program that made it",
            Kind::Office => {
                "Office files carry the author's name, tracked changes, comments and every pasted photo as it came off the phone: export it as PDF (File > Save As > PDF), or put the text on a page"
            }
            Kind::Zip => "put the files on pages instead; archives cannot be checked",
            Kind::Avi | Kind::Matroska | Kind::MpegTs | Kind::Ogg => {
                "convert it to MP4 without re-encoding: ffmpeg -i INPUT -c copy OUTPUT.mp4 (or export it as MP4 from the camera's or phone's app)"
            }
            Kind::Flac => "convert it to MP3 or M4A (for example ffmpeg -i INPUT.flac OUTPUT.m4a)",
            Kind::Html => "put the content in a Markdown page instead",
            _ => "publish photos as JPEG or PNG",
        }
    }
}

/// Decides a file's kind from its bytes.
pub fn sniff(b: &[u8]) -> Kind {
    if b.is_empty() {
        return Kind::Empty;
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Kind::Jpeg;
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Kind::Png;
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Kind::Gif;
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Kind::WebP;
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let brand = &b[8..12];
        return match brand {
            b"avif" | b"avis" => Kind::Avif,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Kind::Heif
            }
            b"qt  " => Kind::Mov,
            b"M4A " | b"M4B " | b"M4P " => Kind::M4a,
            b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42"
            | b"avc1" | b"M4V " | b"M4VH" | b"M4VP" | b"MSNV" | b"dash" | b"mmp4" | b"f4v "
            | b"XAVC" => Kind::Mp4,
            brand if brand.starts_with(b"3g") => Kind::Mp4,
            _ => Kind::Unknown,
        };
    }
    // A QuickTime movie written without a file-type box starts with one
    // of its other top-level boxes.
    if b.len() >= 8 && matches!(&b[4..8], b"moov" | b"mdat" | b"wide" | b"free" | b"skip") {
        return Kind::Mov;
    }
    if b.starts_with(b"ID3")
        || (b.len() >= 2 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0 && b[1] & 0x06 != 0)
    {
        return Kind::Mp3;
    }
    // WAV, and its forms for long recordings (RF64, BW64) and big-endian
    // machines (RIFX), which the cleaner refuses with what to do.
    if b.len() >= 12
        && matches!(&b[..4], b"RIFF" | b"RF64" | b"BW64" | b"RIFX")
        && &b[8..12] == b"WAVE"
    {
        return Kind::Wav;
    }
    if b.starts_with(b"APETAGEX") {
        return Kind::Mp3;
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"AVI " {
        return Kind::Avi;
    }
    if b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Kind::Matroska;
    }
    if b.starts_with(b"OggS") {
        return Kind::Ogg;
    }
    if b.starts_with(b"fLaC") {
        return Kind::Flac;
    }
    // MPEG transport streams: a sync byte every 188 bytes (192 in the
    // M2TS files camcorders write).
    let ts = |stride: usize, first: usize| {
        b.len() > first + 3 * stride && (0..4).all(|i| b[first + i * stride] == 0x47)
    };
    if ts(188, 0) || ts(192, 4) {
        return Kind::MpegTs;
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return Kind::Tiff;
    }
    if b.starts_with(b"BM") && b.len() >= 14 {
        return Kind::Bmp;
    }
    if b.starts_with(b"%PDF-") {
        return Kind::Pdf;
    }
    // Office files: the old binary formats (Word 97–2003, Excel, PowerPoint,
    // Publisher: an OLE2 compound file), RTF, and the zipped ones (Office
    // Open XML, OpenDocument).
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) || b.starts_with(b"{\\rtf")
    {
        return Kind::Office;
    }
    if b.starts_with(b"PK\x03\x04") {
        let head = &b[..b.len().min(SNIFF_BYTES)];
        let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
        if has(b"[Content_Types].xml")
            || has(b"application/vnd.oasis.opendocument")
            || has(b"word/document.xml")
            || has(b"xl/workbook.xml")
            || has(b"ppt/presentation.xml")
        {
            return Kind::Office;
        }
        return Kind::Zip;
    }
    // PDF readers accept a header anywhere in the first kilobyte (some
    // mail systems and scanners put bytes before it).
    if memchr::memmem::find(&b[..b.len().min(1024)], b"%PDF-").is_some() {
        return Kind::Pdf;
    }
    let head = String::from_utf8_lossy(&b[..b.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("webvtt") {
        return Kind::WebVtt;
    }
    // SubRip: a cue number, then "00:00:01,000 --> 00:00:04,000".
    let mut lines = head.lines();
    if lines
        .next()
        .is_some_and(|l| !l.trim().is_empty() && l.trim().bytes().all(|c| c.is_ascii_digit()))
        && lines
            .next()
            .is_some_and(|l| l.contains("-->") && l.contains(':'))
    {
        return Kind::Srt;
    }
    if head.contains("<svg") {
        return Kind::Svg;
    }
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Kind::Html;
    }
    Kind::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_bytes_not_name() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Kind::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Kind::Png);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Kind::Heif);
        assert_eq!(sniff(b"\0\0\0\x18ftypavif\0\0\0\0"), Kind::Avif);
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), Kind::Html);
        assert_eq!(sniff(b"<?xml version='1.0'?><svg xmlns="), Kind::Svg);
        assert_eq!(sniff(b""), Kind::Empty);
        assert_eq!(sniff(b"hello"), Kind::Unknown);
        assert_eq!(sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"), Kind::Office);
        assert_eq!(sniff(b"{\\rtf1\\ansi Dear parents"), Kind::Office);
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\0\0\x08\0[Content_Types].xml"),
            Kind::Office
        );
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\0\0\0\0mimetypeapplication/vnd.oasis.opendocument.text"),
            Kind::Office
        );
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0\0\0photos/a.jpg"), Kind::Zip);
        assert_eq!(sniff(b"From: scanner\r\n\r\n%PDF-1.4\n"), Kind::Pdf);
        assert_eq!(
            sniff(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"),
            Kind::WebVtt
        );
        assert_eq!(sniff(b"1\n00:00:01,000 --> 00:00:02,000\nHi\n"), Kind::Srt);
        assert_eq!(sniff(b"ID3\x03\0\0\0\0\0\0"), Kind::Mp3);
        assert_eq!(sniff(b"\0\0\0\x18ftypqt  \0\0\0\0"), Kind::Mov);
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), Kind::Mp4);
        assert_eq!(sniff(b"\x1A\x45\xDF\xA3\x01"), Kind::Matroska);
    }

    #[test]
    fn extension_checks() {
        assert!(Kind::Jpeg.accepts_extension("JPEG"));
        assert!(!Kind::Png.accepts_extension("jpg"));
    }
}
