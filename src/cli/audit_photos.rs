//! `schoolsite audit-photos`: every published photo that declares a
//! pupil, most identifiable first, for the regular audit safeguarding
//! advice asks schools to make of the pupil images they publish.
//!
//! Faces are only detected (counted and sized), never identified.

use super::Format;
use super::SiteArgs;
use schoolsite::consent::{self, Policy, assess, audit};
use schoolsite::pipeline;
use schoolsite::rules::{Grade, declares_pupil, most_identifiable};
use serde::Serialize;

#[derive(clap::Args)]
pub struct AuditPhotosArgs {
    #[command(flatten)]
    site: SiteArgs,
}

/// One published photo of pupils, as the audit lists it.
#[derive(Debug, Serialize)]
struct Row {
    /// The photo, relative to the site root.
    photo: String,
    grade: Grade,
    /// Faces towards the camera found; `None` when not looked for.
    faces: Option<u32>,
    /// The largest face's height in published pixels.
    largest_face_pixels: Option<u32>,
    /// The largest face's height as a percentage of the short edge, to
    /// one decimal place.
    largest_face_percent: Option<f64>,
    /// The largest published version, as shown (0 × 0 for a clip or a
    /// document).
    width: u32,
    height: u32,
    long_edge: u32,
    focus: consent::Focus,
    declared_in: String,
    declared_line: usize,
    /// "may-appear" when everyone declared may appear today, else
    /// "blocked".
    consent: &'static str,
    people: Vec<PersonRow>,
    pages: Vec<audit::Page>,
}

#[derive(Debug, Serialize)]
struct PersonRow {
    who: audit::Who,
    may_appear: bool,
    /// Why they may not appear today, in words.
    problems: Vec<String>,
    /// The first day they may no longer appear, when known and to come,
    /// and why ("leaves the school", "consent expires").
    until: Option<chrono::NaiveDate>,
    until_reason: Option<&'static str>,
}

pub fn run(args: &AuditPhotosArgs) -> anyhow::Result<u8> {
    let (survey, files) = pipeline::survey_media(&args.site.root, args.site.options())?;
    let photos_config = &survey.config.photos;
    let policy = Policy::from(&survey.config.consent);
    let register = &survey.register;
    let mut rows = Vec::new();
    for (path, declaration) in survey.declarations.iter() {
        let Some(uses) = survey.uses.get(path) else {
            continue;
        };
        if !declares_pupil(register, declaration) {
            continue;
        }
        // A file the sanitiser refused is not published (the build says
        // why); it cannot be audited for faces.
        let Some(Ok(processed)) = files.get(path) else {
            continue;
        };
        // A photo's faces, or a document's most identifiable picture's.
        let (graded, found) = most_identifiable(processed, photos_config);
        let (width, height) = if processed.kind().is_image() {
            processed.largest().display_dimensions()
        } else {
            (0, 0)
        };
        let focus = consent::focus_of(register, declaration);
        let people: Vec<PersonRow> = declaration
            .people
            .iter()
            .map(|p| {
                let a = assess(register, &p.id, focus.consent_use(), survey.today, &policy);
                PersonRow {
                    who: audit::who(register, &p.id),
                    may_appear: a.blocks.is_empty(),
                    problems: a.blocks.iter().map(ToString::to_string).collect(),
                    until: a.due.map(|d| d.on),
                    until_reason: a.due.map(|d| d.reason.describe()),
                }
            })
            .collect();
        rows.push(Row {
            photo: format!("{}/{path}", schoolsite::content::CONTENT_DIR),
            grade: graded,
            faces: found.map(|f| f.count()),
            largest_face_pixels: found.map(|f| f.largest()),
            largest_face_percent: found.map(|f| (f.largest_percent() * 10.0).round() / 10.0),
            width,
            height,
            long_edge: width.max(height),
            focus,
            declared_in: declaration.sidecar.clone(),
            declared_line: declaration.line,
            consent: if people.iter().all(|p| p.may_appear) {
                "may-appear"
            } else {
                "blocked"
            },
            people,
            pages: uses
                .iter()
                .map(|u| audit::Page {
                    file: u.file.clone(),
                    line: u.line,
                    url: u.url.clone(),
                })
                .collect(),
        });
    }
    // Most identifiable first: by grade, then the largest face's share of
    // the photo, its size, and the photo's size.
    rows.sort_by(|a, b| {
        a.grade
            .cmp(&b.grade)
            .then(
                b.largest_face_percent
                    .unwrap_or(0.0)
                    .total_cmp(&a.largest_face_percent.unwrap_or(0.0)),
            )
            .then(b.largest_face_pixels.cmp(&a.largest_face_pixels))
            .then(b.long_edge.cmp(&a.long_edge))
            .then(a.photo.cmp(&b.photo))
    });
    if args.site.format == Format::Json {
        let doc = serde_json::json!({
            "schema": 1,
            "today": survey.today,
            "close_up": {
                "percent": photos_config.close_up_percent,
                "pixels": photos_config.close_up_pixels,
            },
            "max_pupil_long_edge": survey.config.images.max_pupil_long_edge,
            "photos": rows,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    print_human(&rows, &survey, photos_config);
    Ok(0)
}

fn print_human(rows: &[Row], survey: &pipeline::Survey, photos: &schoolsite::config::Photos) {
    if !survey.register.is_usable() {
        for f in &survey.register.problems {
            eprintln!("{}: {}", f.location, f.message);
        }
    }
    if rows.is_empty() {
        println!(
            "No published photo declares a pupil (checked on {}).",
            survey.today
        );
        return;
    }
    println!(
        "Published photos of pupils, most identifiable first (checked on {}). A face-on close-up is a face towards the camera at least {}% of the photo's short edge and {} pixels tall as published.\n",
        survey.today, photos.close_up_percent, photos.close_up_pixels
    );
    for row in rows {
        println!("{}: {}", row.photo, row.grade.describe());
        match row.faces {
            Some(0) | None => {}
            Some(n) => println!(
                "  {n} {} towards the camera; the largest {} pixels tall, {:.1}% of the short edge",
                if n == 1 { "face" } else { "faces" },
                row.largest_face_pixels.unwrap_or(0),
                row.largest_face_percent.unwrap_or(0.0)
            ),
        }
        if row.long_edge > 0 {
            println!(
                "  published at {}×{} pixels ({} on the long edge)",
                row.width, row.height, row.long_edge
            );
        }
        println!(
            "  {} photo, declared in {} line {}; consent: {}",
            row.focus.as_str(),
            row.declared_in,
            row.declared_line,
            if row.consent == "blocked" {
                "someone in it may not appear today"
            } else {
                "everyone in it may appear today"
            }
        );
        for p in &row.people {
            let standing = if p.may_appear {
                match (p.until, p.until_reason) {
                    (Some(on), Some(why)) => format!("may appear (not from {on}: {why})"),
                    _ => "may appear".to_string(),
                }
            } else {
                format!("may not appear: {}", p.problems.join("; "))
            };
            println!("  {}: {standing}", p.who.describe());
        }
        for page in &row.pages {
            println!("  on {} line {} ({})", page.file, page.line, page.url);
        }
        println!();
    }
    let count = |g: Grade| rows.iter().filter(|r| r.grade == g).count();
    let n = rows.len();
    println!(
        "{n} published {} of pupils: {} face-on close-up, {} not checked, {} with faces visible, {} with no face towards the camera found.",
        if n == 1 { "photo" } else { "photos" },
        count(Grade::CloseUp),
        count(Grade::NotChecked),
        count(Grade::FacesVisible),
        count(Grade::NoFaceFound),
    );
    println!(
        "Faces are only detected, never identified; a photo with no face found can still show someone who can be recognised. Look through the list at every audit: safeguarding advice (May 2026) is to avoid face-on, identifiable photos of pupils and to audit published pupil images regularly."
    );
}
