//! PNG: a walk over the chunks, checking every CRC, keeping only the
//! chunks needed to show the pixels correctly.
//!
//! Kept: IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM, sRGB, iCCP, cICP, sBIT,
//! pHYs, and the APNG animation chunks (acTL, fcTL, fdAT). The first
//! iCCP is rebuilt: named "ICC profile", its profile cleaned of text by
//! [`super::icc`] and compressed again (dropped if it cannot be read).
//! None of the other kept chunks holds text. Everything else
//! goes: tEXt, zTXt, iTXt, eXIf, tIME, and any chunk this code does not
//! know, plus every byte after IEND.

use super::bytes::be32;
use super::metadata::{
    exif_facts, minimal_exif, minimal_orientation, trailer_description, xmp_facts,
};
use super::{Pieces, Refusal, RemovedLog, Settings, Stripped, icc};

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const KEEP: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP",
    b"sBIT", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: "PNG",
        detail: detail.into(),
    }
}

pub(super) fn strip<'a>(input: &'a [u8], settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    if !input.starts_with(SIGNATURE) {
        return Err(corrupt("it does not start with the PNG signature"));
    }
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(SIGNATURE);
    let mut removed = RemovedLog::default();
    let mut pos = SIGNATURE.len();
    let mut size = None;
    let mut seen_idat = false;
    let mut orientation: Option<u16> = None;
    let mut seen_icc = false;

    loop {
        let (Some(header), Some(len)) = (input.get(pos..pos + 8), be32(input, pos)) else {
            return Err(corrupt("the file ends before the IEND chunk (truncated)"));
        };
        let len = len as usize;
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(corrupt(format!(
                "a chunk at byte {pos} has an invalid type"
            )));
        }
        let end = pos
            .checked_add(12)
            .and_then(|p| p.checked_add(len))
            .filter(|&e| e <= input.len())
            .ok_or_else(|| corrupt("a chunk runs past the end of the file (truncated)"))?;
        let chunk = &input[pos..end];
        let data = &chunk[8..8 + len];
        let crc = be32(chunk, 8 + len);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&kind);
        hasher.update(data);
        if Some(hasher.finalize()) != crc {
            return Err(corrupt(format!(
                "the {} chunk fails its checksum",
                String::from_utf8_lossy(&kind)
            )));
        }
        pos = end;

        if size.is_none() && &kind != b"IHDR" {
            return Err(corrupt("the first chunk is not IHDR"));
        }
        match &kind {
            b"IHDR" => {
                if size.is_some() || len != 13 {
                    return Err(corrupt("a malformed IHDR chunk"));
                }
                let (Some(w), Some(h)) = (be32(data, 0), be32(data, 4)) else {
                    return Err(corrupt("a malformed IHDR chunk"));
                };
                if w == 0 || h == 0 {
                    return Err(corrupt("the image size is zero"));
                }
                size = Some((w, h));
            }
            b"IDAT" => seen_idat = true,
            _ => {}
        }

        if &kind == b"iCCP" && !settings.keep_icc {
            removed.add("ICC colour profile", chunk.len());
        } else if &kind == b"iCCP" {
            if seen_icc {
                removed.add("second ICC colour profile", chunk.len());
            } else {
                seen_icc = true;
                match profile(data).and_then(|(name, p)| Some((icc::clean(&p)?, p, name))) {
                    Some((clean, p, name)) => {
                        let mut kept = ICC_NAME.to_vec();
                        kept.push(0); // compression method: zlib
                        let mut z =
                            flate2::write::ZlibEncoder::new(kept, flate2::Compression::best());
                        use std::io::Write as _;
                        match z.write_all(&clean).and_then(|()| z.finish()) {
                            Ok(kept) => write_chunk(&mut out, b"iCCP", &kept),
                            Err(_) => removed.add(icc::UNREADABLE, chunk.len()),
                        }
                        if clean != p || name != &ICC_NAME[..ICC_NAME.len() - 1] {
                            removed.add(icc::WHAT, p.len().saturating_sub(clean.len()));
                        }
                    }
                    None => removed.add(icc::UNREADABLE, chunk.len()),
                }
            }
        } else if &kind == b"eXIf" && orientation.is_none() && minimal_orientation(data).is_some() {
            // Our own orientation-only block, from an earlier pass.
            orientation = minimal_orientation(data);
            out.extend_from_slice(chunk);
        } else if &kind == b"eXIf" {
            let facts = exif_facts(data);
            removed.add_found("EXIF metadata", chunk.len(), facts.found);
            if orientation.is_none() {
                orientation = Some(facts.orientation);
                if facts.orientation != 1 {
                    write_chunk(&mut out, b"eXIf", &minimal_exif(facts.orientation));
                }
            }
        } else if &kind == b"iTXt" && data.starts_with(b"XML:com.adobe.xmp\0") {
            removed.add_found("XMP metadata", chunk.len(), xmp_facts(data));
        } else if KEEP.contains(&&kind) {
            out.extend_from_slice(chunk);
        } else if kind[0].is_ascii_uppercase() {
            // An unknown critical chunk: the image cannot be shown without
            // it, and it cannot be checked either.
            return Err(corrupt(format!(
                "it has an unknown critical chunk {}",
                String::from_utf8_lossy(&kind)
            )));
        } else {
            removed.add(describe(&kind), chunk.len());
        }

        if &kind == b"IEND" {
            if !seen_idat {
                return Err(corrupt("it has no image data"));
            }
            if pos < input.len() {
                let trailer = &input[pos..];
                removed.add(trailer_description(trailer), trailer.len());
            }
            break;
        }
    }

    let Some((width, height)) = size else {
        return Err(corrupt("it has no IHDR chunk"));
    };
    Ok(Stripped {
        body: Pieces::owned(input, out),
        width,
        height,
        orientation: orientation.unwrap_or(1),
        removed: removed.finish(),
    })
}

/// The name every kept `iCCP` chunk is given (with its NUL), whatever
/// the original said: a profile's name is free text.
const ICC_NAME: &[u8] = b"ICC profile\0";

/// The largest profile inflated from an `iCCP` chunk (real ones are a few
/// kilobytes; a printer's, a few hundred).
const MAX_PROFILE: u64 = 4 << 20;

/// An `iCCP` chunk's name and inflated profile, or `None` when it cannot
/// be read (bad name, unknown compression, damaged or oversized data).
fn profile(data: &[u8]) -> Option<(&[u8], Vec<u8>)> {
    let nul = data.iter().take(80).position(|b| *b == 0)?;
    if nul == 0 || data.get(nul + 1) != Some(&0) {
        return None;
    }
    use std::io::Read as _;
    let mut profile = Vec::new();
    flate2::read::ZlibDecoder::new(&data[nul + 2..])
        .take(MAX_PROFILE + 1)
        .read_to_end(&mut profile)
        .ok()?;
    if profile.len() as u64 > MAX_PROFILE {
        return None;
    }
    Some((&data[..nul], profile))
}

/// Appends a chunk with its length and checksum.
fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(kind);
    hasher.update(data);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
}

fn describe(kind: &[u8; 4]) -> &'static str {
    match kind {
        b"tEXt" | b"zTXt" | b"iTXt" => "text metadata",
        b"eXIf" => "EXIF metadata",
        b"tIME" => "modification time",
        _ => "unknown ancillary chunk",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::format::Owned;

    /// The clean file, copied out of its input to compare.
    fn strip(input: &[u8], settings: &Settings) -> Result<Owned, Refusal> {
        super::strip(input, settings).map(Stripped::owned)
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        write_chunk(&mut v, kind, data);
        v
    }

    fn png(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut v = SIGNATURE.to_vec();
        v.extend(chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 3, 8, 0, 0, 0, 0]));
        for c in extra {
            v.extend_from_slice(c);
        }
        v.extend(chunk(b"IDAT", b"pixels"));
        v.extend(chunk(b"IEND", b""));
        v
    }

    #[test]
    fn removes_text_exif_time_and_trailer() {
        let mut input = png(&[
            chunk(b"tEXt", b"Author\0A parent"),
            chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta/>"),
            chunk(b"eXIf", b"MM\0*GPS"),
            chunk(b"tIME", &[7, 234, 1, 1, 0, 0, 0]),
            chunk(b"gAMA", &[0, 0, 177, 143]),
            chunk(b"prVt", b"private"),
        ]);
        input.extend_from_slice(b"PK\x03\x04zip appended");
        let s = strip(&input, &Settings::default()).unwrap();
        let text = String::from_utf8_lossy(&s.bytes);
        for planted in [
            "tEXt", "parent", "xmpmeta", "eXIf", "GPS", "tIME", "prVt", "PK",
        ] {
            assert!(!text.contains(planted), "{planted} survived");
        }
        assert!(text.contains("gAMA"));
        assert_eq!((s.width, s.height), (2, 3));
        assert_eq!(
            strip(&s.bytes, &Settings::default()).unwrap().bytes,
            s.bytes
        );
    }

    #[test]
    fn bad_crc_and_truncation_are_refused() {
        let good = png(&[]);
        let mut bad = good.clone();
        let idat = bad.windows(4).position(|w| w == b"IDAT").unwrap();
        bad[idat + 5] ^= 1;
        assert!(
            strip(&bad, &Settings::default())
                .unwrap_err()
                .to_string()
                .contains("checksum")
        );
        for cut in 0..good.len() {
            assert!(
                strip(&good[..cut], &Settings::default()).is_err(),
                "cut at {cut} accepted"
            );
        }
    }

    #[test]
    fn huge_length_does_not_overflow() {
        let mut v = SIGNATURE.to_vec();
        v.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        v.extend_from_slice(b"IHDR");
        assert!(strip(&v, &Settings::default()).is_err());
    }
}
