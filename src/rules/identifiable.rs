//! Identifiable photos: a published photo that declares a pupil and shows
//! a face towards the camera large enough to identify them (a face-on
//! close-up) is questioned, as safeguarding advice asks.
//!
//! The detector (SeetaFace's frontal model) only finds faces turned
//! towards the camera, and only their count and sizes reach this rule:
//! nobody is identified, and no biometric data is processed. How close is
//! a close-up is the school's `[photos]` table.

use super::Input;
use crate::config::{FaceCheck, Photos};
use crate::consent::declarations::Status as Declared;
use crate::consent::{self, Declaration, Register};
use crate::media::Faces;
use crate::report::{Finding, Location, Severity};

/// The rule's id.
pub const RULE: &str = "identifiable-photo";

/// How identifiable a published photo is, most first: the order
/// `schoolsite audit-photos` lists photos in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// A face towards the camera at least `[photos] close_up_percent` of
    /// the photo's short edge and `close_up_pixels` tall as published.
    CloseUp,
    /// Nobody looked for faces in it (a video, a document's pictures): a
    /// person must look. Listed after close-ups, since it could be one.
    NotChecked,
    /// Faces towards the camera, none as large as a close-up: a group, or
    /// people further away.
    FacesVisible,
    /// No face towards the camera found: from behind, at a distance, in
    /// profile, or looking down. Not a promise nobody can be recognised.
    NoFaceFound,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::CloseUp => "close-up",
            Grade::NotChecked => "not-checked",
            Grade::FacesVisible => "faces-visible",
            Grade::NoFaceFound => "no-face-found",
        }
    }

    /// In words, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Grade::CloseUp => "face-on close-up",
            Grade::NotChecked => "not checked for faces (look at it yourself)",
            Grade::FacesVisible => "faces visible, smaller than a close-up",
            Grade::NoFaceFound => "no face towards the camera found",
        }
    }
}

/// How identifiable a photo is, from the faces found in it (`None`: not
/// looked for).
pub fn grade(faces: Option<&Faces>, photos: &Photos) -> Grade {
    let Some(faces) = faces else {
        return Grade::NotChecked;
    };
    if faces.count() == 0 {
        return Grade::NoFaceFound;
    }
    let largest = u64::from(faces.largest());
    let share_met =
        largest * 100 >= u64::from(photos.close_up_percent) * u64::from(faces.short_edge());
    if share_met && largest >= u64::from(photos.close_up_pixels) {
        Grade::CloseUp
    } else {
        Grade::FacesVisible
    }
}

/// How identifiable a published file is, and the faces that say so: a
/// photo's, or those of the most identifiable picture a document draws.
/// A document with a picture that could not be looked at is not checked
/// unless another picture is a close-up (fail closed: it could be one).
pub fn most_identifiable<'a>(
    processed: &'a crate::media::Processed,
    photos: &Photos,
) -> (Grade, Option<&'a Faces>) {
    let best = processed
        .faces_per_picture()
        .into_iter()
        .min_by_key(|f| (grade(Some(f), photos), std::cmp::Reverse(f.largest())));
    let faces = best.or(processed.found_faces());
    let graded = grade(faces, photos);
    if processed.unchecked_pictures() > 0 && graded > Grade::NotChecked {
        return (Grade::NotChecked, faces);
    }
    (graded, faces)
}

/// Whether a declaration names a pupil: a pupil in the register, or an
/// id the register cannot vouch for (counted as a pupil, to fail closed).
pub fn declares_pupil(register: &Register, declaration: &Declaration) -> bool {
    declaration
        .people
        .iter()
        .any(|p| consent::counts_as_pupil(&register.lookup(&p.id)))
}

/// What the advice says, for the fix: in schoolsite's words, with its
/// source named (see docs/consent.md, "Identifiable photos").
pub const ADVICE: &str = "safeguarding advice to schools from the UK Online Harms Early Warning Working Group (May 2026; its members include the NCA, the IWF and the NSPCC), given after a school's website photos were made into AI-generated abuse images, is to avoid face-on, identifiable photos of pupils and prefer photos taken at a distance, of groups, or from behind";

pub fn check(input: &Input) -> Vec<Finding> {
    let photos = &input.config.photos;
    let severity = match photos.identifiable {
        FaceCheck::Off => return Vec::new(),
        FaceCheck::Warn => Severity::Warning,
        FaceCheck::Error => Severity::Error,
    };
    let mut out = Vec::new();
    for (path, verdict) in input.content_files {
        let Ok(processed) = verdict else { continue };
        let Some(pages) = input.uses.get(path) else {
            continue;
        };
        let Declared::Declared(declaration) = input.declarations.get(path) else {
            continue;
        };
        if !declares_pupil(input.register, declaration) {
            continue;
        }
        // A photo, or the most identifiable picture in a document.
        let (Grade::CloseUp, Some(faces)) = most_identifiable(processed, photos) else {
            continue;
        };
        let document = processed.kind() == crate::media::Kind::Pdf;
        let (what, picture) = if document {
            ("document", "a picture in it is")
        } else {
            ("photo", "is")
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        let shown: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
        let mut finding = Finding::warning(
            RULE,
            Location::line(&declaration.sidecar, declaration.line),
            format!(
                "the {what} {name} shows a pupil and {picture} a face-on close-up: a face towards the camera is {} pixels tall as published, {:.0}% of the {}'s short edge (a close-up from {}% and {} pixels); it is on {}",
                faces.largest(),
                faces.largest_percent().floor(),
                if document { "picture" } else { "photo" },
                photos.close_up_percent,
                photos.close_up_pixels,
                shown.join(", ")
            ),
            format!(
                "{ADVICE}. Use such a photo instead, or crop or blur the faces (blur = [...] in photos.toml); publish photos of pupils at a lower resolution ([images] max_pupil_long_edge). Faces are only detected, never identified. `schoolsite audit-photos` lists every published photo of pupils by how identifiable it is"
            ),
        );
        finding.severity = severity;
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faces(width: u32, height: u32, sizes: &[u32]) -> Faces {
        Faces {
            width,
            height,
            sizes: sizes.to_vec(),
        }
    }

    #[test]
    fn grades_by_share_and_pixels() {
        let p = Photos::default();
        assert_eq!(grade(None, &p), Grade::NotChecked);
        assert_eq!(grade(Some(&faces(1600, 1067, &[])), &p), Grade::NoFaceFound);
        // A portrait: the face fills a third of the frame.
        assert_eq!(grade(Some(&faces(800, 1000, &[300])), &p), Grade::CloseUp);
        // A class photo: faces 6% of the short edge.
        assert_eq!(
            grade(Some(&faces(1600, 1067, &[64, 60, 58])), &p),
            Grade::FacesVisible
        );
        // A close-up only a thumbnail's size: too few pixels.
        assert_eq!(
            grade(Some(&faces(200, 150, &[50])), &p),
            Grade::FacesVisible
        );
        // Exactly at both thresholds is a close-up.
        assert_eq!(grade(Some(&faces(900, 640, &[64])), &p), Grade::CloseUp);
        assert_eq!(
            grade(Some(&faces(900, 641, &[64])), &p),
            Grade::FacesVisible
        );
    }

    #[test]
    fn most_identifiable_sorts_first() {
        let mut grades = vec![
            Grade::NoFaceFound,
            Grade::FacesVisible,
            Grade::CloseUp,
            Grade::NotChecked,
        ];
        grades.sort();
        assert_eq!(
            grades,
            [
                Grade::CloseUp,
                Grade::NotChecked,
                Grade::FacesVisible,
                Grade::NoFaceFound
            ]
        );
    }
}
