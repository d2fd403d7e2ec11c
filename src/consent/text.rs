//! Turning the bytes of an exported register into text, whatever Excel or
//! the MIS saved: UTF-8 with or without a byte-order mark, UTF-16 ("Unicode
//! text"), or Windows-1252 (Excel's plain "CSV" on a UK Windows PC).
//! Nothing is lost: every byte of Windows-1252 maps to a character.

/// How the bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Windows1252,
}

/// Decodes a register file.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let kind = if enc == encoding_rs::UTF_8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        return (text.into_owned(), kind);
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return (text.into_owned(), Encoding::Utf16);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), Encoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Encoding::Windows1252)
        }
    }
}

/// UTF-16 saved without a byte-order mark: text that is mostly ASCII has
/// a zero byte in every other place (after each letter in little-endian,
/// before it in big-endian), which as UTF-8 would read as control
/// characters between the letters of every name.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let zeros = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = sample.len() / 2;
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= half * 7 && even * 10 < half {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= half * 7 && odd * 10 < half {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Whether decoded text is not really text: control characters (other
/// than tabs and line ends) in more than one character in a hundred, as
/// any encoding read wrongly gives. A register read like that would let
/// the names rule check nothing.
pub fn garbled(text: &str) -> bool {
    let total = text.chars().count();
    let control = text
        .chars()
        .filter(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .count();
    control > 0 && control * 100 > total
}

/// The field separator of a CSV export: a comma, or a semicolon (Excel in
/// many European locales) or a tab ("Unicode text"), whichever the header
/// line uses most outside quotes.
pub fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map_or(b',', |(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_export_encoding() {
        assert_eq!(
            decode("id,Zoë\n".as_bytes()),
            ("id,Zoë\n".into(), Encoding::Utf8)
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFid,Zo\xC3\xAB\n"),
            ("id,Zoë\n".into(), Encoding::Utf8)
        );
        // Excel's "CSV" on Windows: ë is 0xEB, and 0x80 is the euro sign.
        assert_eq!(
            decode(b"id,Zo\xEB,\x80\n"),
            ("id,Zoë,€\n".into(), Encoding::Windows1252)
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("id\tZoë".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), ("id\tZoë".into(), Encoding::Utf16));
        // And without the byte-order mark, in either byte order.
        let le: Vec<u8> = "id,name\n1042,Zoë"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&le), ("id,name\n1042,Zoë".into(), Encoding::Utf16));
        let be: Vec<u8> = "id,name\n1042,Zoë"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&be), ("id,name\n1042,Zoë".into(), Encoding::Utf16));
    }

    #[test]
    fn text_of_control_characters_is_garbled() {
        assert!(garbled("i\0d\0,\0n\0a\0m\0e\0"));
        assert!(!garbled("id,name\r\n1042,Zoë\tx\n"));
        // One stray control character in a long export is a bad cell, not
        // a wrong encoding.
        assert!(!garbled(&format!("{}\u{1}", "a".repeat(500))));
    }

    #[test]
    fn finds_the_separator() {
        assert_eq!(delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(delimiter("a;b;\"c,d\"\n"), b';');
        assert_eq!(delimiter("a\tb\tc"), b'\t');
        assert_eq!(delimiter("single"), b',');
    }
}
