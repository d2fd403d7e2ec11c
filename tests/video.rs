//! Video: `schoolsite sanitise` cleans phone clips (MP4, MOV, M4A) without
//! re-encoding. Clips are made at test time with ffmpeg, carrying a
//! location, make, model, title and creation time, a 90° rotation set
//! with exiftool and a Samsung-style GPS box, and the outputs are read
//! with independent tools: exiftool finds no location, device, name or
//! date; ffprobe shows the same streams, duration and rotation; ffmpeg
//! decodes them without error.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// A two-second phone clip (H.264 video and AAC sound) with everything a
/// phone writes about where, when and on what, rotated 90°, with a
/// Samsung-style GPS box in its movie box. None without ffmpeg.
fn phone_clip(dir: &Path, name: &str) -> Option<PathBuf> {
    let path = dir.join(name);
    let p = path.to_str().unwrap();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=25:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-metadata",
        "title=Amelia Smith scores a goal",
        "-metadata",
        "location=+51.5074-000.1278/",
        "-metadata",
        "make=Apple",
        "-metadata",
        "model=iPhone 15 Pro",
        "-metadata",
        "creation_time=2026-06-01T10:00:00Z",
        "-movflags",
        "use_metadata_tags",
        p,
    ])?;
    // Samsung phones keep the place in a box of their own: add one to the
    // movie box (ffmpeg writes it last, so nothing before it moves).
    let mut bytes = std::fs::read(&path).unwrap();
    let (start, size) = top_level(&bytes, b"moov").expect("a movie box");
    assert_eq!(start + size, bytes.len(), "moov is last");
    let gps = boxed(
        b"udta",
        &boxed(b"gps ", b"PLANTED-SAMSUNG-GPS 51.5074N 0.1278W"),
    );
    bytes.extend_from_slice(&gps);
    let new_size = (size + gps.len()) as u32;
    bytes[start..start + 4].copy_from_slice(&new_size.to_be_bytes());
    std::fs::write(&path, &bytes).unwrap();
    // exiftool rewrites the file, moving the movie box to the front.
    if let Some(out) = tool(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            "-Rotation=90",
            "-XMP-dc:Creator=PLANTED-XMP Amelia Smith",
            p,
        ],
    ) {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(path)
}

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(payload);
    b
}

/// Where a top-level box starts, and its size.
fn top_level(bytes: &[u8], kind: &[u8; 4]) -> Option<(usize, usize)> {
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if &bytes[at + 4..at + 8] == kind {
            return Some((at, size));
        }
        if size < 8 {
            return None;
        }
        at += size;
    }
    None
}

/// (codec, duration, rotation) of each stream, as ffprobe reads them.
fn streams(path: &Path) -> Option<Vec<(String, f64, String)>> {
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,duration:stream_side_data=rotation",
            "-of",
            "json",
            path.to_str().unwrap(),
        ],
    )?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Some(
        json["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let rotation = s["side_data_list"]
                    .as_array()
                    .and_then(|l| l.iter().find_map(|d| d.get("rotation")))
                    .map(|r| r.to_string())
                    .unwrap_or_default();
                (
                    s["codec_name"].as_str().unwrap_or("").to_string(),
                    s["duration"]
                        .as_str()
                        .and_then(|d| d.parse().ok())
                        .unwrap_or(0.0),
                    rotation,
                )
            })
            .collect(),
    )
}

#[test]
fn a_phone_clip_loses_place_device_names_and_dates_and_still_plays_upright() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["sports-day.mp4", "nativity.mov"] {
        let Some(input) = phone_clip(dir.path(), name) else {
            return;
        };
        let run = sanitise_file(&input, &dir.path().join("clean"));
        assert_eq!(run.code, 0, "{}", run.all());
        for said in ["GPS position", "phone model", "title", "dates"] {
            assert!(run.stdout.contains(said), "{name}: {said}: {}", run.stdout);
        }
        let output = dir.path().join("clean").join(name);
        let bytes = std::fs::read(&output).unwrap();
        for planted in [&b"Amelia"[..], b"iPhone", b"PLANTED", b"+51.5074", b"Apple"] {
            assert!(
                !bytes.windows(planted.len()).any(|w| w == planted),
                "{name}: {} survived",
                String::from_utf8_lossy(planted)
            );
        }
        if let Some(tags) = exiftool(&output, &["-ee"]) {
            for (key, value) in &tags {
                let field = key.rsplit(':').next().unwrap_or(key);
                assert!(!key.starts_with("XMP"), "{name}: {key} = {value}");
                assert!(
                    ![
                        "GPSLatitude",
                        "GPSLongitude",
                        "GPSCoordinates",
                        "Make",
                        "Model",
                        "Title",
                        "Location",
                        "LocationInformation",
                        "Author",
                        "Software",
                        "Encoder"
                    ]
                    .contains(&field),
                    "{name}: {key} = {value}"
                );
                if field.ends_with("Date") && !key.starts_with("System:") {
                    assert!(
                        value.as_str().is_some_and(|v| v.starts_with("0000:00:00")),
                        "{name}: {key} = {value}"
                    );
                }
            }
        }
        // The same streams, length and rotation, and it decodes cleanly.
        if let (Some(before), Some(after)) = (streams(&input), streams(&output)) {
            assert_eq!(before.len(), after.len(), "{name}: {before:?} {after:?}");
            for (b, a) in before.iter().zip(&after) {
                assert_eq!(b.0, a.0, "{name}");
                assert!((b.1 - a.1).abs() < 0.05, "{name}: {b:?} {a:?}");
                assert_eq!(b.2, a.2, "{name}: rotation");
            }
            assert!(
                before[0].2.contains("90"),
                "{name}: the test clip is rotated: {before:?}"
            );
        }
        assert_decodes(&output);
        // Cleaning the clean copy changes nothing.
        let again = sanitise_file(&output, &dir.path().join("again"));
        assert!(
            again.stdout.contains("removed nothing to remove"),
            "{}",
            again.stdout
        );
        assert_eq!(
            std::fs::read(dir.path().join("again").join(name)).unwrap(),
            bytes
        );
    }
}

#[test]
fn an_m4a_recording_loses_its_tags() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("assembly.m4a");
    let Some(()) = ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330:duration=2",
        "-c:a",
        "aac",
        "-metadata",
        "title=Amelia Smith reads a poem",
        "-metadata",
        "artist=Mrs Jones",
        input.to_str().unwrap(),
    ]) else {
        return;
    };
    let run = sanitise_file(&input, &dir.path().join("clean"));
    assert_eq!(run.code, 0, "{}", run.all());
    let output = dir.path().join("clean/assembly.m4a");
    let bytes = std::fs::read(&output).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Amelia"));
    assert!(!bytes.windows(5).any(|w| w == b"Jones"));
    assert_decodes(&output);
}

#[test]
fn damaged_and_disguised_clips_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    // A clip as ffmpeg writes it: the movie box last.
    let clip = dir.path().join("clip.mp4");
    let Some(()) = ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=25:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().unwrap(),
    ]) else {
        return;
    };
    let good = std::fs::read(&clip).unwrap();
    let (moov_at, moov_size) = top_level(&good, b"moov").unwrap();
    let (mdat_at, _) = top_level(&good, b"mdat").unwrap();

    // A fragmented MP4, as screen recorders write.
    let fragmented = dir.path().join("fragmented.mp4");
    ffmpeg(&[
        "-i",
        clip.to_str().unwrap(),
        "-c",
        "copy",
        "-movflags",
        "frag_keyframe+empty_moov",
        fragmented.to_str().unwrap(),
    ]);
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "fragmented.mp4",
            std::fs::read(&fragmented).unwrap(),
            "fragmented",
        ),
        // The movie box cut off.
        (
            "truncated.mp4",
            good[..moov_at + moov_size / 2].to_vec(),
            "longer than the file",
        ),
        // No movie box at all.
        ("no-moov.mp4", good[..moov_at].to_vec(), "no movie box"),
        // The media data cut short: the sample tables point past it.
        (
            "short-mdat.mp4",
            {
                let mut b = good[..mdat_at + 1000].to_vec();
                b[mdat_at..mdat_at + 4].copy_from_slice(&1000u32.to_be_bytes());
                b.extend_from_slice(&good[moov_at..]);
                b
            },
            "outside its media data",
        ),
        // A box whose size runs past the end of the file.
        (
            "past-the-end.mp4",
            {
                let mut b = good.clone();
                b[moov_at..moov_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
                b
            },
            "longer than the file",
        ),
        (
            "page.mp4",
            b"<!DOCTYPE html><html><body>not a video</body></html>".to_vec(),
            "HTML page",
        ),
    ];
    // Fine, not refused: the last box's size given as 0 ("to the end of
    // the file"), and as a 64-bit size.
    let mut to_end = good.clone();
    to_end[moov_at..moov_at + 4].copy_from_slice(&0u32.to_be_bytes());
    let mut large = good[..moov_at].to_vec();
    large.extend_from_slice(&1u32.to_be_bytes());
    large.extend_from_slice(b"moov");
    large.extend_from_slice(&((moov_size + 8) as u64).to_be_bytes());
    large.extend_from_slice(&good[moov_at + 8..]);
    // Boxes nested ten thousand deep inside the movie's user data (which
    // is dropped whole, never walked).
    let mut nested = b"PLANTED-DEEP".to_vec();
    for _ in 0..10_000 {
        nested = boxed(b"udta", &nested);
    }
    let mut deep = good.clone();
    deep.extend_from_slice(&nested);
    let new_size = (moov_size + nested.len()) as u32;
    deep[moov_at..moov_at + 4].copy_from_slice(&new_size.to_be_bytes());
    for (name, bytes) in [
        ("to-end.mp4", to_end),
        ("large.mp4", large),
        ("deep.mp4", deep),
    ] {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let run = sanitise_file(&input, &dir.path().join("ok"));
        assert_eq!(run.code, 0, "{name}: {}", run.all());
        assert_decodes(&dir.path().join("ok").join(name));
    }
    for (name, bytes, expected) in cases.drain(..) {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let run = sanitise_file(&input, &dir.path().join("out"));
        assert_eq!(run.code, 1, "{name}: {}", run.all());
        assert!(
            run.stdout.contains(expected),
            "{name}: {expected}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("fix:"), "{name}: {}", run.stdout);
        assert!(!dir.path().join("out").join(name).exists(), "{name}");
    }
}

#[test]
fn files_found_by_fuzzing_are_refused_or_cleaned_to_a_fixed_point() {
    // An empty chunk pointing past the media data it was next to: the
    // copy pointed it outside the new media data, and a second cleaning
    // refused the copy. And one MP3 frame whose bytes, once the junk
    // before it went, read as an MP4's file-type box.
    for name in ["fuzz-empty-chunk.mp4", "fuzz-mp3-polyglot.mp3"] {
        let dir = tempfile::tempdir().unwrap();
        let input = Path::new(REPO).join("tests/fixtures").join(name);
        let run = sanitise_file(&input, &dir.path().join("once"));
        if run.code != 0 {
            assert_eq!(run.code, 1, "{name}: {}", run.all());
            assert!(run.stdout.contains("fix:"), "{name}: {}", run.stdout);
            continue;
        }
        let once = dir.path().join("once").join(name);
        let again = sanitise_file(&once, &dir.path().join("twice"));
        assert!(
            again.stdout.contains("removed nothing to remove"),
            "{name}: {}",
            again.all()
        );
        assert_eq!(
            std::fs::read(dir.path().join("twice").join(name)).unwrap(),
            std::fs::read(&once).unwrap(),
            "{name}"
        );
    }
}
