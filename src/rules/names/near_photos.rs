//! Names next to photos: a page that shows a photo of a pupil may give
//! their first name only where their parents agreed to it (the
//! register's `website_named_first_name` consent), and, where the school's
//! policy is that photos carry no names at all (`[names] near_photos =
//! "any-name"`), not even that.
//!
//! Full names are the names rule's own; this reads the first names of the
//! pupils declared in each page's photos, on the page as published.

use super::{Input, html, normalise, words};
use crate::config::NearPhotos;
use crate::consent::declarations::Status as Declared;
use crate::consent::{self, Block, Lookup, Policy, Role};
use crate::report::{Finding, Location};
use std::collections::HashMap;

/// The consent a pupil's first name next to their photo needs.
pub const FIRST_NAME_USE: &str = "website_named_first_name";

pub fn check(input: &Input) -> Vec<Finding> {
    let mut out = pages(input);
    out.extend(captions(input));
    out
}

/// Why a pupil's first name may not be given next to their photo, if it
/// may not: the school's policy, or no consent for it.
fn refused(input: &Input, policy: &Policy, id: &str) -> Option<String> {
    match input.config.names.near_photos {
        NearPhotos::AnyName => Some(
            "the school's policy is that photos carry no names ([names] near_photos = \"any-name\")"
                .to_string(),
        ),
        NearPhotos::FullName => consent::assess(input.register, id, FIRST_NAME_USE, input.today, policy)
            .blocks
            .into_iter()
            .find(|b| matches!(b, Block::NoConsent { use_, .. } if use_ == FIRST_NAME_USE))
            .map(|b| format!("the pupil {b}")),
    }
}

/// A video's captions are shown with it: a first name in them is a first
/// name next to the video of that pupil.
fn captions(input: &Input) -> Vec<Finding> {
    let policy = Policy::from(&input.config.consent);
    let mut out = Vec::new();
    for (path, verdict) in input.content_files {
        let Some(contents) = verdict.as_ref().ok().and_then(|p| p.contents()) else {
            continue;
        };
        let Some(text) = contents
            .pages
            .first()
            .map(|p| &p.text)
            .filter(|_| contents.lines)
        else {
            continue;
        };
        let Some((stem, _)) = path.rsplit_once('.') else {
            continue;
        };
        // The clip these captions belong to: the same name, a video.
        let videos = input.content_files.iter().filter(|(v, verdict)| {
            v.strip_prefix(stem)
                .is_some_and(|rest| rest.starts_with('.') && !rest[1..].contains('/'))
                && verdict.as_ref().is_ok_and(|p| p.kind().is_video_or_audio())
        });
        let n = normalise::normalise(text);
        for (video, _) in videos {
            let Declared::Declared(declaration) = input.declarations.get(video) else {
                continue;
            };
            for person in &declaration.people {
                let Lookup::Found(pupil) = input.register.lookup(&person.id) else {
                    continue;
                };
                if pupil.role != Role::Pupil {
                    continue;
                }
                let (forenames, _) = pupil.names_for_matching();
                let Some(at) = forenames
                    .iter()
                    .find_map(|f| first_name_at(&n, text, &normalise::name(f)))
                else {
                    continue;
                };
                let Some(why) = refused(input, &policy, &person.id) else {
                    continue;
                };
                let line = 1 + text[..at].matches('\n').count();
                let name = video.rsplit('/').next().unwrap_or(video);
                out.push(Finding::error(
                    "name-near-photo",
                    Location::line(format!("content/{path}"), line),
                    format!(
                        "these captions of the video {name} of pupil {} give their first name, but {why}",
                        pupil.label()
                    ),
                    "take their name out of the captions (say what is happening instead), or use a clip they are not in",
                ));
            }
        }
    }
    out
}

fn pages(input: &Input) -> Vec<Finding> {
    // The pupils each page shows in a photo: address → (id, photo).
    let mut shown: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (photo, uses) in input.uses {
        let Declared::Declared(declaration) = input.declarations.get(photo) else {
            continue;
        };
        for place in uses {
            for person in &declaration.people {
                shown
                    .entry(place.url.as_str())
                    .or_default()
                    .push((person.id.as_str(), photo.as_str()));
            }
        }
    }
    if shown.is_empty() {
        return Vec::new();
    }
    let policy = Policy::from(&input.config.consent);
    let mut out = Vec::new();
    for page in input.pages.iter().filter(|p| !p.derived()) {
        let Some(people) = shown.get(page.path()) else {
            continue;
        };
        // Read both ways: inline tags joining words, and as breaks (an
        // inline tag inside a word may hide what it holds).
        let texts = [
            html::page_text(page.html(), false).text,
            html::page_text(page.html(), true).text,
        ];
        let read: Vec<(normalise::Normalised, &String)> =
            texts.iter().map(|t| (normalise::normalise(t), t)).collect();
        let mut reported = Vec::new();
        for &(id, photo) in people {
            let Lookup::Found(person) = input.register.lookup(id) else {
                // Unknown people are the consent rule's.
                continue;
            };
            if person.role != Role::Pupil || reported.contains(&id) {
                continue;
            }
            let (forenames, _) = person.names_for_matching();
            let Some(first) = forenames.iter().find(|f| {
                read.iter()
                    .any(|(n, text)| first_name_in(n, text, &normalise::name(f)))
            }) else {
                continue;
            };
            let why = refused(input, &policy, id);
            let Some(why) = why else { continue };
            reported.push(id);
            let place = input
                .uses
                .get(photo)
                .and_then(|uses| uses.iter().find(|u| u.url == page.path()));
            let location = place.map_or_else(
                || Location::file(format!("content/{photo}")),
                |u| Location::line(&u.file, name_line(input, &u.file, first).unwrap_or(u.line)),
            );
            let name = photo.rsplit('/').next().unwrap_or(photo);
            out.push(Finding::error(
                "name-near-photo",
                location,
                format!(
                    "this page shows the photo {name} of pupil {} and gives their first name, but {why}",
                    person.label()
                ),
                "take their name off this page (a caption can say what is happening instead), or show a photo they are not in",
            ));
        }
    }
    out
}

/// Whether the normalised forename `first` is a word of the text; for a
/// name that is also an everyday word ("Summer", "Grace"), written as a
/// name: with a capital, and not just after a full stop.
fn first_name_in(n: &normalise::Normalised, text: &str, first: &str) -> bool {
    first_name_at(n, text, first).is_some()
}

/// [`first_name_in`], with where in `text` the name is.
fn first_name_at(n: &normalise::Normalised, text: &str, first: &str) -> Option<usize> {
    if first.is_empty() {
        return None;
    }
    let hay = n.text.as_str();
    let common = words::is_common_word(first);
    let mut from = 0;
    while let Some(at) = hay[from..].find(first).map(|a| from + a) {
        from = at + 1;
        let end = at + first.len();
        let whole = (at == 0 || hay.as_bytes()[at - 1] == b' ')
            && (end == hay.len() || hay.as_bytes()[end] == b' ');
        if !whole {
            continue;
        }
        let (s, _) = n.source_range(at, end, text);
        // An everyday word counts as a name only written as one.
        if common && !text[s..].starts_with(char::is_uppercase) {
            continue;
        }
        let before = text[..s]
            .trim_end_matches(|c: char| (c.is_whitespace() && c != html::BLOCK_BREAK) || c == '"');
        // After a full stop, not at the start of a heading, a caption, a
        // list item or alt text, which name as readily as a sentence.
        let sentence_start = before.ends_with(['.', '!', '?']);
        if common && sentence_start {
            continue;
        }
        return Some(s);
    }
    None
}

/// The line of the page's Markdown where `first` is written, if it is.
fn name_line(input: &Input, file: &str, first: &str) -> Option<usize> {
    let doc = input.site.documents().find(|d| d.file() == file)?;
    let first = normalise::name(first);
    for (start, text) in [(doc.front_line, &doc.front), (doc.body_line, &doc.body)] {
        for (i, line) in text.lines().enumerate() {
            let words = normalise::name(line);
            if words.split(' ').any(|w| w == first) {
                return Some(start + i);
            }
        }
    }
    None
}
