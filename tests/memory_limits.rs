//! Memory for hostile inputs (issue 21, point 5): a file is sniffed and
//! its size checked before it is read, and every parser stops at a limit
//! that is a finding with a fix. Each attempt sits beside its near miss.

mod common;
use common::*;
use schoolsite::media::pdf_limits::{
    MAX_DOCUMENT_CONTENT, MAX_NESTING, MAX_PAGES, MAX_UNPACKED_OBJECTS,
};
use std::io::Write as _;

/// A site whose home page links to `content/NAME`.
fn linking(name: &str) -> Site {
    let site = Site::new();
    site.write(
        "content/_index.md",
        page(
            "title = \"Home\"",
            &format!("\nWelcome. [The file]({name})\n"),
        ),
    );
    site
}

/// A sparse file of `size` bytes at `rel` that starts with `head`: it
/// takes no room on disk, but reading it would take `size` bytes of
/// memory.
fn sparse(site: &Site, rel: &str, head: &[u8], size: u64) {
    let path = site.path(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut f = std::fs::File::create(&path).expect("create");
    f.write_all(head).expect("write");
    f.set_len(size).expect("set_len");
}

const GB3: u64 = 3 << 30;

#[test]
fn a_3gb_file_of_unknown_type_is_refused_from_its_first_bytes() {
    let site = linking("export.bin");
    sparse(&site, "content/export.bin", b"\x00\x01nothing known", GB3);
    let out = blocked(&site);
    assert!(out.contains("content/export.bin"), "{out}");
    assert!(
        out.contains("it is not a file type schoolsite knows how to make safe"),
        "{out}"
    );
}

#[test]
fn a_3gb_file_that_starts_like_a_jpeg_is_refused_as_too_big_before_it_is_read() {
    let site = linking("photo.jpg");
    sparse(
        &site,
        "content/photo.jpg",
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
        GB3,
    );
    let out = blocked(&site);
    assert!(out.contains("content/photo.jpg"), "{out}");
    assert!(
        out.contains("it is a JPEG of more than 100 MB, more than schoolsite reads"),
        "{out}"
    );
    assert!(
        out.contains("max_file_mb"),
        "the fix names the setting: {out}"
    );
}

#[test]
fn a_normal_photo_still_publishes() {
    let site = photo_site(&[("class.jpg", plain_jpeg(640, 480))]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        published_media(&site)
            .iter()
            .any(|(p, _)| p.ends_with(".jpg")),
        "{:?}",
        site.public_files()
    );
}

#[test]
fn the_image_size_limit_is_a_setting() {
    let photo = plain_jpeg(640, 480);
    assert!(photo.len() > 10_000);
    let site = photo_site(&[("class.jpg", photo)]);
    // A limit below the photo: refused, naming the limit.
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[images]\nmax_file_mb = 0\n"),
    );
    let out = blocked(&site);
    assert!(
        out.contains("it is a JPEG of more than 0 MB, more than schoolsite reads"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_linked_from_a_page_is_refused_not_waited_on() {
    let site = linking("stream.jpg");
    let fifo = site.path("content/stream.jpg");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mkfifo is not available: skipping");
        return;
    }
    let out = blocked(&site);
    assert!(out.contains("content/stream.jpg"), "{out}");
    assert!(out.contains("not an ordinary file"), "{out}");
}

/// A PDF of `pages` pages sharing one drawing, in a balanced page tree
/// (at most 100 kids a node).
fn pdf_of_pages(pages: usize, drawing: &[u8]) -> Vec<u8> {
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (1, Vec::new()),
        (2, pdf_stream(b"", drawing)),
        (
            3,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ),
    ];
    let first = 4u32;
    let mut next = first + pages as u32;
    let mut level: Vec<(u32, usize)> = (0..pages as u32).map(|i| (first + i, 1)).collect();
    let mut parent = std::collections::HashMap::new();
    let mut nodes = Vec::new();
    loop {
        let mut up = Vec::new();
        for kids in level.chunks(100) {
            let id = next;
            next += 1;
            for (k, _) in kids {
                parent.insert(*k, id);
            }
            let count: usize = kids.iter().map(|(_, c)| c).sum();
            nodes.push((id, kids.iter().map(|(k, _)| *k).collect::<Vec<_>>(), count));
            up.push((id, count));
        }
        level = up;
        if level.len() == 1 {
            break;
        }
    }
    let root = level[0].0;
    objects[0].1 = format!("<< /Type /Catalog /Pages {root} 0 R >>").into_bytes();
    for i in 0..pages as u32 {
        let id = first + i;
        objects.push((
            id,
            format!(
                "<< /Type /Page /Parent {} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 2 0 R >>",
                parent[&id]
            )
            .into_bytes(),
        ));
    }
    for (id, kids, count) in nodes {
        let up = parent
            .get(&id)
            .map(|p| format!(" /Parent {p} 0 R"))
            .unwrap_or_default();
        let kids: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
        objects.push((
            id,
            format!(
                "<< /Type /Pages{up} /Count {count} /Kids [{}] >>",
                kids.join(" ")
            )
            .into_bytes(),
        ));
    }
    pdf_from(&objects)
}

const DRAWING: &[u8] = b"BT /F1 12 Tf 72 720 Td (Spring term dates) Tj ET";

/// Runs `schoolsite sanitise` on `bytes` as NAME; the output.
fn sanitise(name: &str, bytes: &[u8]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join(name);
    std::fs::write(&input, bytes).expect("write");
    sanitise_file(&input, &dir.path().join("out"))
}

#[test]
fn a_pdf_over_the_page_limit_is_refused_naming_the_limit_and_one_at_it_is_cleaned() {
    let at = sanitise("at.pdf", &pdf_of_pages(MAX_PAGES, DRAWING));
    assert_eq!(at.code, 0, "{}", at.all());
    let over = sanitise("over.pdf", &pdf_of_pages(MAX_PAGES + 1, DRAWING));
    assert_eq!(over.code, 1, "{}", over.all());
    assert!(
        over.stdout.contains(&format!(
            "refused: it is a PDF with more than {MAX_PAGES} pages, more than schoolsite reads"
        )),
        "{}",
        over.all()
    );
    assert!(
        over.stdout.contains("split it into smaller documents"),
        "{}",
        over.all()
    );
}

/// `n` bytes of `byte`, deflated (as a PDF's FlateDecode stream holds).
fn deflated(byte: u8, n: usize) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![byte; 1 << 20];
    let mut left = n;
    while left > 0 {
        let take = left.min(chunk.len());
        encoder.write_all(&chunk[..take]).expect("deflate");
        left -= take;
    }
    encoder.finish().expect("deflate")
}

/// A one-page PDF whose drawing is `data`, deflated.
fn pdf_with_drawing(data: Vec<u8>) -> Vec<u8> {
    pdf_from(&[
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        ),
        (4, pdf_stream(b"/Filter /FlateDecode", &data)),
    ])
}

#[test]
fn a_pdf_whose_drawing_unpacks_past_the_limit_is_refused() {
    // 100 MB of spaces, in about 100 KB: more than one page may unpack.
    let bomb = sanitise("bomb.pdf", &pdf_with_drawing(deflated(b' ', 100_000_000)));
    assert_eq!(bomb.code, 1, "{}", bomb.all());
    assert!(
        bomb.stdout
            .contains("MB of drawing on one page once unpacked, more than schoolsite reads"),
        "{}",
        bomb.all()
    );
    // The near miss: a drawing of 1 MB of spaces is read.
    let fine = sanitise("fine.pdf", &pdf_with_drawing(deflated(b' ', 1_000_000)));
    assert_eq!(fine.code, 0, "{}", fine.all());
}

#[test]
fn a_drawing_shared_by_many_pages_is_bounded_all_together() {
    // Each page unpacks 4 MB; all of them more than a document may.
    let drawing = deflated(b' ', 4_000_000);
    let pages = MAX_DOCUMENT_CONTENT / 4_000_000 + 1;
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, Vec::new()),
        (3, pdf_stream(b"/Filter /FlateDecode", &drawing)),
    ];
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + i)).collect();
    objects[1].1 = format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    )
    .into_bytes();
    for i in 0..pages {
        objects.push((
            4 + i as u32,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>".to_vec(),
        ));
    }
    let run = sanitise("shared.pdf", &pdf_from(&objects));
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("MB of drawings once unpacked (all pages together)"),
        "{}",
        run.all()
    );
}

#[test]
fn an_object_stream_bomb_is_refused_before_it_is_read() {
    // An object stream whose one object is followed by more padding than
    // object streams may unpack to all together.
    let header = b"5 0 ";
    let mut body = header.to_vec();
    body.extend_from_slice(b"<< /Kind /Filler >>");
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&body).expect("deflate");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..=MAX_UNPACKED_OBJECTS / chunk.len() {
        encoder.write_all(&chunk).expect("deflate");
    }
    let packed = encoder.finish().expect("deflate");
    let pdf = pdf_from(&[
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        ),
        (4, pdf_stream(b"", DRAWING)),
        (
            5,
            pdf_stream(
                format!(
                    "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
                    header.len()
                )
                .as_bytes(),
                &packed,
            ),
        ),
    ]);
    let run = sanitise("objects.pdf", &pdf);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("MB of objects once unpacked"),
        "{}",
        run.all()
    );
}

/// A one-page PDF whose page holds an array nested `depth` deep.
fn pdf_nested(depth: usize) -> Vec<u8> {
    let mut deep = "[".repeat(depth);
    deep.push_str(&"]".repeat(depth));
    pdf_from(&[
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Deep 5 0 R >>"
                .to_vec(),
        ),
        (4, pdf_stream(b"", DRAWING)),
        (5, deep.into_bytes()),
    ])
}

#[test]
fn a_deeply_nested_pdf_array_is_refused_without_overflowing_the_stack() {
    let deep = sanitise("deep.pdf", &pdf_nested(100_000));
    assert_eq!(deep.code, 1, "{}", deep.all());
    assert!(
        deep.stdout.contains(&format!(
            "it is a PDF with more than {MAX_NESTING} levels of nesting"
        )),
        "{}",
        deep.all()
    );
    // Just past the limit too (lopdf itself would read this one).
    let past = sanitise("past.pdf", &pdf_nested(MAX_NESTING + 1));
    assert_eq!(past.code, 1, "{}", past.all());
    // At the limit: cleaned.
    let at = sanitise("at.pdf", &pdf_nested(MAX_NESTING));
    assert_eq!(at.code, 0, "{}", at.all());
}

#[test]
fn a_markdown_page_over_the_size_limit_gets_a_clear_finding() {
    let site = Site::new();
    let limit = schoolsite::content::MAX_PAGE_BYTES as usize;
    let line = "The trip to the farm was a great success for everyone.\n\n";
    let body = line.repeat(limit / line.len() + 1);
    site.write("content/news/long.md", page("title = \"Long\"", &body));
    let out = blocked(&site);
    assert!(out.contains("content/news/long.md"), "{out}");
    assert!(
        out.contains(&format!(
            "more than the {} MB a page may hold",
            limit / 1_000_000
        )),
        "{out}"
    );
    assert!(out.contains("split it into several pages"), "{out}");
    // The near miss: a long page within the limit builds.
    let site = Site::new();
    site.write(
        "content/news/long.md",
        page("title = \"Long\"", &line.repeat(2_000)),
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
}

/// A GIF of `frames` frames of one pixel each on a `w`×`h` screen.
fn gif(w: u16, h: u16, frames: usize) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
    out.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00");
    for _ in 0..frames {
        out.extend_from_slice(b"\x21\xF9\x04\x00\x0A\x00\x00\x00");
        out.extend_from_slice(b"\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00");
        out.extend_from_slice(b"\x02\x02\x44\x01\x00");
    }
    out.push(0x3B);
    out
}

#[test]
fn an_animation_with_huge_frames_is_refused_before_its_frames_are_decoded() {
    // 6,000 × 6,000 is 36 million pixels a frame: every frame is composed
    // whole to look for faces.
    let site = photo_site(&[("wave.gif", gif(6_000, 6_000, 2))]);
    let out = blocked(&site);
    assert!(out.contains("content/gallery/wave.gif"), "{out}");
    assert!(
        out.contains("pixels in each frame of its animation, more than schoolsite reads"),
        "{out}"
    );
    assert!(out.contains("make the animation smaller"), "{out}");
    // The near miss: the same animation at 400 × 300 is published.
    let site = photo_site(&[("wave.gif", gif(400, 300, 2))]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
}

/// A PNG of `w`×`h` RGBA pixels at 16 bits a channel.
fn png16(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::from_pixel(
        w,
        h,
        image::Rgba([30_000, 40_000, 50_000, 65_535]),
    );
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

#[test]
fn a_png_too_big_to_decode_is_refused_from_its_header() {
    // 6,000 × 6,000 at 16 bits a channel: 288 MB of pixels, and 144 MB
    // more for the 8-bit copy. Only its header is written out in full:
    // the refusal comes before any pixel is decoded.
    let mut png = png16(8, 8);
    png[16..20].copy_from_slice(&6_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&6_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    let site = photo_site(&[("poster.png", png)]);
    let out = blocked(&site);
    assert!(out.contains("content/gallery/poster.png"), "{out}");
    assert!(
        out.contains("it is a PNG with more than 320 MB of pixels once decoded"),
        "{out}"
    );
    assert!(out.contains("8 bits a channel"), "{out}");
    // The near miss: a small 16-bit PNG is published.
    let site = photo_site(&[("poster.png", png16(64, 64))]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
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

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((8 + body.len()) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn mp4_full(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut all = vec![0u8; 4];
    all.extend_from_slice(body);
    mp4_box(kind, &all)
}

/// A clip whose one track lists `chunks` chunks (each of one sample):
/// its tables cost far more memory than their bytes.
fn clip_with_chunks(chunks: u32) -> Vec<u8> {
    let count = chunks.to_be_bytes();
    let mut stsc = 1u32.to_be_bytes().to_vec();
    for v in [1u32, 1, 1] {
        stsc.extend_from_slice(&v.to_be_bytes());
    }
    let mut stz2 = vec![0, 0, 0, 4];
    stz2.extend_from_slice(&count);
    stz2.extend(std::iter::repeat_n(0u8, (chunks as usize).div_ceil(2)));
    let mut stco = count.to_vec();
    stco.extend(std::iter::repeat_n(0u8, 4 * chunks as usize));
    let mut url = 1u32.to_be_bytes().to_vec();
    url.extend_from_slice(&12u32.to_be_bytes());
    url.extend_from_slice(b"url \0\0\0\x01");
    let stbl = [
        mp4_full(b"stsd", &0u32.to_be_bytes()),
        mp4_full(b"stts", &0u32.to_be_bytes()),
        mp4_full(b"stsc", &stsc),
        mp4_full(b"stz2", &stz2),
        mp4_full(b"stco", &stco),
    ]
    .concat();
    let minf = [
        mp4_full(b"vmhd", &[0; 8]),
        mp4_box(b"dinf", &mp4_full(b"dref", &url)),
        mp4_box(b"stbl", &stbl),
    ]
    .concat();
    let mut hdlr = b"\0\0\0\0vide".to_vec();
    hdlr.extend_from_slice(&[0; 13]);
    let mdia = [
        mp4_full(b"mdhd", &[0; 20]),
        mp4_full(b"hdlr", &hdlr),
        mp4_box(b"minf", &minf),
    ]
    .concat();
    let trak = [mp4_full(b"tkhd", &[0; 80]), mp4_box(b"mdia", &mdia)].concat();
    let moov = [mp4_full(b"mvhd", &[0; 96]), mp4_box(b"trak", &trak)].concat();
    [
        mp4_box(b"ftyp", b"isom\0\0\0\0isom"),
        mp4_box(b"moov", &moov),
        mp4_box(b"mdat", &[0; 16]),
    ]
    .concat()
}

#[test]
fn a_clip_whose_tables_list_millions_of_chunks_is_refused() {
    let over = sanitise("long.mp4", &clip_with_chunks(5_000_001));
    assert_eq!(over.code, 1, "{}", over.all());
    assert!(
        over.stdout.contains(
            "with more than 5000000 samples or chunks in its tables, more than schoolsite reads"
        ),
        "{}",
        over.all()
    );
    // The near miss: the same clip with a thousand chunks is cleaned.
    let fine = sanitise("short.mp4", &clip_with_chunks(1_000));
    assert_eq!(fine.code, 0, "{}", fine.all());
}

/// A one-page PDF with one more object, an array of `values` numbers,
/// which its cross-reference table lists under `numbers` more numbers.
fn pdf_listing_one_object_many_times(values: usize, numbers: usize) -> Vec<u8> {
    let bodies: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        pdf_stream(b"", DRAWING),
        format!("[{}]", "0 ".repeat(values)).into_bytes(),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = bodies.len() + numbers + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for o in offsets
        .iter()
        .chain(std::iter::repeat_n(&offsets[4], numbers))
    {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn one_object_listed_under_many_numbers_counts_for_each() {
    // The reader reads the array again for every number that lists it,
    // and holds every copy at once: 100,000 numbers in 3,000 copies is
    // 300 million values (a 2 MB file that took all of a 24 GB machine).
    let run = sanitise(
        "listed.pdf",
        &pdf_listing_one_object_many_times(100_000, 3_000),
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains(&format!(
            "with more than {} values in its objects",
            schoolsite::media::pdf_limits::MAX_VALUES
        )),
        "{}",
        run.all()
    );
    // The near miss: listed under one number more, it is cleaned.
    let run = sanitise("once.pdf", &pdf_listing_one_object_many_times(100_000, 1));
    assert_eq!(run.code, 0, "{}", run.all());
}

/// A progressive JPEG of `w`×`h` with full colour detail (4:4:4).
fn progressive_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_progressive(true);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    let pixels = vec![128u8; usize::from(w) * usize::from(h) * 3];
    encoder
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("encode");
    out
}

#[test]
fn a_progressive_jpeg_too_big_to_decode_is_refused_from_its_header() {
    // A progressive JPEG's decoder holds every coefficient at once: at
    // 10,000 × 10,000 with full colour detail, 600 MB, however small the
    // copies made. Its frame header says so; only that is made that big.
    let mut jpeg = progressive_jpeg(64, 64);
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC2])
        .expect("a progressive frame header");
    jpeg[sof + 5..sof + 7].copy_from_slice(&10_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&10_000u16.to_be_bytes());
    let site = photo_site(&[("hall.jpg", jpeg)]);
    let out = blocked(&site);
    assert!(out.contains("content/gallery/hall.jpg"), "{out}");
    assert!(
        out.contains("it is a JPEG with more than 320 MB of pixels once decoded"),
        "{out}"
    );
    // The near miss: the same photo at its real size is published.
    let site = photo_site(&[("hall.jpg", progressive_jpeg(64, 64))]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
}
