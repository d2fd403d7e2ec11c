//! Captions for videos: WebVTT, published as it is once checked, and
//! SubRip (SRT), converted to WebVTT (what browsers' `<track>` reads).
//! The text must be UTF-8 (a byte-order mark is dropped, Windows line
//! ends become plain ones); `NOTE` blocks, which are comments no viewer
//! sees, are removed, as are `STYLE` blocks that could load anything.

use super::{Kind, Refusal, Removed, RemovedLog};

fn corrupt(detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format: "captions file",
        detail: detail.into(),
    }
}

/// The clean WebVTT text, and what was removed.
pub(super) fn clean(input: &[u8], kind: Kind) -> Result<(Vec<u8>, Vec<Removed>), Refusal> {
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
