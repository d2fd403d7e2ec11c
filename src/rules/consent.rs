//! Consent: every published photo is declared, and everyone declared in it
//! may appear today, for that kind of photo. Photos that must come down
//! soon are flagged, and a photo showing clearly more faces than people
//! declared is questioned.

use super::Input;
use crate::config::FaceCheck;
use crate::consent::declarations::Status as Declared;
use crate::consent::{self, Assessment, Block, Cell, Declaration, Policy, SIDECAR, Status};
use crate::content::FileUse;
use crate::report::{Finding, Location, Severity};

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
    out
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
    if !kind.is_image() && !kind.is_video_or_audio() && pictures.is_none() {
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
    if let Some(found) = processed.faces() {
        check_faces(input, name, declaration, found, &mut out);
    }
    out
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
    found: u32,
    out: &mut Vec<Finding>,
) {
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
    let faces = if found == 1 { "1 face" } else { "faces" };
    let faces = if found == 1 {
        faces.to_string()
    } else {
        format!("{found} {faces}")
    };
    let mut finding = Finding::warning(
        "faces-undeclared",
        Location::line(&declaration.sidecar, declaration.line),
        format!("the photo {name}: {people}, {faces} found"),
        "check everyone in the photo is declared; blur anyone without consent (blur = [...]). Faces are only counted, never identified. If the count is wrong, set [consent] face_tolerance",
    );
    finding.severity = severity;
    out.push(finding);
}
