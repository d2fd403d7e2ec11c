//! RIFF, the container WebP and WAV share: a 12-byte header (form,
//! size, type) and then chunks, each an id, a little-endian size, the
//! body and a pad byte after an odd body. Each format decides what a
//! damaged walk means for it (WebP refuses a missing pad byte; WAV
//! writers often leave the last one off).

use super::bytes::le32;

/// A RIFF file's header: its form (`RIFF`, or `RF64`/`BW64`/`RIFX` for
/// the variants), the size it gives for what follows, and its type
/// (`WEBP`, `WAVE`).
pub(super) struct Header {
    pub form: [u8; 4],
    pub size: u32,
    pub kind: [u8; 4],
}

/// The header, when the input is long enough to have one.
pub(super) fn header(input: &[u8]) -> Option<Header> {
    Some(Header {
        form: input.get(0..4)?.try_into().ok()?,
        size: le32(input, 4)?,
        kind: input.get(8..12)?.try_into().ok()?,
    })
}

/// One chunk.
pub(super) struct Chunk<'a> {
    pub id: [u8; 4],
    pub body: &'a [u8],
    /// The bytes it takes up: header, body and the pad byte if there.
    pub whole: usize,
    /// Whether an odd body's pad byte is there (always, for an even one).
    pub padded: bool,
}

impl Chunk<'_> {
    /// The chunk's id for a message: its letters, or "unnamed".
    pub fn name(&self) -> String {
        name(&self.id)
    }
}

/// A chunk id for a message: its letters, or "unnamed".
pub(super) fn name(id: &[u8; 4]) -> String {
    if id.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        String::from_utf8_lossy(id).trim_end().to_string()
    } else {
        "unnamed".to_string()
    }
}

/// Where a walk stopped early.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Damage {
    /// `len` bytes at the end, too few for a chunk header.
    Stray { len: usize },
    /// A chunk whose body (of the size it gives) runs past the end.
    Cut { id: [u8; 4], size: u32 },
}

/// The chunks of `body` (what follows a RIFF header, or a LIST's type),
/// in order; after a [`Damage`], nothing more.
pub(super) fn chunks(body: &[u8]) -> Chunks<'_> {
    Chunks { body, pos: 0 }
}

pub(super) struct Chunks<'a> {
    body: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, Damage>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.body.get(self.pos..).filter(|r| !r.is_empty())?;
        let (Some(id), Some(size)) = (rest.get(..4), le32(rest, 4)) else {
            self.pos = self.body.len();
            return Some(Err(Damage::Stray { len: rest.len() }));
        };
        let id: [u8; 4] = id.try_into().ok()?;
        let Some(body) = usize::try_from(size)
            .ok()
            .and_then(|n| rest.get(8..n.checked_add(8)?))
        else {
            self.pos = self.body.len();
            return Some(Err(Damage::Cut { id, size }));
        };
        let padded = body.len() % 2 == 0 || rest.len() > 8 + body.len();
        let whole = 8 + body.len() + usize::from(body.len() % 2 == 1 && padded);
        self.pos += whole;
        Some(Ok(Chunk {
            id,
            body,
            whole,
            padded,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_chunks_with_their_pad_bytes() {
        let body = b"abcd\x03\0\0\0xyz\0efgh\x01\0\0\0q";
        let got: Vec<_> = chunks(body).collect();
        assert_eq!(got.len(), 2);
        let first = got[0].as_ref().ok().unwrap();
        assert_eq!(
            (&first.id, first.body, first.whole, first.padded),
            (b"abcd", &b"xyz"[..], 12, true)
        );
        let last = got[1].as_ref().ok().unwrap();
        assert_eq!((last.body, last.whole, last.padded), (&b"q"[..], 9, false));
    }

    #[test]
    fn a_cut_chunk_or_stray_bytes_end_the_walk() {
        let cut: Vec<_> = chunks(b"abcd\x09\0\0\0xyz").collect();
        assert_eq!(cut.len(), 1);
        assert!(matches!(cut[0], Err(Damage::Cut { size: 9, .. })));
        let stray: Vec<_> = chunks(b"abcd\x00\0\0\0xyz").collect();
        assert!(matches!(stray[1], Err(Damage::Stray { len: 3 })));
        assert_eq!(chunks(b"ab\xff\xff\xff\xff\xff\xff\xff").count(), 1);
    }
}
