//! Limits on what a PDF may hold, checked on its bytes before `lopdf`
//! reads it: `lopdf` reads every object at once, and an object takes far
//! more memory than the bytes that spell it (a number written in two
//! bytes, `0 `, becomes a value of about 120 bytes), so a 100 MB file of
//! numbers would take 6 GB. The bytes are scanned the way `lopdf` reads
//! them: from every `obj` keyword in the file (wherever it is: `lopdf`
//! goes where the cross-reference table points, which may be inside what
//! looks like another object's data), one value, then its stream's data
//! skipped; and every object stream unpacked (within a budget) and each
//! object in it read from where its header says it starts.
//!
//! The counts are upper bounds of what `lopdf` makes, so a file within
//! them is read within bounded memory; passing one is a
//! [`Refusal::TooComplex`].

use super::super::Refusal;
use super::FORMAT;
use std::collections::HashMap;

/// Most indirect objects (in the file and in its object streams).
pub const MAX_OBJECTS: u64 = 250_000;

/// Most values (numbers, names, strings, arrays, dictionaries…) in all
/// its objects together: about 240 MB once read.
pub const MAX_VALUES: u64 = 2_000_000;

/// Deepest nesting of arrays and dictionaries in one object.
pub const MAX_NESTING: usize = 32;

/// Most bytes its object streams may unpack to, all together.
pub const MAX_UNPACKED_OBJECTS: usize = 64_000_000;

/// Most pages.
pub const MAX_PAGES: usize = 10_000;

/// Deepest nesting of its page tree.
pub const MAX_PAGE_TREE_DEPTH: usize = 32;

/// Most values in one page's drawing (its content stream and the forms
/// it draws): each is read into memory at once.
pub const MAX_PAGE_VALUES: u64 = 1_000_000;

/// Most bytes of drawings unpacked while one pass reads the pages (all
/// pages together, a drawing shared by pages counted for each).
pub const MAX_DOCUMENT_CONTENT: usize = 512_000_000;

pub(super) fn too_complex(what: &'static str, limit: u64) -> Refusal {
    Refusal::TooComplex {
        format: FORMAT,
        what,
        limit,
    }
}

pub(super) fn too_many_objects() -> Refusal {
    too_complex("objects", MAX_OBJECTS)
}

fn too_many_values() -> Refusal {
    too_complex("values in its objects", MAX_VALUES)
}

pub(super) fn too_deep() -> Refusal {
    too_complex("levels of nesting", MAX_NESTING as u64)
}

/// Past a limit on unpacked data: `what` says which ("MB of …").
pub(super) fn too_much_unpacked(what: &'static str, limit: usize) -> Refusal {
    too_complex(what, (limit / 1_000_000) as u64)
}

/// `what` for object streams over [`MAX_UNPACKED_OBJECTS`].
pub(super) const UNPACKED_OBJECTS: &str = "MB of objects once unpacked";

/// A token, as far as counting needs it.
#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// `[` or `<<`.
    Open,
    /// `]` or `>>`.
    Close,
    /// A number, a string, `true`, `false`, `null`, another keyword.
    Value,
    /// A name, as written (`#xx` escapes not yet decoded).
    Name(&'a [u8]),
    /// `R`: the two numbers before it and it make one reference.
    Reference,
    /// `obj`, `endobj`, `stream`, `endstream`: where a value ends.
    End(&'a [u8]),
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0C')
}

fn is_delimiter(c: u8) -> bool {
    b"()<>[]{}/%".contains(&c)
}

/// Reads tokens as `lopdf`'s parser does, counting the bytes it looks at.
struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    /// Where the last token read starts.
    start: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<Tok<'a>> {
        let b = self.b;
        loop {
            let c = *b.get(self.pos)?;
            if is_space(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self.pos < b.len() && !matches!(b[self.pos], b'\r' | b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        let start = self.pos;
        self.start = start;
        let c = b[start];
        self.pos += 1;
        Some(match c {
            b'[' => Tok::Open,
            b']' => Tok::Close,
            b'<' if b.get(self.pos) == Some(&b'<') => {
                self.pos += 1;
                Tok::Open
            }
            b'>' if b.get(self.pos) == Some(&b'>') => {
                self.pos += 1;
                Tok::Close
            }
            b'<' => {
                self.pos =
                    memchr::memchr(b'>', &b[self.pos..]).map_or(b.len(), |i| self.pos + i + 1);
                Tok::Value
            }
            b'(' => {
                let mut open = 1usize;
                while self.pos < b.len() && open > 0 {
                    match b[self.pos] {
                        b'\\' => self.pos += 1,
                        b'(' => open += 1,
                        b')' => open -= 1,
                        _ => {}
                    }
                    self.pos += 1;
                }
                self.pos = self.pos.min(b.len());
                Tok::Value
            }
            b'/' => {
                while self.pos < b.len() && !is_space(b[self.pos]) && !is_delimiter(b[self.pos]) {
                    self.pos += 1;
                }
                Tok::Name(&b[start + 1..self.pos])
            }
            c if is_delimiter(c) => Tok::Value,
            _ => {
                while self.pos < b.len() && !is_space(b[self.pos]) && !is_delimiter(b[self.pos]) {
                    self.pos += 1;
                }
                match &b[start..self.pos] {
                    b"R" => Tok::Reference,
                    word @ (b"obj" | b"endobj" | b"stream" | b"endstream") => Tok::End(word),
                    _ => Tok::Value,
                }
            }
        })
    }
}

/// A name with its `#xx` escapes decoded, as `lopdf` reads it; `None`
/// for a long one (no key that matters here is long).
fn name(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.len() > 64 {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            raw[i],
            raw.get(i + 1).copied().and_then(hex),
            raw.get(i + 2).copied().and_then(hex),
        ) {
            (b'#', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'#', _, _) => break,
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// What the scan has counted so far.
struct Tally {
    objects: u64,
    values: u64,
    /// Bytes looked at: a bound on the scan's own time (objects that
    /// overlap are read once for each).
    work: usize,
    max_work: usize,
    unpacked: usize,
}

impl Tally {
    fn value(&mut self, n: u64) -> Result<(), Refusal> {
        self.values += n;
        if self.values > MAX_VALUES {
            return Err(too_many_values());
        }
        Ok(())
    }

    fn object(&mut self, n: u64) -> Result<(), Refusal> {
        self.objects = self.objects.saturating_add(n);
        if self.objects > MAX_OBJECTS {
            return Err(too_many_objects());
        }
        Ok(())
    }
}

/// One value read from `at`: where it ended, and if it is a dictionary
/// that says it is an object stream or a cross-reference stream, which,
/// and where that dictionary is.
struct One {
    end: usize,
    special: Option<(Special, usize, usize)>,
}

/// Streams whose data holds objects, or says where objects are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    ObjectStream,
    CrossReference,
}

/// Reads one value from `at` (as `lopdf` reads an object), counting it.
fn one_value(b: &[u8], at: usize, tally: &mut Tally) -> Result<One, Refusal> {
    let mut lexer = Lexer {
        b,
        pos: at,
        start: at,
    };
    let mut depth = 0usize;
    let mut dict_start = None;
    let mut last_key_type = false;
    let mut special = None;
    let mut counted = false;
    while let Some(tok) = lexer.next() {
        let start = lexer.start;
        match tok {
            Tok::Open => {
                if depth == 0 && b[start] == b'<' {
                    dict_start = Some(start);
                }
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep());
                }
                tally.value(1)?;
                counted = true;
            }
            Tok::Close => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            Tok::Name(raw) => {
                tally.value(1)?;
                counted = true;
                if depth == 1 && dict_start.is_some() {
                    let decoded = name(raw);
                    if last_key_type {
                        match decoded.as_deref() {
                            Some(b"ObjStm") => special = Some(Special::ObjectStream),
                            Some(b"XRef") => special = Some(Special::CrossReference),
                            _ => {}
                        }
                    }
                    last_key_type = decoded.as_deref() == Some(b"Type");
                    continue;
                }
            }
            Tok::Value => {
                tally.value(1)?;
                counted = true;
            }
            Tok::Reference => {
                // `n g R` was counted as two numbers; it is one value.
                tally.values = tally.values.saturating_sub(1);
            }
            Tok::End(_) => {
                lexer.pos = start;
                break;
            }
        }
        last_key_type = false;
        if depth == 0 && counted {
            break;
        }
    }
    tally.work += lexer.pos.saturating_sub(at);
    if tally.work > tally.max_work {
        return Err(super::corrupt(
            "its objects overlap one another over and over, as no real document's do",
        ));
    }
    let end = lexer.pos;
    let special = match (special, dict_start) {
        (Some(kind), Some(start)) => Some((kind, start, end)),
        _ => None,
    };
    Ok(One { end, special })
}

/// Checks a PDF's bytes against the limits before it is read.
pub(super) fn check(input: &[u8]) -> Result<(), Refusal> {
    let mut tally = Tally {
        objects: 0,
        values: 0,
        work: 0,
        max_work: input
            .len()
            .saturating_mul(4)
            .saturating_add(MAX_UNPACKED_OBJECTS * 4),
        unpacked: 0,
    };
    // Values read from each object (its object stream's too), by where
    // its `obj` keyword is.
    let mut at_obj: HashMap<usize, u64> = HashMap::new();
    let mut xref_streams = Vec::new();
    for at in memchr::memmem::find_iter(input, b"obj") {
        if !starts_object(input, at) {
            continue;
        }
        tally.object(1)?;
        let before = tally.values;
        let one = one_value(input, at + 3, &mut tally)?;
        match one.special {
            Some((Special::ObjectStream, start, end)) => {
                object_stream(input, (start, end), one.end, &mut tally)?;
            }
            Some((Special::CrossReference, start, end)) => {
                xref_streams.push((start, end, one.end));
            }
            None => {}
        }
        at_obj.insert(at, tally.values - before);
    }
    for at in memchr::memmem::find_iter(input, b"trailer") {
        one_value(input, at + 7, &mut tally)?;
    }
    cross_references(input, &at_obj, &xref_streams, &mut tally)
}

/// `lopdf` reads one object for every entry of the cross-reference data
/// (and holds them all before it keeps one per number): an entry repeated
/// for many numbers reads its object again for each. So the values of
/// the object each entry points at are added up, an object for each
/// number (the most of any section that lists the number).
fn cross_references(
    b: &[u8],
    at_obj: &HashMap<usize, u64>,
    xref_streams: &[(usize, usize, usize)],
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let mut values: HashMap<u32, u64> = HashMap::new();
    let mut rows = 0u64;
    let mut entry = |id: u32, offset: usize, values: &mut HashMap<u32, u64>| {
        rows += 1;
        let v = object_at(b, offset).and_then(|at| at_obj.get(&at)).copied();
        let slot = values.entry(id).or_insert(0);
        *slot = (*slot).max(v.unwrap_or(0));
        if values.len() as u64 > MAX_OBJECTS || rows > MAX_OBJECTS.saturating_mul(16) {
            return Err(too_many_objects());
        }
        Ok(())
    };
    for at in memchr::memmem::find_iter(b, b"xref") {
        let keyword = at.checked_sub(1).is_none_or(|p| is_space(b[p]))
            && b.get(at + 4).is_some_and(|c| is_space(*c));
        if keyword {
            xref_table(b, at + 4, &mut |id, offset| entry(id, offset, &mut values))?;
        }
    }
    for &(start, end, after) in xref_streams {
        xref_stream(b, (start, end), after, tally, &mut |id, offset| {
            entry(id, offset, &mut values)
        })?;
    }
    let total = values.values().fold(0u64, |a, v| a.saturating_add(*v));
    if total > MAX_VALUES {
        return Err(too_many_values());
    }
    Ok(())
}

/// Where the `obj` keyword of the object `lopdf` reads at `offset` is:
/// after white space and comments, a number, a generation, `obj`.
fn object_at(b: &[u8], offset: usize) -> Option<usize> {
    let mut lexer = Lexer {
        b,
        pos: offset,
        start: offset,
    };
    let number = lexer.next()?;
    let generation = lexer.next()?;
    let keyword = lexer.next()?;
    (number == Tok::Value && generation == Tok::Value && keyword == Tok::End(b"obj"))
        .then_some(lexer.start)
}

/// Reads a classic cross-reference table's subsections from `at` (after
/// the keyword `xref`), handing each entry in use to `entry`.
fn xref_table(
    b: &[u8],
    mut at: usize,
    entry: &mut impl FnMut(u32, usize) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let number = |at: &mut usize| -> Option<u64> {
        while b.get(*at).is_some_and(|c| is_space(*c)) {
            *at += 1;
        }
        let start = *at;
        while b.get(*at).is_some_and(u8::is_ascii_digit) && *at - start < 20 {
            *at += 1;
        }
        std::str::from_utf8(&b[start..*at]).ok()?.parse().ok()
    };
    loop {
        let (Some(first), Some(count)) = (number(&mut at), number(&mut at)) else {
            return Ok(());
        };
        for i in 0..count {
            let (Some(offset), Some(_)) = (number(&mut at), number(&mut at)) else {
                return Ok(());
            };
            while b.get(at).is_some_and(|c| is_space(*c)) {
                at += 1;
            }
            let in_use = b.get(at) == Some(&b'n');
            at += 1;
            if in_use
                && let (Ok(id), Ok(offset)) = (u32::try_from(first + i), usize::try_from(offset))
            {
                entry(id, offset)?;
            }
        }
    }
}

/// Reads a cross-reference stream (its dictionary at `dict`, `stream`
/// after `after`), handing each entry in use to `entry`.
fn xref_stream(
    b: &[u8],
    dict: (usize, usize),
    after: usize,
    tally: &mut Tally,
    entry: &mut impl FnMut(u32, usize) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let Some((dictionary, content)) = stream_data(b, dict, after, tally)? else {
        return Ok(());
    };
    let ints = |key: &[u8]| -> Option<Vec<u64>> {
        dictionary
            .get(key)
            .and_then(lopdf::Object::as_array)
            .ok()?
            .iter()
            .map(|o| o.as_i64().ok().and_then(|v| u64::try_from(v).ok()))
            .collect()
    };
    let Some(widths) = ints(b"W").filter(|w| w.len() == 3 && w.iter().all(|x| *x <= 8)) else {
        return Ok(());
    };
    let row: u64 = widths.iter().sum();
    if row == 0 {
        return Ok(());
    }
    let size = dictionary
        .get(b"Size")
        .and_then(lopdf::Object::as_i64)
        .ok()
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(0);
    let index = ints(b"Index").unwrap_or_else(|| vec![0, size]);
    let field = |bytes: &[u8]| bytes.iter().fold(0u64, |a, c| (a << 8) | u64::from(*c));
    let mut rows = content.chunks_exact(row as usize);
    for pair in index.chunks_exact(2) {
        for i in 0..pair[1] {
            let Some(r) = rows.next() else {
                return Ok(());
            };
            let (w0, w1) = (widths[0] as usize, widths[1] as usize);
            let kind = if w0 == 0 { 1 } else { field(&r[..w0]) };
            if kind == 1
                && let (Ok(id), Ok(offset)) = (
                    u32::try_from(pair[0].saturating_add(i)),
                    usize::try_from(field(&r[w0..w0 + w1])),
                )
            {
                entry(id, offset)?;
            }
        }
    }
    Ok(())
}
/// Whether the `obj` at `at` is the keyword after an object's number and
/// generation (`12 0 obj`), not part of another word.
fn starts_object(b: &[u8], at: usize) -> bool {
    let before = &b[..at];
    let ends_word = b
        .get(at + 3)
        .is_none_or(|&c| is_space(c) || is_delimiter(c));
    let Some(&last) = before.last() else {
        return false;
    };
    ends_word && (last.is_ascii_digit() || is_space(last))
}

/// A stream's dictionary as `lopdf` reads it (its dictionary at `dict`,
/// the keyword `stream` after `after`) and its data unpacked, within what
/// is left of [`MAX_UNPACKED_OBJECTS`]; `None` for one `lopdf` cannot
/// unpack either (and skips).
fn stream_data(
    b: &[u8],
    dict: (usize, usize),
    after: usize,
    tally: &mut Tally,
) -> Result<Option<(lopdf::Dictionary, Vec<u8>)>, Refusal> {
    // The dictionary as `lopdf` reads it: as a content stream's operand.
    let mut text = b[dict.0..dict.1].to_vec();
    text.extend_from_slice(b" x");
    let Some(dictionary) = lopdf::content::Content::decode(&text)
        .ok()
        .and_then(|c| c.operations.into_iter().next())
        .and_then(|op| op.operands.into_iter().next())
        .and_then(|o| o.as_dict().ok().cloned())
    else {
        return Ok(None);
    };
    // The data: after `stream` and its end of line, /Length bytes (or up
    // to `endstream` when /Length is not a number that fits).
    let mut lexer = Lexer {
        b,
        pos: after,
        start: after,
    };
    if lexer.next() != Some(Tok::End(b"stream")) {
        return Ok(None);
    }
    let mut start = lexer.pos;
    if b.get(start) == Some(&b'\r') {
        start += 1;
    }
    if b.get(start) == Some(&b'\n') {
        start += 1;
    }
    let length = dictionary
        .get(b"Length")
        .and_then(lopdf::Object::as_i64)
        .ok()
        .and_then(|l| usize::try_from(l).ok())
        .filter(|l| start.checked_add(*l).is_some_and(|end| end <= b.len()));
    let end = match length {
        Some(l) => start + l,
        None => memchr::memmem::find(&b[start..], b"endstream").map_or(b.len(), |i| start + i),
    };
    let left = MAX_UNPACKED_OBJECTS.saturating_sub(tally.unpacked);
    let stream = lopdf::Stream::new(dictionary.clone(), b[start..end].to_vec());
    let content = match stream.get_plain_content_with_limit(left) {
        Ok(c) => c,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(too_much_unpacked(UNPACKED_OBJECTS, MAX_UNPACKED_OBJECTS));
        }
        Err(_) => return Ok(None),
    };
    tally.unpacked += content.len();
    tally.max_work = tally
        .max_work
        .saturating_add(content.len().saturating_mul(4));
    Ok(Some((dictionary, content)))
}

/// Unpacks an object stream (its dictionary at `dict`, the keyword
/// `stream` after `after`) and counts every object its header lists, read
/// from where the header says, as `lopdf` reads them.
fn object_stream(
    b: &[u8],
    dict: (usize, usize),
    after: usize,
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let Some((dictionary, content)) = stream_data(b, dict, after, tally)? else {
        return Ok(());
    };
    let first = dictionary
        .get(b"First")
        .and_then(lopdf::Object::as_i64)
        .ok()
        .and_then(|f| usize::try_from(f).ok());
    let Some(first) = first.filter(|f| *f <= content.len()) else {
        return Ok(());
    };
    let header = &content[..first];
    let mut numbers = header
        .split(|c| is_space(*c))
        .filter(|w| !w.is_empty())
        .map(|w| {
            std::str::from_utf8(w)
                .ok()
                .and_then(|w| w.parse::<usize>().ok())
        });
    while let (Some(id), Some(offset)) = (numbers.next(), numbers.next()) {
        tally.object(1)?;
        let (Some(_), Some(offset)) = (id, offset) else {
            continue;
        };
        let Some(at) = first.checked_add(offset).filter(|at| *at < content.len()) else {
            continue;
        };
        one_value(&content, at, tally)?;
    }
    Ok(())
}

/// Counts the values in a page's drawing before it is read.
pub(super) fn check_drawing(content: &[u8], values: &mut u64) -> Result<(), Refusal> {
    let mut lexer = Lexer {
        b: content,
        pos: 0,
        start: 0,
    };
    let mut depth = 0usize;
    while let Some(tok) = lexer.next() {
        match tok {
            Tok::Open => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep());
                }
            }
            Tok::Close => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ => {}
        }
        *values += 1;
        if *values > MAX_PAGE_VALUES {
            return Err(too_complex("values in one page's drawing", MAX_PAGE_VALUES));
        }
    }
    Ok(())
}

/// Checks a loaded document's pages: how many, and how deep its page
/// tree nests.
pub(super) fn check_page_tree(doc: &lopdf::Document) -> Result<(), Refusal> {
    use lopdf::Object;
    let Ok(root) = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
    else {
        return Ok(());
    };
    let mut stack = vec![(root, 0usize)];
    let mut seen = std::collections::HashSet::new();
    let mut pages = 0usize;
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Ok(node) = doc.get_dictionary(id) else {
            continue;
        };
        match node.get_type() {
            Ok(b"Pages") => {
                if depth >= MAX_PAGE_TREE_DEPTH {
                    return Err(too_complex(
                        "levels in its page tree",
                        MAX_PAGE_TREE_DEPTH as u64,
                    ));
                }
                if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
                    stack.extend(
                        kids.iter()
                            .filter_map(|k| k.as_reference().ok())
                            .map(|k| (k, depth + 1)),
                    );
                }
            }
            _ => {
                pages += 1;
                if pages > MAX_PAGES {
                    return Err(too_complex("pages", MAX_PAGES as u64));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_values_nesting_and_objects() {
        let mut doc = b"%PDF-1.7\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n".to_vec();
        assert!(check(&doc).is_ok());
        doc.extend_from_slice(b"3 0 obj\n");
        doc.extend(std::iter::repeat_n(b'[', MAX_NESTING + 1));
        doc.extend_from_slice(b"\nendobj\n");
        assert_eq!(check(&doc), Err(too_deep()));
    }

    #[test]
    fn an_object_hidden_in_a_comment_is_counted() {
        let mut doc = b"%PDF-1.7\n% 1 0 obj [".to_vec();
        doc.extend(std::iter::repeat_n(b"0 ".as_slice(), MAX_VALUES as usize + 1).flatten());
        doc.extend_from_slice(b"]\n");
        assert_eq!(check(&doc), Err(too_many_values()));
    }

    #[test]
    fn escaped_names_are_read_as_lopdf_reads_them() {
        assert_eq!(name(b"Obj#53tm").as_deref(), Some(&b"ObjStm"[..]));
    }

    #[test]
    fn strings_and_streams_are_not_counted_as_values() {
        let doc = b"1 0 obj\n<</Length 9>>stream\n[[[[[[[[[\nendstream\nendobj\n2 0 obj\n(((([[[[)))))\nendobj\n";
        let mut tally = Tally {
            objects: 0,
            values: 0,
            work: 0,
            max_work: usize::MAX,
            unpacked: 0,
        };
        let one = one_value(doc, 7, &mut tally).map(|o| o.end);
        assert!(one.is_ok());
        assert!(check(doc).is_ok());
    }
}
