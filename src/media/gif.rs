//! GIF: a strict walk over the blocks, keeping only what is needed to show
//! the pictures and play the animation.
//!
//! Kept: the header, the logical screen descriptor and global colour
//! table, every image (descriptor, local colour table and LZW data), the
//! graphic control extensions (frame timing and transparency), the
//! `NETSCAPE2.0` / `ANIMEXTS1.0` looping extension (rebuilt to hold only
//! its loop count). Everything else goes: comments, plain text
//! extensions (text no browser shows, so a hiding place), every other
//! application extension (XMP, ICC profiles, editor data), extensions this
//! code does not know, and every byte after the trailer.

use super::bytes::le16;
use super::metadata::{trailer_description, xmp_facts};
use super::{Pieces, Refusal, RemovedLog, Settings, Stripped};

const FORMAT: &str = "GIF";

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: FORMAT,
        detail: detail.into(),
    }
}

const TRUNCATED: &str = "the file ends before the GIF trailer (truncated)";

pub(super) fn strip<'a>(input: &'a [u8], _settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    if !(input.starts_with(b"GIF87a") || input.starts_with(b"GIF89a")) {
        return Err(corrupt("it does not start with a GIF87a or GIF89a header"));
    }
    let (Some(screen), Some(width), Some(height)) =
        (input.get(6..13), le16(input, 6), le16(input, 8))
    else {
        return Err(corrupt(
            "the file ends inside the screen descriptor (truncated)",
        ));
    };
    let (width, height) = (u32::from(width), u32::from(height));
    if width == 0 || height == 0 {
        return Err(corrupt("the screen size is zero"));
    }
    let mut pos = 13 + colour_table_len(screen[4]);
    let Some(head) = input.get(..pos) else {
        return Err(corrupt("the file ends inside the colour table (truncated)"));
    };
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(head);
    let mut removed = RemovedLog::default();
    let mut images = 0usize;

    loop {
        let Some(&block) = input.get(pos) else {
            return Err(corrupt(TRUNCATED));
        };
        match block {
            0x2C => {
                // Image descriptor: position, size, flags.
                let Some(descriptor) = input.get(pos..pos + 10) else {
                    return Err(corrupt(TRUNCATED));
                };
                let table = colour_table_len(descriptor[9]);
                let code_size_at = pos + 10 + table;
                let Some(&code_size) = input.get(code_size_at) else {
                    return Err(corrupt(TRUNCATED));
                };
                if !(1..=11).contains(&code_size) {
                    return Err(corrupt(format!(
                        "an image at byte {pos} has an impossible LZW code size"
                    )));
                }
                let end = skip_sub_blocks(input, code_size_at + 1)?;
                out.extend_from_slice(&input[pos..end]);
                pos = end;
                images += 1;
            }
            0x21 => {
                let Some(&label) = input.get(pos + 1) else {
                    return Err(corrupt(TRUNCATED));
                };
                let end = skip_sub_blocks(input, pos + 2)?;
                let whole = &input[pos..end];
                // The sub-blocks with their length bytes and terminator.
                let blocks = &input[pos + 2..end];
                match label {
                    0xF9 => {
                        // Graphic control: one 4-byte block, nothing more.
                        if blocks.len() != 6 || blocks[0] != 4 {
                            return Err(corrupt(format!(
                                "the frame timing block at byte {pos} is malformed"
                            )));
                        }
                        out.extend_from_slice(whole);
                    }
                    0x01 => {
                        // Plain text: a 12-byte header, then the text.
                        if blocks.first() != Some(&12) {
                            return Err(corrupt(format!(
                                "the plain text block at byte {pos} is malformed"
                            )));
                        }
                        removed.add("plain text block", whole.len());
                    }
                    0xFE => removed.add("comment", whole.len()),
                    0xFF => application(blocks, whole.len(), &mut out, &mut removed),
                    _ => removed.add("unknown extension", whole.len()),
                }
                pos = end;
            }
            0x3B => {
                if images == 0 {
                    return Err(corrupt("it has no image data"));
                }
                out.push(0x3B);
                let trailer = &input[pos + 1..];
                if !trailer.is_empty() {
                    removed.add(trailer_description(trailer), trailer.len());
                }
                break;
            }
            _ => {
                return Err(corrupt(format!("an unknown block at byte {pos}")));
            }
        }
    }

    Ok(Stripped {
        body: Pieces::owned(input, out),
        width,
        height,
        orientation: 1,
        removed: removed.finish(),
    })
}

/// An application extension, given its sub-blocks (length bytes and
/// terminator included). Only the looping block survives, rebuilt.
fn application(blocks: &[u8], whole: usize, out: &mut Vec<u8>, removed: &mut RemovedLog) {
    let parts = sub_blocks(blocks);
    let id = parts.first().copied().unwrap_or_default();
    match id {
        b"NETSCAPE2.0" | b"ANIMEXTS1.0" => {
            // The loop count block is [1, count low, count high]; others
            // (such as the buffering hint) are not needed to play it.
            if let Some(looping) = parts.iter().skip(1).find(|p| p.len() == 3 && p[0] == 1) {
                let kept: Vec<u8> = [&[0x21, 0xFF, 11][..], id, &[3], looping, &[0]].concat();
                if whole > kept.len() {
                    removed.add("application data", whole - kept.len());
                }
                out.extend_from_slice(&kept);
            } else {
                removed.add("application data", whole);
            }
        }
        // XMP in GIF is raw XML laid out so that it parses as sub-blocks,
        // so the blocks are searched as they are, length bytes and all.
        b"XMP DataXMP" => removed.add_found("XMP metadata", whole, xmp_facts(blocks)),
        b"ICCRGBG1012" => removed.add("ICC colour profile", whole),
        _ => removed.add("application data", whole),
    }
}

/// The size of a colour table announced by a flags byte.
fn colour_table_len(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        3 << ((flags & 0x07) + 1)
    }
}

/// Where the sub-blocks starting at `pos` end (just past the zero
/// terminator).
fn skip_sub_blocks(input: &[u8], mut pos: usize) -> Result<usize, Refusal> {
    loop {
        let Some(&len) = input.get(pos) else {
            return Err(corrupt(TRUNCATED));
        };
        pos += 1;
        if len == 0 {
            return Ok(pos);
        }
        pos = pos
            .checked_add(usize::from(len))
            .filter(|&p| p <= input.len())
            .ok_or_else(|| corrupt(TRUNCATED))?;
    }
}

/// The payloads of sub-blocks already checked by [`skip_sub_blocks`].
fn sub_blocks(mut blocks: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while let Some((&len, rest)) = blocks.split_first() {
        let len = usize::from(len);
        if len == 0 || len > rest.len() {
            break;
        }
        parts.push(&rest[..len]);
        blocks = &rest[len..];
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::format::Owned;

    /// The clean file, copied out of its input to compare.
    fn strip(input: &[u8], settings: &Settings) -> Result<Owned, Refusal> {
        super::strip(input, settings).map(Stripped::owned)
    }

    const HEADER: &[u8] = b"GIF89a\x02\x00\x03\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff";
    /// A 1×1 image using colour 0, with valid LZW data.
    const IMAGE: &[u8] = b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00";
    /// A 1×1 image with its own two-colour table.
    const LOCAL_IMAGE: &[u8] =
        b"\x2c\x01\x00\x02\x00\x01\x00\x01\x00\x80\x00\xff\x00\xff\x00\x00\x02\x02\x44\x01\x00";
    const TIMING: &[u8] = b"\x21\xf9\x04\x04\x0a\x00\x00\x00";
    const LOOP: &[u8] = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00";

    fn extension(label: u8, parts: &[&[u8]]) -> Vec<u8> {
        let mut v = vec![0x21, label];
        for p in parts {
            v.push(p.len() as u8);
            v.extend_from_slice(p);
        }
        v.push(0);
        v
    }

    /// XMP as writers put it in a GIF: raw XML, then the "magic trailer"
    /// that makes it parse as sub-blocks.
    fn xmp() -> Vec<u8> {
        let mut v = b"\x21\xff\x0bXMP DataXMP".to_vec();
        v.extend_from_slice(br#"<x:xmpmeta><rdf:li mwg-rs:Name="Child" mwg-rs:Type="Face"/><exif:GPSLatitude>51</exif:GPSLatitude></x:xmpmeta>"#);
        v.push(1);
        v.extend((0..=255u8).rev());
        v.push(0);
        v
    }

    fn gif(blocks: &[&[u8]]) -> Vec<u8> {
        let mut v = HEADER.to_vec();
        for b in blocks {
            v.extend_from_slice(b);
        }
        v.push(0x3B);
        v
    }

    fn loaded() -> Vec<u8> {
        let comment = extension(0xFE, &[b"Photo of a child by a parent"]);
        let icc = extension(0xFF, &[b"ICCRGBG1012", b"profile of a Phone"]);
        let editor = extension(0xFF, &[b"EditorApp1.", b"secret editor data"]);
        let unknown = extension(0x99, &[b"unknown hidden"]);
        let looping = extension(
            0xFF,
            &[b"NETSCAPE2.0", b"\x01\x05\x00", b"\x02extra loop data"],
        );
        let text = extension(0x01, &[&[0; 12], b"Hi"]);
        let xmp = xmp();
        let mut v = gif(&[
            &looping,
            &comment,
            &xmp,
            TIMING,
            IMAGE,
            &icc,
            &editor,
            &unknown,
            &text,
            TIMING,
            LOCAL_IMAGE,
        ]);
        v.extend_from_slice(b"PK\x03\x04zip after the end");
        v
    }

    fn assert_idempotent(s: &Owned) {
        let again = strip(&s.bytes, &Settings::default()).unwrap();
        assert_eq!(again.bytes, s.bytes, "a second pass changed the bytes");
        assert!(again.removed.is_empty(), "{:?}", again.removed);
    }

    #[test]
    fn removes_every_hiding_place() {
        let s = strip(&loaded(), &Settings::default()).unwrap();
        let text = String::from_utf8_lossy(&s.bytes);
        for planted in [
            "child", "Child", "xmpmeta", "XMP", "ICCRGB", "Phone", "Editor", "secret", "hidden",
            "extra", "PK",
        ] {
            assert!(!text.contains(planted), "{planted} survived");
        }
        let looping: &[u8] = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x05\x00\x00";
        let expected = gif(&[looping, TIMING, IMAGE, TIMING, LOCAL_IMAGE]);
        assert_eq!(s.bytes, expected);
        assert_eq!((s.width, s.height, s.orientation), (2, 3, 1));
        let what: Vec<_> = s.removed.iter().map(|r| r.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "application data (2 blocks)",
                "comment",
                "XMP metadata",
                "ICC colour profile",
                "unknown extension",
                "plain text block",
                "ZIP archive after the end of the image",
            ]
        );
        let xmp = &s.removed[2];
        assert_eq!(xmp.found, ["1 face tag", "GPS position"]);
        assert_eq!(xmp.bytes, self::xmp().len());
        let total: usize = s.removed.iter().map(|r| r.bytes).sum();
        assert_eq!(total + s.bytes.len(), loaded().len());
        assert_idempotent(&s);
    }

    #[test]
    fn clean_file_passes_unchanged() {
        for input in [
            gif(&[IMAGE]),
            gif(&[LOOP, TIMING, IMAGE, TIMING, LOCAL_IMAGE]),
            b"GIF87a\x01\x00\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b".to_vec(),
        ] {
            let s = strip(&input, &Settings::default()).unwrap();
            assert_eq!(s.bytes, input);
            assert!(s.removed.is_empty());
        }
    }

    #[test]
    fn looping_block_without_a_loop_count_is_dropped() {
        let input = gif(&[&extension(0xFF, &[b"ANIMEXTS1.0", b"\x02\0\0\0\0"]), IMAGE]);
        let s = strip(&input, &Settings::default()).unwrap();
        assert_eq!(s.bytes, gif(&[IMAGE]));
        let s = strip(
            &gif(&[&extension(0xFF, &[b"ANIMEXTS1.0", b"\x01\x00\x00"]), IMAGE]),
            &Settings::default(),
        )
        .unwrap();
        assert!(s.removed.is_empty());
    }

    #[test]
    fn every_truncation_is_refused_never_a_panic() {
        let input = loaded();
        let end = input.len() - b"PK\x03\x04zip after the end".len();
        for cut in 0..end {
            assert!(
                strip(&input[..cut], &Settings::default()).is_err(),
                "cut at {cut} accepted"
            );
        }
    }

    #[test]
    fn damaged_bytes_never_panic() {
        let input = loaded();
        for i in 0..input.len() {
            for x in [0x01, 0x80, 0xFF] {
                let mut v = input.clone();
                v[i] ^= x;
                if let Ok(s) = strip(&v, &Settings::default()) {
                    assert_idempotent(&s);
                }
            }
        }
    }

    #[test]
    fn broken_files_are_refused() {
        let refused = |v: &[u8], why: &str| {
            let err = strip(v, &Settings::default()).unwrap_err();
            assert!(err.to_string().contains(why), "{err} (wanted {why})");
        };
        refused(b"GIF90a", "header");
        refused(&gif(&[TIMING]), "no image data");
        refused(&gif(&[]), "no image data");
        let mut zero = gif(&[IMAGE]);
        zero[6] = 0;
        zero[7] = 0;
        refused(&zero, "zero");
        refused(&gif(&[IMAGE])[..HEADER.len() + IMAGE.len()], "truncated");
        refused(&gif(&[IMAGE, b"\x00"]), "unknown block");
        refused(
            &gif(&[b"\x21\xf9\x05\x04\x0a\x00\x00\x00\x00"]),
            "timing block",
        );
        refused(
            &gif(&[b"\x21\xf9\x04\x04\x0a\x00\x00\x01x\x00", IMAGE]),
            "timing block",
        );
        let mut bad_code = IMAGE.to_vec();
        bad_code[10] = 12;
        refused(&gif(&[&bad_code]), "LZW");
        // A colour table larger than the file.
        refused(b"GIF89a\x01\x00\x01\x00\x87\x00\x00", "colour table");
    }
}
