//! WebP: a strict walk over the RIFF chunks, keeping only what is needed
//! to show the pixels.
//!
//! Kept: the image data (`VP8 `, `VP8L`, `ALPH`), the animation chunks
//! (`ANIM`, `ANMF`), the `VP8X` header (rebuilt, with its metadata flags
//! and reserved bits cleared) and the first `ICCP` colour profile (unless
//! the settings drop them), rebuilt with no text in it by [`super::icc`]
//! (dropped if it cannot be read). Everything else goes: `EXIF`, `XMP `, any chunk
//! this code does not know (also inside animation frames), and every byte
//! after the end of the RIFF container.
//!
//! When an extended file's EXIF block gives an orientation other than 1,
//! a new `EXIF` chunk holding only that orientation is written after the
//! image data, so the photo still shows upright.
//!
//! Every size is checked against the bytes that are really there, and
//! against the image's own headers: the width and height come from the
//! `VP8 ` / `VP8L` bitstream headers and the `VP8X` canvas, and must agree.

use super::bytes::{le16, le24, le32};
use super::metadata::{
    exif_facts, minimal_exif, minimal_orientation, trailer_description, xmp_facts,
};
use super::riff::{self, Chunk};
use super::{Pieces, Refusal, RemovedLog, Settings, Stripped, icc};

const FORMAT: &str = "WebP";

/// VP8X flags (spec: "Extended File Format").
const ICC_FLAG: u8 = 0x20;
const ALPHA_FLAG: u8 = 0x10;
const EXIF_FLAG: u8 = 0x08;
const ANIMATION_FLAG: u8 = 0x02;

/// The product of canvas width and height must fit in 32 bits.
const MAX_CANVAS_AREA: u64 = (1 << 32) - 1;

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: FORMAT,
        detail: detail.into(),
    }
}

pub(super) fn strip<'a>(input: &'a [u8], settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    let Some(header) = riff::header(input).filter(|h| &h.form == b"RIFF" && &h.kind == b"WEBP")
    else {
        return Err(corrupt("it does not start with a RIFF WEBP header"));
    };
    let riff_size = header.size as usize;
    if riff_size < 4 {
        return Err(corrupt("the RIFF header gives an impossible size"));
    }
    let end = riff_size
        .checked_add(8)
        .filter(|&e| e <= input.len())
        .ok_or_else(|| corrupt("the file is shorter than its RIFF header says (truncated)"))?;
    let chunks = read_chunks(&input[12..end])?;
    let mut removed = RemovedLog::default();

    let Some(first) = chunks.first() else {
        return Err(corrupt("it has no image data"));
    };
    let mut out = Vec::with_capacity(end);
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let (width, height, orientation) = match &first.id {
        b"VP8 " | b"VP8L" => {
            let (width, height) = bitstream_size(first)?;
            push_chunk(&mut out, &first.id, first.body)?;
            simple_rest(&chunks[1..], &mut removed)?;
            (width, height, 1)
        }
        b"VP8X" => extended(first, &chunks[1..], settings, &mut out, &mut removed)?,
        _ => {
            return Err(corrupt(format!(
                "the first chunk is {}, not VP8, VP8L or VP8X",
                first.name()
            )));
        }
    };

    if end < input.len() {
        let trailer = &input[end..];
        removed.add(trailer_description(trailer), trailer.len());
    }
    let riff_size = u32::try_from(out.len() - 8)
        .map_err(|_| corrupt("the cleaned file would be too large for WebP"))?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Ok(Stripped {
        body: Pieces::owned(input, out),
        width,
        height,
        orientation,
        removed: removed.finish(),
    })
}

/// The chunks after the image in a simple (lossy or lossless) file. Such a
/// file has no VP8X header, so readers ignore anything here: all of it is
/// dropped.
fn simple_rest(rest: &[Chunk<'_>], removed: &mut RemovedLog) -> Result<(), Refusal> {
    for chunk in rest {
        if matches!(&chunk.id, b"VP8 " | b"VP8L" | b"ANMF") {
            return Err(corrupt(
                "it has more than one image but no VP8X header to say how to show them",
            ));
        }
        drop_chunk(chunk, removed);
    }
    Ok(())
}

/// An extended file: rebuilds the VP8X header and keeps the chunks that
/// make up the picture. Returns the canvas size and the orientation kept.
fn extended(
    vp8x: &Chunk<'_>,
    rest: &[Chunk<'_>],
    settings: &Settings,
    out: &mut Vec<u8>,
    removed: &mut RemovedLog,
) -> Result<(u32, u32, u16), Refusal> {
    let header = vp8x.body;
    if header.len() != 10 {
        return Err(corrupt("the VP8X header has the wrong size"));
    }
    let (Some(&flags), Some(width), Some(height)) =
        (header.first(), le24(header, 4), le24(header, 7))
    else {
        return Err(corrupt("the VP8X header has the wrong size"));
    };
    let (width, height) = (width + 1, height + 1);
    if u64::from(width) * u64::from(height) > MAX_CANVAS_AREA {
        return Err(corrupt("the VP8X header gives an impossible canvas size"));
    }
    let animated = flags & ANIMATION_FLAG != 0;

    let mut body = Vec::new();
    let mut icc_kept = false;
    let mut seen_anim = false;
    let mut frames = 0usize;
    let mut seen_alpha = false;
    let mut seen_image = false;
    let mut orientation: Option<u16> = None;

    for chunk in rest {
        match &chunk.id {
            b"VP8X" => return Err(corrupt("it has a second VP8X header")),
            b"ICCP" => {
                if settings.keep_icc && !icc_kept {
                    match icc::clean(chunk.body) {
                        Some(clean) => {
                            push_chunk(&mut body, b"ICCP", &clean)?;
                            icc_kept = true;
                            if clean != chunk.body {
                                removed
                                    .add(icc::WHAT, chunk.body.len().saturating_sub(clean.len()));
                            }
                        }
                        None => removed.add(icc::UNREADABLE, chunk.whole),
                    }
                } else {
                    removed.add("ICC colour profile", chunk.whole);
                }
            }
            b"ANIM" => {
                if !animated {
                    return Err(corrupt(
                        "it has an animation header but is not marked as animated",
                    ));
                }
                if seen_anim {
                    return Err(corrupt("it has a second animation header"));
                }
                if chunk.body.len() != 6 {
                    return Err(corrupt("the animation header has the wrong size"));
                }
                push_chunk(&mut body, b"ANIM", chunk.body)?;
                seen_anim = true;
            }
            b"ANMF" => {
                if !seen_anim {
                    return Err(corrupt(
                        "an animation frame comes before the animation header",
                    ));
                }
                let frame = animation_frame(chunk.body, (width, height), removed)?;
                push_chunk(&mut body, b"ANMF", &frame)?;
                frames += 1;
            }
            b"ALPH" => {
                if animated {
                    return Err(corrupt(
                        "it has transparency data outside the animation frames",
                    ));
                }
                if seen_alpha || seen_image {
                    return Err(corrupt("the transparency data is in the wrong place"));
                }
                push_chunk(&mut body, b"ALPH", chunk.body)?;
                seen_alpha = true;
            }
            b"VP8 " | b"VP8L" => {
                if animated {
                    return Err(corrupt(
                        "it is marked as animated but has a still image outside the frames",
                    ));
                }
                if seen_image {
                    return Err(corrupt("it has more than one image"));
                }
                if bitstream_size(chunk)? != (width, height) {
                    return Err(corrupt(
                        "the image size does not match the canvas size in the VP8X header",
                    ));
                }
                push_chunk(&mut body, &chunk.id, chunk.body)?;
                seen_image = true;
            }
            // The minimal block a first pass wrote: kept as it is, so a
            // second pass changes and reports nothing.
            b"EXIF"
                if orientation.is_none()
                    && flags & EXIF_FLAG != 0
                    && minimal_orientation(chunk.body).is_some() =>
            {
                orientation = minimal_orientation(chunk.body);
            }
            _ => {
                let found = drop_chunk(chunk, removed);
                if orientation.is_none() {
                    // Readers apply an EXIF chunk only when the VP8X
                    // header says there is one.
                    orientation = found.filter(|_| flags & EXIF_FLAG != 0);
                }
            }
        }
    }
    if animated && frames == 0 {
        return Err(corrupt("it is marked as animated but has no frames"));
    }
    if !animated && !seen_image {
        return Err(corrupt("it has no image data"));
    }

    let orientation = orientation.unwrap_or(1);
    let mut new_flags = flags & (ALPHA_FLAG | ANIMATION_FLAG);
    if icc_kept {
        new_flags |= ICC_FLAG;
    }
    if orientation != 1 {
        new_flags |= EXIF_FLAG;
    }
    let mut new_header = [0u8; 10];
    new_header[0] = new_flags;
    new_header[4..10].copy_from_slice(&header[4..10]);
    push_chunk(out, b"VP8X", &new_header)?;
    out.extend_from_slice(&body);
    if orientation != 1 {
        push_chunk(out, b"EXIF", &minimal_exif(orientation))?;
    }
    Ok((width, height, orientation))
}

/// Rebuilds an ANMF payload: the frame header (with its reserved bits
/// cleared), its transparency and image data, and nothing else.
fn animation_frame(
    payload: &[u8],
    (canvas_width, canvas_height): (u32, u32),
    removed: &mut RemovedLog,
) -> Result<Vec<u8>, Refusal> {
    let (Some(header), Some(x), Some(y), Some(width), Some(height)) = (
        payload.get(..16),
        le24(payload, 0),
        le24(payload, 3),
        le24(payload, 6),
        le24(payload, 9),
    ) else {
        return Err(corrupt("an animation frame header is too short"));
    };
    let (x, y) = (u64::from(x) * 2, u64::from(y) * 2);
    let (width, height) = (width + 1, height + 1);
    if x + u64::from(width) > u64::from(canvas_width)
        || y + u64::from(height) > u64::from(canvas_height)
    {
        return Err(corrupt("an animation frame lies outside the canvas"));
    }

    let mut frame = Vec::with_capacity(payload.len());
    frame.extend_from_slice(&header[..15]);
    // Only the blending and disposal bits are defined.
    frame.push(header[15] & 0x03);
    let mut seen_alpha = false;
    let mut seen_image = false;
    for chunk in read_chunks(&payload[16..])? {
        match &chunk.id {
            b"ALPH" => {
                if seen_alpha || seen_image {
                    return Err(corrupt(
                        "the transparency data of an animation frame is in the wrong place",
                    ));
                }
                push_chunk(&mut frame, b"ALPH", chunk.body)?;
                seen_alpha = true;
            }
            b"VP8 " | b"VP8L" => {
                if seen_image {
                    return Err(corrupt("an animation frame has more than one image"));
                }
                if bitstream_size(&chunk)? != (width, height) {
                    return Err(corrupt(
                        "an animation frame's image size does not match its frame header",
                    ));
                }
                push_chunk(&mut frame, &chunk.id, chunk.body)?;
                seen_image = true;
            }
            _ => {
                // Orientation inside a frame means nothing to readers.
                drop_chunk(&chunk, removed);
            }
        }
    }
    if !seen_image {
        return Err(corrupt("an animation frame has no image data"));
    }
    Ok(frame)
}

/// Records a chunk that is not kept. Returns the EXIF orientation when the
/// chunk was an EXIF block.
fn drop_chunk(chunk: &Chunk<'_>, removed: &mut RemovedLog) -> Option<u16> {
    match &chunk.id {
        b"EXIF" => {
            // Some writers put the JPEG-style "Exif\0\0" before the TIFF
            // header.
            let tiff = chunk.body.strip_prefix(b"Exif\0\0").unwrap_or(chunk.body);
            let facts = exif_facts(tiff);
            removed.add_found("EXIF metadata", chunk.whole, facts.found);
            Some(facts.orientation)
        }
        b"XMP " => {
            removed.add_found("XMP metadata", chunk.whole, xmp_facts(chunk.body));
            None
        }
        b"ICCP" => {
            removed.add("ICC colour profile", chunk.whole);
            None
        }
        _ => {
            removed.add("unknown chunk", chunk.whole);
            None
        }
    }
}

/// Splits `body` into chunks; every chunk, with its padding byte, must fit.
fn read_chunks(body: &[u8]) -> Result<Vec<Chunk<'_>>, Refusal> {
    let cut = |id: &[u8; 4]| {
        corrupt(format!(
            "the {} chunk runs past the end of the file (truncated)",
            riff::name(id)
        ))
    };
    riff::chunks(body)
        .map(|chunk| match chunk {
            Ok(chunk) if chunk.padded => Ok(chunk),
            Ok(chunk) => Err(cut(&chunk.id)),
            Err(riff::Damage::Cut { id, .. }) => Err(cut(&id)),
            Err(riff::Damage::Stray { .. }) => Err(corrupt(
                "a chunk header runs past the end of the file (truncated)",
            )),
        })
        .collect()
}

/// The width and height given by a `VP8 ` or `VP8L` bitstream header.
fn bitstream_size(chunk: &Chunk<'_>) -> Result<(u32, u32), Refusal> {
    let data = chunk.body;
    if &chunk.id == b"VP8L" {
        // Lossless: signature 0x2f, then 14 bits width - 1, 14 bits
        // height - 1, 1 bit alpha, 3 bits version (0).
        let (Some(&0x2f), Some(bits)) = (data.first(), le32(data, 1)) else {
            return Err(corrupt("the lossless image header is damaged"));
        };
        if bits >> 29 != 0 {
            return Err(corrupt("the lossless image header has an unknown version"));
        }
        return Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1));
    }
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14 bits of
    // width and of height (the top 2 bits of each are a scaling hint).
    let Some(head) = data.get(..10) else {
        return Err(corrupt("the lossy image header is too short"));
    };
    let tag = le24(head, 0).unwrap_or_default();
    let key_frame = tag & 1 == 0;
    let profile = (tag >> 1) & 7;
    let shown = (tag >> 4) & 1 == 1;
    let first_partition = (tag >> 5) as usize;
    if !key_frame || profile > 3 || !shown || head[3..6] != [0x9d, 0x01, 0x2a] {
        return Err(corrupt("the lossy image header is damaged"));
    }
    if first_partition > data.len() - 10 {
        return Err(corrupt("the lossy image data is truncated"));
    }
    let width = u32::from(le16(head, 6).unwrap_or_default() & 0x3FFF);
    let height = u32::from(le16(head, 8).unwrap_or_default() & 0x3FFF);
    if width == 0 || height == 0 {
        return Err(corrupt("the image size is zero"));
    }
    Ok((width, height))
}

/// Appends a chunk with its header and, for an odd size, a zero pad byte.
fn push_chunk(out: &mut Vec<u8>, fourcc: &[u8; 4], payload: &[u8]) -> Result<(), Refusal> {
    let size =
        u32::try_from(payload.len()).map_err(|_| corrupt("a chunk is too large for WebP"))?;
    out.extend_from_slice(fourcc);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(payload);
    if size & 1 == 1 {
        out.push(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::format::Owned;

    /// The clean file, copied out of its input to compare.
    fn strip(input: &[u8], settings: &Settings) -> Result<Owned, Refusal> {
        super::strip(input, settings).map(Stripped::owned)
    }

    /// The VP8L payload of a real 1×1 lossless WebP (made by libwebp).
    const VP8L_1X1: &[u8] = b"\x2f\x00\x00\x00\x00\x07\x10\xfd\x8f\xfe\x07\x22\xa2\xff\x01";
    /// The VP8 payload of a real 1×1 lossy WebP (made by libwebp).
    const VP8_1X1: &[u8] = b"\x90\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x02\xc0\x4c\x25\xa0\x02\x74\xba\x00\x03\x98\x00\xfe\xee\x43\x1f\xee\x6c\x73\x8b\x70\x57\xff\x6d\x0f\xff\x5a\x1f\xfe\xb4\x3f\xe9\x40\x00";
    /// Uncompressed alpha for one pixel.
    const ALPH_1X1: &[u8] = b"\x00\x80";

    fn chunk(fourcc: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        push_chunk(&mut v, fourcc, payload).unwrap();
        v
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
        v.extend_from_slice(b"WEBP");
        v.extend(body);
        v
    }

    fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
        let mut p = vec![flags, 0, 0, 0];
        p.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        p.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        chunk(b"VP8X", &p)
    }

    fn anmf(x: u32, y: u32, w: u32, h: u32, flags: u8, sub: &[Vec<u8>]) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&(x / 2).to_le_bytes()[..3]);
        p.extend_from_slice(&(y / 2).to_le_bytes()[..3]);
        p.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
        p.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
        p.extend_from_slice(&[100, 0, 0, flags]);
        p.extend(sub.concat());
        chunk(b"ANMF", &p)
    }

    /// An EXIF block with orientation 6 and a secret after the IFD.
    fn rotated_exif() -> Vec<u8> {
        let mut e = minimal_exif(6);
        e.extend_from_slice(b"Secret serial 12345");
        e
    }

    const XMP_FACE: &[u8] =
        br#"<x:xmpmeta><rdf:li mwg-rs:Name="Child" mwg-rs:Type="Face"/></x:xmpmeta>"#;

    /// Walks a cleaned file and checks its RIFF structure: the RIFF size,
    /// every chunk fitting with zero padding. Returns the FourCCs.
    fn structure(bytes: &[u8]) -> Vec<[u8; 4]> {
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(
            le32(bytes, 4).unwrap() as usize,
            bytes.len() - 8,
            "RIFF size"
        );
        assert_eq!(&bytes[8..12], b"WEBP");
        let chunks = read_chunks(&bytes[12..]).unwrap();
        for c in &chunks {
            if c.body.len() % 2 == 1 {
                let pad = c.body.as_ptr() as usize - bytes.as_ptr() as usize + c.body.len();
                assert_eq!(bytes[pad], 0, "non-zero pad byte");
            }
        }
        chunks.iter().map(|c| c.id).collect()
    }

    fn assert_idempotent(s: &Owned, settings: &Settings) {
        let again = strip(&s.bytes, settings).unwrap();
        assert_eq!(again.bytes, s.bytes, "a second pass changed the bytes");
        assert!(again.removed.is_empty(), "{:?}", again.removed);
        assert_eq!(again.orientation, s.orientation);
        assert_eq!((again.width, again.height), (s.width, s.height));
    }

    fn whats(s: &Owned) -> Vec<&str> {
        s.removed.iter().map(|r| r.what.as_str()).collect()
    }

    /// A still extended file with every hiding place filled.
    fn loaded_still() -> Vec<u8> {
        let mut v = riff(&[
            vp8x(ICC_FLAG | ALPHA_FLAG | EXIF_FLAG | 0x04 | 0xC1, 1, 1),
            chunk(
                b"ICCP",
                &crate::media::icc::tests::profile("colour profile from a Parent's Phone", true),
            ),
            chunk(b"ALPH", ALPH_1X1),
            chunk(b"VP8 ", VP8_1X1),
            chunk(b"EXIF", &rotated_exif()),
            chunk(b"XMP ", XMP_FACE),
            chunk(b"prVt", b"private notes, odd length"),
        ]);
        v.extend_from_slice(b"PK\x03\x04zip after the end");
        v
    }

    #[test]
    fn removes_every_hiding_place_and_keeps_orientation() {
        let input = loaded_still();
        let settings = Settings::default();
        let s = strip(&input, &settings).unwrap();
        let text = String::from_utf8_lossy(&s.bytes);
        for planted in [
            "Secret", "12345", "xmpmeta", "Child", "XMP", "prVt", "private", "PK",
        ] {
            assert!(!text.contains(planted), "{planted} survived");
        }
        // The profile is kept, without its text.
        let profile_text: Vec<u8> = "Parent".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(!s.bytes.windows(12).any(|w| w == profile_text));
        assert!(text.contains("acsp"), "ICC profile should be kept");
        assert_eq!(
            structure(&s.bytes),
            [*b"VP8X", *b"ICCP", *b"ALPH", *b"VP8 ", *b"EXIF"]
        );
        // ICC, alpha and EXIF flags set; XMP and reserved bits cleared.
        assert_eq!(s.bytes[20], ICC_FLAG | ALPHA_FLAG | EXIF_FLAG);
        assert_eq!(&s.bytes[21..24], &[0, 0, 0]);
        // The EXIF chunk holds exactly the minimal block.
        assert!(s.bytes.ends_with(&chunk(b"EXIF", &minimal_exif(6))));
        assert_eq!(s.orientation, 6);
        assert_eq!((s.width, s.height), (1, 1));
        let what = whats(&s);
        for w in [
            "EXIF metadata",
            "XMP metadata",
            "unknown chunk",
            "ZIP archive after the end of the image",
            "text and device details in the colour profile",
        ] {
            assert!(what.contains(&w), "{w} not reported: {what:?}");
        }
        let xmp = s.removed.iter().find(|r| r.what == "XMP metadata").unwrap();
        assert_eq!(xmp.found, ["1 face tag"]);
        assert_eq!(xmp.bytes, 8 + XMP_FACE.len() + XMP_FACE.len() % 2);
        assert_idempotent(&s, &settings);
    }

    #[test]
    fn exif_with_jpeg_style_prefix_is_read() {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(rotated_exif());
        let input = riff(&[
            vp8x(EXIF_FLAG, 1, 1),
            chunk(b"VP8L", VP8L_1X1),
            chunk(b"EXIF", &exif),
        ]);
        let s = strip(&input, &Settings::default()).unwrap();
        assert_eq!(s.orientation, 6);
        assert!(s.bytes.ends_with(&chunk(b"EXIF", &minimal_exif(6))));
        assert!(!String::from_utf8_lossy(&s.bytes).contains("Secret"));
        assert_idempotent(&s, &Settings::default());
    }

    #[test]
    fn upright_or_unflagged_exif_leaves_no_exif_chunk() {
        for (flags, exif) in [(EXIF_FLAG, minimal_exif(1)), (0, rotated_exif())] {
            let input = riff(&[
                vp8x(flags, 1, 1),
                chunk(b"VP8L", VP8L_1X1),
                chunk(b"EXIF", &exif),
            ]);
            let s = strip(&input, &Settings::default()).unwrap();
            assert_eq!(s.orientation, 1);
            assert_eq!(structure(&s.bytes), [*b"VP8X", *b"VP8L"]);
            assert_eq!(s.bytes[20], 0, "flags not cleared");
            assert_eq!(whats(&s), ["EXIF metadata"]);
            assert_idempotent(&s, &Settings::default());
        }
    }

    #[test]
    fn icc_profile_dropped_when_settings_say_so() {
        let settings = Settings {
            keep_icc: false,
            ..Settings::default()
        };
        let s = strip(&loaded_still(), &settings).unwrap();
        assert_eq!(
            structure(&s.bytes),
            [*b"VP8X", *b"ALPH", *b"VP8 ", *b"EXIF"]
        );
        assert_eq!(s.bytes[20], ALPHA_FLAG | EXIF_FLAG);
        assert!(whats(&s).contains(&"ICC colour profile"));
        assert!(!String::from_utf8_lossy(&s.bytes).contains("Parent"));
        assert_idempotent(&s, &settings);
    }

    #[test]
    fn clean_simple_files_pass_unchanged() {
        for (fourcc, payload) in [(b"VP8L", VP8L_1X1), (b"VP8 ", VP8_1X1)] {
            let input = riff(&[chunk(fourcc, payload)]);
            let s = strip(&input, &Settings::default()).unwrap();
            assert_eq!(s.bytes, input);
            assert!(s.removed.is_empty());
            assert_eq!((s.width, s.height, s.orientation), (1, 1, 1));
        }
    }

    #[test]
    fn simple_file_loses_everything_after_the_image() {
        let input = riff(&[
            chunk(b"VP8L", VP8L_1X1),
            chunk(b"EXIF", &rotated_exif()),
            chunk(b"XMP ", XMP_FACE),
            chunk(b"ICCP", b"profile"),
            chunk(b"junk", b"x"),
        ]);
        let s = strip(&input, &Settings::default()).unwrap();
        assert_eq!(s.bytes, riff(&[chunk(b"VP8L", VP8L_1X1)]));
        // Without a VP8X header no reader applied that orientation.
        assert_eq!(s.orientation, 1);
        let what = whats(&s);
        assert_eq!(
            what,
            [
                "EXIF metadata",
                "XMP metadata",
                "ICC colour profile",
                "unknown chunk"
            ]
        );
    }

    fn loaded_animation() -> Vec<u8> {
        riff(&[
            vp8x(ANIMATION_FLAG | ALPHA_FLAG | EXIF_FLAG | 0x04, 3, 2),
            chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]),
            anmf(
                0,
                0,
                1,
                1,
                0xFC,
                &[chunk(b"VP8L", VP8L_1X1), chunk(b"XMP ", XMP_FACE)],
            ),
            chunk(b"EXIF", &rotated_exif()),
            anmf(
                2,
                0,
                1,
                1,
                0x03,
                &[
                    chunk(b"ALPH", ALPH_1X1),
                    chunk(b"VP8 ", VP8_1X1),
                    chunk(b"note", b"hidden in a frame"),
                ],
            ),
            chunk(b"XMP ", XMP_FACE),
        ])
    }

    #[test]
    fn animation_frames_are_cleaned_inside() {
        let input = loaded_animation();
        let s = strip(&input, &Settings::default()).unwrap();
        let text = String::from_utf8_lossy(&s.bytes);
        for planted in ["xmpmeta", "hidden", "note", "Secret"] {
            assert!(!text.contains(planted), "{planted} survived");
        }
        assert_eq!(
            structure(&s.bytes),
            [*b"VP8X", *b"ANIM", *b"ANMF", *b"ANMF", *b"EXIF"]
        );
        assert_eq!(s.bytes[20], ANIMATION_FLAG | ALPHA_FLAG | EXIF_FLAG);
        assert_eq!((s.width, s.height, s.orientation), (3, 2, 6));
        let chunks = read_chunks(&s.bytes[12..]).unwrap();
        let first = read_chunks(&chunks[2].body[16..]).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(chunks[2].body[15], 0, "reserved frame bits kept");
        let second = read_chunks(&chunks[3].body[16..]).unwrap();
        assert_eq!(
            second.iter().map(|c| c.id).collect::<Vec<_>>(),
            [*b"ALPH", *b"VP8 "]
        );
        assert_eq!(chunks[3].body[15], 3);
        assert!(
            whats(&s).contains(&"XMP metadata (2 blocks)"),
            "{:?}",
            whats(&s)
        );
        assert_idempotent(&s, &Settings::default());
    }

    #[test]
    fn every_truncation_is_refused_never_a_panic() {
        for input in [
            loaded_still(),
            loaded_animation(),
            riff(&[chunk(b"VP8L", VP8L_1X1)]),
        ] {
            for cut in 0..input.len() {
                let cut_input = &input[..cut];
                if let Ok(s) = strip(cut_input, &Settings::default()) {
                    // Only cutting into the trailer after the RIFF data
                    // may succeed.
                    assert!(
                        cut >= le32(&input, 4).unwrap() as usize + 8,
                        "cut at {cut} accepted"
                    );
                    assert_idempotent(&s, &Settings::default());
                }
            }
        }
        // Cutting inside the RIFF data with the RIFF size fixed up.
        let input = loaded_animation();
        let mut boundaries = Vec::new();
        let mut at = 0;
        for (i, c) in read_chunks(&input[12..]).unwrap().iter().enumerate() {
            at += c.whole;
            if i >= 2 {
                boundaries.push(at);
            }
        }
        for cut in 12..input.len() - 1 {
            let mut v = input[..cut].to_vec();
            let size = (cut - 8) as u32;
            v[4..8].copy_from_slice(&size.to_le_bytes());
            if strip(&v, &Settings::default()).is_ok() {
                // Only a cut after a whole frame leaves a complete file.
                assert!(boundaries.contains(&(cut - 12)), "cut at {cut} accepted");
            }
        }
    }

    #[test]
    fn damaged_bytes_never_panic() {
        for input in [loaded_still(), loaded_animation()] {
            for i in 0..input.len() {
                for x in [0x01, 0x80, 0xFF] {
                    let mut v = input.clone();
                    v[i] ^= x;
                    if let Ok(s) = strip(&v, &Settings::default()) {
                        assert_idempotent(&s, &Settings::default());
                    }
                }
            }
        }
    }

    #[test]
    fn broken_files_are_refused() {
        let s = &Settings::default();
        let refused = |v: Vec<u8>, why: &str| {
            let err = strip(&v, s).unwrap_err();
            assert!(err.to_string().contains(why), "{err} (wanted {why})");
        };
        refused(b"RIFF\x04\0\0\0WEBP".to_vec(), "no image data");
        refused(b"RIFF\x04\0\0\0WAVE".to_vec(), "RIFF WEBP header");
        refused(b"RIFF\x10\0\0\0WEBP".to_vec(), "truncated");
        refused(riff(&[vp8x(0, 1, 1)]), "no image data");
        refused(
            riff(&[vp8x(EXIF_FLAG, 1, 1), chunk(b"EXIF", &rotated_exif())]),
            "no image data",
        );
        refused(
            riff(&[chunk(b"EXIF", b"x"), chunk(b"VP8L", VP8L_1X1)]),
            "first chunk",
        );
        refused(riff(&[vp8x(0, 2, 1), chunk(b"VP8L", VP8L_1X1)]), "canvas");
        refused(
            riff(&[
                vp8x(ANIMATION_FLAG, 1, 1),
                anmf(0, 0, 1, 1, 0, &[chunk(b"VP8L", VP8L_1X1)]),
            ]),
            "before the animation header",
        );
        refused(
            riff(&[
                vp8x(ANIMATION_FLAG, 1, 1),
                chunk(b"ANIM", &[0; 6]),
                anmf(0, 0, 1, 1, 0, &[chunk(b"EXIF", b"x")]),
            ]),
            "frame has no image data",
        );
        refused(
            riff(&[
                vp8x(ANIMATION_FLAG, 2, 2),
                chunk(b"ANIM", &[0; 6]),
                anmf(2, 0, 1, 1, 0, &[chunk(b"VP8L", VP8L_1X1)]),
            ]),
            "outside the canvas",
        );
        refused(
            riff(&[vp8x(ANIMATION_FLAG, 1, 1), chunk(b"ANIM", &[0; 6])]),
            "no frames",
        );
        refused(
            riff(&[chunk(b"VP8L", VP8L_1X1), chunk(b"VP8L", VP8L_1X1)]),
            "more than one image",
        );
        // Zero width in a lossy header.
        let mut zero = VP8_1X1.to_vec();
        zero[6] = 0;
        refused(riff(&[chunk(b"VP8 ", &zero)]), "zero");
        refused(
            riff(&[chunk(b"VP8L", b"\x2e\0\0\0\0")]),
            "lossless image header",
        );
        // A chunk size near u32::MAX must not overflow.
        let mut huge = riff(&[chunk(b"VP8L", VP8L_1X1)]);
        huge[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        refused(huge, "truncated");
        // Odd-sized last chunk without its padding byte.
        let mut unpadded = riff(&[chunk(b"VP8L", VP8L_1X1)]);
        unpadded.pop();
        let size = (unpadded.len() - 8) as u32;
        unpadded[4..8].copy_from_slice(&size.to_le_bytes());
        refused(unpadded, "truncated");
    }
}
