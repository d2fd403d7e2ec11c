//! Identifiable photos (issue 23): a face-on close-up of a pupil is a
//! finding, `audit-photos` lists every published photo of pupils by how
//! identifiable it is, and photos of pupils can be published smaller.
//!
//! Real photos throughout: the 1927 Solvay Conference group photograph
//! (tests/fixtures/solvay-1927.jpg), one face cropped out of it and
//! enlarged as a face-on portrait, the same group scaled down as if taken
//! from far away, and the example school's photo of its building.

mod common;

use common::{Site, json_findings, page, tool, with_rule};
use image::imageops::{self, FilterType};

const SOLVAY: &[u8] = include_bytes!("fixtures/solvay-1927.jpg");
const BUILDING: &[u8] = include_bytes!("../content/school-building.jpg");
const TODAY: &str = "2026-10-01";
const SURNAMES: &[&str] = &["Testperson", "Otherchild", "Teacher"];

fn jpeg(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .expect("encode");
    out
}

/// A face-on portrait: one sitter of the 1927 photograph (the face the
/// detector is surest of, 37 pixels at 813,151), cropped to the head and
/// enlarged to 400×500.
fn portrait() -> Vec<u8> {
    let solvay = image::load_from_memory(SOLVAY).expect("solvay").to_rgb8();
    let head = imageops::crop_imm(&solvay, 796, 125, 70, 88).to_image();
    jpeg(&imageops::resize(&head, 400, 500, FilterType::Lanczos3))
}

/// The same group as if photographed from far away: 400 pixels wide, its
/// faces smaller than the detector looks for.
fn distant_group() -> Vec<u8> {
    let solvay = image::load_from_memory(SOLVAY).expect("solvay").to_rgb8();
    jpeg(&imageops::resize(&solvay, 400, 168, FilterType::Lanczos3))
}

/// A gallery page showing each of `photos` (name, bytes, declared ids),
/// and a register of two pupils and a member of staff, everyone with every
/// consent.
fn gallery(photos: &[(&str, Vec<u8>, &[&str])]) -> Site {
    let site = Site::new();
    site.write(
        "consent/register.csv",
        "id,legal_forename,legal_surname,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n\
         P1,Amelia,Testperson,pupil,,2026-09-01,no,yes,yes,yes\n\
         P2,Noah,Otherchild,pupil,,2026-09-01,no,yes,yes,yes\n\
         T1,Ruth,Teacher,staff,,2026-09-01,no,yes,yes,yes\n",
    );
    let mut body = String::new();
    let mut sidecar = String::new();
    for (name, bytes, people) in photos {
        site.write(&format!("content/gallery/{name}"), bytes);
        body.push_str(&format!("![A photo of the school day]({name})\n\n"));
        let ids: Vec<String> = people.iter().map(|p| format!("\"{p}\"")).collect();
        sidecar.push_str(&format!(
            "[[photo]]\nfile = \"{name}\"\npeople = [{}]\n\n",
            ids.join(", ")
        ));
    }
    site.write("content/gallery/photos.toml", sidecar);
    site.write(
        "content/gallery/index.md",
        page("title = \"Gallery\"", &body),
    );
    site
}

fn set_config(site: &Site, extra: &str) {
    site.write("config.toml", format!("{}\n{extra}\n", common::CONFIG));
}

/// The line of `[[photo]]` for `file` in the gallery's photos.toml.
fn entry_line(site: &Site, file: &str) -> u64 {
    let text = site.read("content/gallery/photos.toml");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == format!("file = \"{file}\""))
        .expect("entry");
    at as u64 // the line before, 1-based
}

#[test]
fn a_face_on_portrait_of_a_pupil_is_questioned() {
    let site = gallery(&[("portrait.jpg", portrait(), &["P1"])]);
    let (run, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(run.code, 0, "a warning does not block: {}", run.all());
    let found = with_rule(&findings, "identifiable-photo");
    assert_eq!(found.len(), 1, "{findings:#?}");
    let f = found[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["file"], "content/gallery/photos.toml");
    assert_eq!(f["line"], entry_line(&site, "portrait.jpg"));
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("the photo portrait.jpg shows a pupil and is a face-on close-up"),
        "{message}"
    );
    assert!(message.contains("content/gallery/index.md"), "{message}");
    let fix = f["fix"].as_str().unwrap();
    for words in [
        "avoid face-on, identifiable photos of pupils",
        "at a distance, of groups, or from behind",
        "NCA",
        "max_pupil_long_edge",
        "never identified",
    ] {
        assert!(fix.contains(words), "{words:?} not in {fix}");
    }
    // The fix never offers a way around: declaring nobody, or staff.
    assert!(!fix.contains("nobody"), "{fix}");

    // A school can make it block, or turn it off.
    set_config(&site, "[photos]\nidentifiable = \"error\"\n");
    let (run, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(
        with_rule(&findings, "identifiable-photo")[0]["severity"],
        "error"
    );
    set_config(&site, "[photos]\nidentifiable = \"off\"\n");
    let (run, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(with_rule(&findings, "identifiable-photo").is_empty());

    // Faces are still looked for when only this rule wants them.
    set_config(&site, "[consent]\nfaces = \"off\"\n");
    let (_, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(with_rule(&findings, "identifiable-photo").len(), 1);

    // A stricter line is the school's to draw: a close-up from 50% of
    // the short edge lets this portrait pass.
    set_config(&site, "[photos]\nclose_up_percent = 50\n");
    let (_, findings) = json_findings(&site, TODAY, SURNAMES);
    assert!(with_rule(&findings, "identifiable-photo").is_empty());
    set_config(&site, "[photos]\nclose_up_percent = 0\n");
    let run = site.run(&["check", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.all().contains("close_up_percent"), "{}", run.all());
}

#[test]
fn a_portrait_of_staff_only_is_not_questioned() {
    let site = gallery(&[("portrait.jpg", portrait(), &["T1"])]);
    let (run, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(with_rule(&findings, "identifiable-photo").is_empty());
    // With a pupil beside the member of staff, it is: nobody can say
    // whose the face is.
    let site = gallery(&[("portrait.jpg", portrait(), &["T1", "P1"])]);
    let (_, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(with_rule(&findings, "identifiable-photo").len(), 1);
}

#[test]
fn groups_at_a_distance_and_buildings_pass() {
    let site = gallery(&[
        ("solvay.jpg", SOLVAY.to_vec(), &["P1", "P2"]),
        ("distant.jpg", distant_group(), &["P1", "P2"]),
        ("building.jpg", BUILDING.to_vec(), &["P1"]),
    ]);
    set_config(&site, "[consent]\nface_tolerance = 40\n");
    let (run, findings) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        with_rule(&findings, "identifiable-photo").is_empty(),
        "{findings:#?}"
    );
    // Even as errors, nothing blocks.
    set_config(
        &site,
        "[consent]\nface_tolerance = 40\n[photos]\nidentifiable = \"error\"\n",
    );
    let (run, _) = json_findings(&site, TODAY, SURNAMES);
    assert_eq!(run.code, 0, "{}", run.all());
}

fn audit(site: &Site) -> serde_json::Value {
    let run = site.run(&["audit-photos", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    for surname in SURNAMES {
        assert!(!run.all().contains(surname), "a full name: {}", run.all());
    }
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

#[test]
fn audit_photos_lists_pupil_photos_most_identifiable_first() {
    let site = gallery(&[
        ("building.jpg", BUILDING.to_vec(), &["P1"]),
        ("distant.jpg", distant_group(), &["P1", "P2"]),
        ("solvay.jpg", SOLVAY.to_vec(), &["P1", "P2", "T1"]),
        ("portrait.jpg", portrait(), &["P2"]),
        ("staff.jpg", portrait(), &["T1"]),
    ]);
    // An unpublished photo (no page shows it) is not listed.
    site.write("content/gallery/unused.jpg", portrait());
    let doc = audit(&site);
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["today"], TODAY);
    assert_eq!(doc["close_up"]["percent"], 10);
    assert_eq!(doc["close_up"]["pixels"], 64);
    assert_eq!(doc["max_pupil_long_edge"], 1600);
    let photos = doc["photos"].as_array().expect("photos");
    let order: Vec<&str> = photos
        .iter()
        .map(|p| p["photo"].as_str().unwrap())
        .collect();
    // Staff only is not a photo of pupils; no face found last, the
    // larger photo first.
    assert_eq!(
        order,
        [
            "content/gallery/portrait.jpg",
            "content/gallery/solvay.jpg",
            "content/gallery/building.jpg",
            "content/gallery/distant.jpg",
        ],
        "{doc:#}"
    );
    let grades: Vec<&str> = photos
        .iter()
        .map(|p| p["grade"].as_str().unwrap())
        .collect();
    assert_eq!(
        grades,
        [
            "close-up",
            "faces-visible",
            "no-face-found",
            "no-face-found"
        ]
    );

    let portrait = &photos[0];
    assert_eq!(portrait["faces"], 1, "{portrait:#}");
    let pixels = portrait["largest_face_pixels"].as_u64().unwrap();
    let percent = portrait["largest_face_percent"].as_f64().unwrap();
    assert!((100..=400).contains(&pixels), "{portrait:#}");
    assert!(percent >= 25.0, "{portrait:#}");
    assert_eq!(
        (
            &portrait["width"],
            &portrait["height"],
            &portrait["long_edge"]
        ),
        (&400.into(), &500.into(), &500.into()),
        "{portrait:#}"
    );
    assert_eq!(portrait["focus"], "individual");
    assert_eq!(portrait["consent"], "may-appear");
    assert_eq!(portrait["declared_in"], "content/gallery/photos.toml");
    assert_eq!(portrait["declared_line"], entry_line(&site, "portrait.jpg"));
    assert_eq!(portrait["people"][0]["who"]["id"], "P2");
    assert_eq!(portrait["people"][0]["who"]["name"], "Noah O.");
    assert_eq!(portrait["people"][0]["may_appear"], true);
    assert_eq!(portrait["pages"][0]["file"], "content/gallery/index.md");
    assert_eq!(portrait["pages"][0]["url"], "/gallery/");

    let solvay = &photos[1];
    assert!(solvay["faces"].as_u64().unwrap() >= 15, "{solvay:#}");
    assert!(
        solvay["largest_face_pixels"].as_u64().unwrap() < 64,
        "{solvay:#}"
    );
    assert_eq!(solvay["long_edge"], 1000);
    assert_eq!(solvay["people"].as_array().unwrap().len(), 3);
    assert_eq!(photos[2]["faces"], 0);
    assert_eq!(photos[2]["largest_face_pixels"], 0);

    // Consent that stops a photo shows in the listing.
    let register = site.read("consent/register.csv");
    site.write(
        "consent/register.csv",
        register.replace(
            "P2,Noah,Otherchild,pupil,,2026-09-01,no,yes,yes,yes",
            "P2,Noah,Otherchild,pupil,,2026-09-01,no,yes,withdrawn,yes",
        ),
    );
    let doc = audit(&site);
    let portrait = &doc["photos"][0];
    assert_eq!(portrait["consent"], "blocked", "{portrait:#}");
    assert_eq!(portrait["people"][0]["may_appear"], false);
    assert!(
        !portrait["people"][0]["problems"][0]
            .as_str()
            .unwrap()
            .is_empty()
    );

    // The same for people.
    let run = site.run(&["audit-photos", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let first = run
        .stdout
        .lines()
        .find(|l| l.starts_with("content/"))
        .unwrap_or_default();
    assert_eq!(first, "content/gallery/portrait.jpg: face-on close-up");
    assert!(
        run.stdout.contains("P2 (Noah O.), pupil: may not appear"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("4 published photos of pupils: 1 face-on close-up"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("never identified"), "{}", run.stdout);
}

#[test]
fn a_lower_long_edge_for_pupil_photos_is_applied() {
    // Another photo of the same size for the member of staff (the same
    // bytes declared as someone else would be refused: photo-copies).
    let staff = image::load_from_memory(&portrait())
        .expect("portrait")
        .to_rgb8();
    let site = gallery(&[
        ("portrait.jpg", portrait(), &["P1"]),
        (
            "staff.jpg",
            jpeg(&imageops::flip_horizontal(&staff)),
            &["T1"],
        ),
    ]);
    set_config(&site, "[images]\nmax_pupil_long_edge = 300\n");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let html = site.read("public/gallery/index.html");
    // Every published image, read by an independent reader.
    let mut sizes = Vec::new();
    for (rel, _) in common::published_media(&site) {
        let path = site.path("public").join(&rel);
        let Some(out) = tool(
            "exiftool",
            &["-s3", "-ImageWidth", "-ImageHeight", path.to_str().unwrap()],
        ) else {
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let dims: Vec<u32> = text.lines().map(|l| l.trim().parse().unwrap()).collect();
        sizes.push((rel, dims[0], dims[1]));
    }
    // The pupil's portrait: at most 300 pixels on its long edge (240×300),
    // the original not published; the staff portrait keeps its 400×500.
    let largest = sizes.iter().map(|(_, w, h)| (*w).max(*h)).max().unwrap();
    assert_eq!(largest, 500, "{sizes:?}");
    let pupil: Vec<_> = sizes
        .iter()
        .filter(|(_, w, h)| (*w).max(*h) < 500)
        .collect();
    assert!(
        pupil.iter().any(|(_, w, h)| (*w, *h) == (240, 300)),
        "{sizes:?}"
    );
    assert!(
        pupil.iter().all(|(_, w, h)| (*w).max(*h) <= 300),
        "{sizes:?}"
    );
    assert!(html.contains("width=\"240\" height=\"300\""), "{html}");

    // The audit reports the size published; a close-up is still one.
    let doc = audit(&site);
    let photos = doc["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 1, "{doc:#}");
    assert_eq!(photos[0]["long_edge"], 300);
    assert_eq!(photos[0]["grade"], "close-up");
    assert_eq!(doc["max_pupil_long_edge"], 300);
}
