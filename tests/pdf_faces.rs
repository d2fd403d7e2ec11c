//! Faces in PDFs, counted on what is drawn: the 1927 Solvay photograph
//! (real faces) embedded whole as a JPEG, and cut into strips drawn
//! together, is found in a document declared as showing nobody; a logo
//! is not. Images a PDF stores but never draws are removed by the
//! cleaner (checked with `pdfimages -list`), and contact details in its
//! bookmarks are found. Each case has a near miss that passes.

mod common;
use common::*;

const REGISTER: &str = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name
1001,Amelia,Smith,Millie,pupil,,2026-09-01,no,yes,yes,yes
1002,Oliver,Jones,,pupil,,2026-09-01,no,yes,yes,yes
";

const TODAY: &str = "2026-11-23";

const SOLVAY: &[u8] = include_bytes!("fixtures/solvay-1927.jpg");

/// A site whose letters page links `letter.pdf`, declared with `entry`
/// (the lines of its `[[photo]]` entry after `file`).
fn letters_site(pdf: &[u8], entry: &str) -> Site {
    let site = Site::new();
    site.write("consent/register.csv", REGISTER);
    site.write(
        "content/letters/index.md",
        "+++\ntitle = \"Letters home\"\n+++\n\n[A letter (PDF)](letter.pdf)\n",
    );
    site.write("content/letters/letter.pdf", pdf);
    site.write(
        "content/letters/photos.toml",
        format!("[[photo]]\nfile = \"letter.pdf\"\n{entry}\n"),
    );
    site
}

/// One page drawing `content` with `resources` (besides `/F1`,
/// Helvetica); the catalog has the entries `catalog`. `extra` are
/// objects 6, 7, … (object 5 is the page's drawing).
fn one_page(catalog: &str, resources: &str, content: &str, extra: &[Vec<u8>]) -> Vec<u8> {
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (1, format!("<< /Type /Catalog /Pages 2 0 R {catalog} >>").into_bytes()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (3, format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> {resources} >> /Contents 5 0 R >>").into_bytes()),
        (4, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec()),
        (5, pdf_stream(b"", format!("{}{content}", pdf_text(60, 780, "Our science week")).as_bytes())),
    ];
    for (i, o) in extra.iter().enumerate() {
        objects.push((6 + i as u32, o.clone()));
    }
    pdf_from(&objects)
}

/// The Solvay photograph as a JPEG image object.
fn solvay_jpeg() -> Vec<u8> {
    pdf_stream(
        b"/Type /XObject /Subtype /Image /Width 1000 /Height 420 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode",
        SOLVAY,
    )
}

/// A page drawing the photograph whole, at half its pixels' size.
fn whole_photo() -> Vec<u8> {
    one_page(
        "",
        "/XObject << /Im 6 0 R >>",
        "q 500 0 0 210 60 400 cm /Im Do Q\n",
        &[solvay_jpeg()],
    )
}

/// The photograph's top 380 rows cut into four strips of 1000×95 (each
/// too short to count alone), grey and uncompressed, drawn `gap` points
/// apart from top to bottom at half their pixels' size.
fn strips(gap: f32) -> Vec<u8> {
    let grey = image::load_from_memory(SOLVAY).unwrap().to_luma8();
    let mut draw = String::new();
    let mut names = String::new();
    let mut objects = Vec::new();
    for i in 0..4u32 {
        let rows: Vec<u8> = (i * 95..(i + 1) * 95)
            .flat_map(|y| (0..1000).map(move |x| (x, y)))
            .map(|(x, y)| grey.get_pixel(x, y).0[0])
            .collect();
        objects.push(pdf_stream(
            b"/Type /XObject /Subtype /Image /Width 1000 /Height 95 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &rows,
        ));
        names.push_str(&format!("/S{i} {} 0 R ", 6 + i));
        let y = 600.0 - (i as f32 + 1.0) * (47.5 + gap);
        draw.push_str(&format!("q 500 0 0 47.5 60 {y} cm /S{i} Do Q\n"));
    }
    one_page("", &format!("/XObject << {names}>>"), &draw, &objects)
}

/// The findings of `check`.
fn findings(site: &Site) -> (Run, Vec<serde_json::Value>) {
    json_findings(site, TODAY, &["Smith", "Jones"])
}

#[test]
fn the_solvay_photo_in_a_pdf_declared_nobody_is_an_error() {
    let site = letters_site(&whole_photo(), "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let faces = with_rule(&found, "faces-in-nobody-photo");
    assert_eq!(faces.len(), 1, "{found:#?}");
    let f = faces[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "content/letters/photos.toml");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("the document letter.pdf is declared as showing nobody"),
        "{message}"
    );
    assert!(message.contains("in one of its pictures"), "{message}");
    assert!(
        f["fix"].as_str().unwrap().contains("declare everyone"),
        "{f}"
    );
    // Near miss: a member of staff looked and found no one from the
    // school: a notice, and the build goes on.
    let site = letters_site(
        &whole_photo(),
        "nobody = true\nfaces_checked_by = \"R. Staff\"",
    );
    let (run, found) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    let faces = with_rule(&found, "faces-in-nobody-photo");
    assert_eq!(faces.len(), 1, "{found:#?}");
    assert_eq!(faces[0]["severity"], "notice");
}

#[test]
fn more_faces_than_people_declared_in_a_pdf_are_questioned() {
    let site = letters_site(&whole_photo(), "people = [\"1001\", \"1002\"]");
    let (_, found) = findings(&site);
    let undeclared = with_rule(&found, "faces-undeclared");
    assert_eq!(undeclared.len(), 1, "{found:#?}");
    let message = undeclared[0]["message"].as_str().unwrap();
    assert!(message.contains("2 people declared"), "{message}");
    // Near miss: with faces not counted, nothing is questioned.
    site.write(
        "config.toml",
        format!("{CONFIG}[consent]\nfaces = \"off\"\n"),
    );
    let (_, found) = findings(&site);
    assert!(
        with_rule(&found, "faces-undeclared").is_empty(),
        "{found:#?}"
    );
}

#[test]
fn the_solvay_photo_cut_into_strips_drawn_together_still_shows_its_faces() {
    let site = letters_site(&strips(0.0), "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let faces = with_rule(&found, "faces-in-nobody-photo");
    assert_eq!(faces.len(), 1, "{found:#?}");
    // Most of the group: faces cut by the strips' edges are whole again.
    let message = faces[0]["message"].as_str().unwrap();
    let count: u32 = message
        .split("but ")
        .nth(1)
        .and_then(|m| m.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(count >= 15, "{message}");
    // Near miss: the same strips drawn far apart are no picture at all
    // (each is too short to be one), so nothing is looked at.
    let site = letters_site(&strips(100.0), "nobody = true");
    let (run, found) = findings(&site);
    assert!(
        with_rule(&found, "faces-in-nobody-photo").is_empty(),
        "{found:#?}"
    );
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_logo_and_text_in_a_pdf_declared_nobody_shows_no_face() {
    // A 200×200 logo: rings of grey, big enough to count as a picture.
    let logo: Vec<u8> = (0..200u32 * 200)
        .map(|i| {
            let (x, y) = (i % 200, i / 200);
            let r = ((x as i32 - 100).pow(2) + (y as i32 - 100).pow(2)) as u32;
            if (r / 400).is_multiple_of(2) { 40 } else { 220 }
        })
        .collect();
    let pdf = one_page(
        "",
        "/XObject << /Logo 6 0 R >>",
        "q 100 0 0 100 60 650 cm /Logo Do Q\n",
        &[pdf_stream(
            b"/Type /XObject /Subtype /Image /Width 200 /Height 200 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &logo,
        )],
    );
    let site = letters_site(&pdf, "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        with_rule(&found, "faces-in-nobody-photo").is_empty()
            && with_rule(&found, "faces-undeclared").is_empty()
            && with_rule(&found, "faces-unchecked").is_empty(),
        "{found:#?}"
    );
}

#[test]
fn a_picture_that_cannot_be_decoded_fails_closed_in_a_pdf_declared_nobody() {
    // A fax-coded scan: its pixels cannot be decoded to look for faces.
    let pdf = one_page(
        "",
        "/XObject << /Scan 6 0 R >>",
        "q 500 0 0 700 40 60 cm /Scan Do Q\n",
        &[pdf_stream(
            b"/Type /XObject /Subtype /Image /Width 1700 /Height 2200 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 1700 /Rows 2200 >>",
            &[0u8; 64],
        )],
    );
    let site = letters_site(&pdf, "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let unchecked = with_rule(&found, "faces-unchecked");
    assert_eq!(unchecked.len(), 1, "{found:#?}");
    assert!(
        unchecked[0]["fix"]
            .as_str()
            .unwrap()
            .contains("faces_checked_by"),
        "{unchecked:?}"
    );
    // Near miss: a member of staff looked at it.
    let site = letters_site(&pdf, "nobody = true\nfaces_checked_by = \"R. Staff\"");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        with_rule(&found, "faces-unchecked")[0]["severity"],
        "notice"
    );
}

#[test]
fn a_pdf_with_more_pictures_than_are_looked_at_is_refused() {
    let many = |n: u32| {
        let mut draw = String::new();
        let mut names = String::new();
        let mut objects = Vec::new();
        for i in 0..n {
            let data: Vec<u8> = (0..96u32 * 96).map(|p| (p * (i + 3)) as u8).collect();
            objects.push(pdf_stream(
                b"/Type /XObject /Subtype /Image /Width 96 /Height 96 /ColorSpace /DeviceGray /BitsPerComponent 8",
                &data,
            ));
            names.push_str(&format!("/I{i} {} 0 R ", 6 + i));
            let (x, y) = (20 + (i % 10) * 50, 60 + (i / 10) * 50);
            draw.push_str(&format!("q 40 0 0 40 {x} {y} cm /I{i} Do Q\n"));
        }
        one_page("", &format!("/XObject << {names}>>"), &draw, &objects)
    };
    let site = letters_site(&many(101), "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let refused = with_rule(&found, "media-refused");
    assert_eq!(refused.len(), 1, "{found:#?}");
    let message = refused[0]["message"].as_str().unwrap();
    assert!(message.contains("more than 100 pictures"), "{message}");
    assert!(
        refused[0]["fix"].as_str().unwrap().contains("split it"),
        "{refused:?}"
    );
    // Near miss: a hundred are looked at.
    let site = letters_site(&many(100), "nobody = true");
    let (run, _) = findings(&site);
    assert_eq!(run.code, 0, "{}", run.all());
}

/// Images `pdfimages -list` lists in `pdf`: (width, height).
fn pdfimages(pdf: &[u8]) -> Option<Vec<(u32, u32)>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdfimages", &["-list", path.to_str().unwrap()])?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut list: Vec<(u32, u32)> = text
        .lines()
        .skip(2)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            Some((cols.get(3)?.parse().ok()?, cols.get(4)?.parse().ok()?))
        })
        .collect();
    list.sort_unstable();
    Some(list)
}

/// `pdf` cleaned by `schoolsite sanitise`: the clean bytes and its
/// one-line report.
fn cleaned(pdf: &[u8]) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("letter.pdf");
    std::fs::write(&input, pdf).unwrap();
    let run = sanitise_file(&input, &dir.path().join("clean"));
    assert_eq!(run.code, 0, "{}", run.all());
    (
        std::fs::read(dir.path().join("clean/letter.pdf")).unwrap(),
        run.all(),
    )
}

#[test]
fn an_image_stored_but_never_drawn_is_removed_and_a_drawn_one_stays() {
    // Every page's resources hold a 320×240 photo (with EXIF and GPS)
    // and a 48×48 logo, and an unused form's resources hold them again;
    // this page draws only the logo.
    let logo_only = pdf_pages(&[PdfPage::new("q 48 0 0 48 60 720 cm /Logo Do Q")]);
    // The original holds both (as any reader can take them out).
    if let Some(list) = pdfimages(&logo_only) {
        // (pdfimages lists what pages draw: look in the bytes too.)
        assert_eq!(list, vec![(48, 48)]);
    }
    assert!(logo_only.windows(10).any(|w| w == b"/Width 320"));
    let (clean, report) = cleaned(&logo_only);
    assert!(
        !clean.windows(10).any(|w| w == b"/Width 320"),
        "the undrawn photo is still in the cleaned file"
    );
    assert!(
        report.contains("image stored but never shown (320×240 pixels)"),
        "{report}"
    );
    if let Some(list) = pdfimages(&clean) {
        assert_eq!(list, vec![(48, 48)]);
    }
    // Near miss: drawn, the photo stays (cleaned of its metadata).
    let both = pdf_pages(&[PdfPage::new(
        "q 48 0 0 48 60 720 cm /Logo Do Q q 320 0 0 240 60 400 cm /Photo Do Q",
    )]);
    let (clean, report) = cleaned(&both);
    assert!(!report.contains("never shown"), "{report}");
    if let Some(list) = pdfimages(&clean) {
        assert_eq!(list, vec![(48, 48), (320, 240)]);
    }
    assert!(clean.windows(10).any(|w| w == b"/Width 320"));
    // A photo drawn only by a form the page draws stays too.
    let in_form = pdf_pages(&[PdfPage {
        draw: "/Note Do",
        form: "q 320 0 0 240 60 400 cm /Photo Do Q",
    }]);
    let (clean, _) = cleaned(&in_form);
    assert!(clean.windows(10).any(|w| w == b"/Width 320"));
}

#[test]
fn contact_details_in_a_bookmark_are_found_against_the_document() {
    let bookmarked = |address: &str| {
        one_page(
            "/Outlines 6 0 R",
            "",
            "",
            &[
                b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>".to_vec(),
                format!("<< /Title (Questions? {address}) /Parent 6 0 R /Dest [3 0 R /Fit] >>")
                    .into_bytes(),
            ],
        )
    };
    let site = letters_site(&bookmarked("jo.bloggs@gmail.com"), "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let email = with_rule(&found, "contact-email");
    assert_eq!(email.len(), 1, "{found:#?}");
    assert_eq!(email[0]["file"], "content/letters/letter.pdf");
    assert!(email[0]["page"].is_null(), "{:?}", email[0]);
    let message = email[0]["message"].as_str().unwrap();
    assert!(message.contains("j********@gmail.com"), "{message}");
    assert!(message.contains("bookmarks"), "{message}");
    assert!(!message.contains("jo.bloggs"), "{message}");
    // Near miss: the school's own address.
    let site = letters_site(&bookmarked("office@test.example.sch.uk"), "nobody = true");
    let (run, found) = findings(&site);
    assert_eq!(run.code, 0, "{found:#?}");
}
