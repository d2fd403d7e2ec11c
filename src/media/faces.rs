//! Finding faces in a published image: a safety net for a photo that
//! shows more people than were declared, and a measure of how close and
//! face-on a photo of pupils is.
//!
//! Detection only. The detector (SeetaFace's frontal model through the
//! `rustface` crate, compiled into the program, so nothing is downloaded)
//! finds where faces looking towards the camera are and nothing else: no
//! face is measured for identity, stored, identified or compared with
//! another, so no biometric data is processed. Only how many faces there
//! are and how big each is (in pixels of the published image) leave this
//! module, as a [`Faces`]: not where they are, not their pixels.

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

/// The faces in `image`, or `None` for a file that has no still pixels to
/// look at (a GIF, which may be animated).
pub(super) fn find(image: &CleanFile, settings: &Settings) -> Result<Option<Faces>, Refusal> {
    if !matches!(image.kind(), Kind::Jpeg | Kind::Png | Kind::WebP) {
        return Ok(None);
    }
    let (shown_w, shown_h) = image.display_dimensions();
    let mut faces = Faces {
        width: shown_w,
        height: shown_h,
        sizes: Vec::new(),
    };
    let (grey, width, height) = resize::upright_grey(image, DETECT_EDGE, settings)?;
    if width < MIN_FACE || height < MIN_FACE {
        return Ok(Some(faces));
    }
    let Some(model) = model() else {
        return Err(Refusal::Corrupt {
            format: "face model",
            detail: "the built-in face detection model could not be read".into(),
        });
    };
    let boxes: Vec<u32> = DETECTOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let detector = slot.get_or_insert_with(|| {
            let mut d = rustface::create_detector_with_model(model.clone());
            d.set_min_face_size(MIN_FACE);
            d.set_score_thresh(SCORE_THRESHOLD);
            d.set_pyramid_scale_factor(0.8);
            d.set_slide_window_step(4, 4);
            d
        });
        let data = rustface::ImageData::new(&grey, width, height);
        detector
            .detect(&data)
            .iter()
            .map(|f| f.bbox().height())
            .collect()
    });
    // From the detection copy's pixels to the published image's.
    let (copy_long, shown_long) = (width.max(height), shown_w.max(shown_h));
    faces.sizes = boxes
        .into_iter()
        .map(|h| {
            let scaled = u64::from(h) * u64::from(shown_long) / u64::from(copy_long.max(1));
            u32::try_from(scaled)
                .unwrap_or(u32::MAX)
                .min(shown_w.min(shown_h))
        })
        .collect();
    faces.sizes.sort_unstable_by(|a, b| b.cmp(a));
    Ok(Some(faces))
}
