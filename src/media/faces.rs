//! Finding faces in a published image: a safety net for a photo that
//! shows more people than were declared, and a measure of how close and
//! face-on a photo of pupils is.
//!
//! Detection only. The detector (SeetaFace's frontal model through the
//! `rustface` crate, compiled into the program, so nothing is downloaded)
//! finds where faces looking towards the camera are and nothing else: no
//! face is measured for identity, stored, identified or compared with
//! another, so no biometric data is processed. What the build keeps is
//! how many faces there are and how big each is (in pixels of the
//! published image), as a [`Faces`]: not where they are, not their
//! pixels. Where they are leaves this module only through [`outlines`],
//! for the studio to draw boxes on the screen of the member of staff
//! saying who is in a photo; it is never stored or published.

use super::{CleanFile, Kind, Refusal, Settings, resize};
use std::cell::RefCell;
use std::sync::OnceLock;

/// SeetaFace's frontal face model, BSD-2-Clause (model/LICENSE-SeetaFace),
/// as shipped inside the `rustface` package.
static MODEL_BYTES: &[u8] = include_bytes!("model/seeta_fd_frontal_v1.0.bin");

/// Faces are looked for in a copy at most this long on its long edge:
/// enough for a face a fortieth of the photo's width, fast enough to run
/// on every photo.
const DETECT_EDGE: u32 = 1024;
/// The smallest face looked for, in pixels of that copy (the model's
/// minimum is 20).
const MIN_FACE: u32 = 20;
/// The detector's confidence threshold; higher finds fewer false faces.
const SCORE_THRESHOLD: f64 = 2.0;

/// The faces found in a published image: how many, and how big. Sizes
/// only, in pixels of the image as published and shown (upright): what a
/// person looking at the page could see, nothing about whose faces they
/// are.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Faces {
    /// The published image's width and height as shown, in pixels.
    pub width: u32,
    pub height: u32,
    /// Each face's height (the detector's square box) in pixels of that
    /// image, largest first.
    pub sizes: Vec<u32>,
}

impl Faces {
    /// How many faces were found.
    pub fn count(&self) -> u32 {
        u32::try_from(self.sizes.len()).unwrap_or(u32::MAX)
    }

    /// The largest face's height in pixels (0 when none was found).
    pub fn largest(&self) -> u32 {
        self.sizes.first().copied().unwrap_or(0)
    }

    /// The image's short edge in pixels.
    pub fn short_edge(&self) -> u32 {
        self.width.min(self.height)
    }

    /// The image's long edge in pixels.
    pub fn long_edge(&self) -> u32 {
        self.width.max(self.height)
    }

    /// The largest face's height as a percentage of the image's short
    /// edge (0 when none was found).
    pub fn largest_percent(&self) -> f64 {
        let short = self.short_edge();
        if short == 0 {
            return 0.0;
        }
        f64::from(self.largest()) * 100.0 / f64::from(short)
    }
}

fn model() -> Option<&'static rustface::Model> {
    static MODEL: OnceLock<Option<rustface::Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| rustface::read_model(std::io::Cursor::new(MODEL_BYTES)).ok())
        .as_ref()
}

thread_local! {
    static DETECTOR: RefCell<Option<Box<dyn rustface::Detector>>> = const { RefCell::new(None) };
}

/// The faces in `image`, or `None` for a file with no pixels to look at.
/// An animation (GIF, APNG, animated WebP) is looked at frame by frame,
/// each frame as a viewer shows it: see [`animation`].
pub(super) fn find(image: &CleanFile, settings: &Settings) -> Result<Option<Faces>, Refusal> {
    let animated = match image.kind() {
        Kind::Gif => true,
        Kind::Png => png_animation(image.bytes()).is_some(),
        Kind::WebP => webp_animated(image.bytes()),
        Kind::Jpeg => false,
        _ => return Ok(None),
    };
    if animated {
        // The decoders are large parsers of hostile input: should one ever
        // panic, the file is refused rather than the build lost.
        let looked =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| animation(image, settings)));
        return looked.unwrap_or_else(|_| {
            Err(Refusal::Corrupt {
                format: image.kind().short_name(),
                detail: "its frames could not be decoded to look for faces".into(),
            })
        });
    }
    still(image, settings).map(Some)
}

/// The faces in a still image.
fn still(image: &CleanFile, settings: &Settings) -> Result<Faces, Refusal> {
    let (grey, width, height) = resize::upright_grey(image, DETECT_EDGE, settings)?;
    let boxes = detect(&grey, width, height)?;
    Ok(published_sizes(image, &boxes, width, height))
}

/// Where a face was found, in percent of the image as shown (upright).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Outline {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

/// Where the faces are in a still photo, for the studio to outline them
/// (an animation gives none here: the build counts its faces frame by
/// frame). Detection only, as [`find`]; nothing is kept.
pub fn outlines(image: &CleanFile, settings: &Settings) -> Result<Vec<Outline>, Refusal> {
    let still = match image.kind() {
        Kind::Jpeg => true,
        Kind::Png => png_animation(image.bytes()).is_none(),
        Kind::WebP => !webp_animated(image.bytes()),
        _ => false,
    };
    if !still {
        return Ok(Vec::new());
    }
    let (grey, width, height) = resize::upright_grey(image, DETECT_EDGE, settings)?;
    let percent = |v: f64, of: u32| (v * 100.0 / f64::from(of.max(1))).clamp(0.0, 100.0) as f32;
    Ok(detect_boxes(&grey, width, height)?
        .into_iter()
        .map(|(x, y, w, h)| Outline {
            left: percent(f64::from(x), width),
            top: percent(f64::from(y), height),
            width: percent(f64::from(w), width),
            height: percent(f64::from(h), height),
        })
        .collect())
}

/// The faces found in `grey` (`width`×`height`, upright): each face's
/// height in those pixels.
fn detect(grey: &[u8], width: u32, height: u32) -> Result<Vec<u32>, Refusal> {
    Ok(detect_boxes(grey, width, height)?
        .into_iter()
        .map(|(_, _, _, h)| h)
        .collect())
}

/// The faces found in `grey` (`width`×`height`, upright): each face's
/// box (left, top, width, height) in those pixels.
fn detect_boxes(
    grey: &[u8],
    width: u32,
    height: u32,
) -> Result<Vec<(i32, i32, u32, u32)>, Refusal> {
    if width < MIN_FACE || height < MIN_FACE {
        return Ok(Vec::new());
    }
    let Some(model) = model() else {
        return Err(Refusal::Corrupt {
            format: "face model",
            detail: "the built-in face detection model could not be read".into(),
        });
    };
    Ok(DETECTOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let detector = slot.get_or_insert_with(|| {
            let mut d = rustface::create_detector_with_model(model.clone());
            d.set_min_face_size(MIN_FACE);
            d.set_score_thresh(SCORE_THRESHOLD);
            d.set_pyramid_scale_factor(0.8);
            d.set_slide_window_step(4, 4);
            d
        });
        let data = rustface::ImageData::new(grey, width, height);
        detector
            .detect(&data)
            .iter()
            .map(|f| {
                let b = f.bbox();
                (b.x(), b.y(), b.width(), b.height())
            })
            .collect()
    }))
}

/// The faces in a picture a document draws, composed as it is drawn:
/// `grey` is `width`×`height` pixels (already at most a few times
/// [`DETECT_EDGE`]); face sizes are given in pixels of the picture at its
/// own resolution, `shown` (width, height), as a photo's are in pixels
/// of the published photo.
pub(super) fn in_picture(
    grey: Vec<u8>,
    width: u32,
    height: u32,
    shown: (u32, u32),
) -> Result<Faces, Refusal> {
    let (grey, w, h) = shrink(grey, width, height)?;
    let boxes = detect(&grey, w, h)?;
    Ok(sizes_in(&boxes, w, h, shown.0, shown.1))
}

/// Face heights found in a `width`×`height` detection copy, in pixels of
/// the published image, largest first.
fn published_sizes(image: &CleanFile, boxes: &[u32], width: u32, height: u32) -> Faces {
    let (shown_w, shown_h) = image.display_dimensions();
    sizes_in(boxes, width, height, shown_w, shown_h)
}

/// Face heights found in a `width`×`height` detection copy, in pixels of
/// a `shown_w`×`shown_h` image, largest first.
fn sizes_in(boxes: &[u32], width: u32, height: u32, shown_w: u32, shown_h: u32) -> Faces {
    let (copy_long, shown_long) = (width.max(height), shown_w.max(shown_h));
    let mut sizes: Vec<u32> = boxes
        .iter()
        .map(|&h| {
            let scaled = u64::from(h) * u64::from(shown_long) / u64::from(copy_long.max(1));
            u32::try_from(scaled)
                .unwrap_or(u32::MAX)
                .min(shown_w.min(shown_h))
        })
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    Faces {
        width: shown_w,
        height: shown_h,
        sizes,
    }
}

/// An animation with more frames than this is refused when faces are
/// looked for: its frames cannot all be decoded in reasonable time.
pub const MAX_FRAMES: usize = 1_000;
/// Nor may its frames, each decoded at the full canvas size, come to more
/// pixels than this in all.
pub const MAX_FRAME_PIXELS: u64 = 400_000_000;
/// Nor may one frame be larger than this many pixels (a few copies of
/// it are held at once while frames are composed).
pub const MAX_FRAME_CANVAS: u64 = 32_000_000;
/// `what` of a refusal over [`MAX_FRAME_CANVAS`].
pub const FRAME_CANVAS: &str = "pixels in each frame of its animation";
/// Every different frame up to this many is looked at for faces…
pub const FIRST_FRAMES: usize = 16;
/// …then this many more, evenly spaced over the rest, the last included.
pub const SPREAD_FRAMES: usize = 16;

/// The faces in an animation: every frame is decoded and composed as a
/// viewer shows it (the `image` crate's frame decoders apply each
/// format's disposal and blending), and faces are looked for in each
/// *different* frame (a frame identical to one already seen adds
/// nothing): all of them up to [`FIRST_FRAMES`], and beyond that
/// [`SPREAD_FRAMES`] more evenly spaced over the remaining ones, ending
/// with the last. So a blank first frame, or a face only at the end,
/// cannot hide a face. An APNG's default image, when it is not part of
/// the animation (what a viewer without APNG support shows), is looked
/// at too.
///
/// The count is the most faces found in any one frame, and the largest
/// face the largest in any frame: the sizes are those of the frame with
/// the most faces, its largest replaced by the largest face of any frame.
fn animation(image: &CleanFile, settings: &Settings) -> Result<Option<Faces>, Refusal> {
    let mut found: Vec<Faces> = Vec::new();
    if png_animation(image.bytes()) == Some(false) {
        found.push(still(image, settings)?);
    }
    // First pass: every frame, detecting in the first different ones.
    let mut seen = std::collections::HashSet::new();
    let mut distinct: Vec<usize> = Vec::new();
    for_each_frame(image, settings, usize::MAX, |index, frame| {
        if !seen.insert(*blake3::hash(frame.as_raw()).as_bytes()) {
            return Ok(());
        }
        distinct.push(index);
        if distinct.len() <= FIRST_FRAMES {
            found.push(frame_faces(image, frame)?);
        }
        Ok(())
    })?;
    // Second pass: evenly spaced over the rest, the last included.
    let rest = distinct.get(FIRST_FRAMES..).unwrap_or_default();
    if !rest.is_empty() {
        let k = rest.len().min(SPREAD_FRAMES);
        let chosen: std::collections::BTreeSet<usize> =
            (1..=k).map(|j| rest[j * rest.len() / k - 1]).collect();
        let last = chosen.last().copied().unwrap_or(0);
        for_each_frame(image, settings, last, |index, frame| {
            if chosen.contains(&index) {
                found.push(frame_faces(image, frame)?);
            }
            Ok(())
        })?;
    }
    let Some(most) = found
        .iter()
        .max_by_key(|f| (f.count(), f.largest()))
        .cloned()
    else {
        let (width, height) = image.display_dimensions();
        return Ok(Some(Faces {
            width,
            height,
            sizes: Vec::new(),
        }));
    };
    let largest = found.iter().map(Faces::largest).max().unwrap_or(0);
    let mut faces = most;
    if let Some(first) = faces.sizes.first_mut() {
        *first = largest.max(*first);
    }
    Ok(Some(faces))
}

/// Too long an animation to look through.
fn too_long() -> Refusal {
    Refusal::TooManyFrames {
        frames: MAX_FRAMES,
        megapixels: MAX_FRAME_PIXELS / 1_000_000,
    }
}

/// Calls `each(index, frame)` for the frames of an animation up to and
/// including `until`, each composed as a viewer shows it, within
/// [`MAX_FRAMES`] and [`MAX_FRAME_PIXELS`].
fn for_each_frame(
    image: &CleanFile,
    settings: &Settings,
    until: usize,
    mut each: impl FnMut(usize, &image::RgbaImage) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    use image::{AnimationDecoder as _, ImageDecoder as _};
    let kind = image.kind();
    let failed = |e: image::ImageError| Refusal::Corrupt {
        format: kind.short_name(),
        detail: format!("its frames could not be decoded to look for faces ({e})"),
    };
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(settings.max_pixels.saturating_mul(8));
    let cursor = std::io::Cursor::new(image.bytes());
    let frames = match kind {
        Kind::Gif => {
            let mut d = image::codecs::gif::GifDecoder::new(cursor).map_err(failed)?;
            d.set_limits(limits).map_err(failed)?;
            d.into_frames()
        }
        Kind::Png => image::codecs::png::PngDecoder::with_limits(cursor, limits)
            .and_then(image::codecs::png::PngDecoder::apng)
            .map_err(failed)?
            .into_frames(),
        _ => {
            let mut d = image::codecs::webp::WebPDecoder::new(cursor).map_err(failed)?;
            d.set_limits(limits).map_err(failed)?;
            d.into_frames()
        }
    };
    let (w, h) = (image.width, image.height);
    let per_frame = u64::from(w) * u64::from(h);
    // The decoders hold a few whole canvases at once (the frame, the
    // canvas it is composed on, the one before): about 10 bytes a pixel.
    if per_frame > MAX_FRAME_CANVAS {
        return Err(Refusal::TooComplex {
            format: kind.short_name(),
            what: FRAME_CANVAS,
            limit: MAX_FRAME_CANVAS,
        });
    }
    let mut pixels = 0u64;
    for (index, frame) in frames.enumerate() {
        if index >= MAX_FRAMES {
            return Err(too_long());
        }
        pixels = pixels.saturating_add(per_frame);
        if pixels > MAX_FRAME_PIXELS {
            return Err(too_long());
        }
        let frame = frame.map_err(failed)?;
        let buffer = frame.buffer();
        if buffer.dimensions() != (w, h) {
            return Err(Refusal::Corrupt {
                format: kind.short_name(),
                detail: "a frame is not the size of the image".into(),
            });
        }
        each(index, buffer)?;
        if index >= until {
            break;
        }
    }
    Ok(())
}

/// The faces in one composed frame, in pixels of the published image.
fn frame_faces(image: &CleanFile, frame: &image::RgbaImage) -> Result<Faces, Refusal> {
    let (w, h) = frame.dimensions();
    // Upright grey, over white where the frame is transparent (as a
    // page's background shows through).
    let grey: Vec<u8> = frame
        .pixels()
        .map(|p| {
            let [r, g, b, a] = p.0;
            let y = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
            ((y * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8
        })
        .collect();
    let (grey, w, h) = shrink(grey, w, h)?;
    let (grey, w, h) = upright(&grey, w, h, image.orientation());
    let boxes = detect(&grey, w, h)?;
    Ok(published_sizes(image, &boxes, w, h))
}

/// Grey pixels scaled down to at most [`DETECT_EDGE`] on the long edge.
fn shrink(grey: Vec<u8>, w: u32, h: u32) -> Result<(Vec<u8>, u32, u32), Refusal> {
    use fast_image_resize as fir;
    if w.max(h) <= DETECT_EDGE {
        return Ok((grey, w, h));
    }
    let scale = |a: u32, b: u32| {
        u32::try_from(u64::from(a) * u64::from(DETECT_EDGE) / u64::from(b.max(1)))
            .unwrap_or(1)
            .max(1)
    };
    let (tw, th) = if w >= h {
        (DETECT_EDGE, scale(h, w))
    } else {
        (scale(w, h), DETECT_EDGE)
    };
    let failed = |e: &dyn std::fmt::Display| Refusal::Corrupt {
        format: "image",
        detail: format!("a frame could not be resized ({e})"),
    };
    let src =
        fir::images::Image::from_vec_u8(w, h, grey, fir::PixelType::U8).map_err(|e| failed(&e))?;
    let mut dst = fir::images::Image::new(tw, th, fir::PixelType::U8);
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| failed(&e))?;
    Ok((dst.into_vec(), tw, th))
}

/// Grey pixels stored with EXIF orientation `o`, turned upright.
fn upright(p: &[u8], w: u32, h: u32, o: u16) -> (Vec<u8>, u32, u32) {
    super::resize::turn(p, w, h, 1, o)
}

/// For an animated PNG (one with an `acTL` chunk), whether its default
/// image is the animation's first frame (an `fcTL` before the first
/// `IDAT`); `None` for a still PNG. The bytes were checked by the
/// sanitiser.
fn png_animation(bytes: &[u8]) -> Option<bool> {
    let mut pos = 8;
    let mut animated = false;
    let mut fctl_first = false;
    while let (Some(header), Some(len)) = (bytes.get(pos..pos + 8), super::bytes::be32(bytes, pos))
    {
        let len = len as usize;
        match &header[4..8] {
            b"acTL" => animated = true,
            b"fcTL" => fctl_first = true,
            b"IDAT" => break,
            _ => {}
        }
        pos = pos.saturating_add(12).saturating_add(len);
    }
    animated.then_some(fctl_first)
}

/// Whether a WebP is marked as animated in its `VP8X` header.
fn webp_animated(bytes: &[u8]) -> bool {
    bytes.get(12..16) == Some(b"VP8X") && bytes.get(20).is_some_and(|f| f & 0x02 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame, RgbaImage};

    const SOLVAY: &[u8] = include_bytes!("../../tests/fixtures/solvay-1927.jpg");

    fn solvay() -> RgbaImage {
        image::load_from_memory(SOLVAY).expect("solvay").to_rgba8()
    }

    /// A plain frame the size of the photo, one pixel marked so that
    /// each is different.
    fn blank(mark: u32) -> RgbaImage {
        let mut img = RgbaImage::from_pixel(1000, 420, image::Rgba([200, 210, 220, 255]));
        img.put_pixel(mark % 1000, 0, image::Rgba([0, 0, 0, 255]));
        img
    }

    fn gif(frames: Vec<RgbaImage>) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = GifEncoder::new_with_speed(&mut out, 30);
            e.set_repeat(Repeat::Infinite).unwrap();
            for f in frames {
                e.encode_frame(Frame::from_parts(
                    f,
                    0,
                    0,
                    Delay::from_numer_denom_ms(100, 1),
                ))
                .unwrap();
            }
        }
        out
    }

    fn faces_of(bytes: &[u8]) -> Result<Option<Faces>, Refusal> {
        let clean = super::super::sanitise(bytes, &Settings::default())?;
        find(&clean, &Settings::default())
    }

    #[test]
    fn outlines_are_where_the_counted_faces_are_inside_the_photo() {
        let clean = super::super::sanitise(SOLVAY, &Settings::default()).unwrap();
        let boxes = outlines(&clean, &Settings::default()).unwrap();
        let counted = find(&clean, &Settings::default()).unwrap().unwrap();
        assert_eq!(boxes.len(), counted.sizes.len());
        for b in &boxes {
            assert!(
                b.left + b.width <= 100.5 && b.top + b.height <= 100.5,
                "{b:?}"
            );
            assert!(b.width > 0.0 && b.height > 0.0, "{b:?}");
        }
        // An animation is counted frame by frame by the build, not outlined.
        let animated =
            super::super::sanitise(&gif(vec![blank(0), solvay()]), &Settings::default()).unwrap();
        assert!(
            outlines(&animated, &Settings::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_group_in_a_gif_is_counted_even_after_a_blank_frame() {
        let still = faces_of(SOLVAY).unwrap().unwrap();
        assert!(still.count() >= 15, "{still:?}");
        let faces = faces_of(&gif(vec![blank(0), solvay()])).unwrap().unwrap();
        assert!(faces.count() >= 10, "{faces:?}");
        assert_eq!((faces.width, faces.height), (1000, 420));
        // Near miss: the blank frame alone has no face.
        let faces = faces_of(&gif(vec![blank(0), blank(1)])).unwrap().unwrap();
        assert_eq!(faces.count(), 0);
    }

    #[test]
    fn a_face_in_the_last_of_many_frames_is_found() {
        let mut frames: Vec<RgbaImage> = (0..40).map(blank).collect();
        frames.push(solvay());
        let faces = faces_of(&gif(frames)).unwrap().unwrap();
        assert!(faces.count() >= 10, "{faces:?}");
    }

    #[test]
    fn too_long_an_animation_is_refused_not_decoded_for_ever() {
        // A 2×2 GIF of 1,001 frames, each a 1×1 image.
        let mut v = b"GIF89a\x02\x00\x02\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff".to_vec();
        for _ in 0..=MAX_FRAMES {
            v.extend_from_slice(b"\x21\xf9\x04\x00\x0a\x00\x00\x00");
            v.extend_from_slice(b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00");
        }
        v.push(0x3B);
        let err = faces_of(&v).unwrap_err();
        assert!(matches!(err, Refusal::TooManyFrames { .. }), "{err}");
        assert!(err.fix().contains("shorten"), "{}", err.fix());
        // Near miss: a thousand frames are looked through.
        let cut = v.len() - 1 - 23;
        let mut ok = v[..cut].to_vec();
        ok.push(0x3B);
        assert_eq!(faces_of(&ok).unwrap().unwrap().count(), 0);
    }

    #[test]
    fn damaged_frames_are_refused_never_a_panic() {
        let input = gif(vec![blank(0), blank(1)]);
        for i in (13..input.len()).step_by(7) {
            let mut v = input.clone();
            v[i] ^= 0x5A;
            let _ = faces_of(&v);
        }
    }
}
