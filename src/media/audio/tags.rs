//! The tags audio files carry: ID3v2 (in MP3 files, and in WAV files
//! as an `id3 ` chunk), ID3v1 and its enhanced form, APE and Lyrics3.
//! Read only to say what was removed with them.

use super::super::Refusal;
use super::super::bytes::{be16, be32, le16, le32};
use super::corrupt;
use super::mp3::MP3;

/// A tag found in an MP3: what it is, how long, what it held.
pub(super) struct Tag {
    pub what: &'static str,
    pub len: usize,
    pub found: Vec<String>,
}

impl Tag {
    pub fn new(what: &'static str, len: usize, found: Vec<String>) -> Tag {
        Tag { what, len, found }
    }
}

// ---------------------------------------------------------------------
// ID3v2

/// A tag header or footer: major version, flags and the size after the
/// header (footer excluded).
pub(super) fn id3v2_header(h: &[u8], magic: &[u8; 3]) -> Option<(u8, u8, usize)> {
    let h = h.get(..10)?;
    if !h.starts_with(magic) {
        return None;
    }
    let (major, minor, flags) = (h[3], h[4], h[5]);
    if !(2..=4).contains(&major) || minor == 0xFF {
        return None;
    }
    let size = syncsafe(h.get(6..10)?)?;
    Some((major, flags, size))
}

/// A 28-bit size written 7 bits to a byte (top bits clear).
fn syncsafe(b: &[u8]) -> Option<usize> {
    let b = b.get(..4)?;
    if b.iter().any(|&x| x & 0x80 != 0) {
        return None;
    }
    Some(b.iter().fold(0, |n, &x| (n << 7) | usize::from(x)))
}

/// The ID3v2 tag that starts at `pos` and must end by `end`.
pub(super) fn id3v2_at(input: &[u8], pos: usize, end: usize) -> Result<Tag, Refusal> {
    let rest = input.get(pos..end).unwrap_or_default();
    let Some((major, flags, size)) = id3v2_header(rest, b"ID3") else {
        return Err(corrupt(MP3, "its ID3 tag is damaged"));
    };
    let footer = if major == 4 && flags & 0x10 != 0 {
        10
    } else {
        0
    };
    let len = 10 + size + footer;
    let Some(body) = rest.get(10..10 + size).filter(|_| len <= rest.len()) else {
        return Err(corrupt(MP3, "its ID3 tag says it is longer than the file"));
    };
    Ok(Tag::new("ID3v2 tag", len, id3v2_found(major, flags, body)))
}

/// An ID3v2 tag appended at the end of `region`, found by its footer.
pub(super) fn id3v2_from_footer(region: &[u8], footer: &[u8]) -> Result<Tag, Refusal> {
    let Some((_, _, size)) = id3v2_header(footer, b"3DI") else {
        return Err(corrupt(MP3, "its ID3 tag at the end is damaged"));
    };
    let len = size + 20;
    let Some(at) = region.len().checked_sub(len) else {
        return Err(corrupt(MP3, "its ID3 tag says it is longer than the file"));
    };
    match id3v2_header(region.get(at..).unwrap_or_default(), b"ID3") {
        Some((major, flags, head_size)) if head_size == size => {
            let body = region.get(at + 10..at + 10 + size).unwrap_or_default();
            Ok(Tag::new("ID3v2 tag", len, id3v2_found(major, flags, body)))
        }
        _ => Err(corrupt(MP3, "its ID3 tag at the end is damaged")),
    }
}

/// What an ID3v2 tag's frames held, in plain words. `body` is the tag
/// after its 10-byte header. Only sizes are read; nothing is decoded
/// beyond what names a frame.
pub(super) fn id3v2_found(major: u8, flags: u8, body: &[u8]) -> Vec<String> {
    // Version 2.2 and 2.3 unsynchronise the whole tag, frame headers
    // included; 2.4 frame sizes count the stored bytes.
    let undone;
    let body = if major < 4 && flags & 0x80 != 0 {
        undone = undo_unsynchronisation(body);
        undone.as_slice()
    } else {
        body
    };
    if major == 2 && flags & 0x40 != 0 {
        // A compressed 2.2 tag: no known way to read it.
        return Vec::new();
    }
    let mut pos = 0;
    if major > 2 && flags & 0x40 != 0 {
        // Extended header: in 2.3 its size leaves itself out, in 2.4 not.
        let ext = match major {
            3 => be32(body, 0).map(|n| (n as usize).saturating_add(4)),
            _ => syncsafe(body),
        };
        match ext {
            Some(n) => pos = n,
            None => return Vec::new(),
        }
    }
    let (id_len, header_len) = if major == 2 { (3, 6) } else { (4, 10) };
    let mut found: Vec<String> = Vec::new();
    while let Some(header) = body.get(pos..pos.saturating_add(header_len)) {
        let id = &header[..id_len];
        if !id
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            break; // padding, or the end of what can be read
        }
        let size = match major {
            2 => Some(
                header[3..6]
                    .iter()
                    .fold(0, |n, &x| (n << 8) | usize::from(x)),
            ),
            3 => be32(header, 4).map(|n| n as usize),
            _ => syncsafe(&header[4..8]),
        };
        let start = pos + header_len;
        let Some(data) = size.and_then(|s| body.get(start..start.checked_add(s)?)) else {
            break;
        };
        if let Some(meaning) = id3_frame_meaning(id, data)
            && !found.iter().any(|f| f == meaning)
        {
            found.push(meaning.to_string());
        }
        pos = start + data.len();
    }
    found
}

/// Bytes with every 0xFF 0x00 turned back into 0xFF.
fn undo_unsynchronisation(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut after_ff = false;
    for &x in b {
        if !(after_ff && x == 0) {
            out.push(x);
        }
        after_ff = x == 0xFF;
    }
    out
}

/// What an ID3v2 (or v2.2) frame holds, in plain words, when it matters
/// for privacy and is not empty.
fn id3_frame_meaning(id: &[u8], data: &[u8]) -> Option<&'static str> {
    // Past the text-encoding byte, nothing but zeros: an empty frame.
    if data.get(1..).is_none_or(|d| d.iter().all(|&b| b == 0)) {
        return None;
    }
    Some(match id {
        b"TIT2" | b"TT2" => "title",
        b"TPE1" | b"TPE2" | b"TPE3" | b"TPE4" | b"TCOM" | b"TEXT" | b"TOLY" | b"TOPE" | b"TIPL"
        | b"TMCL" | b"IPLS" | b"TP1" | b"TP2" | b"TP3" | b"TP4" | b"TCM" | b"TXT" | b"TOL"
        | b"TOA" | b"IPL" => "artist name",
        b"COMM" | b"COM" => "comment",
        b"TDRC" | b"TYER" | b"TDAT" | b"TIME" | b"TRDA" | b"TDOR" | b"TORY" | b"TDRL" | b"TDEN"
        | b"TDTG" | b"TYE" | b"TDA" | b"TIM" | b"TRD" | b"TOR" => "date",
        b"APIC" | b"PIC" => "cover picture",
        b"USLT" | b"SYLT" | b"ULT" | b"SLT" => "lyrics",
        b"PRIV" | b"GEOB" | b"GEO" => "private data",
        b"TSSE" | b"TSS" => "software",
        b"TXXX" | b"TXX" => return user_text_meaning(data),
        _ => return None,
    })
}

/// A user-defined text frame (TXXX) named by its description, as
/// ffmpeg writes a comment ("comment") or a date.
fn user_text_meaning(data: &[u8]) -> Option<&'static str> {
    let (&encoding, text) = data.split_first()?;
    let description = id3_text(encoding, text).to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| description.contains(w));
    if has(&["comment", "description"]) {
        Some("comment")
    } else if has(&["artist", "composer", "performer", "author"]) {
        Some("artist name")
    } else if has(&["title"]) {
        Some("title")
    } else if has(&["date", "year", "time"]) {
        Some("date")
    } else if has(&["lyric"]) {
        Some("lyrics")
    } else {
        None
    }
}

/// The first string of an ID3v2 text field, up to its terminator.
fn id3_text(encoding: u8, b: &[u8]) -> String {
    match encoding {
        1 | 2 => {
            let mut big_endian = encoding == 2;
            let mut b = b;
            if b.starts_with(&[0xFF, 0xFE]) {
                big_endian = false;
                b = &b[2..];
            } else if b.starts_with(&[0xFE, 0xFF]) {
                big_endian = true;
                b = &b[2..];
            }
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|p| {
                    let read = if big_endian { be16 } else { le16 };
                    read(p, 0).unwrap_or_default()
                })
                .take_while(|&u| u != 0)
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => {
            let text = b.split(|&x| x == 0).next().unwrap_or_default();
            String::from_utf8_lossy(text).into_owned()
        }
    }
}

// ---------------------------------------------------------------------
// ID3v1, APE, Lyrics3

/// Whether a fixed-width text field holds anything.
pub(super) fn filled(field: Option<&[u8]>) -> bool {
    field.is_some_and(|f| f.iter().any(|&b| b != 0 && b != b' '))
}

/// What an ID3v1 tag held: title, artist, album, year, comment.
pub(super) fn id3v1_found(tag: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (range, what) in [
        (3..33, "title"),
        (33..63, "artist name"),
        (93..97, "date"),
        (97..125, "comment"),
    ] {
        if filled(tag.get(range)) {
            found.push(what.to_string());
        }
    }
    found
}

/// What an enhanced ID3v1 tag ("TAG+") held.
pub(super) fn id3v1_plus_found(tag: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (range, what) in [(4..64, "title"), (64..124, "artist name")] {
        if filled(tag.get(range)) {
            found.push(what.to_string());
        }
    }
    found
}

/// An APE tag ending `region` with the 32-byte `footer`, and its header
/// when it has one.
pub(super) fn ape_from_footer(region: &[u8], footer: &[u8]) -> Result<Tag, Refusal> {
    let (size, flags) = ape_size_flags(footer)?;
    let header = if flags & (1 << 31) != 0 { 32 } else { 0 };
    let len = size.saturating_add(header);
    let Some(at) = region.len().checked_sub(len) else {
        return Err(corrupt(MP3, "its APE tag says it is longer than the file"));
    };
    if header > 0 && !region.get(at..).is_some_and(|t| t.starts_with(b"APETAGEX")) {
        return Err(corrupt(MP3, "its APE tag is damaged"));
    }
    let items = region
        .get(at + header..region.len() - 32)
        .unwrap_or_default();
    Ok(Tag::new("APE tag", len, ape_found(items)))
}

/// An APE tag that starts with its header at the start of `rest`.
pub(super) fn ape_from_header(rest: &[u8]) -> Result<Tag, Refusal> {
    let (size, flags) = ape_size_flags(rest)?;
    if flags & (1 << 29) == 0 {
        return Err(corrupt(MP3, "its APE tag is damaged"));
    }
    let len = size.saturating_add(32);
    let Some(tag) = rest.get(..len) else {
        return Err(corrupt(MP3, "its APE tag says it is longer than the file"));
    };
    let items = tag.get(32..len - 32).unwrap_or_default();
    Ok(Tag::new("APE tag", len, ape_found(items)))
}

/// The size (items and footer) and flags of an APE header or footer.
fn ape_size_flags(h: &[u8]) -> Result<(usize, usize), Refusal> {
    match (
        le32(h, 12).map(|n| n as usize),
        le32(h, 20).map(|n| n as usize),
    ) {
        (Some(size), Some(flags)) if size >= 32 => Ok((size, flags)),
        _ => Err(corrupt(MP3, "its APE tag is damaged")),
    }
}

/// What an APE tag's items held, by their keys.
fn ape_found(mut items: &[u8]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    while let (Some(size), Some(rest)) = (le32(items, 0).map(|n| n as usize), items.get(8..)) {
        let Some(key_len) = rest.iter().position(|&b| b == 0) else {
            break;
        };
        let key = String::from_utf8_lossy(&rest[..key_len]).to_lowercase();
        let Some(value) = rest.get(key_len + 1..).and_then(|v| v.get(..size)) else {
            break;
        };
        let meaning = match key.as_str() {
            "title" => Some("title"),
            "artist" | "album artist" | "composer" | "conductor" => Some("artist name"),
            "comment" => Some("comment"),
            "year" | "date" | "record date" => Some("date"),
            "lyrics" | "unsyncedlyrics" => Some("lyrics"),
            k if k.starts_with("cover art") => Some("cover picture"),
            _ => None,
        };
        if let Some(meaning) = meaning
            && filled(Some(value))
            && !found.iter().any(|f| f == meaning)
        {
            found.push(meaning.to_string());
        }
        items = rest.get(key_len + 1 + size..).unwrap_or_default();
    }
    found
}

/// A Lyrics3 v2 tag ending `region`: "LYRICSBEGIN", fields, a six-digit
/// size, "LYRICS200".
pub(super) fn lyrics3_v2(region: &[u8]) -> Result<Tag, Refusal> {
    let size_at = region.len().saturating_sub(15);
    let Some(size) = region.get(size_at..size_at + 6).and_then(decimal) else {
        return Err(corrupt(MP3, "its Lyrics3 tag is damaged"));
    };
    let len = size + 15;
    let Some(at) = region.len().checked_sub(len) else {
        return Err(corrupt(
            MP3,
            "its Lyrics3 tag says it is longer than the file",
        ));
    };
    let Some(fields) = region
        .get(at..size_at)
        .and_then(|t| t.strip_prefix(b"LYRICSBEGIN"))
    else {
        return Err(corrupt(MP3, "its Lyrics3 tag is damaged"));
    };
    let mut found: Vec<String> = Vec::new();
    let mut rest = fields;
    // Each field: a three-letter name, a five-digit size, the value.
    while let (Some(id), Some(n)) = (rest.get(..3), rest.get(3..8).and_then(decimal)) {
        let Some(value) = rest.get(8..8 + n) else {
            break;
        };
        let meaning = match id {
            b"LYR" => Some("lyrics"),
            b"ETT" => Some("title"),
            b"EAR" | b"AUT" => Some("artist name"),
            b"INF" => Some("comment"),
            _ => None,
        };
        if let Some(meaning) = meaning
            && filled(Some(value))
            && !found.iter().any(|f| f == meaning)
        {
            found.push(meaning.to_string());
        }
        rest = &rest[8 + n..];
    }
    Ok(Tag::new("Lyrics3 tag", len, found))
}

/// A Lyrics3 v1 tag ending `region`: "LYRICSBEGIN", up to 5100 bytes of
/// lyrics, "LYRICSEND".
pub(super) fn lyrics3_v1(region: &[u8]) -> Result<Tag, Refusal> {
    let marker_at = region.len().saturating_sub(9);
    let from = marker_at.saturating_sub(5100 + 11);
    let body = region.get(from..marker_at).unwrap_or_default();
    match memchr::memmem::rfind(body, b"LYRICSBEGIN") {
        Some(i) => Ok(Tag::new(
            "Lyrics3 tag",
            region.len() - (from + i),
            vec!["lyrics".to_string()],
        )),
        None => Err(corrupt(MP3, "its Lyrics3 tag is damaged")),
    }
}

/// A size written in ASCII digits.
fn decimal(b: &[u8]) -> Option<usize> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &d| n * 10 + usize::from(d - b'0')))
}
