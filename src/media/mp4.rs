//! MP4, MOV, M4A and 3GP (ISO base media files and QuickTime movies):
//! cleaned without re-encoding.
//!
//! The file is rebuilt, not patched: a fresh movie box (`moov`) holding
//! only what is needed to play each video and sound track, then one media
//! box (`mdat`) holding only the bytes those tracks' sample tables point
//! at, in their original order, with the chunk offsets rewritten to match.
//! So everything else goes, wherever it was:
//!
//! - `udta` (QuickTime location `©xyz`, 3GPP `loci`, Samsung's GPS boxes,
//!   make, model, software, title, author), `meta` (Apple's `keys`/`ilst`:
//!   location, make, model, software, creation date), XMP and other `uuid`
//!   boxes, at file, movie and track level, and any box not on the lists
//!   below;
//! - tracks that are not video or sound: timed metadata (iPhone `mebx`
//!   location and face tracks, camera motion and GoPro GPS), timecode,
//!   hint and embedded subtitle tracks (whose text no rule could check:
//!   captions are published as a `.vtt` file beside the video), and the
//!   samples they pointed at;
//! - bytes in `mdat` that no kept track points at, and `free`, `skip` and
//!   `wide` padding.
//!
//! Kept, each checked for free text on purpose:
//!
//! - `ftyp` (brand codes) and `mvhd`, `tkhd`, `mdhd` (numbers: durations,
//!   volume, the display matrix, so a clip filmed upright stays upright,
//!   and a packed ISO-639 language code), with their creation and
//!   modification dates zeroed;
//! - `edts`, `tref`, `tapt` (edit list, track references, aperture:
//!   numbers);
//! - `hdlr` (media and data handlers) with its name emptied (it is free
//!   text: "Core Media Video", or "Oliver Okafor cam") and its reserved
//!   fields zeroed; the extended language box `elng` (free text) and the
//!   MPEG-4 object descriptor `iods` (which can hold an address) go;
//! - `vmhd`, `smhd`, `hmhd`, `nmhd`, `sthd`, `gmhd` media headers;
//! - `dinf`, replaced by a fresh "self-contained" data reference with no
//!   location text;
//! - the sample tables: `stsd` with each video entry's compressor name
//!   and QuickTime vendor and quality fields zeroed (the codec
//!   configuration boxes inside an entry are kept as they are), and
//!   timing, sync samples, sizes, chunk map and sample groups (numbers).
//!
//! The movie box goes before the media data, so the clip starts playing
//! before it has all downloaded.
//!
//! Refused: fragmented files (`moof`, `mvex`), media in another file (a
//! `dref` that is not self-contained), compressed movie boxes, sample
//! tables pointing outside the media data, and anything damaged.

use super::bytes::{be16, be32, be64};
use super::{Pieces, Refusal, RemovedLog, Settings, Stripped, icc};

/// Most boxes read in one file: a real clip has a few hundred.
const MAX_BOXES: usize = 100_000;

/// Deepest nesting of boxes walked.
const MAX_DEPTH: usize = 12;

/// Most chunks in all tracks together, and most samples in one track
/// (each takes 8 to 16 bytes of memory while the clip is cleaned, from as
/// little as half a byte of file): a day of video at 60 frames a second
/// has 5 million.
pub(super) const MAX_ENTRIES: u64 = 5_000_000;

/// The refusal for a clip over [`MAX_ENTRIES`].
fn too_many_entries() -> Refusal {
    Refusal::TooComplex {
        format: FORMAT,
        what: "samples or chunks in its tables",
        limit: MAX_ENTRIES,
    }
}

/// A box: its type and where its header and payload are in the input.
#[derive(Debug, Clone, Copy)]
struct Bx {
    kind: [u8; 4],
    start: usize,
    body: usize,
    end: usize,
}

impl Bx {
    fn payload<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        &input[self.body..self.end]
    }

    fn whole<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        &input[self.start..self.end]
    }
}

struct Reader<'a> {
    input: &'a [u8],
    format: &'static str,
    boxes: usize,
}

impl Reader<'_> {
    fn corrupt(&self, detail: impl Into<String>) -> Refusal {
        Refusal::Corrupt {
            format: self.format,
            detail: detail.into(),
        }
    }

    /// The boxes in `input[from..to]`.
    fn boxes(&mut self, from: usize, to: usize) -> Result<Vec<Bx>, Refusal> {
        let input = self.input;
        let mut out = Vec::new();
        let mut at = from;
        while at < to {
            if to - at < 8 {
                // QuickTime ends some lists with four zero bytes.
                if input[at..to].iter().all(|b| *b == 0) {
                    break;
                }
                return Err(self.corrupt("a box is cut off"));
            }
            self.boxes += 1;
            if self.boxes > MAX_BOXES {
                return Err(self.corrupt("it has more boxes than any real clip"));
            }
            let size32 = be32(input, at).unwrap_or(0);
            let mut kind = [0u8; 4];
            kind.copy_from_slice(&input[at + 4..at + 8]);
            let (size, mut header) = match size32 {
                0 => ((to - at) as u64, 8),
                1 => {
                    let large = be64(input, at + 8)
                        .ok_or_else(|| self.corrupt("a box's 64-bit size is cut off"))?;
                    (large, 16)
                }
                n => (u64::from(n), 8),
            };
            if &kind == b"uuid" {
                header += 16;
            }
            let end = usize::try_from(size)
                .ok()
                .and_then(|s| at.checked_add(s))
                .filter(|&end| end <= to && size >= header as u64)
                .ok_or_else(|| {
                    self.corrupt(format!(
                        "its {} box says it is longer than the file",
                        show(&kind)
                    ))
                })?;
            out.push(Bx {
                kind,
                start: at,
                body: at + header,
                end,
            });
            at = end;
        }
        Ok(out)
    }
}

/// A box type for a message: `moov`, `©xyz`.
fn show(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| match b {
            0xA9 => '©',
            b if b.is_ascii_graphic() || b == b' ' => b as char,
            _ => '?',
        })
        .collect()
}

/// What the rebuilt movie box is made of.
enum Node {
    /// A box copied as it was (its payload; a fresh header is written).
    Copy([u8; 4], std::ops::Range<usize>),
    /// A box with a changed payload.
    Owned([u8; 4], Vec<u8>),
    /// A container of other boxes.
    Container([u8; 4], Vec<Node>),
    /// A track's chunk offsets, written once the new layout is known.
    Offsets(usize),
}

/// A kept track's chunks: where each is in the input, and how long.
struct Chunks {
    offsets: Vec<u64>,
    sizes: Vec<u64>,
    /// Whether the offsets are written as 64-bit (`co64`).
    wide: bool,
}

struct Cleaner<'a> {
    reader: Reader<'a>,
    removed: RemovedLog,
    found: Vec<String>,
    dates: usize,
    tracks: Vec<Chunks>,
    /// Whether the track being rebuilt is video (else sound).
    video: bool,
}

/// How damaged clips are named in findings.
pub(super) const FORMAT: &str = "QuickTime or MP4 file";

pub(super) fn strip<'a>(input: &'a [u8], _settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    let format = FORMAT;
    let mut cleaner = Cleaner {
        reader: Reader {
            input,
            format,
            boxes: 0,
        },
        removed: RemovedLog::default(),
        found: Vec::new(),
        dates: 0,
        tracks: Vec::new(),
        video: false,
    };
    let top = cleaner.reader.boxes(0, input.len())?;
    let mut ftyp = None;
    let mut moov = None;
    let mut media: Vec<Bx> = Vec::new();
    for b in &top {
        match &b.kind {
            b"ftyp" if ftyp.is_none() && moov.is_none() && media.is_empty() => ftyp = Some(*b),
            b"moov" if moov.is_some() => {
                return Err(cleaner.reader.corrupt("it has two movie boxes"));
            }
            b"moov" => moov = Some(*b),
            b"mdat" => media.push(*b),
            b"moof" | b"mfra" | b"sidx" | b"styp" | b"ssix" | b"emsg" => {
                return Err(fragmented());
            }
            b"cmov" => return Err(compressed()),
            _ => cleaner.drop_box(b),
        }
    }
    let moov = moov.ok_or_else(|| {
        cleaner
            .reader
            .corrupt("it has no movie box (moov), so it cannot be played")
    })?;
    let tree = cleaner.movie(&moov)?;
    if cleaner.tracks.is_empty() {
        return Err(cleaner.reader.corrupt("it has no video or sound in it"));
    }

    // Every kept chunk must lie inside the media data.
    let mut spans: Vec<(u64, u64)> = Vec::new();
    for t in &cleaner.tracks {
        for (&off, &len) in t.offsets.iter().zip(&t.sizes) {
            if len == 0 {
                // An empty chunk reads nothing, wherever it points.
                continue;
            }
            let end = off.checked_add(len);
            let inside = end.is_some_and(|end| {
                media
                    .iter()
                    .any(|m| off >= m.body as u64 && end <= m.end as u64)
            });
            if !inside {
                return Err(cleaner
                    .reader
                    .corrupt("its sample tables point outside its media data"));
            }
            if len > 0 {
                spans.push((off, off + len));
            }
        }
    }
    // The media data to keep: the chunks' byte ranges, merged where they
    // touch or overlap, in their original order.
    spans.sort_unstable();
    let mut segments: Vec<(u64, u64)> = Vec::new();
    for (start, end) in spans {
        match segments.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => segments.push((start, end)),
        }
    }
    let kept: u64 = segments.iter().map(|(s, e)| e - s).sum();
    let total_media: u64 = media.iter().map(|m| (m.end - m.body) as u64).sum();
    if total_media > kept {
        cleaner.removed.add(
            "media data no track plays",
            usize::try_from(total_media - kept).unwrap_or(usize::MAX),
        );
    }
    // Where each kept input byte goes: segment starts in the new media box.
    let mut new_starts = Vec::with_capacity(segments.len());
    let mut running = 0u64;
    for (s, e) in &segments {
        new_starts.push(running);
        running += e - s;
    }
    let mdat_header: u64 = if kept + 8 > u64::from(u32::MAX) {
        16
    } else {
        8
    };
    let ftyp_len = ftyp.map_or(0, |f| (f.end - f.start) as u64);

    // Lay out: the movie box's size depends on whether offsets are 32- or
    // 64-bit, and the offsets on the movie box's size.
    let mut moov_bytes;
    loop {
        moov_bytes = write_movie(&tree, &cleaner.tracks, None, input)?;
        let base = ftyp_len + moov_bytes.len() as u64 + mdat_header;
        let mut widened = false;
        for t in &mut cleaner.tracks {
            let too_far = t.offsets.iter().zip(&t.sizes).any(|(&off, &len)| {
                len > 0 && new_offset(off, &segments, &new_starts, base) > u64::from(u32::MAX)
            });
            if too_far && !t.wide {
                t.wide = true;
                widened = true;
            }
        }
        if !widened {
            let moved: Vec<Vec<u64>> = cleaner
                .tracks
                .iter()
                .map(|t| {
                    t.offsets
                        .iter()
                        .zip(&t.sizes)
                        .map(|(&off, &len)| {
                            if len == 0 {
                                // Kept inside the new media data.
                                base
                            } else {
                                new_offset(off, &segments, &new_starts, base)
                            }
                        })
                        .collect()
                })
                .collect();
            moov_bytes = write_movie(&tree, &cleaner.tracks, Some(&moved), input)?;
            break;
        }
    }

    let mut out = Pieces::new(input);
    if let Some(f) = ftyp {
        out.extend_from_slice(f.whole(input));
    }
    out.extend_from_slice(&moov_bytes);
    if mdat_header == 16 {
        out.extend_from_slice(&1u32.to_be_bytes());
        out.extend_from_slice(b"mdat");
        out.extend_from_slice(&(kept + 16).to_be_bytes());
    } else {
        out.extend_from_slice(&((kept + 8) as u32).to_be_bytes());
        out.extend_from_slice(b"mdat");
    }
    for (s, e) in &segments {
        out.extend_from_slice(&input[*s as usize..*e as usize]);
    }

    let Cleaner {
        mut removed,
        found,
        dates,
        ..
    } = cleaner;
    let mut found = found;
    if dates > 0 {
        // The header dates are counted; a tag's date is one of them to a reader.
        found.retain(|f| f != "date");
        found.push(if dates == 1 {
            "1 date".to_string()
        } else {
            format!("{dates} dates")
        });
    }
    if !found.is_empty() {
        removed.add_found("recording details (where, when, on what)", 0, found);
    }
    Ok(Stripped::file(out, removed.finish()))
}

fn fragmented() -> Refusal {
    Refusal::Unsupported {
        format: "a fragmented MP4 (as some cameras, screen recorders and streaming tools write)",
        fix: "convert it to an ordinary MP4 without re-encoding: ffmpeg -i INPUT -c copy -movflags +faststart OUTPUT.mp4",
    }
}

fn compressed() -> Refusal {
    Refusal::Unsupported {
        format: "a QuickTime movie with a compressed movie header",
        fix: "export it again as MP4 (or convert it: ffmpeg -i INPUT -c copy OUTPUT.mp4)",
    }
}

/// Where input byte `off` (the start of a kept chunk) lands in the output.
fn new_offset(off: u64, segments: &[(u64, u64)], new_starts: &[u64], base: u64) -> u64 {
    let i = segments
        .partition_point(|(s, _)| *s <= off)
        .saturating_sub(1);
    let (s, _) = segments.get(i).copied().unwrap_or((off, off));
    base + new_starts.get(i).copied().unwrap_or(0) + (off - s.min(off))
}

/// What a dropped metadata box held, in plain words.
const FACTS: &[(&[u8], &str)] = &[
    (b"\xa9xyz", "GPS position"),
    (b"loci", "GPS position"),
    (b"location.ISO6709", "GPS position"),
    (b"gps ", "GPS position"),
    (b"gps0", "GPS position"),
    (b"GPS", "GPS position"),
    (b"\xa9mak", "phone model"),
    (b"\xa9mod", "phone model"),
    (b"quicktime.make", "phone model"),
    (b"quicktime.model", "phone model"),
    (b"mdtamake", "phone model"),
    (b"mdtamodel", "phone model"),
    (b"mdtalocation", "GPS position"),
    (b"mdtacreation", "date"),
    (b"\xa9swr", "software"),
    (b"quicktime.software", "software"),
    (b"mdtaencoder", "software"),
    (b"\xa9too", "software"),
    (b"\xa9nam", "title"),
    (b"titl", "title"),
    (b"\xa9day", "date"),
    (b"creationdate", "date"),
    (b"\xa9ART", "name"),
    (b"auth", "name"),
    (b"perf", "name"),
    (b"\xa9aut", "name"),
    (b"\xa9cmt", "comment"),
    (b"dscp", "description"),
    (b"<x:xmpmeta", "XMP metadata"),
];

impl Cleaner<'_> {
    fn drop_box(&mut self, b: &Bx) {
        let input = self.reader.input;
        let what = match &b.kind {
            b"udta" => "user data (udta)".to_string(),
            b"meta" => "metadata (meta)".to_string(),
            b"uuid" => "uuid box (XMP or maker data)".to_string(),
            b"free" | b"skip" | b"wide" => "padding".to_string(),
            other => format!("{} box", show(other)),
        };
        let bytes = b.whole(input);
        for (marker, fact) in FACTS {
            if memchr::memmem::find(bytes, marker).is_some()
                && !self.found.iter().any(|f| f == fact)
            {
                self.found.push((*fact).to_string());
            }
        }
        self.removed.add(&what, bytes.len());
    }

    fn children(&mut self, b: &Bx, depth: usize) -> Result<Vec<Bx>, Refusal> {
        if depth > MAX_DEPTH {
            return Err(self
                .reader
                .corrupt("its boxes nest deeper than any real clip"));
        }
        self.reader.boxes(b.body, b.end)
    }

    fn movie(&mut self, moov: &Bx) -> Result<Node, Refusal> {
        let mut kept = Vec::new();
        let mut header = false;
        for b in self.children(moov, 1)? {
            match &b.kind {
                b"mvhd" => {
                    kept.push(self.dated(&b)?);
                    header = true;
                }
                b"trak" => {
                    if let Some(track) = self.track(&b)? {
                        kept.push(track);
                    }
                }
                b"mvex" => return Err(fragmented()),
                b"cmov" => return Err(compressed()),
                _ => self.drop_box(&b),
            }
        }
        if !header {
            return Err(self.reader.corrupt("its movie box has no header (mvhd)"));
        }
        Ok(Node::Container(*b"moov", kept))
    }

    /// A header box (`mvhd`, `tkhd`, `mdhd`) with its dates zeroed.
    fn dated(&mut self, b: &Bx) -> Result<Node, Refusal> {
        let mut payload = b.payload(self.reader.input).to_vec();
        let width = match payload.first() {
            Some(0) => 4,
            Some(1) => 8,
            _ => {
                return Err(self.reader.corrupt(format!(
                    "its {} box is of an unknown version",
                    show(&b.kind)
                )));
            }
        };
        let dates = payload.get_mut(4..4 + 2 * width).ok_or_else(|| {
            self.reader
                .corrupt(format!("its {} box is cut off", show(&b.kind)))
        })?;
        for date in dates.chunks_mut(width) {
            if date.iter().any(|b| *b != 0) {
                self.dates += 1;
                date.fill(0);
            }
        }
        Ok(Node::Owned(b.kind, payload))
    }

    /// A track, or `None` when it is not video or sound (and is dropped).
    fn track(&mut self, trak: &Bx) -> Result<Option<Node>, Refusal> {
        let input = self.reader.input;
        let children = self.children(trak, 2)?;
        // The handler says what the track is.
        let mut handler = None;
        for b in &children {
            if &b.kind == b"mdia" {
                for m in self.children(b, 3)? {
                    if &m.kind == b"hdlr" {
                        handler = m
                            .payload(input)
                            .get(8..12)
                            .map(|h| [h[0], h[1], h[2], h[3]]);
                    }
                }
            }
        }
        match handler.as_ref() {
            Some(b"vide") | Some(b"soun") => self.video = handler == Some(*b"vide"),
            other => {
                let what = match other {
                    Some(b"meta") | Some(b"camm") | Some(b"gpmd") | Some(b"data") => {
                        if !self.found.iter().any(|f| f == "timed metadata") {
                            self.found.push("timed metadata".to_string());
                        }
                        "timed metadata track (location, motion or face data)"
                    }
                    Some(b"text") | Some(b"sbtl") | Some(b"subt") | Some(b"clcp") => {
                        "subtitle track (publish captions as a .vtt file beside the video)"
                    }
                    Some(b"tmcd") => "timecode track",
                    _ => "track that is neither video nor sound",
                };
                self.removed.add(what, trak.end - trak.start);
                return Ok(None);
            }
        }
        let mut kept = Vec::new();
        let track_index = self.tracks.len();
        let mut has_media = false;
        for b in children {
            match &b.kind {
                b"tkhd" => kept.push(self.dated(&b)?),
                b"tref" | b"edts" | b"tapt" => kept.push(Node::Copy(b.kind, b.body..b.end)),
                b"mdia" => {
                    if has_media {
                        return Err(self.reader.corrupt("a track has two media boxes"));
                    }
                    kept.push(self.media(&b, track_index)?);
                    has_media = true;
                }
                _ => self.drop_box(&b),
            }
        }
        if !has_media || self.tracks.len() != track_index + 1 {
            return Err(self.reader.corrupt("a track has no sample tables"));
        }
        Ok(Some(Node::Container(*b"trak", kept)))
    }

    fn media(&mut self, mdia: &Bx, track: usize) -> Result<Node, Refusal> {
        let mut kept = Vec::new();
        for b in self.children(mdia, 3)? {
            match &b.kind {
                b"mdhd" => kept.push(self.dated(&b)?),
                b"hdlr" => kept.push(self.handler(&b)?),
                b"minf" => kept.push(self.media_info(&b, track)?),
                _ => self.drop_box(&b),
            }
        }
        Ok(Node::Container(*b"mdia", kept))
    }

    fn media_info(&mut self, minf: &Bx, track: usize) -> Result<Node, Refusal> {
        let mut kept = Vec::new();
        for b in self.children(minf, 4)? {
            match &b.kind {
                b"vmhd" | b"smhd" | b"hmhd" | b"nmhd" | b"sthd" | b"gmhd" => {
                    kept.push(Node::Copy(b.kind, b.body..b.end));
                }
                b"hdlr" => kept.push(self.handler(&b)?),
                b"dinf" => {
                    self.check_self_contained(&b)?;
                    kept.push(Node::Owned(*b"dinf", self_contained_dinf()));
                }
                b"stbl" => kept.push(self.sample_table(&b, track)?),
                _ => self.drop_box(&b),
            }
        }
        Ok(Node::Container(*b"minf", kept))
    }

    /// A handler box (`hdlr`) with its name emptied: the name is free
    /// text ("Core Media Video", or "Oliver Okafor cam"). The handler type
    /// is kept, and the QuickTime component type when it is one of the
    /// two there are; the reserved (QuickTime: maker and flags) fields are
    /// zeroed. One zero byte is an empty name both as the ISO C string and
    /// as the QuickTime Pascal string.
    fn handler(&mut self, b: &Bx) -> Result<Node, Refusal> {
        let p = b.payload(self.reader.input);
        let Some(fixed) = p.get(..24) else {
            return Err(self.reader.corrupt("its handler box (hdlr) is cut off"));
        };
        let mut kept = vec![0u8; 25];
        if matches!(&fixed[4..8], b"mhlr" | b"dhlr") {
            kept[4..8].copy_from_slice(&fixed[4..8]);
        }
        kept[8..12].copy_from_slice(&fixed[8..12]);
        let name = &p[24..];
        if name.iter().any(|b| *b != 0) {
            self.removed.add("track handler name", name.len());
        }
        Ok(Node::Owned(*b"hdlr", kept))
    }

    /// The sample descriptions (`stsd`) with their free-text fields
    /// emptied: a video entry's compressor name (32 bytes, shown by
    /// players as the codec's name) and, in a QuickTime video or sound
    /// entry, the vendor and quality fields; a colour profile (`colr`
    /// of type `prof`) in a video entry is an ICC profile, rebuilt with
    /// no text in it like a photo's. The rest (sizes, resolution, depth,
    /// codec configuration) is kept as it is.
    fn sample_descriptions(&mut self, b: &Bx) -> Result<Node, Refusal> {
        let input = self.reader.input;
        let Some(header) = b.payload(input).get(..8) else {
            return Err(self
                .reader
                .corrupt("its sample description box (stsd) is cut off"));
        };
        let mut payload = header.to_vec();
        let entries = self.reader.boxes(b.body + 8, b.end)?;
        let mut named = 0;
        for e in entries {
            if &e.kind == b"uuid" {
                return Err(self
                    .reader
                    .corrupt("a sample description is of no known kind"));
            }
            let mut entry = e.payload(input).to_vec();
            let fixed = if self.video {
                78
            } else {
                sound_entry_len(&entry)
            };
            if entry.len() < fixed {
                return Err(self.reader.corrupt("a sample description is cut off"));
            }
            if self.video {
                let name = &mut entry[42..74];
                if name.iter().any(|b| *b != 0) {
                    named += name.len();
                    name.fill(0);
                }
                entry[12..24].fill(0);
            } else {
                entry[12..16].fill(0);
            }
            let children = self.reader.boxes(e.body + fixed, e.end)?;
            entry.truncate(fixed);
            for child in &children {
                entry.extend(self.configuration(child)?);
            }
            push_box(&mut payload, &e.kind, &entry)?;
        }
        if named > 0 {
            self.removed.add("compressor name", named);
        }
        Ok(Node::Owned(*b"stsd", payload))
    }

    /// A box inside a sample description, as it is published: a codec's
    /// configuration or numbers a player needs, kept (an ICC profile
    /// rebuilt without its text, an MPEG-4 descriptor checked for an
    /// address); anything else dropped, and said so.
    fn configuration(&mut self, child: &Bx) -> Result<Vec<u8>, Refusal> {
        let input = self.reader.input;
        if let Some(profile) = self.colour_profile(child) {
            return Ok(profile);
        }
        let known = if self.video {
            VIDEO_CONFIGURATION.contains(&&child.kind)
        } else {
            SOUND_CONFIGURATION.contains(&&child.kind)
        };
        if !known {
            self.removed.add(
                "unknown box in a track's description",
                child.end - child.start,
            );
            return Ok(Vec::new());
        }
        match &child.kind {
            b"esds" => self.check_descriptor(child.payload(input))?,
            b"wave" => return self.quicktime_wave(child),
            _ => {}
        }
        Ok(child.whole(input).to_vec())
    }

    /// An MPEG-4 elementary stream descriptor (`esds`) may give an
    /// address (its URL flag) for the stream: refused.
    fn check_descriptor(&self, payload: &[u8]) -> Result<(), Refusal> {
        // Version and flags, then the ES descriptor: its tag (3), a
        // length of one to four bytes, the stream id, then its flags.
        let Some(&3) = payload.get(4) else {
            return Ok(());
        };
        let len_bytes = payload
            .get(5..9)
            .map_or(0, |b| b.iter().take_while(|b| **b & 0x80 != 0).count() + 1);
        let flags = payload.get(5 + len_bytes + 2).copied().unwrap_or(0);
        if flags & 0x40 != 0 {
            return Err(self
                .reader
                .corrupt("a track's description points at an address elsewhere (an MPEG-4 URL)"));
        }
        Ok(())
    }

    /// QuickTime's `wave` box (sound settings), kept with only the boxes
    /// it is known to hold.
    fn quicktime_wave(&mut self, wave: &Bx) -> Result<Vec<u8>, Refusal> {
        let input = self.reader.input;
        let mut inner = Vec::new();
        for b in self.reader.boxes(wave.body, wave.end)? {
            if b.kind == [0; 4] {
                continue; // the end of the list, written again below
            }
            if !WAVE_CONTENTS.contains(&&b.kind) {
                self.removed
                    .add("unknown box in a track's description", b.end - b.start);
                continue;
            }
            if &b.kind == b"esds" {
                self.check_descriptor(b.payload(input))?;
            }
            inner.extend_from_slice(b.whole(input));
        }
        // The list ends with an empty box, as QuickTime writes it.
        inner.extend_from_slice(&[0, 0, 0, 8, 0, 0, 0, 0]);
        let mut out = Vec::new();
        push_box(&mut out, b"wave", &inner)?;
        Ok(out)
    }

    /// A `colr` box holding an ICC profile, rebuilt with nothing but
    /// colour in it (empty when the profile cannot be read, so the clip
    /// shows in the player's default colours); `None` for any other box,
    /// kept as it is (`nclx` colour boxes are numbers).
    fn colour_profile(&mut self, child: &Bx) -> Option<Vec<u8>> {
        let body = child.payload(self.reader.input);
        if &child.kind != b"colr" || body.get(..4) != Some(b"prof") {
            return None;
        }
        let whole = child.end - child.start;
        let Some(clean) = icc::clean(&body[4..]) else {
            self.removed.add(icc::UNREADABLE, whole);
            return Some(Vec::new());
        };
        if clean != body[4..] {
            self.removed
                .add(icc::WHAT, body.len().saturating_sub(clean.len() + 4));
        }
        let mut out = Vec::new();
        let rebuilt = [&b"prof"[..], &clean].concat();
        push_box(&mut out, b"colr", &rebuilt).ok()?;
        Some(out)
    }

    /// Refuses a track whose media is in another file.
    fn check_self_contained(&mut self, dinf: &Bx) -> Result<(), Refusal> {
        let input = self.reader.input;
        for b in self.children(dinf, 5)? {
            if &b.kind != b"dref" {
                continue;
            }
            // Version and flags, then an entry count, then the entries.
            let entries = self.reader.boxes(b.body + 8.min(b.end - b.body), b.end)?;
            for e in entries {
                let self_contained = e.payload(input).get(3).is_some_and(|f| f & 1 == 1);
                if !self_contained {
                    return Err(Refusal::Unsupported {
                        format: "a clip whose video or sound is kept in another file",
                        fix: "export the clip again as one self-contained MP4",
                    });
                }
            }
        }
        Ok(())
    }

    fn sample_table(&mut self, stbl: &Bx, track: usize) -> Result<Node, Refusal> {
        let input = self.reader.input;
        let mut kept = Vec::new();
        let mut offsets: Option<(Vec<u64>, bool)> = None;
        let mut stsc: Option<Bx> = None;
        let mut sizes: Option<Bx> = None;
        for b in self.children(stbl, 5)? {
            match &b.kind {
                b"stco" | b"co64" => {
                    if offsets.is_some() {
                        return Err(self.reader.corrupt("a track has two chunk offset tables"));
                    }
                    let wide = &b.kind == b"co64";
                    offsets = Some((self.chunk_offsets(&b, wide)?, wide));
                    kept.push(Node::Offsets(track));
                }
                b"stsc" => {
                    stsc = Some(b);
                    kept.push(Node::Copy(b.kind, b.body..b.end));
                }
                b"stsz" | b"stz2" => {
                    sizes = Some(b);
                    kept.push(Node::Copy(b.kind, b.body..b.end));
                }
                b"stsd" => kept.push(self.sample_descriptions(&b)?),
                b"stts" | b"ctts" | b"cslg" | b"stss" | b"stps" | b"sdtp" | b"sgpd" | b"sbgp"
                | b"subs" | b"saiz" | b"saio" | b"padb" | b"stdp" => {
                    kept.push(Node::Copy(b.kind, b.body..b.end));
                }
                _ => self.drop_box(&b),
            }
        }
        let (Some((offsets, wide)), Some(stsc), Some(sizes)) = (offsets, stsc, sizes) else {
            return Err(self
                .reader
                .corrupt("a track's sample tables are incomplete (no chunk offsets, chunk map or sample sizes)"));
        };
        let sample_sizes = self.sample_sizes(&sizes)?;
        let chunk_sizes = self.chunk_sizes(stsc.payload(input), offsets.len(), &sample_sizes)?;
        self.tracks.push(Chunks {
            offsets,
            sizes: chunk_sizes,
            wide,
        });
        Ok(Node::Container(*b"stbl", kept))
    }

    fn chunk_offsets(&self, b: &Bx, wide: bool) -> Result<Vec<u64>, Refusal> {
        let p = b.payload(self.reader.input);
        let count = u64::from(
            be32(p, 4).ok_or_else(|| self.reader.corrupt("a chunk offset table is cut off"))?,
        );
        let width = if wide { 8 } else { 4 };
        let before: usize = self.tracks.iter().map(|t| t.offsets.len()).sum();
        if count.saturating_add(before as u64) > MAX_ENTRIES {
            return Err(too_many_entries());
        }
        if (p.len() as u64) < 8 + count * width {
            return Err(self.reader.corrupt("a chunk offset table is cut off"));
        }
        Ok((0..count as usize)
            .map(|i| {
                let at = 8 + i * width as usize;
                if wide {
                    be64(p, at).unwrap_or(0)
                } else {
                    u64::from(be32(p, at).unwrap_or(0))
                }
            })
            .collect())
    }

    /// Every sample's size, from `stsz` or `stz2`.
    fn sample_sizes(&self, b: &Bx) -> Result<SampleSizes, Refusal> {
        let p = b.payload(self.reader.input);
        let cut = || self.reader.corrupt("a sample size table is cut off");
        if &b.kind == b"stsz" {
            let fixed = be32(p, 4).ok_or_else(cut)?;
            let count = u64::from(be32(p, 8).ok_or_else(cut)?);
            if count > MAX_ENTRIES {
                return Err(too_many_entries());
            }
            if fixed != 0 {
                return Ok(SampleSizes::Fixed(u64::from(fixed), count));
            }
            if (p.len() as u64) < 12 + 4 * count {
                return Err(cut());
            }
            return Ok(SampleSizes::Each(
                (0..count as usize)
                    .map(|i| u64::from(be32(p, 12 + 4 * i).unwrap_or(0)))
                    .collect(),
            ));
        }
        // stz2: 4-, 8- or 16-bit sizes.
        let field = *p.get(7).ok_or_else(cut)?;
        let count = u64::from(be32(p, 8).ok_or_else(cut)?);
        if count > MAX_ENTRIES {
            return Err(too_many_entries());
        }
        if !matches!(field, 4 | 8 | 16) {
            return Err(cut());
        }
        let bytes = (count * u64::from(field)).div_ceil(8);
        let table = p.get(12..12 + bytes as usize).ok_or_else(cut)?;
        let sizes = (0..count as usize)
            .map(|i| match field {
                4 => {
                    let b = table[i / 2];
                    u64::from(if i % 2 == 0 { b >> 4 } else { b & 0x0F })
                }
                8 => u64::from(table[i]),
                _ => u64::from(be16(table, 2 * i).unwrap_or_default()),
            })
            .collect();
        Ok(SampleSizes::Each(sizes))
    }

    /// Each chunk's length in bytes: its samples' sizes added up.
    fn chunk_sizes(
        &self,
        stsc: &[u8],
        chunks: usize,
        samples: &SampleSizes,
    ) -> Result<Vec<u64>, Refusal> {
        let cut = || self.reader.corrupt("a chunk map (stsc) is damaged");
        let entries = be32(stsc, 4).ok_or_else(cut)? as usize;
        if stsc.len() < 8 + 12 * entries {
            return Err(cut());
        }
        let run = |i: usize| -> (u64, u64) {
            let at = 8 + 12 * i;
            (
                u64::from(be32(stsc, at).unwrap_or(0)),
                u64::from(be32(stsc, at + 4).unwrap_or(0)),
            )
        };
        let mut out = Vec::with_capacity(chunks);
        let mut sample = 0u64;
        let total = samples.count();
        for e in 0..entries {
            let (first, per_chunk) = run(e);
            let next_first = if e + 1 < entries {
                run(e + 1).0
            } else {
                chunks as u64 + 1
            };
            if first == 0 || next_first < first || first > chunks as u64 + 1 {
                return Err(cut());
            }
            for _ in first..next_first.min(chunks as u64 + 1) {
                let end = sample
                    .checked_add(per_chunk)
                    .filter(|&end| end <= total)
                    .ok_or_else(|| {
                        self.reader
                            .corrupt("its chunk map names more samples than the clip has")
                    })?;
                out.push(samples.sum(sample, end));
                sample = end;
            }
        }
        if out.len() != chunks {
            // Chunks the map never reached hold no samples.
            if entries == 0 && chunks > 0 {
                return Err(cut());
            }
            out.resize(chunks, 0);
        }
        Ok(out)
    }
}

enum SampleSizes {
    /// Every sample the same size: (size, count).
    Fixed(u64, u64),
    Each(Vec<u64>),
}

impl SampleSizes {
    fn count(&self) -> u64 {
        match self {
            SampleSizes::Fixed(_, n) => *n,
            SampleSizes::Each(v) => v.len() as u64,
        }
    }

    /// The total size of samples `from..to`.
    fn sum(&self, from: u64, to: u64) -> u64 {
        match self {
            SampleSizes::Fixed(size, _) => size.saturating_mul(to - from),
            SampleSizes::Each(v) => v[from as usize..to as usize]
                .iter()
                .fold(0u64, |a, b| a.saturating_add(*b)),
        }
    }
}

/// A data information box saying the media is in this file and nothing
/// else: a `dref` holding one `url ` entry with the self-contained flag
/// (and no location text).
fn self_contained_dinf() -> Vec<u8> {
    let mut v = Vec::with_capacity(28);
    v.extend_from_slice(&28u32.to_be_bytes());
    v.extend_from_slice(b"dref");
    v.extend_from_slice(&[0, 0, 0, 0]); // version and flags
    v.extend_from_slice(&1u32.to_be_bytes()); // one entry
    v.extend_from_slice(&12u32.to_be_bytes());
    v.extend_from_slice(b"url ");
    v.extend_from_slice(&[0, 0, 0, 1]); // self-contained
    v
}

/// Writes the rebuilt movie box; chunk offsets are the new ones when
/// given, zeros (for measuring) otherwise.
fn write_movie(
    node: &Node,
    tracks: &[Chunks],
    offsets: Option<&[Vec<u64>]>,
    input: &[u8],
) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    write_node(node, tracks, offsets, input, &mut out)?;
    Ok(out)
}

/// What a video sample description may hold besides its fixed fields:
/// codec configurations (AVC, HEVC and its layered and Dolby Vision
/// forms, AV1, VP8/9, VVC, MPEG-4), and numbers for showing the picture
/// (bit rate, pixel shape, clean aperture, colour, field order, gamma,
/// HDR mastering and light levels, Apple's coding constraints).
const VIDEO_CONFIGURATION: [&[u8; 4]; 23] = [
    b"avcC", b"hvcC", b"lhvC", b"dvcC", b"dvvC", b"dvwC", b"av1C", b"vpcC", b"vvcC", b"esds",
    b"d263", b"glbl", b"btrt", b"pasp", b"clap", b"colr", b"fiel", b"gama", b"mdcv", b"clli",
    b"SmDm", b"CoLL", b"ccst",
];

/// What a sound sample description may hold besides its fixed fields:
/// codec configurations (AAC, Opus, AC-3, E-AC-3, AC-4, ALAC, FLAC, PCM,
/// MPEG-H) and channel layout, bit rate and sample rate.
const SOUND_CONFIGURATION: [&[u8; 4]; 13] = [
    b"esds", b"dOps", b"dac3", b"dec3", b"dac4", b"alac", b"dfLa", b"pcmC", b"mhaC", b"chnl",
    b"chan", b"btrt", b"wave",
];

/// What QuickTime's `wave` box holds: the format, its configuration,
/// the byte order and channel layout.
const WAVE_CONTENTS: [&[u8; 4]; 6] = [b"frma", b"mp4a", b"esds", b"enda", b"chan", b"alac"];

/// Where a sound sample description's boxes start: after its fixed
/// fields, which QuickTime's versions 1 and 2 make longer.
fn sound_entry_len(entry: &[u8]) -> usize {
    match be16(entry, 8) {
        Some(1) => 44,
        Some(2) => 64,
        _ => 28,
    }
}

/// Appends a box with a 32-bit size.
fn push_box(out: &mut Vec<u8>, kind: &[u8; 4], payload: &[u8]) -> Result<(), Refusal> {
    let size = u32::try_from(payload.len() + 8).map_err(|_| Refusal::Corrupt {
        format: FORMAT,
        detail: "a sample description is larger than 4 GB".to_string(),
    })?;
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    Ok(())
}

fn write_node(
    node: &Node,
    tracks: &[Chunks],
    offsets: Option<&[Vec<u64>]>,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), Refusal> {
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    match node {
        Node::Copy(kind, range) => {
            out.extend_from_slice(kind);
            out.extend_from_slice(&input[range.clone()]);
        }
        Node::Owned(kind, payload) => {
            out.extend_from_slice(kind);
            out.extend_from_slice(payload);
        }
        Node::Container(kind, children) => {
            out.extend_from_slice(kind);
            for child in children {
                write_node(child, tracks, offsets, input, out)?;
            }
        }
        Node::Offsets(track) => {
            let t = &tracks[*track];
            out.extend_from_slice(if t.wide { b"co64" } else { b"stco" });
            out.extend_from_slice(&[0, 0, 0, 0]);
            out.extend_from_slice(&(t.offsets.len() as u32).to_be_bytes());
            for i in 0..t.offsets.len() {
                let off = offsets.map_or(0, |o| o[*track][i]);
                if t.wide {
                    out.extend_from_slice(&off.to_be_bytes());
                } else {
                    out.extend_from_slice(&(off as u32).to_be_bytes());
                }
            }
        }
    }
    let size = u32::try_from(out.len() - start).map_err(|_| Refusal::Corrupt {
        format: FORMAT,
        detail: "its movie box would be larger than 4 GB".to_string(),
    })?;
    out[start..start + 4].copy_from_slice(&size.to_be_bytes());
    Ok(())
}
