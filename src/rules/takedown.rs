//! Taken down: a build that would publish again a photo a standing
//! takedown took off the site (the same photo, published or original, or
//! any photo of a person taken down) is an error at the page line that
//! shows it. `publish` and `approve` refuse such a build too; this says
//! so at `build` and `check`, where it is put right. The takedowns were
//! read by the load stage ([`Standing`]); the test is theirs.

use super::Input;
use crate::consent::Lookup;
use crate::consent::declarations::Status as Declared;
use crate::publish::takedown::{Hit, Photo, Standing, mask_names};
use crate::report::{Finding, Location};
use rayon::prelude::*;

/// The rule's id.
pub const RULE: &str = "taken-down";

pub fn check(input: &Input) -> Vec<Finding> {
    let standing: &Standing = input.takedowns;
    if standing.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Finding> = standing
        .unreadable
        .iter()
        .map(|(file, why)| {
            Finding::error(
                RULE,
                Location::file(file),
                format!(
                    "{file} {why}: it records a takedown, so this build cannot be checked against it, and no build can be approved or published while it cannot be read"
                ),
                format!(
                    "restore {file} from the site's repository (it is committed with the approvals), then build again"
                ),
            )
        })
        .collect();
    let photos: Vec<Finding> = input
        .content_files
        .par_iter()
        .flat_map_iter(|(path, verdict)| {
            let mut found = Vec::new();
            let (Ok(processed), Some(uses)) = (verdict, input.uses.get(path)) else {
                return found;
            };
            let Some(first) = uses.first() else {
                return found;
            };
            let declared = match input.declarations.get(path) {
                Declared::Declared(d) => Some(d),
                _ => None,
            };
            let people: Vec<String> = declared
                .map(|d| d.people.iter().map(|p| p.id.clone()).collect())
                .unwrap_or_default();
            let published: Vec<String> = processed
                .renditions()
                .iter()
                .map(|r| r.hash().to_hex().to_string())
                .collect();
            let source = format!("{}/{path}", crate::content::CONTENT_DIR);
            let photo = Photo {
                source: &source,
                people: &people,
                published: &published,
            };
            for hit in standing.matching(&photo) {
                let shown: Vec<String> = uses
                    .iter()
                    .map(|u| format!("{} ({} line {})", u.url, u.file, u.line))
                    .collect();
                let declaration = declared
                    .map(|d| format!("; declared in {} line {}", d.sidecar, d.line))
                    .unwrap_or_default();
                let what = if hit.people.is_empty() {
                    format!("the photo {source} was {}", taken(input, &hit))
                } else {
                    let labels: Vec<String> = hit.people.iter().map(|p| label(input, p)).collect();
                    format!(
                        "the photo {source} shows {}, whose photos were {}",
                        labels.join(", "),
                        taken(input, &hit)
                    )
                };
                found.push(Finding::error(
                    RULE,
                    Location::line(&first.file, first.line),
                    format!(
                        "{what}, and this build would publish it again: it is on {}{declaration}",
                        shown.join(", ")
                    ),
                    format!(
                        "take the photo off the page ({} line {}{}) and out of content/, with its photos.toml entry; then build, and have that build approved. While the takedown stands, no build showing it can be approved or published",
                        first.file,
                        first.line,
                        if uses.len() > 1 {
                            " and every other page it is on"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            found
        })
        .collect();
    out.extend(photos);
    // The same bytes in the theme's static/, published under their name.
    for (file, verdict) in input.static_files {
        let Some(clean) = verdict.as_ref().ok().and_then(|p| p.renditions().last()) else {
            continue;
        };
        for (record_file, record) in standing.holding(&clean.hash().to_hex()) {
            let hit = Hit {
                file: record_file,
                record,
                people: Vec::new(),
            };
            out.push(Finding::error(
                RULE,
                Location::file(&file.display),
                format!(
                    "{} is a copy of a photo {}, and this build would publish it again as /{}",
                    file.display,
                    taken(input, &hit),
                    file.rel
                ),
                format!(
                    "remove {} from the theme, build, and have that build approved. While the takedown stands, no build showing it can be approved or published",
                    file.display
                ),
            ));
        }
    }
    out
}

/// "taken down on 2026-11-23 by Asha Patel (why; approvals/takedowns/ID.json)",
/// with any pupil's surname masked.
fn taken(input: &Input, hit: &Hit) -> String {
    let record = hit.record;
    format!(
        "taken down on {} by {} (\"{}\"; {})",
        record.day(),
        mask_names(&record.by, input.register),
        mask_names(&record.reason, input.register),
        hit.file
    )
}

/// "1001 (Millie H.)": a register id and the masked name.
fn label(input: &Input, id: &str) -> String {
    match input.register.lookup(id) {
        Lookup::Found(p) => p.label(),
        _ => format!("register id {id}"),
    }
}
