//! Text in the order a reader sees it. The Unicode bidirectional
//! algorithm (UAX #9, through `unicode-bidi`) lays out right-to-left
//! letters and the explicit controls (a right-to-left override, written
//! as a character or an entity) that reverse even Latin letters:
//! "\u{202E}rofakO revilO" is shown as "Oliver Okafor". Text that could be
//! reordered is read both as written and as laid out, in a left-to-right
//! and in a right-to-left paragraph, because a page or an element may be
//! either.

use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};

/// Whether the bidirectional algorithm could show `text` in another
/// order than it is written: it holds a right-to-left letter or an
/// explicit direction control. (Nothing below U+0590 is either.)
pub fn may_reorder(text: &str) -> bool {
    text.bytes().any(|b| b >= 0xD6)
        && text.chars().any(|c| {
            c >= '\u{590}'
                && matches!(
                    bidi_class(c),
                    BidiClass::R
                        | BidiClass::AL
                        | BidiClass::RLE
                        | BidiClass::RLO
                        | BidiClass::LRE
                        | BidiClass::LRO
                        | BidiClass::RLI
                        | BidiClass::LRI
                        | BidiClass::FSI
                )
        })
}

/// `text` laid out, in a left-to-right and in a right-to-left paragraph,
/// each with the byte offset in `text` of every byte of it.
pub fn visual_orders(text: &str) -> Vec<(String, Vec<u32>)> {
    [Level::ltr(), Level::rtl()]
        .into_iter()
        .map(|level| laid_out(text, level))
        .collect()
}

fn laid_out(text: &str, level: Level) -> (String, Vec<u32>) {
    let info = BidiInfo::new(text, Some(level));
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut push = |at: usize, c: char| {
        out.push(c);
        map.extend(std::iter::repeat_n(at as u32, c.len_utf8()));
    };
    for para in &info.paragraphs {
        let (levels, runs) = info.visual_runs(para, para.range.clone());
        for run in runs {
            let chars = text[run.clone()]
                .char_indices()
                .map(|(i, c)| (run.start + i, c));
            if levels.get(run.start).is_some_and(|l| l.is_rtl()) {
                for (at, c) in chars.rev() {
                    push(at, c);
                }
            } else {
                for (at, c) in chars {
                    push(at, c);
                }
            }
        }
    }
    (out, map)
}

/// The byte range in `text` that the laid-out range `from..to` was made
/// from: from its first character to the end of its last, in `text`'s
/// order.
pub fn source_span(map: &[u32], from: usize, to: usize, text: &str) -> (usize, usize) {
    let span = map.get(from..to.min(map.len())).unwrap_or(&[]);
    let (Some(&first), Some(&last)) = (span.iter().min(), span.iter().max()) else {
        return (0, 0);
    };
    let (first, last) = (first as usize, last as usize);
    let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
    (first, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Laid out, without the controls (which take no room).
    fn shown(text: &str) -> Vec<String> {
        visual_orders(text)
            .into_iter()
            .map(|(s, _)| {
                s.chars()
                    .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn an_override_is_laid_out_reversed() {
        let text = "Well done \u{202E}rofakO revilO\u{202C}!";
        assert!(may_reorder(text));
        for laid in shown(text) {
            assert!(laid.contains("Oliver Okafor"), "{laid:?}");
        }
        // Only the surname reversed.
        assert!(shown("Oliver \u{202E}rofakO\u{202C}")[0].contains("Oliver Okafor"));
        // A right-to-left paragraph with no override keeps Latin words'
        // letters in order.
        assert!(shown("Oliver Okafor")[1].contains("Oliver Okafor"));
        // Right-to-left isolates around Hebrew move the words about.
        let hebrew = "\u{2067}Okafor \u{5D0} Oliver\u{2069}";
        assert!(may_reorder(hebrew));
    }

    #[test]
    fn latin_text_is_left_as_it_is() {
        assert!(!may_reorder("Oliver Okafor won the race"));
        assert!(!may_reorder("Zoë’s “prize” — ½ price"));
    }

    #[test]
    fn spans_map_back_to_the_text() {
        let text = "Hi \u{202E}rofakO revilO\u{202C}.";
        let (laid, map) = laid_out(text, Level::ltr());
        let at = laid.find("Oliver Okafor").unwrap();
        let (from, to) = source_span(&map, at, at + "Oliver Okafor".len(), text);
        assert_eq!(&text[from..to], "rofakO revilO");
        let _ = laid;
    }
}
