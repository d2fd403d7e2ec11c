//! Damaged images rebuilt from their pixels.
//!
//! A JPEG, PNG or GIF that its format's walk refuses as damaged (a chunk
//! whose checksum does not match, bytes between segments, a missing
//! trailer) but whose pixels all decode is published as a copy encoded
//! afresh from those pixels, in the same format: the EXIF orientation is
//! applied to the pixels when it can be read, and nothing else of the file
//! is carried over (no metadata, no colour profile, no text). The copy is
//! then walked like any other file.
//!
//! "All its pixels decode" is decided per format:
//!
//! - JPEG: jpeg-decoder decodes it to its end-of-image marker, every
//!   component has all its coefficients at full precision (no progressive
//!   scan is missing), and no scan's data runs out before its last block.
//!   The decoder reads zero bits where a scan's data stops early, so the
//!   file is decoded again with other bytes put where each scan's data
//!   ends: a complete scan never reads them, so its pixels stay the same.
//! - PNG: every row decodes, and the image data's own zlib checksum is
//!   right; only the chunks' checksums are ignored. Animated PNGs are not
//!   rebuilt.
//! - GIF: every frame decodes whole. A file that ends where the next block
//!   would start lacks only its trailer, which is added before decoding;
//!   a file that ends inside a block is refused.
//!
//! The size is checked against `max_pixels` from the header before any
//! pixel is decoded, and an animation against the limits faces are looked
//! for within.

use super::faces::{MAX_FRAME_PIXELS, MAX_FRAMES};
use super::metadata::{exif_facts, xmp_facts};
use super::resize::{MAX_DECODED, cmyk_to_rgb, too_big_to_decode};
use super::{Kind, Pieces, Refusal, Removed, Settings, Stripped, gif, jpeg, png};

/// The start of the report's entry for a rebuilt image; the damage
/// follows, then [`WHAT_END`]. [`rebuilt_because`] reads it back.
const WHAT: &str = "damaged image data (rebuilt from its pixels: ";
const WHAT_END: &str = ")";

/// The quality rebuilt JPEGs are encoded at.
const JPEG_QUALITY: u8 = 90;

/// The damage an image was rebuilt for (the walk's words, such as "the
/// IDAT chunk fails its checksum"), when it was rebuilt from its pixels.
pub fn rebuilt_because(removed: &[Removed]) -> Option<&str> {
    removed
        .iter()
        .find_map(|r| r.what.strip_prefix(WHAT)?.strip_suffix(WHAT_END))
}

/// A JPEG, PNG or GIF (`kind`) stripped by its format's walk or, when the
/// walk finds it damaged, rebuilt from its pixels and then stripped.
pub(super) fn strip_jpeg<'a>(
    input: &'a [u8],
    settings: &Settings,
) -> Result<Stripped<'a>, Refusal> {
    strip_or_rebuild(input, Kind::Jpeg, jpeg::strip, settings)
}

pub(super) fn strip_png<'a>(input: &'a [u8], settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    strip_or_rebuild(input, Kind::Png, png::strip, settings)
}

pub(super) fn strip_gif<'a>(input: &'a [u8], settings: &Settings) -> Result<Stripped<'a>, Refusal> {
    strip_or_rebuild(input, Kind::Gif, gif::strip, settings)
}

fn strip_or_rebuild<'a>(
    input: &'a [u8],
    kind: Kind,
    strip: for<'b> fn(&'b [u8], &Settings) -> Result<Stripped<'b>, Refusal>,
    settings: &Settings,
) -> Result<Stripped<'a>, Refusal> {
    match strip(input, settings) {
        Err(why @ Refusal::Corrupt { .. }) => {
            let (bytes, rebuilt) = rebuild(input, kind, settings, &why)?;
            // The copy is walked like any file: what is published is what
            // the walk kept (all of it: nothing but pixels was written).
            let walked = strip(&bytes, settings).map_err(|_| why)?;
            let mut removed = walked.removed;
            removed.push(rebuilt);
            Ok(Stripped {
                width: walked.width,
                height: walked.height,
                orientation: walked.orientation,
                removed,
                body: Pieces::owned(input, walked.body.into_vec()),
            })
        }
        other => other,
    }
}

/// The damaged `input` (refused by its walk for `why`) encoded afresh
/// from its pixels, and the report's entry saying so; or the refusal,
/// when its pixels do not all decode.
pub(super) fn rebuild(
    input: &[u8],
    kind: Kind,
    settings: &Settings,
    why: &Refusal,
) -> Result<(Vec<u8>, Removed), Refusal> {
    let (format, damage) = match why {
        Refusal::Corrupt { format, detail } => (*format, detail.as_str()),
        _ => (kind.short_name(), "it is damaged"),
    };
    // The decoders are large parsers of hostile input: should one ever
    // panic, the file is refused rather than the build lost.
    let attempt = std::panic::catch_unwind(|| match kind {
        Kind::Jpeg => rebuild_jpeg(input, settings),
        Kind::Png => rebuild_png(input, settings),
        Kind::Gif => rebuild_gif(input, settings),
        _ => Err(Failed::Incomplete("it is not a JPEG, PNG or GIF".into())),
    })
    .unwrap_or_else(|_| Err(Failed::Incomplete("its pixels could not be decoded".into())));
    match attempt {
        Ok(Rebuilt { bytes, found }) => Ok((
            bytes,
            Removed {
                what: format!("{WHAT}{damage}{WHAT_END}"),
                bytes: 0,
                found,
            },
        )),
        Err(Failed::Refused(refusal)) => Err(refusal),
        Err(Failed::Incomplete(reason)) => Err(Refusal::Corrupt {
            format,
            detail: format!("{damage}, and it cannot be rebuilt from its pixels: {reason}"),
        }),
    }
}

/// A rebuilt image: its bytes, and what its metadata was found to hold.
struct Rebuilt {
    bytes: Vec<u8>,
    found: Vec<String>,
}

/// Why an image was not rebuilt.
#[derive(Debug)]
enum Failed {
    /// A refusal of its own (too large, too long an animation).
    Refused(Refusal),
    /// Its pixels do not all decode, in words for the authoriser.
    Incomplete(String),
}

fn incomplete(reason: impl std::fmt::Display) -> Failed {
    Failed::Incomplete(reason.to_string())
}

/// Refuses an image of more than `max_pixels`, before it is decoded.
fn check_pixels(width: u32, height: u32, settings: &Settings) -> Result<(), Failed> {
    if u64::from(width) * u64::from(height) > settings.max_pixels {
        return Err(Failed::Refused(Refusal::TooLarge {
            width,
            height,
            limit: settings.max_pixels,
        }));
    }
    Ok(())
}

/// Refuses a rebuild that would take more than [`MAX_DECODED`] bytes
/// (`cost`, worked out from the header) while it is decoded, turned and
/// encoded again, before any pixel is decoded.
fn check_cost(kind: Kind, cost: u64) -> Result<(), Failed> {
    if cost > MAX_DECODED {
        return Err(Failed::Refused(too_big_to_decode(kind.short_name())));
    }
    Ok(())
}

/// The bytes the decoders may allocate for one image of `max_pixels`.
fn alloc_limit(settings: &Settings) -> u64 {
    settings.max_pixels.saturating_mul(8)
}

// ---------------------------------------------------------------------
// JPEG

fn rebuild_jpeg(input: &[u8], settings: &Settings) -> Result<Rebuilt, Failed> {
    let mut decoder = jpeg_decoder::Decoder::new(input);
    decoder
        .read_info()
        .map_err(|e| incomplete(format!("its header cannot be read ({e})")))?;
    let info = decoder
        .info()
        .ok_or_else(|| incomplete("it has no frame header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_pixels(width, height, settings)?;
    let layout = JpegLayout::read(input);
    layout.check_complete()?;
    check_cost(Kind::Jpeg, layout.decode_cost(width, height))?;
    let limit = usize::try_from(alloc_limit(settings)).unwrap_or(usize::MAX);
    // Decoded first with other bytes where each scan's data ends: a scan
    // that ran out early reads them instead of the zeros the decoder
    // makes up, and its pixels change. Only a digest of each is kept, so
    // one decoded copy is held at a time.
    let mut digests = Vec::new();
    for filler in [FILLER_A, FILLER_B] {
        let filled = layout.filled(input, filler);
        let mut again = jpeg_decoder::Decoder::new(&filled[..]);
        again.set_max_decoding_buffer_size(limit);
        digests.push(again.decode().ok().map(|d| blake3::hash(&d)));
    }
    decoder.set_max_decoding_buffer_size(limit);
    let data = decoder
        .decode()
        .map_err(|e| incomplete(format!("its pixels do not all decode ({e})")))?;
    let info = decoder
        .info()
        .ok_or_else(|| incomplete("it has no frame header"))?;
    let digest = blake3::hash(&data);
    if digests.iter().any(|d| *d != Some(digest)) {
        return Err(incomplete(
            "its image data stops before the last of its pixels",
        ));
    }

    let mut found = Vec::new();
    let orientation = match decoder.exif_data() {
        Some(tiff) => {
            // From the TIFF header on, as jpeg-decoder gives it.
            let facts = exif_facts(tiff);
            found.extend(facts.found);
            facts.orientation
        }
        None => 1,
    };
    if let Some(xmp) = decoder.xmp_data() {
        found.extend(xmp_facts(xmp));
    }
    let (channels, data) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (1, data),
        jpeg_decoder::PixelFormat::L16 => (1, data.chunks_exact(2).map(|p| p[0]).collect()),
        jpeg_decoder::PixelFormat::RGB24 => (3, data),
        jpeg_decoder::PixelFormat::CMYK32 => (3, cmyk_to_rgb(&data)),
    };
    if data.len() != width as usize * height as usize * channels {
        return Err(incomplete("it has fewer pixels than its header says"));
    }
    let (data, width, height) = super::resize::turn(&data, width, height, channels, orientation);
    let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(incomplete("it is too large for a JPEG"));
    };
    let mut bytes = Vec::new();
    // Baseline with the standard tables: encoded a row of blocks at a
    // time, where progressive or optimised tables hold every block.
    let encoder = jpeg_encoder::Encoder::new(&mut bytes, JPEG_QUALITY);
    let color = if channels == 1 {
        jpeg_encoder::ColorType::Luma
    } else {
        jpeg_encoder::ColorType::Rgb
    };
    encoder
        .encode(&data, w, h, color)
        .map_err(|e| incomplete(format!("its pixels could not be encoded again ({e})")))?;
    Ok(Rebuilt { bytes, found })
}

/// Bytes put where each scan's data ends, to see whether the decoder
/// reads past it: none is 0xFF (which would start a marker).
const FILLER_A: &[u8] = b"\x5a\xc3\x96\x3c\xa5\x69\x0f\xd2\x87\x1e\xb4\x4b\xe1\x78\x2d\x96";
const FILLER_B: &[u8] = b"\xa5\x3c\x69\xc3\x5a\x96\xf0\x2d\x78\xe1\x4b\xb4\x1e\x87\xd2\x69";

/// What a JPEG's frame header and scan headers say, read the way
/// jpeg-decoder reads markers (bytes before a marker are skipped).
#[derive(Debug, Default)]
struct JpegLayout {
    /// The frame's component ids.
    components: Vec<u8>,
    progressive: bool,
    scans: Vec<Scan>,
}

#[derive(Debug)]
struct Scan {
    components: Vec<u8>,
    /// First and last coefficient, and the successive approximation's
    /// low bit (0: these coefficients are now at full precision).
    start: u8,
    end: u8,
    low: u8,
    /// Where the scan's data ends: the marker after it (or its fill bytes).
    data_end: usize,
}

impl JpegLayout {
    fn read(input: &[u8]) -> JpegLayout {
        let mut layout = JpegLayout::default();
        let mut pos = 2;
        while let Some(at) = input.get(pos..).and_then(|rest| memchr::memchr(0xFF, rest)) {
            pos += at;
            while input.get(pos) == Some(&0xFF) {
                pos += 1;
            }
            let Some(&marker) = input.get(pos) else { break };
            pos += 1;
            match marker {
                0xD9 => break,
                0x00 | 0x01 | 0xD0..=0xD8 => continue,
                _ => {}
            }
            let Some(len) = input.get(pos..pos + 2) else {
                break;
            };
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            let Some(segment) = input.get(pos + 2..pos + len.max(2)) else {
                break;
            };
            pos += len.max(2);
            match marker {
                0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF
                    if layout.components.is_empty() =>
                {
                    layout.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                    let count = usize::from(segment.get(5).copied().unwrap_or(0));
                    layout.components = (0..count)
                        .filter_map(|i| segment.get(6 + 3 * i).copied())
                        .collect();
                }
                0xDA => {
                    let count = usize::from(segment.first().copied().unwrap_or(0));
                    let ids = (0..count)
                        .filter_map(|i| segment.get(1 + 2 * i).copied())
                        .collect();
                    let tail = segment.get(1 + 2 * count..).unwrap_or_default();
                    let data_end = scan_end(input, pos);
                    if let [start, end, approximation, ..] = *tail {
                        layout.scans.push(Scan {
                            components: ids,
                            start,
                            end,
                            low: approximation & 0x0F,
                            data_end,
                        });
                    }
                    pos = data_end;
                }
                _ => {}
            }
        }
        layout
    }

    /// The most bytes decoding and rebuilding a `width` × `height` picture
    /// takes: jpeg-decoder holds every component's samples (and, for a
    /// progressive JPEG, two bytes of coefficients for each) alongside
    /// the colour pixels it makes from them, and turning the picture
    /// upright copies those once more.
    fn decode_cost(&self, width: u32, height: u32) -> u64 {
        let pixels = u64::from(width) * u64::from(height);
        let components = self.components.len().max(1) as u64;
        // jpeg-decoder gives grey, RGB or (for four components) CMYK.
        let decoded = match components {
            1 => 1,
            4 => 4,
            _ => 3,
        };
        let per_sample = if self.progressive { 3 } else { 1 };
        let decode = pixels * (components * per_sample + decoded);
        // CMYK is copied to RGB; the picture is copied to turn it.
        let to_rgb = if decoded == 4 { pixels * (4 + 3) } else { 0 };
        let turn = pixels * decoded.min(3) * 2;
        decode.max(to_rgb).max(turn)
    }

    /// Whether every component has all its coefficients at full
    /// precision: in a progressive JPEG, scans can be missing while the
    /// decoder still shows a blurred picture.
    fn check_complete(&self) -> Result<(), Failed> {
        if self.components.is_empty() || self.scans.is_empty() {
            // The decoder read what this walk could not: not trusted.
            return Err(incomplete("its frame and scan headers cannot be read"));
        }
        for id in &self.components {
            let scans = self.scans.iter().filter(|s| s.components.contains(id));
            let complete = if self.progressive {
                let mut have = 0u64;
                for s in scans.filter(|s| s.low == 0) {
                    for k in s.start..=s.end.min(63) {
                        have |= 1 << k;
                    }
                }
                have == u64::MAX
            } else {
                scans.count() > 0
            };
            if !complete {
                return Err(incomplete("part of its image data is missing"));
            }
        }
        Ok(())
    }

    /// `input` with `filler` put where each scan's data ends.
    fn filled(&self, input: &[u8], filler: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() + filler.len() * self.scans.len());
        let mut from = 0;
        for scan in &self.scans {
            let at = scan.data_end.clamp(from, input.len());
            out.extend_from_slice(&input[from..at]);
            out.extend_from_slice(filler);
            from = at;
        }
        out.extend_from_slice(&input[from..]);
        out
    }
}

/// Where the entropy-coded data that starts at `pos` ends: at the first
/// marker that is not a restart marker (at its first fill byte), or at
/// the end of the file.
fn scan_end(input: &[u8], mut pos: usize) -> usize {
    loop {
        let Some(at) = input.get(pos..).and_then(|rest| memchr::memchr(0xFF, rest)) else {
            return input.len();
        };
        let marker = pos + at;
        let mut next = marker + 1;
        while input.get(next) == Some(&0xFF) {
            next += 1;
        }
        match input.get(next) {
            None => return input.len(),
            Some(0x00 | 0xD0..=0xD7) => pos = next + 1,
            Some(_) => return marker,
        }
    }
}

// ---------------------------------------------------------------------
// PNG

fn rebuild_png(input: &[u8], settings: &Settings) -> Result<Rebuilt, Failed> {
    let failed =
        |e: ::png::DecodingError| incomplete(format!("its pixels do not all decode ({e})"));
    let mut options = ::png::DecodeOptions::default();
    // A chunk's checksum may be wrong; the image data's own (zlib's
    // Adler-32) must be right.
    options.set_ignore_crc(true);
    options.set_ignore_adler32(false);
    options.set_ignore_text_chunk(true);
    options.set_ignore_iccp_chunk(true);
    let mut decoder = ::png::Decoder::new_with_options(std::io::Cursor::new(input), options);
    let limit = usize::try_from(alloc_limit(settings)).unwrap_or(usize::MAX);
    decoder.set_limits(::png::Limits { bytes: limit });
    decoder.set_transformations(::png::Transformations::EXPAND);
    let (width, height) = {
        let header = decoder.read_header_info().map_err(failed)?;
        (header.width, header.height)
    };
    check_pixels(width, height, settings)?;
    let mut reader = decoder.read_info().map_err(failed)?;
    if reader.info().animation_control.is_some() {
        return Err(incomplete(
            "it is an animated PNG, and only still pictures are rebuilt",
        ));
    }
    let mut found = Vec::new();
    let orientation = match &reader.info().exif_metadata {
        Some(tiff) => {
            let facts = exif_facts(tiff);
            found.extend(facts.found);
            facts.orientation
        }
        None => 1,
    };
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| incomplete("it is too large to decode"))?;
    // The decoded pixels, their upright copy and the encoded copy.
    check_cost(Kind::Png, (size as u64).saturating_mul(3))?;
    let mut data = vec![0; size];
    let frame = reader.next_frame(&mut data).map_err(failed)?;
    data.truncate(frame.buffer_size());
    if (frame.width, frame.height) != (width, height) {
        return Err(incomplete("its picture is not the size its header says"));
    }
    let bytes_per_pixel = frame.color_type.samples() * (frame.bit_depth as usize).div_ceil(8);
    if frame.line_size != width as usize * bytes_per_pixel {
        return Err(incomplete(
            "its pixels are packed in a way it cannot be rebuilt from",
        ));
    }
    let (data, width, height) =
        super::resize::turn(&data, width, height, bytes_per_pixel, orientation);
    let mut bytes = Vec::new();
    let encoded = (|| {
        let mut encoder = ::png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(frame.color_type);
        encoder.set_depth(frame.bit_depth);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&data)?;
        writer.finish()
    })();
    encoded.map_err(|e| incomplete(format!("its pixels could not be encoded again ({e})")))?;
    Ok(Rebuilt { bytes, found })
}

// ---------------------------------------------------------------------
// GIF

fn rebuild_gif(input: &[u8], settings: &Settings) -> Result<Rebuilt, Failed> {
    use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
    use image::{AnimationDecoder as _, ImageDecoder as _};
    let failed = |e: image::ImageError| incomplete(format!("its frames do not all decode ({e})"));
    let layout = GifLayout::read(input);
    let input: std::borrow::Cow<[u8]> = match layout.end {
        GifEnd::Trailer | GifEnd::Other => input.into(),
        GifEnd::BetweenBlocks => [input, &[0x3B]].concat().into(),
        GifEnd::InsideBlock => {
            return Err(incomplete(
                "the file ends in the middle of its data, so part of a picture is missing",
            ));
        }
    };
    let mut decoder = GifDecoder::new(std::io::Cursor::new(&input[..])).map_err(failed)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, settings)?;
    // A frame's colour pixels are held three times: by the decoder, as
    // the frame, and by the encoder while it makes the frame's palette.
    check_cost(Kind::Gif, u64::from(width) * u64::from(height) * 4 * 3)?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(alloc_limit(settings));
    decoder.set_limits(limits).map_err(failed)?;

    let too_long = || {
        Failed::Refused(Refusal::TooManyFrames {
            frames: MAX_FRAMES,
            megapixels: MAX_FRAME_PIXELS / 1_000_000,
        })
    };
    let per_frame = u64::from(width) * u64::from(height);
    let mut bytes = Vec::new();
    let mut frames = 0usize;
    {
        // A speed of 10: quick, and exact when a frame has at most 256
        // colours, as a GIF's frame mostly has.
        let mut encoder = GifEncoder::new_with_speed(&mut bytes, 10);
        match layout.loops {
            Some(0) => encoder.set_repeat(Repeat::Infinite),
            Some(n) => encoder.set_repeat(Repeat::Finite(n)),
            None => Ok(()),
        }
        .map_err(|e| incomplete(format!("it could not be encoded again ({e})")))?;
        for frame in decoder.into_frames() {
            if frames >= MAX_FRAMES
                || per_frame.saturating_mul(frames as u64 + 1) > MAX_FRAME_PIXELS
            {
                return Err(too_long());
            }
            let mut frame = frame.map_err(failed)?;
            // Wholly transparent pixels are all one colour, so a frame of
            // 256 colours and transparency keeps its exact palette.
            for pixel in frame.buffer_mut().pixels_mut() {
                if pixel.0[3] == 0 {
                    pixel.0 = [0; 4];
                }
            }
            encoder
                .encode_frame(frame)
                .map_err(|e| incomplete(format!("it could not be encoded again ({e})")))?;
            frames += 1;
        }
    }
    if frames == 0 {
        return Err(incomplete("it has no picture"));
    }
    Ok(Rebuilt {
        bytes,
        found: Vec::new(),
    })
}

/// How a GIF's blocks end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GifEnd {
    /// At its trailer.
    Trailer,
    /// Where the next block would start: only the trailer is missing.
    BetweenBlocks,
    /// Inside a block: part of it is missing.
    InsideBlock,
    /// At something that is not a block, left to the decoder.
    Other,
}

/// What a lenient walk over a GIF's blocks finds.
#[derive(Debug)]
struct GifLayout {
    end: GifEnd,
    /// The loop count of its looping block, when it has one (0: for ever).
    loops: Option<u16>,
}

impl GifLayout {
    fn read(input: &[u8]) -> GifLayout {
        let mut loops = None;
        let end = (|| {
            let screen = input.get(6..13)?;
            let mut pos = 13 + colour_table_len(screen[4]);
            loop {
                let Some(&block) = input.get(pos) else {
                    return (pos == input.len()).then_some(GifEnd::BetweenBlocks);
                };
                match block {
                    0x2C => {
                        let flags = *input.get(pos + 9)?;
                        // The descriptor, its colour table, the LZW code size.
                        pos = sub_blocks(input, pos + 10 + colour_table_len(flags) + 1)?.1;
                    }
                    0x21 => {
                        let label = *input.get(pos + 1)?;
                        let (parts, end) = sub_blocks(input, pos + 2)?;
                        if label == 0xFF
                            && matches!(parts.first(), Some(&(b"NETSCAPE2.0" | b"ANIMEXTS1.0")))
                            && let Some(count) =
                                parts.iter().skip(1).find(|p| p.len() == 3 && p[0] == 1)
                        {
                            loops = Some(u16::from_le_bytes([count[1], count[2]]));
                        }
                        pos = end;
                    }
                    0x3B => return Some(GifEnd::Trailer),
                    _ => return Some(GifEnd::Other),
                }
            }
        })()
        .unwrap_or(GifEnd::InsideBlock);
        GifLayout { end, loops }
    }
}

/// The size of a colour table announced by a flags byte.
fn colour_table_len(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        3 << ((flags & 0x07) + 1)
    }
}

/// The payloads of the sub-blocks starting at `pos`, and where they end
/// (past the terminator); `None` when the file ends first.
fn sub_blocks(input: &[u8], mut pos: usize) -> Option<(Vec<&[u8]>, usize)> {
    let mut parts = Vec::new();
    loop {
        let len = usize::from(*input.get(pos)?);
        pos += 1;
        if len == 0 {
            return Some((parts, pos));
        }
        parts.push(input.get(pos..pos + len)?);
        pos += len;
    }
}

// ---------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::super::sanitise;
    use super::*;

    fn photo(width: u32, height: u32) -> image::RgbImage {
        image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
        })
    }

    fn png_of(img: &image::RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("png");
        out
    }

    fn jpeg_of(img: &image::RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
        encoder.set_progressive(true);
        encoder
            .encode(
                img.as_raw(),
                img.width() as u16,
                img.height() as u16,
                jpeg_encoder::ColorType::Rgb,
            )
            .expect("jpeg");
        out
    }

    fn gif_of(frames: &[image::RgbaImage]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = image::codecs::gif::GifEncoder::new(&mut out);
            e.set_repeat(image::codecs::gif::Repeat::Infinite)
                .expect("repeat");
            for f in frames {
                e.encode_frame(image::Frame::new(f.clone())).expect("frame");
            }
        }
        out
    }

    /// Where the chunk of type `kind` starts (its length field).
    fn chunk_at(png: &[u8], kind: &[u8; 4]) -> usize {
        png.windows(4).position(|w| w == kind).expect("chunk") - 4
    }

    fn chunk_len(png: &[u8], at: usize) -> usize {
        u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize
    }

    /// The PNG with the checksum of its chunk `kind` spoilt.
    fn bad_crc(mut png: Vec<u8>, kind: &[u8; 4]) -> Vec<u8> {
        let at = chunk_at(&png, kind);
        let crc = at + 8 + chunk_len(&png, at);
        png[crc] ^= 0x55;
        png
    }

    fn with_text(png: &[u8], text: &[u8]) -> Vec<u8> {
        let idat = chunk_at(png, b"IDAT");
        let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(text);
        chunk.extend_from_slice(&crc32fast::hash(&chunk[4..]).to_be_bytes());
        [&png[..idat], &chunk, &png[idat..]].concat()
    }

    /// The JPEG with bytes that are no segment put before its first
    /// quantisation table (after SOI they would make it no JPEG at all).
    fn junk(mut jpeg: Vec<u8>) -> Vec<u8> {
        let dqt = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xDB])
            .expect("DQT");
        jpeg.splice(dqt..dqt, *b"\0\0junk\0");
        jpeg
    }

    fn settings() -> Settings {
        Settings::default()
    }

    /// Sanitised, rebuilt, and the same bytes with nothing removed when
    /// sanitised again.
    fn rebuilt(input: &[u8]) -> super::super::CleanFile {
        let clean = sanitise(input, &settings()).expect("rebuilt");
        assert!(
            rebuilt_because(clean.removed()).is_some(),
            "{:?}",
            clean.removed()
        );
        let again = sanitise(clean.bytes(), &settings()).expect("accepted again");
        assert_eq!(again.bytes(), clean.bytes(), "a second pass changed it");
        assert!(again.removed().is_empty(), "{:?}", again.removed());
        clean
    }

    fn refused(input: &[u8]) -> String {
        let err = sanitise(input, &settings()).expect_err("refused");
        assert!(matches!(err, Refusal::Corrupt { .. }), "{err}");
        err.to_string()
    }

    #[test]
    fn png_with_bad_checksums_is_rebuilt_with_the_same_pixels() {
        let img = photo(40, 30);
        let png = with_text(&png_of(&img), b"Author\0A parent's phone");
        for damaged in [bad_crc(png.clone(), b"tEXt"), bad_crc(png, b"IDAT")] {
            let clean = rebuilt(&damaged);
            assert_eq!(clean.kind(), Kind::Png);
            let text = String::from_utf8_lossy(clean.bytes()).into_owned();
            assert!(!text.contains("tEXt") && !text.contains("parent"), "{text}");
            let pixels = image::load_from_memory(clean.bytes()).expect("decodes");
            assert_eq!(pixels.to_rgb8(), img);
            assert!(
                rebuilt_because(clean.removed()).is_some_and(|d| d.contains("fails its checksum"))
            );
        }
    }

    #[test]
    fn png_whose_pixel_data_is_spoilt_or_cut_is_refused() {
        let png = png_of(&photo(40, 30));
        let idat = chunk_at(&png, b"IDAT");
        // A byte of the compressed pixels changed: zlib's checksum fails.
        let mut spoilt = png.clone();
        spoilt[idat + 8 + chunk_len(&png, idat) / 2] ^= 0x10;
        let message = refused(&spoilt);
        assert!(message.contains("cannot be rebuilt"), "{message}");
        // Cut inside the image data, with and without an IEND after it.
        let cut = &png[..idat + 8 + chunk_len(&png, idat) / 2];
        assert!(refused(cut).contains("truncated"));
        let mut closed = cut.to_vec();
        closed.extend_from_slice(&png[png.len() - 12..]);
        refused(&closed);
    }

    #[test]
    fn a_bomb_is_refused_from_its_header_without_decoding() {
        let mut png = bad_crc(png_of(&photo(8, 8)), b"IHDR");
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let err = sanitise(&png, &settings()).expect_err("refused");
        assert!(matches!(err, Refusal::TooLarge { .. }), "{err}");

        let mut jpeg = jpeg_of(&photo(16, 16));
        let sof = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xC2])
            .expect("SOF");
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        let err = sanitise(&junk(jpeg), &settings()).expect_err("refused");
        assert!(matches!(err, Refusal::TooLarge { .. }), "{err}");
    }

    #[test]
    fn jpeg_with_bytes_between_segments_is_rebuilt() {
        let clean = rebuilt(&junk(jpeg_of(&photo(48, 32))));
        assert_eq!(clean.kind(), Kind::Jpeg);
        assert_eq!(clean.dimensions(), (48, 32));
    }

    #[test]
    fn jpeg_whose_scan_stops_early_is_refused_even_with_an_end_marker() {
        // Baseline, so one scan holds every row; with and without restart
        // markers every 4 blocks.
        let img = photo(64, 64);
        for restart in [None, Some(4)] {
            let mut jpeg = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 85);
            if let Some(interval) = restart {
                encoder.set_restart_interval(interval);
            }
            encoder
                .encode(img.as_raw(), 64, 64, jpeg_encoder::ColorType::Rgb)
                .expect("jpeg");
            if restart.is_none() {
                // The decoder shows grey for missing rows without a word.
                let mut closed = jpeg[..jpeg.len() * 3 / 4].to_vec();
                closed.extend_from_slice(&[0xFF, 0xD9]);
                assert!(jpeg_decoder::Decoder::new(&closed[..]).decode().is_ok());
            }
            for cut in [jpeg.len() / 3, jpeg.len() * 3 / 4, jpeg.len() - 8] {
                let cut = &jpeg[..cut];
                assert!(refused(cut).contains("truncated"));
                let mut closed = cut.to_vec();
                closed.extend_from_slice(&[0xFF, 0xD9]);
                let message = refused(&junk(closed));
                assert!(message.contains("cannot be rebuilt"), "{message}");
            }
            // Near miss: the whole scan, junk before it, is rebuilt.
            rebuilt(&junk(jpeg));
        }
    }

    #[test]
    fn progressive_jpeg_missing_its_last_scans_is_refused() {
        let jpeg = jpeg_of(&photo(64, 64));
        let scans: Vec<usize> = jpeg
            .windows(2)
            .enumerate()
            .filter(|(_, w)| *w == [0xFF, 0xDA])
            .map(|(i, _)| i)
            .collect();
        assert!(scans.len() > 3, "{scans:?}");
        let mut short = jpeg[..scans[2]].to_vec();
        short.extend_from_slice(&[0xFF, 0xD9]);
        let message = refused(&junk(short));
        assert!(message.contains("missing"), "{message}");
    }

    #[test]
    fn gif_without_its_trailer_is_rebuilt_frame_for_frame() {
        let frames: Vec<image::RgbaImage> = (0..3u8)
            .map(|i| {
                image::RgbaImage::from_fn(12, 8, |x, y| {
                    image::Rgba([i * 80, (x * 20) as u8, (y * 30) as u8, 255])
                })
            })
            .collect();
        let gif = gif_of(&frames);
        assert_eq!(gif.last(), Some(&0x3B));
        let clean = rebuilt(&gif[..gif.len() - 1]);
        assert_eq!(clean.kind(), Kind::Gif);
        use image::AnimationDecoder as _;
        let decoded: Vec<image::RgbaImage> =
            image::codecs::gif::GifDecoder::new(std::io::Cursor::new(clean.bytes()))
                .expect("gif")
                .into_frames()
                .map(|f| f.expect("frame").into_buffer())
                .collect();
        assert_eq!(decoded, frames);
        // Its last frame cut: refused, at every cut inside its data.
        let last = gif
            .windows(1)
            .rposition(|w| w[0] == 0x2C)
            .expect("last frame");
        for cut in last + 1..gif.len() - 2 {
            let message = refused(&gif[..cut]);
            assert!(message.contains("cannot be rebuilt"), "{cut}: {message}");
        }
    }

    #[test]
    fn jpeg_orientation_is_applied_and_nothing_else_kept() {
        let img = photo(40, 20);
        let mut jpeg = jpeg_of(&img);
        let mut app1 = vec![0xFF, 0xE1];
        let payload = [&b"Exif\0\0"[..], &super::super::metadata::minimal_exif(6)].concat();
        app1.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        app1.extend_from_slice(&payload);
        jpeg.splice(2..2, app1);
        let clean = rebuilt(&junk(jpeg));
        assert_eq!(clean.dimensions(), (20, 40));
        assert_eq!(clean.orientation(), 1);
        assert!(!clean.bytes().windows(4).any(|w| w == b"Exif"));
    }

    #[test]
    fn every_cut_of_a_damaged_file_is_rebuilt_or_refused_never_a_panic() {
        let png = bad_crc(png_of(&photo(9, 7)), b"IDAT");
        let jpeg = junk(jpeg_of(&photo(9, 7)));
        let gif = gif_of(&[image::RgbaImage::from_pixel(
            5,
            3,
            image::Rgba([1, 2, 3, 255]),
        )]);
        for input in [png, jpeg, gif] {
            for cut in 0..input.len() {
                if let Ok(clean) = sanitise(&input[..cut], &settings()) {
                    let again = sanitise(clean.bytes(), &settings()).expect("again");
                    assert_eq!(again.bytes(), clean.bytes());
                }
            }
        }
    }

    /// The fuzz target's property (`fuzz/fuzz_targets/sanitise.rs`) over
    /// damaged files: whatever is accepted is its own format, sanitises
    /// again to the same bytes with nothing removed, and holds no EXIF.
    #[test]
    fn changed_bytes_give_stable_copies_or_refusals_never_a_panic() {
        let mut oriented = jpeg_of(&photo(12, 9));
        let payload = [&b"Exif\0\0"[..], &super::super::metadata::minimal_exif(6)].concat();
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        app1.extend_from_slice(&payload);
        oriented.splice(2..2, app1);
        let frames = [
            image::RgbaImage::from_pixel(6, 4, image::Rgba([9, 8, 7, 255])),
            image::RgbaImage::from_fn(6, 4, |x, _| image::Rgba([0, 0, 0, (x % 2 * 255) as u8])),
        ];
        let inputs = [
            with_text(&png_of(&photo(10, 8)), b"Comment\0hello"),
            junk(oriented),
            gif_of(&frames),
        ];
        let settings = Settings {
            max_pixels: 1 << 24,
            ..Settings::default()
        };
        for input in inputs {
            for i in 0..input.len() {
                for flip in [0x01, 0x80, 0xFF] {
                    let mut v = input.clone();
                    v[i] ^= flip;
                    let Ok(clean) = sanitise(&v, &settings) else {
                        continue;
                    };
                    assert_eq!(super::super::sniff(clean.bytes()), clean.kind());
                    let again = sanitise(clean.bytes(), &settings).expect("accepted again");
                    assert_eq!(again.bytes(), clean.bytes(), "byte {i} ^ {flip:#x}");
                    assert!(again.removed().is_empty(), "{:?}", again.removed());
                    if rebuilt_because(clean.removed()).is_some() {
                        assert!(!clean.bytes().windows(4).any(|w| w == b"Exif"));
                    }
                }
            }
        }
    }

    #[test]
    fn the_report_entry_reads_back() {
        let removed = Removed {
            what: format!("{WHAT}the IDAT chunk fails its checksum{WHAT_END}"),
            bytes: 0,
            found: Vec::new(),
        };
        assert_eq!(
            rebuilt_because(&[removed]),
            Some("the IDAT chunk fails its checksum")
        );
        assert_eq!(rebuilt_because(&[]), None);
    }
}
