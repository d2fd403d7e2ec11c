//! PDF documents: `schoolsite sanitise` rewrites a PDF with something in
//! every hiding place into one with none of them, checked with
//! independent readers (qpdf, exiftool, pdftotext, pdftoppm), with the
//! text still text and the page looking the same. Encrypted and damaged
//! files are refused. (Publishing documents from a site, and the rules on
//! their text and photos: `document_site.rs`.)

mod common;
use common::*;
use std::path::Path;

fn sanitise_pdf(bytes: &[u8]) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("Newsletter autumn.pdf");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.path().join("clean");
    let run = run_bin(&[
        "sanitise",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--keep-names",
    ]);
    (run, dir)
}

#[test]
fn a_pdf_with_everything_comes_out_clean_and_still_text() {
    let original = pdf_with_everything();
    let (run, dir) = sanitise_pdf(&original);
    assert_eq!(run.code, 0, "{}", run.all());
    for said in [
        "author name",
        "1 photo's GPS position",
        "1 attached file",
        "1 earlier revision",
        "XMP metadata",
        "page thumbnail",
        "JavaScript",
    ] {
        assert!(run.stdout.contains(said), "{said}: {}", run.stdout);
    }
    let clean = dir.path().join("clean/Newsletter autumn.pdf");
    let bytes = std::fs::read(&clean).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    assert!(bytes.starts_with(b"%PDF-"));
    // Cleaning the clean copy finds nothing and changes nothing.
    let (again, again_dir) = sanitise_pdf(&bytes);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(
        again.stdout.contains("removed nothing to remove"),
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::read(again_dir.path().join("clean/Newsletter autumn.pdf")).unwrap(),
        bytes
    );

    // The file is a valid PDF to an independent reader.
    if let Some(o) = tool("qpdf", &["--check", clean.to_str().unwrap()]) {
        assert!(
            o.status.success(),
            "qpdf --check: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Every stream uncompressed, then nothing planted is anywhere.
    let qdf = dir.path().join("qdf.pdf");
    let scan = match tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            clean.to_str().unwrap(),
            qdf.to_str().unwrap(),
        ],
    ) {
        Some(o) => {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            std::fs::read(&qdf).unwrap()
        }
        None => bytes.clone(),
    };
    for planted in [
        &b"PLANTED"[..],
        b"Exif\0\0",
        b"/JavaScript",
        b"/EmbeddedFile",
        b"/Metadata",
        b"/PieceInfo",
        b"/Thumb",
        b"Microsoft Word",
        b"/Author",
        b"/FileAttachment",
    ] {
        assert!(
            !scan.windows(planted.len()).any(|w| w == planted),
            "{} is still in the cleaned PDF",
            String::from_utf8_lossy(planted)
        );
    }
    // exiftool finds no document properties or XMP.
    if let Some(o) = tool("exiftool", &["-a", "-G1", "-j", clean.to_str().unwrap()]) {
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let tags = json[0].as_object().unwrap();
        for (k, v) in tags {
            assert!(
                !k.contains("XMP")
                    && !k.ends_with(":Author")
                    && !k.ends_with(":Producer")
                    && !k.ends_with(":Title"),
                "{k} = {v}"
            );
        }
    }
    // The text is still text.
    if let Some(o) = tool("pdftotext", &[clean.to_str().unwrap(), "-"]) {
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("Star of the week: the whole of Year 5"),
            "{text}"
        );
    }
    // And the page looks the same.
    let original_path = dir.path().join("Newsletter autumn.pdf");
    let render = |pdf: &Path, name: &str| -> Option<Vec<u8>> {
        let prefix = dir.path().join(name);
        let o = tool(
            "pdftoppm",
            &[
                "-r",
                "40",
                "-hide-annotations",
                "-png",
                pdf.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        )?;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let page = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name().unwrap().to_string_lossy().starts_with(name)
                    && p.extension().is_some_and(|e| e == "png")
            })?;
        Some(decode(&std::fs::read(page).unwrap()).into_raw())
    };
    if let (Some(a), Some(b)) = (render(&original_path, "before"), render(&clean, "after")) {
        assert_eq!(a.len(), b.len());
        assert!(a == b, "the cleaned page renders differently");
    }
}

#[test]
fn encrypted_damaged_and_disguised_pdfs_are_refused() {
    let mut encrypted = pdf_with_everything();
    let at = encrypted
        .windows(8)
        .rposition(|w| w == b"trailer\n")
        .unwrap();
    encrypted.splice(
        at + 8..at + 8,
        b"<< /Encrypt << /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >> >>\n"
            .iter()
            .copied(),
    );
    let truncated = pdf_with_everything()[..300].to_vec();
    let html = b"%PDF-1.4\n<html><body>not really</body></html>".to_vec();
    for (bytes, expected) in [
        (encrypted, "password"),
        (truncated, "cut off"),
        (html, "damaged"),
    ] {
        let (run, dir) = sanitise_pdf(&bytes);
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(run.all().contains(expected), "{expected}: {}", run.all());
        assert!(!dir.path().join("clean/Newsletter autumn.pdf").exists());
    }
}

#[test]
fn nothing_hangs_off_the_trailer_but_the_catalog() {
    // A trailer key no reader knows, pointing at the author's details
    // (found by fuzzing): the clean copy keeps only the catalog.
    let mut pdf = pdf_with_everything();
    let at = pdf.windows(12).rposition(|w| w == b"/Info 16 0 R").unwrap();
    pdf[at..at + 5].copy_from_slice(b"/Inf0");
    let (run, dir) = sanitise_pdf(&pdf);
    assert_eq!(run.code, 0, "{}", run.all());
    let bytes = std::fs::read(dir.path().join("clean/Newsletter autumn.pdf")).unwrap();
    assert!(
        !bytes.windows(7).any(|w| w == b"PLANTED"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let (again, _) = sanitise_pdf(&bytes);
    assert!(
        again.stdout.contains("removed nothing to remove"),
        "{}",
        again.stdout
    );
}

#[test]
fn damaged_files_are_refused_or_cleaned_to_a_fixed_point() {
    // Found by fuzzing: a page tree the copy could not show, a page
    // reference that broke in the copy, and references to objects that
    // are not there with a stray linearization key (a second cleaning
    // changed the file), a stream whose /Length was wrong (written as it
    // was, so a second cleaning read it differently) beside a misspelt
    // catalog key holding an attachment's name, a font calling itself a
    // cross-reference stream (the writer left it out), and an object
    // calling itself one whose /Info named the document's author and
    // producer (left out, but what it named was written, unreferenced, in
    // the clean copy). Each is either refused
    // with a clear message, or
    // cleaned so that a second cleaning finds nothing.
    for name in [
        "fuzz-page-tree.pdf",
        "fuzz-missing-page.pdf",
        "fuzz-dangling.pdf",
        "fuzz-null-object.pdf",
        "fuzz-stream-length.pdf",
        "fuzz-skipped-type.pdf",
        "fuzz-orphaned-info.pdf",
    ] {
        let bytes = std::fs::read(Path::new(REPO).join("tests/fixtures").join(name)).unwrap();
        let (run, dir) = sanitise_pdf(&bytes);
        let out = dir.path().join("clean/Newsletter autumn.pdf");
        if run.code != 0 {
            assert_eq!(run.code, 1, "{name}: {}", run.all());
            assert!(
                run.all().contains("export it as a PDF again"),
                "{name}: {}",
                run.all()
            );
            assert!(!out.exists());
            continue;
        }
        let clean = std::fs::read(&out).unwrap();
        let (again, again_dir) = sanitise_pdf(&clean);
        assert!(
            again.stdout.contains("removed nothing to remove"),
            "{name}: {}",
            again.stdout
        );
        assert_eq!(
            std::fs::read(again_dir.path().join("clean/Newsletter autumn.pdf")).unwrap(),
            clean,
            "{name}"
        );
        assert!(!clean.windows(7).any(|w| w == b"PLANTED"), "{name}");
        for info in [&b"pdfTeX"[..], b"CreationDate", b"Producer"] {
            assert!(
                !clean.windows(info.len()).any(|w| w == info),
                "{name} still holds {}",
                String::from_utf8_lossy(info)
            );
        }
    }
}

#[test]
fn office_files_are_refused_with_what_to_do() {
    let site = Site::new();
    let docx =
        b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x13\0\0\0[Content_Types].xml"
            .to_vec();
    let doc = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0".to_vec();
    site.write("content/letters/trip.docx", &docx);
    // A Word 97 file named as if it were a PDF: the bytes decide.
    site.write("content/letters/menu.pdf", &doc);
    site.write(
        "content/letters/index.md",
        "+++\ntitle = \"Letters\"\n+++\n\n[Trip letter](trip.docx) and [menu](menu.pdf)\n",
    );
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.all());
    for file in ["content/letters/trip.docx", "content/letters/menu.pdf"] {
        assert!(
            run.stdout.contains(&format!("{file}\n  error[media-refused]: this file cannot be published: it is an Office document (Word, Excel, PowerPoint, Publisher, OpenDocument or RTF)")),
            "{file}: {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("Office files carry the author's name, tracked changes, comments and every pasted photo as it came off the phone: export it as PDF"), "{}", run.stdout);
    let (run, _dir) = sanitise_pdf(&doc);
    assert_eq!(run.code, 1);
    assert!(
        run.all()
            .contains("export it as PDF (File > Save As > PDF)"),
        "{}",
        run.all()
    );
}

#[test]
fn a_pdf_that_is_also_a_zip_loses_the_hidden_file() {
    // A PDF with a ZIP archive after its end: PDF readers show the
    // document, unzip shows the archive.
    let mut polyglot = pdf_with_everything();
    polyglot.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0");
    polyglot.extend_from_slice(b"class-list.csv PLANTED-ZIP ");
    polyglot.extend(std::iter::repeat_n(b'x', 4000));
    let (run, dir) = sanitise_pdf(&polyglot);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("another file hidden after the end of the PDF"),
        "{}",
        run.stdout
    );
    let bytes = std::fs::read(dir.path().join("clean/Newsletter autumn.pdf")).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"PK\x03\x04"));
    assert!(!bytes.windows(7).any(|w| w == b"PLANTED"));

    // An unfinished save after the end is a file cut off, not a hidden one.
    let mut cut = pdf_with_everything();
    cut.extend_from_slice(b"\n17 0 obj\n<< /Author (x) >>\nendobj\n");
    cut.extend(std::iter::repeat_n(b' ', 2000));
    cut.extend_from_slice(b"xref\n0 1\n");
    let (run, _) = sanitise_pdf(&cut);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.all().contains("its last save did not finish"),
        "{}",
        run.all()
    );
}

#[test]
fn a_pdf_that_is_really_a_web_page_is_refused_on_a_site() {
    let site = Site::new();
    site.write(
        "content/letters/index.md",
        "+++\ntitle = \"Letters\"\n+++\n\n[Trip letter](trip.pdf)\n",
    );
    site.write(
        "content/letters/trip.pdf",
        "<!DOCTYPE html><html><body>Trip letter</body></html>",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains(
            "content/letters/trip.pdf\n  error[media-refused]: this file cannot be published: it is an HTML page"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_pdf_with_bytes_before_its_header_is_cleaned_without_them() {
    // Some scanners and mail systems put a few lines before "%PDF-";
    // readers skip them, and so does the cleaner.
    let mut pdf = b"X-Mailer: office scanner\r\nFrom: PLANTED-SCANNER\r\n\r\n".to_vec();
    pdf.extend(pdf_with_everything());
    let (run, dir) = sanitise_pdf(&pdf);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("data before the start of the document"),
        "{}",
        run.stdout
    );
    let bytes = std::fs::read(dir.path().join("clean/Newsletter autumn.pdf")).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(!bytes.windows(7).any(|w| w == b"PLANTED"));
}
