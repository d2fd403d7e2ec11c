//! Faces in a document's pictures, looked for in what is drawn.
//!
//! Each picture a page shows (see [`super::pictures`]: an image big
//! enough alone, or small images drawn together, a photo cut into tiles)
//! is composed as a viewer draws it: every image in it is decoded and
//! painted through the matrix it is drawn with (scaled, flipped, turned)
//! onto one grey canvas over white paper, at the resolution of its most
//! detailed image. The face detector of photos ([`super::super::faces`])
//! then looks at the canvas, so a face is found however the picture was
//! cut up or placed, and its size is measured in pixels of the picture as
//! a photo's is in pixels of the published photo.
//!
//! Decoded: JPEG (`DCTDecode`), and samples stored raw or through the
//! filters `lopdf` reads (Flate, LZW, run-length, ASCII hex and 85, with
//! predictors) in DeviceGray, DeviceRGB, DeviceCMYK, calibrated and ICC
//! spaces, and Indexed over those, at 1, 2, 4, 8 or 16 bits; stencil
//! masks. Anything else (CCITT fax, JBIG2, Separation, DeviceN, Lab, an
//! inline image that could not be taken apart) cannot be looked at: the
//! picture counts as not checked, and the consent rule fails closed on it.
//!
//! Bounded: at most [`MAX_PICTURES`] pictures are looked at in one
//! document and [`MAX_PICTURE_PIXELS`] pixels of images decoded in all; each
//! image may hold no more pixels than photos may (`[images] max_pixels`);
//! the canvas is at most [`MAX_CANVAS_EDGE`] pixels on its long edge.
//! Beyond them the document is refused ([`Refusal::TooManyPictures`]).
//! The same image drawn alone the same way again (a letterhead photo on
//! every page) is looked at once.

use super::super::{Faces, Refusal, faces};
use super::pictures::{Placement, Rect, Source};
use lopdf::{Dictionary, Document, Object, Stream};
use std::collections::HashMap;

/// Most pictures looked at for faces in one document.
pub const MAX_PICTURES: usize = 100;

/// Most pixels of images decoded for faces in one document (as stored).
pub const MAX_PICTURE_PIXELS: u64 = 1_000_000_000;

/// The longest edge of the canvas a picture is composed on.
pub const MAX_CANVAS_EDGE: u32 = 2048;

/// Most canvas pixels painted in one document (an image drawn a hundred
/// thousand times over itself is not painted for ever).
const MAX_PAINTED: u64 = 2_000_000_000;

/// The refusal for a document with more to look at than the bounds.
pub fn too_many() -> Refusal {
    Refusal::TooManyPictures {
        pictures: MAX_PICTURES,
        megapixels: MAX_PICTURE_PIXELS / 1_000_000,
    }
}

/// A decoded image, grey.
struct Grey {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

/// Looks at one document's pictures, within its bounds.
pub struct Looker<'a> {
    doc: &'a Document,
    /// Most pixels one image may hold (`[images] max_pixels`).
    max_image_pixels: u64,
    pictures: usize,
    pixels: u64,
    painted: u64,
    /// Pictures of one image already looked at, by the image and the
    /// shape it is drawn in.
    seen: HashMap<(Source, [i32; 4]), (Faces, bool)>,
}

impl<'a> Looker<'a> {
    pub fn new(doc: &'a Document, max_image_pixels: u64) -> Looker<'a> {
        Looker {
            doc,
            max_image_pixels,
            pictures: 0,
            pixels: 0,
            painted: 0,
            seen: HashMap::new(),
        }
    }

    /// The faces in one picture, made of `placements` in drawing order
    /// (inline images' data in `inline`), and whether every image in it
    /// could be decoded.
    pub fn look(
        &mut self,
        placements: &[&Placement],
        inline: &HashMap<u64, Stream>,
    ) -> Result<(Faces, bool), Refusal> {
        let key = match placements {
            [one] => {
                let m = one.ctm;
                let big = m[..4].iter().fold(0f32, |a, v| a.max(v.abs()));
                let shape = [0, 1, 2, 3].map(|i| {
                    if big > 0.0 {
                        (m[i] / big * 100.0).round() as i32
                    } else {
                        0
                    }
                });
                Some((one.source, shape))
            }
            _ => None,
        };
        if let Some(hit) = key.as_ref().and_then(|k| self.seen.get(k)) {
            return Ok(hit.clone());
        }
        self.pictures += 1;
        if self.pictures > MAX_PICTURES {
            return Err(too_many());
        }
        let looked = self.compose_and_look(placements, inline)?;
        if let Some(key) = key {
            self.seen.insert(key, looked.clone());
        }
        Ok(looked)
    }

    fn compose_and_look(
        &mut self,
        placements: &[&Placement],
        inline: &HashMap<u64, Stream>,
    ) -> Result<(Faces, bool), Refusal> {
        // The picture's area on the page, and its resolution: that of its
        // most detailed image, in pixels per point.
        let mut area: Option<Rect> = None;
        let mut scale = 0f32;
        for p in placements {
            let m = p.ctm;
            let (ax, ay) = (m[0].hypot(m[1]), m[2].hypot(m[3]));
            if !(ax > 1e-6 && ay > 1e-6 && ax.is_finite() && ay.is_finite()) {
                continue;
            }
            let (pw, ph) = (p.pixels.0.max(1) as f32, p.pixels.1.max(1) as f32);
            scale = scale.max(pw / ax).max(ph / ay);
            area = Some(match area {
                None => p.rect,
                Some(a) => Rect {
                    x0: a.x0.min(p.rect.x0),
                    y0: a.y0.min(p.rect.y0),
                    x1: a.x1.max(p.rect.x1),
                    y1: a.y1.max(p.rect.y1),
                },
            });
        }
        let Some(area) = area.filter(|a| a.width() > 0.0 && a.height() > 0.0) else {
            return Ok((Faces::default(), true));
        };
        let scale = scale.clamp(1e-3, 1e4);
        let side = |v: f32| (v * scale).round().clamp(1.0, 1e6) as u32;
        let shown = (side(area.width()), side(area.height()));
        let long = shown.0.max(shown.1);
        let fit = (MAX_CANVAS_EDGE as f32 / long as f32).min(1.0);
        let cs = scale * fit;
        let cw = ((area.width() * cs).round() as u32).clamp(1, MAX_CANVAS_EDGE);
        let ch = ((area.height() * cs).round() as u32).clamp(1, MAX_CANVAS_EDGE);
        let mut canvas = vec![255u8; cw as usize * ch as usize];
        let mut decoded: HashMap<Source, Option<Grey>> = HashMap::new();
        let mut complete = true;
        for p in placements {
            if let std::collections::hash_map::Entry::Vacant(slot) = decoded.entry(p.source) {
                slot.insert(self.decode_source(p.source, inline)?);
            }
            let Some(Some(grey)) = decoded.get(&p.source) else {
                complete = false;
                continue;
            };
            self.paint(&mut canvas, (cw, ch), &area, cs, p, grey)?;
        }
        let faces = faces::in_picture(canvas, cw, ch, shown)?;
        Ok((faces, complete))
    }

    /// Paints `grey` where `p` draws it.
    fn paint(
        &mut self,
        canvas: &mut [u8],
        (cw, ch): (u32, u32),
        area: &Rect,
        cs: f32,
        p: &Placement,
        grey: &Grey,
    ) -> Result<(), Refusal> {
        let [a, b, c, d, e, f] = p.ctm;
        let det = a * d - b * c;
        if !det.is_finite() || det.abs() < 1e-12 {
            return Ok(());
        }
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        let x0 = clamp(((p.rect.x0 - area.x0) * cs).floor(), cw);
        let x1 = clamp(((p.rect.x1 - area.x0) * cs).ceil(), cw);
        let y0 = clamp(((area.y1 - p.rect.y1) * cs).floor(), ch);
        let y1 = clamp(((area.y1 - p.rect.y0) * cs).ceil(), ch);
        let painted = u64::from(x1 - x0) * u64::from(y1 - y0);
        self.painted = self.painted.saturating_add(painted);
        if self.painted > MAX_PAINTED {
            return Err(too_many());
        }
        let (gw, gh) = (grey.width as f32, grey.height as f32);
        for cy in y0..y1 {
            let y = area.y1 - (cy as f32 + 0.5) / cs - f;
            for cx in x0..x1 {
                let x = area.x0 + (cx as f32 + 0.5) / cs - e;
                let u = (d * x - c * y) / det;
                let v = (a * y - b * x) / det;
                if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
                    continue;
                }
                let ix = ((u * gw) as u32).min(grey.width - 1);
                let iy = (((1.0 - v) * gh) as u32).min(grey.height - 1);
                canvas[cy as usize * cw as usize + cx as usize] =
                    grey.data[iy as usize * grey.width as usize + ix as usize];
            }
        }
        Ok(())
    }

    /// An image's pixels as drawn: its own, or its mask's when the mask
    /// holds more (a photo drawn as another image's mask); `None` when
    /// they cannot be decoded.
    fn decode_source(
        &mut self,
        source: Source,
        inline: &HashMap<u64, Stream>,
    ) -> Result<Option<Grey>, Refusal> {
        let doc = self.doc;
        let image = match source {
            Source::Object(id) => doc.get_object(id).and_then(Object::as_stream).ok(),
            Source::Inline(hash) => inline.get(&hash),
        };
        let Some(mut image) = image else {
            return Ok(None);
        };
        let pixels = |s: &Stream| {
            let (w, h) = size(&s.dict);
            w.max(0).saturating_mul(h.max(0))
        };
        for key in [&b"SMask"[..], b"Mask"] {
            if let Some(mask) = image
                .dict
                .get(key)
                .ok()
                .and_then(|m| doc.dereference(m).ok())
                .and_then(|(_, m)| m.as_stream().ok())
                && pixels(mask) > pixels(image)
            {
                image = mask;
            }
        }
        let (w, h) = size(&image.dict);
        if w <= 0 || h <= 0 || w > 65_535 || h > 65_535 {
            return Ok(None);
        }
        let stored = (w as u64) * (h as u64);
        self.pixels = self.pixels.saturating_add(stored);
        if stored > self.max_image_pixels || self.pixels > MAX_PICTURE_PIXELS {
            return Err(too_many());
        }
        // A progressive JPEG holds all its coefficients while it decodes.
        if super::super::resize::progressive_jpeg_bytes(&image.content)
            .is_some_and(|b| b > super::super::resize::MAX_DECODED)
        {
            return Err(super::super::resize::too_big_to_decode("PDF"));
        }
        Ok(decode(
            doc,
            image,
            w as u32,
            h as u32,
            self.max_image_pixels,
        ))
    }
}

/// An image's width and height as its dictionary says (inline images'
/// short keys included).
fn size(d: &Dictionary) -> (i64, i64) {
    let get = |long: &[u8], short: &[u8]| {
        d.get(long)
            .or_else(|_| d.get(short))
            .and_then(Object::as_i64)
            .unwrap_or(0)
    };
    (get(b"Width", b"W"), get(b"Height", b"H"))
}

/// Colour spaces whose samples can be turned into grey.
enum Space {
    Gray,
    Rgb,
    Cmyk,
    /// A palette: its base space and its colours (each base sample 8 bits).
    Indexed(Box<Space>, Vec<u8>),
}

impl Space {
    fn components(&self) -> usize {
        match self {
            Space::Gray | Space::Indexed(..) => 1,
            Space::Rgb => 3,
            Space::Cmyk => 4,
        }
    }

    /// Grey from one colour's components, each 0–255.
    fn grey(&self, c: &[u32]) -> u8 {
        match self {
            Space::Gray => c[0] as u8,
            Space::Rgb => ((299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000) as u8,
            Space::Cmyk => {
                let k = 255 - c[3].min(255);
                let [r, g, b] = [c[0], c[1], c[2]].map(|v| (255 - v.min(255)) * k / 255);
                ((299 * r + 587 * g + 114 * b) / 1000) as u8
            }
            Space::Indexed(base, table) => {
                let n = base.components();
                let at = c[0] as usize * n;
                let mut colour = [0u32; 4];
                for (i, slot) in colour.iter_mut().enumerate().take(n) {
                    *slot = u32::from(table.get(at + i).copied().unwrap_or(0));
                }
                base.grey(&colour[..n])
            }
        }
    }
}

/// The colour space `object` names, if its samples can be decoded.
fn space(doc: &Document, object: &Object, depth: usize) -> Option<Space> {
    let object = doc.dereference(object).ok()?.1;
    match object {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => Some(Space::Gray),
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(Space::Rgb),
            b"DeviceCMYK" | b"CMYK" => Some(Space::Cmyk),
            _ => None,
        },
        Object::Array(items) => {
            let kind = items.first()?.as_name().ok()?;
            match kind {
                b"ICCBased" => {
                    let profile = doc.dereference(items.get(1)?).ok()?.1.as_stream().ok()?;
                    match profile.dict.get(b"N").and_then(Object::as_i64).ok()? {
                        1 => Some(Space::Gray),
                        3 => Some(Space::Rgb),
                        4 => Some(Space::Cmyk),
                        _ => None,
                    }
                }
                b"CalGray" => Some(Space::Gray),
                b"CalRGB" => Some(Space::Rgb),
                b"Indexed" | b"I" if depth == 0 => {
                    let base = space(doc, items.get(1)?, depth + 1)?;
                    let hival = doc.dereference(items.get(2)?).ok()?.1.as_i64().ok()?;
                    let colours = usize::try_from(hival.clamp(0, 255)).ok()? + 1;
                    let want = colours * base.components();
                    let mut table = match doc.dereference(items.get(3)?).ok()?.1 {
                        Object::String(bytes, _) => bytes.clone(),
                        Object::Stream(s) => s
                            .decompressed_content_with_limit(4096)
                            .ok()
                            .or_else(|| (!s.dict.has(b"Filter")).then(|| s.content.clone()))?,
                        _ => return None,
                    };
                    table.resize(want, 0);
                    Some(Space::Indexed(Box::new(base), table))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// An image's pixels, grey, or `None` when they cannot be decoded.
fn decode(doc: &Document, image: &Stream, w: u32, h: u32, max_pixels: u64) -> Option<Grey> {
    let dict = &image.dict;
    // (Inline images' short keys and names were spelt out when read.)
    let filters: Vec<Vec<u8>> = match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .map(|f| f.as_name().map(<[u8]>::to_vec))
            .collect::<Result<_, _>>()
            .ok()?,
        Ok(_) => return None,
        Err(_) => Vec::new(),
    };
    if filters.iter().any(|f| f == b"DCTDecode") {
        return match filters.as_slice() {
            [_] => jpeg(&image.content, max_pixels),
            _ => None,
        };
    }
    let stencil = dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false);
    let (space, bits) = if stencil {
        (Space::Gray, 1)
    } else {
        let cs = dict.get(b"ColorSpace").ok();
        // A soft mask has no colour space of its own: it is grey.
        let space = match cs {
            Some(cs) => space(doc, cs, 0)?,
            None if dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") => {
                Space::Gray
            }
            None => return None,
        };
        let bits = dict
            .get(b"BitsPerComponent")
            .and_then(Object::as_i64)
            .ok()?;
        (space, bits)
    };
    if ![1, 2, 4, 8, 16].contains(&bits) {
        return None;
    }
    let bits = bits as usize;
    let n = space.components();
    let row = (w as usize * n * bits).div_ceil(8);
    let need = row.checked_mul(h as usize)?;
    let mut data = if filters.is_empty() {
        image.content.clone()
    } else {
        image
            .decompressed_content_with_limit(need.saturating_mul(2).max(1 << 16))
            .ok()?
    };
    // A short image is drawn with what it has (the rest as zeros), as
    // viewers do.
    data.resize(need, 0);
    // `/Decode [1 0]` on one component inverts it (and a stencil's
    // painted samples are its ones).
    let inverted = dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .ok()
        .and_then(|d| d.first().and_then(|v| v.as_float().ok()))
        .is_some_and(|first| first > 0.5);
    let indexed = matches!(space, Space::Indexed(..));
    let max = (1u32 << bits) - 1;
    let mut out = Vec::with_capacity(w as usize * h as usize);
    let mut colour = [0u32; 4];
    for y in 0..h as usize {
        let line = &data[y * row..(y + 1) * row];
        for x in 0..w as usize {
            for (i, slot) in colour.iter_mut().enumerate().take(n) {
                let raw = sample(line, (x * n + i) * bits, bits);
                *slot = if indexed {
                    raw
                } else if bits == 16 {
                    raw >> 8
                } else {
                    raw * 255 / max
                };
            }
            let g = if stencil {
                // Painted (black) where the sample is 0 (1 when
                // inverted), paper elsewhere.
                if (colour[0] == 0) != inverted { 0 } else { 255 }
            } else if inverted && !indexed && n == 1 {
                255 - space.grey(&colour[..n])
            } else {
                space.grey(&colour[..n])
            };
            out.push(g);
        }
    }
    Some(Grey {
        width: w,
        height: h,
        data: out,
    })
}

/// The `bits`-bit sample at bit `at` of `line`.
fn sample(line: &[u8], at: usize, bits: usize) -> u32 {
    match bits {
        8 => u32::from(line[at / 8]),
        16 => u32::from(line[at / 8]) << 8 | u32::from(line[at / 8 + 1]),
        _ => {
            let byte = line[at / 8];
            let shift = 8 - bits - at % 8;
            u32::from(byte >> shift) & ((1 << bits) - 1)
        }
    }
}

/// A JPEG's pixels, grey, decoded at a scale near the canvas's.
fn jpeg(bytes: &[u8], max_pixels: u64) -> Option<Grey> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(usize::try_from(max_pixels.saturating_mul(4)).ok()?);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    if u64::from(info.width) * u64::from(info.height) > max_pixels {
        return None;
    }
    let edge = u16::try_from(MAX_CANVAS_EDGE).unwrap_or(u16::MAX);
    decoder.scale(edge, edge).ok()?;
    let data = decoder.decode().ok()?;
    let info = decoder.info()?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let n = w as usize * h as usize;
    let grey: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => data,
        jpeg_decoder::PixelFormat::L16 => data.chunks_exact(2).map(|p| p[0]).collect(),
        jpeg_decoder::PixelFormat::RGB24 => data
            .chunks_exact(3)
            .map(|p| Space::Rgb.grey(&[p[0], p[1], p[2]].map(u32::from)))
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .map(|p| {
                // As stored by most programs (Adobe): inverted.
                let k = u32::from(p[3]);
                let [r, g, b] = [p[0], p[1], p[2]].map(|c| u32::from(c) * k / 255);
                ((299 * r + 587 * g + 114 * b) / 1000) as u8
            })
            .collect(),
    };
    if w == 0 || h == 0 || grey.len() < n {
        return None;
    }
    Some(Grey {
        width: w,
        height: h,
        data: grey,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_of_every_depth_are_read() {
        assert_eq!(sample(&[0b1010_0000], 0, 1), 1);
        assert_eq!(sample(&[0b1010_0000], 1, 1), 0);
        assert_eq!(sample(&[0b1110_0100], 2, 2), 0b10);
        assert_eq!(sample(&[0xAB], 4, 4), 0xB);
        assert_eq!(sample(&[0x12, 0x34], 0, 16), 0x1234);
    }

    #[test]
    fn colours_turn_grey() {
        assert_eq!(Space::Rgb.grey(&[255, 255, 255]), 255);
        assert_eq!(Space::Cmyk.grey(&[0, 0, 0, 0]), 255);
        assert_eq!(Space::Cmyk.grey(&[0, 0, 0, 255]), 0);
        let palette = Space::Indexed(Box::new(Space::Rgb), vec![0, 0, 0, 255, 255, 255]);
        assert_eq!(palette.grey(&[1]), 255);
        // An index past the palette is black, never a panic.
        assert_eq!(palette.grey(&[200]), 0);
    }
}
