//! Issue 20, items 4 and 5: faces are counted in every frame of an
//! animation, and declarations are checked against the photo (a group
//! needs two people and two faces, a photo of nobody has no clear face,
//! the same photo is declared the same way everywhere, and `where` and
//! `leavers` follow a photo by its content).
//!
//! Animations are made at test time from the 1927 Solvay Conference
//! photograph (tests/fixtures/solvay-1927.jpg) and blank frames: GIF with
//! the `image` crate, APNG and animated WebP with ffmpeg; their frames are
//! counted by ffprobe and exiftool, readers independent of schoolsite.

mod common;

use common::{Site, json_findings, page, tool, with_rule};
use image::imageops::{self, FilterType};
use image::{Delay, Frame, Rgba, RgbaImage};

const SOLVAY: &[u8] = include_bytes!("fixtures/solvay-1927.jpg");
const BUILDING: &[u8] = include_bytes!("../content/school-building.jpg");
const TODAY: &str = "2026-10-01";
const SURNAMES: &[&str] = &["Testperson", "Otherchild", "Teacher"];

fn solvay() -> RgbaImage {
    image::load_from_memory(SOLVAY).expect("solvay").to_rgba8()
}

fn blank() -> RgbaImage {
    RgbaImage::from_pixel(1000, 420, Rgba([235, 235, 230, 255]))
}

/// A school crest: shapes in the school's colours, no face. Each frame
/// turns the star a little.
fn crest(step: u32) -> RgbaImage {
    let mut img = RgbaImage::from_pixel(300, 300, Rgba([255, 255, 255, 255]));
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (dx, dy) = (x as i32 - 150, y as i32 - 150);
        let r2 = dx * dx + dy * dy;
        if r2 < 120 * 120 && r2 > 100 * 100 {
            *p = Rgba([20, 40, 120, 255]);
        } else if (dx + dy + step as i32 * 7).rem_euclid(40) < 8 && r2 < 100 * 100 {
            *p = Rgba([200, 160, 20, 255]);
        }
    }
    img
}

fn gif(frames: &[RgbaImage]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = image::codecs::gif::GifEncoder::new_with_speed(&mut out, 30);
        e.set_repeat(image::codecs::gif::Repeat::Infinite)
            .expect("repeat");
        for f in frames {
            e.encode_frame(Frame::from_parts(
                f.clone(),
                0,
                0,
                Delay::from_numer_denom_ms(500, 1),
            ))
            .expect("gif frame");
        }
    }
    out
}

/// An APNG or animated WebP of `frames`, made by ffmpeg; `None` without
/// ffmpeg.
fn ffmpeg_animation(frames: &[RgbaImage], ext: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().expect("temp");
    for (i, f) in frames.iter().enumerate() {
        f.save(dir.path().join(format!("f{}.png", i + 1)))
            .expect("frame");
    }
    let input = dir.path().join("f%d.png");
    let out = dir.path().join(format!("out.{ext}"));
    let (input, out_s) = (input.to_str()?, out.to_str()?);
    let mut args = vec!["-framerate", "2", "-i", input];
    match ext {
        "png" => args.extend(["-plays", "0", "-f", "apng"]),
        _ => args.extend(["-c:v", "libwebp_anim", "-lossless", "1", "-loop", "0"]),
    }
    args.push(out_s);
    common::ffmpeg(&args)?;
    Some(std::fs::read(out).expect("animation"))
}

/// Frames as counted by a reader that is not schoolsite: ffprobe for GIF
/// and APNG, the ANMF chunks of a WebP (exiftool checks it is animated).
fn independent_frames(bytes: &[u8], ext: &str) -> Option<usize> {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join(format!("a.{ext}"));
    std::fs::write(&path, bytes).expect("write");
    let path = path.to_str()?;
    if ext == "webp" {
        let out = tool("exiftool", &["-s", "-WebP_Flags", path])?;
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Animation"),
            "exiftool: not animated"
        );
        let mut pos = 12;
        let mut frames = 0;
        while let Some(h) = bytes.get(pos..pos + 8) {
            let len = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
            frames += usize::from(&h[..4] == b"ANMF");
            pos += 8 + len + len % 2;
        }
        return Some(frames);
    }
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            path,
        ],
    )?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// A register of two pupils and a member of staff, everyone with every
/// consent; P1 leaves on 2027-07-21.
fn register(site: &Site) {
    site.write(
        "consent/register.csv",
        "id,legal_forename,legal_surname,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n\
         P1,Amelia,Testperson,pupil,2027-07-21,2026-09-01,no,yes,yes,yes\n\
         P2,Noah,Otherchild,pupil,,2026-09-01,no,yes,yes,yes\n\
         T1,Ruth,Teacher,staff,,2026-09-01,no,yes,yes,yes\n",
    );
}

/// A site whose page `dir` shows `photos` (name, bytes, the lines of its
/// `[[photo]]` entry after `file`).
fn site_with(dir: &str, photos: &[(&str, Vec<u8>, &str)]) -> Site {
    let site = Site::new();
    register(&site);
    add_page(&site, dir, photos);
    site
}

fn add_page(site: &Site, dir: &str, photos: &[(&str, Vec<u8>, &str)]) {
    let mut body = String::new();
    let mut sidecar = String::new();
    for (name, bytes, entry) in photos {
        site.write(&format!("content/{dir}/{name}"), bytes);
        body.push_str(&format!("![A photo of the school day]({name})\n\n"));
        sidecar.push_str(&format!("[[photo]]\nfile = \"{name}\"\n{entry}\n\n"));
    }
    site.write(&format!("content/{dir}/photos.toml"), sidecar);
    site.write(
        &format!("content/{dir}/index.md"),
        page(&format!("title = \"{dir}\""), &body),
    );
}

fn findings(site: &Site) -> (common::Run, Vec<serde_json::Value>) {
    json_findings(site, TODAY, SURNAMES)
}

fn files(found: &[&serde_json::Value]) -> Vec<String> {
    let mut v: Vec<String> = found
        .iter()
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_group_in_any_frame_of_an_animation_is_counted() {
    let group = [blank(), solvay()];
    let mut animations = vec![("group.gif", gif(&group))];
    for ext in ["png", "webp"] {
        match ffmpeg_animation(&group, ext) {
            Some(bytes) => animations.push((
                if ext == "png" {
                    "group.png"
                } else {
                    "group.webp"
                },
                bytes,
            )),
            None => eprintln!("ffmpeg is not installed: no {ext} animation"),
        }
    }
    for (name, bytes) in &animations {
        let ext = name.rsplit('.').next().unwrap();
        if let Some(n) = independent_frames(bytes, ext) {
            assert_eq!(n, 2, "{name}: the first frame blank, the second the group");
        }
    }
    let crest_frames: Vec<RgbaImage> = (0..4).map(crest).collect();
    let crest = gif(&crest_frames);
    assert_eq!(independent_frames(&crest, "gif").unwrap_or(4), 4);

    // Declared as showing nobody: each animation's group is found behind
    // its blank first frame, and blocks. The crest passes.
    let mut photos: Vec<(&str, Vec<u8>, &str)> = animations
        .iter()
        .map(|(n, b)| (*n, b.clone(), "nobody = true"))
        .collect();
    photos.push(("crest.gif", crest.clone(), "nobody = true"));
    let site = site_with("gallery", &photos);
    let (run, all) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let found = with_rule(&all, "faces-in-nobody-photo");
    assert_eq!(found.len(), animations.len(), "{all:#?}");
    for (name, _) in &animations {
        assert!(
            found.iter().any(|f| {
                let m = f["message"].as_str().unwrap();
                m.starts_with(&format!(
                    "the photo {name} is declared as showing nobody, but "
                )) && m.contains("faces are clearly found")
            }),
            "{name}: {found:#?}"
        );
    }
    assert!(
        !files(&found).iter().any(|m| m.contains("crest")),
        "{found:#?}"
    );
    assert!(
        all.iter()
            .all(|f| !f["message"].as_str().unwrap().contains("crest.gif")),
        "the crest passes: {all:#?}"
    );

    // Near miss: the same animations declared as a group of pupils pass
    // (the face count's tolerance raised for a 26-face photo), and so do
    // their close-ups rule and the crest.
    let photos: Vec<(&str, Vec<u8>, &str)> = animations
        .iter()
        .map(|(n, b)| {
            (
                *n,
                b.clone(),
                "people = [\"P1\", \"P2\"]\nfocus = \"group\"",
            )
        })
        .chain([("crest.gif", crest, "nobody = true")])
        .collect();
    let site = site_with("gallery", &photos);
    site.write(
        "config.toml",
        format!("{}\n[consent]\nface_tolerance = 40\n", common::CONFIG),
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(all.iter().all(|f| f["severity"] != "error"), "{all:#?}");
    // The count was made: with no tolerance, the extra faces are questioned.
    site.write("config.toml", common::CONFIG);
    let (_, all) = findings(&site);
    assert_eq!(
        with_rule(&all, "faces-undeclared").len(),
        animations.len(),
        "{all:#?}"
    );
}

/// One face of the 1927 photograph, cropped and enlarged: a portrait.
fn portrait() -> Vec<u8> {
    let solvay = image::load_from_memory(SOLVAY).expect("solvay").to_rgb8();
    let head = imageops::crop_imm(&solvay, 796, 125, 70, 88).to_image();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&imageops::resize(&head, 400, 500, FilterType::Lanczos3))
        .expect("encode");
    out
}

#[test]
fn a_group_photo_needs_two_people_and_two_faces() {
    // One pupil declared as a group: refused at the focus line.
    let site = site_with(
        "gallery",
        &[(
            "building.jpg",
            BUILDING.to_vec(),
            "people = [\"P1\"]\nfocus = \"group\"",
        )],
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let found = with_rule(&all, "photo-declaration");
    assert_eq!(found.len(), 1, "{all:#?}");
    assert_eq!(found[0]["file"], "content/gallery/photos.toml");
    assert_eq!(found[0]["line"], 4);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("building.jpg says focus = \"group\" but declares one person"),
        "{found:#?}"
    );
    let fix = found[0]["fix"].as_str().unwrap();
    assert!(fix.contains("individual consent"), "{fix}");
    assert!(!fix.contains("nobody"), "{fix}");

    // Two pupils in a photo with one face towards the camera: an
    // individual photo whatever it says, so a group focus is refused...
    let site = site_with(
        "gallery",
        &[(
            "portrait.jpg",
            portrait(),
            "people = [\"P1\", \"P2\"]\nfocus = \"group\"",
        )],
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let found = with_rule(&all, "photo-focus");
    assert_eq!(found.len(), 1, "{all:#?}");
    assert_eq!(found[0]["line"], 1);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("only 1 face is found in it"),
        "{found:#?}"
    );
    let fix = found[0]["fix"].as_str().unwrap();
    assert!(fix.contains("focus = \"individual\""), "{fix}");
    assert!(
        !fix.contains("nobody") && !fix.contains("focus = \"group\""),
        "{fix}"
    );
    // ...and so is leaving the focus to its default (a group, for two pupils).
    site.write(
        "content/gallery/photos.toml",
        "[[photo]]\nfile = \"portrait.jpg\"\npeople = [\"P1\", \"P2\"]\n",
    );
    let (_, all) = findings(&site);
    assert_eq!(with_rule(&all, "photo-focus").len(), 1, "{all:#?}");
    // Near miss: declared as the individual photo it is, it passes.
    site.write(
        "content/gallery/photos.toml",
        "[[photo]]\nfile = \"portrait.jpg\"\npeople = [\"P1\", \"P2\"]\nfocus = \"individual\"\n",
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(with_rule(&all, "photo-focus").is_empty(), "{all:#?}");

    // Near miss: a real group photo declared as a group passes, and so
    // does a group photo in which no face is towards the camera.
    let site = site_with(
        "gallery",
        &[
            (
                "solvay.jpg",
                SOLVAY.to_vec(),
                "people = [\"P1\", \"P2\"]\nfocus = \"group\"",
            ),
            (
                "building.jpg",
                BUILDING.to_vec(),
                "people = [\"P1\", \"P2\"]\nfocus = \"group\"",
            ),
        ],
    );
    site.write(
        "config.toml",
        format!("{}\n[consent]\nface_tolerance = 40\n", common::CONFIG),
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(all.iter().all(|f| f["severity"] != "error"), "{all:#?}");
}

#[test]
fn a_photo_of_many_faces_declared_as_nobody_is_refused() {
    let site = site_with(
        "history",
        &[("solvay.jpg", SOLVAY.to_vec(), "nobody = true")],
    );
    for faces in ["warn", "off", "error"] {
        site.write(
            "config.toml",
            format!("{}\n[consent]\nfaces = \"{faces}\"\n", common::CONFIG),
        );
        let (run, all) = findings(&site);
        assert_eq!(run.code, 1, "faces = {faces}: {}", run.all());
        let found = with_rule(&all, "faces-in-nobody-photo");
        assert_eq!(found.len(), 1, "{all:#?}");
        assert_eq!(found[0]["severity"], "error");
        assert_eq!(found[0]["file"], "content/history/photos.toml");
        assert_eq!(found[0]["line"], 1);
        let fix = found[0]["fix"].as_str().unwrap();
        assert!(
            fix.contains("declare everyone in it by register id"),
            "{fix}"
        );
        assert!(fix.contains("faces_checked_by"), "{fix}");
        assert!(!fix.contains("nobody") && !fix.contains("group"), "{fix}");
        // Not also counted as undeclared faces: one finding, one fix.
        assert!(with_rule(&all, "faces-undeclared").is_empty(), "{all:#?}");
    }

    // A member of staff who looked can say nobody from the school is in
    // it (a photograph from 1927): recorded, and the build goes on.
    site.write("config.toml", common::CONFIG);
    site.write(
        "content/history/photos.toml",
        "[[photo]]\nfile = \"solvay.jpg\"\nnobody = true\nfaces_checked_by = \"R. Jones\"\n",
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    let found = with_rule(&all, "faces-in-nobody-photo");
    assert_eq!(found.len(), 1, "{all:#?}");
    assert_eq!(found[0]["severity"], "notice");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("a member of staff looked at it"),
        "{found:#?}"
    );
    // The approver sees who checked, on the photo, in the preview.
    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = site.run(&["preview", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let preview = site.read(".schoolsite/preview.html");
    assert!(
        preview.contains(
            "R. Jones recorded that they looked at it and no one from the school is in it"
        ),
        "{preview}"
    );
    // Only for a photo of nobody: it never quiets a check on people.
    site.write(
        "content/history/photos.toml",
        "[[photo]]\nfile = \"solvay.jpg\"\npeople = [\"T1\"]\nfaces_checked_by = \"R. Jones\"\n",
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(with_rule(&all, "photo-declaration").len(), 1, "{all:#?}");

    // Near miss: a photo of a building declared as showing nobody passes.
    let site = site_with(
        "about",
        &[("building.jpg", BUILDING.to_vec(), "nobody = true")],
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(all.is_empty(), "{all:#?}");
}

#[test]
fn the_same_photo_is_declared_the_same_way_everywhere() {
    // The same bytes, under another name on another page.
    let site = site_with(
        "news/open-day",
        &[("front.jpg", BUILDING.to_vec(), "people = [\"P1\"]")],
    );
    add_page(
        &site,
        "about",
        &[("school.jpg", BUILDING.to_vec(), "people = [\"P1\"]")],
    );
    // Declared identically on both pages: passes.
    let (run, all) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(with_rule(&all, "photo-copies").is_empty(), "{all:#?}");

    // `where` and `leavers` list both uses.
    let check_lists = |site: &Site| {
        let run = site.run(&["where", "P1", "--today", TODAY]);
        assert_eq!(run.code, 0, "{}", run.all());
        for path in [
            "content/about/school.jpg",
            "content/news/open-day/front.jpg",
        ] {
            assert!(run.stdout.contains(path), "{path} not in:\n{}", run.stdout);
        }
        let run = site.run(&["leavers", "--on", "2027-07-23", "--today", TODAY]);
        assert_eq!(run.code, 0, "{}", run.all());
        for path in [
            "content/about/school.jpg",
            "content/news/open-day/front.jpg",
        ] {
            assert!(run.stdout.contains(path), "{path} not in:\n{}", run.stdout);
        }
        for s in SURNAMES {
            assert!(!run.all().contains(s), "{}", run.all());
        }
    };
    check_lists(&site);
    // The approver sees each copy with the other.
    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = site.run(&["preview", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let preview = site.read(".schoolsite/preview.html");
    assert!(
        preview.contains("The same photo is also at <code>content/news/open-day/front.jpg</code>"),
        "{preview}"
    );

    // Declared differently (nobody there): an error naming both places,
    // and `where` and `leavers` still follow the photo to its second use.
    site.write(
        "content/about/photos.toml",
        "[[photo]]\nfile = \"school.jpg\"\nnobody = true\n",
    );
    let (run, all) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let found = with_rule(&all, "photo-copies");
    assert_eq!(found.len(), 1, "{all:#?}");
    // At the second entry in path order, naming the first.
    let message = found[0]["message"].as_str().unwrap();
    for words in [
        "the photo front.jpg is the same photo as content/about/school.jpg",
        "here an individual photo of P1;",
        "in content/about/photos.toml line 1, showing nobody",
    ] {
        assert!(message.contains(words), "{words}: {message}");
    }
    assert_eq!(found[0]["file"], "content/news/open-day/photos.toml");
    assert_eq!(found[0]["line"], 1);
    let fix = found[0]["fix"].as_str().unwrap();
    assert!(fix.contains("the same way"), "{fix}");
    check_lists(&site);

    // Different people, or a different focus, is as wrong.
    for entry in [
        "people = [\"P2\"]",
        "people = [\"P1\", \"P2\"]\nfocus = \"individual\"",
    ] {
        site.write(
            "content/about/photos.toml",
            format!("[[photo]]\nfile = \"school.jpg\"\n{entry}\n"),
        );
        let (_, all) = findings(&site);
        assert_eq!(
            with_rule(&all, "photo-copies").len(),
            1,
            "{entry}: {all:#?}"
        );
    }
}
