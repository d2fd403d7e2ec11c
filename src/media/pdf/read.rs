//! What a cleaned PDF shows, page by page: its text, as a reader would
//! copy it or a screen reader read it, and how many pictures it shows.
//! The rules check the text for pupils' names and contact details, and
//! the pictures against the consent declarations.
//!
//! Text is read by following each page's content stream (and the forms,
//! patterns and soft masks it draws) through the text operators, decoding
//! strings with the font's encoding or Unicode map. Where words go is
//! worked out from positions: programs place words and even single
//! letters separately, so a gap wider than a fifth of the font size is a
//! space and a move to another baseline is a new line, as in `pdftotext`.
//! Glyph widths come from the font (`/Widths`, `/W`); a font without them
//! is assumed half an em wide per glyph. Marked content's `/ActualText`,
//! `/Alt` and `/E` are read where they are.
//!
//! Then, with each page: its annotations, whole (their text, appearance
//! streams, form fields' names and values, links' addresses: see
//! [`super::shown`]), its tags' texts and its label's prefix. With the
//! document: its bookmarks' titles, its layers' names, and tags that name
//! no page.
//!
//! Pictures are counted where they are drawn, by their drawn size and
//! their pixels (see [`super::pictures`]), and, when asked, looked at for
//! faces as they are drawn (see [`super::look`]). Every image object
//! drawn anywhere is recorded: the cleaner keeps only those.

use super::super::{DocumentContents, DocumentPage, Refusal};
use super::limits;
use super::look::Looker;
use super::pictures::{self, IDENTITY, Matrix, Placement, Rect, Source};
use super::shown::{self, Piece};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId, Stream};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A picture at least this many pixels on both sides counts as one that
/// may show a person, however it is drawn; smaller ones count when drawn
/// together as a bigger picture (see [`super::pictures`]).
pub const MIN_PICTURE_SIDE: i64 = 96;

/// Deepest nesting of forms drawn inside forms (patterns, soft masks and
/// annotation appearances included).
const MAX_FORM_DEPTH: usize = 12;

/// Most content bytes read for one page, forms included.
const MAX_PAGE_CONTENT: usize = 64_000_000;

/// `what` for a page over [`MAX_PAGE_CONTENT`].
const PAGE_CONTENT: &str = "MB of drawing on one page once unpacked";

/// Deepest `q` nesting in one page's drawing (PDF's own limit is 28).
const MAX_SAVED_STATES: usize = 1024;

/// Most pictures recorded on one page; beyond it the page is refused as
/// no real document draws so many.
const MAX_PLACEMENTS: usize = 100_000;

/// `what` for a document over [`limits::MAX_DOCUMENT_CONTENT`].
const DOCUMENT_CONTENT: &str = "MB of drawings once unpacked (all pages together)";

/// Which limit a page's budget of `budget` bytes comes from: the page's
/// own, or what is left of the document's.
fn bound(budget: usize) -> (&'static str, usize) {
    if budget < MAX_PAGE_CONTENT {
        (DOCUMENT_CONTENT, limits::MAX_DOCUMENT_CONTENT)
    } else {
        (PAGE_CONTENT, MAX_PAGE_CONTENT)
    }
}

fn over_budget((what, limit): (&'static str, usize)) -> Refusal {
    limits::too_much_unpacked(what, limit)
}

/// Every image object a page draws anywhere (with its masks): on the
/// page, in forms, patterns, soft masks and annotation appearances.
pub(super) fn drawn(doc: &Document) -> Result<HashSet<ObjectId>, Refusal> {
    let mut drawn = HashSet::new();
    let mut left = limits::MAX_DOCUMENT_CONTENT;
    for page_id in doc.get_pages().into_values() {
        page(doc, page_id, &mut drawn, None, &mut left)?;
    }
    Ok(drawn)
}

/// Reads every page of a cleaned document; with `faces` (the most pixels
/// one image may hold), looks for faces in every picture it draws. Also
/// returns every image object drawn.
pub(super) fn contents(
    doc: &Document,
    faces: Option<u64>,
) -> Result<(DocumentContents, HashSet<ObjectId>), Refusal> {
    let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let index: HashMap<ObjectId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let labels = shown::label_prefixes(doc, ids.len());
    let (tags, loose_tags) = shown::tags(doc, &index);
    let mut drawn = HashSet::new();
    let mut looker = faces.map(|max| Looker::new(doc, max));
    let mut pages = Vec::new();
    let mut left = limits::MAX_DOCUMENT_CONTENT;
    for (i, page_id) in ids.iter().enumerate() {
        let mut page = page(doc, *page_id, &mut drawn, looker.as_mut(), &mut left)?;
        for extra in [&labels[i], &tags[i]] {
            push_piece(&mut page.text, extra);
        }
        pages.push(page);
    }
    let mut outside = bookmarks(doc);
    push_piece(&mut outside, &shown::layers(doc));
    push_piece(&mut outside, &loose_tags);
    Ok((
        DocumentContents {
            pages,
            bookmarks: outside,
            lines: false,
        },
        drawn,
    ))
}

/// Appends a separate piece of text on lines of its own.
fn push_piece(text: &mut String, piece: &str) {
    if piece.trim().is_empty() {
        return;
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(piece);
    if !text.ends_with('\n') {
        text.push('\n');
    }
}

/// The titles of the document's bookmarks (its outline), one per line,
/// and the addresses they open: readers show them beside the pages.
fn bookmarks(doc: &Document) -> String {
    let mut out = String::new();
    let Some(outlines) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Outlines").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return out;
    };
    let mut stack: Vec<&Object> = outlines.get(b"First").ok().into_iter().collect();
    let mut seen = HashSet::new();
    while let Some(next) = stack.pop() {
        let Ok((id, item)) = doc.dereference(next) else {
            continue;
        };
        if id.is_some_and(|id| !seen.insert(id)) || seen.len() > 100_000 {
            continue;
        }
        let Ok(item) = item.as_dict() else { continue };
        if let Ok(title) = item.get(b"Title").and_then(lopdf::decode_text_string) {
            out.push_str(&title);
            out.push('\n');
        }
        if let Ok(action) = item.get(b"A") {
            let text = shown::strings_in(doc, action);
            push_piece(&mut out, &text);
        }
        stack.extend(item.get(b"Next").ok());
        stack.extend(item.get(b"First").ok());
    }
    out
}

fn page(
    doc: &Document,
    page_id: ObjectId,
    drawn: &mut HashSet<ObjectId>,
    looker: Option<&mut Looker>,
    left: &mut usize,
) -> Result<DocumentPage, Refusal> {
    // What all pages' drawings unpack to is bounded too: a drawing
    // shared by every page is unpacked for each.
    if *left == 0 {
        return Err(limits::too_much_unpacked(
            DOCUMENT_CONTENT,
            limits::MAX_DOCUMENT_CONTENT,
        ));
    }
    let budget = MAX_PAGE_CONTENT.min(*left);
    let content = doc
        .get_page_content_with_limit(page_id, budget)
        .map_err(|e| match e {
            lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                over_budget(bound(budget))
            }
            e => super::corrupt(format!("a page could not be read ({e})")),
        })?;
    let (direct, referenced) = doc
        .get_page_resources(page_id)
        .map_err(|e| super::corrupt(format!("a page's resources could not be read ({e})")))?;
    let mut resources: Vec<&Dictionary> = direct.into_iter().collect();
    resources.extend(
        referenced
            .into_iter()
            .filter_map(|id| doc.get_dictionary(id).ok()),
    );
    let fonts = typed_arena::Arena::new();
    let mut reader = Reader {
        fonts: &fonts,
        doc,
        text: String::new(),
        unreadable: false,
        budget,
        bound: bound(budget),
        values: 0,
        seen_forms: HashSet::new(),
        state: TextState::default(),
        ctm: IDENTITY,
        saved: Vec::new(),
        placements: Vec::new(),
        drawn,
        marked: Vec::new(),
        aside: String::new(),
        keep_inline: looker.is_some(),
        inline: HashMap::new(),
    };
    let run = reader.run(&content, &resources, 0);
    *left -= budget - reader.budget.min(budget);
    run?;
    let aside = std::mem::take(&mut reader.aside);
    push_piece(&mut reader.text, &aside);
    reader.annotations(page_id)?;
    let shown = pictures::pictures(&reader.placements);
    let mut faces = Vec::new();
    let mut unchecked = 0;
    if let Some(looker) = looker {
        for picture in &shown {
            let placed: Vec<&Placement> = picture.iter().map(|&i| &reader.placements[i]).collect();
            let (found, whole) = looker.look(&placed, &reader.inline)?;
            faces.push(found);
            unchecked += u32::from(!whole);
        }
    }
    Ok(DocumentPage {
        text: reader.text,
        pictures: u32::try_from(shown.len()).unwrap_or(u32::MAX),
        unreadable: reader.unreadable,
        faces,
        unchecked,
    })
}

/// A font as far as reading text needs it.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    /// Bytes per character code: 2 for composite (Type0) fonts.
    code_len: usize,
    widths: Widths,
}

enum Widths {
    /// First code and widths from there (simple fonts), and the default.
    Simple(i64, Vec<f32>, f32),
    /// Composite fonts: code → width, and the default.
    Composite(BTreeMap<u32, f32>, f32),
}

impl Widths {
    fn of(&self, code: u32) -> f32 {
        match self {
            Widths::Simple(first, list, default) => {
                let i = i64::from(code) - first;
                usize::try_from(i)
                    .ok()
                    .and_then(|i| list.get(i).copied())
                    .filter(|w| *w > 0.0)
                    .unwrap_or(*default)
            }
            Widths::Composite(map, default) => map.get(&code).copied().unwrap_or(*default),
        }
    }
}

#[derive(Clone, Copy)]
struct TextState {
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    /// The text matrix's horizontal and vertical scale (a, d).
    a: f32,
    d: f32,
    /// Start of the current line, and where the next glyph goes.
    line: (f32, f32),
    pos: (f32, f32),
    /// Where the last glyph shown ended, if any text has been shown.
    end: Option<(f32, f32)>,
}

impl Default for TextState {
    fn default() -> Self {
        TextState {
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            a: 1.0,
            d: 1.0,
            line: (0.0, 0.0),
            pos: (0.0, 0.0),
            end: None,
        }
    }
}

struct Reader<'a, 'd> {
    doc: &'a Document,
    text: String,
    unreadable: bool,
    /// Content bytes this page may still unpack.
    budget: usize,
    /// The limit `budget` comes from, to name when it is passed.
    bound: (&'static str, usize),
    /// Values in this page's drawings read so far.
    values: u64,
    seen_forms: HashSet<ObjectId>,
    state: TextState,
    /// The current transformation matrix, and those `q` saved.
    ctm: Matrix,
    saved: Vec<Matrix>,
    /// Every image drawn on the page, where.
    placements: Vec<Placement>,
    /// Every image object drawn anywhere in the document (with its masks).
    drawn: &'d mut HashSet<ObjectId>,
    /// Open marked content: where its text starts and its replacement
    /// text (`/ActualText`), if it has one.
    marked: Vec<Option<(usize, String)>>,
    /// Text read apart from the drawing's flow (alternative texts, text
    /// a replacement stood for), added after it.
    aside: String,
    /// Whether inline images are kept, to be looked at for faces.
    keep_inline: bool,
    /// The inline images the page draws that could be taken apart, by
    /// the hash of their data, their short keys spelt out.
    inline: HashMap<u64, Stream>,
    /// Copies of composite fonts' dictionaries, read through their
    /// Unicode maps (see [`Reader::font`]).
    fonts: &'a typed_arena::Arena<Dictionary>,
}

impl<'a> Reader<'a, '_> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        depth: usize,
    ) -> Result<(), Refusal> {
        self.budget = self.budget.saturating_sub(content.len());
        // Each value becomes an object in memory at once: counted first.
        limits::check_drawing(content, &mut self.values)?;
        let ops = Content::decode(content)
            .map_err(|e| super::corrupt(format!("a page's drawing could not be read ({e})")))?;
        let mut fonts: BTreeMap<Vec<u8>, Option<Font<'a>>> = BTreeMap::new();
        let mut font: Option<Vec<u8>> = None;
        let num = |o: &Object| o.as_float().unwrap_or(0.0);
        // A drawing's `q` and `Q` stay inside it, as do its patterns'
        // coordinates (the CTM it starts with).
        let (base, saved) = (self.ctm, self.saved.len());
        let marked = self.marked.len();
        let mut unread_inline = false;
        for op in &ops.operations {
            let args = &op.operands;
            let s = &mut self.state;
            match op.operator.as_str() {
                "q" => {
                    if self.saved.len() >= MAX_SAVED_STATES {
                        return Err(super::corrupt(
                            "a page's drawing saves its state deeper than any real document",
                        ));
                    }
                    self.saved.push(self.ctm);
                }
                "Q" => {
                    if self.saved.len() > saved
                        && let Some(ctm) = self.saved.pop()
                    {
                        self.ctm = ctm;
                    }
                }
                "cm" => {
                    if let [a, b, c, d, e, f, ..] = args.as_slice() {
                        let m = [num(a), num(b), num(c), num(d), num(e), num(f)];
                        self.ctm = pictures::mul(&m, &self.ctm);
                    }
                }
                "gs" => {
                    if let Some(name) = args.first().and_then(|n| n.as_name().ok()) {
                        self.soft_mask(resources, name, depth)?;
                    }
                }
                "scn" | "SCN" => {
                    if let Some(name) = args.last().and_then(|n| n.as_name().ok()) {
                        self.pattern(resources, name, &base, depth)?;
                    }
                }
                "BMC" | "BDC" => {
                    if self.marked.len() >= MAX_SAVED_STATES {
                        return Err(super::corrupt(
                            "a page's drawing nests marked content deeper than any real document",
                        ));
                    }
                    let actual = args.get(1).and_then(|p| self.marked(resources, p));
                    self.marked.push(actual.map(|a| (self.text.len(), a)));
                }
                "EMC" => {
                    if self.marked.len() > marked
                        && let Some(Some((start, actual))) = self.marked.pop()
                    {
                        self.replace_with(start, &actual);
                    }
                }
                "BT" => {
                    s.a = 1.0;
                    s.d = 1.0;
                    s.line = (0.0, 0.0);
                    s.pos = (0.0, 0.0);
                }
                "Tf" => {
                    if let [name, size, ..] = args.as_slice() {
                        s.size = num(size).abs();
                        let name = name.as_name().map(<[u8]>::to_vec).unwrap_or_default();
                        if !fonts.contains_key(&name) {
                            let f = self.font(resources, &name);
                            fonts.insert(name.clone(), f);
                        }
                        font = Some(name);
                    }
                }
                "Tc" => s.char_spacing = args.first().map_or(0.0, num),
                "Tw" => s.word_spacing = args.first().map_or(0.0, num),
                "Tz" => s.scale = args.first().map_or(100.0, num) / 100.0,
                "Td" | "TD" => {
                    if let [tx, ty, ..] = args.as_slice() {
                        s.line = (s.line.0 + num(tx) * s.a, s.line.1 + num(ty) * s.d);
                        s.pos = s.line;
                    }
                }
                "Tm" => {
                    if let [a, _, _, d, e, f, ..] = args.as_slice() {
                        s.a = num(a);
                        s.d = num(d);
                        s.line = (num(e), num(f));
                        s.pos = s.line;
                    }
                }
                "T*" | "'" | "\"" => {
                    // Next line: the leading is unknown here, so move by a
                    // line's height; only "another line" matters.
                    s.line = (s.line.0, s.line.1 - s.size.max(1.0) * s.d.abs().max(0.01));
                    s.pos = s.line;
                    let shown = match op.operator.as_str() {
                        "'" => args.first(),
                        "\"" => args.get(2),
                        _ => None,
                    };
                    if let Some(shown) = shown {
                        self.show(font.as_ref().and_then(|f| fonts.get(f)?.as_ref()), shown);
                    }
                }
                "Tj" | "TJ" => {
                    let f = font.as_ref().and_then(|f| fonts.get(f)?.as_ref());
                    for arg in args {
                        self.show(f, arg);
                    }
                }
                "Do" => {
                    let Some(name) = args.first().and_then(|n| n.as_name().ok()) else {
                        continue;
                    };
                    self.draw(resources, name, depth)?;
                }
                "BI" => match args.first() {
                    Some(Object::Stream(image)) => {
                        self.inline_image(&image.dict, &image.content, resources)?;
                    }
                    _ => {
                        // One the parser could not take apart (compressed,
                        // or in a named colour space): its pixels are
                        // unknown, so it is taken as a picture if it is
                        // drawn big enough to be one.
                        unread_inline = true;
                        // (As many pixels as a picture, but not on both
                        // sides: it counts when drawn at least an inch
                        // square, alone or with others.)
                        let source = Source::Inline(self.placements.len() as u64);
                        self.place(source, (MIN_PICTURE_SIDE * MIN_PICTURE_SIDE, 1))?;
                    }
                },
                _ => {}
            }
        }
        // A JPEG written into the drawing that could not be taken apart
        // is looked for in the bytes themselves.
        if unread_inline && holds_jpeg_metadata(content) {
            return Err(inline_jpeg());
        }
        self.saved.truncate(saved);
        self.marked.truncate(marked);
        self.ctm = base;
        Ok(())
    }

    /// Shows a string (or a `TJ` array of strings and adjustments).
    fn show(&mut self, font: Option<&Font>, shown: &Object) {
        match shown {
            Object::Array(items) => {
                for item in items {
                    match item {
                        Object::Integer(_) | Object::Real(_) => {
                            let adjust = item.as_float().unwrap_or(0.0);
                            let s = &mut self.state;
                            s.pos.0 -= adjust / 1000.0 * s.size * s.scale * s.a;
                        }
                        other => self.show(font, other),
                    }
                }
            }
            Object::String(bytes, _) => self.show_string(font, bytes),
            _ => {}
        }
    }

    fn show_string(&mut self, font: Option<&Font>, bytes: &[u8]) {
        let Some(font) = font else {
            // Text in a font the page does not define cannot be read.
            if !bytes.is_empty() {
                self.unreadable = true;
            }
            return;
        };
        let mut decoded = String::new();
        match &font.encoding {
            Some(encoding) if encoding.write_to_string(bytes, &mut decoded).is_ok() => {}
            _ => {
                self.unreadable = true;
                return;
            }
        }
        if decoded.contains('\u{FFFD}') {
            self.unreadable = true;
        }
        self.separate();
        push_expanded(&mut self.text, &decoded);
        // Advance past the glyphs.
        let s = &mut self.state;
        let mut advance = 0.0;
        for code in bytes.chunks(font.code_len) {
            let code = code.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            advance += font.widths.of(code) / 1000.0 * s.size + s.char_spacing;
            if font.code_len == 1 && code == 32 {
                advance += s.word_spacing;
            }
        }
        s.pos.0 += advance * s.scale * s.a;
        s.end = Some(s.pos);
    }

    /// Puts a space or a line break before newly shown text when its
    /// position says it is a new word or line.
    fn separate(&mut self) {
        let s = self.state;
        let Some(end) = s.end else { return };
        let em = (s.size * s.d.abs()).max(0.01);
        let last = self.text.chars().next_back();
        if (s.pos.1 - end.1).abs() > em * 0.5 {
            if last.is_some_and(|c| c != '\n') {
                self.text.push('\n');
            }
        } else {
            let gap = s.pos.0 - end.0;
            let em_x = (s.size * s.a.abs()).max(0.01);
            if (gap > em_x * 0.2 || gap < -em_x) && last.is_some_and(|c| !c.is_whitespace()) {
                self.text.push(' ');
            }
        }
    }

    /// Looks a font up in the resources.
    fn font(&self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Font<'a>> {
        let dict = lookup(self.doc, resources, b"Font", name)?.as_dict().ok()?;
        let composite = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|s| s == b"Type0");
        let has_map = dict.has(b"ToUnicode");
        let encoding = match (composite, has_map) {
            // A composite font's codes are glyph numbers: without a
            // Unicode map they cannot be read (lopdf would guess, and
            // guess wrong).
            (true, false) => None,
            // lopdf reads a font's /Encoding before its /ToUnicode, and
            // for a composite font's (Identity-H) falls back to the
            // standard one-byte encoding: "Zoë" in Word's fonts read as
            // "Zoº". The map is read from a copy without the /Encoding;
            // anything but a Unicode map from it means unreadable.
            (true, true) => {
                let mut copy = dict.clone();
                copy.remove(b"Encoding");
                let copy: &'a Dictionary = self.fonts.alloc(copy);
                copy.get_font_encoding_with_limit(self.doc, MAX_PAGE_CONTENT)
                    .ok()
                    .filter(|e| matches!(e, Encoding::UnicodeMapEncoding(_)))
            }
            _ => dict
                .get_font_encoding_with_limit(self.doc, MAX_PAGE_CONTENT)
                .ok(),
        };
        Some(Font {
            encoding,
            code_len: if composite { 2 } else { 1 },
            widths: widths(self.doc, dict, composite),
        })
    }

    /// Records an image drawn in the unit square of the current matrix.
    fn place(&mut self, source: Source, pixels: (i64, i64)) -> Result<(), Refusal> {
        if self.placements.len() >= MAX_PLACEMENTS {
            return Err(super::corrupt(
                "a page draws more pictures than any real document",
            ));
        }
        self.placements.push(Placement {
            rect: Rect::unit(&self.ctm),
            ctm: self.ctm,
            pixels,
            source,
        });
        Ok(())
    }

    /// Draws an XObject: records a picture, or reads a form's content.
    fn draw(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        depth: usize,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        let Some(Object::Reference(id)) = lookup_raw(doc, resources, b"XObject", name) else {
            return Ok(());
        };
        let Ok(stream) = doc.get_object(*id).and_then(Object::as_stream) else {
            return Ok(());
        };
        let ctm = self.ctm;
        self.drawing(stream, Some(*id), resources, &ctm, depth)
    }

    /// Draws an image or a form whose parent's matrix is `parent`.
    fn drawing(
        &mut self,
        stream: &'a Stream,
        id: Option<ObjectId>,
        resources: &[&'a Dictionary],
        parent: &Matrix,
        depth: usize,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                let pixels = image_pixels(doc, stream);
                self.drawn.extend(id);
                // Its masks are drawn with it.
                for key in [&b"SMask"[..], b"Mask"] {
                    if let Ok(Object::Reference(mask)) = stream.dict.get(key) {
                        self.drawn.insert(*mask);
                    }
                }
                let saved = self.ctm;
                self.ctm = *parent;
                let source = id.map_or(Source::Inline(self.placements.len() as u64), |id| {
                    Source::Object(id)
                });
                let placed = self.place(source, pixels);
                self.ctm = saved;
                placed
            }
            Ok(b"Form") => self.form(stream, id, resources, parent, depth),
            _ => Ok(()),
        }
    }

    /// Reads a form (or a tiling pattern's cell, or a soft mask's group):
    /// its text and pictures, drawn through its `/Matrix` on `parent`.
    fn form(
        &mut self,
        stream: &'a Stream,
        id: Option<ObjectId>,
        resources: &[&'a Dictionary],
        parent: &Matrix,
        depth: usize,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        if depth >= MAX_FORM_DEPTH {
            return Ok(());
        }
        if let Some(id) = id
            && !self.seen_forms.insert(id)
        {
            return Ok(());
        }
        let (budget, bound) = (self.budget, self.bound);
        let content = stream
            .decompressed_content_with_limit(budget)
            .or_else(|e| match e {
                lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                }) => Err(over_budget(bound)),
                _ if stream.dict.has(b"Filter") => {
                    Err(super::corrupt("a drawing on a page could not be read"))
                }
                _ => Ok(stream.content.clone()),
            })?;
        let own = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| doc.dereference(r).ok())
            .and_then(|(_, r)| r.as_dict().ok());
        let mut inner: Vec<&Dictionary> = own.into_iter().collect();
        inner.extend_from_slice(resources);
        let saved = self.state;
        self.state = TextState {
            end: saved.end,
            ..TextState::default()
        };
        let ctm = self.ctm;
        self.ctm = pictures::mul(&matrix(&stream.dict), parent);
        let result = self.run(&content, &inner, depth + 1);
        self.ctm = ctm;
        let end = self.state.end;
        self.state = TextState { end, ..saved };
        if let Some(id) = id {
            self.seen_forms.remove(&id);
        }
        result
    }

    /// A tiling pattern chosen as a colour: its cell is read (text and
    /// pictures) where the pattern's matrix puts it.
    fn pattern(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        base: &Matrix,
        depth: usize,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        let Some(raw) = lookup_raw(doc, resources, b"Pattern", name) else {
            return Ok(());
        };
        let Ok((id, Object::Stream(pattern))) = doc.dereference(raw) else {
            return Ok(());
        };
        self.form(pattern, id, resources, base, depth)
    }

    /// A graphics state with a soft mask: the mask's group is drawn (a
    /// photo may be drawn as a mask), where the current matrix puts it.
    fn soft_mask(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        depth: usize,
    ) -> Result<(), Refusal> {
        let doc = self.doc;
        let Some(state) = lookup(doc, resources, b"ExtGState", name).and_then(|s| s.as_dict().ok())
        else {
            return Ok(());
        };
        let Some(mask) = state
            .get(b"SMask")
            .ok()
            .and_then(|m| doc.dereference(m).ok())
            .and_then(|(_, m)| m.as_dict().ok())
        else {
            return Ok(());
        };
        let Ok(group) = mask.get(b"G") else {
            return Ok(());
        };
        let Ok((id, Object::Stream(group))) = doc.dereference(group) else {
            return Ok(());
        };
        let ctm = self.ctm;
        self.form(group, id, resources, &ctm, depth)
    }

    /// Marked content's replacement text (`/ActualText`), returned, and
    /// its alternative text and expansion (`/Alt`, `/E`), set aside:
    /// screen readers read them and copying gives them.
    fn marked(&mut self, resources: &[&'a Dictionary], props: &Object) -> Option<String> {
        let doc = self.doc;
        let props = match props {
            Object::Name(name) => lookup(doc, resources, b"Properties", name),
            other => doc.dereference(other).ok().map(|(_, o)| o),
        };
        let props = props.and_then(|p| p.as_dict().ok())?;
        for key in [&b"Alt"[..], b"E"] {
            if let Some(t) = props.get(key).ok().and_then(shown::text_of) {
                push_piece(&mut self.aside, &t);
            }
        }
        props
            .get(b"ActualText")
            .ok()
            .and_then(|t| lopdf::decode_text_string(t).ok())
    }

    /// Puts marked content's replacement text in place of the text drawn
    /// since `start`, as copying does (a ligature's "ffi", a word drawn
    /// as shapes), and sets what was drawn aside when it says something
    /// else, so both are read.
    fn replace_with(&mut self, start: usize, actual: &str) {
        let Some(drawn) = self.text.get(start..) else {
            return;
        };
        if drawn.trim() == actual.trim() {
            return;
        }
        // The space or line break that separated it from what came
        // before stays.
        let lead = drawn.len() - drawn.trim_start().len();
        let drawn = drawn.to_string();
        self.text.truncate(start + lead);
        push_expanded(&mut self.text, actual);
        push_piece(&mut self.aside, &drawn);
    }

    /// The page's annotations, whole: their text, and their drawings in
    /// their rectangles (see [`super::shown`]).
    fn annotations(&mut self, page_id: ObjectId) -> Result<(), Refusal> {
        let doc = self.doc;
        let Some(annots) = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| p.get(b"Annots").ok())
            .and_then(|a| doc.dereference(a).ok())
            .and_then(|(_, a)| a.as_array().ok())
        else {
            return Ok(());
        };
        for annot in annots {
            let Some(annot) = doc
                .dereference(annot)
                .ok()
                .and_then(|(_, a)| a.as_dict().ok())
            else {
                continue;
            };
            let rect = annot
                .get(b"Rect")
                .ok()
                .and_then(|r| doc.dereference(r).ok())
                .and_then(|(_, r)| r.as_array().ok())
                .and_then(|r| match r.as_slice() {
                    [a, b, c, d] => Some([a, b, c, d].map(|v| v.as_float().unwrap_or(0.0))),
                    _ => None,
                })
                .unwrap_or([0.0; 4]);
            for piece in shown::annotation(doc, annot) {
                match piece {
                    Piece::Text(t) => {
                        push_piece(&mut self.text, &t);
                        self.state.end = None;
                    }
                    Piece::Drawing(stream, id) => {
                        let fit = fitted(&stream.dict, rect);
                        self.ctm = IDENTITY;
                        self.saved.clear();
                        if !self.text.is_empty() && !self.text.ends_with('\n') {
                            self.text.push('\n');
                        }
                        self.state.end = None;
                        // An image (a button's icon) fills the rectangle.
                        let parent = if stream.dict.has(b"BBox") {
                            fit
                        } else {
                            let [x0, y0, x1, y1] = rect;
                            [x1 - x0, 0.0, 0.0, y1 - y0, x0, y0]
                        };
                        self.drawing(stream, id, &[], &parent, 0)?;
                        if !self.text.ends_with('\n') {
                            self.text.push('\n');
                        }
                        self.state.end = None;
                    }
                }
            }
        }
        Ok(())
    }

    /// An image written into the page's drawing itself: recorded like any
    /// picture, and refused if it is a JPEG that still carries metadata
    /// (the cleaner only reaches images stored as objects).
    fn inline_image(
        &mut self,
        dict: &Dictionary,
        data: &[u8],
        resources: &[&'a Dictionary],
    ) -> Result<(), Refusal> {
        let side = |long: &[u8], short: &[u8]| {
            dict.get(long)
                .or_else(|_| dict.get(short))
                .and_then(Object::as_i64)
                .unwrap_or(0)
        };
        let pixels = (side(b"Width", b"W"), side(b"Height", b"H"));
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(data, &mut hasher);
        let hash = std::hash::Hasher::finish(&hasher);
        self.place(Source::Inline(hash), pixels)?;
        if data.starts_with(&[0xFF, 0xD8]) && has_jpeg_metadata(data) {
            return Err(inline_jpeg());
        }
        if self.keep_inline && !self.inline.contains_key(&hash) {
            let dict = spelt_out(self.doc, dict, resources);
            self.inline.insert(
                hash,
                Stream::new(dict, data.to_vec()).with_compression(false),
            );
        }
        Ok(())
    }
}

/// An inline image's dictionary with its short keys and names spelt out
/// (`/W` is `/Width`, `/Fl` is `/FlateDecode`), and a colour space named
/// from the page's resources put in its place.
fn spelt_out(doc: &Document, dict: &Dictionary, resources: &[&Dictionary]) -> Dictionary {
    let key = |k: &[u8]| -> Vec<u8> {
        match k {
            b"W" => b"Width".to_vec(),
            b"H" => b"Height".to_vec(),
            b"BPC" => b"BitsPerComponent".to_vec(),
            b"CS" => b"ColorSpace".to_vec(),
            b"F" => b"Filter".to_vec(),
            b"DP" => b"DecodeParms".to_vec(),
            b"D" => b"Decode".to_vec(),
            b"IM" => b"ImageMask".to_vec(),
            b"I" => b"Interpolate".to_vec(),
            other => other.to_vec(),
        }
    };
    let name = |n: &[u8]| -> Vec<u8> {
        match n {
            b"G" => b"DeviceGray".to_vec(),
            b"RGB" => b"DeviceRGB".to_vec(),
            b"CMYK" => b"DeviceCMYK".to_vec(),
            b"I" => b"Indexed".to_vec(),
            b"AHx" => b"ASCIIHexDecode".to_vec(),
            b"A85" => b"ASCII85Decode".to_vec(),
            b"LZW" => b"LZWDecode".to_vec(),
            b"Fl" => b"FlateDecode".to_vec(),
            b"RL" => b"RunLengthDecode".to_vec(),
            b"CCF" => b"CCITTFaxDecode".to_vec(),
            b"DCT" => b"DCTDecode".to_vec(),
            other => other.to_vec(),
        }
    };
    let mut out = Dictionary::new();
    for (k, v) in dict.iter() {
        let k = key(k);
        let v = match v {
            Object::Name(n) if k == b"ColorSpace" => {
                let spelt = name(n);
                if matches!(
                    spelt.as_slice(),
                    b"DeviceGray" | b"DeviceRGB" | b"DeviceCMYK"
                ) {
                    Object::Name(spelt)
                } else {
                    lookup(doc, resources, b"ColorSpace", n)
                        .cloned()
                        .unwrap_or(Object::Null)
                }
            }
            Object::Name(n) => Object::Name(name(n)),
            Object::Array(items) => Object::Array(
                items
                    .iter()
                    .map(|i| match i {
                        Object::Name(n) => Object::Name(name(n)),
                        other => other.clone(),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        out.set(k, v);
    }
    out
}

fn inline_jpeg() -> Refusal {
    super::corrupt(
        "a photo is written into a page's drawing with its camera data, where it cannot be cleaned",
    )
}

/// A form's `/Matrix` (the identity when it has none or a broken one).
fn matrix(dict: &Dictionary) -> Matrix {
    match dict.get(b"Matrix").and_then(Object::as_array) {
        Ok(m) if m.len() == 6 => {
            let mut out = IDENTITY;
            for (o, v) in out.iter_mut().zip(m) {
                *o = v.as_float().unwrap_or(0.0);
            }
            out
        }
        _ => IDENTITY,
    }
}

/// The matrix that puts an appearance stream in its annotation's
/// rectangle (PDF 32000, 12.5.5): its box, through its own matrix, is
/// scaled and moved onto the rectangle. (The form's own matrix is applied
/// when it is drawn.)
fn fitted(form: &Dictionary, rect: [f32; 4]) -> Matrix {
    let bbox = form
        .get(b"BBox")
        .and_then(Object::as_array)
        .ok()
        .and_then(|b| match b.as_slice() {
            [a, b, c, d] => Some([a, b, c, d].map(|v| v.as_float().unwrap_or(0.0))),
            _ => None,
        })
        .unwrap_or([0.0, 0.0, 1.0, 1.0]);
    let boxed = Rect::through(bbox[0], bbox[1], bbox[2], bbox[3], &matrix(form));
    let [x0, y0, x1, y1] = rect;
    let (rx0, ry0) = (x0.min(x1), y0.min(y1));
    let scale = |to: f32, from: f32| {
        if from.abs() > f32::EPSILON {
            to / from
        } else {
            1.0
        }
    };
    let sx = scale((x1 - x0).abs(), boxed.width());
    let sy = scale((y1 - y0).abs(), boxed.height());
    [sx, 0.0, 0.0, sy, rx0 - boxed.x0 * sx, ry0 - boxed.y0 * sy]
}

/// An image's pixels: its own, or its soft mask's or stencil mask's if
/// bigger (a photo may be drawn as another image's mask).
fn image_pixels(doc: &Document, image: &Stream) -> (i64, i64) {
    let size = |d: &Dictionary| {
        let get = |long: &[u8], short: &[u8]| {
            d.get(long)
                .or_else(|_| d.get(short))
                .and_then(Object::as_i64)
                .unwrap_or(0)
        };
        (get(b"Width", b"W"), get(b"Height", b"H"))
    };
    let (mut w, mut h) = size(&image.dict);
    for key in [&b"SMask"[..], b"Mask"] {
        if let Some(mask) = image
            .dict
            .get(key)
            .ok()
            .and_then(|m| doc.dereference(m).ok())
            .and_then(|(_, m)| m.as_stream().ok())
        {
            let (mw, mh) = size(&mask.dict);
            w = w.max(mw);
            h = h.max(mh);
        }
    }
    (w, h)
}

/// Whether any JPEG in `content` holds metadata segments.
fn holds_jpeg_metadata(content: &[u8]) -> bool {
    memchr::memmem::find_iter(content, &[0xFF, 0xD8, 0xFF])
        .any(|at| has_jpeg_metadata(&content[at..]))
}

/// Appends text with typographic ligatures spelt out ("ﬃ" → "ffi"), as a
/// reader copying the text gets them: "oﬃce@" is "office@".
fn push_expanded(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
}

/// Whether a JPEG holds APPn (other than JFIF/Adobe colour markers) or
/// comment segments.
fn has_jpeg_metadata(data: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= data.len() && data[i] == 0xFF {
        let marker = data[i + 1];
        if marker == 0xDA {
            return false;
        }
        let len = usize::from(crate::media::bytes::be16(data, i + 2).unwrap_or_default());
        let payload = &data[(i + 4).min(data.len())..(i + 2 + len).min(data.len())];
        let innocent = (marker == 0xE0 && payload.starts_with(b"JFIF"))
            || (marker == 0xEE && payload.starts_with(b"Adobe"));
        if (0xE0..=0xEF).contains(&marker) && !innocent || marker == 0xFE {
            return true;
        }
        i += 2 + len;
    }
    false
}

/// A resource, dereferenced.
fn lookup<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<&'a Object> {
    let raw = lookup_raw(doc, resources, category, name)?;
    doc.dereference(raw).ok().map(|(_, o)| o)
}

/// A resource as written (perhaps a reference).
fn lookup_raw<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<&'a Object> {
    resources.iter().find_map(|r| {
        let (_, table) = doc.dereference(r.get(category).ok()?).ok()?;
        table.as_dict().ok()?.get(name).ok()
    })
}

/// A font's glyph widths, in thousandths of the font size.
fn widths<'a>(doc: &'a Document, font: &'a Dictionary, composite: bool) -> Widths {
    fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
        doc.dereference(o).ok().map(|(_, o)| o)
    }
    let deref = |o: &'a Object| resolve(doc, o);
    let number = |o: &'a Object| resolve(doc, o).and_then(|o| o.as_float().ok());
    if composite {
        let descendant = font
            .get(b"DescendantFonts")
            .ok()
            .and_then(deref)
            .and_then(|a| a.as_array().ok())
            .and_then(|a| a.first())
            .and_then(deref)
            .and_then(|d| d.as_dict().ok());
        let mut map = BTreeMap::new();
        let mut default = 1000.0;
        if let Some(d) = descendant {
            default = d.get(b"DW").ok().and_then(number).unwrap_or(1000.0);
            if let Some(w) = d
                .get(b"W")
                .ok()
                .and_then(deref)
                .and_then(|w| w.as_array().ok())
            {
                let mut i = 0;
                while i < w.len() && map.len() < 65_536 {
                    let first = number(&w[i]).unwrap_or(0.0) as u32;
                    match w.get(i + 1).and_then(deref) {
                        Some(Object::Array(list)) => {
                            for (k, v) in list.iter().enumerate() {
                                map.insert(first + k as u32, number(v).unwrap_or(default));
                            }
                            i += 2;
                        }
                        Some(_) => {
                            let last = w.get(i + 1).and_then(number).unwrap_or(0.0) as u32;
                            let width = w.get(i + 2).and_then(number).unwrap_or(default);
                            for c in first..=last.min(first.saturating_add(65_535)) {
                                map.insert(c, width);
                            }
                            i += 3;
                        }
                        None => break,
                    }
                }
            }
        }
        return Widths::Composite(map, default);
    }
    let first = font.get(b"FirstChar").ok().and_then(number).unwrap_or(0.0) as i64;
    let list: Vec<f32> = font
        .get(b"Widths")
        .ok()
        .and_then(deref)
        .and_then(|w| w.as_array().ok())
        .map(|w| w.iter().map(|v| number(v).unwrap_or(0.0)).collect())
        .unwrap_or_default();
    let missing = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(deref)
        .and_then(|d| d.as_dict().ok())
        .and_then(|d| d.get(b"MissingWidth").ok())
        .and_then(number)
        .filter(|w| *w > 0.0);
    if list.is_empty() {
        // The standard fonts (Helvetica, Times…) come without widths:
        // Helvetica's stand in for them all.
        let list = HELVETICA.iter().map(|w| f32::from(*w)).collect();
        return Widths::Simple(32, list, missing.unwrap_or(556.0));
    }
    Widths::Simple(first, list, missing.unwrap_or(500.0))
}

/// Helvetica's widths for codes 32 to 126 (from its Adobe font metrics).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278,
    278, // space–/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0–?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @–O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P–_
    222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `–o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p–~
];
