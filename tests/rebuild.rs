//! Damaged images that browsers still show (a PNG chunk whose checksum is
//! wrong, bytes between JPEG segments, a GIF without its trailer) are
//! published as copies rebuilt from their pixels, and the authoriser is
//! warned; what does not decode whole is still refused. Each attempt sits
//! beside its near miss.

mod common;
use common::*;

/// `build --format json`: the run, its findings and its media entries.
fn build_json(site: &Site) -> (Run, Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let run = site.run(&["build", "--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    let list = |key: &str| doc[key].as_array().cloned().unwrap_or_default();
    (run, list("findings"), list("media"))
}

/// Where the PNG chunk of type `kind` starts (its length field), and its
/// data's length.
fn chunk(png: &[u8], kind: &[u8; 4]) -> (usize, usize) {
    let at = png.windows(4).position(|w| w == kind).expect("chunk") - 4;
    let len = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize;
    (at, len)
}

/// The PNG with the checksum of its chunk `kind` spoilt.
fn spoil_crc(mut png: Vec<u8>, kind: &[u8; 4]) -> Vec<u8> {
    let (at, len) = chunk(&png, kind);
    png[at + 8 + len] ^= 0x5A;
    png
}

/// The JPEG with bytes that are no segment before its first quantisation
/// table: browsers skip them, schoolsite's walk refuses them.
fn junk_between_segments(mut jpeg: Vec<u8>) -> Vec<u8> {
    // Segment by segment: an EXIF thumbnail has a DQT of its own.
    let mut dqt = 2;
    while jpeg[dqt + 1] != 0xDB {
        dqt += 2 + usize::from(u16::from_be_bytes([jpeg[dqt + 2], jpeg[dqt + 3]]));
    }
    jpeg.splice(dqt..dqt, *b"\0\0junk from a bad copy\0");
    jpeg
}

/// A two-frame animation written by the `image` crate's GIF encoder.
fn animation() -> (Vec<u8>, Vec<image::RgbaImage>) {
    let frames: Vec<image::RgbaImage> = (0..2u32)
        .map(|i| {
            image::RgbaImage::from_fn(24, 16, |x, y| {
                image::Rgba([(i * 120) as u8, (x * 10) as u8, (y * 15) as u8, 255])
            })
        })
        .collect();
    let mut gif = Vec::new();
    {
        let mut e = image::codecs::gif::GifEncoder::new(&mut gif);
        e.set_repeat(image::codecs::gif::Repeat::Infinite)
            .expect("repeat");
        for f in &frames {
            e.encode_frame(image::Frame::new(f.clone())).expect("frame");
        }
    }
    (gif, frames)
}

fn gif_frames(bytes: &[u8]) -> Vec<image::RgbaImage> {
    use image::AnimationDecoder as _;
    image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes))
        .expect("gif")
        .into_frames()
        .map(|f| f.expect("frame").into_buffer())
        .collect()
}

/// The `image-rebuilt` warnings, by file.
fn rebuilt_warnings(findings: &[serde_json::Value]) -> Vec<(String, String, String)> {
    with_rule(findings, "image-rebuilt")
        .into_iter()
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f}");
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
                f["fix"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Asserts every published file is named by its hash, carries no
/// metadata (by kamadak-exif, the planted strings and exiftool), and
/// returns them.
fn published_clean(site: &Site, extension: &str) -> Vec<(String, Vec<u8>)> {
    let media = published_media(site);
    assert!(!media.is_empty(), "nothing published");
    for (name, bytes) in &media {
        let file = name.trim_start_matches("media/");
        let (stem, ext) = file.rsplit_once('.').expect("an extension");
        assert_eq!(ext, extension, "{name}");
        assert!(
            stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name} is not named by its hash"
        );
        assert_clean(name, bytes);
        assert_clean_exiftool(&site.path("public").join(name));
    }
    media
}

#[test]
fn png_with_a_bad_checksum_is_published_rebuilt_with_a_warning() {
    let whole = png_with_everything(40, 30);
    let site = photo_site(&[
        ("text-crc.png", spoil_crc(whole.clone(), b"tEXt")),
        ("idat-crc.png", spoil_crc(whole.clone(), b"IDAT")),
        // Near miss: the same photo whole is cleaned as it is, unwarned.
        ("whole.png", whole),
    ]);
    let (run, findings, media) = build_json(&site);
    assert_eq!(run.code, 0, "{}", run.all());

    let mut warnings = rebuilt_warnings(&findings);
    warnings.sort();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    for ((file, message, fix), (name, chunk)) in warnings
        .iter()
        .zip([("idat-crc", "IDAT"), ("text-crc", "tEXt")])
    {
        assert_eq!(file, &format!("content/gallery/{name}.png"));
        assert!(
            message.contains(&format!("the {chunk} chunk fails its checksum"))
                && message.contains("made afresh from its pixels"),
            "{message}"
        );
        assert!(fix.contains("export it again"), "{fix}");
    }
    // The report says it was rebuilt, and what its metadata held.
    for entry in &media {
        let removed = entry["removed"].to_string();
        let rebuilt = removed.contains("damaged image data (rebuilt from its pixels");
        assert_eq!(
            rebuilt,
            entry["source"] != "content/gallery/whole.png",
            "{entry}"
        );
        if rebuilt {
            assert!(removed.contains("GPS position"), "{removed}");
        }
    }

    for (name, bytes) in published_clean(&site, "png") {
        assert_eq!(decode(&bytes), pixels(40, 30), "{name}: pixels changed");
        assert!(
            !bytes.windows(4).any(|w| w == b"tEXt" || w == b"eXIf"),
            "{name}"
        );
    }
}

#[test]
fn png_whose_image_data_is_cut_short_is_still_refused() {
    let png = plain_png(40, 30);
    let (at, len) = chunk(&png, b"IDAT");
    let cut = png[..at + 8 + len / 2].to_vec();
    // Cut, then closed with an IEND as a careless tool might.
    let mut closed = cut.clone();
    closed.extend_from_slice(&png[png.len() - 12..]);
    for (name, bytes) in [("cut.png", cut), ("closed.png", closed)] {
        let site = photo_site(&[(name, bytes)]);
        let out = blocked(&site);
        assert!(
            out.contains(&format!(
                "content/gallery/{name}\n  error[media-refused]: this file cannot be published: it looks like a PNG but is damaged"
            )) && out.contains("cannot be rebuilt from its pixels"),
            "{out}"
        );
        assert!(out.contains("export it again"), "the fix is missing: {out}");
    }
}

#[test]
fn a_damaged_bomb_is_refused_as_too_large_without_decoding() {
    // A header claiming 100,000 × 100,000 pixels, and a wrong checksum.
    let mut bomb = plain_png(8, 8);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let site = photo_site(&[("bomb.png", bomb)]);
    let started = std::time::Instant::now();
    let out = blocked(&site);
    assert!(
        out.contains("100000×100000 pixels, more than the limit"),
        "{out}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "it was decoded"
    );
}

#[test]
fn gif_missing_its_trailer_is_rebuilt_frame_for_frame() {
    let (gif, frames) = animation();
    assert_eq!(gif.last(), Some(&0x3B));
    let mut loaded = gif_with_everything(20, 10);
    loaded.pop();
    let site = photo_site(&[
        ("no-trailer.gif", gif[..gif.len() - 1].to_vec()),
        ("loaded.gif", loaded),
    ]);
    let (run, findings, _) = build_json(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    let warnings = rebuilt_warnings(&findings);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .all(|(_, m, _)| m.contains("the file ends before the GIF trailer")),
        "{warnings:?}"
    );
    let published = published_clean(&site, "gif");
    // Each frame as the original shows it (its encoder had cut it to 256
    // colours), exactly.
    let shown = gif_frames(&gif);
    assert_eq!(shown.len(), frames.len());
    assert!(
        published
            .iter()
            .any(|(_, bytes)| gif_frames(bytes) == shown),
        "the animation's frames changed"
    );
}

#[test]
fn gif_whose_last_frame_is_cut_is_refused() {
    let (gif, _) = animation();
    let last = gif.iter().rposition(|&b| b == 0x2C).expect("last frame");
    let cut = gif[..(last + gif.len()) / 2].to_vec();
    let site = photo_site(&[("cut.gif", cut)]);
    let out = blocked(&site);
    assert!(
        out.contains("content/gallery/cut.gif")
            && out.contains("it looks like a GIF but is damaged")
            && out.contains("ends in the middle of its data"),
        "{out}"
    );
}

#[test]
fn jpeg_with_bytes_between_segments_is_rebuilt() {
    let original = jpeg_with_everything(64, 48);
    let site = photo_site(&[("junk.jpg", junk_between_segments(original.clone()))]);
    let (run, findings, media) = build_json(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    let warnings = rebuilt_warnings(&findings);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].0, "content/gallery/junk.jpg");
    assert!(
        warnings[0].1.contains("expected a marker at byte"),
        "{warnings:?}"
    );
    let removed = media[0]["removed"].to_string();
    assert!(
        removed.contains("GPS position") && removed.contains("1 face tag"),
        "{removed}"
    );
    let published = published_clean(&site, "jpg");
    assert_eq!(published.len(), 1);
    // Re-encoded, so close to the original's pixels, not equal.
    let (a, b) = (decode(&published[0].1), decode(&original));
    assert_eq!(a.dimensions(), b.dimensions());
    let diff: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    assert!(
        diff / (a.as_raw().len() as u64) < 4,
        "mean difference {}",
        diff / a.as_raw().len() as u64
    );
}

/// The JPEG with its frame header saying `width` × `height`.
fn with_frame_size(mut jpeg: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    let mut at = 2;
    while !matches!(jpeg[at + 1], 0xC0..=0xC2) {
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    jpeg[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

#[test]
fn damaged_jpeg_too_large_to_rebuild_in_bounded_memory_is_refused_unread() {
    // 72 million pixels: under the 100 million a photo may have, but
    // rebuilding it would hold well over 320 MB of pixels at once.
    let big = with_frame_size(jpeg_with_everything(64, 48), 9_000, 8_000);
    let site = photo_site(&[("big.jpg", junk_between_segments(big))]);
    let started = std::time::Instant::now();
    let out = blocked(&site);
    assert!(out.contains("content/gallery/big.jpg"), "{out}");
    assert!(
        out.contains("more than 320 MB of pixels once decoded"),
        "{out}"
    );
    assert!(out.contains("at a smaller size"), "{out}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "it was decoded"
    );
    // The near miss, the same damage at 64 × 48, is rebuilt:
    // jpeg_with_bytes_between_segments_is_rebuilt.
}

#[test]
fn jpeg_cut_inside_its_image_data_is_refused_even_with_an_end_marker() {
    let jpeg = plain_jpeg(64, 48);
    let cut = jpeg[..jpeg.len() * 3 / 4].to_vec();
    // Closed with an end-of-image marker, and junk so the walk refuses it:
    // jpeg-decoder would show the missing rows grey without a word.
    let mut closed = cut.clone();
    closed.extend_from_slice(&[0xFF, 0xD9]);
    let closed = junk_between_segments(closed);
    for (name, bytes, why) in [
        ("cut.jpg", cut, "truncated"),
        ("closed.jpg", closed, "stops before the last of its pixels"),
    ] {
        let site = photo_site(&[(name, bytes)]);
        let out = blocked(&site);
        assert!(
            out.contains(&format!("content/gallery/{name}\n  error[media-refused]"))
                && out.contains("it looks like a JPEG but is damaged")
                && out.contains(why)
                && out.contains("cannot be rebuilt from its pixels"),
            "{out}"
        );
    }
}

#[test]
fn rebuilt_jpeg_is_turned_upright_and_keeps_no_exif() {
    // Stored 48 wide and 64 high, shown 64 × 48 once orientation 6 is
    // applied; its EXIF block also holds GPS and a serial number.
    let sideways = oriented_jpeg(64, 48, 6);
    let site = photo_site(&[("sideways.jpg", junk_between_segments(sideways))]);
    let (run, findings, _) = build_json(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(rebuilt_warnings(&findings).len(), 1);
    let published = published_clean(&site, "jpg");
    let (name, bytes) = &published[0];
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{name} has EXIF");
    // Stored upright: no orientation left for a browser to apply.
    let stored = decode(bytes);
    assert_eq!(stored.dimensions(), (64, 48));
    assert_upright("rebuilt", &stored);
    if let Some(tags) = exiftool(&site.path("public").join(name), &["-n"]) {
        assert!(!tags.contains_key("IFD0:Orientation"), "{tags:?}");
    }
}

#[test]
fn sanitise_command_says_the_image_was_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("photo.png");
    std::fs::write(&input, spoil_crc(plain_png(16, 16), b"IDAT")).expect("write");
    let out = dir.path().join("out");
    let run = sanitise_file(&input, &out);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "damaged image data (rebuilt from its pixels: the IDAT chunk fails its checksum)"
        ),
        "{}",
        run.stdout
    );
    let clean = std::fs::read(out.join("photo.png")).expect("clean copy");
    assert_eq!(decode(&clean), pixels(16, 16));
}
