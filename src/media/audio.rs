//! MP3 and WAV audio: cleaned without re-encoding, as pieces of the input
//! (the audio itself is never copied).
//!
//! MP3: kept are the MPEG audio frames alone, walked one by one from
//! their headers; a Xing/Info/VBRI frame at the start is an audio frame
//! and stays (it may name the encoder, "LAME3.100", but nothing about the
//! recording or who made it).
//! Everything else goes: ID3v2 tags (any number at the start, one
//! appended at the end with its footer, and any between frames where
//! files were joined), ID3v1 and enhanced ID3v1 ("TAG+"), APEv1/APEv2 tags,
//! Lyrics3 tags, zero padding, and up to [`STRAY_LIMIT`] stray bytes
//! between frames. More than that between frames is refused: bytes that
//! are neither audio nor a known tag are never published. A free-format
//! stream (no bitrate in its headers) cannot be walked, so is refused.
//!
//! WAV: kept are the `fmt ` chunk as it is, the `fact` chunk's sample
//! count and the `data` chunk, under a fresh RIFF header. Every other
//! chunk goes: LIST/INFO (title, artist, comment, date, software), `bext`
//! (broadcast originator and date), iXML, ID3, XMP (`_PMX`), cue points,
//! sampler and peak data, padding, unknown chunks, and anything after the
//! RIFF chunk. RF64/BW64 (WAV files over 4 GB) and streamed WAV files
//! whose data size was never filled in are refused.

use super::{Pieces, Refusal, Removed, RemovedLog};

const MP3: &str = "MP3";
const WAV: &str = "WAV";

/// The most bytes of unknown data tolerated (and dropped) between two
/// audio frames, or after the last one.
const STRAY_LIMIT: usize = 4;

fn corrupt(format: &'static str, detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format,
        detail: detail.into(),
    }
}

/// A tag found in an MP3: what it is, how long, what it held.
struct Tag {
    what: &'static str,
    len: usize,
    found: Vec<String>,
}

impl Tag {
    fn new(what: &'static str, len: usize, found: Vec<String>) -> Tag {
        Tag { what, len, found }
    }
}

// ---------------------------------------------------------------------
// MP3

/// MP3: the audio frames alone, without ID3v2, ID3v1, APE or Lyrics3 tags.
pub(super) fn strip_mp3(input: &[u8]) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    let mut removed = RemovedLog::default();

    // Tags at the start: ID3v2, possibly several.
    let mut start = 0;
    while input
        .get(start..)
        .is_some_and(|rest| rest.starts_with(b"ID3"))
    {
        let tag = id3v2_at(input, start, input.len())?;
        start += tag.len;
        removed.add_found(tag.what, tag.len, tag.found);
    }

    // Tags at the end, found from their footers, outermost first.
    let mut end = input.len();
    let mut trailing = Vec::new();
    while let Some(tag) = trailing_tag(input, start, end)? {
        end -= tag.len;
        trailing.push(tag);
    }

    if start >= end {
        return Err(corrupt(MP3, "it has no audio in it"));
    }

    let mut out = Pieces::new(input);
    let walk = walk_frames(input, start, end, &mut out, &mut removed)?;
    if walk.frames == 0 {
        return Err(corrupt(MP3, "it has no audio in it"));
    }
    if ends_like_a_tag(&out) {
        // A frame cut short and a tag's remains inside its length: what
        // is audio and what is not cannot be told apart.
        return Err(corrupt(
            MP3,
            "its last audio frame ends in what looks like a tag (the file may have been cut short)",
        ));
    }
    if walk.padding > 0 {
        removed.add("padding", walk.padding);
    }
    if walk.stray > 0 {
        removed.add("stray bytes between audio frames", walk.stray);
    }
    for tag in trailing.into_iter().rev() {
        removed.add_found(tag.what, tag.len, tag.found);
    }
    Ok((out, removed.finish()))
}

/// Whether the clean audio's last bytes would be taken for a tag: then
/// cleaning it again would not give the same file.
fn ends_like_a_tag(out: &Pieces<'_>) -> bool {
    // The longest reach of a tag's end marker: an enhanced ID3v1 tag.
    const REACH: usize = 227;
    let slices: Vec<&[u8]> = out.slices().collect();
    let mut tail: Vec<u8> = Vec::with_capacity(REACH);
    for s in slices.iter().rev() {
        let take = s.len().min(REACH - tail.len());
        tail.splice(
            0..0,
            s.get(s.len() - take..).unwrap_or_default().iter().copied(),
        );
        if tail.len() == REACH {
            break;
        }
    }
    !matches!(trailing_tag(&tail, 0, tail.len()), Ok(None))
}

/// What walking the frames found besides the frames themselves.
struct Walk {
    frames: usize,
    padding: usize,
    stray: usize,
}

/// Walks the audio frames in `start..end`, adding them to `out` and any
/// tags found between them to `removed`.
fn walk_frames(
    input: &[u8],
    start: usize,
    end: usize,
    out: &mut Pieces<'_>,
    removed: &mut RemovedLog,
) -> Result<Walk, Refusal> {
    let mut walk = Walk {
        frames: 0,
        padding: 0,
        stray: 0,
    };
    // Version, layer and sample rate of the first frame: every later frame
    // must have the same.
    let mut stream: Option<Stream> = None;
    let mut pos = start;
    while pos < end {
        let rest = input.get(pos..end).unwrap_or_default();
        match frame_header(rest) {
            Some(Header::FreeFormat) => return Err(free_format()),
            Some(Header::Frame(frame)) if stream.is_none_or(|s| s == frame.stream) => {
                stream = Some(frame.stream);
                walk.frames += 1;
                // A short final frame is kept as it is: a cut-off recording.
                let frame_end = pos.saturating_add(frame.len).min(end);
                out.extend_from_slice(input.get(pos..frame_end).unwrap_or_default());
                pos = frame_end;
                continue;
            }
            _ => {}
        }
        if let Some(tag) = tag_between_frames(input, pos, end)? {
            pos += tag.len;
            removed.add_found(tag.what, tag.len, tag.found);
            continue;
        }
        let zeros = rest.iter().take_while(|&&b| b == 0).count();
        if zeros > 0 {
            walk.padding += zeros;
            pos += zeros;
            continue;
        }
        match resync(input, pos, end, stream) {
            Some(skip) => {
                walk.stray += skip;
                pos += skip;
            }
            None if end - pos <= STRAY_LIMIT => {
                walk.stray += end - pos;
                pos = end;
            }
            None if walk.frames == 0 => {
                return Err(corrupt(
                    MP3,
                    "after its tags, it does not start with MP3 audio",
                ));
            }
            None => {
                return Err(corrupt(
                    MP3,
                    format!("it has unknown data between its audio frames, at byte {pos}"),
                ));
            }
        }
    }
    Ok(walk)
}

fn free_format() -> Refusal {
    Refusal::Unsupported {
        format: "a free-format MP3 audio file (one without a bitrate in its headers)",
        fix: "convert it to an ordinary MP3, for example ffmpeg -i INPUT.mp3 -b:a 192k OUTPUT.mp3",
    }
}

/// Where the next frame starts when up to [`STRAY_LIMIT`] bytes of junk
/// sit at `pos`: the number of bytes to skip. The frame found must match
/// the stream, or, before the first frame, be followed by another frame,
/// a tag or the end.
fn resync(input: &[u8], pos: usize, end: usize, stream: Option<Stream>) -> Option<usize> {
    (1..=STRAY_LIMIT).find(|&skip| {
        let p = pos + skip;
        let Some(Header::Frame(frame)) = input.get(p..end).and_then(frame_header) else {
            return false;
        };
        if stream.is_some_and(|s| s != frame.stream) {
            return false;
        }
        if stream.is_some() {
            // The stream is known: a frame of it is evidence enough.
            return true;
        }
        // At the start, the frame must be followed by another.
        let next = p.saturating_add(frame.len);
        if next == end {
            return true;
        }
        let Some(after) = input.get(next..end) else {
            return false;
        };
        match frame_header(after) {
            Some(Header::Frame(f)) => f.stream == frame.stream,
            _ => TAG_STARTS.iter().any(|t| after.starts_with(t)),
        }
    })
}

/// How the tags that may sit between frames start.
const TAG_STARTS: [&[u8]; 3] = [b"ID3", b"TAG", b"APETAGEX"];

/// The version, layer and sample rate of a frame: the same in every frame
/// of one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stream {
    version: u8,
    layer: u8,
    rate: u32,
}

struct Frame {
    stream: Stream,
    /// The frame's length in bytes, header included.
    len: usize,
}

enum Header {
    Frame(Frame),
    /// A valid header with no bitrate: the frame's length cannot be told.
    FreeFormat,
}

/// Kilobits per second, by bitrate index 1–14.
const BITRATES_V1_L1: [u32; 14] = [
    32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
];
const BITRATES_V1_L2: [u32; 14] = [
    32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
];
const BITRATES_V1_L3: [u32; 14] = [
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
];
const BITRATES_V2_L1: [u32; 14] = [
    32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
];
const BITRATES_V2_L23: [u32; 14] = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/// Reads the MPEG audio frame header at the start of `b`: 11 sync bits,
/// then version, layer, bitrate, sample rate and padding.
fn frame_header(b: &[u8]) -> Option<Header> {
    let &[b0, b1, b2, b3] = b.get(..4)? else {
        return None;
    };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1.
    let version = (b1 >> 3) & 3;
    // 0: reserved, 1: layer III, 2: layer II, 3: layer I.
    let layer = (b1 >> 1) & 3;
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = (b2 >> 2) & 3;
    let padding = u32::from((b2 >> 1) & 1);
    if version == 1 || layer == 0 || bitrate_index == 15 || rate_index == 3 || b3 & 3 == 2 {
        return None;
    }
    let base = [44_100, 48_000, 32_000][usize::from(rate_index)];
    let rate = match version {
        3 => base,
        2 => base / 2,
        _ => base / 4,
    };
    let stream = Stream {
        version,
        layer,
        rate,
    };
    if bitrate_index == 0 {
        return Some(Header::FreeFormat);
    }
    let table = match (version == 3, layer) {
        (true, 3) => &BITRATES_V1_L1,
        (true, 2) => &BITRATES_V1_L2,
        (true, _) => &BITRATES_V1_L3,
        (false, 3) => &BITRATES_V2_L1,
        (false, _) => &BITRATES_V2_L23,
    };
    let bitrate = table.get(bitrate_index - 1)? * 1000;
    let len = match layer {
        3 => (12 * bitrate / rate + padding) * 4,
        2 => 144 * bitrate / rate + padding,
        _ if version == 3 => 144 * bitrate / rate + padding,
        _ => 72 * bitrate / rate + padding,
    };
    Some(Header::Frame(Frame {
        stream,
        len: len as usize,
    }))
}

/// A tag at a frame boundary between `pos` and `end`: an ID3v2 tag (where
/// files were joined), an APE tag with a header, or an ID3v1 tag.
fn tag_between_frames(input: &[u8], pos: usize, end: usize) -> Result<Option<Tag>, Refusal> {
    let rest = input.get(pos..end).unwrap_or_default();
    if rest.starts_with(b"ID3") {
        return id3v2_at(input, pos, end).map(Some);
    }
    if rest.starts_with(b"APETAGEX") {
        return ape_from_header(rest).map(Some);
    }
    if rest.starts_with(b"TAG+") && rest.len() >= 227 {
        return Ok(Some(Tag::new(
            "enhanced ID3v1 tag",
            227,
            id3v1_plus_found(rest),
        )));
    }
    if rest.starts_with(b"TAG") && rest.len() >= 128 {
        return Ok(Some(Tag::new("ID3v1 tag", 128, id3v1_found(rest))));
    }
    Ok(None)
}

/// The outermost tag that ends at `end` and starts no earlier than
/// `start`, known by its footer: ID3v1 (and the enhanced tag before it),
/// APE, Lyrics3 or an appended ID3v2 tag.
fn trailing_tag(input: &[u8], start: usize, end: usize) -> Result<Option<Tag>, Refusal> {
    let Some(region) = input.get(start..end) else {
        return Ok(None);
    };
    let tail = |n: usize| region.len().checked_sub(n).and_then(|at| region.get(at..));

    if let Some(tag) = tail(128).filter(|t| t.starts_with(b"TAG")) {
        return Ok(Some(Tag::new("ID3v1 tag", 128, id3v1_found(tag))));
    }
    // The enhanced tag sits just before an ID3v1 tag, which the last
    // round removed.
    if let Some(tag) = tail(227).filter(|t| t.starts_with(b"TAG+")) {
        return Ok(Some(Tag::new(
            "enhanced ID3v1 tag",
            227,
            id3v1_plus_found(tag),
        )));
    }
    if let Some(footer) = tail(32).filter(|t| t.starts_with(b"APETAGEX")) {
        return ape_from_footer(region, footer).map(Some);
    }
    if let Some(marker) = tail(9) {
        if marker == b"LYRICS200" {
            return lyrics3_v2(region).map(Some);
        }
        if marker == b"LYRICSEND" {
            return lyrics3_v1(region).map(Some);
        }
    }
    if let Some(footer) = tail(10).filter(|t| t.starts_with(b"3DI")) {
        return id3v2_from_footer(region, footer).map(Some);
    }
    Ok(None)
}

// ---------------------------------------------------------------------
// ID3v2

/// A tag header or footer: major version, flags and the size after the
/// header (footer excluded).
fn id3v2_header(h: &[u8], magic: &[u8; 3]) -> Option<(u8, u8, usize)> {
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

fn u32_be(b: &[u8]) -> Option<usize> {
    let b: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some(u32::from_be_bytes(b) as usize)
}

fn u32_le(b: &[u8]) -> Option<usize> {
    let b: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b) as usize)
}

fn u16_le(b: &[u8]) -> Option<u16> {
    let b: [u8; 2] = b.get(..2)?.try_into().ok()?;
    Some(u16::from_le_bytes(b))
}

/// The ID3v2 tag that starts at `pos` and must end by `end`.
fn id3v2_at(input: &[u8], pos: usize, end: usize) -> Result<Tag, Refusal> {
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
fn id3v2_from_footer(region: &[u8], footer: &[u8]) -> Result<Tag, Refusal> {
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
fn id3v2_found(major: u8, flags: u8, body: &[u8]) -> Vec<String> {
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
            3 => u32_be(body).map(|n| n.saturating_add(4)),
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
            3 => u32_be(&header[4..8]),
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
                    if big_endian {
                        u16::from_be_bytes([p[0], p[1]])
                    } else {
                        u16::from_le_bytes([p[0], p[1]])
                    }
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
fn filled(field: Option<&[u8]>) -> bool {
    field.is_some_and(|f| f.iter().any(|&b| b != 0 && b != b' '))
}

/// What an ID3v1 tag held: title, artist, album, year, comment.
fn id3v1_found(tag: &[u8]) -> Vec<String> {
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
fn id3v1_plus_found(tag: &[u8]) -> Vec<String> {
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
fn ape_from_footer(region: &[u8], footer: &[u8]) -> Result<Tag, Refusal> {
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
fn ape_from_header(rest: &[u8]) -> Result<Tag, Refusal> {
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
        h.get(12..16).and_then(u32_le),
        h.get(20..24).and_then(u32_le),
    ) {
        (Some(size), Some(flags)) if size >= 32 => Ok((size, flags)),
        _ => Err(corrupt(MP3, "its APE tag is damaged")),
    }
}

/// What an APE tag's items held, by their keys.
fn ape_found(mut items: &[u8]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    while let (Some(size), Some(rest)) = (items.get(..4).and_then(u32_le), items.get(8..)) {
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
fn lyrics3_v2(region: &[u8]) -> Result<Tag, Refusal> {
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
fn lyrics3_v1(region: &[u8]) -> Result<Tag, Refusal> {
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

// ---------------------------------------------------------------------
// WAV

fn rf64() -> Refusal {
    Refusal::Unsupported {
        format: "a WAV file in the RF64/BW64 form for recordings over 4 GB, or one written as a stream whose size was never filled in",
        fix: "convert it to an ordinary WAV or to MP3, for example ffmpeg -i INPUT.wav OUTPUT.mp3 (or export a shorter recording)",
    }
}

/// WAV: the format and audio data alone, without LIST/INFO and other chunks.
pub(super) fn strip_wav(input: &[u8]) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    let Some(head) = input.get(..12) else {
        return Err(corrupt(WAV, "it is too short to be a WAV file"));
    };
    match &head[..4] {
        b"RIFF" => {}
        b"RF64" | b"BW64" => return Err(rf64()),
        b"RIFX" => {
            return Err(Refusal::Unsupported {
                format: "a big-endian WAV (RIFX) file",
                fix: "convert it to an ordinary WAV or to MP3, for example ffmpeg -i INPUT.wav OUTPUT.mp3",
            });
        }
        _ => return Err(corrupt(WAV, "it does not start with a RIFF header")),
    }
    if &head[8..12] != b"WAVE" {
        return Err(corrupt(WAV, "it is a RIFF file but not a WAVE"));
    }
    let riff_size = u32_le(&head[4..8]).unwrap_or_default();
    if riff_size == 0xFFFF_FFFF {
        return Err(rf64());
    }
    let riff_end = riff_size.saturating_add(8);
    if riff_end > input.len() {
        return Err(corrupt(
            WAV,
            "it is shorter than its RIFF header says (truncated)",
        ));
    }

    let mut removed = RemovedLog::default();
    let mut fmt: Option<&[u8]> = None;
    let mut fact: Option<&[u8]> = None;
    let mut data: Option<&[u8]> = None;
    let mut pos = 12;
    while pos < riff_end {
        let Some(header) = input.get(pos..pos + 8).filter(|_| pos + 8 <= riff_end) else {
            removed.add("stray bytes at the end", riff_end - pos);
            pos = riff_end;
            break;
        };
        let id = &header[..4];
        let size = u32_le(&header[4..8]).unwrap_or_default();
        if id == b"data" && size == 0xFFFF_FFFF {
            return Err(rf64());
        }
        let body_end = (pos + 8).saturating_add(size);
        let Some(body) = input
            .get(pos + 8..body_end)
            .filter(|_| body_end <= riff_end)
        else {
            return Err(corrupt(
                WAV,
                format!(
                    "its {} chunk runs past the end of the file (truncated)",
                    chunk_name(id)
                ),
            ));
        };
        // Chunks are padded to an even length; the pad byte may be missing
        // at the very end of the file.
        let next = (body_end + (size & 1)).min(input.len());
        let chunk_len = next - pos;
        match id {
            b"fmt " => {
                if fmt.is_some() {
                    return Err(corrupt(WAV, "it has two format chunks"));
                }
                check_format(body)?;
                fmt = Some(body);
            }
            b"data" => {
                if fmt.is_none() {
                    return Err(corrupt(WAV, "its audio data comes before its format chunk"));
                }
                if data.is_some() {
                    return Err(corrupt(WAV, "it has two data chunks"));
                }
                data = Some(body);
            }
            b"fact" if fact.is_none() && body.len() >= 4 => {
                // Only the sample count is kept.
                fact = body.get(..4);
                if body.len() > 4 {
                    removed.add("extra data in the fact chunk", body.len() - 4);
                }
            }
            b"LIST" => {
                let (what, found) = list_contents(body);
                removed.add_found(what, chunk_len, found);
            }
            b"bext" => removed.add_found("broadcast extension (bext)", chunk_len, bext_found(body)),
            b"id3 " | b"ID3 " => {
                let found = id3v2_header(body, b"ID3")
                    .map(|(major, flags, size)| {
                        let tag = body.get(10..).unwrap_or_default();
                        id3v2_found(major, flags, tag.get(..size).unwrap_or(tag))
                    })
                    .unwrap_or_default();
                removed.add_found("ID3 tag", chunk_len, found);
            }
            _ => removed.add(chunk_what(id), chunk_len),
        }
        pos = next;
    }
    let after = pos.max(riff_end);
    if after < input.len() {
        removed.add("data after the end of the audio", input.len() - after);
    }

    let Some(fmt) = fmt else {
        return Err(corrupt(WAV, "it has no format chunk"));
    };
    let Some(data) = data else {
        return Err(corrupt(WAV, "it has no data chunk"));
    };
    if data.is_empty() {
        return Err(corrupt(WAV, "it has no audio in it"));
    }

    let padded = |n: usize| 8 + n + (n & 1);
    let total = 4 + padded(fmt.len()) + fact.map_or(0, |f| padded(f.len())) + padded(data.len());
    let Ok(total) = u32::try_from(total) else {
        return Err(rf64());
    };
    let mut out = Pieces::new(input);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(b"WAVE");
    write_chunk(&mut out, b"fmt ", fmt);
    if let Some(fact) = fact {
        write_chunk(&mut out, b"fact", fact);
    }
    write_chunk(&mut out, b"data", data);
    Ok((out, removed.finish()))
}

/// Writes a chunk: its id, size and body (a slice of the input, so not
/// copied when large), and a pad byte after an odd-sized body.
fn write_chunk<'a>(out: &mut Pieces<'a>, id: &[u8; 4], body: &'a [u8]) {
    out.extend_from_slice(id);
    // Every body came from a chunk with a 32-bit size.
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
}

/// A `fmt ` chunk must give at least the channels, sample rate and block
/// size, none of them zero.
fn check_format(body: &[u8]) -> Result<(), Refusal> {
    let channels = body.get(2..4).and_then(u16_le);
    let rate = body.get(4..8).and_then(u32_le);
    let block = body.get(12..14).and_then(u16_le);
    match (body.len() >= 16, channels, rate, block) {
        (true, Some(c), Some(r), Some(b)) if c > 0 && r > 0 && b > 0 => Ok(()),
        _ => Err(corrupt(WAV, "its format chunk is damaged")),
    }
}

/// A chunk id for a message: its letters, or "unnamed".
fn chunk_name(id: &[u8]) -> String {
    if id.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("'{}'", String::from_utf8_lossy(id).trim_end())
    } else {
        "unnamed".to_string()
    }
}

/// What a removed chunk was, in plain words.
fn chunk_what(id: &[u8]) -> &'static str {
    match id {
        b"fact" => "extra fact chunk",
        b"iXML" => "iXML metadata",
        b"axml" => "XML metadata",
        b"_PMX" => "XMP metadata",
        b"cue " => "cue points",
        b"smpl" => "sampler data",
        b"inst" => "instrument data",
        b"acid" => "loop data",
        b"PEAK" => "peak envelope",
        b"cart" => "broadcast cart data",
        b"DISP" => "display data",
        b"junk" | b"JUNK" | b"PAD " | b"FLLR" | b"fllr" | b"filr" => "padding",
        _ => "unknown chunk",
    }
}

/// What a LIST chunk is and, for LIST/INFO, what it held.
fn list_contents(body: &[u8]) -> (&'static str, Vec<String>) {
    match body.get(..4) {
        Some(b"INFO") => {}
        Some(b"adtl") => return ("cue labels", Vec::new()),
        _ => return ("LIST chunk", Vec::new()),
    }
    let mut found: Vec<String> = Vec::new();
    let mut pos = 4;
    while let (Some(id), Some(size)) = (
        body.get(pos..pos + 4),
        body.get(pos + 4..pos + 8).and_then(u32_le),
    ) {
        let Some(value) = body.get(pos + 8..).and_then(|v| v.get(..size)) else {
            break;
        };
        let meaning = match id {
            b"INAM" => Some("title"),
            b"IART" | b"IENG" | b"ITCH" => Some("artist name"),
            b"ICMT" => Some("comment"),
            b"ICRD" => Some("date"),
            b"ISFT" => Some("software"),
            _ => None,
        };
        if let Some(meaning) = meaning
            && filled(Some(value))
            && !found.iter().any(|f| f == meaning)
        {
            found.push(meaning.to_string());
        }
        pos += 8 + size + (size & 1);
    }
    ("LIST/INFO metadata", found)
}

/// What a broadcast extension chunk held: its description, and who made
/// the recording and when.
fn bext_found(body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    if filled(body.get(256..338)) {
        found.push("originator and date".to_string());
    }
    if filled(body.get(..256.min(body.len()))) {
        found.push("comment".to_string());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::Part;
    use super::*;

    // -----------------------------------------------------------------
    // MP3 fixtures, built by hand.

    /// One MPEG-1 layer III frame, 128 kbit/s at 44.1 kHz: 417 bytes.
    fn frame(seed: u8) -> Vec<u8> {
        let mut f = vec![0xFF, 0xFB, 0x90, 0x64];
        // Odd bytes only, so no tag's name can appear by chance.
        f.extend((0..413u32).map(|i| ((i.wrapping_mul(37) as u8) ^ seed) | 1));
        f
    }

    fn frames(n: u8) -> Vec<u8> {
        (0..n).flat_map(frame).collect()
    }

    fn syncsafe_bytes(n: usize) -> [u8; 4] {
        [
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]
    }

    /// An ID3v2.3 or 2.4 frame.
    fn id3_frame(major: u8, id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut f = id.to_vec();
        if major == 4 {
            f.extend(syncsafe_bytes(data.len()));
        } else {
            f.extend((data.len() as u32).to_be_bytes());
        }
        f.extend([0, 0]);
        f.extend_from_slice(data);
        f
    }

    /// An ID3v2 tag of `frames` (already encoded) and `padding` zeros.
    fn id3_tag(major: u8, flags: u8, frames: &[Vec<u8>], padding: usize) -> Vec<u8> {
        let mut body: Vec<u8> = frames.concat();
        body.extend(vec![0; padding]);
        let mut t = b"ID3".to_vec();
        t.extend([major, 0, flags]);
        t.extend(syncsafe_bytes(body.len()));
        t.extend(&body);
        if major == 4 && flags & 0x10 != 0 {
            t.extend(b"3DI");
            t.extend([major, 0, flags]);
            t.extend(syncsafe_bytes(body.len()));
        }
        t
    }

    fn text(s: &str) -> Vec<u8> {
        let mut v = vec![3];
        v.extend_from_slice(s.as_bytes());
        v
    }

    fn id3v23_with_everything() -> Vec<u8> {
        let mut comm = vec![0, b'e', b'n', b'g', 0];
        comm.extend_from_slice(b"recorded at 51.5N");
        let mut apic = b"\0image/jpeg\0\x03\0".to_vec();
        apic.extend([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        id3_tag(
            3,
            0,
            &[
                id3_frame(3, b"TIT2", &text("Amelia Smith sings")),
                id3_frame(3, b"TPE1", &text("Mrs Jones")),
                id3_frame(3, b"COMM", &comm),
                id3_frame(3, b"APIC", &apic),
            ],
            64,
        )
    }

    fn ape_tag(items: &[(&str, &str)]) -> Vec<u8> {
        let mut body = Vec::new();
        for (k, v) in items {
            body.extend((v.len() as u32).to_le_bytes());
            body.extend(0u32.to_le_bytes());
            body.extend(k.as_bytes());
            body.push(0);
            body.extend(v.as_bytes());
        }
        let size = (body.len() + 32) as u32;
        let head = |flags: u32| {
            let mut h = b"APETAGEX".to_vec();
            h.extend(2000u32.to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((items.len() as u32).to_le_bytes());
            h.extend(flags.to_le_bytes());
            h.extend([0; 8]);
            h
        };
        let mut t = head((1 << 31) | (1 << 29));
        t.extend(body);
        t.extend(head(1 << 31));
        t
    }

    fn id3v1(title: &str, artist: &str) -> Vec<u8> {
        let mut t = b"TAG".to_vec();
        for (s, n) in [(title, 30), (artist, 30), ("", 30), ("2026", 4), ("", 30)] {
            let mut field = s.as_bytes().to_vec();
            field.resize(n, 0);
            t.extend(field);
        }
        t.push(12);
        t
    }

    fn lyrics3v2(lyrics: &str) -> Vec<u8> {
        let mut t = b"LYRICSBEGIN".to_vec();
        t.extend(format!("IND00002{}", "10").as_bytes());
        t.extend(format!("LYR{:05}{lyrics}", lyrics.len()).as_bytes());
        let size = t.len();
        t.extend(format!("{size:06}LYRICS200").as_bytes());
        t
    }

    fn clean_mp3(input: &[u8]) -> Result<(Vec<u8>, Vec<Removed>), Refusal> {
        strip_mp3(input).map(|(p, r)| (p.into_vec(), r))
    }

    fn clean_wav(input: &[u8]) -> Result<(Vec<u8>, Vec<Removed>), Refusal> {
        strip_wav(input).map(|(p, r)| (p.into_vec(), r))
    }

    fn whats(removed: &[Removed]) -> Vec<&str> {
        removed.iter().map(|r| r.what.as_str()).collect()
    }

    fn found(removed: &[Removed]) -> Vec<&str> {
        removed
            .iter()
            .flat_map(|r| r.found.iter().map(String::as_str))
            .collect()
    }

    fn detail(refusal: Refusal) -> String {
        match refusal {
            Refusal::Corrupt { detail, .. } => detail,
            other => panic!("expected a damaged-file refusal, got {other:?}"),
        }
    }

    fn assert_fixed_point_mp3(clean: &[u8]) {
        let (again, removed) = clean_mp3(clean).expect("the clean file is accepted");
        assert_eq!(again, clean);
        assert!(removed.is_empty(), "{removed:?}");
    }

    #[test]
    fn every_mp3_tag_goes_and_exactly_the_frames_stay() {
        let audio = frames(5);
        let mut input = id3v23_with_everything();
        input.extend(&audio);
        input.extend(ape_tag(&[
            ("Title", "Amelia"),
            ("Cover Art (Front)", "x.jpg"),
        ]));
        input.extend(lyrics3v2("la la la"));
        input.extend(id3v1("Amelia Smith sings", "Mrs Jones"));
        let (clean, removed) = clean_mp3(&input).unwrap();
        assert_eq!(clean, audio);
        assert_eq!(
            whats(&removed),
            ["ID3v2 tag", "APE tag", "Lyrics3 tag", "ID3v1 tag"]
        );
        let found = found(&removed);
        for f in [
            "title",
            "artist name",
            "comment",
            "cover picture",
            "lyrics",
            "date",
        ] {
            assert!(found.contains(&f), "{f}: {found:?}");
        }
        let total: usize = removed.iter().map(|r| r.bytes).sum();
        assert_eq!(total, input.len() - audio.len());
        assert_fixed_point_mp3(&clean);
    }

    #[test]
    fn the_audio_is_kept_as_a_range_of_the_input() {
        let mut input = id3v23_with_everything();
        let at = input.len();
        input.extend(frames(3));
        let (pieces, _) = strip_mp3(&input).unwrap();
        assert!(matches!(
            pieces.parts.as_slice(),
            [Part::Input(s, e)] if *s == at && *e == input.len()
        ));
    }

    #[test]
    fn id3v24_with_a_footer_at_both_ends() {
        let audio = frames(3);
        let tag = id3_tag(
            4,
            0x10,
            &[
                id3_frame(4, b"TIT2", &text(&"long title ".repeat(20))),
                id3_frame(4, b"TDRC", &text("2026-07-14")),
            ],
            10,
        );
        let mut input = tag.clone();
        input.extend(&audio);
        input.extend(id3_tag(
            4,
            0x10,
            &[id3_frame(4, b"PRIV", b"com.example\0secret")],
            0,
        ));
        let (clean, removed) = clean_mp3(&input).unwrap();
        assert_eq!(clean, audio);
        assert_eq!(whats(&removed), ["ID3v2 tag (2 blocks)"]);
        assert_eq!(removed[0].bytes, input.len() - audio.len());
        assert_eq!(found(&removed), ["title", "date", "private data"]);
    }

    #[test]
    fn id3v22_and_unsynchronised_tags_are_sized_right() {
        // 2.2: three-letter ids, three-byte sizes.
        let mut v22 = b"ID3\x02\0\0".to_vec();
        let mut body = b"TT2\0\0\x05\0Song".to_vec();
        body.extend(b"TP1\0\0\x04\0Jon");
        body.extend([0; 16]);
        v22.extend(syncsafe_bytes(body.len()));
        v22.extend(&body);
        // 2.3 unsynchronised: a frame holding 0xFF 0xE0, stored as
        // 0xFF 0x00 0xE0, so its stored size is one more than it says.
        let mut unsynced = b"ID3\x03\0\x80".to_vec();
        let mut body = b"APIC\0\0\0\x07\0\0\0i\0\x03\0\xFF\x00\xE0".to_vec();
        body.extend(b"USLT\0\0\0\x0A\0\0\0eng\0la la");
        unsynced.extend(syncsafe_bytes(body.len()));
        unsynced.extend(&body);
        let audio = frames(2);
        let input = [v22, unsynced, audio.clone()].concat();
        let (clean, removed) = clean_mp3(&input).unwrap();
        assert_eq!(clean, audio);
        assert_eq!(
            found(&removed),
            ["title", "artist name", "cover picture", "lyrics"]
        );
    }

    #[test]
    fn ffmpeg_comment_in_a_user_text_frame_is_named() {
        let mut txxx = vec![0];
        txxx.extend(b"comment\0recorded at 51.5N");
        let mut input = id3_tag(3, 0, &[id3_frame(3, b"TXXX", &txxx)], 0);
        input.extend(frames(2));
        let (_, removed) = clean_mp3(&input).unwrap();
        assert_eq!(found(&removed), ["comment"]);
    }

    #[test]
    fn a_tag_longer_than_the_file_is_refused() {
        let mut input = b"ID3\x03\0\0".to_vec();
        input.extend(syncsafe_bytes(5000));
        input.extend(frames(2));
        let d = detail(clean_mp3(&input).unwrap_err());
        assert!(d.contains("longer than the file"), "{d}");

        let mut input = frames(2);
        input.extend(b"APETAGEX");
        input.extend(2000u32.to_le_bytes());
        input.extend(90_000u32.to_le_bytes());
        input.extend([0; 16]);
        let d = detail(clean_mp3(&input).unwrap_err());
        assert!(d.contains("APE tag says it is longer"), "{d}");

        let mut input = frames(2);
        input.extend(b"3DI\x04\0\x10");
        input.extend(syncsafe_bytes(90_000));
        assert!(detail(clean_mp3(&input).unwrap_err()).contains("longer than the file"));
    }

    #[test]
    fn junk_between_frames_is_refused_but_a_stray_byte_is_dropped() {
        let mut input = frame(1);
        input.extend(b"hidden text: Amelia Smith");
        input.extend(frame(2));
        let d = detail(clean_mp3(&input).unwrap_err());
        assert!(d.contains("unknown data between its audio frames"), "{d}");

        let mut input = frame(1);
        input.extend(b"\x55\x66");
        input.extend(frame(2));
        input.extend(b"\x77");
        let (clean, removed) = clean_mp3(&input).unwrap();
        assert_eq!(clean, [frame(1), frame(2)].concat());
        assert_eq!(whats(&removed), ["stray bytes between audio frames"]);
        assert_eq!(removed[0].bytes, 3);

        // Zero padding after a tag is dropped.
        let mut input = id3_tag(3, 0, &[], 8);
        input.extend([0; 100]);
        input.extend(frames(2));
        let (clean, removed) = clean_mp3(&input).unwrap();
        assert_eq!(clean, frames(2));
        assert_eq!(whats(&removed), ["ID3v2 tag", "padding"]);

        // Junk where the audio should start.
        let mut input = id3_tag(3, 0, &[], 8);
        input.extend(b"not audio at all, just text");
        input.extend(frames(2));
        assert!(detail(clean_mp3(&input).unwrap_err()).contains("does not start with MP3"));
    }

    #[test]
    fn a_frame_from_another_stream_is_junk() {
        // MPEG-2 layer III at 22.05 kHz after MPEG-1 frames.
        let mut input = frames(2);
        let mut other = vec![0xFF, 0xF3, 0x90, 0x64];
        other.resize(208, 0x11);
        input.extend(&other);
        input.extend(frames(1));
        assert!(clean_mp3(&input).is_err());
    }

    #[test]
    fn only_tags_is_refused() {
        let mut input = id3v23_with_everything();
        input.extend(id3v1("Amelia", "Jones"));
        assert_eq!(
            detail(clean_mp3(&input).unwrap_err()),
            "it has no audio in it"
        );
        let input = id3_tag(3, 0, &[], 400);
        assert_eq!(
            detail(clean_mp3(&input).unwrap_err()),
            "it has no audio in it"
        );
        let input = [id3_tag(3, 0, &[], 4), vec![0; 50]].concat();
        assert_eq!(
            detail(clean_mp3(&input).unwrap_err()),
            "it has no audio in it"
        );
    }

    #[test]
    fn free_format_is_refused_as_unsupported() {
        let mut input = vec![0xFF, 0xFB, 0x00, 0x64];
        input.resize(500, 0x22);
        assert!(matches!(
            clean_mp3(&input),
            Err(Refusal::Unsupported { .. })
        ));
    }

    #[test]
    fn a_short_final_frame_is_kept() {
        let mut input = frames(3);
        input.truncate(input.len() - 100);
        let (clean, removed) = clean_mp3(&input).unwrap();
        assert_eq!(clean, input);
        assert!(removed.is_empty());
        // Before an ID3v1 tag too.
        let mut tagged = input.clone();
        tagged.extend(id3v1("t", "a"));
        assert_eq!(clean_mp3(&tagged).unwrap().0, input);
    }

    #[test]
    fn frame_lengths_follow_the_header() {
        let len = |h: [u8; 4]| match frame_header(&h) {
            Some(Header::Frame(f)) => f.len,
            _ => 0,
        };
        // MPEG-1 layer III 128 kbit/s 44.1 kHz, with and without padding.
        assert_eq!(len([0xFF, 0xFB, 0x90, 0x00]), 417);
        assert_eq!(len([0xFF, 0xFB, 0x92, 0x00]), 418);
        // MPEG-2 layer III 64 kbit/s 22.05 kHz.
        assert_eq!(len([0xFF, 0xF3, 0x80, 0x00]), 208);
        // MPEG-2.5 layer III 8 kbit/s 8 kHz.
        assert_eq!(len([0xFF, 0xE3, 0x18, 0x00]), 72);
        // MPEG-1 layer II 192 kbit/s 48 kHz.
        assert_eq!(len([0xFF, 0xFD, 0xA4, 0x00]), 576);
        // MPEG-1 layer I 384 kbit/s 44.1 kHz, padded.
        assert_eq!(len([0xFF, 0xFF, 0xC2, 0x00]), 420);
        // Reserved version, layer, bitrate, sample rate, emphasis.
        for bad in [
            [0xFF, 0xEB, 0x90, 0x00],
            [0xFF, 0xF9, 0x90, 0x00],
            [0xFF, 0xFB, 0xF0, 0x00],
            [0xFF, 0xFB, 0x9C, 0x00],
            [0xFF, 0xFB, 0x90, 0x02],
        ] {
            assert!(frame_header(&bad).is_none(), "{bad:02X?}");
        }
    }

    #[test]
    fn every_mp3_truncation_is_handled() {
        let mut input = id3v23_with_everything();
        input.extend(frames(3));
        input.extend(ape_tag(&[("Artist", "Jones")]));
        input.extend(id3v1("a", "b"));
        for cut in 0..input.len() {
            if let Ok((clean, _)) = clean_mp3(&input[..cut]) {
                assert_fixed_point_mp3(&clean);
            }
        }
    }

    // -----------------------------------------------------------------
    // WAV fixtures.

    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend((body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body = chunks.concat();
        let mut w = b"RIFF".to_vec();
        w.extend(((body.len() + 4) as u32).to_le_bytes());
        w.extend(b"WAVE");
        w.extend(body);
        w
    }

    /// PCM, mono, 8 kHz, 8 bits: one byte a sample.
    fn fmt() -> Vec<u8> {
        let mut f = 1u16.to_le_bytes().to_vec();
        f.extend(1u16.to_le_bytes());
        f.extend(8000u32.to_le_bytes());
        f.extend(8000u32.to_le_bytes());
        f.extend(1u16.to_le_bytes());
        f.extend(8u16.to_le_bytes());
        chunk(b"fmt ", &f)
    }

    /// 101 samples: an odd-sized data chunk.
    fn samples() -> Vec<u8> {
        (0..101u32).map(|i| (i * 5) as u8).collect()
    }

    fn info() -> Vec<u8> {
        let mut list = b"INFO".to_vec();
        list.extend(chunk(b"INAM", b"Amelia Smith\0"));
        list.extend(chunk(b"IART", b"Mrs Jones\0"));
        list.extend(chunk(b"ICMT", b"recorded at 51.5N\0"));
        list.extend(chunk(b"ICRD", b"2026-07-14\0"));
        list.extend(chunk(b"ISFT", b"Lavf59\0"));
        chunk(b"LIST", &list)
    }

    fn bext() -> Vec<u8> {
        let mut b = vec![0; 602];
        b[256..265].copy_from_slice(b"Mrs Jones");
        b[320..330].copy_from_slice(b"2026-07-14");
        chunk(b"bext", &b)
    }

    fn wav_with_everything() -> Vec<u8> {
        riff(&[
            chunk(b"JUNK", &[0; 28]),
            bext(),
            fmt(),
            info(),
            chunk(b"odd!", b"abc"),
            chunk(b"fact", &101u32.to_le_bytes()),
            chunk(b"data", &samples()),
            chunk(
                b"id3 ",
                &id3_tag(3, 0, &[id3_frame(3, b"TIT2", &text("x"))], 0),
            ),
            chunk(b"_PMX", b"<x:xmpmeta>Amelia</x:xmpmeta>"),
        ])
    }

    #[test]
    fn a_wav_keeps_only_format_and_data() {
        let input = wav_with_everything();
        let (clean, removed) = clean_wav(&input).unwrap();
        let expected = riff(&[
            fmt(),
            chunk(b"fact", &101u32.to_le_bytes()),
            chunk(b"data", &samples()),
        ]);
        assert_eq!(clean, expected);
        // The RIFF size counts the data chunk's pad byte.
        assert_eq!(clean.len() % 2, 0);
        assert_eq!(
            u32::from_le_bytes(clean[4..8].try_into().unwrap()) as usize,
            clean.len() - 8
        );
        assert_eq!(
            whats(&removed),
            [
                "padding",
                "broadcast extension (bext)",
                "LIST/INFO metadata",
                "unknown chunk",
                "ID3 tag",
                "XMP metadata"
            ]
        );
        let found = found(&removed);
        for f in [
            "title",
            "artist name",
            "comment",
            "date",
            "software",
            "originator and date",
        ] {
            assert!(found.contains(&f), "{f}: {found:?}");
        }
        let total: usize = removed.iter().map(|r| r.bytes).sum();
        assert_eq!(total, input.len() - clean.len());
        let (again, removed) = clean_wav(&clean).unwrap();
        assert_eq!(again, clean);
        assert!(removed.is_empty());
    }

    #[test]
    fn the_wav_data_is_not_copied() {
        let input = wav_with_everything();
        let at = memchr::memmem::find(&input, b"data").unwrap() + 8;
        let (pieces, _) = strip_wav(&input).unwrap();
        assert!(
            pieces
                .parts
                .iter()
                .any(|p| matches!(p, Part::Input(s, e) if *s == at && *e == at + 101)),
        );
    }

    #[test]
    fn a_missing_final_pad_byte_and_trailing_bytes_are_handled() {
        let mut input = riff(&[fmt(), chunk(b"data", &samples())]);
        // Written without the pad byte, the RIFF size not counting it.
        input.pop();
        let size = (input.len() - 8) as u32;
        input[4..8].copy_from_slice(&size.to_le_bytes());
        let (clean, removed) = clean_wav(&input).unwrap();
        assert_eq!(clean, riff(&[fmt(), chunk(b"data", &samples())]));
        assert!(removed.is_empty());
        // Something appended after the RIFF chunk goes.
        let mut appended = clean.clone();
        appended.extend(id3_tag(3, 0, &[id3_frame(3, b"TIT2", &text("x"))], 0));
        let (again, removed) = clean_wav(&appended).unwrap();
        assert_eq!(again, clean);
        assert_eq!(whats(&removed), ["data after the end of the audio"]);
    }

    #[test]
    fn rf64_and_streamed_wavs_are_refused() {
        let mut input = wav_with_everything();
        input[..4].copy_from_slice(b"RF64");
        assert!(matches!(
            clean_wav(&input),
            Err(Refusal::Unsupported { .. })
        ));
        let mut input = riff(&[fmt()]);
        input.extend(b"data\xFF\xFF\xFF\xFF");
        input.extend(samples());
        let size = (input.len() - 8) as u32;
        input[4..8].copy_from_slice(&size.to_le_bytes());
        assert!(matches!(
            clean_wav(&input),
            Err(Refusal::Unsupported { .. })
        ));
    }

    #[test]
    fn damaged_wavs_are_refused() {
        // The data chunk says it is longer than the file.
        let mut input = riff(&[fmt(), chunk(b"data", &samples())]);
        input.truncate(input.len() - 30);
        let size = (input.len() - 8) as u32;
        input[4..8].copy_from_slice(&size.to_le_bytes());
        let d = detail(clean_wav(&input).unwrap_err());
        assert!(d.contains("'data' chunk runs past the end"), "{d}");
        // The file is shorter than the RIFF header says.
        let mut input = riff(&[fmt(), chunk(b"data", &samples())]);
        input.truncate(input.len() - 30);
        assert!(detail(clean_wav(&input).unwrap_err()).contains("truncated"));
        // Data before format, no format, no data, empty data.
        for chunks in [
            vec![chunk(b"data", &samples()), fmt()],
            vec![chunk(b"data", &samples())],
            vec![fmt(), info()],
            vec![fmt(), chunk(b"data", &[])],
            vec![fmt(), fmt(), chunk(b"data", &samples())],
        ] {
            assert!(clean_wav(&riff(&chunks)).is_err());
        }
        assert!(clean_wav(b"RIFF\x04\0\0\0WAVE").is_err());
        assert!(clean_wav(b"RIFF\x04\0\0\0WEBP").is_err());
        assert!(clean_wav(b"RIFF").is_err());
    }

    // -----------------------------------------------------------------
    // Random damage: never a panic, and whatever is accepted comes out
    // as a fixed point.

    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn mutate(rng: &mut Lcg, input: &[u8]) -> Vec<u8> {
        let mut v = input.to_vec();
        for _ in 0..=rng.below(3) {
            if v.is_empty() {
                break;
            }
            let at = rng.below(v.len());
            match rng.below(7) {
                0 => v[at] ^= 1 << rng.below(8),
                1 => v[at] = rng.next() as u8,
                2 => v.truncate(at),
                3 => v.insert(at, rng.next() as u8),
                4 => {
                    let end = (at + rng.below(64)).min(v.len());
                    v.drain(at..end);
                }
                5 => {
                    // A marker that starts or ends a tag or chunk.
                    let markers: [&[u8]; 10] = [
                        b"ID3\x03\0\0",
                        b"3DI\x04\0\x10",
                        b"TAG",
                        b"TAG+",
                        b"APETAGEX",
                        b"LYRICSBEGIN",
                        b"LYRICS200",
                        b"LYRICSEND",
                        b"data",
                        b"\xFF\xFB\x90\x64",
                    ];
                    let marker = markers[rng.below(markers.len())];
                    v.splice(at..at, marker.iter().copied());
                }
                _ => {
                    // A plausible field value: a small or huge size.
                    let value = [0u8, 0x7F, 0xFF, 0x01][rng.below(4)];
                    v[at] = value;
                }
            }
        }
        v
    }

    #[test]
    fn random_damage_never_panics_and_accepted_output_is_a_fixed_point() {
        let mut mp3 = id3v23_with_everything();
        mp3.extend(frames(4));
        mp3.extend(ape_tag(&[("Title", "x")]));
        mp3.extend(lyrics3v2("la"));
        mp3.extend(id3v1("t", "a"));
        let wav = wav_with_everything();
        let mut rng = Lcg(0x5eed);
        let (mut mp3_ok, mut wav_ok) = (0, 0);
        for _ in 0..600 {
            let damaged = mutate(&mut rng, &mp3);
            if let Ok((clean, _)) = clean_mp3(&damaged) {
                mp3_ok += 1;
                let (again, removed) = clean_mp3(&clean)
                    .unwrap_or_else(|e| panic!("clean output of {damaged:02X?} refused: {e}"));
                assert_eq!(again, clean);
                assert!(removed.is_empty(), "{removed:?}");
            }
            let damaged = mutate(&mut rng, &wav);
            if let Ok((clean, _)) = clean_wav(&damaged) {
                wav_ok += 1;
                let (again, removed) = clean_wav(&clean)
                    .unwrap_or_else(|e| panic!("clean output of {damaged:02X?} refused: {e}"));
                assert_eq!(again, clean);
                assert!(removed.is_empty(), "{removed:?}");
            }
        }
        // The damage is not so heavy that nothing is ever accepted.
        assert!(mp3_ok > 50 && wav_ok > 50, "{mp3_ok} {wav_ok}");
    }
}
