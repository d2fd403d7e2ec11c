//! Every photo that reaches public/ has lost every piece of metadata,
//! keeps its exact pixels, and is named by its hash.

mod common;
use common::*;

#[test]
fn jpeg_every_hiding_place_removed_pixels_kept() {
    let original = jpeg_with_everything(64, 48);
    // The fixture really carries what it claims (checked independently).
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&original))
        .expect("fixture has EXIF");
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    assert!(exif.get_field(exif::Tag::Make, exif::In::PRIMARY).is_some());

    let site = photo_site(&[("beach.jpg", original.clone())]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("EXIF metadata"), "{}", run.stdout);
    let media = published_media(&site);
    assert_eq!(media.len(), 1);
    let (name, bytes) = &media[0];
    assert!(name.ends_with(".jpg") && !name.contains("beach"), "{name}");
    assert_clean(name, bytes);
    assert_clean_exiftool(&site.path("public").join(name));
    assert_eq!(decode(bytes), decode(&original), "pixels changed");
    assert!(bytes.len() < original.len());
}

#[test]
fn png_every_hiding_place_removed_pixels_kept() {
    let original = png_with_everything(40, 30);
    let site = photo_site(&[("chart.png", original.clone())]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let media = published_media(&site);
    let (name, bytes) = &media[0];
    assert!(name.ends_with(".png"), "{name}");
    assert_clean(name, bytes);
    assert_clean_exiftool(&site.path("public").join(name));
    assert_eq!(decode(bytes), decode(&original), "pixels changed");
}

#[test]
fn same_photo_twice_is_published_once_and_names_are_stable() {
    let photo = jpeg_with_everything(16, 16);
    let site = photo_site(&[("a.jpg", photo.clone()), ("b.jpg", photo)]);
    assert_eq!(site.build().code, 0);
    let first = published_media(&site);
    assert_eq!(first.len(), 1);
    assert_eq!(site.build().code, 0);
    assert_eq!(
        published_media(&site),
        first,
        "a rebuild names files the same"
    );
}

#[test]
fn png_whose_pixel_data_is_changed_is_refused() {
    // The chunk's checksum fails and so does the compressed data's own
    // (a chunk checksum alone failing is rebuilt: tests/rebuild.rs).
    let mut png = plain_png(8, 8);
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    png[idat + 6] ^= 0xFF;
    let site = photo_site(&[("bad.png", png)]);
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("the IDAT chunk fails its checksum"),
        "{}",
        run.stdout
    );
}

#[test]
fn huge_declared_size_is_refused_before_decoding() {
    // A header claiming 65535×65535 pixels (over 4 gigapixels).
    let mut jpeg = plain_jpeg(8, 8);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let site = photo_site(&[("bomb.jpg", jpeg)]);
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("more than the limit of 100000000 pixels"),
        "{}",
        run.stdout
    );
}
