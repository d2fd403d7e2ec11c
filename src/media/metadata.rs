//! Reading what a metadata block holds, so the report can say what was
//! removed ("GPS position, camera serial number, 1 face tag"), and the one
//! piece that is put back: a minimal EXIF block holding only the
//! orientation, so a phone photo still shows upright.
//!
//! Nothing read here is ever copied into an output except the orientation
//! number, and that only through [`minimal_exif`].

/// What an EXIF block held.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct ExifFacts {
    /// 1–8 as in the EXIF specification; 1 when absent, unreadable or
    /// out of range.
    pub orientation: u16,
    /// Plain words for what was found, in a stable order.
    pub found: Vec<String>,
}

/// Reads a TIFF-structured EXIF block (starting with `II*\0` or `MM\0*`).
/// A damaged block (offsets pointing outside it, loops, bad counts) is
/// reported as such and yields orientation 1: it is dropped either way.
pub(super) fn exif_facts(tiff: &[u8]) -> ExifFacts {
    let mut reader = ::exif::Reader::new();
    reader.continue_on_error(true);
    let (parsed, damaged) = match reader.read_raw(tiff.to_vec()) {
        Ok(e) => (Some(e), false),
        Err(::exif::Error::PartialResult(partial)) => (Some(partial.into_inner().0), true),
        Err(_) => (None, true),
    };
    let Some(exif) = parsed else {
        return ExifFacts {
            orientation: 1,
            found: vec!["damaged EXIF data".to_string()],
        };
    };
    use ::exif::{In, Tag};
    let has = |tags: &[Tag]| exif.fields().any(|f| tags.contains(&f.tag));
    let mut found = Vec::new();
    if damaged {
        found.push("damaged EXIF data".to_string());
    }
    let mut note = |yes: bool, what: &str| {
        if yes {
            found.push(what.to_string());
        }
    };
    note(
        has(&[Tag::GPSLatitude, Tag::GPSLongitude, Tag::GPSAltitude]),
        "GPS position",
    );
    note(
        has(&[
            Tag::BodySerialNumber,
            Tag::LensSerialNumber,
            Tag::ImageUniqueID,
        ]),
        "camera serial number",
    );
    note(
        has(&[Tag::CameraOwnerName, Tag::Artist, Tag::Copyright]),
        "owner or photographer name",
    );
    note(has(&[Tag::Make, Tag::Model]), "camera make and model");
    note(
        has(&[Tag::DateTimeOriginal, Tag::DateTimeDigitized, Tag::DateTime]),
        "date and time taken",
    );
    note(
        has(&[Tag::ImageDescription, Tag::UserComment]),
        "description or comment",
    );
    note(has(&[Tag::MakerNote]), "camera maker notes");
    note(
        exif.get_field(Tag::JPEGInterchangeFormat, In::THUMBNAIL)
            .is_some(),
        "embedded thumbnail",
    );
    let orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|o| u16::try_from(o).ok())
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1);
    ExifFacts { orientation, found }
}

/// What an XMP packet held that matters for privacy.
pub(super) fn xmp_facts(xml: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(xml);
    let mut found = Vec::new();
    // Face regions: Metadata Working Group (Lightroom, Google Photos,
    // Picasa, digiKam) and Microsoft Photo (Windows) region schemas.
    let faces = text.matches("Type=\"Face\"").count()
        + text.matches("Type='Face'").count()
        + text.matches("<mwg-rs:Type>Face</mwg-rs:Type>").count()
        + text.matches("PersonDisplayName").count() / 2;
    match faces {
        0 => {}
        1 => found.push("1 face tag".to_string()),
        n => found.push(format!("{n} face tags")),
    }
    if text.contains("GPSLatitude") || text.contains("exif:GPS") {
        found.push("GPS position".to_string());
    }
    if text.contains("Iptc4xmpExt:PersonInImage") || text.contains("dc:subject") {
        found.push("keywords or names of people".to_string());
    }
    if text.contains("GCamera:MicroVideo") || text.contains("Camera:MotionPhoto") {
        found.push("motion-photo reference".to_string());
    }
    found
}

/// A big-endian TIFF block whose only entry is the orientation.
pub(super) fn minimal_exif(orientation: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(26);
    v.extend_from_slice(b"MM\0*");
    v.extend_from_slice(&8u32.to_be_bytes()); // IFD0 offset
    v.extend_from_slice(&1u16.to_be_bytes()); // one entry
    v.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    v.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    v.extend_from_slice(&1u32.to_be_bytes()); // count
    v.extend_from_slice(&orientation.to_be_bytes());
    v.extend_from_slice(&[0, 0]); // padding of the value field
    v.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    v
}

/// The orientation held by an EXIF block that is exactly the minimal
/// block [`minimal_exif`] writes: a second pass keeps it and reports
/// nothing, so sanitising is idempotent.
pub(super) fn minimal_orientation(tiff: &[u8]) -> Option<u16> {
    (2..=8).find(|&o| tiff == minimal_exif(o).as_slice())
}

/// Describes data found after a file's end, naming the motion-photo
/// videos phones append.
pub(super) fn trailer_description(trailer: &[u8]) -> &'static str {
    let head = &trailer[..trailer.len().min(64 * 1024)];
    if head.windows(4).any(|w| w == b"ftyp") {
        "motion-photo video after the end of the image"
    } else if head.starts_with(b"PK\x03\x04") {
        "ZIP archive after the end of the image"
    } else {
        "data after the end of the image"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_block_reads_back_with_only_orientation() {
        for o in 1..=8 {
            let facts = exif_facts(&minimal_exif(o));
            assert_eq!(facts.orientation, o);
            assert!(facts.found.is_empty(), "{:?}", facts.found);
        }
    }

    #[test]
    fn damaged_block_is_named_and_upright() {
        let mut bad = minimal_exif(6);
        bad[7] = 200; // IFD offset points outside the block
        let facts = exif_facts(&bad);
        assert_eq!(facts.orientation, 1);
        assert_eq!(facts.found, ["damaged EXIF data"]);
        assert_eq!(exif_facts(b"nonsense").found, ["damaged EXIF data"]);
    }

    #[test]
    fn xmp_face_regions_are_counted() {
        let xmp = br#"<mwg-rs:RegionList><rdf:li mwg-rs:Name="A" mwg-rs:Type="Face"/><rdf:li mwg-rs:Name="B" mwg-rs:Type="Face"/></mwg-rs:RegionList>"#;
        assert_eq!(xmp_facts(xmp), ["2 face tags"]);
    }
}
