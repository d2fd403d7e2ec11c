//! What a cleaned PDF shows, page by page: its text, as a reader would
//! copy it, and how many pictures it shows. The rules check the text for
//! pupils' names and contact details, and the pictures against the
//! consent declarations.
//!
//! Text is read by following each page's content stream (and the forms it
//! draws) through the text operators, decoding strings with the font's
//! encoding or Unicode map. Where words go is worked out from positions:
//! programs place words and even single letters separately, so a gap
//! wider than a fifth of the font size is a space and a move to another
//! baseline is a new line, as in `pdftotext`. Glyph widths come from the
//! font (`/Widths`, `/W`); a font without them is assumed half an em wide
//! per glyph.

use super::super::{DocumentContents, DocumentPage, Refusal};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};
use std::collections::{BTreeMap, HashSet};

/// A picture at least this many pixels on both sides counts as one that
/// may show a person; smaller ones are bullets, icons and rules.
pub const MIN_PICTURE_SIDE: i64 = 96;

/// Deepest nesting of forms drawn inside forms.
const MAX_FORM_DEPTH: usize = 12;

/// Most content bytes read for one page, forms included.
const MAX_PAGE_CONTENT: usize = 64 * 1024 * 1024;

/// Reads every page of a cleaned document.
pub(super) fn contents(doc: &Document) -> Result<DocumentContents, Refusal> {
    let mut pages = Vec::new();
    for (_, page_id) in doc.get_pages() {
        pages.push(page(doc, page_id)?);
    }
    Ok(DocumentContents {
        pages,
        bookmarks: bookmarks(doc),
        lines: false,
    })
}

/// The titles of the document's bookmarks (its outline), one per line:
/// readers show them beside the pages.
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
        stack.extend(item.get(b"Next").ok());
        stack.extend(item.get(b"First").ok());
    }
    out
}

/// The text of a page's comments (sticky notes, text boxes): readers
/// show it.
fn comments(doc: &Document, page_id: ObjectId, text: &mut String) {
    let Some(annots) = doc
        .get_dictionary(page_id)
        .ok()
        .and_then(|p| p.get(b"Annots").ok())
        .and_then(|a| doc.dereference(a).ok())
        .and_then(|(_, a)| a.as_array().ok())
    else {
        return;
    };
    for annot in annots {
        let Some(annot) = doc
            .dereference(annot)
            .ok()
            .and_then(|(_, a)| a.as_dict().ok())
        else {
            continue;
        };
        let hidden = annot
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|s| matches!(s, b"Link" | b"Widget" | b"Popup"));
        if hidden {
            continue;
        }
        if let Ok(contents) = annot.get(b"Contents").and_then(lopdf::decode_text_string)
            && !contents.trim().is_empty()
        {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&contents);
            text.push('\n');
        }
    }
}

fn page(doc: &Document, page_id: ObjectId) -> Result<DocumentPage, Refusal> {
    let content = doc
        .get_page_content_with_limit(page_id, MAX_PAGE_CONTENT)
        .map_err(|e| super::corrupt(format!("a page could not be read ({e})")))?;
    let (direct, referenced) = doc
        .get_page_resources(page_id)
        .map_err(|e| super::corrupt(format!("a page's resources could not be read ({e})")))?;
    let mut resources: Vec<&Dictionary> = direct.into_iter().collect();
    resources.extend(
        referenced
            .into_iter()
            .filter_map(|id| doc.get_dictionary(id).ok()),
    );
    let mut reader = Reader {
        doc,
        text: String::new(),
        pictures: 0,
        unreadable: false,
        budget: MAX_PAGE_CONTENT,
        seen_forms: HashSet::new(),
        state: TextState::default(),
    };
    reader.run(&content, &resources, 0)?;
    comments(doc, page_id, &mut reader.text);
    Ok(DocumentPage {
        text: reader.text,
        pictures: reader.pictures,
        unreadable: reader.unreadable,
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

struct Reader<'a> {
    doc: &'a Document,
    text: String,
    pictures: u32,
    unreadable: bool,
    budget: usize,
    seen_forms: HashSet<ObjectId>,
    state: TextState,
}

impl<'a> Reader<'a> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        depth: usize,
    ) -> Result<(), Refusal> {
        self.budget = self.budget.saturating_sub(content.len());
        let ops = Content::decode(content)
            .map_err(|e| super::corrupt(format!("a page's drawing could not be read ({e})")))?;
        let mut fonts: BTreeMap<Vec<u8>, Option<Font<'a>>> = BTreeMap::new();
        let mut font: Option<Vec<u8>> = None;
        let num = |o: &Object| o.as_float().unwrap_or(0.0);
        for op in &ops.operations {
            let args = &op.operands;
            let s = &mut self.state;
            match op.operator.as_str() {
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
                "BI" => {
                    if let Some(Object::Stream(image)) = args.first() {
                        self.inline_image(&image.dict, &image.content)?;
                    }
                }
                _ => {}
            }
        }
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
        // A composite font's codes are glyph numbers: without a Unicode
        // map they cannot be read (lopdf would guess, and guess wrong).
        let encoding = if composite && !has_map {
            None
        } else {
            dict.get_font_encoding_with_limit(self.doc, MAX_PAGE_CONTENT)
                .ok()
        };
        Some(Font {
            encoding,
            code_len: if composite { 2 } else { 1 },
            widths: widths(self.doc, dict, composite),
        })
    }

    /// Draws an XObject: counts a picture, or reads a form's content.
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
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                if is_picture(&stream.dict) {
                    self.pictures += 1;
                }
                Ok(())
            }
            Ok(b"Form") => {
                if depth >= MAX_FORM_DEPTH || !self.seen_forms.insert(*id) {
                    return Ok(());
                }
                let content = stream
                    .decompressed_content_with_limit(self.budget)
                    .or_else(|_| {
                        if stream.dict.has(b"Filter") {
                            Err(())
                        } else {
                            Ok(stream.content.clone())
                        }
                    })
                    .map_err(|()| super::corrupt("a drawing on a page could not be read"))?;
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
                let result = self.run(&content, &inner, depth + 1);
                let end = self.state.end;
                self.state = TextState { end, ..saved };
                self.seen_forms.remove(id);
                result
            }
            _ => Ok(()),
        }
    }

    /// An image written into the page's drawing itself: counted like any
    /// picture, and refused if it is a JPEG that still carries metadata
    /// (the cleaner only reaches images stored as objects).
    fn inline_image(&mut self, dict: &Dictionary, data: &[u8]) -> Result<(), Refusal> {
        let side = |long: &[u8], short: &[u8]| {
            dict.get(long)
                .or_else(|_| dict.get(short))
                .and_then(Object::as_i64)
                .unwrap_or(0)
        };
        let (w, h) = (side(b"Width", b"W"), side(b"Height", b"H"));
        let one_bit = side(b"BitsPerComponent", b"BPC") == 1
            || dict
                .get(b"ImageMask")
                .or_else(|_| dict.get(b"IM"))
                .and_then(Object::as_bool)
                .unwrap_or(false);
        if w >= MIN_PICTURE_SIDE && h >= MIN_PICTURE_SIDE && !one_bit {
            self.pictures += 1;
        }
        if data.starts_with(&[0xFF, 0xD8]) && has_jpeg_metadata(data) {
            return Err(super::corrupt(
                "a photo is written into a page's drawing with its camera data, where it cannot be cleaned",
            ));
        }
        Ok(())
    }
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

/// Whether an image may show a person: big enough, and not a one-bit
/// mask or line-art scan.
fn is_picture(dict: &Dictionary) -> bool {
    let get = |k: &[u8]| dict.get(k).and_then(Object::as_i64).unwrap_or(0);
    let mask = dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false);
    get(b"Width") >= MIN_PICTURE_SIDE
        && get(b"Height") >= MIN_PICTURE_SIDE
        && get(b"BitsPerComponent") != 1
        && !mask
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
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
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
