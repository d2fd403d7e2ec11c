//! PDF: rewritten whole, so no earlier revision survives, without the
//! document properties, XMP metadata (document, page and image level),
//! private application data, page thumbnails, embedded files and file
//! attachments, forms' XML data, JavaScript and launch actions. Embedded
//! JPEG photos keep their compressed pixels but lose their EXIF, GPS,
//! XMP and IPTC segments, through the same code as photos. The text stays
//! text and the pages look the same.
//!
//! Images are kept only where something draws them (a page, a form, a
//! pattern, a soft mask, an annotation's appearance, as the reader in
//! [`read`] follows them): an image stored but drawn nowhere (an unused
//! resource, a leftover thumbnail) is removed, so it cannot be taken out
//! of the published file.
//!
//! Encrypted PDFs are refused: what is inside cannot be examined. So are
//! images in formats that can carry metadata schoolsite cannot remove
//! (JPEG 2000), and anything `lopdf` cannot read.

pub mod limits;
mod look;
mod pictures;
mod read;
mod shown;

pub use look::{MAX_PICTURE_PIXELS, MAX_PICTURES};
pub use read::MIN_PICTURE_SIDE;

use super::{DocumentContents, Pieces, Read, Refusal, RemovedLog, Settings, Stripped};
use lopdf::{Dictionary, Document, LoadOptions, Object};

const FORMAT: &str = "PDF";

/// Most an object or cross-reference stream may inflate to while the
/// file is read: a PDF bomb is refused, not unpacked (object streams are
/// also bounded all together, by [`limits::check`]).
const MAX_INFLATED: usize = limits::MAX_UNPACKED_OBJECTS;

/// Deepest nesting of arrays and dictionaries walked.
const MAX_DEPTH: usize = 64;

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: FORMAT,
        detail: detail.into(),
    }
}

/// Actions that run something or reach outside the document.
const UNSAFE_ACTIONS: &[&[u8]] = &[
    b"JavaScript",
    b"Launch",
    b"ImportData",
    b"SubmitForm",
    b"RichMediaExecute",
    b"Rendition",
    b"Sound",
    b"Movie",
];

/// Annotations that carry files or media rather than marks on the page.
const UNSAFE_ANNOTATIONS: &[&[u8]] = &[
    b"FileAttachment",
    b"Sound",
    b"Movie",
    b"RichMedia",
    b"Screen",
];

/// Annotations that are comments and marks made while reviewing: their
/// `/T` is the reviewer's name.
const MARKUP_ANNOTATIONS: &[&[u8]] = &[
    b"Text",
    b"FreeText",
    b"Line",
    b"Square",
    b"Circle",
    b"Polygon",
    b"PolyLine",
    b"Highlight",
    b"Underline",
    b"Squiggly",
    b"StrikeOut",
    b"Stamp",
    b"Caret",
    b"Ink",
    b"Redact",
];

/// Cleans a PDF; with `read`, also reads what the clean copy shows
/// (its text and pictures, page by page, and the faces in its pictures)
/// for the rules.
pub(super) fn strip<'a>(
    input: &'a [u8],
    settings: &Settings,
    read: Read,
) -> Result<(Stripped<'a>, Option<DocumentContents>), Refusal> {
    if has_encryption(input) {
        return Err(Refusal::Encrypted { format: FORMAT });
    }
    // A PDF ends with %%EOF (perhaps followed by a little padding); one
    // that does not was cut off, and what is missing cannot be checked.
    // Other data after the end (a ZIP made to look like a PDF, a file
    // hidden after it) is dropped with the rewrite, and reported; an
    // unfinished save after it means the file was cut off.
    let Some(end) = memchr::memmem::rfind(input, b"%%EOF").map(|at| at + 5) else {
        return Err(corrupt("it is cut off: it does not end with %%EOF"));
    };
    let after = &input[end..];
    let mut hidden = 0;
    if after.len() > 1024 {
        if [&b"startxref"[..], b"endobj", b"xref"]
            .iter()
            .any(|k| memchr::memmem::find(after, k).is_some())
        {
            return Err(corrupt("it is cut off: its last save did not finish"));
        }
        hidden = after.len();
    }
    let input = if hidden > 0 { &input[..end] } else { input };
    // Bytes before the header (a mail system's or scanner's): readers
    // skip them, and the rewrite leaves them out.
    let before = memchr::memmem::find(&input[..input.len().min(1024)], b"%PDF-").unwrap_or(0);
    // Its objects, values and nesting are counted on its bytes first:
    // lopdf reads them all at once, each far bigger than its bytes.
    limits::check(input)?;
    let mut doc = load(input)?;
    if doc.was_encrypted() || doc.is_encrypted() {
        return Err(Refusal::Encrypted { format: FORMAT });
    }
    limits::check_page_tree(&doc)?;
    let pages = check_pages(&doc)?;
    let mut removed = RemovedLog::default();

    if before > 0 {
        removed.add("data before the start of the document", before);
    }
    if hidden > 0 {
        removed.add_found(
            "data after the end of the document",
            hidden,
            vec!["another file hidden after the end of the PDF".to_string()],
        );
    }
    let revisions = count(input, b"startxref");
    if revisions > 1
        && !input[..input.len().min(1024)]
            .windows(11)
            .any(|w| w == b"/Linearized")
    {
        removed.add_found(
            "earlier revisions (incremental saves)",
            0,
            vec![format!(
                "{} earlier revision{}",
                revisions - 1,
                if revisions == 2 { "" } else { "s" }
            )],
        );
    }

    // The trailer is made afresh with only the catalog: the document
    // properties go, and nothing else hangs off it unexamined.
    let root = doc
        .trailer
        .get(b"Root")
        .ok()
        .cloned()
        .ok_or_else(|| corrupt("it has no catalog (no /Root in its trailer)"))?;
    let old_trailer = std::mem::take(&mut doc.trailer);
    doc.trailer.set("Root", root);
    // The document properties: author, title, software, dates.
    if let Ok(info) = old_trailer.get(b"Info") {
        let dict = match info {
            Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
            Object::Dictionary(d) => Some(d.clone()),
            _ => None,
        };
        let mut found = Vec::new();
        if let Some(d) = dict {
            if d.has(b"Author") {
                found.push("author name".to_string());
            }
            if d.has(b"Creator") || d.has(b"Producer") {
                found.push("software used".to_string());
            }
        }
        removed.add_found("document properties", 0, found);
    }

    // Counted for the summary: "2 photos' GPS positions, 1 attached file".
    let mut attachments = 0;
    let mut located_photos = 0;
    // Every object: metadata streams and files go; keys that carry
    // metadata, thumbnails, private data or actions are taken out.
    let ids: Vec<_> = doc.objects.keys().copied().collect();
    for id in ids {
        let Some(object) = doc.objects.get_mut(&id) else {
            continue;
        };
        if let Object::Stream(stream) = object {
            let kind = stream.dict.get_type().ok().map(<[u8]>::to_vec);
            let subtype = stream
                .dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .ok()
                .map(<[u8]>::to_vec);
            match (kind.as_deref(), subtype.as_deref()) {
                (Some(b"Metadata"), _) | (_, Some(b"XML")) => {
                    removed.add("XMP metadata", stream.content.len());
                    *object = Object::Null;
                    continue;
                }
                (Some(b"EmbeddedFile"), _) => {
                    attachments += 1;
                    removed.add("embedded file", stream.content.len());
                    *object = Object::Null;
                    continue;
                }
                _ => {}
            }
            if subtype.as_deref() == Some(b"Image") && clean_image(stream, settings, &mut removed)?
            {
                located_photos += 1;
            }
            clean_dictionary(&mut stream.dict, &mut removed, 0)?;
        } else if let Object::Dictionary(dict) = object {
            if dict
                .get(b"S")
                .and_then(Object::as_name)
                .is_ok_and(is_unsafe_action)
            {
                removed.add("JavaScript or launch action", 0);
                *object = Object::Null;
                continue;
            }
            if dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|s| UNSAFE_ANNOTATIONS.contains(&s))
            {
                removed.add("file attachment", 0);
                *object = Object::Null;
                continue;
            }
            if dict.has_type(b"Filespec") {
                removed.add("embedded file", 0);
                *object = Object::Null;
                continue;
            }
            clean_dictionary(dict, &mut removed, 0)?;
        } else {
            clean_object(object, &mut removed, 0)?;
        }
    }
    if located_photos > 0 {
        removed.note(
            PHOTO_METADATA,
            if located_photos == 1 {
                "1 photo's GPS position".to_string()
            } else {
                format!("{located_photos} photos' GPS positions")
            },
        );
    }
    if attachments > 0 {
        removed.note(
            "embedded file",
            if attachments == 1 {
                "1 attached file".to_string()
            } else {
                format!("{attachments} attached files")
            },
        );
    }
    // The catalog's own entries that carry files, forms' data and scripts.
    if let Ok(root) = doc.trailer.get(b"Root").and_then(Object::as_reference)
        && let Ok(catalog) = doc.get_dictionary_mut(root)
    {
        for key in [
            &b"AcroForm"[..],
            b"OpenAction",
            b"SpiderInfo",
            b"Perms",
            b"Collection",
        ] {
            if catalog.remove(key).is_some() {
                let what = if key == b"AcroForm" {
                    "form and its data"
                } else {
                    "document action"
                };
                removed.add(what, 0);
            }
        }
    }
    keep_known_catalog(&mut doc, &mut removed);
    remove_undrawn_images(&mut doc, &mut removed)?;
    // Every stream's /Length says how many bytes it holds (a damaged
    // file's may not, or may point elsewhere), so the copy reads the same
    // and a second cleaning writes the same bytes.
    for object in doc.objects.values_mut() {
        if let Object::Stream(stream) = object {
            let len = stream.content.len() as i64;
            stream.dict.set("Length", len);
        }
    }
    doc.prune_objects();
    // References to objects that are not there (damaged files have them)
    // become null, as a reader treats them, so a second pass finds the
    // same file.
    // (Objects removed above are null now: they are not written, so
    // references to them are dangling too. An object that was only a
    // reference to one becomes null in turn: repeat until none does.)
    for _ in 0..MAX_DEPTH {
        // The writer leaves out object and cross-reference streams and
        // linearization dictionaries (it makes its own): references to
        // a damaged file's objects that call themselves one would dangle.
        doc.objects.retain(|_, o| {
            !matches!(o, Object::Null)
                && !matches!(o.type_name(), Ok(b"ObjStm" | b"XRef" | b"Linearized"))
        });
        let existing: std::collections::BTreeSet<_> = doc.objects.keys().copied().collect();
        let mut changed = false;
        for object in doc.objects.values_mut() {
            changed |= null_dangling(object, &existing, 0);
        }
        if !changed {
            break;
        }
    }
    // What only a left-out object pointed at (a document information
    // dictionary named by a damaged file's object that calls itself a
    // cross-reference stream) is no longer reachable: it goes too, or it
    // would be written where nothing refers to it.
    doc.prune_objects();
    doc.renumber_objects();

    let mut bytes = Vec::with_capacity(input.len());
    doc.save_to(&mut bytes)
        .map_err(|e| corrupt(format!("it could not be written again ({e})")))?;
    // The copy is read back next: the original's objects are not kept
    // alongside it.
    drop(doc);
    let clean = verify(&bytes, pages)?;
    let contents = match read {
        Read::Nothing => None,
        Read::Text | Read::TextAndFaces => {
            let faces = (read == Read::TextAndFaces).then_some(settings.max_pixels);
            let (contents, drawn) = read::contents(&clean, faces)?;
            // The copy is read back, not trusted: every image in it is
            // one something draws.
            if clean
                .objects
                .iter()
                .any(|(id, o)| is_image(o) && !drawn.contains(id))
            {
                return Err(corrupt(
                    "the cleaned copy still held an image no page shows, so it is not published",
                ));
            }
            Some(contents)
        }
    };
    Ok((
        Stripped::file(Pieces::owned(input, bytes), removed.finish()),
        contents,
    ))
}

/// Reads a PDF with lopdf, each object or cross-reference stream
/// unpacked to at most [`MAX_INFLATED`].
fn load(input: &[u8]) -> Result<Document, Refusal> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_INFLATED),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(input, options).map_err(|e| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            limits::too_much_unpacked(limits::UNPACKED_OBJECTS, MAX_INFLATED)
        }
        e => corrupt(format!("it cannot be read as a PDF ({e})")),
    })
}

fn is_image(object: &Object) -> bool {
    object.as_stream().is_ok_and(|s| {
        s.dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"Image")
    })
}

/// What removed images are called in the summary.
const UNDRAWN_IMAGE: &str = "image no page shows";

/// Removes every image nothing draws (see the module docs), listing each
/// in the removal log with its size in pixels.
fn remove_undrawn_images(doc: &mut Document, removed: &mut RemovedLog) -> Result<(), Refusal> {
    let drawn = read::drawn(doc)?;
    let undrawn: Vec<lopdf::ObjectId> = doc
        .objects
        .iter()
        .filter(|(id, o)| is_image(o) && !drawn.contains(id))
        .map(|(id, _)| *id)
        .collect();
    for id in &undrawn {
        let Some(object) = doc.objects.get_mut(id) else {
            continue;
        };
        let (bytes, size) = match object.as_stream() {
            Ok(s) => {
                let side = |k: &[u8]| s.dict.get(k).and_then(Object::as_i64).unwrap_or(0);
                (s.content.len(), (side(b"Width"), side(b"Height")))
            }
            Err(_) => (0, (0, 0)),
        };
        removed.add_found(
            UNDRAWN_IMAGE,
            bytes,
            vec![format!(
                "an image stored but never shown ({}×{} pixels)",
                size.0, size.1
            )],
        );
        *object = Object::Null;
    }
    Ok(())
}

/// What the catalog may keep: what shows the document (pages, their
/// labels and structure, bookmarks, links' destinations, layers, viewer
/// settings, language). Everything else goes, known or not, so a key no
/// reader (and no cleaner) knows cannot carry anything out.
const CATALOG_KEYS: &[&[u8]] = &[
    b"Type",
    b"Version",
    b"Pages",
    b"PageLabels",
    b"Names",
    b"Dests",
    b"ViewerPreferences",
    b"PageLayout",
    b"PageMode",
    b"Outlines",
    b"StructTreeRoot",
    b"MarkInfo",
    b"Lang",
    b"OCProperties",
];

/// Keeps only [`CATALOG_KEYS`] in the catalog, and only named
/// destinations (what links jump to) among its name trees.
fn keep_known_catalog(doc: &mut Document, removed: &mut RemovedLog) {
    let Ok(root) = doc.trailer.get(b"Root").and_then(Object::as_reference) else {
        return;
    };
    let mut names_id = None;
    if let Ok(catalog) = doc.get_dictionary_mut(root) {
        let unknown: Vec<Vec<u8>> = catalog
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !CATALOG_KEYS.contains(&k.as_slice()))
            .collect();
        for key in unknown {
            catalog.remove(&key);
            removed.add("other document-level data", 0);
        }
        match catalog.get_mut(b"Names") {
            Ok(Object::Dictionary(names)) => keep_destinations(names, removed),
            Ok(Object::Reference(id)) => names_id = Some(*id),
            _ => {}
        }
    }
    if let Some(id) = names_id
        && let Ok(names) = doc.get_dictionary_mut(id)
    {
        keep_destinations(names, removed);
    }
}

fn keep_destinations(names: &mut Dictionary, removed: &mut RemovedLog) {
    let others: Vec<Vec<u8>> = names
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| k != b"Dests")
        .collect();
    for key in others {
        names.remove(&key);
        removed.add(
            match key.as_slice() {
                b"JavaScript" => "JavaScript",
                b"EmbeddedFiles" => "embedded file",
                _ => "other document-level data",
            },
            0,
        );
    }
}

/// Removes the keys of `dict` that carry metadata, private data,
/// thumbnails or actions, and unsafe annotations from page lists.
fn clean_dictionary(
    dict: &mut Dictionary,
    removed: &mut RemovedLog,
    depth: usize,
) -> Result<(), Refusal> {
    if depth > MAX_DEPTH {
        return Err(corrupt("it nests objects deeper than any real document"));
    }
    for (key, what) in [
        (&b"Metadata"[..], "XMP metadata"),
        (b"PieceInfo", "private application data"),
        (b"Thumb", "page thumbnail"),
        (b"AA", "JavaScript or launch action"),
        (b"JS", "JavaScript or launch action"),
        (b"XFA", "form and its data"),
        (b"LastModified", "document properties"),
    ] {
        if dict.remove(key).is_some() {
            removed.add(what, 0);
        }
    }
    // A comment's author (a markup annotation's /T; a form field's /T is
    // its name, and stays).
    if dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .is_ok_and(|s| MARKUP_ANNOTATIONS.contains(&s))
        && dict.remove(b"T").is_some()
    {
        removed.add_found("comment author", 0, vec!["a comment's author".to_string()]);
    }
    // The copy is never linearized, and the writer leaves out any
    // dictionary that says it is, which would leave references dangling.
    dict.remove(b"Linearized");
    let action_is_unsafe = match dict.get(b"A") {
        Ok(Object::Dictionary(a)) => a
            .get(b"S")
            .and_then(Object::as_name)
            .is_ok_and(is_unsafe_action),
        _ => false,
    };
    if action_is_unsafe {
        dict.remove(b"A");
        removed.add("JavaScript or launch action", 0);
    }
    if let Ok(Object::Array(annots)) = dict.get_mut(b"Annots") {
        let before = annots.len();
        annots.retain(|a| match a {
            Object::Dictionary(d) => !d
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|s| UNSAFE_ANNOTATIONS.contains(&s)),
            _ => true,
        });
        for _ in annots.len()..before {
            removed.add("file attachment", 0);
        }
    }
    for (_, value) in dict.iter_mut() {
        clean_object(value, removed, depth + 1)?;
    }
    Ok(())
}

fn clean_object(
    object: &mut Object,
    removed: &mut RemovedLog,
    depth: usize,
) -> Result<(), Refusal> {
    if depth > MAX_DEPTH {
        return Err(corrupt("it nests objects deeper than any real document"));
    }
    match object {
        Object::Dictionary(d) => clean_dictionary(d, removed, depth + 1),
        Object::Array(items) => {
            for item in items {
                clean_object(item, removed, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A JPEG image keeps its compressed pixels and loses its metadata
/// segments; a JPEG 2000 one is refused (its boxes can hold anything).
/// What photos inside a document lose, in the summary.
const PHOTO_METADATA: &str = "photo metadata (EXIF, GPS, XMP, IPTC)";

/// Cleans an image; says whether it held a GPS position.
fn clean_image(
    stream: &mut lopdf::Stream,
    settings: &Settings,
    removed: &mut RemovedLog,
) -> Result<bool, Refusal> {
    let filters: Vec<Vec<u8>> = stream
        .dict
        .get(b"Filter")
        .map(|f| match f {
            Object::Name(n) => vec![n.clone()],
            Object::Array(a) => a
                .iter()
                .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    if filters.iter().any(|f| f == b"JPXDecode") {
        return Err(Refusal::Unsupported {
            format: "a PDF with JPEG 2000 images",
            fix: "export the document again with images saved as JPEG (for example \"Save as PDF\" with standard quality)",
        });
    }
    match filters.as_slice() {
        [only] if only == b"DCTDecode" => {
            let stripped = super::jpeg::strip(&stream.content, settings)?;
            let photo_removed = stripped.removed;
            let bytes = stripped.body.into_vec();
            let saved = stream.content.len().saturating_sub(bytes.len());
            let mut found = Vec::new();
            let mut located = false;
            for r in &photo_removed {
                for f in &r.found {
                    if f == "GPS position" {
                        located = true;
                    } else if !found.contains(f) {
                        found.push(f.clone());
                    }
                }
            }
            if saved > 0 || !found.is_empty() {
                removed.add_found(PHOTO_METADATA, saved, found);
            }
            stream.set_content(bytes);
            Ok(located)
        }
        filters if filters.iter().any(|f| f == b"DCTDecode") => Err(corrupt(
            "a photo in it is stored in a way schoolsite cannot clean (a JPEG inside another filter)",
        )),
        _ => Ok(false),
    }
}

fn is_unsafe_action(name: &[u8]) -> bool {
    UNSAFE_ACTIONS.contains(&name)
}

/// Turns references to objects not in `existing` into null; says
/// whether it changed anything.
fn null_dangling(
    object: &mut Object,
    existing: &std::collections::BTreeSet<lopdf::ObjectId>,
    depth: usize,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let mut changed = false;
    match object {
        Object::Reference(id) if !existing.contains(id) => {
            *object = Object::Null;
            changed = true;
        }
        Object::Array(items) => {
            for item in items {
                changed |= null_dangling(item, existing, depth + 1);
            }
        }
        Object::Dictionary(d) => {
            for (_, v) in d.iter_mut() {
                changed |= null_dangling(v, existing, depth + 1);
            }
        }
        Object::Stream(s) => {
            for (_, v) in s.dict.iter_mut() {
                changed |= null_dangling(v, existing, depth + 1);
            }
        }
        _ => {}
    }
    changed
}

/// Whether `object` refers to an object not in `existing`.
fn dangles(
    object: &Object,
    existing: &std::collections::BTreeSet<lopdf::ObjectId>,
    depth: usize,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match object {
        Object::Reference(id) => !existing.contains(id),
        Object::Array(items) => items.iter().any(|i| dangles(i, existing, depth + 1)),
        Object::Dictionary(d) => d.iter().any(|(_, v)| dangles(v, existing, depth + 1)),
        Object::Stream(s) => s.dict.iter().any(|(_, v)| dangles(v, existing, depth + 1)),
        _ => false,
    }
}

/// How many pages the document has, refusing one with none, or with a
/// page that is not there.
fn check_pages(doc: &Document) -> Result<usize, Refusal> {
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(corrupt("it has no pages"));
    }
    if let Some((n, _)) = pages
        .iter()
        .find(|(_, id)| doc.get_dictionary(**id).is_err())
    {
        return Err(corrupt(format!("page {n} is missing")));
    }
    Ok(pages.len())
}

/// Whether the file declares encryption anywhere (any trailer, any
/// cross-reference stream).
fn has_encryption(input: &[u8]) -> bool {
    input.windows(8).any(|w| w == b"/Encrypt")
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(haystack, needle).count()
}

/// Reads the written file back and refuses it if anything that should be
/// gone is still there: the output is checked, not trusted.
fn verify(bytes: &[u8], pages: usize) -> Result<Document, Refusal> {
    let doc = load(bytes)
        .map_err(|e| corrupt(format!("the cleaned copy could not be read back ({e})")))?;
    // The copy must pass the same checks as the original, with as many
    // pages: what is published must itself be acceptable.
    if check_pages(&doc).ok() != Some(pages) {
        return Err(corrupt(
            "its pages are not arranged the way a PDF's must be, so the cleaned copy would not show them all",
        ));
    }
    let leftover = |what: &str| {
        corrupt(format!(
            "the cleaned copy still held {what}, so it is not published"
        ))
    };
    if doc.trailer.has(b"Info") {
        return Err(leftover("document properties"));
    }
    if doc
        .catalog()
        .is_ok_and(|c| c.iter().any(|(k, _)| !CATALOG_KEYS.contains(&k.as_slice())))
    {
        return Err(leftover("document-level data"));
    }
    if count(bytes, b"startxref") != 1 {
        return Err(leftover("more than one revision"));
    }
    let existing: std::collections::BTreeSet<_> = doc.objects.keys().copied().collect();
    if doc.objects.values().any(|o| dangles(o, &existing, 0)) {
        return Err(corrupt(
            "parts of it refer to parts that are not there, so the cleaned copy would not be sound",
        ));
    }
    for object in doc.objects.values() {
        let dict = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if dict.has(b"Metadata") || dict.has(b"PieceInfo") || dict.has(b"Thumb") || dict.has(b"JS")
        {
            return Err(leftover("metadata or a script"));
        }
        if dict.has_type(b"EmbeddedFile")
            || dict.has_type(b"Metadata")
            || dict.has_type(b"Filespec")
        {
            return Err(leftover("an embedded file or metadata"));
        }
    }
    Ok(doc)
}
