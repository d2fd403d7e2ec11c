//! Files that would be published: each must pass the sanitiser, and its
//! name must say what it really is. Files nobody refers to are not
//! published, and the authoriser is told.

use super::Input;
use crate::content::CONTENT_DIR;
use crate::report::{Finding, Location};

pub fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, verdict) in input.content_files {
        let file = format!("{CONTENT_DIR}/{path}");
        let used_by = used_by(input.uses.get(path).map_or(&[][..], Vec::as_slice));
        judge(&mut out, &file, path, verdict, &used_by, false);
    }
    for (f, verdict) in input.static_files {
        judge(&mut out, &f.display, &f.rel, verdict, "", true);
    }
    // Prerecorded video needs captions (WCAG 2.2, 1.2.2).
    for (path, verdict) in input.content_files {
        let Ok(processed) = verdict else { continue };
        if !processed.kind().is_video() {
            continue;
        }
        let stem = path.rsplit_once('.').map_or(path.as_str(), |(s, _)| s);
        let captioned = ["vtt", "srt"].iter().any(|ext| {
            matches!(
                input.content_files.get(&format!("{stem}.{ext}")),
                Some(Ok(_))
            )
        });
        if !captioned {
            let name = stem.rsplit('/').next().unwrap_or(stem);
            out.push(Finding::warning(
                "video-captions",
                Location::file(format!("{CONTENT_DIR}/{path}")),
                "this video has no captions, so people who cannot hear it miss what is said (WCAG 2.2 asks for captions on prerecorded video)",
                format!("write its captions in a WebVTT file named {name}.vtt beside it (or {name}.srt); it is published with the video and checked for pupils' names"),
            ));
        }
    }
    for f in &input.site.files {
        // photos.toml files are read by the build, never published.
        let sidecar = f.path.rsplit('/').next() == Some(crate::consent::SIDECAR);
        if !input.uses.contains_key(&f.path) && !sidecar {
            out.push(Finding::warning(
                "unused-file",
                Location::file(format!("{CONTENT_DIR}/{}", f.path)),
                "no page refers to this file, so it is not published",
                "delete it if it is not needed (photos of pupils should not be kept longer than needed), or use it on a page",
            ));
        }
    }
    out
}

/// A content file is published under a name of the sanitiser's making;
/// a theme's file (`keeps_name`) under its own, so a name that says it is
/// something else is an error there: a server would serve it as that.
fn judge(
    out: &mut Vec<Finding>,
    file: &str,
    name: &str,
    verdict: &super::Verdict,
    used_by: &str,
    keeps_name: bool,
) {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match verdict {
        Ok(clean) if keeps_name && !clean.kind().accepts_extension(ext) => {
            out.push(Finding::error(
                "media-mismatch",
                Location::file(file),
                format!(
                    "this theme file is published under its own name, which ends in .{ext}, but it is really {}: a web server would serve it as .{ext}",
                    clean.kind().name()
                ),
                format!("rename it to end in .{}", clean.kind().extension()),
            ));
        }
        Ok(clean) => {
            if !clean.kind().accepts_extension(ext) {
                out.push(Finding::warning(
                    "media-mismatch",
                    Location::file(file),
                    format!(
                        "the name ends in .{ext} but the file is really {}; it is published as .{}",
                        clean.kind().name(),
                        clean.kind().extension()
                    ),
                    format!("rename it to end in .{}", clean.kind().extension()),
                ));
            }
        }
        Err(refusal) => out.push(Finding::error(
            "media-refused",
            Location::file(file),
            format!("this file cannot be published: {refusal}{used_by}"),
            refusal.fix(),
        )),
    }
}

fn used_by(uses: &[crate::content::FileUse]) -> String {
    let users: Vec<String> = uses
        .iter()
        .map(|u| format!("{}:{}", u.file, u.line))
        .collect();
    if users.is_empty() {
        String::new()
    } else {
        format!(" (used at {})", users.join(", "))
    }
}
