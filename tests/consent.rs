//! The consent register end to end: the example school's register and
//! photos are compliant, and breaking them each way blocks the build with
//! the exact finding. `leavers` and `where` answer from the same data.
//! No output ever carries a pupil's full name.

mod common;
use common::*;

/// The date the example's register is checked on in these tests.
const TODAY: &str = "2026-11-23";
const RELAY: &str = "content/news/2026-10-23-house-relay";

/// Surnames in the example register: none may appear in any output.
const SURNAMES: &[&str] = &[
    "Hartley-Brook",
    "Okafor",
    "Fitzgerald",
    "Nguyen",
    "Llewellyn",
    "Price",
    "Mensah",
    "Whitfield",
    "Kowalski",
    "Ashworth",
];

fn exec(site: &Site, args: &[&str]) -> Run {
    let run = site.run(args);
    let all = run.all();
    for s in SURNAMES {
        assert!(
            !all.contains(s),
            "a full name ({s}) is in the output:\n{all}"
        );
    }
    run
}

fn check(site: &Site) -> Run {
    exec(site, &["check", "--today", TODAY])
}

/// The example with the relay photo's people replaced.
fn relay_with(people: &str) -> Site {
    let site = Site::example();
    let sidecar = site.read(&format!("{RELAY}/photos.toml"));
    let changed = sidecar.replace(
        r#"people = ["1001", "1002", "1003", "1004", "S01"]"#,
        &format!("people = [{people}]"),
    );
    assert_ne!(sidecar, changed);
    site.write(&format!("{RELAY}/photos.toml"), changed);
    site
}

fn assert_blocked(run: &Run, expected: &str) {
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains(expected),
        "expected {expected:?} in:\n{}",
        run.stdout
    );
}

const RELAY_PAGE: &str = "content/news/2026-10-23-house-relay/index.md";

#[test]
fn the_example_register_and_photos_are_compliant() {
    let site = Site::example();
    let run = exec(&site, &["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.starts_with("no findings; built"),
        "{}",
        run.stdout
    );
    // The register is never published.
    for f in site.public_files() {
        assert!(
            !f.contains("register") && !f.ends_with(".csv") && !f.ends_with(".toml"),
            "{f}"
        );
    }
}

#[test]
fn a_pupil_who_has_left_blocks_the_photo() {
    let site = relay_with(r#""1001", "1005""#);
    assert_blocked(
        &check(&site),
        "  error[consent-left] line 8: the photo relay.jpg: pupil 1005 (Siân L.) left the school on 2026-07-22\n    fix: take the photo down: photos of pupils are removed once they leave",
    );
}

#[test]
fn expired_consent_blocks_the_photo() {
    let site = relay_with(r#""1001", "1006""#);
    assert_blocked(
        &check(&site),
        "error[consent-expired] line 8: the photo relay.jpg: pupil 1006 (Jake P.) has consent that expired on 2026-09-03",
    );
}

#[test]
fn withdrawn_consent_blocks_the_photo() {
    let site = relay_with(r#""1001", "1007""#);
    assert_blocked(
        &check(&site),
        "error[consent-withdrawn] line 8: the photo relay.jpg: pupil 1007 (Isla M.) had consent withdrawn on 2026-10-12",
    );
}

#[test]
fn a_never_publish_child_blocks_the_photo_whatever_their_consents() {
    let site = relay_with(r#""1001", "1008""#);
    assert_blocked(
        &check(&site),
        "error[consent-never-publish] line 8: the photo relay.jpg: pupil 1008 (Noah W.) must never be published (on the never-publish list)",
    );
}

#[test]
fn group_consent_does_not_cover_an_individual_photo() {
    let site = Site::example();
    let sidecar = site.read(&format!("{RELAY}/photos.toml"));
    site.write(
        &format!("{RELAY}/photos.toml"),
        sidecar.replace(
            r#"file = "sunflower.jpg"
people = ["1001"]"#,
            r#"file = "sunflower.jpg"
people = ["1003"]"#,
        ),
    );
    let run = check(&site);
    assert_blocked(
        &run,
        "error[consent-not-given] line 12: the photo sunflower.jpg: pupil 1003 (Zoë F.) has no consent for website_individual (refused)\n    fix: their parents have not agreed to individual photos",
    );
    // In the group photo the same pupil is fine.
    assert!(!run.stdout.contains("relay.jpg"), "{}", run.stdout);
    // A photo of one pupil is an individual photo, whatever it is
    // declared as: focus = "group" does not get round the refusal.
    let sidecar = site.read(&format!("{RELAY}/photos.toml"));
    site.write(
        &format!("{RELAY}/photos.toml"),
        sidecar.replace(
            r#"people = ["1003"]"#,
            "people = [\"1003\"]\nfocus = \"group\"",
        ),
    );
    assert_blocked(
        &check(&site),
        "the photo sunflower.jpg: pupil 1003 (Zoë F.) has no consent for website_individual (refused)",
    );
}

#[test]
fn an_undeclared_photo_is_blocked() {
    let site = Site::example();
    let sidecar = site.read(&format!("{RELAY}/photos.toml"));
    let cut = sidecar.find("# A photo of one pupil").unwrap();
    site.write(&format!("{RELAY}/photos.toml"), &sidecar[..cut]);
    assert_blocked(
        &check(&site),
        &format!(
            "{RELAY_PAGE}\n  error[photo-undeclared] line 12: the photo sunflower.jpg is not declared: nobody has said who is in it\n    fix: add it to {RELAY}/photos.toml: [[photo]] file = \"sunflower.jpg\""
        ),
    );
    // With no sidecar at all, both photos are blocked.
    std::fs::remove_file(site.path(&format!("{RELAY}/photos.toml"))).unwrap();
    let run = check(&site);
    assert_eq!(
        run.stdout.matches("error[photo-undeclared]").count(),
        2,
        "{}",
        run.stdout
    );
}

#[test]
fn an_unknown_or_duplicate_id_is_blocked_at_the_declaration() {
    let site = relay_with(r#""1001", "2001""#);
    assert_blocked(
        &check(&site),
        &format!(
            "{RELAY}/photos.toml\n  error[consent-unknown-person] line 8: the photo relay.jpg: id 2001 is not in the consent register"
        ),
    );
    let site = Site::example();
    let register = site.read("consent/register.csv");
    site.write(
        "consent/register.csv",
        format!("{register}1002,Other,Child,,,Year 1,,07/09/2026,no,,yes,yes,yes,yes,no\n"),
    );
    let run = check(&site);
    assert!(
        run.stdout.contains(
            "consent/register.csv\n  warning[consent-register] row 3: id 1002 is also on row 16"
        ),
        "{}",
        run.stdout
    );
    assert_blocked(
        &run,
        "error[consent-unknown-person] line 8: the photo relay.jpg: id 1002 is on more than one row of the register (3, 16)",
    );
}

#[test]
fn leavers_and_expiry_warn_ahead_then_block() {
    let site = Site::example();
    // Only the photos are under test: by next summer the example's
    // policies are due for review too (see tests/statutory.rs).
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        config.replace("profile = \"maintained\"", "profile = \"none\""),
    );
    // 20 days before Harry (1004) leaves: a warning, the build goes ahead.
    let run = exec(&site, &["check", "--today", "2027-07-01"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("warning[consent-leaving-soon] line 8: the photo relay.jpg: pupil 1004 (Harry N.) leaves the school on 2027-07-21 (in 20 days)"), "{}", run.stdout);
    // On the day he leaves, the photo must be down.
    let run = exec(&site, &["check", "--today", "2027-07-21"]);
    assert_blocked(
        &run,
        "error[consent-left] line 8: the photo relay.jpg: pupil 1004 (Harry N.) left the school on 2027-07-21",
    );
    // A year after consent was given, every photo of a pupil is blocked
    // until it is renewed.
    let run = exec(&site, &["check", "--today", "2027-09-08"]);
    assert_blocked(
        &run,
        "error[consent-expired] line 12: the photo sunflower.jpg: pupil 1001 (Millie H.) has consent that expired on 2027-09-07",
    );
}

#[test]
fn leavers_lists_what_must_come_down_by_a_date() {
    let site = Site::example();
    let out = exec(&site, &["leavers", "--on", "2027-07-23", "--today", TODAY]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        out.stdout,
        format!(
            "Photos that must come down by 2027-07-23 (checked on {TODAY}):\n\n\
             1004 (Harry N.), pupil, Year 6: left the school on 2027-07-21\n  \
             {RELAY}/relay.jpg (group photo)\n    \
             on {RELAY_PAGE} line 8 (/news/house-relay/)\n\n\
             1 photo of 1 person must come down by 2027-07-23.\n"
        )
    );
    let out = exec(
        &site,
        &[
            "leavers",
            "--on",
            "2027-09-30",
            "--today",
            TODAY,
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["on"], "2027-09-30");
    let ids: Vec<&str> = doc["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["who"]["id"].as_str().unwrap())
        .collect();
    // By the end of September every pupil's consent has lapsed too.
    assert_eq!(
        ids,
        ["1001", "1002", "1003", "1004", "s01"].map(|s| if s == "s01" { "S01" } else { s })
    );
    assert_eq!(doc["people"][0]["who"]["name"], "Millie H.");
    assert_eq!(doc["people"][0]["photos"].as_array().unwrap().len(), 2);
    assert_eq!(doc["people"][0]["photos"][0]["pages"][0]["line"], 8);
    let out = exec(&site, &["leavers", "--on", "2026-12-01", "--today", TODAY]);
    assert_eq!(
        out.stdout,
        format!("No published photo has to come down by 2026-12-01 (checked on {TODAY}).\n")
    );
}

#[test]
fn where_finds_every_photo_of_a_pupil() {
    let site = Site::example();
    let out = exec(&site, &["where", "1001", "--today", TODAY]);
    assert_eq!(out.code, 0, "{}", out.all());
    for expected in [
        "1001 (Millie H.), pupil, Year 5\n",
        "  register: consent/register.csv row 2\n",
        "  may appear today in website_individual photos\n",
        "In 2 photos (2 published):\n",
        &format!(
            "  {RELAY}/relay.jpg (group photo; declared in {RELAY}/photos.toml line 6)\n    on {RELAY_PAGE} line 8 (/news/house-relay/)\n"
        ),
        &format!(
            "  {RELAY}/sunflower.jpg (individual photo; declared in {RELAY}/photos.toml line 13)\n    on {RELAY_PAGE} line 12 (/news/house-relay/)\n"
        ),
    ] {
        assert!(
            out.stdout.contains(expected),
            "{expected:?} not in:\n{}",
            out.stdout
        );
    }
    let out = exec(
        &site,
        &["where", "1007", "--today", TODAY, "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["person"]["name"], "Isla M.");
    assert_eq!(doc["may_appear"]["website_group"], false);
    assert_eq!(doc["photos"].as_array().unwrap().len(), 0);
    let out = exec(&site, &["where", "9999", "--today", TODAY]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("9999 is not in the consent register and no photo declares it")
    );
}

#[test]
fn the_blurred_region_is_pixelated_in_every_published_copy() {
    let site = Site::example();
    assert_eq!(exec(&site, &["build", "--today", TODAY]).code, 0);
    let json = exec(&site, &["check", "--today", TODAY, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let relay = doc["media"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["source"].as_str().unwrap().ends_with("relay.jpg"))
        .unwrap();
    assert_eq!(relay["blurred"], 1);
    let sizes = relay["sizes"].as_array().unwrap();
    assert_eq!(sizes.len(), 3);
    let original = decode(&std::fs::read(site.path(&format!("{RELAY}/relay.jpg"))).unwrap());
    for size in sizes {
        let bytes =
            std::fs::read(site.path("public").join(size["path"].as_str().unwrap())).unwrap();
        let img = decode(&bytes);
        let (w, h) = img.dimensions();
        // Compared with the original scaled to the same size, the published
        // copy differs a lot inside the region (right 12%, 45% to 90% down)
        // and hardly at all outside it.
        let reference =
            image::imageops::resize(&original, w, h, image::imageops::FilterType::Lanczos3);
        let inside = mean_difference(
            &img,
            &reference,
            (w * 89 / 100, h * 47 / 100),
            (w, h * 88 / 100),
        );
        let outside = mean_difference(&img, &reference, (0, 0), (w * 85 / 100, h));
        assert!(
            inside > 12.0 && outside < 3.0,
            "{}: inside {inside}, outside {outside}",
            size["path"]
        );
    }
}

/// Mean absolute difference per channel over a rectangle.
fn mean_difference(
    a: &image::RgbImage,
    b: &image::RgbImage,
    from: (u32, u32),
    to: (u32, u32),
) -> f64 {
    let mut sum = 0u64;
    let mut n = 0u64;
    for y in from.1..to.1 {
        for x in from.0..to.0 {
            let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
            for c in 0..3 {
                sum += u64::from(p[c].abs_diff(q[c]));
                n += 1;
            }
        }
    }
    sum as f64 / n as f64
}

#[test]
fn more_faces_than_people_declared_is_questioned() {
    let site = Site::new();
    site.write(
        "content/history/solvay.jpg",
        include_bytes!("fixtures/solvay-1927.jpg"),
    );
    site.write(
        "content/history/index.md",
        page(
            "title = \"History\"",
            "![A group photograph of scientists in 1927](solvay.jpg)\n",
        ),
    );
    site.write(
        "consent/register.csv",
        "id,legal_forename,legal_surname,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\nT1,Ann,Example,staff,,2026-09-01,no,yes,yes,yes\nT2,Bob,Example,staff,,2026-09-01,no,yes,yes,yes\n",
    );
    site.write(
        "content/history/photos.toml",
        "[[photo]]\nfile = \"solvay.jpg\"\npeople = [\"T1\", \"T2\"]\n",
    );
    let out = check(&site);
    assert_eq!(out.code, 0, "{}", out.all());
    let line = out
        .stdout
        .lines()
        .find(|l| {
            l.contains(
                "warning[faces-undeclared] line 1: the photo solvay.jpg: 2 people declared, ",
            )
        })
        .unwrap_or_else(|| panic!("{}", out.stdout));
    let found: u32 = line
        .split(", ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(found >= 15, "{line}");
    assert!(
        out.stdout
            .contains("Faces are only counted, never identified")
    );

    // A school can make it an error, or turn it off.
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[consent]\nfaces = \"error\"\n"),
    );
    assert_blocked(&check(&site), "error[faces-undeclared]");
    site.write(
        "config.toml",
        format!("{config}\n[consent]\nfaces = \"off\"\n"),
    );
    let out = check(&site);
    assert!(!out.stdout.contains("faces-undeclared"), "{}", out.stdout);

    // A photo declared as showing nobody in which faces are clearly
    // found is an error, whatever [consent] faces says.
    for faces in ["warn", "off"] {
        site.write(
            "config.toml",
            format!("{config}\n[consent]\nfaces = \"{faces}\"\n"),
        );
        site.write(
            "content/history/photos.toml",
            "[[photo]]\nfile = \"solvay.jpg\"\nnobody = true\n",
        );
        assert_blocked(
            &check(&site),
            "error[faces-in-nobody-photo] line 1: the photo solvay.jpg is declared as showing nobody, but ",
        );
    }
}

#[test]
fn an_excel_export_in_windows_1252_still_works() {
    let site = Site::example();
    let register = site.read("consent/register.csv");
    // Excel's plain "CSV" on a UK PC: Windows-1252, semicolons in some
    // locales, CRLF line ends, UK dates.
    let cp1252: Vec<u8> = register
        .replace(',', ";")
        .replace('\n', "\r\n")
        .chars()
        .map(|c| match c {
            'ë' => 0xEB,
            'â' => 0xE2,
            c if c.is_ascii() => c as u8,
            c => panic!("unexpected {c}"),
        })
        .collect();
    site.write("consent/register.csv", cp1252);
    let out = check(&site);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("consent/register.csv\n  warning[consent-register]: the register is not UTF-8; it was read as Windows-1252"), "{}", out.stdout);
    // The accented names were read right: Zoë's masked name still has ë.
    let out = exec(&site, &["where", "1003", "--today", TODAY]);
    assert!(
        out.stdout.starts_with("1003 (Zoë F.), pupil, Year 5\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_register_that_cannot_be_read_is_a_clear_finding() {
    let site = Site::example();
    let register = site.read("consent/register.csv");
    // A column renamed in the MIS.
    site.write(
        "consent/register.csv",
        register.replacen("legal_surname", "family_name", 1),
    );
    let out = check(&site);
    assert_blocked(
        &out,
        "consent/register.csv\n  error[consent-register] row 1: the register has no column for: legal_surname (its headers are",
    );
    // Every declared person's photo is then blocked too, at the id.
    assert!(out.stdout.contains("error[consent-unknown-person] line 8: the photo relay.jpg: id 1001 cannot be checked: there is no readable consent register"), "{}", out.stdout);

    // An export with only a header.
    site.write("consent/register.csv", register.lines().next().unwrap());
    assert_blocked(
        &check(&site),
        "consent/register.csv\n  error[consent-register]: the register has no one in it",
    );

    // A bad value on one row blocks only that person's photos.
    site.write(
        "consent/register.csv",
        register.replace(
            "1004,Harry,Nguyen,,,Year 6,21/07/2027",
            "1004,Harry,Nguyen,,,Year 6,31/02/2027",
        ),
    );
    let out = check(&site);
    assert!(out.stdout.contains("consent/register.csv\n  warning[consent-register] row 5: id 1004: leaving_date: \"31/02/2027\" is not a real date; a photo of this person is blocked until it is fixed"), "{}", out.stdout);
    assert_blocked(
        &out,
        "error[consent-register] line 8: the photo relay.jpg: pupil 1004 (Harry N.) has an unreadable leaving date",
    );
    assert!(!out.stdout.contains("sunflower.jpg"), "{}", out.stdout);

    // A broken photos.toml blocks the photos it should declare.
    site.write("consent/register.csv", &register);
    site.write(
        &format!("{RELAY}/photos.toml"),
        "[[photo]\nfile = \"relay.jpg\"\n",
    );
    let out = check(&site);
    assert!(
        out.stdout.contains(&format!(
            "{RELAY}/photos.toml\n  error[photo-declaration] line 1: it could not be read"
        )),
        "{}",
        out.stdout
    );
    assert_blocked(
        &out,
        "error[photo-undeclared] line 8: the photo relay.jpg is not declared: nobody has said who is in it (content/news/2026-10-23-house-relay/photos.toml could not be read)",
    );
}
