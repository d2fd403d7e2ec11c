//! Images written with Markdown's image syntax: each must be a file in
//! `content/` that exists, have alt text, and never come from another
//! site. What raw HTML and templates load is the gate's business
//! (`render::gate`), which admits only files this build published.
//!
//! A damaged image published as a copy rebuilt from its pixels is warned
//! about, so the authoriser can replace it with a whole one.

use super::Input;
use crate::content::CONTENT_DIR;
use crate::content::RefKind;
use crate::content::paths::Target;
use crate::report::{Finding, Location};

pub fn check(input: &Input) -> Vec<Finding> {
    let site = input.site;
    let mut out = rebuilt(input);
    for r in site.references().filter(|r| r.kind == RefKind::Image) {
        let location = Location::line(r.doc.file(), r.line);
        match &r.target {
            Target::External => out.push(Finding::error(
                "image-external",
                location.clone(),
                format!("the image {:?} is on another website, so schoolsite cannot check or clean it", r.url),
                "download it, put it next to this page, and refer to it by its file name",
            )),
            Target::Escapes => out.push(Finding::error(
                "path-escape",
                location.clone(),
                format!("the image {:?} is outside content/; nothing outside content/ is published", r.url),
                "copy the photo next to this page and refer to it by its file name",
            )),
            Target::SiteAbsolute | Target::Other | Target::Document(..) => out.push(Finding::error(
                "image-missing",
                location.clone(),
                format!("the image {:?} is not a file in content/", r.url),
                "put the photo next to this page (a folder with index.md) and write ![description](photo.jpg)",
            )),
            Target::Content(path) => {
                if site.escapes(path) {
                    // Reported on the link itself by the loader.
                } else if !site.has_file(path) {
                    out.push(Finding::error(
                        "image-missing",
                        location.clone(),
                        format!("the image {:?} is not there (looked for content/{path})", r.url),
                        "check the file name and its capital letters, or add the photo",
                    ));
                } else if let Some(Ok(processed)) = input.content_files.get(path)
                    && !processed.kind().is_image()
                    && !processed.kind().is_video_or_audio()
                {
                    out.push(Finding::error(
                        "image-missing",
                        location.clone(),
                        format!(
                            "the image {:?} is {}, not a picture, so it cannot be shown as an image",
                            r.url,
                            processed.kind().name()
                        ),
                        "link to it instead: [Autumn newsletter (PDF)](newsletter.pdf), without the !",
                    ));
                }
            }
        }
        if r.alt.trim().is_empty() {
            out.push(Finding::error(
                "image-alt",
                location,
                format!("the image {:?} has no alt text", r.url),
                "describe the photo in the brackets, e.g. ![Children planting bulbs in the school garden](garden.jpg); never use a pupil's full name",
            ));
        }
    }
    out
}

/// Damaged images (content or theme) published as copies rebuilt from
/// their pixels rather than cleaned as they are.
fn rebuilt(input: &Input) -> Vec<Finding> {
    let content = input
        .content_files
        .iter()
        .map(|(path, verdict)| (format!("{CONTENT_DIR}/{path}"), verdict));
    let theme = input
        .static_files
        .iter()
        .map(|(f, verdict)| (f.display.clone(), verdict));
    content
        .chain(theme)
        .filter_map(|(file, verdict)| {
            let damage = crate::media::rebuilt_because(verdict.as_ref().ok()?.removed())?;
            Some(Finding::warning(
                "image-rebuilt",
                Location::file(file),
                format!(
                    "this image is damaged ({damage}), so schoolsite published a copy made afresh from its pixels: it may look slightly different (a JPEG a little less sharp, colours without their profile), and nothing else the file held was kept"
                ),
                "export it again from a photo editor, or copy it again from the camera or phone, to keep its full quality",
            ))
        })
        .collect()
}
