//! Responsive sizes: the smaller versions of a photo that pages offer in
//! `srcset`, and the cap on how large a photo of pupils may be published.
//!
//! A JPEG is decoded with the decoder's DCT scaling (at 1/2, 1/4 or 1/8
//! when that still leaves enough pixels), so a 12-megapixel photo is never
//! fully decoded to make a 1600-pixel copy. The pixels are then resized
//! with a Lanczos filter and turned upright, and encoded afresh: a resized
//! file carries no metadata at all (only the ICC colour profile, when the
//! settings keep profiles).

use super::pixelate::pixelate;
use super::{CleanFile, Kind, Refusal, Settings, Treatment};
use fast_image_resize::{self as fir, PixelType, ResizeAlg, ResizeOptions, Resizer};

/// Which sizes to publish. The defaults are those of the site config's
/// `[images]` table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Sizes {
    /// Widths (in pixels) of the smaller versions offered in `srcset`.
    /// A photo is never enlarged: widths at or above its own are skipped.
    pub widths: Vec<u32>,
    /// The longest edge a photo that may show pupils is published at.
    /// Larger photos are scaled down and the original is not published.
    pub max_long_edge: u32,
    /// JPEG quality of resized versions (1–100).
    pub quality: u8,
}

impl From<&crate::config::Images> for Sizes {
    fn from(images: &crate::config::Images) -> Self {
        Sizes {
            widths: images.widths.clone(),
            max_long_edge: images.max_pupil_long_edge,
            quality: images.quality,
        }
    }
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes::from(&crate::config::Images::default())
    }
}

/// The versions of one sanitised image to publish, smallest first. The
/// last is the largest: the losslessly stripped original when it is within
/// `max_long_edge` (or the treatment does not cap it) and nothing is to be
/// blurred, otherwise a copy made afresh.
pub fn renditions(
    clean: &CleanFile,
    sizes: &Sizes,
    settings: &Settings,
    treatment: &Treatment,
) -> Result<Vec<CleanFile>, Refusal> {
    if !matches!(clean.kind, Kind::Jpeg | Kind::Png | Kind::WebP) {
        // GIFs may be animated, and other files have no pixels.
        return Ok(vec![clean.clone()]);
    }
    let (sw, sh) = clean.dimensions();
    let rotated = clean.orientation >= 5;
    let (dw, dh) = if rotated { (sh, sw) } else { (sw, sh) };
    let limit = sizes.max_long_edge.max(1);
    let capped = treatment.cap && dw.max(dh) > limit;
    let blur = !treatment.blur.is_empty();
    let (full_w, full_h) = if capped { fit(dw, dh, limit) } else { (dw, dh) };
    let mut widths: Vec<u32> = sizes
        .widths
        .iter()
        .copied()
        .filter(|&w| w > 0 && w < full_w)
        .collect();
    widths.sort_unstable();
    widths.dedup();
    if capped || blur {
        widths.push(full_w);
    }
    let Some(&largest) = widths.last() else {
        return Ok(vec![clean.clone()]);
    };

    // Decode once, at the smallest scale that still covers the largest
    // version, in the file's stored (unrotated) orientation.
    let largest_h = scaled_height(full_w, full_h, largest);
    let (need_w, need_h) = if rotated {
        (largest_h, largest)
    } else {
        (largest, largest_h)
    };
    let mut source = decode(clean, need_w, need_h, settings)?;
    let mut orientation = clean.orientation;
    if blur {
        // Regions are given upright: turn the pixels first, then nothing
        // published is made from pixels that were not pixelated.
        let icc = source.icc.take();
        source = Pixels {
            icc,
            ..orient(&source, orientation)
        };
        orientation = 1;
        pixelate(
            &mut source.data,
            source.width,
            source.height,
            source.channels,
            &treatment.blur,
        );
    }
    let rotated = orientation >= 5;

    let mut out = Vec::with_capacity(widths.len() + 1);
    for &w in &widths {
        let h = scaled_height(full_w, full_h, w);
        let (tw, th) = if rotated { (h, w) } else { (w, h) };
        let resized = source.resize(tw, th)?;
        let upright = orient(&resized, orientation);
        out.push(encode(&upright, clean.kind, sizes.quality, &source.icc)?);
    }
    if !capped && !blur {
        out.push(clean.clone());
    }
    Ok(out)
}

/// The size that fits `w`×`h` within `limit` on the long edge.
fn fit(w: u32, h: u32, limit: u32) -> (u32, u32) {
    if w >= h {
        (limit, scaled_height(w, h, limit))
    } else {
        (scaled_height(h, w, limit), limit)
    }
}

/// The height that keeps the aspect ratio of `w`×`h` at width `to`.
fn scaled_height(w: u32, h: u32, to: u32) -> u32 {
    let scaled = (u64::from(h) * u64::from(to) + u64::from(w) / 2) / u64::from(w.max(1));
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// Decoded pixels: 1, 3 or 4 bytes a pixel (grey, RGB, RGBA).
struct Pixels {
    width: u32,
    height: u32,
    channels: usize,
    data: Vec<u8>,
    /// The source's colour profile, carried into JPEG outputs.
    icc: Option<Vec<u8>>,
}

/// Most bytes a PNG or WebP may take once decoded (its pixels, and the
/// 8-bit copy made of 16-bit or grey-and-alpha ones): 100 million RGB
/// pixels. JPEGs are decoded scaled down to the size needed, so take far
/// less, but a progressive one holds all its coefficients at once, two
/// bytes for each sample it stores.
pub const MAX_DECODED: u64 = 320_000_000;

/// `what` of a refusal over [`MAX_DECODED`].
pub const DECODED: &str = "MB of pixels once decoded";

/// The refusal for an image that would take more than [`MAX_DECODED`]
/// to decode.
pub(super) fn too_big_to_decode(format: &'static str) -> Refusal {
    Refusal::TooComplex {
        format,
        what: DECODED,
        limit: MAX_DECODED / 1_000_000,
    }
}

/// Bytes a progressive JPEG's decoder holds whatever the scale it decodes
/// at (every block's coefficients, two bytes each, until the last scan);
/// `None` for a baseline JPEG, decoded a row of blocks at a time, or
/// bytes that are not a JPEG's.
pub(super) fn progressive_jpeg_bytes(bytes: &[u8]) -> Option<u64> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let is_frame = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if !is_frame {
            if marker == 0xDA {
                return None;
            }
            at += 2 + len;
            continue;
        }
        if !matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE) {
            return None;
        }
        let frame = bytes.get(at + 4..at + 2 + len)?;
        let height = u64::from(u16::from_be_bytes([*frame.get(1)?, *frame.get(2)?]));
        let width = u64::from(u16::from_be_bytes([*frame.get(3)?, *frame.get(4)?]));
        let count = usize::from(*frame.get(5)?);
        let sampling: Vec<(u64, u64)> = (0..count)
            .map(|i| {
                let s = *frame.get(6 + 3 * i + 1)?;
                Some((u64::from(s >> 4).max(1), u64::from(s & 0x0F).max(1)))
            })
            .collect::<Option<_>>()?;
        let h_max = sampling.iter().map(|s| s.0).max()?;
        let v_max = sampling.iter().map(|s| s.1).max()?;
        let mcus_x = width.div_ceil(8 * h_max);
        let mcus_y = height.div_ceil(8 * v_max);
        let blocks: u64 = sampling.iter().map(|(h, v)| mcus_x * h * mcus_y * v).sum();
        return Some(blocks.saturating_mul(64 * 2));
    }
}

fn decode_error(kind: Kind, e: impl std::fmt::Display) -> Refusal {
    Refusal::Corrupt {
        format: kind.short_name(),
        detail: format!("its pixels could not be decoded ({e})"),
    }
}

fn decode(
    clean: &CleanFile,
    need_w: u32,
    need_h: u32,
    settings: &Settings,
) -> Result<Pixels, Refusal> {
    let kind = clean.kind;
    if kind == Kind::Jpeg {
        // A progressive JPEG's coefficients are all held at once, however
        // small the copy decoded from them: 600 MB for 100 million pixels
        // with full colour detail.
        if progressive_jpeg_bytes(clean.bytes()).is_some_and(|b| b > MAX_DECODED) {
            return Err(too_big_to_decode(kind.short_name()));
        }
        let mut decoder = jpeg_decoder::Decoder::new(clean.bytes());
        let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
        decoder
            .scale(clamp(need_w), clamp(need_h))
            .map_err(|e| decode_error(kind, e))?;
        let data = decoder.decode().map_err(|e| decode_error(kind, e))?;
        let info = decoder
            .info()
            .ok_or_else(|| decode_error(kind, "no frame header"))?;
        let icc = if settings.keep_icc {
            decoder.icc_profile()
        } else {
            None
        };
        let (channels, data) = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => (1, data),
            jpeg_decoder::PixelFormat::L16 => (1, data.chunks_exact(2).map(|p| p[0]).collect()),
            jpeg_decoder::PixelFormat::RGB24 => (3, data),
            jpeg_decoder::PixelFormat::CMYK32 => (3, cmyk_to_rgb(&data)),
        };
        let pixels = Pixels {
            width: u32::from(info.width),
            height: u32::from(info.height),
            channels,
            data,
            icc,
        };
        return pixels.checked(kind);
    }
    let format = match kind {
        Kind::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::WebP,
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(clean.bytes()), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(settings.max_pixels.saturating_mul(8));
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| decode_error(kind, e))?;
    // What decoding takes, known from the header: the pixels as stored
    // (16 bits a channel takes twice the room) and, unless they are
    // already 8-bit grey, RGB or RGBA, the 8-bit copy made of them.
    {
        use image::ImageDecoder as _;
        let (w, h) = decoder.dimensions();
        let colour = decoder.color_type();
        let copied = if matches!(
            colour,
            image::ColorType::L8 | image::ColorType::Rgb8 | image::ColorType::Rgba8
        ) {
            0
        } else {
            let channels = if colour.has_alpha() {
                4
            } else if colour.has_color() {
                3
            } else {
                1
            };
            u64::from(w) * u64::from(h) * channels
        };
        if decoder.total_bytes().saturating_add(copied) > MAX_DECODED {
            return Err(too_big_to_decode(kind.short_name()));
        }
    }
    let decoded = image::DynamicImage::from_decoder(decoder).map_err(|e| decode_error(kind, e))?;
    let (width, height) = (decoded.width(), decoded.height());
    let (channels, data) = if decoded.color().has_alpha() {
        (4, decoded.into_rgba8().into_raw())
    } else if decoded.color().has_color() {
        (3, decoded.into_rgb8().into_raw())
    } else {
        (1, decoded.into_luma8().into_raw())
    };
    Pixels {
        width,
        height,
        channels,
        data,
        icc: None,
    }
    .checked(kind)
}

/// The image as upright grey pixels no larger than `max_edge` on the long
/// side, for face detection: (pixels, width, height).
pub(super) fn upright_grey(
    clean: &CleanFile,
    max_edge: u32,
    settings: &Settings,
) -> Result<(Vec<u8>, u32, u32), Refusal> {
    let (w, h) = fit(clean.width.max(1), clean.height.max(1), max_edge);
    let (w, h) = if clean.width.max(clean.height) <= max_edge {
        (clean.width, clean.height)
    } else {
        (w, h)
    };
    let source = decode(clean, w, h, settings)?;
    let grey = if source.channels == 1 {
        source
    } else {
        let c = source.channels;
        let data = source
            .data
            .chunks_exact(c)
            .map(|p| {
                let y = 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
                (y / 1000) as u8
            })
            .collect();
        Pixels {
            channels: 1,
            data,
            icc: None,
            ..source
        }
    };
    let grey = if grey.width > w || grey.height > h {
        grey.resize(w, h)?
    } else {
        grey
    };
    let upright = orient(&grey, clean.orientation);
    Ok((upright.data, upright.width, upright.height))
}

/// Adobe CMYK JPEGs store inverted ink values.
pub(super) fn cmyk_to_rgb(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    for p in data.chunks_exact(4) {
        let k = u16::from(p[3]);
        for &c in &p[..3] {
            out.push((u16::from(c) * k / 255) as u8);
        }
    }
    out
}

impl Pixels {
    fn checked(self, kind: Kind) -> Result<Pixels, Refusal> {
        let expected = self.width as usize * self.height as usize * self.channels;
        if self.data.len() < expected || self.width == 0 || self.height == 0 {
            return Err(decode_error(kind, "fewer pixels than the header declares"));
        }
        Ok(self)
    }

    fn pixel_type(&self) -> PixelType {
        match self.channels {
            1 => PixelType::U8,
            3 => PixelType::U8x3,
            _ => PixelType::U8x4,
        }
    }

    fn resize(&self, width: u32, height: u32) -> Result<Pixels, Refusal> {
        let failed = |e: &dyn std::fmt::Display| Refusal::Corrupt {
            format: "image",
            detail: format!("it could not be resized ({e})"),
        };
        let src =
            fir::images::ImageRef::new(self.width, self.height, &self.data, self.pixel_type())
                .map_err(|e| failed(&e))?;
        let mut dst = fir::images::Image::new(width, height, self.pixel_type());
        let options =
            ResizeOptions::new().resize_alg(ResizeAlg::Convolution(fir::FilterType::Lanczos3));
        Resizer::new()
            .resize(&src, &mut dst, &options)
            .map_err(|e| failed(&e))?;
        Ok(Pixels {
            width,
            height,
            channels: self.channels,
            data: dst.into_vec(),
            icc: None,
        })
    }
}

/// Turns pixels stored with EXIF orientation `o` upright.
fn orient(p: &Pixels, o: u16) -> Pixels {
    let (data, width, height) = turn(&p.data, p.width, p.height, p.channels, o);
    Pixels {
        width,
        height,
        channels: p.channels,
        data,
        icc: None,
    }
}

/// Pixels of `bytes_per_pixel` bytes each, stored with EXIF orientation
/// `o`, turned upright: (pixels, width, height).
pub(super) fn turn(
    data: &[u8],
    w: u32,
    h: u32,
    bytes_per_pixel: usize,
    o: u16,
) -> (Vec<u8>, u32, u32) {
    if !(2..=8).contains(&o) {
        return (data.to_vec(), w, h);
    }
    let (w, h, c) = (w as usize, h as usize, bytes_per_pixel);
    let (ow, oh) = if o >= 5 { (h, w) } else { (w, h) };
    let mut out = vec![0u8; ow * oh * c];
    for y in 0..oh {
        for x in 0..ow {
            // The stored pixel shown at (x, y) once upright.
            let (sx, sy) = match o {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let from = (sy * w + sx) * c;
            let to = (y * ow + x) * c;
            out[to..to + c].copy_from_slice(&data[from..from + c]);
        }
    }
    (out, ow as u32, oh as u32)
}

/// Encodes resized pixels: JPEG for photos, PNG for PNG sources and for
/// anything with transparency.
fn encode(
    p: &Pixels,
    source: Kind,
    quality: u8,
    icc: &Option<Vec<u8>>,
) -> Result<CleanFile, Refusal> {
    let failed = |e: &dyn std::fmt::Display| Refusal::Corrupt {
        format: "image",
        detail: format!("its resized copy could not be encoded ({e})"),
    };
    let as_png = source == Kind::Png || p.channels == 4;
    let mut bytes = Vec::new();
    let kind = if as_png {
        use image::ImageEncoder;
        let color = match p.channels {
            1 => image::ExtendedColorType::L8,
            3 => image::ExtendedColorType::Rgb8,
            _ => image::ExtendedColorType::Rgba8,
        };
        image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(&p.data, p.width, p.height, color)
            .map_err(|e| failed(&e))?;
        Kind::Png
    } else {
        let dims = (u16::try_from(p.width), u16::try_from(p.height));
        let (Ok(w), Ok(h)) = dims else {
            return Err(failed(&"it is too large for JPEG"));
        };
        let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, quality.clamp(1, 100));
        encoder.set_progressive(true);
        encoder.set_optimized_huffman_tables(true);
        if let Some(profile) = icc {
            encoder.add_icc_profile(profile).map_err(|e| failed(&e))?;
        }
        let color = if p.channels == 1 {
            jpeg_encoder::ColorType::Luma
        } else {
            jpeg_encoder::ColorType::Rgb
        };
        encoder
            .encode(&p.data, w, h, color)
            .map_err(|e| failed(&e))?;
        Kind::Jpeg
    };
    Ok(CleanFile {
        bytes,
        kind,
        width: p.width,
        height: p.height,
        orientation: 1,
        removed: Vec::new(),
        spool: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_the_aspect_ratio_and_fit() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(scaled_height(4032, 3024, 480), 360);
        assert_eq!(scaled_height(1, 10_000, 1), 10_000);
    }

    #[test]
    fn every_orientation_turns_upright() {
        // A 3×2 image whose pixels are numbered in display order, stored as
        // each orientation would store it, must come back in display order.
        let upright: Vec<u8> = (0..6).collect();
        let shown = |o: u16, stored: Vec<u8>, w: u32, h: u32| {
            let p = Pixels {
                width: w,
                height: h,
                channels: 1,
                data: stored,
                icc: None,
            };
            orient(&p, o).data
        };
        // Stored forms, derived from the EXIF definitions (row 0 / col 0).
        assert_eq!(shown(1, vec![0, 1, 2, 3, 4, 5], 3, 2), upright);
        assert_eq!(shown(2, vec![2, 1, 0, 5, 4, 3], 3, 2), upright);
        assert_eq!(shown(3, vec![5, 4, 3, 2, 1, 0], 3, 2), upright);
        assert_eq!(shown(4, vec![3, 4, 5, 0, 1, 2], 3, 2), upright);
        assert_eq!(shown(5, vec![0, 3, 1, 4, 2, 5], 2, 3), upright);
        assert_eq!(shown(6, vec![2, 5, 1, 4, 0, 3], 2, 3), upright);
        assert_eq!(shown(7, vec![5, 2, 4, 1, 3, 0], 2, 3), upright);
        assert_eq!(shown(8, vec![3, 0, 4, 1, 5, 2], 2, 3), upright);
    }
}
