//! No free text in what the sanitiser keeps: a colour profile keeps its
//! colour and loses its text, an MP4's handler names are emptied, and
//! `schoolsite sanitise` names its clean copies neutrally unless told to
//! keep their names. Every check is made by an independent reader
//! (exiftool, ffprobe, ffmpeg, the `image` crate's decoders).

mod common;
use common::*;
use std::path::Path;

const PLANTED: &str = "Oliver Okafor, Larkspur Lane";

// ---------------------------------------------------------------------
// Colour profiles

fn text_tag(kind: &[u8; 4], text: &str) -> Vec<u8> {
    match kind {
        b"text" => [&b"text"[..], &[0; 4], text.as_bytes(), &[0]].concat(),
        b"desc" => {
            let mut v = b"desc\0\0\0\0".to_vec();
            v.extend_from_slice(&(text.len() as u32 + 1).to_be_bytes());
            v.extend_from_slice(text.as_bytes());
            v.push(0);
            v.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);
            v
        }
        _ => {
            let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            let mut v = b"mluc\0\0\0\0".to_vec();
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

/// An RGB display profile with sRGB's primaries, white point and a
/// gamma 2.2 curve. With `text`, its description, copyright, device
/// names, viewing conditions and target carry it (v2: `desc` and `text`
/// types; v4: `mluc`), and its header names a device maker and model.
/// Without, it is a plain profile as a camera writes one.
fn profile(text: Option<&str>, v4: bool) -> Vec<u8> {
    let xyz = |x: i32, y: i32, z: i32| {
        let mut v = b"XYZ \0\0\0\0".to_vec();
        for n in [x, y, z] {
            v.extend_from_slice(&n.to_be_bytes());
        }
        v
    };
    let curve = [&b"curv"[..], &[0; 4], &1u32.to_be_bytes(), &[2, 0x33]].concat();
    let words = text.unwrap_or("sRGB display profile");
    let text_of = |kind: &[u8; 4]| {
        if v4 {
            text_tag(b"mluc", words)
        } else {
            text_tag(kind, words)
        }
    };
    let mut tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", text_of(b"desc")),
        (b"cprt", text_of(b"text")),
        (b"wtpt", xyz(63190, 65536, 54061)),
        (b"rXYZ", xyz(28576, 14610, 912)),
        (b"gXYZ", xyz(25280, 47112, 6352)),
        (b"bXYZ", xyz(9376, 3814, 46860)),
        (b"rTRC", curve.clone()),
        (b"gTRC", curve.clone()),
        (b"bTRC", curve),
    ];
    if text.is_some() {
        tags.push((b"dmnd", text_of(b"desc")));
        tags.push((b"dmdd", text_of(b"desc")));
        tags.push((b"vued", text_of(b"desc")));
        tags.push((b"targ", text_tag(b"text", words)));
    }
    let mut header = vec![0u8; 128];
    header[8] = if v4 { 4 } else { 2 };
    header[9] = 0x10;
    header[12..24].copy_from_slice(b"mntrRGB XYZ ");
    header[24..36].copy_from_slice(&[7, 0xE9, 0, 3, 0, 1, 0, 9, 0, 30, 0, 0]);
    header[36..40].copy_from_slice(b"acsp");
    if text.is_some() {
        header[48..52].copy_from_slice(b"Okaf");
        header[52..56].copy_from_slice(b"Oliv");
    }
    header[67] = 1; // relative colorimetric
    header[68..80].copy_from_slice(&xyz(63190, 65536, 54061)[8..]);
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let mut body = Vec::new();
    let start = 128 + 4 + 12 * tags.len();
    for (sig, data) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&((start + body.len()) as u32).to_be_bytes());
        table.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        body.resize(body.len().next_multiple_of(4), 0);
    }
    let mut p = [header, table, body].concat();
    let len = p.len() as u32;
    p[0..4].copy_from_slice(&len.to_be_bytes());
    p
}

/// A JPEG carrying `icc` in two APP2 parts (split where a writer may).
fn jpeg_with_profile(icc: &[u8]) -> Vec<u8> {
    let mut jpeg = plain_jpeg(48, 32);
    let half = icc.len() / 2;
    let mut parts = Vec::new();
    for (i, part) in [&icc[..half], &icc[half..]].iter().enumerate() {
        let payload = [&b"ICC_PROFILE\0"[..], &[i as u8 + 1, 2], part].concat();
        parts.extend(segment(0xE2, &payload));
    }
    jpeg.splice(2..2, parts);
    jpeg
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    v.extend_from_slice(&crc.finalize().to_be_bytes());
    v
}

/// A PNG whose iCCP chunk is named `name` and holds `icc`.
fn png_with_profile(icc: &[u8], name: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut png = plain_png(48, 32);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(icc).unwrap();
    let data = [name.as_bytes(), &[0, 0], &z.finish().unwrap()].concat();
    // After IHDR (8 bytes of signature, 25 of IHDR).
    png.splice(33..33, png_chunk(b"iCCP", &data));
    png
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = kind.to_vec();
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    if data.len() % 2 == 1 {
        v.push(0);
    }
    v
}

/// An extended WebP with an ICCP chunk holding `icc`.
fn webp_with_profile(icc: &[u8]) -> Vec<u8> {
    let (width, height) = (48u32, 32u32);
    let mut plain = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut plain)
        .encode(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    let mut vp8x = vec![0x20, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend(riff_chunk(b"ICCP", icc));
    body.extend_from_slice(&plain[12..]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// exiftool's reading of a file's ICC profile: `ICC_Profile`,
/// `ICC-header`, `ICC-view`, `ICC-meas` groups (and `PNG:ProfileName`).
fn profile_tags(path: &Path) -> Option<serde_json::Map<String, serde_json::Value>> {
    let tags = exiftool(path, &["-ICC_Profile:all", "-PNG:ProfileName"])?;
    Some(
        tags.into_iter()
            .filter(|(k, _)| k.starts_with("ICC") || k == "PNG:ProfileName")
            .collect(),
    )
}

/// The colour the profile describes, as exiftool reads it: everything
/// but the text, device, date and ID fields.
fn colour(tags: &serde_json::Map<String, serde_json::Value>) -> Vec<(String, String)> {
    let text_or_device = [
        "ProfileDescription",
        "ProfileCopyright",
        "DeviceModelDesc",
        "DeviceMfgDesc",
        "ViewingCondDesc",
        "CharTarget",
        "DeviceManufacturer",
        "DeviceModel",
        "ProfileDateTime",
        "ProfileID",
        "ProfileCMMType",
        "PrimaryPlatform",
        "ProfileCreator",
        "ProfileName",
    ];
    let mut v: Vec<(String, String)> = tags
        .iter()
        .filter(|(k, _)| {
            let name = k.split(':').nth(1).unwrap_or("");
            !text_or_device.iter().any(|t| name.starts_with(t))
        })
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    v.sort();
    v
}

fn clean_one(dir: &Path, name: &str, bytes: &[u8]) -> (Run, std::path::PathBuf) {
    let input = dir.join(name);
    std::fs::write(&input, bytes).unwrap();
    let out = dir.join(format!("clean-{name}"));
    let run = run_bin(&[
        "sanitise",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--keep-names",
    ]);
    (run, out.join(name))
}

#[test]
fn a_colour_profile_with_a_planted_name_keeps_its_colour_and_loses_its_text() {
    let dir = tempfile::tempdir().unwrap();
    for v4 in [false, true] {
        let icc = profile(Some(PLANTED), v4);
        let files = [
            ("photo.jpg", jpeg_with_profile(&icc)),
            ("chart.png", png_with_profile(&icc, "Oliver Okafor's phone")),
            ("garden.webp", webp_with_profile(&icc)),
        ];
        for (name, original) in files {
            let what = format!("{name} (ICC v{})", if v4 { 4 } else { 2 });
            std::fs::write(dir.path().join(name), &original).unwrap();
            let Some(before) = profile_tags(&dir.path().join(name)) else {
                return;
            };
            // The attempt is real: exiftool reads the planted text.
            let planted_in = |tags: &serde_json::Map<String, serde_json::Value>| {
                tags.iter()
                    .filter(|(_, v)| {
                        let v = v.to_string();
                        v.contains("Oliver") || v.contains("Okaf") || v.contains("Oliv")
                    })
                    .map(|(k, _)| k.clone())
                    .collect::<Vec<_>>()
            };
            let found = planted_in(&before);
            for tag in ["ProfileDescription", "ProfileCopyright", "DeviceModelDesc"] {
                assert!(
                    found.iter().any(|k| k.contains(tag)),
                    "{what}: fixture lacks {tag}: {found:?}"
                );
            }

            let (run, clean) = clean_one(dir.path(), name, &original);
            assert_eq!(run.code, 0, "{what}: {}", run.all());
            assert!(
                run.stdout
                    .contains("text and device details in the colour profile"),
                "{what}: {}",
                run.stdout
            );
            let after = profile_tags(&clean).unwrap();
            assert_eq!(planted_in(&after), Vec::<String>::new(), "{what}");
            let bytes = std::fs::read(&clean).unwrap();
            for planted in [&b"Oliver"[..], b"Okaf"] {
                assert!(
                    !bytes.windows(planted.len()).any(|w| w == planted),
                    "{what}"
                );
            }
            let utf16: Vec<u8> = "Oliver".encode_utf16().flat_map(u16::to_be_bytes).collect();
            assert!(!bytes.windows(utf16.len()).any(|w| w == utf16), "{what}");
            // Still a profile: exiftool reads its header, and the colour it
            // describes is the same.
            for (tag, value) in [
                ("ICC-header:ProfileClass", "Display Device Profile"),
                ("ICC-header:ColorSpaceData", "RGB "),
                ("ICC-header:ProfileConnectionSpace", "XYZ "),
                ("ICC-header:RenderingIntent", "Media-Relative Colorimetric"),
                ("ICC-header:ProfileFileSignature", "acsp"),
            ] {
                assert_eq!(
                    after.get(tag).and_then(|v| v.as_str()),
                    Some(value),
                    "{what}: {tag}"
                );
            }
            assert!(after.contains_key("ICC_Profile:RedMatrixColumn"), "{what}");
            assert_eq!(colour(&after), colour(&before), "{what}");
            if name.ends_with(".png") {
                assert_eq!(after["PNG:ProfileName"], "ICC profile", "{what}");
            }
            assert_eq!(decode(&bytes), decode(&original), "{what}: pixels changed");
            assert_clean_exiftool(&clean);
        }
    }
}

#[test]
fn a_plain_colour_profile_is_kept_and_the_photo_looks_the_same() {
    // The near miss: a camera's ordinary profile, no planted text.
    let dir = tempfile::tempdir().unwrap();
    let icc = profile(None, false);
    for (name, original) in [
        ("photo.jpg", jpeg_with_profile(&icc)),
        ("chart.png", png_with_profile(&icc, "sRGB")),
        ("garden.webp", webp_with_profile(&icc)),
    ] {
        std::fs::write(dir.path().join(name), &original).unwrap();
        let Some(before) = profile_tags(&dir.path().join(name)) else {
            return;
        };
        let (run, clean) = clean_one(dir.path(), name, &original);
        assert_eq!(run.code, 0, "{name}: {}", run.all());
        let after = profile_tags(&clean).unwrap();
        assert_eq!(colour(&after), colour(&before), "{name}");
        assert!(
            after.contains_key("ICC_Profile:BlueTRC"),
            "{name}: {after:?}"
        );
        let bytes = std::fs::read(&clean).unwrap();
        assert_eq!(decode(&bytes), decode(&original), "{name}: pixels changed");
        // A second pass finds nothing more to take out of it.
        let (again, twice) = clean_one(&dir.path().join(format!("clean-{name}")), name, &bytes);
        assert!(
            again.stdout.contains("removed nothing to remove"),
            "{}",
            again.all()
        );
        assert_eq!(std::fs::read(twice).unwrap(), bytes, "{name}");
    }
}

#[test]
fn a_build_keeps_a_clean_profile_unless_config_drops_it() {
    let site = photo_site(&[("a.jpg", jpeg_with_profile(&profile(Some(PLANTED), true)))]);
    assert_eq!(site.build().code, 0);
    let (_, bytes) = &published_media(&site)[0];
    assert!(bytes.windows(11).any(|w| w == b"ICC_PROFILE"));
    assert!(bytes.windows(4).any(|w| w == b"acsp"));
    assert!(!bytes.windows(4).any(|w| w == b"Okaf"));

    site.write(
        "config.toml",
        format!("{CONFIG}\n[images]\nkeep_icc = false\n"),
    );
    assert_eq!(site.build().code, 0);
    let (_, bytes) = &published_media(&site)[0];
    assert!(!bytes.windows(11).any(|w| w == b"ICC_PROFILE"));
}

#[test]
fn a_profile_that_cannot_be_read_is_dropped_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut icc = profile(Some(PLANTED), false);
    icc[36..40].copy_from_slice(b"xxxx"); // not a profile
    let (run, clean) = clean_one(dir.path(), "photo.jpg", &jpeg_with_profile(&icc));
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("unreadable colour profile"),
        "{}",
        run.stdout
    );
    let bytes = std::fs::read(&clean).unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"ICC_PROFILE"));
    assert!(!bytes.windows(6).any(|w| w == b"Oliver"));
}

// ---------------------------------------------------------------------
// MP4 handler names

fn ffprobe(path: &Path) -> Option<serde_json::Value> {
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-count_frames",
            "-of",
            "json",
            path.to_str().unwrap(),
        ],
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// A one-second clip with a picture and a sound track, made by ffmpeg;
/// with `handler`, both tracks' handler names are set to it.
fn clip(path: &Path, handler: Option<&str>) -> Option<()> {
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1",
        "-c:v",
        "mpeg4",
        "-c:a",
        "aac",
    ];
    let video = handler.map(|h| format!("handler_name={h} cam"));
    let audio = handler.map(|h| format!("handler_name={h} mic"));
    if let (Some(v), Some(a)) = (&video, &audio) {
        args.extend(["-metadata:s:v:0", v, "-metadata:s:a:0", a]);
    }
    args.push(path.to_str().unwrap());
    ffmpeg(&args)
}

#[test]
fn a_planted_handler_name_is_emptied_and_the_clip_still_plays() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["relay.mp4", "relay.mov"] {
        let input = dir.path().join(name);
        if clip(&input, Some("Oliver Okafor")).is_none() {
            return;
        }
        let before = ffprobe(&input).unwrap();
        assert!(
            before.to_string().contains("Oliver Okafor cam")
                && before.to_string().contains("Oliver Okafor mic"),
            "{name}: the fixture's handler names: {before}"
        );
        let out = dir.path().join(format!("clean-{name}"));
        let run = sanitise_file(&input, &out);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(run.stdout.contains("track handler name"), "{}", run.stdout);
        let clean = out.join(name);
        let after = ffprobe(&clean).unwrap();
        assert!(!after.to_string().contains("Oliver"), "{name}: {after}");
        if let Some(tags) = exiftool(&clean, &["-ee"]) {
            let tags = serde_json::Value::Object(tags).to_string();
            assert!(!tags.contains("Oliver"), "{name}: {tags}");
            assert!(
                !tags.contains("Lavc"),
                "{name}: compressor name kept: {tags}"
            );
        }
        let bytes = std::fs::read(&clean).unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"Oliver"), "{name}");
        // Still the same clip: two streams, as many frames, decodes.
        let streams = |v: &serde_json::Value| {
            v["streams"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["codec_type"].to_string(),
                        s["codec_name"].to_string(),
                        s["nb_read_frames"].to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(streams(&after), streams(&before), "{name}");
        assert_decodes(&clean);
    }
}

#[test]
fn a_clip_with_ordinary_handler_names_still_plays_and_cleans_again_to_itself() {
    // The near miss: ffmpeg's own handler names ("VideoHandler").
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("assembly.mp4");
    if clip(&input, None).is_none() {
        return;
    }
    let run = sanitise_file(&input, &dir.path().join("clean"));
    assert_eq!(run.code, 0, "{}", run.all());
    let clean = dir.path().join("clean/assembly.mp4");
    let probe = ffprobe(&clean).unwrap();
    assert_eq!(probe["streams"].as_array().unwrap().len(), 2, "{probe}");
    assert!(!probe.to_string().contains("Handler"), "{probe}");
    assert_decodes(&clean);
    let again = sanitise_file(&clean, &dir.path().join("again"));
    assert!(
        again.stdout.contains("removed nothing to remove"),
        "{}",
        again.all()
    );
    assert_eq!(
        std::fs::read(dir.path().join("again/assembly.mp4")).unwrap(),
        std::fs::read(&clean).unwrap()
    );
}

/// Puts `colr` (`prof` and `icc`) at the end of the clip's first video
/// sample entry (`mp4v`): a colour profile in a video's sample
/// description, as some cameras and editors write.
fn with_colour_profile(clip: &[u8], icc: &[u8]) -> Vec<u8> {
    in_video_entry(clip, b"colr", &[b"prof", icc].concat())
}

/// Puts a box of `kind` holding `payload` at the end of the clip's
/// first video sample entry (`mp4v`), growing every box around it.
fn in_video_entry(clip: &[u8], kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let colr = [
        &((payload.len() + 8) as u32).to_be_bytes()[..],
        kind,
        payload,
    ]
    .concat();
    let find_before = |name: &[u8], before: usize| {
        clip[..before].windows(4).rposition(|w| w == name).unwrap() - 4
    };
    let entry = clip.windows(4).position(|w| w == b"mp4v").unwrap() - 4;
    let size = |at: usize| u32::from_be_bytes(clip[at..at + 4].try_into().unwrap()) as usize;
    let end = entry + size(entry);
    let mut out = [&clip[..end], &colr, &clip[end..]].concat();
    let mut grow = |at: usize| {
        let new = (size(at) + colr.len()) as u32;
        out[at..at + 4].copy_from_slice(&new.to_be_bytes());
    };
    grow(entry);
    for name in [&b"stsd"[..], b"stbl", b"minf", b"mdia", b"trak", b"moov"] {
        grow(find_before(name, entry));
    }
    out
}

#[test]
fn a_clip_colour_profile_loses_its_text_and_the_clip_still_plays() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.mp4");
    if clip(&plain, None).is_none() {
        return;
    }
    let bytes = std::fs::read(&plain).unwrap();
    let input = dir.path().join("fireworks.mp4");
    // A version 2 profile: its description is plain ASCII.
    let planted = with_colour_profile(&bytes, &profile(Some(PLANTED), false));
    assert!(planted.windows(6).any(|w| w == b"Oliver"));
    std::fs::write(&input, planted).unwrap();
    assert!(ffprobe(&input).is_some(), "the fixture plays");
    if let Some(tags) = exiftool(&input, &["-ee"]) {
        let tags = serde_json::Value::Object(tags).to_string();
        assert!(tags.contains("ColorProfiles\":\"prof"), "{tags}");
    }
    let out = dir.path().join("clean");
    let run = sanitise_file(&input, &out);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("colour profile"), "{}", run.stdout);
    let clean = out.join("fireworks.mp4");
    let cleaned = std::fs::read(&clean).unwrap();
    assert!(!cleaned.windows(6).any(|w| w == b"Oliver"));
    assert!(
        cleaned.windows(8).any(|w| w == b"colrprof"),
        "the profile itself is kept"
    );
    if let Some(tags) = exiftool(&clean, &["-ee"]) {
        let tags = serde_json::Value::Object(tags).to_string();
        assert!(
            !tags.contains("Oliver") && !tags.contains("Larkspur"),
            "{tags}"
        );
    }
    assert_decodes(&clean);
    // The near miss: a clean clip's profile is left as it is.
    let again = sanitise_file(&clean, &dir.path().join("again"));
    assert!(
        again.stdout.contains("removed nothing to remove"),
        "{}",
        again.all()
    );
}

#[test]
fn an_unknown_box_in_a_track_description_goes_and_an_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.mp4");
    if clip(&plain, None).is_none() {
        return;
    }
    let bytes = std::fs::read(&plain).unwrap();
    // A spherical-video box naming where it came from: free text, not
    // something the player needs to show this clip.
    let svhd_len = (12 + PLANTED.len()) as u32;
    let sv3d = [
        &svhd_len.to_be_bytes()[..],
        b"svhd\0\0\0\0",
        PLANTED.as_bytes(),
    ]
    .concat();
    let input = dir.path().join("camp.mp4");
    std::fs::write(&input, in_video_entry(&bytes, b"sv3d", &sv3d)).unwrap();
    assert!(ffprobe(&input).is_some(), "the fixture plays");
    let run = sanitise_file(&input, &dir.path().join("clean"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("unknown box in a track's description"),
        "{}",
        run.stdout
    );
    let clean = dir.path().join("clean/camp.mp4");
    let cleaned = std::fs::read(&clean).unwrap();
    assert!(!cleaned.windows(6).any(|w| w == b"Oliver"));
    assert!(
        cleaned.windows(4).any(|w| w == b"esds"),
        "the codec's own box stays"
    );
    assert_decodes(&clean);

    // An MPEG-4 descriptor whose URL flag says the stream is elsewhere.
    let esds = bytes.windows(4).position(|w| w == b"esds").unwrap();
    let mut pointing = bytes.clone();
    let tag = esds + 8;
    assert_eq!(pointing[tag], 3, "an ES descriptor");
    let len_bytes = pointing[tag + 1..tag + 5]
        .iter()
        .take_while(|b| **b & 0x80 != 0)
        .count()
        + 1;
    pointing[tag + 1 + len_bytes + 2] |= 0x40;
    let input = dir.path().join("elsewhere.mp4");
    std::fs::write(&input, pointing).unwrap();
    let run = sanitise_file(&input, &dir.path().join("refused"));
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("points at an address"), "{}", run.all());
}

// ---------------------------------------------------------------------
// Neutral names

#[test]
fn sanitise_names_copies_by_their_contents_unless_told_to_keep_names() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("amelia-featherstonehaugh-sports-day.jpg");
    std::fs::write(&photo, jpeg_with_everything(64, 48)).unwrap();

    // The attempt: the file's name names a pupil.
    let out = dir.path().join("clean");
    let run = run_bin(&[
        "sanitise",
        photo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = &written[0];
    assert!(!name.contains("amelia") && !name.contains("featherstonehaugh"));
    let bytes = std::fs::read(out.join(name)).unwrap();
    // The name a site build gives the same photo: its content hash.
    let hash = blake3::hash(&bytes).to_hex();
    assert_eq!(name, &format!("{}.jpg", &hash[..20]));
    let site = photo_site(&[("sports.jpg", jpeg_with_everything(64, 48))]);
    assert_eq!(site.build().code, 0);
    assert_eq!(published_media(&site)[0].0, format!("media/{name}"));
    assert!(
        run.stdout
            .contains(&format!("{name} (named by its contents"))
            && run.stdout.contains("--keep-names keeps the file's name"),
        "{}",
        run.stdout
    );

    // The near miss: a member of staff keeps the names on purpose.
    let kept = dir.path().join("kept");
    let run = run_bin(&[
        "sanitise",
        photo.to_str().unwrap(),
        "--out",
        kept.to_str().unwrap(),
        "--keep-names",
        "--sizes",
        "32",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut written: Vec<String> = std::fs::read_dir(&kept)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "amelia-featherstonehaugh-sports-day-32.jpg",
            "amelia-featherstonehaugh-sports-day.jpg"
        ]
    );
    assert!(
        run.stdout.contains("(its own name, kept by --keep-names)"),
        "{}",
        run.stdout
    );

    // And in JSON, which was done.
    let run = run_bin(&[
        "sanitise",
        photo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["files"][0]["names"], "neutral");
    assert!(
        json["files"][0]["written"][0]
            .as_str()
            .unwrap()
            .ends_with(name.as_str())
    );
}
