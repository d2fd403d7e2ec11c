//! Text as the names matcher sees it: lower case, without diacritics,
//! with look-alike letters from other scripts folded to the Latin letter
//! they imitate (Unicode's confusables "skeleton", UTS #39), invisible
//! characters (Unicode's default-ignorable and format characters: zero-
//! width spaces, soft hyphens, bidirectional controls, variation
//! selectors, tags) removed, blank fillers turned into spaces, and
//! everything that is not a letter or digit turned into a single space. "Zoë
//! O'Brien-Smith's" becomes "zoe o brien smith s".
//!
//! Every byte of the result remembers the byte offset of the character it
//! came from, so a match can be quoted from the original text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalised text and, for each of its bytes, the offset in the source.
#[derive(Default)]
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
        let mut apply = |action: Option<char>, out: &mut Vec<u8>| match action {
            Some(lower) => {
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
            }
            None => space_pending = true,
        };
        if let Some(actions) = TWO_BYTE.get((c as usize).wrapping_sub(0x80)) {
            // Latin, Greek, Cyrillic…: worked out once, up front.
            for &a in actions.iter() {
                apply(a, &mut out);
            }
        } else {
            fold_char(c, |a| apply(a, &mut out));
        }
        at += c.len_utf8();
    }
    // Only whole characters were written, so this always succeeds.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// What folding one character does, in order: `Some(c)` writes the
/// letter or digit `c`, `None` separates words; nothing at all for an
/// invisible character.
fn fold_char(c: char, mut action: impl FnMut(Option<char>)) {
    // Characters a reader never sees, from Unicode's data: the
    // default-ignorable ones (zero-width spaces and joiners, soft hyphen,
    // bidirectional controls, variation selectors, tags) and every other
    // format character vanish, so "Sm\u{200B}ith" is "smith"; the
    // default-ignorable *letters*, the Hangul fillers, are drawn as a
    // blank as wide as a letter, so they separate words as a space does.
    match shown(c) {
        Shown::Nothing => return,
        Shown::Blank => return action(None),
        Shown::Glyph => {}
    }
    // Common spaces and punctuation separate words, without the
    // confusables table.
    if matches!(c, '\u{2010}'..='\u{205E}' | '\u{A0}' | '\u{3000}') {
        return action(None);
    }
    // Checked before the confusables, which fold some small capitals
    // to other letters (ᴋ to ĸ).
    if let Some(letter) = small_capital(c) {
        return action(Some(letter));
    }
    // Compatibility forms (mathematical letters, full-width letters,
    // ligatures) are the letters they are drawn with.
    let mut buf = [0u8; 4];
    let compat: String = c.encode_utf8(&mut buf).nfkc().collect();
    if compat.is_ascii() && !compat.is_empty() {
        for a in compat.chars() {
            action(a.is_ascii_alphanumeric().then(|| a.to_ascii_lowercase()));
        }
        return;
    }
    // A look-alike of a Latin letter, as written or in small letters, is
    // that letter, even where the confusables data's own prototype is
    // another spelling (its prototype of "m" is "rn").
    let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
    if let Some(&latin) = LATIN_SKELETONS.get(skeleton.as_str()) {
        // The data's one prototype for I, l and 1 is "l": a capital that
        // looks like one is a capital I ("Іvan" in Cyrillic is Ivan).
        let latin = if latin == 'l' && c.is_uppercase() {
            'i'
        } else {
            latin
        };
        return action(Some(latin));
    }
    let mut lowered = c.to_lowercase();
    if let (Some(lower), None) = (lowered.next(), lowered.next()) {
        let small: String = unicode_security::skeleton(lower.encode_utf8(&mut buf)).collect();
        if let Some(&latin) = LATIN_SKELETONS.get(small.as_str()) {
            return action(Some(latin));
        }
    }
    for folded in skeleton.chars() {
        if is_combining_mark(folded) {
            continue;
        }
        // As above: a capital whose prototype is "l" is an I ("İ").
        if folded == 'l' && c.is_uppercase() {
            action(Some('i'));
            continue;
        }
        for lower in folded.to_lowercase() {
            action(lower.is_alphanumeric().then_some(lower));
        }
    }
}

/// The confusables skeleton of each Latin letter and digit, and the
/// letter in small (small letters win over digits and capitals that look
/// the same: "l", not "1" or "I").
static LATIN_SKELETONS: std::sync::LazyLock<std::collections::HashMap<String, char>> =
    std::sync::LazyLock::new(|| {
        let mut map = std::collections::HashMap::new();
        for c in ('a'..='z').chain('A'..='Z').chain('0'..='9') {
            let mut buf = [0u8; 4];
            let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
            map.entry(skeleton).or_insert(c.to_ascii_lowercase());
        }
        map
    });

/// The Latin letter a small capital is drawn as (ʟ is "LATIN LETTER
/// SMALL CAPITAL L"): they have no decomposition and are not in the
/// confusables data, so their Unicode names say which letter they are.
fn small_capital(c: char) -> Option<char> {
    if c.is_ascii() || !c.is_alphabetic() {
        return None;
    }
    let name = unicode_names2::name(c)?.to_string();
    let letter = name.strip_prefix("LATIN LETTER SMALL CAPITAL ")?;
    let mut chars = letter.chars();
    match (chars.next(), chars.next()) {
        (Some(l), None) if l.is_ascii_uppercase() => Some(l.to_ascii_lowercase()),
        _ => None,
    }
}

/// How a character appears to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Not at all: it takes no room.
    Nothing,
    /// As an empty space the width of a letter.
    Blank,
    /// As itself.
    Glyph,
}

/// How `c` appears, from Unicode's character properties
/// (`Default_Ignorable_Code_Point`, `General_Category`).
fn shown(c: char) -> Shown {
    use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory, GeneralCategoryGroup};
    use icu_properties::{CodePointMapData, CodePointSetData};
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    if CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) {
        if GeneralCategoryGroup::Letter.contains(category) {
            Shown::Blank
        } else {
            Shown::Nothing
        }
    } else if category == GeneralCategory::Format {
        Shown::Nothing
    } else {
        Shown::Glyph
    }
}

/// [`fold_char`] for every character written with two bytes in UTF-8
/// (U+0080 to U+07FF: Latin with accents, Greek, Cyrillic, Hebrew,
/// Arabic), computed once: the confusables table is slow to consult
/// character by character, and names are full of these.
static TWO_BYTE: std::sync::LazyLock<Vec<Box<[Option<char>]>>> = std::sync::LazyLock::new(|| {
    (0x80u32..0x800)
        .map(|u| {
            let mut actions = Vec::new();
            if let Some(c) = char::from_u32(u) {
                fold_char(c, |a| actions.push(a));
            }
            actions.into_boxed_slice()
        })
        .collect()
});

const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;
/// ORed into ASCII letters and digits, lowers the letters and leaves the
/// digits as they are.
const LOWER: u64 = 0x2020_2020_2020_2020;

/// For eight ASCII bytes packed little-endian: bit `i` set when byte `i`
/// is a letter or digit.
#[inline(always)]
fn alnum_mask(x: u64) -> u32 {
    // The high bit of each byte that is in lo..=hi (bytes below 0x80, so
    // no carry crosses a byte).
    let between = |x: u64, lo: u8, hi: u8| {
        let at_least = x.wrapping_add(ONES * u64::from(0x80 - lo));
        let above = x.wrapping_add(ONES * u64::from(0x7f - hi));
        at_least & !above & HIGH
    };
    let high = between(x | LOWER, b'a', b'z') | between(x, b'0', b'9');
    let mut mask = 0u32;
    for i in 0..8 {
        mask |= (((high >> (8 * i + 7)) & 1) as u32) << i;
    }
    mask
}

/// Builds a word's key as its folded bytes arrive. A word of up to eight
/// bytes (most words) is its key exactly, packed into a `u64` (folded
/// words have no zero bytes, so no two pack alike); a longer one is
/// hashed eight bytes at a time. Joiners are all short, so they are told
/// apart exactly.
struct WordBuilder {
    /// The bytes of the chunk being filled, packed.
    chunk: u64,
    /// The earlier chunks, mixed.
    mixed: u64,
    len: usize,
}

/// Packed keys of the joining words ("and", "the"…), sorted: see
/// [`super::words::is_joiner`].
const JOINER_KEYS: [u64; super::words::JOINERS.len()] = {
    let words = super::words::JOINERS;
    let mut keys = [0u64; super::words::JOINERS.len()];
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_bytes();
        let mut k = 0u64;
        let mut j = 0;
        while j < w.len() {
            k = (k << 8) | w[j] as u64;
            j += 1;
        }
        keys[i] = k;
        i += 1;
    }
    // Sorted, for a binary search.
    let mut a = 0;
    while a < keys.len() {
        let mut b = a + 1;
        while b < keys.len() {
            if keys[b] < keys[a] {
                let t = keys[a];
                keys[a] = keys[b];
                keys[b] = t;
            }
            b += 1;
        }
        a += 1;
    }
    keys
};

impl WordBuilder {
    const fn new() -> Self {
        WordBuilder {
            chunk: 0,
            mixed: 0,
            len: 0,
        }
    }

    #[inline(always)]
    fn push(&mut self, b: u8) {
        if self.len > 0 && self.len.is_multiple_of(8) {
            self.mixed = mix(self.mixed ^ self.chunk);
            self.chunk = 0;
        }
        self.chunk = (self.chunk << 8) | u64::from(b);
        self.len += 1;
    }

    /// Appends `n` (1 to 8) bytes, given packed little-endian (the first
    /// byte lowest).
    #[inline(always)]
    fn push_le(&mut self, bytes: u64, n: usize) {
        if self.len.is_multiple_of(8) && self.len > 0 || self.len % 8 + n > 8 {
            let mut b = bytes;
            for _ in 0..n {
                self.push(b as u8);
                b >>= 8;
            }
            return;
        }
        let packed = bytes.swap_bytes() >> (64 - 8 * n);
        self.chunk = if n == 8 {
            packed
        } else {
            (self.chunk << (8 * n)) | packed
        };
        self.len += n;
    }

    #[inline(always)]
    fn key(&self) -> u64 {
        if self.len <= 8 {
            self.chunk
        } else {
            mix(self.mixed ^ self.chunk ^ (self.len as u64)) | 1 << 63
        }
    }

    #[inline(always)]
    fn finish(&mut self, out: &mut Vec<u64>) {
        if self.len > 0 {
            out.push(self.key());
            *self = WordBuilder::new();
        }
    }
}

#[inline(always)]
fn mix(x: u64) -> u64 {
    let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Each word of `input` as [`normalise_text`] would write it, without
/// writing it: the matcher's fast first look at a page. Words are hashed
/// with [`word_hash`] as their folded bytes arrive.
pub fn word_hashes(input: &str, out: &mut Vec<u64>) {
    let mut hasher = WordHasher::default();
    hasher.feed(input, out);
    hasher.finish(out);
}

/// [`word_hashes`] over text that arrives in pieces (the text between a
/// page's tags): a word may run from one piece into the next, exactly as
/// if the pieces had been joined first.
#[derive(Default)]
pub struct WordHasher {
    word: WordBuilder,
}

impl Default for WordBuilder {
    fn default() -> Self {
        WordBuilder::new()
    }
}

impl WordHasher {
    /// Ends the word being read, if any: what a separator would do.
    pub fn finish(&mut self, out: &mut Vec<u64>) {
        self.word.finish(out);
    }

    /// Reads the next piece of text.
    pub fn feed(&mut self, input: &str, out: &mut Vec<u64>) {
        let word = &mut self.word;
        let bytes = input.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            // Eight ASCII bytes at a time: letters and digits found
            // together, then handled a run at a time rather than a byte
            // at a time.
            if let Some(chunk) = bytes.get(at..at + 8) {
                let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
                if x & HIGH == 0 {
                    let folded = x | LOWER;
                    let mask = alnum_mask(x);
                    let mut pos = 0;
                    while pos < 8 {
                        let run = ((!(mask >> pos)).trailing_zeros() as usize).min(8 - pos);
                        if run > 0 {
                            let run_bytes = if run == 8 {
                                folded
                            } else {
                                (folded >> (8 * pos)) & ((1u64 << (8 * run)) - 1)
                            };
                            word.push_le(run_bytes, run);
                            pos += run;
                            if pos >= 8 {
                                break;
                            }
                        }
                        word.finish(out);
                        pos += ((mask >> pos).trailing_zeros() as usize).min(8 - pos);
                    }
                    at += 8;
                    continue;
                }
            }
            let b = bytes[at];
            if b < 0x80 {
                let t = ASCII_FOLD[b as usize];
                if t != 0 {
                    word.push(t);
                } else {
                    word.finish(out);
                }
                at += 1;
                continue;
            }
            let Some(c) = input[at..].chars().next() else {
                break;
            };
            let mut apply = |action: Option<char>| match action {
                Some(lower) => {
                    let mut enc = [0u8; 4];
                    for &e in lower.encode_utf8(&mut enc).as_bytes() {
                        word.push(e);
                    }
                }
                None => word.finish(out),
            };
            if let Some(actions) = TWO_BYTE.get((c as usize).wrapping_sub(0x80)) {
                for &a in actions.iter() {
                    apply(a);
                }
            } else {
                fold_char(c, apply);
            }
            at += c.len_utf8();
        }
    }
}

/// Whether the word with this key is exactly a joining word ("and",
/// "the"): short words' keys are their bytes, so this never mistakes
/// another word for one.
pub fn is_joiner_key(key: u64) -> bool {
    JOINER_KEYS.binary_search(&key).is_ok()
}

/// The key [`word_hashes`] gives a word of normalised text.
pub fn word_hash(word: &str) -> u64 {
    let mut w = WordBuilder::new();
    for b in word.bytes() {
        w.push(b);
    }
    w.key()
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
    fn what_a_reader_cannot_see_is_read_from_unicode_data() {
        let plain = name("Oliver Okafor");
        for hidden in [
            // Joined by characters that take no room: a word joiner, a
            // combining grapheme joiner, bidirectional isolates and
            // embeddings, an Arabic letter mark, a variation selector, a
            // Mongolian free variation selector, a tag character, an
            // interlinear annotation anchor.
            "Oli\u{2060}ver Oka\u{034F}for",
            "Oli\u{2066}ver\u{2069} Okafor",
            "Oli\u{202A}ver\u{202C} Okafor",
            "Oliv\u{061C}er Oka\u{FE0F}for",
            "Oliv\u{180B}er Okaf\u{E0041}or",
            "Oli\u{FFF9}ver Okafor",
            "O\u{1D173}liver Okafor",
        ] {
            assert_eq!(name(hidden), plain, "{hidden:?}");
        }
        // A Hangul filler is drawn as a blank: it reads as a space.
        assert_eq!(name("Oliver\u{3164}Okafor"), plain);
        assert_eq!(name("Oliver\u{FFA0}Okafor"), plain);
        // Look-alike letters: small capitals, full-width, mathematical.
        assert_eq!(name("ᴏʟɪᴠᴇʀ ᴏᴋᴀꜰᴏʀ"), plain);
        assert_eq!(name("Ｏｌｉｖｅｒ Ｏｋａｆｏｒ"), plain);
        assert_eq!(name("𝐎𝐥𝐢𝐯𝐞𝐫 𝐎𝐤𝐚𝐟𝐨𝐫"), plain);
        assert_eq!(name("𝐀𝐦𝐞𝐥𝐢𝐚 𝐒𝐦𝐢𝐭𝐡"), "amelia smith");
        assert_eq!(name("Оkаfоr, Аmеliа"), "okafor amelia");
        // A Cyrillic capital I, and a Greek capital eta, imitate capitals.
        assert_eq!(name("Іvan Нill"), "ivan hill");
        assert_eq!(name("Ηill"), "hill");
        assert_eq!(name("OLİVER"), "oliver");
        // Near miss: a visible space or punctuation still separates.
        assert_eq!(name("Oli ver"), "oli ver");
        assert_eq!(name("Oli\u{2800}ver"), "oli ver");
    }

    #[test]
    fn word_hashes_are_the_words_of_the_normalised_text() {
        let samples = [
            "Zoë O'Brien-Smith's",
            "  SIÂN   llewellyn  ",
            "Аmеlia Sm\u{200B}it\u{AD}h\u{2029}Grace\u{00A0}Hope",
            "李小龍 and Ἀθῆναι, 42 — x",
            "",
            "--",
            "a\u{301}b Ǆ ﬁsh ℌ",
            "Amelia AND the Smith, Ａｎｄ plus PLUS v Vs",
            "Supercalifragilisticexpialidocious Fitzgerald-Wardington abcdefghijklmnopq1234567 xyzzyxyzzyxyzzy_ab",
            "12345678 abcdefgh ABCDEFGHIJKLMNOP a.b.c.d.e.f.g.h.i Zoë Zoëabcdefghij abcdefghZoë",
        ];
        // And every character written in one or two bytes, and the
        // punctuation, symbols and full-width forms most often pasted in,
        // one at a time between two letters.
        let mut all = String::new();
        for u in (0x20u32..0x800).chain(0x2000..0x2070).chain(0xFE00..0xFF70) {
            if let Some(c) = char::from_u32(u) {
                all.push('a');
                all.push(c);
                all.push('b');
                all.push(' ');
            }
        }
        for text in samples.iter().copied().chain([all.as_str()]) {
            let normalised = normalise_text(text);
            let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
            let expected: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
            let mut got = Vec::new();
            word_hashes(text, &mut got);
            assert_eq!(got, expected, "{text:?}");
            for (w, key) in words.iter().zip(&got) {
                assert_eq!(
                    is_joiner_key(*key),
                    super::super::words::is_joiner(w),
                    "{w}"
                );
            }
        }
    }

    #[test]
    fn joiner_keys_are_the_joiners() {
        for w in super::super::words::JOINERS {
            assert!(w.len() <= 5 && w.bytes().all(|b| b.is_ascii_lowercase()));
            assert!(JOINER_KEYS.binary_search(&word_hash(w)).is_ok(), "{w}");
        }
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
