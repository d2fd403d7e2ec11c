//! JPEG: a strict walk over the marker segments, keeping only what is
//! needed to show the pixels.
//!
//! Written by hand rather than with img-parts because that crate panics on
//! truncated input and treats everything after the first scan (further
//! scans of a progressive JPEG, segments between them, and data after the
//! end-of-image marker) as one opaque blob, which a fail-closed sanitiser
//! cannot accept. This walk visits every segment in every scan.
//!
//! Kept: SOF*, DHT, DQT, DRI, DAC, SOS with its entropy-coded data, RST*,
//! a JFIF APP0 (with its thumbnail removed), one ICC profile (APP2
//! `ICC_PROFILE`, unless the settings drop them: its parts joined, the
//! profile rebuilt with no text in it by [`super::icc`], and written again
//! as parts; a profile that cannot be read is dropped), and Adobe APP14
//! reduced to its colour-transform flag. Everything else goes: EXIF, XMP, extended
//! XMP (where depth maps live), MPF and other APP2 data, IPTC/Photoshop,
//! other APPn, comments, unknown segments, and every byte after the
//! end-of-image marker (MPF secondary images, Samsung trailers, motion-photo
//! videos).
//!
//! When the EXIF block gives an orientation other than 1, a new EXIF block
//! holding only that orientation takes the old one's place, so the photo
//! still shows upright.

use super::bytes::be16;
use super::metadata::{
    exif_facts, minimal_exif, minimal_orientation, trailer_description, xmp_facts,
};
use super::{Pieces, Refusal, RemovedLog, Settings, Stripped, icc};

const FORMAT: &str = "JPEG";

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: FORMAT,
        detail: detail.into(),
    }
}

/// The clean file as pieces, mostly ranges of the input (so a caller can
/// write it without copying it first).
pub(super) fn strip<'a>(input: &'a [u8], settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    if !input.starts_with(&[0xFF, 0xD8]) {
        return Err(corrupt(
            "it does not start with a JPEG start-of-image marker",
        ));
    }
    let mut out = Pieces::new(input);
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut removed = RemovedLog::default();
    let mut pos = 2;
    let mut size: Option<(u32, u32)> = None;
    let mut seen_scan = false;
    let mut orientation: Option<u16> = None;
    let mut icc_seen = false;
    let mut icc_parts_left = 0usize;

    loop {
        // Every segment starts with 0xFF, possibly padded with more 0xFF.
        if pos >= input.len() {
            return Err(corrupt(
                "the file ends before the end-of-image marker (truncated)",
            ));
        }
        if input[pos] != 0xFF {
            return Err(corrupt(format!("expected a marker at byte {pos}")));
        }
        while pos < input.len() && input[pos] == 0xFF {
            pos += 1;
        }
        let Some(&marker) = input.get(pos) else {
            return Err(corrupt("the file ends inside a marker (truncated)"));
        };
        pos += 1;

        match marker {
            0xD9 => {
                // End of image.
                if !seen_scan {
                    return Err(corrupt("it has no image data"));
                }
                out.extend_from_slice(&[0xFF, 0xD9]);
                if pos < input.len() {
                    let trailer = &input[pos..];
                    removed.add(trailer_description(trailer), trailer.len());
                }
                break;
            }
            0xD8 => return Err(corrupt("a second start-of-image marker")),
            0x01 | 0xD0..=0xD7 => {
                // Standalone markers (TEM, RSTn) outside a scan: harmless.
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            _ => {}
        }

        let segment = read_segment(input, pos)?;
        let whole = &input[pos..pos + segment.len() + 2];
        pos += segment.len() + 2;

        match marker {
            // Start of frame: keep, and read the image size.
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                let (true, Some(height), Some(width)) =
                    (segment.len() >= 6, be16(segment, 1), be16(segment, 3))
                else {
                    return Err(corrupt("a frame header is too short"));
                };
                if width == 0 || height == 0 {
                    return Err(corrupt("the frame header gives a zero image size"));
                }
                if size.is_some() {
                    return Err(corrupt("more than one frame header"));
                }
                size = Some((u32::from(width), u32::from(height)));
                out.extend_from_slice(&[0xFF, marker]);
                out.extend_from_slice(whole);
            }
            // Tables and restart interval: needed to decode.
            0xC4 | 0xCC | 0xDB | 0xDD | 0xDC => {
                out.extend_from_slice(&[0xFF, marker]);
                out.extend_from_slice(whole);
            }
            // Start of scan: keep the header and the entropy-coded data.
            0xDA => {
                if size.is_none() {
                    return Err(corrupt("image data comes before the frame header"));
                }
                out.extend_from_slice(&[0xFF, marker]);
                out.extend_from_slice(whole);
                let end = scan_end(input, pos)?;
                out.extend_from_slice(&input[pos..end]);
                pos = end;
                seen_scan = true;
            }
            0xE0 => {
                if let Some(jfif) = jfif_without_thumbnail(segment) {
                    out.extend_from_slice(&[0xFF, 0xE0]);
                    out.extend_from_slice(&(jfif.len() as u16 + 2).to_be_bytes());
                    out.extend_from_slice(&jfif);
                    if segment.len() > jfif.len() {
                        removed.add("JFIF thumbnail", segment.len() - jfif.len());
                    }
                } else if segment.starts_with(b"JFXX\0") {
                    removed.add("JFIF thumbnail", whole.len() + 2);
                } else {
                    removed.add("APP0 application data", whole.len() + 2);
                }
            }
            0xE2 if segment.starts_with(ICC) => {
                if !settings.keep_icc {
                    removed.add("ICC colour profile", whole.len() + 2);
                } else if icc_parts_left > 0 {
                    // A later part of the profile already written.
                    icc_parts_left -= 1;
                } else if icc_seen {
                    removed.add("second ICC colour profile", whole.len() + 2);
                } else {
                    icc_seen = true;
                    let parts = icc_parts(input, pos - whole.len() - 2);
                    icc_parts_left = parts.len().saturating_sub(1);
                    let size: usize = parts.iter().map(|p| p.len() + 4).sum();
                    match assemble(&parts).and_then(|p| Some((icc::clean(&p)?, p))) {
                        Some((clean, profile)) => {
                            if !write_icc(&mut out, &clean) {
                                removed.add(icc::UNREADABLE, size);
                            } else if clean != profile {
                                removed.add(icc::WHAT, profile.len().saturating_sub(clean.len()));
                            }
                        }
                        None => removed.add(icc::UNREADABLE, size),
                    }
                }
            }
            0xE1 if segment.starts_with(b"Exif\0\0")
                && orientation.is_none()
                && minimal_orientation(&segment[6..]).is_some() =>
            {
                // Our own orientation-only block, from an earlier pass.
                orientation = minimal_orientation(&segment[6..]);
                out.extend_from_slice(&[0xFF, marker]);
                out.extend_from_slice(whole);
            }
            0xE1 if segment.starts_with(b"Exif\0") => {
                let facts = exif_facts(segment.get(6..).unwrap_or_default());
                removed.add_found("EXIF metadata", whole.len() + 2, facts.found);
                if orientation.is_none() {
                    orientation = Some(facts.orientation);
                    if facts.orientation != 1 {
                        let mut payload = b"Exif\0\0".to_vec();
                        payload.extend_from_slice(&minimal_exif(facts.orientation));
                        out.extend_from_slice(&[0xFF, 0xE1]);
                        out.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
                        out.extend_from_slice(&payload);
                    }
                }
            }
            0xE1 if segment.starts_with(XMP) || segment.starts_with(EXTENDED_XMP) => {
                let what = if segment.starts_with(XMP) {
                    "XMP metadata"
                } else {
                    "extended XMP metadata"
                };
                removed.add_found(what, whole.len() + 2, xmp_facts(segment));
            }
            0xEE if segment.starts_with(b"Adobe") && segment.len() >= 12 => {
                // Keep only the colour-transform flag; the version and
                // flags are reset. It decides how CMYK/YCCK pixels decode.
                let transform = segment[11];
                out.extend_from_slice(&[0xFF, 0xEE, 0x00, 0x0E]);
                out.extend_from_slice(b"Adobe\x00\x64\x00\x00\x00\x00");
                out.push(transform);
                if segment.len() > 12 {
                    removed.add("Adobe APP14 extra data", segment.len() - 12);
                }
            }
            0xE1..=0xEF => {
                removed.add(describe_app(marker, segment), whole.len() + 2);
            }
            0xFE => removed.add("comment", whole.len() + 2),
            _ => removed.add("unknown segment", whole.len() + 2),
        }
    }

    let Some((width, height)) = size else {
        return Err(corrupt("it has no frame header"));
    };
    Ok(Stripped {
        body: out,
        width,
        height,
        orientation: orientation.unwrap_or(1),
        removed: removed.finish(),
    })
}

const ICC: &[u8] = b"ICC_PROFILE\0";

/// The most profile bytes in one APP2 segment: 65,535 less the length
/// field, the identifier and the part's number and count.
const ICC_PART: usize = 65_535 - 2 - 14;

/// The payloads of the ICC_PROFILE segments from the one whose marker is
/// at `pos` up to the first scan, in file order. The main walk checks
/// these segments again; a damaged one stops the look-ahead here.
fn icc_parts(input: &[u8], mut pos: usize) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    loop {
        while input.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = input.get(pos) else {
            return parts;
        };
        pos += 1;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            0xD8..=0xDA => return parts,
            _ => {}
        }
        let Ok(segment) = read_segment(input, pos) else {
            return parts;
        };
        if marker == 0xE2 && segment.starts_with(ICC) {
            parts.push(&segment[ICC.len()..]);
        }
        pos += segment.len() + 2;
    }
}

/// The profile the parts (each: number, count, bytes) make, when every
/// part from 1 to the count is there once and they agree on the count.
fn assemble(parts: &[&[u8]]) -> Option<Vec<u8>> {
    let count = usize::from(*parts.first()?.get(1)?);
    if count != parts.len() {
        return None;
    }
    let mut profile = Vec::new();
    for number in 1..=count {
        let mut these = parts
            .iter()
            .filter(|p| p.len() >= 2 && usize::from(p[0]) == number && usize::from(p[1]) == count);
        let part = these.next()?;
        if these.next().is_some() {
            return None;
        }
        profile.extend_from_slice(&part[2..]);
    }
    Some(profile)
}

/// Writes a profile as APP2 segments; false (and nothing written) when it
/// needs more than the 255 a JPEG can number.
fn write_icc(out: &mut Pieces<'_>, profile: &[u8]) -> bool {
    let count = profile.len().div_ceil(ICC_PART);
    let Ok(count) = u8::try_from(count) else {
        return false;
    };
    for (i, part) in profile.chunks(ICC_PART).enumerate() {
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&((part.len() + 2 + ICC.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(ICC);
        out.extend_from_slice(&[i as u8 + 1, count]);
        out.extend_from_slice(part);
    }
    true
}

const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXTENDED_XMP: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// The payload of the segment whose length field starts at `pos`.
fn read_segment(input: &[u8], pos: usize) -> Result<&[u8], Refusal> {
    let Some(len) = be16(input, pos).map(usize::from) else {
        return Err(corrupt("the file ends inside a segment header (truncated)"));
    };
    if len < 2 {
        return Err(corrupt(format!(
            "a segment at byte {pos} has an impossible length"
        )));
    }
    input
        .get(pos + 2..pos + len)
        .ok_or_else(|| corrupt("a segment runs past the end of the file (truncated)"))
}

/// Finds where the entropy-coded data that starts at `pos` ends: at the
/// first marker that is not a stuffed zero or a restart marker.
fn scan_end(input: &[u8], mut pos: usize) -> Result<usize, Refusal> {
    loop {
        let Some(offset) = memchr_ff(&input[pos..]) else {
            return Err(corrupt(
                "the image data ends without an end-of-image marker (truncated)",
            ));
        };
        pos += offset;
        match input.get(pos + 1) {
            None => return Err(corrupt("the image data is truncated")),
            Some(0x00) | Some(0xD0..=0xD7) => pos += 2,
            Some(0xFF) => pos += 1,
            Some(_) => return Ok(pos),
        }
    }
}

fn memchr_ff(b: &[u8]) -> Option<usize> {
    memchr::memchr(0xFF, b)
}

/// A JFIF APP0 payload rebuilt without its embedded thumbnail.
fn jfif_without_thumbnail(segment: &[u8]) -> Option<Vec<u8>> {
    if !segment.starts_with(b"JFIF\0") || segment.len() < 14 {
        return None;
    }
    let mut jfif = segment[..12].to_vec();
    jfif.extend_from_slice(&[0, 0]);
    Some(jfif)
}

fn describe_app(marker: u8, segment: &[u8]) -> &'static str {
    match marker {
        0xE2 if segment.starts_with(b"MPF\0") => "MPF secondary-image index",
        0xE2 if segment.starts_with(b"FPXR\0") => "FlashPix extension data",
        0xED => "IPTC/Photoshop metadata",
        0xEE => "Adobe APP14 data",
        _ => "application data",
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

    /// A tiny valid baseline JPEG (8×8 grey), made by hand.
    pub(crate) fn seg(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    fn minimal(with: &[Vec<u8>]) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend(seg(
            0xE0,
            b"JFIF\0\x01\x01\0\0\x01\0\x01\x02\x02abcdefghijkl",
        ));
        for s in with {
            v.extend_from_slice(s);
        }
        v.extend(seg(0xDB, &[0u8; 65]));
        v.extend(seg(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
        v.extend(seg(0xC4, &[0u8; 17 + 1]));
        v.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        v.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        v.extend(seg(0xFE, b"a comment between scans"));
        v.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        v.extend_from_slice(&[0x78]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    #[test]
    fn removes_every_hiding_place() {
        let mut input = minimal(&[
            seg(0xE1, b"Exif\0\0MM\0*GPS secret"),
            seg(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>"),
            seg(0xE2, b"MPF\0secondary"),
            seg(
                0xE2,
                &[
                    &b"ICC_PROFILE\0\x01\x01"[..],
                    &crate::media::icc::tests::profile("a Parent's Phone", false),
                ]
                .concat(),
            ),
            seg(0xED, b"Photoshop 3.0\08BIM"),
            seg(0xEE, b"Adobe\0\x64\x80\0\0\0\x01"),
            seg(0xFE, b"taken by a parent"),
        ]);
        input.extend_from_slice(b"TRAILER motion photo ftypmp42");
        let s = strip(&input, &Settings::default()).unwrap();
        let text = String::from_utf8_lossy(&s.bytes);
        for planted in [
            "Exif",
            "GPS",
            "xap",
            "MPF",
            "Photoshop",
            "comment",
            "parent",
            "TRAILER",
            "abcdef",
            "Phone",
        ] {
            assert!(!text.contains(planted), "{planted} survived");
        }
        assert!(text.contains("ICC_PROFILE") && text.contains("acsp"));
        assert!(s.bytes.ends_with(&[0xFF, 0xD9]));
        assert_eq!((s.width, s.height), (8, 8));
        let what: Vec<_> = s.removed.iter().map(|r| r.what.as_str()).collect();
        assert!(what.contains(&"EXIF metadata"), "{what:?}");
        assert!(
            what.contains(&"motion-photo video after the end of the image"),
            "{what:?}"
        );
        assert!(what.iter().any(|w| w.starts_with("comment")), "{what:?}");
        // Idempotent: a second pass removes nothing more.
        let again = strip(&s.bytes, &Settings::default()).unwrap();
        assert_eq!(again.bytes, s.bytes);
        assert!(again.removed.is_empty());
    }

    #[test]
    fn every_truncation_is_refused_never_a_panic() {
        let input = minimal(&[seg(0xE1, b"Exif\0\0data")]);
        for cut in 0..input.len() - 1 {
            assert!(
                strip(&input[..cut], &Settings::default()).is_err(),
                "cut at {cut} accepted"
            );
        }
        assert!(strip(&input, &Settings::default()).is_ok());
    }

    #[test]
    fn exif_segment_shorter_than_its_header_is_dropped() {
        // Found by the fuzzer: an APP1 holding only "Exif\0".
        let input = minimal(&[seg(0xE1, b"Exif\0")]);
        let s = strip(&input, &Settings::default()).unwrap();
        assert!(!String::from_utf8_lossy(&s.bytes).contains("Exif"));
        assert_eq!(s.orientation, 1);
    }

    #[test]
    fn garbage_is_refused() {
        let s = &Settings::default();
        assert!(strip(b"\xFF\xD8\xFF\xC0\x00\x00", s).is_err());
        assert!(strip(b"\xFF\xD8\x00\x00", s).is_err());
        assert!(strip(b"\xFF\xD8\xFF\xD9", s).is_err());
    }
}
