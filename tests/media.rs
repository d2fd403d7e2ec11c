//! The media sanitiser as users meet it: WebP and GIF cleaned, every
//! orientation shown upright, responsive sizes in `srcset`, the pupil-photo
//! size cap, the cache, and `schoolsite sanitise` on its own.

mod common;
use common::*;
use std::path::Path;

fn decode_any(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory(bytes).expect("decodes").to_rgb8()
}

/// `schoolsite sanitise ARGS --keep-names`: these tests read each clean
/// copy under its own name (neutral names are tested in
/// `tests/free_text.rs`).
fn sanitise(args: &[&str]) -> Run {
    let mut all = vec!["sanitise"];
    all.extend_from_slice(args);
    all.push("--keep-names");
    run_bin(&all)
}

#[test]
fn webp_every_hiding_place_removed_pixels_kept() {
    published_clean_with_same_pixels("garden.webp", webp_with_everything(40, 30));
}

#[test]
fn gif_every_hiding_place_removed_pixels_kept() {
    published_clean_with_same_pixels("wave.gif", gif_with_everything(20, 10));
}

/// Builds a site showing `original` as `file`: exactly one file is
/// published, with the same format, no metadata and the same pixels.
fn published_clean_with_same_pixels(file: &str, original: Vec<u8>) {
    let site = photo_site(&[(file, original.clone())]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let media = published_media(&site);
    assert_eq!(media.len(), 1, "{media:?}");
    let (name, bytes) = &media[0];
    let ext = file.rsplit('.').next().unwrap();
    assert!(name.ends_with(&format!(".{ext}")), "{name}");
    assert_clean(name, bytes);
    assert_clean_exiftool(&site.path("public").join(name));
    assert_eq!(decode_any(bytes), decode_any(&original), "pixels changed");
}

#[test]
fn all_eight_orientations_show_upright_after_sanitising() {
    let out = tempfile::tempdir().unwrap();
    for o in 1..=8u16 {
        let input = out.path().join(format!("in-{o}.jpg"));
        std::fs::write(&input, oriented_jpeg(64, 48, o)).unwrap();
        // The fixture is really stored sideways for 5–8.
        let raw = decode_any(&std::fs::read(&input).unwrap());
        assert_eq!(raw.width() == 48, o >= 5, "orientation {o} fixture");

        // Lossless: the pixels are untouched and the orientation is kept
        // in a block that holds nothing else.
        let dir = out.path().join(format!("lossless-{o}"));
        let run = sanitise(&[input.to_str().unwrap(), "--out", dir.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.all());
        let clean_path = dir.join(format!("in-{o}.jpg"));
        let clean = std::fs::read(&clean_path).unwrap();
        assert!(!clean.windows(6).any(|w| w == b"SERIAL"), "serial kept");
        let shown = image_as_a_browser_shows_it(&clean);
        assert_upright(&format!("orientation {o}, lossless"), &shown);
        assert_eq!((shown.width(), shown.height()), (64, 48));
        if let Some(tags) = exiftool(&clean_path, &["-n"]) {
            let exif: Vec<_> = tags
                .keys()
                .filter(|k| {
                    k.starts_with("IFD0:") || k.starts_with("ExifIFD:") || k.starts_with("GPS")
                })
                .collect();
            if o == 1 {
                assert!(exif.is_empty(), "{exif:?}");
            } else {
                assert_eq!(exif, ["IFD0:Orientation"], "orientation {o}");
                assert_eq!(tags["IFD0:Orientation"], o, "orientation {o}");
            }
        }

        // Resized: the pixels are turned upright and no EXIF is left.
        let dir = out.path().join(format!("resized-{o}"));
        let run = sanitise(&[
            input.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--sizes",
            "32",
            "--max-long-edge",
            "40",
        ]);
        assert_eq!(run.code, 0, "{}", run.all());
        for (name, size) in [
            (format!("in-{o}-32.jpg"), (32, 24)),
            (format!("in-{o}.jpg"), (40, 30)),
        ] {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            assert_clean(&name, &bytes);
            let img = decode_any(&bytes);
            assert_eq!((img.width(), img.height()), size, "{name}");
            assert_upright(&format!("orientation {o}, {name}"), &img);
            assert!(
                !bytes.windows(6).any(|w| w == b"Exif\0\0"),
                "{name} has EXIF"
            );
        }
    }
}

/// Decodes and applies the EXIF orientation, as browsers do, using the
/// image crate's reader (independent of schoolsite's code).
fn image_as_a_browser_shows_it(bytes: &[u8]) -> image::RgbImage {
    use image::ImageDecoder;
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes)).expect("jpeg");
    let orientation = decoder.orientation().expect("orientation");
    let mut img = image::DynamicImage::from_decoder(decoder).expect("decode");
    img.apply_orientation(orientation);
    img.to_rgb8()
}

#[test]
fn big_photos_get_responsive_sizes_and_are_capped() {
    let big = jpeg_with_everything(2400, 1800);
    let small = jpeg_with_everything(300, 200);
    let site = photo_site(&[("big.jpg", big), ("small.jpg", small)]);
    declare_pupil_in_gallery(&site, &["big.jpg", "small.jpg"]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let html = site.read("public/gallery/index.html");
    let big_tag = html
        .split("<img")
        .find(|t| t.contains("Photo big.jpg"))
        .expect("big image tag");
    assert!(
        big_tag.contains(r#"width="1600" height="1200""#),
        "{big_tag}"
    );
    let srcset: Vec<&str> = big_tag
        .split("srcset=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("srcset")
        .split(", ")
        .collect();
    assert_eq!(srcset.len(), 3, "{srcset:?}");
    let mut widths = Vec::new();
    for entry in &srcset {
        let (url, w) = entry.split_once(' ').unwrap();
        let path = site.path("public").join(url.trim_start_matches('/'));
        let bytes = std::fs::read(&path).unwrap();
        assert_clean(url, &bytes);
        assert_clean_exiftool(&path);
        let img = decode_any(&bytes);
        assert_eq!(format!("{}w", img.width()), w, "{url}");
        widths.push(img.width());
    }
    assert_eq!(widths, [480, 960, 1600]);
    // The 2400-pixel original is not published anywhere.
    for (name, bytes) in published_media(&site) {
        assert!(decode_any(&bytes).width() <= 1600, "{name} is too large");
    }
    let small_tag = html
        .split("<img")
        .find(|t| t.contains("Photo small.jpg"))
        .expect("small image tag");
    assert!(!small_tag.contains("srcset"), "{small_tag}");
    assert!(
        small_tag.contains(r#"width="300" height="200""#),
        "{small_tag}"
    );
}

/// The pixel widths of every published media file, smallest first.
fn published_widths(site: &Site) -> Vec<u32> {
    let mut widths: Vec<u32> = published_media(site)
        .iter()
        .map(|(_, b)| decode_any(b).width())
        .collect();
    widths.sort();
    widths
}

#[test]
fn a_photo_declared_to_show_nobody_is_not_capped() {
    let site = photo_site(&[("view.jpg", jpeg_with_everything(2400, 1800))]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let widths = published_widths(&site);
    assert_eq!(widths, [480, 960, 1600, 2400]);
}

#[test]
fn size_settings_come_from_config() {
    let site = photo_site(&[("big.jpg", plain_jpeg(1000, 500))]);
    declare_pupil_in_gallery(&site, &["big.jpg"]);
    site.write(
        "config.toml",
        format!("{CONFIG}\n[images]\nwidths = [200]\nmax_pupil_long_edge = 800\nquality = 70\n"),
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let widths = published_widths(&site);
    assert_eq!(widths, [200, 800]);

    site.write("config.toml", format!("{CONFIG}\n[images]\nquality = 0\n"));
    let run = site.build();
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("quality"), "{}", run.stderr);
}

fn cache_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files = walk(&root.join(".schoolsite/cache"));
    files.sort();
    files
}

#[test]
fn cache_is_reused_and_a_corrupt_entry_is_rebuilt() {
    let site = photo_site(&[("big.jpg", jpeg_with_everything(2000, 1500))]);
    assert_eq!(site.build().code, 0);
    let first = published_media(&site);
    // The photo's entry, and the theme's icon's (much the smaller).
    let entries = cache_files(site.root());
    assert_eq!(entries.len(), 2, "{entries:?}");
    let entry = entries
        .iter()
        .max_by_key(|e| std::fs::metadata(e).unwrap().len())
        .unwrap();
    let stamp = std::fs::metadata(entry).unwrap().modified().unwrap();
    let good = std::fs::read(entry).unwrap();

    // Editing a page does not touch the cached image.
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.write("content/about.md", page("title = \"About\"", "Hello."));
    assert_eq!(site.build().code, 0);
    assert_eq!(published_media(&site), first);
    assert_eq!(std::fs::metadata(entry).unwrap().modified().unwrap(), stamp);

    // A damaged entry is detected, ignored and rewritten.
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0xFF;
    std::fs::write(entry, &bad).unwrap();
    assert_eq!(site.build().code, 0);
    assert_eq!(published_media(&site), first);
    assert_eq!(std::fs::read(entry).unwrap(), good);

    // --no-cache gives the same site and writes no cache.
    std::fs::remove_dir_all(site.path(".schoolsite")).unwrap();
    let run = site.run(&["build", "--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(published_media(&site), first);
    assert!(!site.path(".schoolsite/cache").exists());
    assert!(site.path(".schoolsite/manifest.json").exists());
}

#[test]
fn sanitise_command_says_what_it_removed_from_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("Trip photo.jpg");
    std::fs::write(&photo, jpeg_with_everything(64, 48)).unwrap();
    let broken = dir.path().join("broken.jpg");
    std::fs::write(&broken, &jpeg_with_everything(64, 48)[..300]).unwrap();
    let out = dir.path().join("clean");
    let run = sanitise(&[
        photo.to_str().unwrap(),
        broken.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "one file was refused: {}", run.all());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    for expected in [
        "GPS position",
        "camera serial number",
        "1 face tag",
        "motion-photo video",
    ] {
        assert!(
            lines[0].contains(expected),
            "{expected} missing: {}",
            lines[0]
        );
    }
    assert!(
        lines[1].contains("broken.jpg: refused") && lines[1].contains("truncated"),
        "{}",
        lines[1]
    );
    let clean = std::fs::read(out.join("Trip photo.jpg")).unwrap();
    assert_clean("clean copy", &clean);
    assert_clean_exiftool(&out.join("Trip photo.jpg"));
    assert!(!out.join("broken.jpg").exists());
    // The command's fast path writes exactly what a site build publishes.
    let site = photo_site(&[("trip.jpg", jpeg_with_everything(64, 48))]);
    assert_eq!(site.build().code, 0);
    assert_eq!(published_media(&site)[0].1, clean);
    // The original is untouched.
    assert_eq!(std::fs::read(&photo).unwrap(), jpeg_with_everything(64, 48));

    let run = sanitise(&[
        photo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let removed = json["files"][0]["removed"].as_array().unwrap();
    assert!(removed.iter().any(|r| {
        r["what"] == "EXIF metadata"
            && r["found"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "GPS position")
    }));
}

#[test]
fn build_report_lists_what_was_removed_per_image() {
    let site = photo_site(&[("trip.jpg", jpeg_with_everything(64, 48))]);
    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let media = json["media"].as_array().expect("media array");
    assert_eq!(media.len(), 1);
    assert_eq!(media[0]["source"], "content/gallery/trip.jpg");
    let found: Vec<&str> = media[0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["found"].as_array().into_iter().flatten())
        .filter_map(|f| f.as_str())
        .collect();
    assert!(found.contains(&"GPS position"), "{found:?}");
    assert!(found.contains(&"1 face tag"), "{found:?}");
}

#[test]
fn hostile_files_are_cleaned_or_refused_never_published_dirty() {
    // A JPEG with a ZIP appended (a polyglot): the ZIP goes.
    let mut polyglot = plain_jpeg(32, 32);
    polyglot.extend_from_slice(b"PK\x03\x04\x14\0\0\0secret.txt GPS");
    // EXIF whose IFD offset points far outside the block.
    let mut bad_exif = plain_jpeg(32, 32);
    let mut app1 = b"Exif\0\0MM\0*\x7F\xFF\xFF\xF0".to_vec();
    app1.extend_from_slice(b"GPS junk");
    bad_exif.splice(2..2, segment(0xE1, &app1));
    let site = photo_site(&[("poly.jpg", polyglot), ("badexif.jpg", bad_exif)]);
    let run = site.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let text = json["media"].to_string();
    assert!(text.contains("damaged EXIF data"), "{text}");
    assert!(
        text.contains("ZIP archive after the end of the image"),
        "{text}"
    );
    for (name, bytes) in published_media(&site) {
        assert_clean(&name, &bytes);
        assert!(!bytes.windows(4).any(|w| w == b"PK\x03\x04"), "{name}");
    }

    // A PNG whose header claims 100,000 × 100,000 pixels is refused
    // before any pixel is decoded.
    let mut bomb = plain_png(8, 8);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let site = photo_site(&[("bomb.png", bomb), ("empty.jpg", Vec::new())]);
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("more than the limit"), "{}", run.stdout);
    assert!(run.stdout.contains("empty file"), "{}", run.stdout);
    assert!(!site.path("public").exists());
}
