//! MP3 and WAV: `schoolsite sanitise` takes out the tags ffmpeg writes
//! (ID3v2 and ID3v1 in an MP3, LIST/INFO in a WAV) without re-encoding,
//! checked with independent readers: exiftool finds no title, artist or
//! comment, ffprobe gives the same duration, and ffmpeg decodes the clean
//! copy without an error. A damaged file is refused.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Makes `dir/name` with ffmpeg from a generated tone (`args` starts
/// with the `-i` of a lavfi source); None when ffmpeg is not installed.
fn ffmpeg_make(dir: &Path, name: &str, args: &[&str]) -> Option<PathBuf> {
    let out = dir.join(name);
    let mut all = vec!["-f", "lavfi"];
    all.extend_from_slice(args);
    all.push(out.to_str().unwrap());
    ffmpeg(&all)?;
    Some(out)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The duration ffprobe reads, in seconds.
fn duration(path: &Path) -> Option<f64> {
    let o = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    )?;
    let text = String::from_utf8_lossy(&o.stdout);
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|e| panic!("ffprobe duration {text:?}: {e}")),
    )
}

/// Asserts the clean copy plays as long as the original and decodes
/// without an error.
fn assert_same_audio(original: &Path, clean: &Path) {
    if let (Some(before), Some(after)) = (duration(original), duration(clean)) {
        assert!(
            (before - after).abs() <= 0.05,
            "duration {before} s became {after} s"
        );
    }
    assert_decodes(clean);
}

/// Asserts exiftool finds no title, artist or comment, and none of the
/// planted words anywhere.
fn assert_no_tags_for_exiftool(path: &Path, planted: &[&str]) {
    let Some(tags) = exiftool(path, &[]) else {
        return;
    };
    for (key, value) in &tags {
        let name = key.split(':').nth(1).unwrap_or("");
        for forbidden in ["Title", "Artist", "Comment", "UserDefinedText", "Software"] {
            assert!(
                !name.contains(forbidden),
                "exiftool still finds {key} = {value}"
            );
        }
        assert!(
            !key.starts_with("ID3") && !key.starts_with("APE"),
            "exiftool still finds {key} = {value}"
        );
        let value = value.to_string();
        for p in planted {
            assert!(!value.contains(p), "exiftool still finds {key} = {value}");
        }
    }
}

/// Cleaning the clean copy finds nothing and changes nothing.
fn assert_fixed_point(clean: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let run = sanitise_file(clean, &dir.path().join("again"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("removed nothing to remove"),
        "{}",
        run.stdout
    );
    let again = dir.path().join("again").join(clean.file_name().unwrap());
    assert_eq!(std::fs::read(again).unwrap(), std::fs::read(clean).unwrap());
}

#[test]
fn an_mp3_keeps_its_audio_and_loses_its_id3_tags() {
    let dir = tempfile::tempdir().unwrap();
    let Some(original) = ffmpeg_make(
        dir.path(),
        "Assembly song.mp3",
        &[
            "-i",
            "sine=frequency=440:duration=2",
            "-metadata",
            "title=Amelia Smith sings",
            "-metadata",
            "artist=Mrs Jones",
            "-metadata",
            "comment=recorded at 51.5N",
            "-metadata",
            "date=2026",
            "-id3v2_version",
            "3",
            "-write_id3v1",
            "1",
        ],
    ) else {
        return;
    };
    let input = std::fs::read(&original).unwrap();
    assert!(input.starts_with(b"ID3") && input[input.len() - 128..].starts_with(b"TAG"));

    let out = dir.path().join("clean");
    let run = sanitise_file(&original, &out);
    assert_eq!(run.code, 0, "{}", run.all());
    for said in ["title", "artist name", "ID3v2 tag", "ID3v1 tag"] {
        assert!(run.stdout.contains(said), "{said}: {}", run.stdout);
    }
    let clean = out.join("Assembly song.mp3");
    let bytes = std::fs::read(&clean).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    // MPEG audio from the first byte: an MPEG-1 layer III frame header.
    assert_eq!(&bytes[..2], &[0xFF, 0xFB]);
    for planted in ["Amelia", "Jones", "51.5N", "ID3", "Lavf"] {
        assert!(
            !contains(&bytes, planted.as_bytes()),
            "{planted} survived sanitising"
        );
    }
    assert!(!bytes[bytes.len() - 128..].starts_with(b"TAG"));
    // Nothing but the tags went: the audio is the input's, byte for byte,
    // after the first frame (which holds no audio: see below).
    let first = 417;
    assert!(contains(&input, &bytes[first..]));

    assert_no_tags_for_exiftool(&clean, &["Amelia", "Jones", "51.5N"]);
    assert_same_audio(&original, &clean);
    assert_fixed_point(&clean);
}

#[test]
fn a_wav_keeps_its_audio_and_loses_its_list_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let Some(original) = ffmpeg_make(
        dir.path(),
        "Recorder group.wav",
        &[
            "-i",
            "sine=duration=1",
            "-metadata",
            "title=Amelia Smith",
            "-metadata",
            "artist=x",
        ],
    ) else {
        return;
    };
    let input = std::fs::read(&original).unwrap();
    assert!(contains(&input, b"LIST") && contains(&input, b"INFO"));

    let out = dir.path().join("clean");
    let run = sanitise_file(&original, &out);
    assert_eq!(run.code, 0, "{}", run.all());
    for said in ["title", "artist name", "software", "LIST/INFO metadata"] {
        assert!(run.stdout.contains(said), "{said}: {}", run.stdout);
    }
    let clean = out.join("Recorder group.wav");
    let bytes = std::fs::read(&clean).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    for planted in ["Amelia", "LIST", "INFO", "Lavf"] {
        assert!(
            !contains(&bytes, planted.as_bytes()),
            "{planted} survived sanitising"
        );
    }
    // A RIFF/WAVE whose size is right, holding the format and the data
    // chunks and nothing else.
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..16] == b"WAVEfmt ");
    let riff_size = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff_size + 8, bytes.len());
    let fmt_size = u32::from_le_bytes(bytes[16..20].try_into().unwrap()) as usize;
    let data_at = 20 + fmt_size;
    assert_eq!(&bytes[data_at..data_at + 4], b"data");
    let data_size = u32::from_le_bytes(bytes[data_at + 4..data_at + 8].try_into().unwrap());
    assert_eq!(data_at + 8 + data_size as usize, bytes.len());
    // The samples are the input's, byte for byte.
    assert!(contains(&input, &bytes[data_at..]));

    assert_no_tags_for_exiftool(&clean, &["Amelia"]);
    assert_same_audio(&original, &clean);
    assert_fixed_point(&clean);
}

#[test]
fn damaged_audio_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mp3) = ffmpeg_make(
        dir.path(),
        "song.mp3",
        &["-i", "sine=duration=1", "-metadata", "title=Amelia"],
    ) else {
        return;
    };
    let Some(wav) = ffmpeg_make(dir.path(), "tone.wav", &["-i", "sine=duration=1"]) else {
        return;
    };
    // An ID3 tag that says it is longer than the file.
    let mut bytes = std::fs::read(&mp3).unwrap();
    bytes[6..10].copy_from_slice(&[0x7F, 0x7F, 0x7F, 0x7F]);
    std::fs::write(dir.path().join("long tag.mp3"), &bytes).unwrap();
    // A WAV cut short in its data chunk.
    let bytes = std::fs::read(&wav).unwrap();
    std::fs::write(dir.path().join("cut.wav"), &bytes[..bytes.len() / 2]).unwrap();

    let run = run_bin(&[
        "sanitise",
        dir.path().join("long tag.mp3").to_str().unwrap(),
        dir.path().join("cut.wav").to_str().unwrap(),
        "--out",
        dir.path().join("clean").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("long tag.mp3: refused")
            && run
                .stdout
                .contains("its ID3 tag says it is longer than the file"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("cut.wav: refused") && run.stdout.contains("truncated"),
        "{}",
        run.stdout
    );
    assert!(!dir.path().join("clean/long tag.mp3").exists());
    assert!(!dir.path().join("clean/cut.wav").exists());
}

#[test]
fn wav_whose_riff_size_cannot_hold_its_form_type_is_refused_not_a_crash() {
    // Found by the `video` fuzz target: a RIFF size of 0, smaller than
    // the "WAVE" it counts, panicked the walk. Near miss: the same
    // header with the size a real WAV gives is read (the test above).
    let dir = tempfile::tempdir().unwrap();
    let found =
        std::fs::read(Path::new(REPO).join("tests/fixtures/fuzz-wav-riff-size-zero.wav")).unwrap();
    for (name, size) in [("zero.wav", 0u32), ("three.wav", 3)] {
        let mut bytes = found.clone();
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
        std::fs::write(dir.path().join(name), &bytes).unwrap();
    }
    let run = run_bin(&[
        "sanitise",
        dir.path().join("zero.wav").to_str().unwrap(),
        dir.path().join("three.wav").to_str().unwrap(),
        "--out",
        dir.path().join("clean").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!run.stderr.contains("panicked"), "{}", run.all());
    for name in ["zero.wav", "three.wav"] {
        assert!(
            run.stdout
                .contains(&format!("{name}: refused: it looks like a WAV")),
            "{}",
            run.stdout
        );
    }
    assert_eq!(
        run.stdout
            .matches("its RIFF header gives an impossible size")
            .count(),
        2,
        "{}",
        run.stdout
    );
    assert!(
        !dir.path().join("clean").exists()
            || std::fs::read_dir(dir.path().join("clean"))
                .unwrap()
                .next()
                .is_none()
    );
}

/// Where the LAME tag of an MP3's first (Xing/Info) frame starts, and
/// where that frame starts.
fn lame_tag(bytes: &[u8]) -> (usize, usize) {
    let info = bytes
        .windows(4)
        .position(|w| w == b"Info" || w == b"Xing")
        .unwrap();
    // After the side information of a mono or stereo MPEG-1 frame.
    let frame = [info.checked_sub(21), info.checked_sub(36)]
        .into_iter()
        .flatten()
        .find(|&f| bytes[f] == 0xFF)
        .unwrap();
    let flags = u32::from_be_bytes(bytes[info + 4..info + 8].try_into().unwrap());
    let fields: usize = [(1, 4), (2, 4), (4, 100), (8, 4)]
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, len)| len)
        .sum();
    (frame, info + 8 + fields)
}

/// `bytes` with the LAME tag's encoder name set to `name` (9 bytes) and
/// its checksum made as LAME makes it.
fn with_encoder(bytes: &[u8], name: &[u8; 9]) -> Vec<u8> {
    let (frame, at) = lame_tag(bytes);
    let mut out = bytes.to_vec();
    out[at..at + 9].copy_from_slice(name);
    let crc = crc::Crc::<u16>::new(&crc::CRC_16_ARC).checksum(&out[frame..at + 34]);
    out[at + 34..at + 36].copy_from_slice(&crc.to_be_bytes());
    out
}

/// What ffmpeg warns of while decoding (a LAME tag whose checksum fails).
fn decode_warnings(path: &Path) -> Option<String> {
    let out = tool(
        "ffmpeg",
        &[
            "-v",
            "warning",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "null",
            "-",
        ],
    )?;
    Some(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_encoder_name_in_an_mp3_lame_tag_is_emptied_and_gapless_playback_kept() {
    let dir = tempfile::tempdir().unwrap();
    let Some(made) = ffmpeg_make(
        dir.path(),
        "made.mp3",
        &["-i", "sine=frequency=440:duration=2"],
    ) else {
        return;
    };
    let made = std::fs::read(made).unwrap();
    for (name, planted, kept) in [
        ("lame.mp3", b"LAMEOliv.", &b"LAME\0\0\0\0\0"[..]),
        ("other.mp3", b"OliverOka", &[0u8; 9][..]),
    ] {
        let input = dir.path().join(name);
        std::fs::write(&input, with_encoder(&made, planted)).unwrap();
        if let Some(warnings) = decode_warnings(&input) {
            assert!(
                !warnings.contains("CRC"),
                "the fixture's checksum: {warnings}"
            );
        }
        if let Some(tags) = exiftool(&input, &[]) {
            let tags = serde_json::Value::Object(tags).to_string();
            assert!(
                !name.starts_with("lame") || tags.contains("LAMEOliv"),
                "{tags}"
            );
        }
        let out = dir.path().join(format!("clean-{name}"));
        let run = sanitise_file(&input, &out);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(run.stdout.contains("encoder name"), "{}", run.stdout);
        let clean = out.join(name);
        let bytes = std::fs::read(&clean).unwrap();
        assert!(!contains(&bytes, b"Oliv"), "{name}");
        let (_, at) = lame_tag(&bytes);
        assert_eq!(&bytes[at..at + 9], kept, "{name}");
        if let Some(tags) = exiftool(&clean, &[]) {
            let tags = serde_json::Value::Object(tags).to_string();
            assert!(!tags.contains("Oliv"), "{tags}");
        }
        // Still trusted by players: the checksum holds and the gapless
        // padding is read, so it plays exactly as long.
        if let Some(warnings) = decode_warnings(&clean) {
            assert!(warnings.trim().is_empty(), "{name}: {warnings}");
        }
        assert_same_audio(&input, &clean);
        assert_fixed_point(&clean);
    }
}
