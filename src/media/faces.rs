//! Counting faces in a published image: a safety net for a photo that
//! shows more people than were declared.
//!
//! Detection only. The detector (SeetaFace's frontal model through the
//! `rustface` crate, compiled into the program, so nothing is downloaded)
//! finds where faces are and nothing else: no face is measured, stored,
//! identified or compared with another, so no biometric data is processed.
//! Only the count leaves this module.

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

fn model() -> Option<&'static rustface::Model> {
    static MODEL: OnceLock<Option<rustface::Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| rustface::read_model(std::io::Cursor::new(MODEL_BYTES)).ok())
        .as_ref()
}

thread_local! {
    static DETECTOR: RefCell<Option<Box<dyn rustface::Detector>>> = const { RefCell::new(None) };
}

/// The number of faces in `image`, or `None` for a file that has no still
/// pixels to look at (a GIF, which may be animated).
pub(super) fn count(image: &CleanFile, settings: &Settings) -> Result<Option<u32>, Refusal> {
    if !matches!(image.kind(), Kind::Jpeg | Kind::Png | Kind::WebP) {
        return Ok(None);
    }
    let (grey, width, height) = resize::upright_grey(image, DETECT_EDGE, settings)?;
    if width < MIN_FACE || height < MIN_FACE {
        return Ok(Some(0));
    }
    let Some(model) = model() else {
        return Err(Refusal::Corrupt {
            format: "face model",
            detail: "the built-in face detection model could not be read".into(),
        });
    };
    let found = DETECTOR.with(|cell| {
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
        detector.detect(&data).len()
    });
    Ok(Some(u32::try_from(found).unwrap_or(u32::MAX)))
}
