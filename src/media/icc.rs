//! ICC colour profiles, as kept in JPEG (APP2), PNG (`iCCP`), WebP
//! (`ICCP`) and the colour box (`colr`) of an MP4 video track: rewritten
//! so that they describe colour and nothing else.
//!
//! A profile's text can say anything: its description (`desc`), device
//! names (`dmnd`, `dmdd`), copyright (`cprt`), viewing-conditions and
//! screening text (`vued`, `scrd`), characterisation target (`targ`)…,
//! stored as `textType`, `textDescriptionType` or
//! `multiLocalizedUnicodeType`. A phone or an editor may write a pupil's
//! name or a place there. So the profile is rebuilt from an allow-list:
//!
//! - the header keeps only what says how to read the colours (version,
//!   class, colour space, connection space, the defined flag and
//!   attribute bits, rendering intent, illuminant); the CMM, platform,
//!   device maker and model, creator and date are zeroed, and so is the
//!   profile ID (which the specification allows: "not calculated");
//! - each tag is kept by its type: numbers (curves, matrices, tables,
//!   chromaticities, measurement and viewing conditions, signatures) are
//!   copied, cut to the length their own structure gives where it can be
//!   worked out, with their reserved bytes zeroed; every text type is
//!   replaced by an empty value of the same type, so the tags the
//!   specification requires are still there; a date is zeroed;
//! - every other tag (named colours, colorant names, profile sequence
//!   descriptions, dictionaries, PostScript and private types: all hold
//!   text or cannot be checked) is dropped.
//!
//! Tags that shared their data still share it. A profile that cannot be
//! read (too short, not `acsp`, a tag outside it) gives `None`, and the
//! caller drops it: the photo shows in the browser's default colours.

/// More tags than any real profile has (sRGB has 17, printer profiles a
/// few dozen).
const MAX_TAGS: usize = 1_000;

const HEADER: usize = 128;

/// A big-endian u16 at `at`, as a count or offset.
fn be16(b: &[u8], at: usize) -> Option<usize> {
    super::bytes::be16(b, at).map(usize::from)
}

/// A big-endian u32 at `at`, as a count or offset.
fn be32(b: &[u8], at: usize) -> Option<usize> {
    super::bytes::be32(b, at).map(|n| n as usize)
}

/// The profile rebuilt with nothing but colour in it, or `None` when it
/// cannot be read (drop it). Cleaning a clean profile gives it back
/// byte for byte.
pub(super) fn clean(profile: &[u8]) -> Option<Vec<u8>> {
    let size = be32(profile, 0)?;
    if size < HEADER + 4 || size > profile.len() {
        return None;
    }
    let p = &profile[..size];
    if &p[36..40] != b"acsp" {
        return None;
    }
    let count = be32(p, HEADER)?;
    if count > MAX_TAGS {
        return None;
    }
    let table_end = HEADER + 4 + 12 * count;
    if table_end > size {
        return None;
    }

    let mut header = [0u8; HEADER];
    header[8..10].copy_from_slice(&p[8..10]); // version (major, minor)
    header[12..24].copy_from_slice(&p[12..24]); // class, colour space, PCS
    header[36..40].copy_from_slice(b"acsp");
    header[47] = p[47] & 0x03; // embedded, used only when embedded
    header[63] = p[63] & 0x0F; // reflective/transparency, glossy/matte, …
    if be32(p, 64)? <= 3 {
        header[64..68].copy_from_slice(&p[64..68]); // rendering intent
    }
    header[68..80].copy_from_slice(&p[68..80]); // illuminant (XYZ)

    // (signature, index into `data`) for each kept tag; data once per
    // distinct place in the input, so shared tags stay shared.
    let mut tags: Vec<([u8; 4], usize)> = Vec::new();
    let mut data: Vec<Vec<u8>> = Vec::new();
    let mut places: Vec<(usize, usize)> = Vec::new();
    for i in 0..count {
        let entry = HEADER + 4 + 12 * i;
        let sig = [p[entry], p[entry + 1], p[entry + 2], p[entry + 3]];
        let offset = be32(p, entry + 4)?;
        let len = be32(p, entry + 8)?;
        if offset < table_end || len < 8 || offset.checked_add(len)? > size {
            return None;
        }
        if tags.iter().any(|(s, _)| *s == sig) {
            continue; // a second tag with the same signature: not allowed
        }
        let index = match places.iter().position(|&at| at == (offset, len)) {
            Some(index) => index,
            None => {
                let Some(kept) = keep(&p[offset..offset + len]) else {
                    continue;
                };
                places.push((offset, len));
                data.push(kept);
                data.len() - 1
            }
        };
        tags.push((sig, index));
    }

    // Lay out: header, tag count, table, then each piece of data on a
    // four-byte boundary.
    let mut at = HEADER + 4 + 12 * tags.len();
    let mut starts = Vec::with_capacity(data.len());
    for d in &data {
        starts.push(at);
        at += d.len().next_multiple_of(4);
    }
    let mut out = Vec::with_capacity(at);
    out.extend_from_slice(&header);
    out.extend_from_slice(&(tags.len() as u32).to_be_bytes());
    for (sig, index) in &tags {
        out.extend_from_slice(sig);
        out.extend_from_slice(&(starts[*index] as u32).to_be_bytes());
        out.extend_from_slice(&(data[*index].len() as u32).to_be_bytes());
    }
    for d in &data {
        out.extend_from_slice(d);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let total = u32::try_from(out.len()).ok()?;
    out[0..4].copy_from_slice(&total.to_be_bytes());
    Some(out)
}

/// A tag's data as kept, by its type; `None` drops the tag.
fn keep(tag: &[u8]) -> Option<Vec<u8>> {
    let kind: [u8; 4] = tag.get(0..4)?.try_into().ok()?;
    let len = match &kind {
        // Text: an empty value of the same type.
        b"text" => return Some(empty_text()),
        b"desc" => return Some(empty_description()),
        b"mluc" => return Some(empty_localized()),
        // A date (`calt`): zeroed.
        b"dtim" => return Some([&b"dtim"[..], &[0; 16]].concat()),
        // Numbers, cut to the length their structure gives.
        b"curv" => be32(tag, 8)?.checked_mul(2)?.checked_add(12)?,
        b"para" => 12 + 4 * [1, 3, 4, 5, 7].get(be16(tag, 8)?)?,
        b"XYZ " => 8 + 12 * ((tag.len() - 8) / 12),
        b"sf32" | b"uf32" | b"ui32" => 8 + 4 * ((tag.len() - 8) / 4),
        b"ui16" => 8 + 2 * ((tag.len() - 8) / 2),
        b"ui64" => 8 + 8 * ((tag.len() - 8) / 8),
        b"ui08" => tag.len(),
        b"sig " => 12,
        b"meas" | b"view" => 36,
        b"chrm" => 12 + 8 * be16(tag, 8)?,
        b"clro" => be32(tag, 8)?.checked_add(12)?,
        b"mft1" => {
            let (i, o, g) = (
                usize::from(*tag.get(8)?),
                usize::from(*tag.get(9)?),
                usize::from(*tag.get(10)?),
            );
            let grid = g.checked_pow(u32::try_from(i).ok()?)?.checked_mul(o)?;
            48usize.checked_add(256 * i + 256 * o)?.checked_add(grid)?
        }
        b"mft2" => {
            let (i, o, g) = (
                usize::from(*tag.get(8)?),
                usize::from(*tag.get(9)?),
                usize::from(*tag.get(10)?),
            );
            let grid = g.checked_pow(u32::try_from(i).ok()?)?.checked_mul(o)?;
            let (n_in, n_out) = (be16(tag, 48)?, be16(tag, 50)?);
            let entries = grid.checked_add(n_in * i)?.checked_add(n_out * o)?;
            52usize.checked_add(entries.checked_mul(2)?)?
        }
        // Tables made of numbers whose length is spread through offsets
        // inside them: copied whole.
        b"mAB " | b"mBA " | b"mpet" | b"rcs2" | b"vcgt" => tag.len(),
        // Everything else: named colours (`ncl2`) and colorant names
        // (`clrt`), profile sequences (`pseq`, `psid`), dictionaries
        // (`dict`), PostScript (`crdi`), `data`, `utf8`, private types.
        _ => return None,
    };
    let mut kept = tag.get(..len)?.to_vec();
    kept[4..8].fill(0); // reserved
    Some(kept)
}

/// `textType` holding nothing: the type, reserved bytes and a NUL.
fn empty_text() -> Vec<u8> {
    [&b"text"[..], &[0; 5]].concat()
}

/// `textDescriptionType` (ICC v2) with empty ASCII, Unicode and
/// ScriptCode descriptions.
fn empty_description() -> Vec<u8> {
    let mut v = b"desc".to_vec();
    v.extend_from_slice(&[0; 4]); // reserved
    v.extend_from_slice(&1u32.to_be_bytes()); // ASCII count, with its NUL
    v.push(0);
    v.extend_from_slice(&[0; 4]); // Unicode language code
    v.extend_from_slice(&[0; 4]); // Unicode count
    v.extend_from_slice(&[0; 2]); // ScriptCode code
    v.push(0); // ScriptCode count
    v.extend_from_slice(&[0; 67]); // ScriptCode description
    v
}

/// `multiLocalizedUnicodeType` (ICC v4) with one empty record (en-US).
fn empty_localized() -> Vec<u8> {
    let mut v = b"mluc".to_vec();
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(&1u32.to_be_bytes()); // one record
    v.extend_from_slice(&12u32.to_be_bytes()); // record size
    v.extend_from_slice(b"enUS");
    v.extend_from_slice(&0u32.to_be_bytes()); // length
    v.extend_from_slice(&28u32.to_be_bytes()); // offset
    v
}

/// What a removal entry says when a kept profile lost something.
pub(super) const WHAT: &str = "text and device details in the colour profile";

/// What a removal entry says when a profile could not be read, and so
/// was dropped.
pub(super) const UNREADABLE: &str = "unreadable colour profile";

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn tag_text(kind: &[u8; 4], text: &str) -> Vec<u8> {
        match kind {
            b"text" => [&b"text"[..], &[0; 4], text.as_bytes(), &[0]].concat(),
            b"desc" => {
                let mut v = b"desc".to_vec();
                v.extend_from_slice(&[0; 4]);
                v.extend_from_slice(&(text.len() as u32 + 1).to_be_bytes());
                v.extend_from_slice(text.as_bytes());
                v.push(0);
                v.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);
                v
            }
            _ => {
                let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
                let mut v = b"mluc".to_vec();
                v.extend_from_slice(&[0; 4]);
                v.extend_from_slice(&1u32.to_be_bytes());
                v.extend_from_slice(&12u32.to_be_bytes());
                v.extend_from_slice(b"enGB");
                v.extend_from_slice(&(utf16.len() as u32).to_be_bytes());
                v.extend_from_slice(&28u32.to_be_bytes());
                v.extend_from_slice(&utf16);
                v
            }
        }
    }

    /// A small RGB display profile whose description and copyright carry
    /// `text` (as v2 `desc`/`text` types, or v4 `mluc`), with a named
    /// colour tag and a date beside its curves and matrix.
    pub(crate) fn profile(text: &str, v4: bool) -> Vec<u8> {
        let xyz = |x: i32, y: i32, z: i32| {
            let mut v = b"XYZ \0\0\0\0".to_vec();
            for n in [x, y, z] {
                v.extend_from_slice(&n.to_be_bytes());
            }
            v
        };
        let curve = [&b"curv"[..], &[0; 4], &1u32.to_be_bytes(), &[2, 0x33]].concat();
        let (desc, cprt) = if v4 {
            (tag_text(b"mluc", text), tag_text(b"mluc", text))
        } else {
            (tag_text(b"desc", text), tag_text(b"text", text))
        };
        let mut ncl2 = b"ncl2\0\0\0\0".to_vec();
        ncl2.extend_from_slice(&[0; 12]);
        ncl2.extend_from_slice(&[text.as_bytes(), &[0; 64]].concat()[..64]);
        let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
            (b"desc", desc),
            (b"cprt", cprt),
            (b"wtpt", xyz(63190, 65536, 54061)),
            (b"rXYZ", xyz(28576, 14610, 912)),
            (b"gXYZ", xyz(25280, 47112, 6352)),
            (b"bXYZ", xyz(9376, 3814, 46860)),
            // The three curves share one piece of data (empty: the same
            // as the tag before).
            (b"rTRC", curve),
            (b"gTRC", Vec::new()),
            (b"bTRC", Vec::new()),
            (b"ncl2", ncl2),
            (
                b"calt",
                [&b"dtim"[..], &[0, 0, 0, 0, 7, 0xE9, 0, 3], &[0; 8]].concat(),
            ),
        ];
        let mut header = vec![0u8; HEADER];
        header[4..8].copy_from_slice(b"lcms");
        header[8] = if v4 { 4 } else { 2 };
        header[9] = 0x30;
        header[12..16].copy_from_slice(b"mntr");
        header[16..20].copy_from_slice(b"RGB ");
        header[20..24].copy_from_slice(b"XYZ ");
        header[24..36].copy_from_slice(&[7, 0xE9, 0, 3, 0, 1, 0, 9, 0, 30, 0, 0]);
        header[36..40].copy_from_slice(b"acsp");
        header[40..44].copy_from_slice(b"APPL");
        header[48..52].copy_from_slice(b"Okaf");
        header[52..56].copy_from_slice(b"cam1");
        header[67] = 1;
        header[68..80].copy_from_slice(&xyz(63190, 65536, 54061)[8..]);
        header[80..84].copy_from_slice(b"Olly");
        header[84..100].copy_from_slice(b"0123456789abcdef");
        let mut table = (tags.len() as u32).to_be_bytes().to_vec();
        let mut body = Vec::new();
        let mut at = HEADER + 4 + 12 * tags.len();
        let mut last = (0, 0);
        for (sig, data) in &tags {
            table.extend_from_slice(*sig);
            if data.is_empty() {
                table.extend_from_slice(&(last.0 as u32).to_be_bytes());
                table.extend_from_slice(&(last.1 as u32).to_be_bytes());
                continue;
            }
            last = (at, data.len());
            table.extend_from_slice(&(at as u32).to_be_bytes());
            table.extend_from_slice(&(data.len() as u32).to_be_bytes());
            body.extend_from_slice(data);
            body.resize(body.len().next_multiple_of(4), 0);
            at = HEADER + 4 + 12 * tags.len() + body.len();
        }
        let mut p = [header, table, body].concat();
        let len = p.len() as u32;
        p[0..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn text_and_device_details_go_and_colour_stays() {
        for v4 in [false, true] {
            let input = profile("Oliver Okafor, Larkspur Lane", v4);
            let out = clean(&input).expect("readable");
            for planted in [&b"Oliver"[..], &utf16("Oliver"), b"Okaf", b"Olly", b"lcms"] {
                assert!(
                    !out.windows(planted.len()).any(|w| w == planted),
                    "{planted:?} survived (v4: {v4})"
                );
            }
            assert!(!out.windows(4).any(|w| w == b"ncl2"));
            assert_eq!(be32(&out, 0), Some(out.len()));
            assert_eq!(&out[12..24], b"mntrRGB XYZ ");
            assert_eq!(out[67], 1, "rendering intent");
            assert!(out[24..36].iter().all(|b| *b == 0), "date");
            assert!(out[84..100].iter().all(|b| *b == 0), "profile ID");
            // The curves and matrix are the same numbers, the curves still
            // shared by one piece of data.
            let find = |p: &[u8], sig: &[u8; 4]| {
                let n = be32(p, HEADER).unwrap();
                (0..n)
                    .map(|i| HEADER + 4 + 12 * i)
                    .find(|e| &p[*e..*e + 4] == sig)
                    .map(|e| {
                        let (o, l) = (be32(p, e + 4).unwrap(), be32(p, e + 8).unwrap());
                        (o, p[o..o + l].to_vec())
                    })
            };
            for sig in [b"wtpt", b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC"] {
                assert_eq!(find(&out, sig).unwrap().1, find(&input, sig).unwrap().1);
            }
            assert_eq!(
                find(&out, b"rTRC").unwrap().0,
                find(&out, b"bTRC").unwrap().0
            );
            assert!(find(&out, b"desc").is_some() && find(&out, b"cprt").is_some());
            assert_eq!(clean(&out).as_deref(), Some(&out[..]), "idempotent");
        }
    }

    #[test]
    fn unreadable_profiles_are_refused_never_a_panic() {
        let good = profile("x", false);
        assert!(clean(b"pretend colour profile").is_none());
        for cut in 0..good.len() {
            let mut p = good[..cut].to_vec();
            if p.len() >= 4 {
                p[0..4].copy_from_slice(&(cut as u32).to_be_bytes());
            }
            let _ = clean(&p);
        }
        let mut bad = good.clone();
        bad[HEADER + 4 + 4..HEADER + 4 + 8].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(clean(&bad).is_none());
        let mut bad = good;
        bad[36] = b'x';
        assert!(clean(&bad).is_none());
    }
}
