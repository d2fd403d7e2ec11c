//! PDFs read as a viewer shows them. The names rule sees every text a
//! viewer or screen reader shows besides the page's drawing (annotation
//! appearances and text, form fields' values, `/ActualText` and `/Alt`,
//! links' addresses, layer names, page labels); a picture counts wherever
//! it is drawn (forms, patterns, soft masks, inline images, annotation
//! appearances) and by what is drawn (tiles of a photo together, a
//! one-bit photo). Each case has a near miss that passes. Fixtures are
//! made here, and checked with independent readers (`pdftotext`,
//! `pdfimages`, `qpdf`) where they are installed.

mod common;
use common::*;

const REGISTER: &str = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name
1001,Amelia,Smith,Millie,pupil,,2026-09-01,no,yes,yes,yes
";

const TODAY: &str = "2026-11-23";

/// A site whose letters page links `letter.pdf`.
fn letters_site(pdf: &[u8]) -> Site {
    let site = Site::new();
    site.write("consent/register.csv", REGISTER);
    site.write(
        "content/letters/index.md",
        "+++\ntitle = \"Letters home\"\n+++\n\n[A letter (PDF)](letter.pdf)\n",
    );
    site.write("content/letters/letter.pdf", pdf);
    site
}

/// A two-page PDF: page 1 is plain text, page 2 draws `content` with
/// `resources` (besides `/F1`, Helvetica) and has the entries `page`; the
/// catalog has the entries `catalog`. `extra` are objects 8, 9, …
/// (object 5 is Helvetica).
fn two_pages(
    catalog: &str,
    page: &str,
    resources: &str,
    content: &str,
    extra: &[Vec<u8>],
) -> Vec<u8> {
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (1, format!("<< /Type /Catalog /Pages 2 0 R {catalog} >>").into_bytes()),
        (2, b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".to_vec()),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 6 0 R >>".to_vec()),
        (4, format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> {resources} >> /Contents 7 0 R {page} >>").into_bytes()),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec()),
        (6, pdf_stream(b"", pdf_text(60, 780, "Larkspur Lane News: autumn term").as_bytes())),
        (7, pdf_stream(b"", format!("{}{content}", pdf_text(60, 780, "Dates for your diary")).as_bytes())),
    ];
    for (i, o) in extra.iter().enumerate() {
        objects.push((8 + i as u32, o.clone()));
    }
    pdf_from(&objects)
}

/// A form XObject's body, drawing `draw` in a `w`×`h` box, with
/// Helvetica as `/F1` and `resources`.
fn form(w: u32, h: u32, resources: &str, draw: &str) -> Vec<u8> {
    pdf_stream(
        format!("/Type /XObject /Subtype /Form /BBox [0 0 {w} {h}] /Resources << /Font << /F1 5 0 R >> {resources} >>").as_bytes(),
        draw.as_bytes(),
    )
}

/// A grey image of `w`×`h` pixels at `bits` bits, uncompressed, with
/// `more` in its dictionary.
fn grey(w: u32, h: u32, bits: u32, more: &str) -> Vec<u8> {
    let row = (w * bits).div_ceil(8);
    let data: Vec<u8> = (0..row * h)
        .map(|i| ((i * 37) ^ (i / row * 11)) as u8)
        .collect();
    pdf_stream(
        format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent {bits} {more}").as_bytes(),
        &data,
    )
}

/// Where the names rule finds pupil 1001 in `pdf`: the finding's page (0
/// when it is outside the pages), or None.
fn named(pdf: &[u8]) -> Option<u64> {
    let site = letters_site(pdf);
    // Pictures are not the point here.
    declare_nobody(&site, "content/letters", &["letter.pdf"]);
    let (run, findings) = json_findings(&site, TODAY, &["Smith"]);
    let found = with_rule(&findings, "name-on-page");
    assert_eq!(run.code == 1, !found.is_empty(), "{}", run.all());
    let f = found.first()?;
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("pupil 1001 (Millie S.)"), "{message}");
    assert!(
        f["fix"].as_str().unwrap().contains("first name only"),
        "{f}"
    );
    Some(f["page"].as_u64().unwrap_or(0))
}

/// Text `pdftotext` finds in `pdf`, if it is installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext", &[path.to_str().unwrap(), "-"])?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `qpdf --json` of `pdf`, if qpdf is installed.
fn qpdf_json(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    // (qpdf warns about the fixtures' missing optional keys.)
    let out = tool(
        "qpdf",
        &[
            "--json",
            "--json-key=qpdf",
            "--json-key=pagelabels",
            path.to_str().unwrap(),
        ],
    )?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every way a viewer shows text besides the page's drawing, with a full
/// name and with a first name and initial.
fn viewer_texts(name: &str) -> Vec<(&'static str, Vec<u8>)> {
    let text = pdf_text(4, 8, name);
    vec![
        (
            "a free-text annotation's appearance",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[
                    b"<< /Type /Annot /Subtype /FreeText /Rect [60 600 360 630] /DA (/F1 12 Tf 0 g) /AP << /N 9 0 R >> >>".to_vec(),
                    form(300, 30, "", &text),
                ],
            ),
        ),
        (
            "a stamp's appearance, in a form it draws",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[
                    b"<< /Type /Annot /Subtype /Stamp /Rect [60 600 360 630] /AP << /N 9 0 R >> >>".to_vec(),
                    form(300, 30, "/XObject << /Inner 10 0 R >>", "/Inner Do"),
                    form(300, 30, "", &text),
                ],
            ),
        ),
        (
            "a form field's value, inherited from its parent field",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[
                    b"<< /Type /Annot /Subtype /Widget /Rect [60 600 360 630] /Parent 9 0 R /F 4 >>".to_vec(),
                    format!("<< /FT /Tx /T (star) /V ({name}) /Kids [8 0 R] >>").into_bytes(),
                ],
            ),
        ),
        (
            "a choice field's options",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[format!("<< /Type /Annot /Subtype /Widget /FT /Ch /T (who) /Opt [(Everyone) ({name})] /Rect [60 600 360 630] >>").into_bytes()],
            ),
        ),
        (
            "a widget's appearance (the value as shown)",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[
                    b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (star) /Rect [60 600 360 630] /AP << /N 9 0 R >> >>".to_vec(),
                    form(300, 30, "", &format!("/Tx BMC {text} EMC")),
                ],
            ),
        ),
        (
            "marked content's /ActualText",
            two_pages(
                "",
                "",
                "",
                &format!("/Span << /ActualText ({name}) >> BDC BT /F1 12 Tf 60 600 Td (Our star) Tj ET EMC"),
                &[],
            ),
        ),
        (
            "a figure's /Alt in the structure tree",
            two_pages(
                "/StructTreeRoot 8 0 R /MarkInfo << /Marked true >>",
                "/StructParents 0",
                "",
                "/Figure << /MCID 0 >> BDC EMC",
                &[
                    b"<< /Type /StructTreeRoot /K 9 0 R >>".to_vec(),
                    format!("<< /Type /StructElem /S /Figure /P 8 0 R /Pg 4 0 R /Alt ({name} with her certificate) /K 0 >>").into_bytes(),
                ],
            ),
        ),
        (
            "a link's address",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[format!(
                    "<< /Type /Annot /Subtype /Link /Rect [60 600 360 630] /A << /S /URI /URI (https://example.org/gallery/{}.jpg) >> >>",
                    name.replace(' ', "%20")
                )
                .into_bytes()],
            ),
        ),
        (
            "a link to another file",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[format!(
                    "<< /Type /Annot /Subtype /Link /Rect [60 600 360 630] /A << /S /GoToR /F ({}.pdf) /D [0 /Fit] >> >>",
                    name.replace(' ', "-")
                )
                .into_bytes()],
            ),
        ),
        (
            "a page label",
            two_pages(
                &format!("/PageLabels << /Nums [0 << /S /D >> 1 << /S /D /P ({name}: ) >>] >>"),
                "",
                "",
                "",
                &[],
            ),
        ),
        (
            "a comment's rich text",
            two_pages(
                "",
                "/Annots [8 0 R]",
                "",
                "",
                &[format!(
                    "<< /Type /Annot /Subtype /Text /Rect [60 600 80 620] /RC (<body><p><span>{}</span><span>{}</span></p></body>) >>",
                    name.split(' ').next().unwrap(),
                    name.split(' ').nth(1).unwrap()
                )
                .into_bytes()],
            ),
        ),
    ]
}

#[test]
fn a_full_name_a_viewer_shows_outside_the_drawing_is_found_on_its_page() {
    for ((what, full), (_, near)) in viewer_texts("Amelia Smith")
        .into_iter()
        .zip(viewer_texts("Amelia S."))
    {
        assert_eq!(named(&full), Some(2), "{what}: not found on page 2");
        assert_eq!(named(&near), None, "{what}: the near miss was caught");
    }
}

#[test]
fn a_full_name_in_a_layer_name_is_found_outside_the_pages() {
    let layer = |name: &str| {
        two_pages(
            "/OCProperties << /OCGs [8 0 R] /D << /Order [8 0 R] /ON [8 0 R] >> >>",
            "",
            "/Properties << /L1 8 0 R >>",
            &format!("/OC /L1 BDC {}EMC", pdf_text(60, 600, "Class photo")),
            &[format!("<< /Type /OCG /Name ({name}) >>").into_bytes()],
        )
    };
    assert_eq!(named(&layer("Amelia Smith")), Some(0));
    assert_eq!(named(&layer("Amelia")), None);
    // The finding says where.
    let site = letters_site(&layer("Amelia Smith"));
    declare_nobody(&site, "content/letters", &["letter.pdf"]);
    let (_, findings) = json_findings(&site, TODAY, &["Smith"]);
    let message = with_rule(&findings, "name-on-page")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("outside its pages"), "{message}");
}

#[test]
fn the_fixtures_show_what_they_claim_to_independent_readers() {
    let all = viewer_texts("Amelia Smith");
    let get = |what: &str| &all.iter().find(|(w, _)| *w == what).unwrap().1;
    // pdftotext prints an annotation's appearance and a widget's.
    for what in [
        "a free-text annotation's appearance",
        "a widget's appearance (the value as shown)",
    ] {
        if let Some(text) = pdftotext(get(what)) {
            assert!(text.contains("Amelia Smith"), "{what}: {text}");
        }
    }
    // qpdf sees the form field's value and the page label.
    if let Some(json) = qpdf_json(get("a form field's value, inherited from its parent field")) {
        assert!(json.contains("Amelia Smith"), "{json}");
    }
    if let Some(json) = qpdf_json(get("a page label")) {
        assert!(json.contains("\"/P\": \"u:Amelia Smith: \""), "{json}");
    }
    // And the cleaned copy keeps them (that is why they are read).
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("letter.pdf");
    std::fs::write(&input, get("a widget's appearance (the value as shown)")).unwrap();
    let run = sanitise_file(&input, &dir.path().join("clean"));
    assert_eq!(run.code, 0, "{}", run.all());
    let clean = std::fs::read(dir.path().join("clean/letter.pdf")).unwrap();
    if let Some(text) = pdftotext(&clean) {
        assert!(text.contains("Amelia Smith"), "{text}");
    }
}

/// Whether `pdf` counts as showing pictures: its letter is blocked as
/// undeclared, saying so.
fn shows_pictures(pdf: &[u8]) -> bool {
    let site = letters_site(pdf);
    let (run, findings) = json_findings(&site, TODAY, &["Smith"]);
    let undeclared = with_rule(&findings, "photo-undeclared");
    assert_eq!(run.code == 1, !undeclared.is_empty(), "{}", run.all());
    if let Some(f) = undeclared.first() {
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("the document letter.pdf has"), "{message}");
        assert!(f["fix"].as_str().unwrap().contains("photos.toml"), "{f}");
    }
    !undeclared.is_empty()
}

/// Images `pdfimages -list` lists in `pdf`: (width, height, bits).
fn pdfimages(pdf: &[u8]) -> Option<Vec<(u32, u32, u32)>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdfimages", &["-list", path.to_str().unwrap()])?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .skip(2)
            .filter_map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                Some((
                    cols.get(3)?.parse().ok()?,
                    cols.get(4)?.parse().ok()?,
                    cols.get(7)?.parse().ok()?,
                ))
            })
            .collect(),
    )
}

/// A photo cut into four 80×60 tiles, drawn `gap` points apart.
fn tiles(gap: u32) -> Vec<u8> {
    let mut draw = String::new();
    for i in 0..4u32 {
        let (x, y) = (60 + (i % 2) * (80 + gap), 400 + (i / 2) * (60 + gap));
        draw.push_str(&format!("q 80 0 0 60 {x} {y} cm /T{i} Do Q\n"));
    }
    two_pages(
        "",
        "",
        "/XObject << /T0 8 0 R /T1 9 0 R /T2 10 0 R /T3 11 0 R >>",
        &draw,
        &[
            grey(80, 60, 8, ""),
            grey(80, 60, 8, "/Decode [1 0]"),
            grey(80, 60, 8, "/Interpolate true"),
            grey(80, 60, 8, "/Intent /Perceptual"),
        ],
    )
}

/// A page drawing one image `image` (object 8) at `w`×`h` points.
fn one_image(image: Vec<u8>, w: u32, h: u32) -> Vec<u8> {
    two_pages(
        "",
        "",
        "/XObject << /Im 8 0 R >>",
        &format!("q {w} 0 0 {h} 60 400 cm /Im Do Q"),
        &[image],
    )
}

#[test]
fn a_photo_cut_into_tiles_counts_as_one_picture_and_tiles_apart_do_not() {
    let together = tiles(0);
    assert!(shows_pictures(&together));
    assert!(!shows_pictures(&tiles(100)));
    // Four images, each under the size that counts alone.
    if let Some(list) = pdfimages(&together) {
        assert_eq!(list, vec![(80, 60, 8); 4]);
    }
    // Drawn inside a form that scales them down to a stamp, they are not
    // a photo-sized picture.
    let small = two_pages(
        "",
        "",
        "/XObject << /Tiles 8 0 R >>",
        "q 0.2 0 0 0.2 60 400 cm /Tiles Do Q",
        &[
            form(
                595,
                842,
                "/XObject << /T0 9 0 R /T1 10 0 R /T2 11 0 R /T3 12 0 R >>",
                "q 80 0 0 60 0 0 cm /T0 Do Q q 80 0 0 60 80 0 cm /T1 Do Q q 80 0 0 60 0 60 cm /T2 Do Q q 80 0 0 60 80 60 cm /T3 Do Q",
            ),
            grey(80, 60, 8, ""),
            grey(80, 60, 8, "/Decode [1 0]"),
            grey(80, 60, 8, "/Interpolate true"),
            grey(80, 60, 8, "/Intent /Perceptual"),
        ],
    );
    assert!(!shows_pictures(&small));
}

#[test]
fn a_one_bit_photo_counts_and_a_thin_rule_does_not() {
    let dithered = one_image(grey(200, 150, 1, ""), 200, 150);
    assert!(shows_pictures(&dithered));
    if let Some(list) = pdfimages(&dithered) {
        assert_eq!(list, vec![(200, 150, 1)]);
    }
    let stencil = one_image(
        pdf_stream(
            b"/Type /XObject /Subtype /Image /Width 200 /Height 150 /ImageMask true",
            &vec![0x5A; 25 * 150],
        ),
        200,
        150,
    );
    assert!(shows_pictures(&stencil));
    // A decorative rule: a few pixels high, drawn two points high.
    assert!(!shows_pictures(&one_image(grey(480, 2, 1, ""), 480, 2)));
    assert!(!shows_pictures(&one_image(grey(480, 4, 8, ""), 480, 2)));
    // A small logo, and a page of text.
    assert!(!shows_pictures(&one_image(grey(48, 48, 8, ""), 48, 48)));
    assert!(!shows_pictures(&two_pages("", "", "", "", &[])));
}

#[test]
fn a_photo_drawn_as_a_pattern_counts_and_a_small_texture_does_not() {
    let pattern = |w: u32, h: u32, fill: u32| {
        two_pages(
            "",
            "",
            "/Pattern << /P1 8 0 R >>",
            &format!("/Pattern cs /P1 scn 60 400 {fill} {fill} re f"),
            &[
                pdf_stream(
                    format!("/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 {w} {h}] /XStep {w} /YStep {h} /Matrix [1 0 0 1 60 400] /Resources << /XObject << /Im 9 0 R >> >>").as_bytes(),
                    format!("q {w} 0 0 {h} 0 0 cm /Im Do Q").as_bytes(),
                ),
                grey(w, h, 8, ""),
            ],
        )
    };
    let photo = pattern(160, 120, 160);
    assert!(shows_pictures(&photo));
    // (pdfimages does not look inside patterns: qpdf shows the image in
    // the pattern's resources.)
    if let Some(json) = qpdf_json(&photo) {
        assert!(json.contains("\"/PatternType\": 1"), "{json}");
        assert!(json.contains("\"/Width\": 160"), "{json}");
    }
    // A 16-pixel texture filling a large area.
    assert!(!shows_pictures(&pattern(16, 16, 400)));
}

#[test]
fn a_photo_drawn_as_a_soft_mask_counts_and_a_small_one_does_not() {
    let group_mask = |w: u32, h: u32| {
        two_pages(
            "",
            "",
            "/ExtGState << /M1 8 0 R >>",
            &format!("q /M1 gs 0 0 1 rg 60 400 {w} {h} re f Q"),
            &[
                b"<< /Type /ExtGState /SMask << /Type /Mask /S /Luminosity /G 9 0 R >> >>".to_vec(),
                pdf_stream(
                    b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Group << /S /Transparency /CS /DeviceGray >> /Resources << /XObject << /Im 10 0 R >> >>",
                    format!("q {w} 0 0 {h} 60 400 cm /Im Do Q").as_bytes(),
                ),
                grey(w, h, 8, ""),
            ],
        )
    };
    assert!(shows_pictures(&group_mask(160, 120)));
    assert!(!shows_pictures(&group_mask(48, 48)));
    // An image whose soft mask is the photo: a one-pixel colour, shaped
    // by a photo-sized mask.
    let with_mask = |w: u32, h: u32| {
        two_pages(
            "",
            "",
            "/XObject << /Im 8 0 R >>",
            &format!("q {w} 0 0 {h} 60 400 cm /Im Do Q"),
            &[
                pdf_stream(
                    b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /SMask 9 0 R",
                    &[0],
                ),
                grey(w, h, 8, ""),
            ],
        )
    };
    assert!(shows_pictures(&with_mask(160, 120)));
    assert!(!shows_pictures(&with_mask(48, 48)));
}

#[test]
fn a_photo_drawn_inline_counts_and_a_small_inline_icon_does_not() {
    let inline = |w: u32, h: u32| {
        let data: Vec<u8> = (0..w * h).map(|i| (i * 7) as u8).collect();
        let mut draw =
            format!("q {w} 0 0 {h} 60 400 cm BI /W {w} /H {h} /BPC 8 /CS /G ID ").into_bytes();
        draw.extend_from_slice(&data);
        draw.extend_from_slice(b"\nEI Q\n");
        pdf_from(&[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec()),
            (4, pdf_stream(b"", &[pdf_text(60, 780, "Sports day").as_bytes(), &draw].concat())),
            (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
        ])
    };
    let photo = inline(120, 100);
    assert!(shows_pictures(&photo));
    if let Some(list) = pdfimages(&photo) {
        assert_eq!(list, vec![(120, 100, 8)]);
    }
    assert!(!shows_pictures(&inline(16, 16)));

    // One the parser cannot take apart (compressed as hex): counted by
    // the size it is drawn at.
    let hex_inline = |size: u32| {
        let hex: String = (0..64 * 64)
            .map(|i| format!("{:02X}", (i * 5) as u8))
            .collect();
        let draw = format!(
            "q {size} 0 0 {size} 60 400 cm BI /W 64 /H 64 /BPC 8 /CS /G /F /AHx ID {hex}> EI Q\n"
        );
        pdf_from(&[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec()),
            (4, pdf_stream(b"", &[pdf_text(60, 780, "Sports day").as_bytes(), draw.as_bytes()].concat())),
            (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
        ])
    };
    assert!(shows_pictures(&hex_inline(200)));
    assert!(!shows_pictures(&hex_inline(24)));
}

#[test]
fn a_photo_in_an_annotation_appearance_counts_and_a_logo_stamp_does_not() {
    let stamp = |w: u32, h: u32| {
        two_pages(
            "",
            "/Annots [8 0 R]",
            "",
            "",
            &[
                format!("<< /Type /Annot /Subtype /Stamp /Rect [60 400 {} {}] /AP << /N 9 0 R >> >>", 60 + w, 400 + h).into_bytes(),
                pdf_stream(
                    format!("/Type /XObject /Subtype /Form /BBox [0 0 {w} {h}] /Resources << /XObject << /Im 10 0 R >> >>").as_bytes(),
                    format!("q {w} 0 0 {h} 0 0 cm /Im Do Q").as_bytes(),
                ),
                grey(w, h, 8, ""),
            ],
        )
    };
    assert!(shows_pictures(&stamp(160, 120)));
    assert!(!shows_pictures(&stamp(48, 48)));
    // Tiles in an appearance, fitted to a large rectangle, are a photo.
    let tiled = two_pages(
        "",
        "/Annots [8 0 R]",
        "",
        "",
        &[
            b"<< /Type /Annot /Subtype /Stamp /Rect [60 400 380 640] /AP << /N 9 0 R >> >>"
                .to_vec(),
            form(
                160,
                120,
                "/XObject << /T0 10 0 R /T1 11 0 R /T2 12 0 R /T3 13 0 R >>",
                "q 80 0 0 60 0 0 cm /T0 Do Q q 80 0 0 60 80 0 cm /T1 Do Q q 80 0 0 60 0 60 cm /T2 Do Q q 80 0 0 60 80 60 cm /T3 Do Q",
            ),
            grey(60, 50, 8, ""),
            grey(60, 50, 8, "/Decode [1 0]"),
            grey(60, 50, 8, "/Interpolate true"),
            grey(60, 50, 8, "/Intent /Perceptual"),
        ],
    );
    assert!(shows_pictures(&tiled));
}

#[test]
fn contact_details_in_a_link_or_form_field_are_found_on_their_page() {
    let linked = |address: &str| {
        two_pages(
            "",
            "/Annots [8 0 R 9 0 R]",
            "",
            "",
            &[
                format!("<< /Type /Annot /Subtype /Link /Rect [60 600 360 630] /A << /S /URI /URI (mailto:{address}) >> >>").into_bytes(),
                b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (phone) /V (Ring the office) /Rect [60 500 360 530] >>".to_vec(),
            ],
        )
    };
    let site = letters_site(&linked("jo.bloggs@gmail.com"));
    declare_nobody(&site, "content/letters", &["letter.pdf"]);
    let (run, findings) = json_findings(&site, TODAY, &["Smith"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let email = with_rule(&findings, "contact-email");
    assert_eq!(email.len(), 1, "{findings:#?}");
    assert_eq!(email[0]["page"], 2);
    // The school's own address passes.
    let site = letters_site(&linked("office@test.example.sch.uk"));
    declare_nobody(&site, "content/letters", &["letter.pdf"]);
    let (run, findings) = json_findings(&site, TODAY, &["Smith"]);
    assert_eq!(run.code, 0, "{findings:#?}");
}

#[test]
fn loops_and_deep_nesting_are_read_within_bounds_or_refused() {
    // Fields that are their own parents, a tag tree that contains itself,
    // page labels whose tree loops, an appearance that draws itself.
    let loops = two_pages(
        "/StructTreeRoot 10 0 R /PageLabels 11 0 R",
        "/Annots [8 0 R]",
        "",
        "",
        &[
            b"<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /Parent 9 0 R /AP << /N 12 0 R >> >>".to_vec(),
            b"<< /FT /Tx /T (a) /Parent 8 0 R /Kids [8 0 R] >>".to_vec(),
            b"<< /Type /StructTreeRoot /K [10 0 R 10 0 R] >>".to_vec(),
            b"<< /Kids [11 0 R] /Nums [0 << /P (Amelia) >>] >>".to_vec(),
            form(10, 10, "/XObject << /Me 12 0 R >>", "/Me Do"),
        ],
    );
    let site = letters_site(&loops);
    let (run, findings) = json_findings(&site, TODAY, &["Smith"]);
    assert_eq!(run.code, 0, "{findings:#?}");

    // State saved deeper than any real drawing: refused as damaged.
    let deep = two_pages("", "", "", &"q ".repeat(5000), &[]);
    let site = letters_site(&deep);
    let (run, findings) = json_findings(&site, TODAY, &["Smith"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let refused = with_rule(&findings, "media-refused");
    assert_eq!(refused.len(), 1, "{findings:#?}");
    assert!(
        refused[0]["message"]
            .as_str()
            .unwrap()
            .contains("deeper than any real document"),
        "{refused:?}"
    );
}

#[test]
fn a_ligature_marked_with_its_letters_does_not_break_the_word() {
    // As Chromium and Word write "office": the ligature glyph inside a
    // span whose /ActualText is its letters.
    let email = |before: &str, after: &str| {
        two_pages(
            "",
            "",
            "",
            &format!(
                "BT /F1 12 Tf 60 600 Td (Write to {before}) Tj /Span << /ActualText (ffi) >> BDC (ffi) Tj EMC ({after}) Tj ET"
            ),
            &[],
        )
    };
    let findings = |pdf: &[u8]| {
        let site = letters_site(pdf);
        let (_, findings) = json_findings(&site, TODAY, &["Smith"]);
        findings
    };
    // The school's own address, whole: nothing to find.
    let f = findings(&email("o", "ce@test.example.sch.uk"));
    assert!(with_rule(&f, "contact-email").is_empty(), "{f:#?}");
    // A person's, whole: found.
    let f = findings(&email("jo.gri", "ths@gmail.com"));
    let found = with_rule(&f, "contact-email");
    assert_eq!(found.len(), 1, "{f:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("j***********@gmail.com"),
        "{found:?}"
    );
}
