//! Consent: every published photo is declared, and everyone declared in it
//! may appear today, for that kind of photo. Photos that must come down
//! soon are flagged, and a photo showing clearly more faces than people
//! declared is questioned.
//!
//! Declarations are checked against the photo: a group photo in which
//! one face is found, and a photo declared as showing nobody in which a
//! face is clearly found, are errors; so is the same photo (the same
//! bytes) declared differently in two places.

use super::Input;
use crate::config::FaceCheck;
use crate::consent::Focus;
use crate::consent::declarations::Status as Declared;
use crate::consent::{self, Assessment, Block, Cell, Declaration, Policy, SIDECAR, Status};
use crate::content::FileUse;
use crate::media::{Faces, Kind};
use crate::report::{Finding, Location, Severity};

/// A face is *clearly* found when it is at least this many pixels tall
/// in the published image…
pub const CLEAR_FACE_PIXELS: u32 = 32;
/// …and at least this share (per cent) of the image's short edge: not a
/// speck in the wallpaper the detector took for a face.
pub const CLEAR_FACE_PERCENT: u32 = 3;

/// Whether any face in `faces` is clearly a face: see
/// [`CLEAR_FACE_PIXELS`] and [`CLEAR_FACE_PERCENT`].
pub fn clearly_found(faces: &Faces) -> bool {
    let largest = faces.largest();
    largest >= CLEAR_FACE_PIXELS
        && u64::from(largest) * 100 >= u64::from(CLEAR_FACE_PERCENT) * u64::from(faces.short_edge())
}

pub fn check(input: &Input) -> Vec<Finding> {
    use rayon::prelude::*;
    let policy = Policy::from(&input.config.consent);
    // Photo by photo, in parallel: this rule does the most work per photo.
    let mut out: Vec<Finding> = input
        .content_files
        .par_iter()
        .flat_map_iter(|(path, verdict)| check_photo(input, &policy, path, verdict))
        .collect();
    // A theme's own images (logos, icons) need no declaration, so one that
    // shows faces is questioned: photos of people belong in content/.
    for (file, verdict) in input.static_files {
        let Ok(processed) = verdict else { continue };
        let Some(found @ 1..) = processed.faces() else {
            continue;
        };
        let Some(severity) = face_severity(input) else {
            continue;
        };
        let faces = if found == 1 {
            "1 face".to_string()
        } else {
            format!("{found} faces")
        };
        let mut finding = Finding::warning(
            "faces-undeclared",
            Location::file(&file.display),
            format!(
                "this theme image shows {faces}, and theme images are not checked against the consent register"
            ),
            "put photos of people in content/, next to the page, and declare who is in them in photos.toml; keep only logos and icons in the theme",
        );
        finding.severity = severity;
        out.push(finding);
    }
    check_copies(input, &mut out);
    out
}

/// The same photo (the same bytes) declared differently in two places:
/// one of the declarations is wrong, and the photo would be published
/// under the weaker one. Reported at each entry that differs from the
/// first, naming both.
fn check_copies(input: &Input, out: &mut Vec<Finding>) {
    for group in input.declarations.copy_groups() {
        let copies: Vec<(&str, &Declaration)> = group
            .iter()
            .filter_map(|p| match input.declarations.get(p) {
                Declared::Declared(d) => Some((p.as_str(), d)),
                _ => None,
            })
            .collect();
        let Some(((first_path, first), rest)) = copies.split_first() else {
            continue;
        };
        let (key, described) = describe_declaration(input, first);
        for (path, declaration) in rest {
            let (here_key, here) = describe_declaration(input, declaration);
            if here_key == key {
                continue;
            }
            let name = path.rsplit('/').next().unwrap_or(path);
            out.push(Finding::error(
                "photo-copies",
                Location::line(&declaration.sidecar, declaration.line),
                format!(
                    "the photo {name} is the same photo as content/{first_path} (the same bytes), but they are declared differently: here {here}; in {} line {}, {described}",
                    first.sidecar, first.line
                ),
                "declare the photo the same way wherever it is used: everyone in it, with the same focus and blur, in both entries",
            ));
        }
    }
}

/// What a declaration says about who is in the photo, in words (ids as
/// written), and a key that is equal exactly when two declarations say
/// the same (ids as the register compares them).
fn describe_declaration(input: &Input, declaration: &Declaration) -> (String, String) {
    if declaration.nobody() {
        return ("nobody".to_string(), "showing nobody".to_string());
    }
    let mut people: Vec<(String, &str)> = declaration
        .people
        .iter()
        .map(|p| (consent::id_key(&p.id), p.id.as_str()))
        .collect();
    people.sort();
    people.dedup_by(|a, b| a.0 == b.0);
    let focus = consent::focus_of(input.register, declaration);
    let keys: Vec<&str> = people.iter().map(|p| p.0.as_str()).collect();
    let ids: Vec<&str> = people.iter().map(|p| p.1).collect();
    let article = if focus == Focus::Individual {
        "an"
    } else {
        "a"
    };
    let mut text = format!("{article} {} photo of {}", focus.as_str(), ids.join(", "));
    let mut key = format!("{} {}", focus.as_str(), keys.join(","));
    if !declaration.blur.is_empty() {
        let regions: Vec<String> = declaration
            .blur
            .iter()
            .map(|r| {
                format!(
                    "{{ left = {}, top = {}, width = {}, height = {} }}",
                    r.left, r.top, r.width, r.height
                )
            })
            .collect();
        text.push_str(&format!(", blurred at {}", regions.join(", ")));
        key.push_str(&format!(" {:?}", declaration.blur));
    }
    (key, text)
}

/// The findings for one content file: nothing unless it is a published
/// image.
fn check_photo(
    input: &Input,
    policy: &Policy,
    path: &str,
    verdict: &super::Verdict,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Ok(processed) = verdict else { return out };
    // A document (PDF) with pictures in it is declared like a photo; one
    // with none (only text, drawings, small logos) need not be.
    let kind = processed.kind();
    // Captions are text (checked by the names rule), never a picture.
    let pictures = processed
        .contents()
        .filter(|c| !c.lines)
        .map(|c| c.pictures());
    if !kind.may_show_people() || (kind == Kind::Pdf && pictures.is_none()) {
        return out;
    }
    let Some(pages) = input.uses.get(path) else {
        return out;
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    let declaration = match input.declarations.get(path) {
        Declared::Declared(d) => d,
        Declared::Undeclared if pictures == Some(0) => return out,
        status => {
            let sidecar = match path.rsplit_once('/') {
                Some((dir, _)) => format!("content/{dir}/{SIDECAR}"),
                None => format!("content/{SIDECAR}"),
            };
            let why = match status {
                Declared::SidecarBroken(s) => format!(" ({s} could not be read)"),
                _ => String::new(),
            };
            let what = match pictures {
                None if kind.is_video_or_audio() => format!(
                    "the {} {name} is not declared: nobody has said who is in it{why}",
                    if kind.is_video() {
                        "video"
                    } else {
                        "recording"
                    }
                ),
                Some(n) => format!(
                    "the document {name} has {} in it and is not declared: nobody has said who is in them{why}",
                    if n == 1 {
                        "a picture".to_string()
                    } else {
                        format!("{n} pictures")
                    }
                ),
                None => {
                    format!("the photo {name} is not declared: nobody has said who is in it{why}")
                }
            };
            for page in pages {
                out.push(Finding::error(
                    "photo-undeclared",
                    Location::line(&page.file, page.line),
                    what.clone(),
                    if pictures.is_some() {
                        format!(
                            "add it to {sidecar}: [[photo]] file = \"{name}\" with people = [\"id\", …] (everyone in its photos, by register id), or nobody = true if its pictures show no one (a logo, a chart, a drawing)"
                        )
                    } else {
                        format!(
                            "add it to {sidecar}: [[photo]] file = \"{name}\" with people = [\"id\", …] (their register ids) or nobody = true"
                        )
                    },
                ));
            }
            return out;
        }
    };
    check_people(input, policy, name, declaration, pages, &mut out);
    if processed.found_faces().is_some() {
        // A photo's faces, or those of each picture a document draws.
        let looked = Looked {
            document: pictures.is_some(),
            pictures: processed.faces_per_picture(),
            unchecked: processed.unchecked_pictures(),
        };
        check_faces(input, name, declaration, &looked, &mut out);
    }
    out
}

/// The faces looked for in a photo, or in each picture of a document.
struct Looked<'a> {
    document: bool,
    /// One for a photo; one per picture for a document.
    pictures: Vec<&'a Faces>,
    /// A document's pictures that could not be looked at whole.
    unchecked: u32,
}

fn face_severity(input: &Input) -> Option<Severity> {
    match input.config.consent.faces {
        FaceCheck::Off => None,
        FaceCheck::Warn => Some(Severity::Warning),
        FaceCheck::Error => Some(Severity::Error),
    }
}

fn check_people(
    input: &Input,
    policy: &Policy,
    name: &str,
    declaration: &Declaration,
    pages: &[FileUse],
    out: &mut Vec<Finding>,
) {
    let register = input.register;
    let people: Vec<_> = declaration
        .people
        .iter()
        .map(|p| (p, register.lookup(&p.id)))
        .collect();
    let pupils = people
        .iter()
        .filter(|(_, l)| consent::counts_as_pupil(l))
        .count();
    let focus = declaration.focus(pupils);
    let use_ = focus.consent_use();
    for (declared, lookup) in people {
        let Assessment {
            person,
            blocks,
            due,
        } = consent::assess_lookup(lookup, use_, input.today, policy);
        let due = due.filter(|d| (d.on - input.today).num_days() <= i64::from(policy.warn_days));
        if blocks.is_empty() && due.is_none() {
            continue;
        }
        let who = match person {
            Some(p) => format!("{} {}", p.role.as_str(), p.label()),
            None => format!("id {}", declared.id),
        };
        for block in blocks {
            let (rule, fix) = explain(&block, focus.as_str(), register);
            let text = format!("the photo {name}: {who} {block}");
            if matches!(
                block,
                Block::Unknown | Block::Duplicate(_) | Block::NoRegister
            ) {
                // Reported once, where the id is written; the message says
                // which pages show the photo.
                let shown: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
                out.push(Finding::error(
                    rule,
                    Location::line(&declaration.sidecar, declared.line),
                    format!("{text} (the photo is on {})", shown.join(", ")),
                    fix,
                ));
                continue;
            }
            for page in pages {
                out.push(Finding::error(
                    rule,
                    Location::line(&page.file, page.line),
                    text.clone(),
                    fix.clone(),
                ));
            }
        }
        let Some(due) = due else { continue };
        let days = (due.on - input.today).num_days();
        let rule = match due.reason {
            consent::DueReason::Leaves => "consent-leaving-soon",
            _ => "consent-expiring-soon",
        };
        let fix = match due.reason {
            consent::DueReason::ConsentExpires => format!(
                "ask the parents to renew consent and update the register before {}, or take the photo down",
                due.on
            ),
            _ => format!(
                "take the photo down before {}; `schoolsite leavers --on {}` lists every photo due then",
                due.on, due.on
            ),
        };
        for page in pages {
            out.push(Finding::warning(
                rule,
                Location::line(&page.file, page.line),
                format!(
                    "the photo {name}: {who} {} on {} ({}); the photo may not be published from then",
                    due.reason.describe(),
                    due.on,
                    crate::report::countdown(days)
                ),
                fix.clone(),
            ));
        }
    }
}

/// The rule id and the fix for a reason a person may not appear.
fn explain(block: &Block, focus: &str, register: &consent::Register) -> (&'static str, String) {
    let source = &register.source;
    match block {
        Block::NoRegister => (
            "consent-unknown-person",
            "put the MIS export in consent/ (see consent/README.md), or remove this id".into(),
        ),
        Block::Unknown => (
            "consent-unknown-person",
            format!("check the id against {source}; everyone in a photo must be in the register, staff and visitors included"),
        ),
        Block::Duplicate(_) => (
            "consent-unknown-person",
            format!("give each person in {source} their own id"),
        ),
        Block::Damaged(row) => (
            "consent-register",
            format!("fix row {row} of {source} (export it again from the MIS)"),
        ),
        Block::Unreadable(what) => (
            "consent-register",
            format!("correct the {what} in the MIS and export {source} again"),
        ),
        Block::NeverPublish => (
            "consent-never-publish",
            "take this photo off the page now; this child must never appear on the website. If they are only at the edge, crop them out, or blur them (blur = [...] in photos.toml) and remove their id".into(),
        ),
        Block::NoConsent {
            recorded: Cell::Is(Status::NotYet),
            ..
        } => (
            "consent-not-given",
            format!("their parents have not answered yet: use a {focus} photo without this person until the MIS records their consent"),
        ),
        Block::NoConsent { use_, .. } if use_ == "website_individual" => (
            "consent-not-given",
            "their parents have not agreed to individual photos: use a photo of a group in which they are not the focus, or record individual consent in the MIS first".into(),
        ),
        Block::NoConsent { .. } => (
            "consent-not-given",
            format!("use a {focus} photo without this person, blur them (blur = [...] in photos.toml) and remove their id, or record consent in the MIS first"),
        ),
        Block::NoConsentDate => (
            "consent-expired",
            format!("record the date consent was given or renewed in {source}"),
        ),
        Block::Expired(_) => (
            "consent-expired",
            "ask the parents to renew consent and update the register, or take the photo down".into(),
        ),
        Block::Withdrawn(_) => (
            "consent-withdrawn",
            "take the photo down now: consent was withdrawn".into(),
        ),
        Block::Left(_) => (
            "consent-left",
            "take the photo down: photos of pupils are removed once they leave".into(),
        ),
    }
}

fn check_faces(
    input: &Input,
    name: &str,
    declaration: &Declaration,
    looked: &Looked,
    out: &mut Vec<Finding>,
) {
    // The most faces in any one picture (frame, for an animation).
    let found = looked.pictures.iter().map(|f| f.count()).max().unwrap_or(0);
    let (what, within) = if looked.document {
        ("document", "in one of its pictures")
    } else {
        ("photo", "in it")
    };
    let at = Location::line(&declaration.sidecar, declaration.line);
    let plural = |n: u32| {
        if n == 1 {
            "1 face".to_string()
        } else {
            format!("{n} faces")
        }
    };
    let clear = looked
        .pictures
        .iter()
        .filter(|f| clearly_found(f))
        .max_by_key(|f| (f.count(), f.largest()));
    if declaration.nobody()
        && let Some(faces) = clear
    {
        let found = faces.count();
        // Whatever [consent] faces says: a photo of people declared as a
        // photo of nobody is published with nobody's consent checked.
        match &declaration.faces_checked_by {
            // Who checked is shown to the approver in the preview, not
            // here: it is free text, and findings never carry a name.
            Some(_) => out.push(Finding {
                severity: Severity::Notice,
                ..Finding::error(
                "faces-in-nobody-photo",
                at,
                format!(
                    "the {what} {name} is declared as showing nobody and {} found {within}; faces_checked_by records that a member of staff looked at it and found no one from the school in it (the approver sees who in the preview)",
                    plural(found)
                ),
                "nothing to do if that is right; if anyone in it is from the school, declare them in people = [\"id\", …] instead",
            )}),
            None => out.push(Finding::error(
                "faces-in-nobody-photo",
                at,
                format!(
                    "the {what} {name} is declared as showing nobody, but {} clearly found {within} (the largest {} pixels tall)",
                    if found == 1 { "a face is".to_string() } else { format!("{found} faces are") },
                    faces.largest()
                ),
                "declare everyone in it by register id (people = [\"id\", …]) and blur anyone without consent (blur = [...]). If no one in it is from the school (a painting, a photograph from a museum) or the faces are not faces, a member of staff must look at it and record that in its entry as faces_checked_by = \"their name\": the approver sees it in the preview. Faces are only counted, never identified",
            )),
        }
        return;
    }
    if declaration.nobody() && looked.unchecked > 0 {
        // Fail closed: a picture nobody could look at may show anyone.
        let pictures = if looked.unchecked == 1 {
            "1 of its pictures".to_string()
        } else {
            format!("{} of its pictures", looked.unchecked)
        };
        let finding = Finding::error(
            "faces-unchecked",
            at.clone(),
            format!(
                "the {what} {name} is declared as showing nobody, but {pictures} could not be looked at for faces (stored in a way schoolsite cannot decode: a fax-style scan, JBIG2, an unusual colour space)"
            ),
            "export it again from the program that made it with its pictures as JPEG, or have a member of staff look at every picture in it and, if no one from the school is in them, record that in its entry as faces_checked_by = \"their name\" (the approver sees it in the preview); if anyone from the school is in them, declare them in people = [\"id\", …]",
        );
        out.push(match &declaration.faces_checked_by {
            Some(_) => Finding {
                severity: Severity::Notice,
                ..finding
            },
            None => finding,
        });
    }
    if !declaration.nobody()
        && found == 1
        && consent::focus_of(input.register, declaration) == Focus::Group
    {
        out.push(Finding::error(
            "photo-focus",
            at.clone(),
            format!(
                "the {what} {name} is a group photo by its declaration, but only 1 face is found {within}: a photo in which one face can be seen is an individual photo"
            ),
            "write focus = \"individual\" in its entry (everyone declared then needs individual consent), or use a photo in which the group can be seen. Faces are only counted, never identified",
        ));
    }
    let settings = &input.config.consent;
    let declared = declaration.people.len() as u32;
    let tolerance = if declaration.nobody() {
        0
    } else {
        settings.face_tolerance
    };
    if found <= declared + tolerance {
        return;
    }
    let Some(severity) = face_severity(input) else {
        return;
    };
    let people = match declared {
        0 => "declared as showing nobody".to_string(),
        1 => "1 person declared".to_string(),
        n => format!("{n} people declared"),
    };
    let faces = plural(found);
    let mut finding = Finding::warning(
        "faces-undeclared",
        at,
        if looked.document {
            format!("the {what} {name}: {people}, {faces} found {within}")
        } else {
            format!("the {what} {name}: {people}, {faces} found")
        },
        "check everyone in the photo is declared; blur anyone without consent (blur = [...]). Faces are only counted, never identified. If the count is wrong, set [consent] face_tolerance",
    );
    finding.severity = severity;
    out.push(finding);
}
