//! MP3: cleaned without re-encoding, as pieces of the input (the audio
//! itself is never copied).
//!
//! MP3: kept are the MPEG audio frames alone, walked one by one from
//! their headers; a Xing/Info/VBRI frame at the start is an audio frame
//! and stays, with the encoder's name in its LAME tag emptied (free text
//! a player shows) but for a known encoder's four letters.
//! Everything else goes: ID3v2 tags (any number at the start, one
//! appended at the end with its footer, and any between frames where
//! files were joined), ID3v1 and enhanced ID3v1 ("TAG+"), APEv1/APEv2 tags,
//! Lyrics3 tags, zero padding, and up to [`STRAY_LIMIT`] stray bytes
//! between frames. More than that between frames is refused: bytes that
//! are neither audio nor a known tag are never published. A free-format
//! stream (no bitrate in its headers) cannot be walked, so is refused.

use super::super::bytes::{be16, be32};
use super::super::{Pieces, Refusal, RemovedLog, Settings, Stripped};
use super::corrupt;
use super::tags::{
    Tag, ape_from_footer, ape_from_header, id3v1_found, id3v1_plus_found, id3v2_at,
    id3v2_from_footer, lyrics3_v1, lyrics3_v2,
};

pub(super) const MP3: &str = "MP3";

/// The most bytes of unknown data tolerated (and dropped) between two
/// audio frames, or after the last one.
const STRAY_LIMIT: usize = 4;

/// MP3: the audio frames alone, without ID3v2, ID3v1, APE or Lyrics3 tags.
pub(in crate::media) fn strip<'a>(
    input: &'a [u8],
    _settings: &Settings,
) -> Result<Stripped<'a>, Refusal> {
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
    Ok(Stripped::file(out, removed.finish()))
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
                let bytes = input.get(pos..frame_end).unwrap_or_default();
                match (walk.frames, neutral_encoder(bytes)) {
                    (1, Some(rewritten)) => {
                        removed.add("encoder name in the first frame", ENCODER_LEN);
                        out.extend_from_slice(&rewritten);
                    }
                    _ => out.extend_from_slice(bytes),
                }
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

/// How long the encoder's name is in a LAME (Xing/Info) tag.
const ENCODER_LEN: usize = 9;

/// The encoder names whose four letters a player reads to trust the
/// tag's gapless-playback numbers (ffmpeg's list): kept; the rest of
/// the name (a version, or any text) is emptied.
const ENCODERS: [&[u8; 4]; 3] = [b"LAME", b"Lavf", b"Lavc"];

/// A Xing/Info frame (the first frame, which holds no audio) with the
/// encoder's name in its LAME tag emptied but for a known encoder's
/// four letters, and the tag's checksum made again if it was right;
/// `None` when there is no such tag or its name is already neutral.
/// The name is free text that players show ("encoder: LAME3.100").
fn neutral_encoder(frame: &[u8]) -> Option<Vec<u8>> {
    let at = lame_tag(frame)?;
    let name = frame.get(at..at + ENCODER_LEN)?;
    let keep = if ENCODERS.iter().any(|e| name.starts_with(*e)) {
        4
    } else {
        0
    };
    if name[keep..].iter().all(|b| *b == 0) {
        return None;
    }
    let crc = crc::Crc::<u16>::new(&crc::CRC_16_ARC);
    let covered = at + 34;
    let checked = be16(frame, covered).is_some_and(|c| c == crc.checksum(&frame[..covered]));
    let mut out = frame.to_vec();
    out[at + keep..at + ENCODER_LEN].fill(0);
    if checked {
        let sum = crc.checksum(&out[..covered]);
        out[covered..covered + 2].copy_from_slice(&sum.to_be_bytes());
    }
    Some(out)
}

/// Where a layer III frame's LAME tag starts: after the side
/// information, the `Xing` or `Info` header and the fields its flags
/// say are there.
fn lame_tag(frame: &[u8]) -> Option<usize> {
    let (&b1, &b3) = (frame.get(1)?, frame.get(3)?);
    if (b1 >> 1) & 3 != 1 {
        return None;
    }
    let mpeg1 = (b1 >> 3) & 3 == 3;
    let mono = b3 >> 6 == 3;
    let side = match (mpeg1, mono) {
        (true, true) => 17,
        (true, false) => 32,
        (false, true) => 9,
        (false, false) => 17,
    };
    let xing = 4 + side;
    let id = frame.get(xing..xing + 4)?;
    if id != b"Xing" && id != b"Info" {
        return None;
    }
    let flags = be32(frame, xing + 4)?;
    let fields = [(1, 4), (2, 4), (4, 100), (8, 4)]
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, len)| len)
        .sum::<usize>();
    let at = xing + 8 + fields;
    // The whole tag (36 bytes, its checksum last) must be in the frame.
    frame.get(at..at + 36).map(|_| at)
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
pub(super) struct Stream {
    version: u8,
    layer: u8,
    rate: u32,
}

pub(super) struct Frame {
    stream: Stream,
    /// The frame's length in bytes, header included.
    pub len: usize,
}

pub(super) enum Header {
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
pub(super) fn frame_header(b: &[u8]) -> Option<Header> {
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
