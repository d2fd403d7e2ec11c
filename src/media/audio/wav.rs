//! WAV: cleaned without re-encoding, as pieces of the input (the audio
//! itself is never copied).
//!
//! WAV: kept are the `fmt ` chunk as it is, the `fact` chunk's sample
//! count and the `data` chunk, under a fresh RIFF header. Every other
//! chunk goes: LIST/INFO (title, artist, comment, date, software), `bext`
//! (broadcast originator and date), iXML, ID3, XMP (`_PMX`), cue points,
//! sampler and peak data, padding, unknown chunks, and anything after the
//! RIFF chunk. RF64/BW64 (WAV files over 4 GB) and streamed WAV files
//! whose data size was never filled in are refused.

use super::super::bytes::{le16, le32};
use super::super::riff;
use super::super::{Pieces, Refusal, RemovedLog, Settings, Stripped};
use super::corrupt;
use super::tags::{filled, id3v2_found, id3v2_header};

pub(super) const WAV: &str = "WAV";

fn rf64() -> Refusal {
    Refusal::Unsupported {
        format: "a WAV file in the RF64/BW64 form for recordings over 4 GB, or one written as a stream whose size was never filled in",
        fix: "convert it to an ordinary WAV or to MP3, for example ffmpeg -i INPUT.wav OUTPUT.mp3 (or export a shorter recording)",
    }
}

/// WAV: the format and audio data alone, without LIST/INFO and other chunks.
pub(in crate::media) fn strip<'a>(
    input: &'a [u8],
    _settings: &Settings,
) -> Result<Stripped<'a>, Refusal> {
    let riff_end = riff_end(input)?;
    let mut removed = RemovedLog::default();
    let mut wave = Wave::default();
    let mut after = riff_end;
    for chunk in riff::chunks(&input[12..riff_end]) {
        match chunk {
            Ok(chunk) => {
                wave.take(&chunk, &mut removed)?;
                // The last chunk's pad byte is sometimes left out of the
                // RIFF size but written after it.
                if !chunk.padded && input.len() > riff_end {
                    after = riff_end + 1;
                }
            }
            Err(riff::Damage::Stray { len }) => removed.add("stray bytes at the end", len),
            Err(riff::Damage::Cut { id, size }) if &id == b"data" && size == u32::MAX => {
                return Err(rf64());
            }
            Err(riff::Damage::Cut { id, .. }) => {
                return Err(corrupt(
                    WAV,
                    format!(
                        "its '{}' chunk runs past the end of the file (truncated)",
                        riff::name(&id)
                    ),
                ));
            }
        }
    }
    if after < input.len() {
        removed.add("data after the end of the audio", input.len() - after);
    }
    let out = wave.write(input)?;
    Ok(Stripped::file(out, removed.finish()))
}

/// Where the RIFF chunk ends, from a header that must be an ordinary
/// little-endian WAVE one.
fn riff_end(input: &[u8]) -> Result<usize, Refusal> {
    let Some(header) = riff::header(input) else {
        return Err(corrupt(WAV, "it is too short to be a WAV file"));
    };
    match &header.form {
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
    if &header.kind != b"WAVE" {
        return Err(corrupt(WAV, "it is a RIFF file but not a WAVE"));
    }
    if header.size == u32::MAX {
        return Err(rf64());
    }
    if header.size < 4 {
        // The size counts the form type ("WAVE") that was just read.
        return Err(corrupt(WAV, "its RIFF header gives an impossible size"));
    }
    let riff_end = (header.size as usize).saturating_add(8);
    if riff_end > input.len() {
        return Err(corrupt(
            WAV,
            "it is shorter than its RIFF header says (truncated)",
        ));
    }
    Ok(riff_end)
}

/// The chunks a clean WAV keeps.
#[derive(Default)]
struct Wave<'a> {
    fmt: Option<&'a [u8]>,
    fact: Option<&'a [u8]>,
    data: Option<&'a [u8]>,
}

impl<'a> Wave<'a> {
    /// Keeps a chunk this file needs, or records it as removed.
    fn take(&mut self, chunk: &riff::Chunk<'a>, removed: &mut RemovedLog) -> Result<(), Refusal> {
        let (body, whole) = (chunk.body, chunk.whole);
        match &chunk.id {
            b"fmt " => {
                if self.fmt.is_some() {
                    return Err(corrupt(WAV, "it has two format chunks"));
                }
                check_format(body)?;
                self.fmt = Some(body);
            }
            b"data" => {
                if self.fmt.is_none() {
                    return Err(corrupt(WAV, "its audio data comes before its format chunk"));
                }
                if self.data.is_some() {
                    return Err(corrupt(WAV, "it has two data chunks"));
                }
                self.data = Some(body);
            }
            b"fact" if self.fact.is_none() && body.len() >= 4 => {
                // Only the sample count is kept.
                self.fact = body.get(..4);
                if body.len() > 4 {
                    removed.add("extra data in the fact chunk", body.len() - 4);
                }
            }
            b"LIST" => {
                let (what, found) = list_contents(body);
                removed.add_found(what, whole, found);
            }
            b"bext" => removed.add_found("broadcast extension (bext)", whole, bext_found(body)),
            b"id3 " | b"ID3 " => removed.add_found("ID3 tag", whole, id3_found(body)),
            id => removed.add(chunk_what(id), whole),
        }
        Ok(())
    }

    /// The clean file: a fresh RIFF header, the format, the sample count
    /// and the audio (a range of the input, not copied).
    fn write(self, input: &'a [u8]) -> Result<Pieces<'a>, Refusal> {
        let Some(fmt) = self.fmt else {
            return Err(corrupt(WAV, "it has no format chunk"));
        };
        let Some(data) = self.data else {
            return Err(corrupt(WAV, "it has no data chunk"));
        };
        if data.is_empty() {
            return Err(corrupt(WAV, "it has no audio in it"));
        }
        let padded = |n: usize| 8 + n + (n & 1);
        let total =
            4 + padded(fmt.len()) + self.fact.map_or(0, |f| padded(f.len())) + padded(data.len());
        let Ok(total) = u32::try_from(total) else {
            return Err(rf64());
        };
        let mut out = Pieces::new(input);
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(b"WAVE");
        write_chunk(&mut out, b"fmt ", fmt);
        if let Some(fact) = self.fact {
            write_chunk(&mut out, b"fact", fact);
        }
        write_chunk(&mut out, b"data", data);
        Ok(out)
    }
}

/// What an ID3 tag in a WAV file held.
fn id3_found(body: &[u8]) -> Vec<String> {
    id3v2_header(body, b"ID3")
        .map(|(major, flags, size)| {
            let tag = body.get(10..).unwrap_or_default();
            id3v2_found(major, flags, tag.get(..size).unwrap_or(tag))
        })
        .unwrap_or_default()
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
    let channels = le16(body, 2);
    let rate = le32(body, 4);
    let block = le16(body, 12);
    match (body.len() >= 16, channels, rate, block) {
        (true, Some(c), Some(r), Some(b)) if c > 0 && r > 0 && b > 0 => Ok(()),
        _ => Err(corrupt(WAV, "its format chunk is damaged")),
    }
}

/// What a removed chunk was, in plain words.
fn chunk_what(id: &[u8; 4]) -> &'static str {
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
    for item in riff::chunks(&body[4..]).map_while(Result::ok) {
        let meaning = match &item.id {
            b"INAM" => Some("title"),
            b"IART" | b"IENG" | b"ITCH" => Some("artist name"),
            b"ICMT" => Some("comment"),
            b"ICRD" => Some("date"),
            b"ISFT" => Some("software"),
            _ => None,
        };
        if let Some(meaning) = meaning
            && filled(Some(item.body))
            && !found.iter().any(|f| f == meaning)
        {
            found.push(meaning.to_string());
        }
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
