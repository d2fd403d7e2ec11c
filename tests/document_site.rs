//! Documents on a site: a linked PDF is published cleaned, under a
//! readable name, and its text is checked for pupils' full names (with
//! the page number and the name masked) and for contact details, however
//! the PDF places its letters; its photos need declaring like any photo.
//! Checked on built fixture sites, with the findings asserted.

mod common;
use common::*;
use std::process::Command;

const REGISTER: &str = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name
1001,Amelia,Smith,Millie,pupil,,2026-09-01,no,yes,yes,yes
1002,Oliver,Brown,,pupil,,2026-09-01,no,no,no,no
1003,Summer,Hughes,,pupil,2026-12-18,2026-09-01,no,yes,yes,yes
S01,Rebecca,Ashworth,,staff,,2026-09-01,no,yes,yes,yes
";

const TODAY: &str = "2026-11-23";

/// A site whose letters page links `file`.
fn letters_site(file: &str, pdf: Vec<u8>) -> Site {
    let site = Site::new();
    site.write("consent/register.csv", REGISTER);
    site.write(
        "content/letters/index.md",
        format!("+++\ntitle = \"Letters home\"\n+++\n\n[Autumn newsletter (PDF)](<{file}>)\n"),
    );
    site.write(&format!("content/letters/{file}"), pdf);
    site
}

/// The findings of `check` on TODAY; no pupil's surname may be printed.
fn check(site: &Site) -> (Run, Vec<serde_json::Value>) {
    json_findings(site, TODAY, &["Smith", "Brown", "Hughes"])
}

fn newsletter(second_page: &str) -> Vec<u8> {
    let first = pdf_text(60, 780, "Larkspur Lane News: autumn term");
    pdf_pages(&[PdfPage::new(&first), PdfPage::new(second_page)])
}

#[test]
fn a_linked_pdf_that_names_a_pupil_fails_check_with_its_page_and_the_name_masked() {
    let pdf = newsletter(&pdf_text(
        60,
        700,
        "Star of the week: Amelia Smith, for her kindness",
    ));
    let site = letters_site("newsletter.pdf", pdf);
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let names = with_rule(&findings, "name-on-page");
    assert_eq!(names.len(), 1, "{findings:#?}");
    let f = names[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "content/letters/newsletter.pdf");
    assert_eq!(f["page"], 2);
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("pupil 1001 (Millie S.)"), "{message}");
    assert!(message.contains("on page 2"), "{message}");
    assert!(
        message.contains("Star of the week: A***** S****, for her kindness"),
        "{message}"
    );
    // The people reading a terminal see the page too.
    let human = site.run(&["check", "--today", TODAY]);
    assert!(
        human.stdout.contains("error[name-on-page] page 2:"),
        "{}",
        human.stdout
    );
    assert!(!site.path("public").exists());
}

/// Whether the names rule catches pupil 1001 in a PDF drawn with `draw`.
fn caught(draw: &str, form: &str) -> bool {
    let pdf = pdf_pages(&[PdfPage { draw, form }]);
    let site = letters_site("newsletter.pdf", pdf);
    let (run, findings) = check(&site);
    let hit = !with_rule(&findings, "name-on-page").is_empty();
    assert_eq!(run.code == 1, hit, "{}", run.all());
    hit
}

#[test]
fn names_are_read_however_the_pdf_places_its_letters() {
    // Helvetica's widths, in points at 12 pt, for placing letters one by
    // one as some programs do.
    let one_by_one = |word: &str, x: f32| {
        let width = |c: char| match c {
            'A' | 'S' => 8.0,
            'm' => 10.0,
            'e' | 'a' => 6.7,
            'l' | 'i' => 2.7,
            't' => 3.3,
            'h' => 6.7,
            _ => 6.0,
        };
        let mut s = format!("BT /F1 12 Tf {x} 600 Td ");
        let mut last = 0.0;
        for c in word.chars() {
            s.push_str(&format!("{last} 0 Td ({c}) Tj "));
            last = width(c);
        }
        s.push_str("ET\n");
        s
    };
    let cases: Vec<(&str, String, String, String)> = vec![
        // (what, drawing that names her, form, near miss)
        (
            "one string",
            pdf_text(60, 700, "Well done Amelia Smith!"),
            String::new(),
            pdf_text(60, 700, "Well done Amelia S.!"),
        ),
        (
            "words placed apart",
            "BT /F1 12 Tf 60 700 Td (Amelia) Tj 40 0 Td (Smith) Tj ET".to_string(),
            String::new(),
            "BT /F1 12 Tf 60 700 Td (Amelia) Tj 40 0 Td (S.) Tj ET".to_string(),
        ),
        (
            "letters placed one by one",
            format!(
                "{}{}",
                one_by_one("Amelia", 60.0),
                one_by_one("Smith", 100.0)
            ),
            String::new(),
            format!("{}{}", one_by_one("Amelia", 60.0), one_by_one("S.", 100.0)),
        ),
        (
            "name across a line break",
            format!(
                "{}{}",
                pdf_text(60, 700, "Our star this week is Amelia"),
                pdf_text(60, 686, "Smith, who helped everyone.")
            ),
            String::new(),
            format!(
                "{}{}",
                pdf_text(60, 700, "Our star this week is Amelia"),
                pdf_text(60, 686, "S., who helped everyone.")
            ),
        ),
        (
            "a composite font with a Unicode map (Word, LibreOffice)",
            format!(
                "BT /U1 11 Tf 60 700 Td {} Tj ET",
                pdf_hex("Certificate: Amelia Smith")
            ),
            String::new(),
            format!(
                "BT /U1 11 Tf 60 700 Td {} Tj ET",
                pdf_hex("Certificate: Amelia S.")
            ),
        ),
        (
            "kerned text (TJ)",
            "BT /F1 12 Tf 60 700 Td [(Ame) 20 (lia) -300 (Sm) 15 (ith)] TJ ET".to_string(),
            String::new(),
            "BT /F1 12 Tf 60 700 Td [(Ame) 20 (lia) -300 (S.)] TJ ET".to_string(),
        ),
        (
            "text inside a form drawn on the page",
            "/Note Do".to_string(),
            pdf_text(60, 100, "Prize-giving: Millie Smith"),
            "/Note Do".to_string(),
        ),
    ];
    for (what, names, form, near_miss) in &cases {
        assert!(caught(names, form), "{what}: not caught");
        let near_form = if form.is_empty() {
            String::new()
        } else {
            pdf_text(60, 100, "Prize-giving: Millie S.")
        };
        assert!(!caught(near_miss, &near_form), "{what}: near miss caught");
    }
}

#[test]
fn a_clean_newsletter_is_published_cleaned_under_a_readable_name_and_linked() {
    let pdf = newsletter(&format!(
        "{}q 48 0 0 48 60 720 cm /Logo Do Q\n",
        pdf_text(60, 700, "Star of the week: Amelia S., for her kindness")
    ));
    assert!(pdf.windows(7).any(|w| w == b"PLANTED"));
    let site = letters_site("Autumn Newsletter.pdf", pdf);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let media = published_media(&site);
    assert_eq!(media.len(), 1, "{media:?}");
    let (path, bytes) = &media[0];
    assert!(
        path.starts_with("media/autumn-newsletter-") && path.ends_with(".pdf"),
        "{path}"
    );
    assert!(!bytes.windows(7).any(|w| w == b"PLANTED"));
    assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"));
    let page = site.read("public/letters/index.html");
    assert!(page.contains(&format!("href=\"/{path}\"")), "{page}");
    // Independent readers: the file is sound and its text is still text.
    let file = site.path("public").join(path);
    if let Ok(out) = Command::new("qpdf").arg("--check").arg(&file).output() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    } else {
        assert!(std::env::var_os("CI").is_none(), "CI needs qpdf");
    }
    if let Ok(out) = Command::new("pdftotext").arg(&file).arg("-").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Star of the week: Amelia S., for her kindness"),
            "{text}"
        );
    } else {
        assert!(std::env::var_os("CI").is_none(), "CI needs pdftotext");
    }
}

#[test]
fn photos_in_documents_follow_consent() {
    let with_photo = || {
        newsletter(&format!(
            "{}q 320 0 0 240 60 400 cm /Photo Do Q\n",
            pdf_text(60, 700, "Our reading garden")
        ))
    };
    // Undeclared: blocked, saying how to declare it.
    let site = letters_site("newsletter.pdf", with_photo());
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let undeclared = with_rule(&findings, "photo-undeclared");
    assert_eq!(undeclared.len(), 1, "{findings:#?}");
    let message = undeclared[0]["message"].as_str().unwrap();
    assert!(
        message.contains("the document newsletter.pdf has a picture in it and is not declared"),
        "{message}"
    );
    assert!(
        undeclared[0]["fix"]
            .as_str()
            .unwrap()
            .contains("nobody = true if its pictures show no one")
    );

    // Declared with a pupil whose parents said no: blocked.
    site.write(
        "content/letters/photos.toml",
        "[[photo]]\nfile = \"newsletter.pdf\"\npeople = [\"1002\"]\n",
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(
        with_rule(&findings, "consent-not-given").len(),
        1,
        "{findings:#?}"
    );

    // Declared with a leaver: allowed today, flagged, and listed by
    // `leavers` and `where`.
    site.write(
        "content/letters/photos.toml",
        "[[photo]]\nfile = \"newsletter.pdf\"\npeople = [\"1003\"]\n",
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        with_rule(&findings, "consent-leaving-soon").len(),
        1,
        "{findings:#?}"
    );
    let leavers = site.run(&["leavers", "--on", "2026-12-18"]);
    assert!(
        leavers.stdout.contains("newsletter.pdf"),
        "{}",
        leavers.all()
    );
    let where_ = site.run(&["where", "1003"]);
    assert!(where_.stdout.contains("newsletter.pdf"), "{}", where_.all());

    // A school logo (a small picture) needs no declaration.
    let logo = newsletter(&format!(
        "{}q 48 0 0 48 60 720 cm /Logo Do Q\n",
        pdf_text(60, 700, "From the headteacher")
    ));
    let site = letters_site("letter.pdf", logo);
    let (run, findings) = check(&site);
    assert_eq!(run.code, 0, "{findings:#?}");
}

#[test]
fn a_document_whose_text_cannot_be_read_is_flagged() {
    // A scan: only a picture of the page.
    let scan = pdf_pages(&[PdfPage::new("q 320 0 0 240 60 400 cm /Photo Do Q")]);
    let site = letters_site("scan.pdf", scan);
    declare_nobody(&site, "content/letters", &["scan.pdf"]);
    let (run, findings) = check(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    let unchecked = with_rule(&findings, "document-unchecked");
    assert_eq!(unchecked.len(), 1, "{findings:#?}");
    assert!(
        unchecked[0]["message"]
            .as_str()
            .unwrap()
            .contains("looks like a scan")
    );

    // Text in a font without a Unicode map, on page 2.
    let pdf = newsletter("BT /X1 12 Tf 60 700 Td <00410042> Tj ET");
    let site = letters_site("newsletter.pdf", pdf);
    let (_, findings) = check(&site);
    let unchecked = with_rule(&findings, "document-unchecked");
    assert_eq!(unchecked.len(), 1, "{findings:#?}");
    assert_eq!(unchecked[0]["page"], 2);
    assert!(
        unchecked[0]["message"]
            .as_str()
            .unwrap()
            .contains("page 2 of this PDF")
    );
}

#[test]
fn a_pupil_name_in_a_document_file_name_fails() {
    let pdf = newsletter(&pdf_text(60, 700, "Certificate of achievement"));
    let site = letters_site("millie-certificate.pdf", pdf);
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let found = with_rule(&findings, "name-in-address");
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("m*****-certificate.pdf"),
        "{found:#?}"
    );
}

#[test]
fn a_pdf_shown_as_an_image_is_refused() {
    let pdf = newsletter(&pdf_text(60, 700, "Hello"));
    let site = letters_site("newsletter.pdf", pdf);
    site.write(
        "content/letters/index.md",
        "+++\ntitle = \"Letters\"\n+++\n\n![The newsletter](newsletter.pdf)\n",
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1);
    let f = with_rule(&findings, "image-missing");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("a PDF document, not a picture")
    );
}

#[test]
fn an_encrypted_pdf_on_a_site_is_refused_with_what_to_do() {
    let mut pdf = newsletter(&pdf_text(60, 700, "Hello"));
    let at = pdf.windows(8).rposition(|w| w == b"trailer\n").unwrap();
    pdf.splice(
        at + 8..at + 8,
        b"<< /Encrypt << /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >> >>\n"
            .iter()
            .copied(),
    );
    let site = letters_site("newsletter.pdf", pdf);
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1);
    let f = with_rule(&findings, "media-refused");
    assert_eq!(f.len(), 1, "{findings:#?}");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("password-protected")
    );
    assert!(f[0]["fix"].as_str().unwrap().contains("without a password"));
}

#[test]
fn only_the_schools_general_contact_details_are_shown() {
    let site = letters_site(
        "newsletter.pdf",
        newsletter(&pdf_text(
            60,
            700,
            "Questions? Text Mrs Ashworth on 07700 900456",
        )),
    );
    site.write(
        "content/contact.md",
        "+++\ntitle = \"Contact\"\n+++\n\nWrite to jo.bloggs@larkspur.example.sch.uk, ring the trip mobile on 07700 900123,\nor call the county admissions line on 0300 123 4567.\n\nThe office: office@test.example.sch.uk.\n",
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let email = with_rule(&findings, "contact-email");
    assert_eq!(email.len(), 1, "{findings:#?}");
    assert_eq!(email[0]["file"], "content/contact.md");
    assert_eq!(email[0]["line"], 5);
    assert!(
        email[0]["message"]
            .as_str()
            .unwrap()
            .contains("j********@larkspur.example.sch.uk")
    );
    let mobiles = with_rule(&findings, "contact-mobile");
    assert_eq!(mobiles.len(), 2, "{findings:#?}");
    assert!(
        mobiles
            .iter()
            .any(|m| m["file"] == "content/letters/newsletter.pdf" && m["page"] == 2)
    );
    assert!(
        !run.all().contains("900123"),
        "a mobile number is in the output"
    );
    let phones = with_rule(&findings, "contact-phone");
    assert_eq!(phones.len(), 1, "{findings:#?}");
    assert_eq!(phones[0]["severity"], "warning");

    // Numbers and addresses the school lists as general ones pass.
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[contact]\nemails = [\"jo.bloggs@larkspur.example.sch.uk\"]\nphones = [\"0300 123 4567\", \"07700 900123\"]\n"),
    );
    let (_, findings) = check(&site);
    assert!(
        with_rule(&findings, "contact-email").is_empty(),
        "{findings:#?}"
    );
    assert!(
        with_rule(&findings, "contact-phone").is_empty(),
        "{findings:#?}"
    );
    assert_eq!(
        with_rule(&findings, "contact-mobile").len(),
        1,
        "{findings:#?}"
    );
}

/// A one-page PDF whose page draws `content` (compressed when `deflate`).
fn one_page(content: &[u8], deflate: bool) -> Vec<u8> {
    let (filter, data) = if deflate {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(content).unwrap();
        (&b"/Filter /FlateDecode"[..], z.finish().unwrap())
    } else {
        (&b""[..], content.to_vec())
    };
    pdf_from(&[
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        ),
        (4, pdf_stream(filter, &data)),
    ])
}

#[test]
fn pdf_bombs_are_refused_with_a_finding_not_unpacked() {
    // A page whose drawing inflates from a few hundred kilobytes to 100 MB,
    // and one nested ten thousand arrays deep.
    let inflating = one_page(&vec![b' '; 100_000_000], true);
    assert!(inflating.len() < 1_000_000, "{}", inflating.len());
    let nested = one_page(
        format!("{}0{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
        false,
    );
    for (name, pdf) in [("inflating.pdf", inflating), ("nested.pdf", nested)] {
        let site = letters_site(name, pdf);
        let (run, findings) = check(&site);
        assert_eq!(run.code, 1, "{name}: {}", run.all());
        let refused = with_rule(&findings, "media-refused");
        assert_eq!(refused.len(), 1, "{name}: {findings:#?}");
        // Refused at the limit passed (see tests/memory_limits.rs).
        assert!(
            refused[0]["message"]
                .as_str()
                .unwrap()
                .contains("more than schoolsite reads"),
            "{name}: {refused:#?}"
        );
    }
}

#[test]
fn a_pdf_in_the_theme_is_refused_with_where_it_belongs() {
    let site = Site::new();
    site.write(
        "themes/schoolsite/static/prospectus.pdf",
        newsletter(&pdf_text(60, 700, "Our prospectus")),
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let refused = with_rule(&findings, "media-refused");
    assert_eq!(refused.len(), 1, "{findings:#?}");
    assert_eq!(
        refused[0]["file"],
        "themes/schoolsite/static/prospectus.pdf"
    );
    assert!(
        refused[0]["fix"]
            .as_str()
            .unwrap()
            .contains("put documents in content/")
    );
}
