//! Captions for videos: WebVTT, and SubRip (SRT) converted to WebVTT
//! (what browsers' `<track>` reads). The text must be UTF-8 (a byte-order
//! mark is dropped, Windows line ends become plain ones); `NOTE` blocks,
//! which are comments no viewer sees, are removed, as are `STYLE` blocks
//! that could load anything. Each cue's text is read as the WebVTT cue
//! text parser reads it and rebuilt from what is allowed: the spec's
//! tags (`c`, `i`, `b`, `u`, `ruby`, `rt`, `v`, `lang`, timestamps), with
//! character references decoded (HTML's whole list, as browsers decode
//! them) and only `&`, `<` and `>` written as references again.
//!
//! [`shown`] gives the text as a viewer sees it, line for line, for the
//! rules: `Oli<b>ver</b>` is "Oliver", a ruby annotation follows its base
//! text, and a voice's name ("<v Mrs Jones>") is read as if shown.

use super::{Kind, Pieces, Refusal, Removed, RemovedLog, Settings, Stripped};

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: "captions file",
        detail: detail.into(),
    }
}

/// Captions cleaned: WebVTT (SubRip is converted), with only the cues'
/// times and text.
pub(super) fn strip<'a>(input: &'a [u8], _settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    let (bytes, removed) = clean(input, super::sniff(input))?;
    Ok(Stripped::file(Pieces::owned(input, bytes), removed))
}

/// The clean WebVTT text, and what was removed.
fn clean(input: &[u8], kind: Kind) -> Result<(Vec<u8>, Vec<Removed>), Refusal> {
    let text = std::str::from_utf8(input)
        .map_err(|_| corrupt("it is not UTF-8 text: save it as UTF-8"))?;
    let text = text
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut removed = RemovedLog::default();
    let blocks: Vec<&str> = text.split("\n\n").collect();
    let mut out = String::from("WEBVTT\n");
    let mut cues = 0;
    for (i, block) in blocks.iter().enumerate() {
        let block = block.trim_matches('\n');
        if block.is_empty() {
            continue;
        }
        if kind == Kind::WebVtt && i == 0 {
            // The header line (and any header text after it) is not shown.
            if !block.starts_with("WEBVTT") {
                return Err(corrupt("it does not start with WEBVTT"));
            }
            continue;
        }
        if block.starts_with("NOTE") {
            removed.add("note (a comment in the captions)", block.len());
            continue;
        }
        if block.starts_with("STYLE") || block.starts_with("REGION") {
            removed.add("style block", block.len());
            continue;
        }
        let Some(timing_at) = block.lines().position(|l| l.contains("-->")) else {
            return Err(corrupt(format!(
                "a block has no timing (\"00:00:01.000 --> 00:00:04.000\"): {:?}",
                block.lines().next().unwrap_or("")
            )));
        };
        out.push('\n');
        for (n, line) in block.lines().enumerate() {
            if n == timing_at && kind == Kind::Srt {
                // SubRip writes 00:00:01,000; WebVTT 00:00:01.000.
                out.push_str(&line.replace(',', "."));
            } else if n < timing_at && kind == Kind::Srt {
                // The SubRip cue number: WebVTT does not need it.
                continue;
            } else if n > timing_at {
                let cue = cue_text(line);
                if cue.dropped > 0 {
                    removed.add("caption markup that is not WebVTT's", cue.dropped);
                }
                out.push_str(&cue.rebuilt);
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        cues += 1;
    }
    if cues == 0 {
        return Err(corrupt("it has no captions in it"));
    }
    if kind == Kind::Srt {
        removed.add("SubRip form (converted to WebVTT)", 0);
    }
    Ok((out.into_bytes(), removed.finish()))
}

/// The captions `text` as a viewer sees them, with as many lines as it
/// has: each cue's text without its markup.
pub(super) fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_cue = false;
    for line in text.split('\n') {
        if line.trim().is_empty() {
            in_cue = false;
            out.push_str(line);
        } else if in_cue {
            out.push_str(&cue_text(line).shown);
        } else {
            in_cue = line.contains("-->");
            out.push_str(line);
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// One line of a cue's text, rebuilt, and as shown.
#[derive(Debug, Default, PartialEq, Eq)]
struct Cue {
    rebuilt: String,
    shown: String,
    /// Bytes of markup left out (tags that are not WebVTT's).
    dropped: usize,
}

/// The tags WebVTT cue text may hold.
const TAGS: &[&str] = &["c", "i", "b", "u", "ruby", "rt", "v", "lang"];

fn cue_text(line: &str) -> Cue {
    let mut cue = Cue::default();
    // Ruby annotations are shown apart from (above) the text they
    // annotate: read after it, not inside it.
    let mut annotation = String::new();
    let mut in_rt = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').unwrap_or(rest.len());
                let tag = &rest[1..end];
                rest = rest.get(end + 1..).unwrap_or("");
                let Some(tag) = Tag::read(tag) else {
                    cue.dropped += end + 1;
                    continue;
                };
                tag.write(&mut cue.rebuilt);
                match (tag.name, tag.end) {
                    ("rt", false) => in_rt = true,
                    ("rt", true) => {
                        in_rt = false;
                        annotation.push(' ');
                    }
                    ("v", false) if !tag.annotation.is_empty() => {
                        cue.shown.push_str(&tag.annotation);
                        cue.shown.push_str(": ");
                    }
                    _ => {}
                }
            }
            '&' => {
                let (decoded, used) = reference(rest).unwrap_or_else(|| ("&".to_string(), 1));
                rest = &rest[used..];
                escape(&decoded, &mut cue.rebuilt);
                if in_rt {
                    &mut annotation
                } else {
                    &mut cue.shown
                }
                .push_str(&decoded);
            }
            c => {
                rest = &rest[c.len_utf8()..];
                escape(c.encode_utf8(&mut [0; 4]), &mut cue.rebuilt);
                if in_rt {
                    &mut annotation
                } else {
                    &mut cue.shown
                }
                .push(c);
            }
        }
    }
    let annotation = annotation.trim();
    if !annotation.is_empty() {
        cue.shown.push_str(" (");
        cue.shown.push_str(annotation);
        cue.shown.push(')');
    }
    cue
}

/// A WebVTT tag: a start or end tag of one of [`TAGS`], or a timestamp.
struct Tag<'a> {
    name: &'a str,
    end: bool,
    classes: Vec<&'a str>,
    annotation: String,
    timestamp: Option<&'a str>,
}

impl<'a> Tag<'a> {
    fn read(tag: &'a str) -> Option<Tag<'a>> {
        if tag.starts_with(|c: char| c.is_ascii_digit()) {
            let ok = tag
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
            return ok.then_some(Tag {
                name: "",
                end: false,
                classes: Vec::new(),
                annotation: String::new(),
                timestamp: Some(tag),
            });
        }
        let (end, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let (head, annotation) = match tag.find(|c: char| c.is_whitespace()) {
            Some(at) => (&tag[..at], tag[at..].trim()),
            None => (tag, ""),
        };
        let mut parts = head.split('.');
        let name = parts.next()?;
        let name = *TAGS.iter().find(|t| **t == name)?;
        let classes = parts
            .filter(|c| {
                !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .collect();
        let mut decoded = String::new();
        let mut rest = annotation;
        while let Some(c) = rest.chars().next() {
            let (text, used) = match c {
                '&' => reference(rest).unwrap_or_else(|| ("&".to_string(), 1)),
                c => (c.to_string(), c.len_utf8()),
            };
            decoded.push_str(&text);
            rest = &rest[used..];
        }
        Some(Tag {
            name,
            end,
            classes,
            annotation: if end { String::new() } else { decoded },
            timestamp: None,
        })
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        if let Some(t) = self.timestamp {
            out.push_str(t);
        } else {
            if self.end {
                out.push('/');
            }
            out.push_str(self.name);
            for class in &self.classes {
                out.push('.');
                out.push_str(class);
            }
            if !self.annotation.is_empty() && matches!(self.name, "v" | "lang") {
                out.push(' ');
                escape(&self.annotation, out);
            }
        }
        out.push('>');
    }
}

/// The character reference at the start of `text` (`&amp;`, `&#233;`,
/// `&#x1F600;`, any of HTML's named references that ends with `;`):
/// what it stands for and its length.
fn reference(text: &str) -> Option<(String, usize)> {
    let end = text.get(1..)?.find(';').filter(|&e| e <= 40)? + 1;
    let name = &text[1..end];
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        // As browsers do: nothing, a surrogate or a number past Unicode
        // is the replacement character.
        let c = char::from_u32(code)
            .filter(|_| code != 0)
            .unwrap_or('\u{FFFD}');
        return Some((c.to_string(), end + 1));
    }
    let &(first, second) = html5ever::data::NAMED_ENTITIES.get(&text[1..=end])?;
    let decoded: String = [first, second]
        .into_iter()
        .filter(|&c| c != 0)
        .filter_map(char::from_u32)
        .collect();
    (!decoded.is_empty()).then_some((decoded, end + 1))
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vtt(input: &str, kind: Kind) -> String {
        String::from_utf8(clean(input.as_bytes(), kind).unwrap().0).unwrap()
    }

    #[test]
    fn subrip_becomes_webvtt_and_notes_go() {
        let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nGoodbye\r\n";
        assert_eq!(
            vtt(srt, Kind::Srt),
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n\n00:00:03.000 --> 00:00:04.000\nGoodbye\n"
        );
        let with_note = "WEBVTT - sports day\n\nNOTE typed by Mrs Jones\n\nSTYLE\n::cue { color: red }\n\nintro\n00:00:01.000 --> 00:00:02.000 line:0\nHello\n";
        assert_eq!(
            vtt(with_note, Kind::WebVtt),
            "WEBVTT\n\nintro\n00:00:01.000 --> 00:00:02.000 line:0\nHello\n"
        );
    }

    #[test]
    fn cue_text_is_rebuilt_and_read_as_shown() {
        let shown = |line: &str| cue_text(line).shown;
        assert_eq!(shown("Oli<b>ver</b> Okafor"), "Oliver Okafor");
        assert_eq!(
            shown("<c.yellow.big>Oli</c>ver <i>Oka</i>for"),
            "Oliver Okafor"
        );
        assert_eq!(shown("Oli<00:00:01.500>ver Okafor"), "Oliver Okafor");
        assert_eq!(shown("Oli&#118;er Oka&#x66;or"), "Oliver Okafor");
        assert_eq!(
            shown("Oli&ZeroWidthSpace;ver &amp; co"),
            "Oli\u{200B}ver & co"
        );
        assert_eq!(
            shown("<ruby>Oli<rt>x</rt>ver</ruby> Okafor"),
            "Oliver Okafor (x)"
        );
        assert_eq!(shown("<v Mrs Jones>Well done!"), "Mrs Jones: Well done!");
        assert_eq!(
            shown("<lang en>Oliver</lang> <blink>Okafor</blink>"),
            "Oliver Okafor"
        );
        // An ampersand that is not a reference stays one.
        assert_eq!(
            shown("Fish & chips &notareference; x"),
            "Fish & chips &notareference; x"
        );

        let rebuilt = |line: &str| cue_text(line).rebuilt;
        assert_eq!(
            rebuilt("<b>Hi</b> &amp; <i>bye</i>"),
            "<b>Hi</b> &amp; <i>bye</i>"
        );
        assert_eq!(rebuilt("<c.a.b>x</c>"), "<c.a.b>x</c>");
        assert_eq!(rebuilt("<font color=red>x</font> &eacute;"), "x é");
        assert_eq!(
            rebuilt("<v.loud Mrs &lt;J&gt;>x"),
            "<v.loud Mrs &lt;J&gt;>x"
        );
        assert_eq!(rebuilt("a < b"), "a ");
        assert_eq!(cue_text("<font>x</font>").dropped, 13);
    }

    #[test]
    fn shown_keeps_every_line() {
        let vtt =
            "WEBVTT\n\nNOTE x\n\n1\n00:00:01.000 --> 00:00:02.000\nOli<b>ver</b>\n<i>Okafor</i>\n";
        let out = shown(vtt);
        assert_eq!(out.lines().count(), vtt.lines().count());
        assert_eq!(
            out,
            "WEBVTT\n\nNOTE x\n\n1\n00:00:01.000 --> 00:00:02.000\nOliver\nOkafor\n"
        );
    }

    #[test]
    fn clean_captions_are_a_fixed_point_and_bad_ones_refused() {
        let once = vtt(
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n",
            Kind::WebVtt,
        );
        assert_eq!(vtt(&once, Kind::WebVtt), once);
        assert!(clean(b"WEBVTT\n\nno timing here\n", Kind::WebVtt).is_err());
        assert!(clean(b"WEBVTT\n", Kind::WebVtt).is_err());
        assert!(
            clean(
                b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\xff\n",
                Kind::WebVtt
            )
            .is_err()
        );
    }
}
