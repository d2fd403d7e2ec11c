//! Web fonts (WOFF 1.0 and WOFF2), walked to the W3C specifications. A
//! font is published as its header, table directory and font data only:
//! the optional metadata block (XML with free text: designer, licensee)
//! and private data block are dropped, and anything else the file holds
//! (bytes after the font, or between its parts) makes it refused.

use super::Refusal;
use super::bytes::{be16, be32};

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: "web font",
        detail: detail.into(),
    }
}

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u16(&self, at: usize) -> Result<u16, Refusal> {
        be16(self.0, at).ok_or_else(|| corrupt("it is cut short"))
    }

    fn u32(&self, at: usize) -> Result<u32, Refusal> {
        be32(self.0, at).ok_or_else(|| corrupt("it is cut short"))
    }

    fn u8(&self, at: usize) -> Result<u8, Refusal> {
        self.0
            .get(at)
            .copied()
            .ok_or_else(|| corrupt("it is cut short"))
    }
}

/// Where the header's metadata and private-data fields are, for WOFF and
/// WOFF2 (the five fields run in the same order in both).
const WOFF_META: usize = 24;
const WOFF2_META: usize = 28;

/// A WOFF 1.0 font, cleaned: its tables, without metadata or private
/// data.
pub fn woff(input: &[u8]) -> Result<Vec<u8>, Refusal> {
    let b = Bytes(input);
    check_length(&b)?;
    let tables = usize::from(b.u16(12)?);
    let directory_end = 44 + tables * 20;
    let mut end = directory_end;
    for i in 0..tables {
        let entry = 44 + i * 20;
        let offset = b.u32(entry + 4)? as usize;
        let length = b.u32(entry + 8)? as usize;
        if offset < directory_end || offset.saturating_add(length) > input.len() {
            return Err(corrupt("a table lies outside the font"));
        }
        end = end.max(offset + length);
    }
    cut(input, end.next_multiple_of(4).min(input.len()), WOFF_META)
}

/// A WOFF2 font, cleaned: its tables, without metadata or private data.
pub fn woff2(input: &[u8]) -> Result<Vec<u8>, Refusal> {
    let b = Bytes(input);
    check_length(&b)?;
    let tables = usize::from(b.u16(12)?);
    let compressed = b.u32(20)? as usize;
    let mut at = 48;
    for _ in 0..tables {
        let flags = b.u8(at)?;
        at += 1;
        let known = flags & 0x3f;
        let tag = if known == 0x3f {
            let t = input
                .get(at..at + 4)
                .ok_or_else(|| corrupt("it is cut short"))?;
            at += 4;
            [t[0], t[1], t[2], t[3]]
        } else {
            match known {
                10 => *b"glyf",
                11 => *b"loca",
                _ => *b"    ",
            }
        };
        at = base128(&b, at)?;
        let version = flags >> 6;
        let transformed = if &tag == b"glyf" || &tag == b"loca" {
            version == 0
        } else {
            version != 0
        };
        if transformed {
            at = base128(&b, at)?;
        }
    }
    if b.u32(4)? == u32::from_be_bytes(*b"ttcf") {
        at = collection(&b, at)?;
    }
    let end = at
        .checked_add(compressed)
        .filter(|&e| e <= input.len())
        .ok_or_else(|| corrupt("its compressed data runs past its end"))?;
    cut(input, end, WOFF2_META)
}

/// The header's length must be the file's: nothing hides after the font.
fn check_length(b: &Bytes) -> Result<(), Refusal> {
    if b.u32(8)? as usize != b.0.len() {
        return Err(corrupt(
            "its header gives another length than the file has (something is joined to the font)",
        ));
    }
    if b.u16(14)? != 0 {
        return Err(corrupt("its reserved header field is not zero"));
    }
    Ok(())
}

/// The font up to `end`, which must be all but the metadata and private
/// blocks (and their padding): those fields are zeroed and the length
/// set to what is kept.
fn cut(input: &[u8], end: usize, meta: usize) -> Result<Vec<u8>, Refusal> {
    let b = Bytes(input);
    let blocks = [
        (b.u32(meta)?, b.u32(meta + 4)?),
        (b.u32(meta + 12)?, b.u32(meta + 16)?),
    ];
    let mut covered = end;
    for (offset, length) in blocks {
        let (offset, length) = (offset as usize, length as usize);
        if length == 0 {
            continue;
        }
        if offset < end
            || offset > covered.next_multiple_of(4)
            || offset.saturating_add(length) > input.len()
        {
            return Err(corrupt(
                "its metadata or private data lies where font data is",
            ));
        }
        covered = offset + length;
    }
    if input.len() > covered.next_multiple_of(4) {
        return Err(corrupt("it holds bytes that belong to no part of the font"));
    }
    let mut out = input[..end].to_vec();
    out[meta..meta + 20].fill(0);
    let length = u32::try_from(out.len()).map_err(|_| corrupt("it is too large"))?;
    out[8..12].copy_from_slice(&length.to_be_bytes());
    Ok(out)
}

/// Skips a UIntBase128 number; the offset after it.
fn base128(b: &Bytes, mut at: usize) -> Result<usize, Refusal> {
    for _ in 0..5 {
        let byte = b.u8(at)?;
        at += 1;
        if byte & 0x80 == 0 {
            return Ok(at);
        }
    }
    Err(corrupt("a number in its table directory is too long"))
}

/// Skips a 255UInt16 number; the offset after it.
fn uint255(b: &Bytes, at: usize) -> Result<usize, Refusal> {
    Ok(match b.u8(at)? {
        253 => at + 3,
        254 | 255 => at + 2,
        _ => at + 1,
    })
}

/// Skips a font collection's directory; the offset after it.
fn collection(b: &Bytes, mut at: usize) -> Result<usize, Refusal> {
    at += 4;
    let count = |at| -> Result<usize, Refusal> {
        Ok(match b.u8(at)? {
            253 => usize::from(b.u16(at + 1)?),
            254 => usize::from(b.u8(at + 1)?) + 253 * 2,
            255 => usize::from(b.u8(at + 1)?) + 253,
            n => usize::from(n),
        })
    };
    let fonts = count(at)?;
    at = uint255(b, at)?;
    for _ in 0..fonts {
        let tables = count(at)?;
        at = uint255(b, at)? + 4;
        for _ in 0..tables {
            at = uint255(b, at)?;
        }
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WOFF with one table of `data`, and optional metadata.
    fn woff_file(data: &[u8], meta: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 44 + 20];
        f[0..4].copy_from_slice(b"wOFF");
        f[12..14].copy_from_slice(&1u16.to_be_bytes());
        let offset = 64u32;
        f[44..48].copy_from_slice(b"cmap");
        f[48..52].copy_from_slice(&offset.to_be_bytes());
        f[52..56].copy_from_slice(&(data.len() as u32).to_be_bytes());
        f.extend_from_slice(data);
        while !f.len().is_multiple_of(4) {
            f.push(0);
        }
        if !meta.is_empty() {
            let at = f.len() as u32;
            f[24..28].copy_from_slice(&at.to_be_bytes());
            f[28..32].copy_from_slice(&(meta.len() as u32).to_be_bytes());
            f.extend_from_slice(meta);
        }
        let len = f.len() as u32;
        f[8..12].copy_from_slice(&len.to_be_bytes());
        f
    }

    #[test]
    fn metadata_goes_and_joined_files_are_refused() {
        let clean = woff(&woff_file(b"tabledata", b"")).unwrap();
        assert_eq!(clean.len(), 76);
        let with_meta = woff_file(
            b"tabledata",
            b"<metadata>Designed by Oliver Okafor</metadata>",
        );
        let out = woff(&with_meta).unwrap();
        assert_eq!(out, clean, "the metadata block was kept");
        // A photo joined to the end: the header's length no longer fits.
        let mut joined = woff_file(b"tabledata", b"");
        joined.extend_from_slice(b"\xff\xd8\xff\xe0 a JPEG");
        assert!(woff(&joined).is_err());
        // The same, with the length fixed to cover it.
        let len = joined.len() as u32;
        joined[8..12].copy_from_slice(&len.to_be_bytes());
        assert!(woff(&joined).is_err());
        assert!(woff(b"wOFF").is_err());
    }

    #[test]
    fn woff2_tables_data_and_nothing_else() {
        let mut f = vec![0u8; 48];
        f[0..4].copy_from_slice(b"wOF2");
        f[12..14].copy_from_slice(&1u16.to_be_bytes());
        // One table: cmap (index 0), version 0, length 5 (no transform).
        f.extend_from_slice(&[0x00, 0x05]);
        let data = b"brotli!";
        f[20..24].copy_from_slice(&(data.len() as u32).to_be_bytes());
        f.extend_from_slice(data);
        let len = f.len() as u32;
        f[8..12].copy_from_slice(&len.to_be_bytes());
        assert_eq!(woff2(&f).unwrap(), f);
        let mut joined = f.clone();
        joined.extend_from_slice(&[0xAB; 64]);
        let len = joined.len() as u32;
        joined[8..12].copy_from_slice(&len.to_be_bytes());
        assert!(woff2(&joined).is_err());
    }
}
