//! Shared helpers for the end-to-end tests: little sites written into a
//! temporary folder, the real `schoolsite` binary run on them, and
//! photos made with real metadata in every hiding place.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A site in a temporary folder.
pub struct Site {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

pub const CONFIG: &str = r#"
title = "Test School"
base_url = "https://www.test.example.sch.uk"
[school]
name = "Test School"
address = "1 Test Lane"
phone = "01632 960 000"
email = "office@test.example.sch.uk"
[statutory]
profile = "none"
"#;

/// A never-publish list on which a safeguarding lead has said there is
/// nobody.
pub const NOBODY_NEVER: &str = "checked_by = \"A. Patel, designated safeguarding lead\"\nchecked_on = 2026-09-07\nids = []\nnone = true\n";

impl Site {
    /// A minimal valid site: config, the default theme, a home page.
    pub fn new() -> Site {
        let site = Site::empty();
        site.write("config.toml", CONFIG);
        copy_dir(
            &Path::new(REPO).join("themes/schoolsite"),
            &site.path("themes/schoolsite"),
        );
        site.write(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\nWelcome.\n",
        );
        // The designated safeguarding lead's list, checked: nobody.
        site.write("consent/never-publish.toml", NOBODY_NEVER);
        site
    }

    /// An empty folder.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A copy of the bundled example site.
    pub fn example() -> Site {
        let site = Site::empty();
        for entry in ["config.toml", "content", "themes", "consent"] {
            let from = Path::new(REPO).join(entry);
            if from.is_dir() {
                copy_dir(&from, &site.path(entry));
                // What earlier builds in the repo remembered is not the example's.
                let _ = std::fs::remove_file(site.path("consent/register-history.csv"));
            } else if from.exists() {
                std::fs::copy(&from, site.path(entry)).expect("copy");
            }
        }
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    /// Runs `schoolsite ARGS --root SITE`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root().to_str().expect("utf-8 temp path");
        all.extend(["--root", root]);
        run_bin(&all)
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// Every file under `public/`, relative, sorted.
    pub fn public_files(&self) -> Vec<String> {
        let public = self.path("public");
        let mut out: Vec<String> = walk(&public)
            .into_iter()
            .map(|p| {
                p.strip_prefix(&public)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        out.sort();
        out
    }

    /// A fingerprint of every file under `public/`: paths and bytes.
    pub fn public_snapshot(&self) -> Vec<(String, Vec<u8>)> {
        self.public_files()
            .into_iter()
            .map(|rel| {
                let bytes = std::fs::read(self.path("public").join(&rel)).unwrap();
                (rel, bytes)
            })
            .collect()
    }
}

/// Writes `dir/photos.toml` declaring each of `names` as showing nobody.
pub fn declare_nobody(site: &Site, dir: &str, names: &[&str]) {
    let entries: String = names
        .iter()
        .map(|n| format!("[[photo]]\nfile = \"{n}\"\nnobody = true\n\n"))
        .collect();
    site.write(&format!("{dir}/photos.toml"), entries);
}

/// Builds `site`, asserts it was blocked, and returns the output.
pub fn blocked(site: &Site) -> String {
    let run = site.build();
    assert_eq!(run.code, 1, "expected a blocked build:\n{}", run.all());
    assert!(
        !site.path("public").exists(),
        "a blocked build wrote public/"
    );
    assert!(
        run.stdout
            .contains("nothing was written; public/ is unchanged"),
        "{}",
        run.stdout
    );
    run.stdout
}

/// A one-row register: pupil 1001, Amelia Testperson, with every consent.
pub fn register_one_pupil(site: &Site) {
    site.write(
        "consent/register.csv",
        "id,forename,surname,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n1001,Amelia,Testperson,,2026-09-01,no,yes,yes,yes\n",
    );
}

/// Declares every photo in `content/gallery` as a group photo of pupil P1,
/// who has every consent (given yesterday) in a one-row register.
pub fn declare_pupil_in_gallery(site: &Site, names: &[&str]) {
    let yesterday = chrono::Local::now().date_naive() - chrono::Days::new(1);
    site.write(
        "consent/register.csv",
        format!("id,legal_forename,legal_surname,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\nP1,Amelia,Testperson,,{yesterday},no,yes,yes,yes\n"),
    );
    let entries: String = names
        .iter()
        .map(|n| format!("[[photo]]\nfile = \"{n}\"\npeople = [\"P1\"]\n\n"))
        .collect();
    site.write("content/gallery/photos.toml", entries);
}

/// A site with one gallery page showing each of `files`, each declared as
/// showing nobody.
pub fn photo_site(files: &[(&str, Vec<u8>)]) -> Site {
    let site = Site::new();
    let mut body = String::new();
    for (name, bytes) in files {
        site.write(&format!("content/gallery/{name}"), bytes);
        body.push_str(&format!("![Photo {name}]({name})\n\n"));
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    declare_nobody(&site, "content/gallery", &names);
    site.write(
        "content/gallery/index.md",
        format!("+++\ntitle = \"Gallery\"\n+++\n{body}"),
    );
    site
}

/// The files published under `public/media/`, with their bytes.
pub fn published_media(site: &Site) -> Vec<(String, Vec<u8>)> {
    site.public_snapshot()
        .into_iter()
        .filter(|(p, _)| p.starts_with("media/"))
        .collect()
}

/// A Markdown file: `+++` front matter, then the body.
pub fn page(front: &str, body: &str) -> String {
    format!("+++\n{front}\n+++\n{body}")
}

/// Runs an independent tool (qpdf, exiftool, ffmpeg…); None when it is
/// not installed outside CI (CI installs it and requires it).
pub fn tool(name: &str, args: &[&str]) -> Option<std::process::Output> {
    match Command::new(name).args(args).output() {
        Ok(o) => Some(o),
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("{name} is not installed: skipping its check (CI installs it)");
            None
        }
        Err(e) => panic!("{name} is required in CI: {e}"),
    }
}

/// Asserts ffmpeg decodes `path` to the end without an error (skipped
/// when ffmpeg is not installed outside CI).
pub fn assert_decodes(path: &Path) {
    let file = path.to_str().expect("utf-8 path");
    if let Some(out) = tool("ffmpeg", &["-v", "error", "-i", file, "-f", "null", "-"]) {
        let errors = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && errors.trim().is_empty(),
            "{} does not decode: {errors}",
            path.display()
        );
    }
}

/// The findings of `check --format json --today TODAY` as JSON objects,
/// and the run. Fails if any of `surnames` is in the output: nothing the
/// tool prints may name a pupil in full.
pub fn json_findings(site: &Site, today: &str, surnames: &[&str]) -> (Run, Vec<serde_json::Value>) {
    let run = site.run(&["check", "--format", "json", "--today", today]);
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    for surname in surnames {
        assert!(
            !run.all().contains(surname),
            "a full name is in the output: {}",
            run.all()
        );
    }
    (run, doc["findings"].as_array().expect("findings").clone())
}

/// Runs `ffmpeg -v error -y ARGS` (test clips are made at test time);
/// None when ffmpeg is not installed, a failed run fails the test.
pub fn ffmpeg(args: &[&str]) -> Option<()> {
    let mut all = vec!["-v", "error", "-y"];
    all.extend_from_slice(args);
    let out = tool("ffmpeg", &all)?;
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

/// `schoolsite sanitise INPUT --out OUT --keep-names` (the clean copy is
/// `OUT/` and the input's own name; without `--keep-names` it would be
/// named by its hash).
pub fn sanitise_file(input: &Path, out: &Path) -> Run {
    run_bin(&[
        "sanitise",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--keep-names",
    ])
}

/// The findings with rule id `rule`.
pub fn with_rule<'a>(findings: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    findings.iter().filter(|f| f["rule"] == rule).collect()
}

pub fn run_bin(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_schoolsite"))
        .args(args)
        .env_remove("CI")
        .output()
        .expect("run schoolsite");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

// ---------------------------------------------------------------------
// Photos with real metadata.

/// Strings planted in the test photos' metadata; none may survive.
pub const PLANTED: &[&str] = &[
    "Exif\0\0",
    "http://ns.adobe.com/xap",
    "http://ns.adobe.com/xmp/extension",
    "GPS",
    "Photoshop 3.0",
    "iPhone",
    "SERIAL-4471",
    "Amelia Testperson",
    "MPF\0",
    "ftypmp42",
    "A parent's phone",
];

/// A small photo's pixels: a gradient so compression has work to do.
pub fn pixels(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// A baseline JPEG with no metadata beyond JFIF.
pub fn plain_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&pixels(width, height))
        .expect("encode jpeg");
    out
}

/// A TIFF/EXIF block (without the `Exif\0\0` header) holding camera
/// make and model, a serial number, dates, a GPS position and a
/// thumbnail, written with kamadak-exif's writer.
pub fn exif_block() -> Vec<u8> {
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, Tag, Value};
    let ascii = |s: &str| Value::Ascii(vec![s.as_bytes().to_vec()]);
    let r = |n: u32| Rational { num: n, denom: 1 };
    let fields = vec![
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: ascii("Apple"),
        },
        Field {
            tag: Tag::Model,
            ifd_num: In::PRIMARY,
            value: ascii("iPhone 14"),
        },
        Field {
            tag: Tag::Artist,
            ifd_num: In::PRIMARY,
            value: ascii("A parent's phone"),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: ascii("SERIAL-4471"),
        },
        Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            value: ascii("2026:07:14 10:42:17"),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii("N"),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(51), r(4), r(16)]),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii("W"),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(1), r(47), r(39)]),
        },
    ];
    let thumbnail = plain_jpeg(16, 12);
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    w.set_jpeg(&thumbnail, In::THUMBNAIL);
    let mut buf = std::io::Cursor::new(Vec::new());
    w.write(&mut buf, false).expect("write exif");
    buf.into_inner()
}

pub fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0xFF, marker];
    v.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// A JPEG with EXIF (GPS, serial, thumbnail), XMP with a face region
/// naming a person, extended XMP, IPTC, an MPF secondary image, a comment
/// and a motion-photo video appended after the end marker.
pub fn jpeg_with_everything(width: u32, height: u32) -> Vec<u8> {
    let plain = plain_jpeg(width, height);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_block());
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:mwg-rs='http://www.metadataworkinggroup.com/schemas/regions/'><mwg-rs:Regions><mwg-rs:RegionList><rdf:Bag><rdf:li mwg-rs:Name='Amelia Testperson' mwg-rs:Type='Face'/></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions></rdf:Description></rdf:RDF></x:xmpmeta>";
    let ext_xmp = b"http://ns.adobe.com/xmp/extension/\0ABCDEF0123456789ABCDEF0123456789\0\0\0\x10\0\0\0\0<more GPS/>";
    let iptc = b"Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x14\x1c\x02\x50\0\x11Amelia Testperson";
    let mpf = b"MPF\0MM\0*\0\0\0\x08secondary image";
    let mut out = plain[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xE1, xmp));
    out.extend(segment(0xE1, ext_xmp));
    out.extend(segment(0xE2, mpf));
    out.extend(segment(0xED, iptc));
    out.extend(segment(0xFE, b"A parent's phone"));
    out.extend_from_slice(&plain[2..]);
    out.extend_from_slice(b"\0\0\0\x18ftypmp42 motion photo video GPS");
    out
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&crc32_ieee(kind, data).to_be_bytes());
    v
}

fn crc32_ieee(kind: &[u8], data: &[u8]) -> u32 {
    // CRC-32 (IEEE), bitwise: independent of the code under test.
    let mut crc = 0xFFFF_FFFFu32;
    for &b in kind.iter().chain(data) {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub fn plain_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels(width, height))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

/// A PNG with tEXt, iTXt (XMP), eXIf (GPS), tIME, a private chunk, and a
/// ZIP appended after IEND.
pub fn png_with_everything(width: u32, height: u32) -> Vec<u8> {
    let plain = plain_png(width, height);
    let ihdr_end = 8 + 8 + 13 + 4;
    let mut exif = Vec::new();
    exif.extend(exif_block());
    let mut out = plain[..ihdr_end].to_vec();
    out.extend(png_chunk(b"tEXt", b"Author\0A parent's phone"));
    out.extend(png_chunk(
        b"iTXt",
        b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>http://ns.adobe.com/xap Amelia Testperson</x:xmpmeta>",
    ));
    out.extend(png_chunk(b"eXIf", &exif));
    out.extend(png_chunk(b"tIME", &[7, 234, 7, 14, 10, 42, 17]));
    out.extend(png_chunk(b"prVt", b"iPhone private data"));
    out.extend_from_slice(&plain[ihdr_end..]);
    out.extend_from_slice(b"PK\x03\x04 appended zip with GPS");
    out
}

/// Asserts that `bytes` carry no metadata, checked by independent
/// readers: kamadak-exif finds no EXIF beyond the orientation a sideways
/// photo keeps, and none of the planted strings is anywhere in the file.
pub fn assert_clean(name: &str, bytes: &[u8]) {
    let reader = exif::Reader::new();
    let exif = reader.read_from_container(&mut std::io::Cursor::new(bytes));
    if let Ok(exif) = &exif {
        let tags: Vec<exif::Tag> = exif.fields().map(|f| f.tag).collect();
        assert_eq!(
            tags,
            vec![exif::Tag::Orientation],
            "{name}: kamadak-exif finds EXIF beyond the orientation"
        );
    }
    // The orientation-only block still starts with the EXIF marker.
    for planted in PLANTED
        .iter()
        .filter(|p| exif.is_err() || **p != "Exif\0\0")
    {
        assert!(
            !bytes
                .windows(planted.len())
                .any(|w| w == planted.as_bytes()),
            "{name}: {planted:?} survived sanitising"
        );
    }
}

/// Asserts exiftool (if installed; required in CI) sees nothing but the
/// file's own structure.
/// exiftool's reading of a file (`-a -G1 -j -u`, plus `extra` flags), or
/// None when exiftool is not installed outside CI.
pub fn exiftool(path: &Path, extra: &[&str]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let out = match Command::new("exiftool")
        .args(["-a", "-G1", "-j", "-u"])
        .args(extra)
        .arg(path)
        .output()
    {
        Ok(o) => o,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("exiftool is not installed: skipping its check (CI installs it)");
            return None;
        }
        Err(e) => panic!("exiftool is required in CI: {e}"),
    };
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("exiftool json");
    Some(json[0].as_object().expect("one file").clone())
}

pub fn assert_clean_exiftool(path: &Path) {
    let Some(tags) = exiftool(path, &[]) else {
        return;
    };
    // A sideways photo keeps an EXIF block holding its orientation alone.
    let oriented = tags.contains_key("IFD0:Orientation");
    for key in tags.keys() {
        if oriented && ["IFD0:Orientation", "File:ExifByteOrder"].contains(&key.as_str()) {
            continue;
        }
        let group = key.split(':').next().unwrap_or("");
        let allowed = [
            "SourceFile",
            "ExifTool",
            "System",
            "File",
            "JFIF",
            "PNG",
            "Composite",
            "ICC_Profile",
            "ICC-header",
            "ICC-view",
            "ICC-meas",
            "RIFF",
            "GIF",
        ];
        let name = key.split(':').nth(1).unwrap_or("");
        let forbidden = ["Comment", "XMP", "Exif", "GPS", "Thumbnail", "Text"];
        assert!(
            (allowed.contains(&group)
                && (group == "ExifTool" || !forbidden.iter().any(|f| name.contains(f))))
                || key == "SourceFile",
            "{}: exiftool still finds {key} = {}",
            path.display(),
            tags[key]
        );
    }
    for (key, value) in tags {
        let v = value.to_string();
        assert!(
            !v.contains("Amelia") && !v.contains("iPhone"),
            "{key} = {v}"
        );
        assert!(
            !key.contains("Warning") || !v.contains("trailer"),
            "{key} = {v}"
        );
    }
}

/// Decodes an image to RGB pixels.
pub fn decode(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory(bytes).expect("decodes").to_rgb8()
}

/// A lossless WebP (extended format) with EXIF (GPS, serial, thumbnail),
/// XMP naming a person, and an unknown chunk.
pub fn webp_with_everything(width: u32, height: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut plain)
        .encode(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode webp");
    // The encoder writes a simple file: RIFF, WEBP, one VP8L chunk.
    let vp8l = &plain[12..];
    let riff_chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut v = kind.to_vec();
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        if data.len() % 2 == 1 {
            v.push(0);
        }
        v
    };
    let mut vp8x = vec![0x08 | 0x04, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend_from_slice(vp8l);
    body.extend(riff_chunk(b"EXIF", &exif_block()));
    body.extend(riff_chunk(
        b"XMP ",
        b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>http://ns.adobe.com/xap Amelia Testperson</x:xmpmeta>",
    ));
    body.extend(riff_chunk(b"prVt", b"iPhone private data"));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A GIF with a comment, an XMP application extension naming a person,
/// and another application's data.
pub fn gif_with_everything(width: u32, height: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut plain);
        let rgba = image::DynamicImage::ImageRgb8(pixels(width, height)).into_rgba8();
        enc.encode_frame(image::Frame::new(rgba))
            .expect("encode gif");
    }
    assert_eq!(plain.last(), Some(&0x3B));
    let mut out = plain[..plain.len() - 1].to_vec();
    // Comment extension.
    out.extend_from_slice(&[0x21, 0xFE]);
    let comment = b"A parent's phone, GPS 51.07N";
    out.push(comment.len() as u8);
    out.extend_from_slice(comment);
    out.push(0);
    // XMP application extension: identifier then raw XML as sub-blocks.
    out.extend_from_slice(&[0x21, 0xFF, 11]);
    out.extend_from_slice(b"XMP DataXMP");
    let xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>http://ns.adobe.com/xap Amelia Testperson</x:xmpmeta>";
    for chunk in xmp.chunks(255) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    out.push(0);
    out.push(0x3B);
    out
}

/// Solid quadrants, so an image's orientation can be read off its
/// pixels: red top-left, green top-right, blue bottom-left, yellow
/// bottom-right.
pub fn quadrants(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        match (x < width / 2, y < height / 2) {
            (true, true) => image::Rgb([220, 20, 20]),
            (false, true) => image::Rgb([20, 200, 20]),
            (true, false) => image::Rgb([20, 20, 220]),
            (false, false) => image::Rgb([230, 230, 20]),
        }
    })
}

/// Asserts `img` shows the quadrants of [`quadrants`] the right way up.
pub fn assert_upright(what: &str, img: &image::RgbImage) {
    let (w, h) = img.dimensions();
    let expect = [
        (w / 4, h / 4, [220u8, 20, 20]),
        (3 * w / 4, h / 4, [20, 200, 20]),
        (w / 4, 3 * h / 4, [20, 20, 220]),
        (3 * w / 4, 3 * h / 4, [230, 230, 20]),
    ];
    for (x, y, want) in expect {
        let got = img.get_pixel(x, y).0;
        let close = got
            .iter()
            .zip(want)
            .all(|(&g, w)| (i32::from(g) - i32::from(w)).abs() < 40);
        assert!(
            close,
            "{what}: pixel at ({x},{y}) is {got:?}, expected {want:?}"
        );
    }
}

/// A JPEG that shows [`quadrants`] upright only when its EXIF orientation
/// `o` is applied, with GPS and a camera serial in the same EXIF block.
pub fn oriented_jpeg(width: u32, height: u32, o: u16) -> Vec<u8> {
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, Tag, Value};
    // The inverse of each orientation's transform: 6 and 8 swap.
    let inverse = match o {
        6 => 8,
        8 => 6,
        other => other as u8,
    };
    let mut stored = image::DynamicImage::ImageRgb8(quadrants(width, height));
    stored.apply_orientation(image::metadata::Orientation::from_exif(inverse).expect("1-8"));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 95)
        .encode_image(&stored.to_rgb8())
        .expect("encode jpeg");
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![o]),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"SERIAL-4471".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![Rational { num: 51, denom: 1 }; 3]),
        },
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    w.write(&mut buf, false).expect("write exif");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(buf.into_inner());
    let mut out = plain[..2].to_vec();
    out.extend(segment(0xE1, &app1));
    out.extend_from_slice(&plain[2..]);
    out
}

/// Where the Nu HTML Checker's jar is: `$VNU_JAR`, or the copy `.ci/run`
/// installs.
fn vnu_jar() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VNU_JAR") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p =
        PathBuf::from(home).join(".cache/schoolsite-ci/node_modules/vnu-jar/build/dist/vnu.jar");
    p.exists().then_some(p)
}

/// Asserts the Nu HTML Checker (if installed; required in CI) finds no
/// errors in the HTML file at `path`.
pub fn assert_valid_html(path: &Path) {
    let Some(jar) = vnu_jar() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Nu HTML Checker is required in CI: .ci/run installs it"
        );
        eprintln!("vnu.jar is not installed: skipping the HTML check (CI installs it)");
        return;
    };
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "text"])
        .arg(path)
        .output()
        .expect("java runs the Nu HTML Checker");
    assert!(
        out.status.success(),
        "{} is not valid HTML:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PDF with something in every hiding place, written by hand: document
/// properties naming the author, document and page XMP, Word's private
/// data, a page thumbnail, an embedded file and a file-attachment
/// annotation, JavaScript run on opening, a photo with EXIF and GPS, and
/// an incremental update that replaced the author's name (the old one
/// stays in the file). Every planted value starts with `PLANTED`.
pub fn pdf_with_everything() -> Vec<u8> {
    let jpeg = jpeg_with_everything(64, 48);
    let content = b"BT /F1 11 Tf 20 160 Td (Star of the week: the whole of Year 5) Tj ET q 96 0 0 72 20 20 cm /Im1 Do Q".to_vec();
    let xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:creator>PLANTED-XMP-CREATOR</dc:creator></x:xmpmeta>".to_vec();
    let objects: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R /Metadata 8 0 R /PieceInfo << /MSWord << /Private (PLANTED-PIECEINFO) >> >> /Names << /EmbeddedFiles 9 0 R /JavaScript 12 0 R >> /OpenAction 11 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R /Thumb 7 0 R /Metadata 13 0 R /Annots [14 0 R] >>".to_vec()),
        (4, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
        (5, stream(b"", &content)),
        (6, stream(b"/Type /XObject /Subtype /Image /Width 64 /Height 48 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", &jpeg)),
        (7, stream(b"/Width 2 /Height 2 /ColorSpace /DeviceRGB /BitsPerComponent 8", b"PLANTED-THUMB")),
        (8, stream(b"/Type /Metadata /Subtype /XML", &xmp)),
        (9, b"<< /Names [(PLANTED-NAME.txt) 10 0 R] >>".to_vec()),
        (10, b"<< /Type /Filespec /F (PLANTED-NAME.txt) /EF << /F 15 0 R >> >>".to_vec()),
        (11, b"<< /S /JavaScript /JS (app.alert\\('PLANTED-JS'\\)) >>".to_vec()),
        (12, b"<< /Names [(x) 11 0 R] >>".to_vec()),
        (13, stream(b"/Type /Metadata /Subtype /XML", b"<x:xmpmeta>PLANTED-PAGE-XMP</x:xmpmeta>")),
        (14, b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 10 0 R /Contents (PLANTED-ANNOT) >>".to_vec()),
        (15, stream(b"/Type /EmbeddedFile", b"PLANTED-ATTACHMENT contents")),
        (16, b"<< /Author (PLANTED-OLD-AUTHOR) /Producer (Microsoft Word for Microsoft 365) /Title (PLANTED-TITLE) >>".to_vec()),
    ];
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let first_xref = write_revision(&mut out, &objects, 17, None, Some(16));
    // An incremental update: the author's name "changed", the old one
    // still in the file above.
    let update = vec![(
        16,
        b"<< /Author (PLANTED-NEW-AUTHOR) /Producer (Microsoft Word for Microsoft 365) >>".to_vec(),
    )];
    write_revision(&mut out, &update, 17, Some(first_xref), Some(16));
    out
}

/// One page of a test PDF: its drawing (content-stream operators) and the
/// drawing of `/Note`, a form it may draw. Its resources: fonts `/F1`
/// (Helvetica), `/U1` (a composite font with a Unicode map, whose glyph
/// ids are the characters' codes: write text with [`pdf_hex`]) and `/X1`
/// (a composite font without a map); pictures `/Photo` (a 320×240 JPEG
/// with EXIF and GPS) and `/Logo` (48×48).
pub struct PdfPage<'a> {
    pub draw: &'a str,
    pub form: &'a str,
}

impl<'a> PdfPage<'a> {
    pub fn new(draw: &'a str) -> PdfPage<'a> {
        PdfPage { draw, form: "" }
    }
}

/// Text drawn in Helvetica at (x, y): `BT … Tj ET`.
pub fn pdf_text(x: u32, y: u32, text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)");
    format!("BT /F1 12 Tf {x} {y} Td ({escaped}) Tj ET\n")
}

/// A string for the composite fonts: two-byte glyph ids, here the
/// characters' own codes.
pub fn pdf_hex(text: &str) -> String {
    let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
    format!("<{hex}>")
}

/// A PDF of `pages`, as an office program might write it (a document
/// properties dictionary with an author included).
pub fn pdf_pages(pages: &[PdfPage]) -> Vec<u8> {
    let photo = jpeg_with_everything(320, 240);
    let logo = plain_jpeg(48, 48);
    // Laid out line by line, as Word, LibreOffice and Chrome write it.
    let to_unicode = b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0020> <00FF> <0020>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    let first_page = 12;
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page + 3 * i))
        .collect();
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (
            2,
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                pages.len()
            )
            .into_bytes(),
        ),
        (3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec()),
        (4, b"<< /Type /Font /Subtype /Type0 /BaseFont /Calibri /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>".to_vec()),
        (5, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Calibri /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 /W [32 [226] 65 90 600] >>".to_vec()),
        (6, stream(b"", to_unicode)),
        (7, b"<< /Type /Font /Subtype /Type0 /BaseFont /Calibri /Encoding /Identity-H /DescendantFonts [5 0 R] >>".to_vec()),
        (8, stream(b"/Type /XObject /Subtype /Image /Width 320 /Height 240 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", &photo)),
        (9, stream(b"/Type /XObject /Subtype /Image /Width 48 /Height 48 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", &logo)),
        (10, b"<< /Author (PLANTED-AUTHOR) /Producer (Microsoft Word for Microsoft 365) >>".to_vec()),
        (11, b"<< /Font << /F1 3 0 R /U1 4 0 R /X1 7 0 R >> /XObject << /Photo 8 0 R /Logo 9 0 R >> >>".to_vec()),
    ];
    for (i, page) in pages.iter().enumerate() {
        let n = (first_page + 3 * i) as u32;
        objects.push((
            n,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /U1 4 0 R /X1 7 0 R >> /XObject << /Photo 8 0 R /Logo 9 0 R /Note {} 0 R >> >> /Contents {} 0 R >>",
                n + 2,
                n + 1
            )
            .into_bytes(),
        ));
        objects.push((n + 1, stream(b"", page.draw.as_bytes())));
        objects.push((
            n + 2,
            stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources 11 0 R",
                page.form.as_bytes(),
            ),
        ));
    }
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let size = (first_page + 3 * pages.len()) as u32;
    write_revision(&mut out, &objects, size, None, Some(10));
    out
}

/// A newsletter as an office program saves it: `pages` pages of text,
/// each with its own copy of `photo` (as pasted from a phone), document
/// properties and XMP naming the author, and an incremental save that
/// changed the author (the old name stays in the file). Planted values
/// start with `PLANTED`.
pub fn pdf_newsletter(pages: usize, photo: &[u8], width: u32, height: u32) -> Vec<u8> {
    let xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:creator>PLANTED-XMP-CREATOR</dc:creator></x:xmpmeta>";
    let first_page = 6;
    let kids: Vec<String> = (0..pages)
        .map(|i| format!("{} 0 R", first_page + 3 * i))
        .collect();
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>".to_vec()),
        (
            2,
            format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")).into_bytes(),
        ),
        (3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec()),
        (4, stream(b"/Type /Metadata /Subtype /XML", xmp)),
        (5, b"<< /Author (PLANTED-OLD-AUTHOR) /Creator (Microsoft Word) /Producer (Microsoft Word for Microsoft 365) >>".to_vec()),
    ];
    for i in 0..pages {
        let n = (first_page + 3 * i) as u32;
        let mut draw = String::new();
        for line in 0..30 {
            draw.push_str(&pdf_text(
                50,
                800 - 12 * line,
                &format!(
                    "Page {} line {line}: news of the week, clubs, trips and dates for your diary.",
                    i + 1
                ),
            ));
        }
        draw.push_str("q 400 300 0 0 90 60 cm /Photo Do Q\n");
        objects.push((
            n,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Photo {} 0 R >> >> /Contents {} 0 R >>",
                n + 2,
                n + 1
            )
            .into_bytes(),
        ));
        objects.push((n + 1, stream(b"", draw.as_bytes())));
        objects.push((
            n + 2,
            stream(
                format!("/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode").as_bytes(),
                photo,
            ),
        ));
    }
    let size = (first_page + 3 * pages) as u32;
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let first = write_revision(&mut out, &objects, size, None, Some(5));
    let update = vec![(
        5,
        b"<< /Author (PLANTED-NEW-AUTHOR) /Creator (Microsoft Word) /Producer (Microsoft Word for Microsoft 365) >>".to_vec(),
    )];
    write_revision(&mut out, &update, size, Some(first), Some(5));
    out
}

/// A PDF of numbered objects (1 the catalog, numbered from 1 with no
/// gaps), with one cross-reference section and no document properties.
pub fn pdf_from(objects: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    write_revision(&mut out, objects, objects.len() as u32 + 1, None, None);
    out
}

/// A stream object's body: `<< dict /Length … >> stream … endstream`.
pub fn pdf_stream(dict: &[u8], data: &[u8]) -> Vec<u8> {
    stream(dict, data)
}

fn stream(dict: &[u8], data: &[u8]) -> Vec<u8> {
    let mut s = b"<< ".to_vec();
    s.extend_from_slice(dict);
    s.extend_from_slice(format!(" /Length {} >>\nstream\n", data.len()).as_bytes());
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

/// Appends objects, a cross-reference section for them and a trailer;
/// returns where the section starts.
fn write_revision(
    out: &mut Vec<u8>,
    objects: &[(u32, Vec<u8>)],
    size: u32,
    prev: Option<usize>,
    info: Option<u32>,
) -> usize {
    let mut offsets = Vec::new();
    for (n, body) in objects {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    if prev.is_none() {
        out.extend_from_slice(format!("0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for (_, off) in &offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
    } else {
        for (n, off) in &offsets {
            out.extend_from_slice(format!("{n} 1\n{off:010} 00000 n \n").as_bytes());
        }
    }
    let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
    let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R{info}{prev} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    xref
}

/// (rule, severity, file, line, message) of a finding.
pub type Found = (String, String, String, Option<u64>, String);

/// The findings of `check --format json` on `today` whose rule starts with
/// `prefix`, and the exit code.
pub fn findings_with_prefix(site: &Site, today: &str, prefix: &str) -> (Run, Vec<Found>) {
    let run = site.run(&["check", "--format", "json", "--today", today]);
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    let found = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with(prefix))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (run, found)
}

/// The example site with the headteacher's approval key made (and listed
/// in its config.toml), and a folder outside it for keys and for the web
/// server: what approving and publishing tests start from.
pub struct Approvable {
    pub site: Site,
    pub outside: tempfile::TempDir,
}

impl Approvable {
    pub fn with_headteacher() -> Approvable {
        let a = Approvable {
            site: Site::example(),
            outside: tempfile::tempdir().unwrap(),
        };
        let key = a.key();
        let run = a.run(&[
            "keygen",
            "--name",
            "Helen Marlowe",
            "--role",
            "Headteacher",
            "--out",
            key.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.all());
        a
    }

    /// The headteacher's key.
    pub fn key(&self) -> PathBuf {
        self.outside.path().join("keys/head.key")
    }

    /// The folder the web server serves.
    pub fn www(&self) -> PathBuf {
        self.outside.path().join("www")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.site.run(args)
    }
}
