//! Tests for MP3 and WAV cleaning, with fixtures built by hand.

use super::super::format::{Part, Pieces};
use super::super::{Refusal, Removed, Settings};
use super::mp3::{Header, frame_header};

fn strip_mp3(input: &[u8]) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    super::mp3::strip(input, &Settings::default()).map(|s| (s.body, s.removed))
}

fn strip_wav(input: &[u8]) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    super::wav::strip(input, &Settings::default()).map(|s| (s.body, s.removed))
}

// -----------------------------------------------------------------
// MP3 fixtures, built by hand.

/// One MPEG-1 layer III frame, 128 kbit/s at 44.1 kHz: 417 bytes.
fn frame(seed: u8) -> Vec<u8> {
    let mut f = vec![0xFF, 0xFB, 0x90, 0x64];
    // Odd bytes only, so no tag's name can appear by chance.
    f.extend((0..413u32).map(|i| ((i.wrapping_mul(37) as u8) ^ seed) | 1));
    f
}

fn frames(n: u8) -> Vec<u8> {
    (0..n).flat_map(frame).collect()
}

fn syncsafe_bytes(n: usize) -> [u8; 4] {
    [
        (n >> 21) as u8 & 0x7F,
        (n >> 14) as u8 & 0x7F,
        (n >> 7) as u8 & 0x7F,
        n as u8 & 0x7F,
    ]
}

/// An ID3v2.3 or 2.4 frame.
fn id3_frame(major: u8, id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut f = id.to_vec();
    if major == 4 {
        f.extend(syncsafe_bytes(data.len()));
    } else {
        f.extend((data.len() as u32).to_be_bytes());
    }
    f.extend([0, 0]);
    f.extend_from_slice(data);
    f
}

/// An ID3v2 tag of `frames` (already encoded) and `padding` zeros.
fn id3_tag(major: u8, flags: u8, frames: &[Vec<u8>], padding: usize) -> Vec<u8> {
    let mut body: Vec<u8> = frames.concat();
    body.extend(vec![0; padding]);
    let mut t = b"ID3".to_vec();
    t.extend([major, 0, flags]);
    t.extend(syncsafe_bytes(body.len()));
    t.extend(&body);
    if major == 4 && flags & 0x10 != 0 {
        t.extend(b"3DI");
        t.extend([major, 0, flags]);
        t.extend(syncsafe_bytes(body.len()));
    }
    t
}

fn text(s: &str) -> Vec<u8> {
    let mut v = vec![3];
    v.extend_from_slice(s.as_bytes());
    v
}

fn id3v23_with_everything() -> Vec<u8> {
    let mut comm = vec![0, b'e', b'n', b'g', 0];
    comm.extend_from_slice(b"recorded at 51.5N");
    let mut apic = b"\0image/jpeg\0\x03\0".to_vec();
    apic.extend([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
    id3_tag(
        3,
        0,
        &[
            id3_frame(3, b"TIT2", &text("Amelia Smith sings")),
            id3_frame(3, b"TPE1", &text("Mrs Jones")),
            id3_frame(3, b"COMM", &comm),
            id3_frame(3, b"APIC", &apic),
        ],
        64,
    )
}

fn ape_tag(items: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in items {
        body.extend((v.len() as u32).to_le_bytes());
        body.extend(0u32.to_le_bytes());
        body.extend(k.as_bytes());
        body.push(0);
        body.extend(v.as_bytes());
    }
    let size = (body.len() + 32) as u32;
    let head = |flags: u32| {
        let mut h = b"APETAGEX".to_vec();
        h.extend(2000u32.to_le_bytes());
        h.extend(size.to_le_bytes());
        h.extend((items.len() as u32).to_le_bytes());
        h.extend(flags.to_le_bytes());
        h.extend([0; 8]);
        h
    };
    let mut t = head((1 << 31) | (1 << 29));
    t.extend(body);
    t.extend(head(1 << 31));
    t
}

fn id3v1(title: &str, artist: &str) -> Vec<u8> {
    let mut t = b"TAG".to_vec();
    for (s, n) in [(title, 30), (artist, 30), ("", 30), ("2026", 4), ("", 30)] {
        let mut field = s.as_bytes().to_vec();
        field.resize(n, 0);
        t.extend(field);
    }
    t.push(12);
    t
}

fn lyrics3v2(lyrics: &str) -> Vec<u8> {
    let mut t = b"LYRICSBEGIN".to_vec();
    t.extend(format!("IND00002{}", "10").as_bytes());
    t.extend(format!("LYR{:05}{lyrics}", lyrics.len()).as_bytes());
    let size = t.len();
    t.extend(format!("{size:06}LYRICS200").as_bytes());
    t
}

fn clean_mp3(input: &[u8]) -> Result<(Vec<u8>, Vec<Removed>), Refusal> {
    strip_mp3(input).map(|(p, r)| (p.into_vec(), r))
}

fn clean_wav(input: &[u8]) -> Result<(Vec<u8>, Vec<Removed>), Refusal> {
    strip_wav(input).map(|(p, r)| (p.into_vec(), r))
}

fn whats(removed: &[Removed]) -> Vec<&str> {
    removed.iter().map(|r| r.what.as_str()).collect()
}

fn found(removed: &[Removed]) -> Vec<&str> {
    removed
        .iter()
        .flat_map(|r| r.found.iter().map(String::as_str))
        .collect()
}

fn detail(refusal: Refusal) -> String {
    match refusal {
        Refusal::Corrupt { detail, .. } => detail,
        other => panic!("expected a damaged-file refusal, got {other:?}"),
    }
}

fn assert_fixed_point_mp3(clean: &[u8]) {
    let (again, removed) = clean_mp3(clean).expect("the clean file is accepted");
    assert_eq!(again, clean);
    assert!(removed.is_empty(), "{removed:?}");
}

#[test]
fn every_mp3_tag_goes_and_exactly_the_frames_stay() {
    let audio = frames(5);
    let mut input = id3v23_with_everything();
    input.extend(&audio);
    input.extend(ape_tag(&[
        ("Title", "Amelia"),
        ("Cover Art (Front)", "x.jpg"),
    ]));
    input.extend(lyrics3v2("la la la"));
    input.extend(id3v1("Amelia Smith sings", "Mrs Jones"));
    let (clean, removed) = clean_mp3(&input).unwrap();
    assert_eq!(clean, audio);
    assert_eq!(
        whats(&removed),
        ["ID3v2 tag", "APE tag", "Lyrics3 tag", "ID3v1 tag"]
    );
    let found = found(&removed);
    for f in [
        "title",
        "artist name",
        "comment",
        "cover picture",
        "lyrics",
        "date",
    ] {
        assert!(found.contains(&f), "{f}: {found:?}");
    }
    let total: usize = removed.iter().map(|r| r.bytes).sum();
    assert_eq!(total, input.len() - audio.len());
    assert_fixed_point_mp3(&clean);
}

#[test]
fn the_audio_is_kept_as_a_range_of_the_input() {
    let mut input = id3v23_with_everything();
    let at = input.len();
    input.extend(frames(3));
    let (pieces, _) = strip_mp3(&input).unwrap();
    assert!(matches!(
        pieces.parts.as_slice(),
        [Part::Input(s, e)] if *s == at && *e == input.len()
    ));
}

#[test]
fn id3v24_with_a_footer_at_both_ends() {
    let audio = frames(3);
    let tag = id3_tag(
        4,
        0x10,
        &[
            id3_frame(4, b"TIT2", &text(&"long title ".repeat(20))),
            id3_frame(4, b"TDRC", &text("2026-07-14")),
        ],
        10,
    );
    let mut input = tag.clone();
    input.extend(&audio);
    input.extend(id3_tag(
        4,
        0x10,
        &[id3_frame(4, b"PRIV", b"com.example\0secret")],
        0,
    ));
    let (clean, removed) = clean_mp3(&input).unwrap();
    assert_eq!(clean, audio);
    assert_eq!(whats(&removed), ["ID3v2 tag (2 blocks)"]);
    assert_eq!(removed[0].bytes, input.len() - audio.len());
    assert_eq!(found(&removed), ["title", "date", "private data"]);
}

#[test]
fn id3v22_and_unsynchronised_tags_are_sized_right() {
    // 2.2: three-letter ids, three-byte sizes.
    let mut v22 = b"ID3\x02\0\0".to_vec();
    let mut body = b"TT2\0\0\x05\0Song".to_vec();
    body.extend(b"TP1\0\0\x04\0Jon");
    body.extend([0; 16]);
    v22.extend(syncsafe_bytes(body.len()));
    v22.extend(&body);
    // 2.3 unsynchronised: a frame holding 0xFF 0xE0, stored as
    // 0xFF 0x00 0xE0, so its stored size is one more than it says.
    let mut unsynced = b"ID3\x03\0\x80".to_vec();
    let mut body = b"APIC\0\0\0\x07\0\0\0i\0\x03\0\xFF\x00\xE0".to_vec();
    body.extend(b"USLT\0\0\0\x0A\0\0\0eng\0la la");
    unsynced.extend(syncsafe_bytes(body.len()));
    unsynced.extend(&body);
    let audio = frames(2);
    let input = [v22, unsynced, audio.clone()].concat();
    let (clean, removed) = clean_mp3(&input).unwrap();
    assert_eq!(clean, audio);
    assert_eq!(
        found(&removed),
        ["title", "artist name", "cover picture", "lyrics"]
    );
}

#[test]
fn ffmpeg_comment_in_a_user_text_frame_is_named() {
    let mut txxx = vec![0];
    txxx.extend(b"comment\0recorded at 51.5N");
    let mut input = id3_tag(3, 0, &[id3_frame(3, b"TXXX", &txxx)], 0);
    input.extend(frames(2));
    let (_, removed) = clean_mp3(&input).unwrap();
    assert_eq!(found(&removed), ["comment"]);
}

#[test]
fn a_tag_longer_than_the_file_is_refused() {
    let mut input = b"ID3\x03\0\0".to_vec();
    input.extend(syncsafe_bytes(5000));
    input.extend(frames(2));
    let d = detail(clean_mp3(&input).unwrap_err());
    assert!(d.contains("longer than the file"), "{d}");

    let mut input = frames(2);
    input.extend(b"APETAGEX");
    input.extend(2000u32.to_le_bytes());
    input.extend(90_000u32.to_le_bytes());
    input.extend([0; 16]);
    let d = detail(clean_mp3(&input).unwrap_err());
    assert!(d.contains("APE tag says it is longer"), "{d}");

    let mut input = frames(2);
    input.extend(b"3DI\x04\0\x10");
    input.extend(syncsafe_bytes(90_000));
    assert!(detail(clean_mp3(&input).unwrap_err()).contains("longer than the file"));
}

#[test]
fn junk_between_frames_is_refused_but_a_stray_byte_is_dropped() {
    let mut input = frame(1);
    input.extend(b"hidden text: Amelia Smith");
    input.extend(frame(2));
    let d = detail(clean_mp3(&input).unwrap_err());
    assert!(d.contains("unknown data between its audio frames"), "{d}");

    let mut input = frame(1);
    input.extend(b"\x55\x66");
    input.extend(frame(2));
    input.extend(b"\x77");
    let (clean, removed) = clean_mp3(&input).unwrap();
    assert_eq!(clean, [frame(1), frame(2)].concat());
    assert_eq!(whats(&removed), ["stray bytes between audio frames"]);
    assert_eq!(removed[0].bytes, 3);

    // Zero padding after a tag is dropped.
    let mut input = id3_tag(3, 0, &[], 8);
    input.extend([0; 100]);
    input.extend(frames(2));
    let (clean, removed) = clean_mp3(&input).unwrap();
    assert_eq!(clean, frames(2));
    assert_eq!(whats(&removed), ["ID3v2 tag", "padding"]);

    // Junk where the audio should start.
    let mut input = id3_tag(3, 0, &[], 8);
    input.extend(b"not audio at all, just text");
    input.extend(frames(2));
    assert!(detail(clean_mp3(&input).unwrap_err()).contains("does not start with MP3"));
}

#[test]
fn a_frame_from_another_stream_is_junk() {
    // MPEG-2 layer III at 22.05 kHz after MPEG-1 frames.
    let mut input = frames(2);
    let mut other = vec![0xFF, 0xF3, 0x90, 0x64];
    other.resize(208, 0x11);
    input.extend(&other);
    input.extend(frames(1));
    assert!(clean_mp3(&input).is_err());
}

#[test]
fn only_tags_is_refused() {
    let mut input = id3v23_with_everything();
    input.extend(id3v1("Amelia", "Jones"));
    assert_eq!(
        detail(clean_mp3(&input).unwrap_err()),
        "it has no audio in it"
    );
    let input = id3_tag(3, 0, &[], 400);
    assert_eq!(
        detail(clean_mp3(&input).unwrap_err()),
        "it has no audio in it"
    );
    let input = [id3_tag(3, 0, &[], 4), vec![0; 50]].concat();
    assert_eq!(
        detail(clean_mp3(&input).unwrap_err()),
        "it has no audio in it"
    );
}

#[test]
fn free_format_is_refused_as_unsupported() {
    let mut input = vec![0xFF, 0xFB, 0x00, 0x64];
    input.resize(500, 0x22);
    assert!(matches!(
        clean_mp3(&input),
        Err(Refusal::Unsupported { .. })
    ));
}

#[test]
fn a_short_final_frame_is_kept() {
    let mut input = frames(3);
    input.truncate(input.len() - 100);
    let (clean, removed) = clean_mp3(&input).unwrap();
    assert_eq!(clean, input);
    assert!(removed.is_empty());
    // Before an ID3v1 tag too.
    let mut tagged = input.clone();
    tagged.extend(id3v1("t", "a"));
    assert_eq!(clean_mp3(&tagged).unwrap().0, input);
}

#[test]
fn frame_lengths_follow_the_header() {
    let len = |h: [u8; 4]| match frame_header(&h) {
        Some(Header::Frame(f)) => f.len,
        _ => 0,
    };
    // MPEG-1 layer III 128 kbit/s 44.1 kHz, with and without padding.
    assert_eq!(len([0xFF, 0xFB, 0x90, 0x00]), 417);
    assert_eq!(len([0xFF, 0xFB, 0x92, 0x00]), 418);
    // MPEG-2 layer III 64 kbit/s 22.05 kHz.
    assert_eq!(len([0xFF, 0xF3, 0x80, 0x00]), 208);
    // MPEG-2.5 layer III 8 kbit/s 8 kHz.
    assert_eq!(len([0xFF, 0xE3, 0x18, 0x00]), 72);
    // MPEG-1 layer II 192 kbit/s 48 kHz.
    assert_eq!(len([0xFF, 0xFD, 0xA4, 0x00]), 576);
    // MPEG-1 layer I 384 kbit/s 44.1 kHz, padded.
    assert_eq!(len([0xFF, 0xFF, 0xC2, 0x00]), 420);
    // Reserved version, layer, bitrate, sample rate, emphasis.
    for bad in [
        [0xFF, 0xEB, 0x90, 0x00],
        [0xFF, 0xF9, 0x90, 0x00],
        [0xFF, 0xFB, 0xF0, 0x00],
        [0xFF, 0xFB, 0x9C, 0x00],
        [0xFF, 0xFB, 0x90, 0x02],
    ] {
        assert!(frame_header(&bad).is_none(), "{bad:02X?}");
    }
}

#[test]
fn every_mp3_truncation_is_handled() {
    let mut input = id3v23_with_everything();
    input.extend(frames(3));
    input.extend(ape_tag(&[("Artist", "Jones")]));
    input.extend(id3v1("a", "b"));
    for cut in 0..input.len() {
        if let Ok((clean, _)) = clean_mp3(&input[..cut]) {
            assert_fixed_point_mp3(&clean);
        }
    }
}

// -----------------------------------------------------------------
// WAV fixtures.

fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend((body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body = chunks.concat();
    let mut w = b"RIFF".to_vec();
    w.extend(((body.len() + 4) as u32).to_le_bytes());
    w.extend(b"WAVE");
    w.extend(body);
    w
}

/// PCM, mono, 8 kHz, 8 bits: one byte a sample.
fn fmt() -> Vec<u8> {
    let mut f = 1u16.to_le_bytes().to_vec();
    f.extend(1u16.to_le_bytes());
    f.extend(8000u32.to_le_bytes());
    f.extend(8000u32.to_le_bytes());
    f.extend(1u16.to_le_bytes());
    f.extend(8u16.to_le_bytes());
    chunk(b"fmt ", &f)
}

/// 101 samples: an odd-sized data chunk.
fn samples() -> Vec<u8> {
    (0..101u32).map(|i| (i * 5) as u8).collect()
}

fn info() -> Vec<u8> {
    let mut list = b"INFO".to_vec();
    list.extend(chunk(b"INAM", b"Amelia Smith\0"));
    list.extend(chunk(b"IART", b"Mrs Jones\0"));
    list.extend(chunk(b"ICMT", b"recorded at 51.5N\0"));
    list.extend(chunk(b"ICRD", b"2026-07-14\0"));
    list.extend(chunk(b"ISFT", b"Lavf59\0"));
    chunk(b"LIST", &list)
}

fn bext() -> Vec<u8> {
    let mut b = vec![0; 602];
    b[256..265].copy_from_slice(b"Mrs Jones");
    b[320..330].copy_from_slice(b"2026-07-14");
    chunk(b"bext", &b)
}

fn wav_with_everything() -> Vec<u8> {
    riff(&[
        chunk(b"JUNK", &[0; 28]),
        bext(),
        fmt(),
        info(),
        chunk(b"odd!", b"abc"),
        chunk(b"fact", &101u32.to_le_bytes()),
        chunk(b"data", &samples()),
        chunk(
            b"id3 ",
            &id3_tag(3, 0, &[id3_frame(3, b"TIT2", &text("x"))], 0),
        ),
        chunk(b"_PMX", b"<x:xmpmeta>Amelia</x:xmpmeta>"),
    ])
}

#[test]
fn a_wav_keeps_only_format_and_data() {
    let input = wav_with_everything();
    let (clean, removed) = clean_wav(&input).unwrap();
    let expected = riff(&[
        fmt(),
        chunk(b"fact", &101u32.to_le_bytes()),
        chunk(b"data", &samples()),
    ]);
    assert_eq!(clean, expected);
    // The RIFF size counts the data chunk's pad byte.
    assert_eq!(clean.len() % 2, 0);
    assert_eq!(
        u32::from_le_bytes(clean[4..8].try_into().unwrap()) as usize,
        clean.len() - 8
    );
    assert_eq!(
        whats(&removed),
        [
            "padding",
            "broadcast extension (bext)",
            "LIST/INFO metadata",
            "unknown chunk",
            "ID3 tag",
            "XMP metadata"
        ]
    );
    let found = found(&removed);
    for f in [
        "title",
        "artist name",
        "comment",
        "date",
        "software",
        "originator and date",
    ] {
        assert!(found.contains(&f), "{f}: {found:?}");
    }
    let total: usize = removed.iter().map(|r| r.bytes).sum();
    assert_eq!(total, input.len() - clean.len());
    let (again, removed) = clean_wav(&clean).unwrap();
    assert_eq!(again, clean);
    assert!(removed.is_empty());
}

#[test]
fn the_wav_data_is_not_copied() {
    let input = wav_with_everything();
    let at = memchr::memmem::find(&input, b"data").unwrap() + 8;
    let (pieces, _) = strip_wav(&input).unwrap();
    assert!(
        pieces
            .parts
            .iter()
            .any(|p| matches!(p, Part::Input(s, e) if *s == at && *e == at + 101)),
    );
}

#[test]
fn a_missing_final_pad_byte_and_trailing_bytes_are_handled() {
    let mut input = riff(&[fmt(), chunk(b"data", &samples())]);
    // Written without the pad byte, the RIFF size not counting it.
    input.pop();
    let size = (input.len() - 8) as u32;
    input[4..8].copy_from_slice(&size.to_le_bytes());
    let (clean, removed) = clean_wav(&input).unwrap();
    assert_eq!(clean, riff(&[fmt(), chunk(b"data", &samples())]));
    assert!(removed.is_empty());
    // Something appended after the RIFF chunk goes.
    let mut appended = clean.clone();
    appended.extend(id3_tag(3, 0, &[id3_frame(3, b"TIT2", &text("x"))], 0));
    let (again, removed) = clean_wav(&appended).unwrap();
    assert_eq!(again, clean);
    assert_eq!(whats(&removed), ["data after the end of the audio"]);
}

#[test]
fn rf64_and_streamed_wavs_are_refused() {
    let mut input = wav_with_everything();
    input[..4].copy_from_slice(b"RF64");
    assert!(matches!(
        clean_wav(&input),
        Err(Refusal::Unsupported { .. })
    ));
    let mut input = riff(&[fmt()]);
    input.extend(b"data\xFF\xFF\xFF\xFF");
    input.extend(samples());
    let size = (input.len() - 8) as u32;
    input[4..8].copy_from_slice(&size.to_le_bytes());
    assert!(matches!(
        clean_wav(&input),
        Err(Refusal::Unsupported { .. })
    ));
}

#[test]
fn damaged_wavs_are_refused() {
    // The data chunk says it is longer than the file.
    let mut input = riff(&[fmt(), chunk(b"data", &samples())]);
    input.truncate(input.len() - 30);
    let size = (input.len() - 8) as u32;
    input[4..8].copy_from_slice(&size.to_le_bytes());
    let d = detail(clean_wav(&input).unwrap_err());
    assert!(d.contains("'data' chunk runs past the end"), "{d}");
    // The file is shorter than the RIFF header says.
    let mut input = riff(&[fmt(), chunk(b"data", &samples())]);
    input.truncate(input.len() - 30);
    assert!(detail(clean_wav(&input).unwrap_err()).contains("truncated"));
    // Data before format, no format, no data, empty data.
    for chunks in [
        vec![chunk(b"data", &samples()), fmt()],
        vec![chunk(b"data", &samples())],
        vec![fmt(), info()],
        vec![fmt(), chunk(b"data", &[])],
        vec![fmt(), fmt(), chunk(b"data", &samples())],
    ] {
        assert!(clean_wav(&riff(&chunks)).is_err());
    }
    assert!(clean_wav(b"RIFF\x04\0\0\0WAVE").is_err());
    assert!(clean_wav(b"RIFF\x04\0\0\0WEBP").is_err());
    assert!(clean_wav(b"RIFF").is_err());
}

// -----------------------------------------------------------------
// Random damage: never a panic, and whatever is accepted comes out
// as a fixed point.

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Lcg, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(3) {
        if v.is_empty() {
            break;
        }
        let at = rng.below(v.len());
        match rng.below(7) {
            0 => v[at] ^= 1 << rng.below(8),
            1 => v[at] = rng.next() as u8,
            2 => v.truncate(at),
            3 => v.insert(at, rng.next() as u8),
            4 => {
                let end = (at + rng.below(64)).min(v.len());
                v.drain(at..end);
            }
            5 => {
                // A marker that starts or ends a tag or chunk.
                let markers: [&[u8]; 10] = [
                    b"ID3\x03\0\0",
                    b"3DI\x04\0\x10",
                    b"TAG",
                    b"TAG+",
                    b"APETAGEX",
                    b"LYRICSBEGIN",
                    b"LYRICS200",
                    b"LYRICSEND",
                    b"data",
                    b"\xFF\xFB\x90\x64",
                ];
                let marker = markers[rng.below(markers.len())];
                v.splice(at..at, marker.iter().copied());
            }
            _ => {
                // A plausible field value: a small or huge size.
                let value = [0u8, 0x7F, 0xFF, 0x01][rng.below(4)];
                v[at] = value;
            }
        }
    }
    v
}

#[test]
fn random_damage_never_panics_and_accepted_output_is_a_fixed_point() {
    let mut mp3 = id3v23_with_everything();
    mp3.extend(frames(4));
    mp3.extend(ape_tag(&[("Title", "x")]));
    mp3.extend(lyrics3v2("la"));
    mp3.extend(id3v1("t", "a"));
    let wav = wav_with_everything();
    let mut rng = Lcg(0x5eed);
    let (mut mp3_ok, mut wav_ok) = (0, 0);
    for _ in 0..600 {
        let damaged = mutate(&mut rng, &mp3);
        if let Ok((clean, _)) = clean_mp3(&damaged) {
            mp3_ok += 1;
            let (again, removed) = clean_mp3(&clean)
                .unwrap_or_else(|e| panic!("clean output of {damaged:02X?} refused: {e}"));
            assert_eq!(again, clean);
            assert!(removed.is_empty(), "{removed:?}");
        }
        let damaged = mutate(&mut rng, &wav);
        if let Ok((clean, _)) = clean_wav(&damaged) {
            wav_ok += 1;
            let (again, removed) = clean_wav(&clean)
                .unwrap_or_else(|e| panic!("clean output of {damaged:02X?} refused: {e}"));
            assert_eq!(again, clean);
            assert!(removed.is_empty(), "{removed:?}");
        }
    }
    // The damage is not so heavy that nothing is ever accepted.
    assert!(mp3_ok > 50 && wav_ok > 50, "{mp3_ok} {wav_ok}");
}
