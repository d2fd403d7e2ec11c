//! Text as the names matcher sees it: lower case, without diacritics,
//! with look-alike letters from other scripts folded to the Latin letter
//! they imitate (Unicode's confusables "skeleton", UTS #39), invisible
//! characters (zero-width spaces, soft hyphens) removed, and everything
//! that is not a letter or digit turned into a single space. "Zoë
//! O'Brien-Smith's" becomes "zoe o brien smith s".
//!
//! Every byte of the result remembers the byte offset of the character it
//! came from, so a match can be quoted from the original text.

use unicode_normalization::char::is_combining_mark;

/// Normalised text and, for each of its bytes, the offset in the source.
pub struct Normalised {
    pub text: String,
    pub source: Vec<u32>,
}

impl Normalised {
    /// The byte range in `source` (the text this was made from) of the
    /// normalised range `start..end`: from the first character matched to
    /// the end of the last.
    pub fn source_range(&self, start: usize, end: usize, source: &str) -> (usize, usize) {
        let from = self.source.get(start).map_or(source.len(), |&s| s as usize);
        let to = match end.checked_sub(1).and_then(|e| self.source.get(e)) {
            Some(&last) => {
                let last = last as usize;
                last + source[last..].chars().next().map_or(0, char::len_utf8)
            }
            None => source.len(),
        };
        (from.min(source.len()), to.max(from).min(source.len()))
    }
}

/// Normalises `input` (see the module docs), remembering where each byte
/// came from.
pub fn normalise(input: &str) -> Normalised {
    let mut source = Vec::with_capacity(input.len());
    let text = fold(input, Some(&mut source));
    Normalised { text, source }
}

/// Normalises `input` without remembering where bytes came from: the fast
/// first look, for text that usually holds no name.
pub fn normalise_text(input: &str) -> String {
    fold(input, None)
}

/// ASCII letters and digits lowered; 0 for every other ASCII byte.
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphanumeric() {
            b.to_ascii_lowercase()
        } else {
            0
        };
        i += 1;
    }
    t
};

fn fold(input: &str, mut source: Option<&mut Vec<u32>>) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let mut space_pending = false;
    let bytes = input.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b < 0x80 {
            // The common case: a run of ASCII letters and digits is copied
            // through the table in one go.
            if ASCII_FOLD[b as usize] != 0 {
                let start = at;
                while at < bytes.len() && bytes[at] < 0x80 && ASCII_FOLD[bytes[at] as usize] != 0 {
                    at += 1;
                }
                if space_pending && !out.is_empty() {
                    out.push(b' ');
                    if let Some(s) = source.as_deref_mut() {
                        s.push(start as u32);
                    }
                }
                space_pending = false;
                out.extend(bytes[start..at].iter().map(|&c| ASCII_FOLD[c as usize]));
                if let Some(s) = source.as_deref_mut() {
                    s.extend((start..at).map(|i| i as u32));
                }
            } else {
                space_pending = true;
                at += 1;
            }
            continue;
        }
        let Some(c) = input[at..].chars().next() else {
            break;
        };
        // Common non-ASCII characters first, without the confusables
        // table: invisible ones vanish (so "Sm\u{200B}ith" is "smith"),
        // spaces and punctuation separate words.
        match c {
            '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' => {
                at += c.len_utf8();
                continue;
            }
            '\u{2010}'..='\u{2027}' | '\u{2028}'..='\u{205E}' | '\u{A0}' | '\u{3000}' => {
                space_pending = true;
                at += c.len_utf8();
                continue;
            }
            _ => {}
        }
        let mut buf = [0u8; 4];
        for folded in unicode_security::skeleton(c.encode_utf8(&mut buf)) {
            if is_combining_mark(folded) {
                continue;
            }
            for lower in folded.to_lowercase() {
                if lower.is_alphanumeric() {
                    if space_pending && !out.is_empty() {
                        out.push(b' ');
                        if let Some(s) = source.as_deref_mut() {
                            s.push(at as u32);
                        }
                    }
                    space_pending = false;
                    let mut enc = [0u8; 4];
                    let encoded = lower.encode_utf8(&mut enc).as_bytes();
                    out.extend_from_slice(encoded);
                    if let Some(s) = source.as_deref_mut() {
                        s.extend(std::iter::repeat_n(at as u32, encoded.len()));
                    }
                } else {
                    space_pending = true;
                }
            }
        }
        at += c.len_utf8();
    }
    // Only whole characters were written, so this always succeeds.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A name, normalised: its words joined by single spaces.
pub fn name(s: &str) -> String {
    normalise_text(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_lookalikes_and_invisible_characters() {
        assert_eq!(name("Zoë O'Brien-Smith's"), "zoe o brien smith s");
        assert_eq!(name("SIÂN   llewellyn"), "sian llewellyn");
        // Cyrillic а and е in "Amelia", a zero-width space and a soft
        // hyphen inside "Smith".
        assert_eq!(name("Аmеlia Sm\u{200B}it\u{AD}h"), name("Amelia Smith"));
        assert_eq!(name("Amelia\u{00A0}Smith"), name("Amelia Smith"));
        assert_eq!(name("  --  "), "");
        assert_eq!(name("李小龍"), "李小龍");
    }

    #[test]
    fn remembers_where_each_byte_came_from() {
        let src = "Hi, Zoë Ash!";
        let n = normalise(src);
        assert_eq!(n.text, "hi zoe ash");
        let at = n.text.find("zoe").unwrap();
        let (from, to) = n.source_range(at, at + "zoe ash".len(), src);
        assert_eq!(&src[from..to], "Zoë Ash");
    }
}
